"""Orders in portal templates: `{{ order.status|status_tone }}` -> the badge colour of a status."""

from __future__ import annotations

from django import template

from meridian.ordering.models import Order

register = template.Library()

STATUS_TONES = {
    Order.Status.PENDING_APPROVAL: "warning",
    Order.Status.PARTIALLY_ALLOCATED: "warning",
    Order.Status.BACKORDERED: "warning",
    Order.Status.CANCELLED: "danger",
    Order.Status.REJECTED: "danger",
}


@register.filter
def status_tone(status: str) -> str:
    """ok, warning or danger."""
    return STATUS_TONES.get(Order.Status(status), "ok") if status in Order.Status.values else "ok"


APPROVAL_REASONS = {
    "order_limit": "over the buyer's order limit",
    "monthly_budget": "over the account's monthly budget",
}


@register.filter
def approval_reasons(reasons: object) -> str:
    """Why an order waits for approval, as a buyer reads it ("over the buyer's order limit; ...")."""
    if not isinstance(reasons, list | tuple):
        return ""
    return "; ".join(APPROVAL_REASONS.get(str(reason), str(reason)) for reason in reasons)
