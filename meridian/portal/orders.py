"""The buyer's orders: history with search and filters, the order page (lines, prices and their
sources, allocations, state history), reorder, cancel, and the approvals inbox.

Orders are read through `ordering.queries` (scoped: another account's order is 404) and changed only
through the ordering services. A refusal (the state forbids it, not the actor's to decide) is shown
on the order page.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from meridian.core.errors import Conflict, Forbidden, RuleViolation
from meridian.ordering import engine, services
from meridian.ordering import queries as ordering
from meridian.ordering.models import Order, OrderLine
from meridian.ordering.queries import Allocation, OrderDetail
from meridian.ordering.services._common import may_order
from meridian.portal.forms import CancelForm, DecisionForm, OrderFilterForm
from meridian.portal.ordering import price_source_label
from meridian.portal.ui import PageWindow, actor_of, buyer_required, page_number

ORDERS_PER_PAGE = 25


@buyer_required
def order_history(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    form = OrderFilterForm(request.GET or None, statuses=list(Order.Status.choices))
    filters = form.cleaned_data if form.is_valid() else {}
    orders = ordering.list_orders(
        actor=actor,
        search=filters.get("q", ""),
        statuses=[filters["status"]] if filters.get("status") else [],
        placed_from=filters.get("placed_from"),
        placed_to=filters.get("placed_to"),
    )
    number = page_number(request)
    window = PageWindow(number=number, per_page=ORDERS_PER_PAGE, count=orders.count())
    # count; orders+account+placing user
    rows = list(orders[window.offset : window.offset + ORDERS_PER_PAGE])
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "orders": rows,
        "page": window,
        "filters": query.urlencode(),
    }
    return render(request, "portal/ordering/orders.html", context)


@dataclass(frozen=True, slots=True)
class OrderRow:
    line: OrderLine
    source_label: str
    promotions: list[str]
    allocations: list[Allocation]


def _rows(detail: OrderDetail) -> list[OrderRow]:
    rows = []
    for line in detail.lines:
        source = line.price_source if isinstance(line.price_source, dict) else {}
        label = price_source_label(
            str(source.get("kind", "")),
            str(source.get("price_list_code", "")),
            str(source.get("contract_number", "")),
        )
        promotions = [
            str(promotion.get("name", ""))
            for promotion in source.get("promotions", [])
            if isinstance(promotion, dict)
        ]
        rows.append(OrderRow(line, label, promotions, detail.allocations_for(line)))
    return rows


@buyer_required
def order_page(request: HttpRequest, number: str) -> HttpResponse:
    """The order with its lines (prices and sources), supply, history; cancel, reorder, decide."""
    actor = actor_of(request)
    detail = ordering.get_order_detail(actor=actor, number=number)
    order = detail.order
    orders_allowed = may_order(actor)
    context = {
        "order": order,
        "rows": _rows(detail),
        "history": detail.history,
        "can_cancel": orders_allowed and order.status in engine.CANCELLABLE,
        "can_reorder": orders_allowed,
        "can_decide": order.status == Order.Status.PENDING_APPROVAL
        and order.placed_by_id != actor.user_id
        and ordering.approvals_inbox(actor=actor).filter(pk=order.pk).exists(),
        "decision_form": DecisionForm(),
        "cancel_form": CancelForm(),
    }
    return render(request, "portal/ordering/order.html", context)


@require_POST
@buyer_required
def reorder(request: HttpRequest, number: str) -> HttpResponse:
    """Put the order's lines into the cart, priced again now; show what changed since."""
    actor = actor_of(request)
    report = services.reorder(actor=actor, order_number=number)
    context = {"number": number, "report": report}
    return render(request, "portal/ordering/reorder.html", context)


@require_POST
@buyer_required
def cancel_order(request: HttpRequest, number: str) -> HttpResponse:
    actor = actor_of(request)
    form = CancelForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.cancel_order(actor=actor, number=number, reason=reason)
    except (Conflict, RuleViolation, Forbidden) as exc:  # shipped already, or not the actor's to cancel
        messages.error(request, f"Order {number} cannot be cancelled: {exc}.")
    else:
        messages.success(request, f"Order {number} is cancelled; its stock is released.")
    return redirect("portal:order", number=number)


@buyer_required
def approvals(request: HttpRequest) -> HttpResponse:
    # orders+account+placing user
    waiting = list(ordering.approvals_inbox(actor=actor_of(request)))
    return render(request, "portal/ordering/approvals.html", {"orders": waiting})


def _decide(request: HttpRequest, number: str, *, approve: bool) -> HttpResponse:
    actor = actor_of(request)
    form = DecisionForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    verb = "approved" if approve else "rejected"
    try:
        if approve:
            services.approve_order(actor=actor, number=number, reason=reason)
        else:
            services.reject_order(actor=actor, number=number, reason=reason)
    except (Conflict, RuleViolation, Forbidden) as exc:  # decided already, not theirs, no stock
        messages.error(request, f"Order {number} cannot be {verb}: {exc}.")
        return redirect("portal:order", number=number)
    messages.success(request, f"Order {number} is {verb}.")
    return redirect("portal:approvals")


@require_POST
@buyer_required
def approve_order(request: HttpRequest, number: str) -> HttpResponse:
    return _decide(request, number, approve=True)


@require_POST
@buyer_required
def reject_order(request: HttpRequest, number: str) -> HttpResponse:
    return _decide(request, number, approve=False)
