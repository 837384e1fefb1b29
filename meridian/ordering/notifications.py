"""Order emails, sent after the order's transaction commits (`transaction.on_commit` ->
`tasks.send_order_email`), through Django's email backend (the console backend in the demo). Plain
text; a failure to send never undoes an order."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail

from meridian.customers.models import Account, BuyerUser
from meridian.ordering.models import Order

logger = logging.getLogger(__name__)


def _order(order_id: int) -> Order | None:
    return Order.objects.select_related("account", "placed_by", "decided_by").filter(pk=order_id).first()


def _send(subject: str, body: str, recipients: list[str]) -> None:
    recipients = sorted({address for address in recipients if address})
    if not recipients:
        return
    try:
        send_mail(subject, body, getattr(settings, "DEFAULT_FROM_EMAIL", None), recipients)
    except OSError:  # an SMTP outage must not surface as a failed order: the order is committed
        logger.exception("could not send %r to %s", subject, recipients)


def _summary(order: Order) -> str:
    lines = [
        f"Order {order.number} for {order.account.name}",
        f"Status: {order.get_status_display()}",
        f"Total: {order.total} {order.currency}",
    ]
    if order.po_number:
        lines.append(f"PO number: {order.po_number}")
    return "\n".join(lines)


def approver_emails(account: Account) -> list[str]:
    """Active approvers of the account and of its ancestors."""
    paths = [*account.ancestor_paths(), account.path]
    return list(
        BuyerUser.objects.filter(
            account__organization_id=account.organization_id,
            account__path__in=paths,
            is_approver=True,
            user__is_active=True,
        ).values_list("user__email", flat=True)
    )


def order_placed(order_id: int) -> None:
    order = _order(order_id)
    if order is None:
        return
    placer = order.placed_by.email if order.placed_by is not None else ""
    if order.status == Order.Status.PENDING_APPROVAL:
        _send(f"Order {order.number} is waiting for approval", _summary(order), [placer])
        _send(
            f"Approval needed: order {order.number}",
            _summary(order) + f"\nReasons: {', '.join(order.approval_reasons)}",
            approver_emails(order.account),
        )
        return
    _send(f"Order {order.number} received", _summary(order), [placer])


def order_decided(order_id: int) -> None:
    order = _order(order_id)
    if order is None:
        return
    verdict = "rejected" if order.status == Order.Status.REJECTED else "approved"
    placer = order.placed_by.email if order.placed_by is not None else ""
    _send(f"Order {order.number} was {verdict}", _summary(order), [placer])


def order_cancelled(order_id: int) -> None:
    order = _order(order_id)
    if order is None or order.placed_by is None:
        return
    _send(f"Order {order.number} was cancelled", _summary(order), [order.placed_by.email])


HANDLERS = {"placed": order_placed, "decided": order_decided, "cancelled": order_cancelled}


def send_order_email(*, order_id: int, event: str) -> None:
    handler = HANDLERS.get(event)
    if handler is not None:
        handler(order_id)
