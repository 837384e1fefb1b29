"""Console ordering: the order desk, the order page (holds, manual-intervention flag, cancel, next
states) and "order for customer", where a rep keeps a cart for an account and places it.

Everything goes through the ordering queries and services, like the API: orders in the actor's
scope only (a rep: their assigned accounts; other staff: the organization), anything else is a 404.
The rep's cart is priced by `preview_order` and placed by `place_order` (channel `rep`), both as the
account's own buyers see the catalog, prices and stock; the order records the rep.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from meridian.catalog.errors import ProductNotFound
from meridian.console.order_forms import (
    AddLineForm,
    CancelForm,
    CartQuantitiesForm,
    CheckoutForm,
    FlagForm,
    HoldForm,
    OrderDeskFilterForm,
    QuickOrderForm,
    TransitionForm,
)
from meridian.console.prices import _is_htmx as is_htmx
from meridian.console.stock import _filters_query as filters_query
from meridian.core.actor import Actor
from meridian.core.errors import Conflict, Forbidden, RuleViolation
from meridian.customers import queries as customers
from meridian.customers.models import Account
from meridian.inventory import queries as inventory
from meridian.ordering import engine, queries, services
from meridian.ordering.errors import InvalidTransition
from meridian.ordering.models import Cart, CartLine, Order, OrderStatusChange
from meridian.ordering.services import OrderPreview, Payment, PricedOrderLine
from meridian.ordering.services.lifecycle import TERMINAL
from meridian.portal.availability import AvailabilityText, phrase
from meridian.portal.ui import PageWindow, actor_of, add_domain_error, page_number, staff_required
from meridian.pricing.display import money_label

ORDERS_PER_PAGE = 50
# The states the order page moves an order to (approving is the account's approvers' business,
# cancelling has its own form): shipping what is allocated, then the administrative steps.
CONSOLE_STEPS = (Order.Status.SHIPPED, Order.Status.DELIVERED, Order.Status.INVOICED, Order.Status.CLOSED)


# --- the order desk ---------------------------------------------------------------------------


@staff_required
def order_desk(request: HttpRequest) -> HttpResponse:
    """Every order in the actor's scope, searched by number, PO, account or SKU and filtered."""
    actor = actor_of(request)
    form = OrderDeskFilterForm(request.GET)
    orders = Order.objects.none()
    if form.is_valid():
        data = form.cleaned_data
        orders = queries.list_orders(
            actor=actor,
            search=data["q"],
            search_accounts=True,
            statuses=[data["status"]] if data["status"] else [],
            channels=[data["channel"]] if data["channel"] else [],
            holds=form.holds(),
            needs_manual_intervention=form.needs_manual_intervention(),
            placed_from=data["date_from"],
            placed_to=data["date_to"],
        )
    # count; orders+account+placing user
    page = PageWindow(number=page_number(request), per_page=ORDERS_PER_PAGE, count=orders.count())
    context = {
        "form": form,
        "orders": list(orders[page.offset : page.offset + page.per_page]),
        "page": page,
        "filters": filters_query(request.GET),
    }
    return render(request, "console/orders/desk.html", context)


# --- the order page ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Step:
    """A next state the console can move the order to, or why it cannot (`blocked`)."""

    status: Order.Status
    label: str
    blocked: str = ""


def _label(status: Order.Status) -> str:
    return "Ship what is allocated" if status == Order.Status.SHIPPED else f"Mark {status.label.lower()}"


def next_steps(order: Order) -> list[Step]:
    """The console's steps the state machine allows from here; one a hold stops is listed with why."""
    targets = engine.allowed_targets(engine.OrderStatus(order.status))
    steps = []
    for status in CONSOLE_STEPS:
        # shipping what is allocated ends shipped or partially shipped: either counts
        candidates = (
            [engine.OrderStatus.SHIPPED, engine.OrderStatus.PARTIALLY_SHIPPED]
            if status == Order.Status.SHIPPED
            else [engine.OrderStatus(status)]
        )
        target = next((candidate for candidate in candidates if candidate in targets), None)
        if target is None:
            continue
        try:
            engine.check_transition(order.status, target, hold=order.hold)
        except InvalidTransition as exc:
            steps.append(Step(status, _label(status), blocked=str(exc)))
        else:
            steps.append(Step(status, _label(status)))
    return steps


def _status_label(value: str) -> str:
    return Order.Status(value).label if value in Order.Status.values else value or "—"


def _change_text(change: OrderStatusChange) -> str:
    """ "Placed → Cancelled", or for a hold or flag change "Placed, on manual review"."""
    if change.from_status != change.to_status:
        return f"{_status_label(change.from_status)} → {_status_label(change.to_status)}"
    hold = (
        f", on {Order.Hold(change.hold).label.lower()}"
        if change.hold in Order.Hold.values and change.hold
        else ""
    )
    return f"{_status_label(change.to_status)}{hold}"


def _order_page(
    request: HttpRequest,
    number: str,
    *,
    bound: forms.Form | None = None,
    status: int = 200,
) -> HttpResponse:
    """The order page; `bound` is an action form that failed, shown with its errors."""
    actor = actor_of(request)
    # order (+account, website, users), lines, history, allocations; the history's people
    detail = queries.get_order_detail(actor=actor, number=number)
    order = detail.order
    names = queries.history_actor_names(history=detail.history)
    action_forms: dict[str, forms.Form] = {
        "hold_form": HoldForm(initial={"action": "release" if order.hold else "set"}),
        "flag_form": FlagForm(initial={"action": "clear" if order.needs_manual_intervention else "set"}),
        "cancel_form": CancelForm(),
        "transition_form": TransitionForm(),
    }
    if bound is not None:
        action_forms[
            {HoldForm: "hold_form", FlagForm: "flag_form", CancelForm: "cancel_form"}.get(
                type(bound), "transition_form"
            )
        ] = bound
    context = {
        "order": order,
        "lines": [(line, detail.allocations_for(line)) for line in detail.lines],
        "allocations": detail.allocations,
        "history": [
            (change, _change_text(change), names.get(change.actor_user_id or 0, ""))
            for change in detail.history
        ],
        "steps": next_steps(order),
        "can_cancel": order.status in engine.CANCELLABLE,
        "can_hold": order.status not in TERMINAL and order.status != Order.Status.SHIPPED,
        **action_forms,
    }
    return render(request, "console/orders/order.html", context, status=status)


@staff_required
def order_detail(request: HttpRequest, number: str) -> HttpResponse:
    return _order_page(request, number)


def _order_action(
    request: HttpRequest,
    number: str,
    form: forms.Form,
    perform: Callable[[Actor, dict[str, str]], tuple[Order, str]],
) -> HttpResponse:
    """Run one order action from a posted form: on success a message and back to the order; a
    refusal (invalid transition, bad input, a role that may not) shows the page again with the
    reason on the form (409, 422, 403)."""
    queries.get_order(actor=actor_of(request), number=number)  # out of scope: 404 before the role's 403
    if form.is_valid():
        try:
            order, done = perform(actor_of(request), form.cleaned_data)
        except (Conflict, RuleViolation, Forbidden) as exc:  # the order is in scope (above): not NotFound
            add_domain_error(form, exc)
            status = 409 if isinstance(exc, Conflict) else 403 if isinstance(exc, Forbidden) else 422
            return _order_page(request, number, bound=form, status=status)
        messages.success(request, done)
        return redirect("console:order", number=order.number)
    return _order_page(request, number, bound=form, status=422)


@require_POST
@staff_required
def change_hold(request: HttpRequest, number: str) -> HttpResponse:
    def perform(actor: Actor, data: dict[str, str]) -> tuple[Order, str]:
        if data["action"] == "release":
            order = services.release_hold(actor=actor, number=number, reason=data["reason"])
            return order, f"{order.number}: hold released."
        order = services.set_hold(
            actor=actor, number=number, hold=data["hold"] or Order.Hold.MANUAL_REVIEW, reason=data["reason"]
        )
        return order, f"{order.number} is on {order.get_hold_display().lower()}."

    return _order_action(request, number, HoldForm(request.POST), perform)


@require_POST
@staff_required
def change_flag(request: HttpRequest, number: str) -> HttpResponse:
    def perform(actor: Actor, data: dict[str, str]) -> tuple[Order, str]:
        if data["action"] == "clear":
            order = services.clear_manual_intervention(actor=actor, number=number, reason=data["reason"])
            return order, f"{order.number}: manual-intervention flag cleared."
        order = services.flag_manual_intervention(actor=actor, number=number, reason=data["reason"])
        return order, f"{order.number} is flagged for manual intervention."

    return _order_action(request, number, FlagForm(request.POST), perform)


@require_POST
@staff_required
def cancel_order(request: HttpRequest, number: str) -> HttpResponse:
    def perform(actor: Actor, data: dict[str, str]) -> tuple[Order, str]:
        order = services.cancel_order(actor=actor, number=number, reason=data["reason"])
        return order, f"{order.number} is cancelled; its stock is released."

    return _order_action(request, number, CancelForm(request.POST), perform)


@require_POST
@staff_required
def change_status(request: HttpRequest, number: str) -> HttpResponse:
    def perform(actor: Actor, data: dict[str, str]) -> tuple[Order, str]:
        if data["to_status"] == Order.Status.SHIPPED:
            order = services.ship_order(actor=actor, number=number, reason=data["reason"])
        else:
            order = services.transition_order(
                actor=actor, number=number, to_status=data["to_status"], reason=data["reason"]
            )
        return order, f"{order.number} is now {order.get_status_display().lower()}."

    return _order_action(request, number, TransitionForm(request.POST), perform)


@require_POST
@staff_required
def reorder(request: HttpRequest, number: str) -> HttpResponse:
    """Put the order's lines into the rep's cart for its account, priced again now; the message
    names every line whose unit price changed since (the cart page shows the new prices)."""
    actor = actor_of(request)
    order = queries.get_order(actor=actor, number=number)  # out of scope: 404 before the role's 403
    report = services.reorder(actor=actor, order_number=order.number)
    added = sum(1 for line in report.lines if line.status == "added")
    text = f"{added} of {len(report.lines)} lines of {order.number} added to the cart."
    changes = [
        f"{change.sku} {money_label(change.previous_unit_price, report.currency)} → "
        f"{money_label(change.current_unit_price, report.currency)}"
        for change in report.changed
        if change.previous_unit_price is not None and change.current_unit_price is not None
    ]
    if changes:
        text += " Prices changed since: " + ", ".join(changes) + "."
    refused = [f"{line.sku or line.input}: {line.reason}" for line in report.lines if line.status != "added"]
    if refused:
        text += " Not added: " + "; ".join(refused) + "."
    messages.success(request, text)
    return redirect("console:customer_order", account_id=order.account_id)


# --- order for customer -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CartRow:
    """A line of the rep's cart with what the customer would see for it."""

    line: CartLine
    priced: PricedOrderLine | None
    availability: AvailabilityText | None


def _preview(actor: Actor, account: Account, cart: Cart, checkout: CheckoutForm) -> OrderPreview:
    """The cart priced for the ship-to and shipping method the checkout form shows (its valid
    fields when it was posted or refreshed, else its defaults)."""
    chosen: dict[str, object] = {}
    if checkout.is_bound:
        checkout.is_valid()  # cleans it: cleaned_data keeps the valid fields even when others are not
        chosen = checkout.cleaned_data
    ship_to = chosen.get("ship_to", checkout.initial.get("ship_to"))
    return services.preview_order(
        actor=actor,
        account=account,
        cart=cart,
        ship_to=ship_to if isinstance(ship_to, int) else None,
        shipping_method=str(chosen.get("shipping_method") or ""),
    )


def _customer_order_page(
    request: HttpRequest,
    account: Account,
    *,
    add_form: AddLineForm | None = None,
    quick_form: QuickOrderForm | None = None,
    quantities_form: CartQuantitiesForm | None = None,
    checkout_form: CheckoutForm | None = None,
    report: services.QuickOrderReport | None = None,
    status: int = 200,
) -> HttpResponse:
    actor = actor_of(request)
    cart = queries.find_current_cart(actor=actor, account=account)
    lines = queries.cart_lines(cart=cart) if cart is not None else []
    website = queries.get_website(organization_id=account.organization_id, website_id=actor.website_id)
    methods = list(queries.list_shipping_methods(website=website).filter(currency=website.default_currency))
    addresses = list(customers.list_addresses(actor=actor, account=account))
    refresh = reverse("console:customer_order", args=[account.pk])
    checkout = checkout_form or CheckoutForm(
        request.GET if "ship_to" in request.GET else None,  # htmx asks again when ship-to or method change
        addresses=addresses,
        methods=methods,
        initial={"idempotency_key": uuid.uuid4().hex},
        refresh_url=refresh,
    )
    preview: OrderPreview | None = None
    preview_error = ""
    texts: dict[int, AvailabilityText] = {}
    if cart is not None and lines:
        try:
            preview = _preview(actor, account, cart, checkout)
        except (Conflict, RuleViolation) as exc:
            preview_error = str(exc)
        else:
            warehouses = {
                row.pk: row
                for row in inventory.list_warehouses(
                    organization_id=account.organization_id, include_inactive=True
                )
            }
            texts = {
                product_id: phrase(item, warehouses) for product_id, item in preview.availability.items()
            }
    priced = preview.lines_by_product_unit() if preview is not None else {}
    rows = [
        CartRow(
            line=line,
            priced=priced.get((line.product.sku, line.uom)),
            availability=texts.get(line.product_id),
        )
        for line in lines
    ]
    context = {
        "account": account,
        "cart": cart,
        "rows": rows,
        "preview": preview,
        "preview_error": preview_error,
        "add_form": add_form or AddLineForm(),
        "quick_form": quick_form or QuickOrderForm(),
        "quantities_form": quantities_form,
        "checkout_form": checkout,
        "report": report,
        "has_shipping_address": any(address.is_shipping for address in addresses),
    }
    if is_htmx(request):  # htmx 2 swaps 2xx answers only: the errors are in the partial
        return render(request, "console/orders/_customer_cart.html", {**context, "partial": True})
    return render(request, "console/orders/customer.html", context, status=status)


def _orderable_account(actor: Actor, account_id: int) -> Account:
    """The account in the actor's scope (AccountNotFound: 404 otherwise), with terms and settings."""
    return queries.get_orderable_account(actor=actor, reference=account_id)


@staff_required
def customer_order(request: HttpRequest, account_id: int) -> HttpResponse:
    """What the rep's cart for the account looks like to the customer, and the forms to fill it."""
    account = _orderable_account(actor_of(request), account_id)
    return _customer_order_page(request, account)


def _after_cart_change(request: HttpRequest, account: Account, message: str) -> HttpResponse:
    messages.success(request, message)
    if is_htmx(request):
        return _customer_order_page(request, account)
    return redirect("console:customer_order", account_id=account.pk)


@require_POST
@staff_required
def add_customer_line(request: HttpRequest, account_id: int) -> HttpResponse:
    actor = actor_of(request)
    account = _orderable_account(actor, account_id)
    form = AddLineForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            cart = services.current_cart(actor=actor, account=account)
            services.add_to_cart(
                actor=actor,
                cart=cart,
                reference=data["reference"],
                quantity=data["quantity"],
                uom=data["uom"],
            )
        except ProductNotFound:  # unknown, or hidden from the account's buyers: the same answer
            form.add_error("reference", f"{data['reference']}: not in {account.name}'s catalog.")
        except (Conflict, RuleViolation) as exc:
            add_domain_error(form, exc)
        else:
            return _after_cart_change(request, account, f"Added {data['reference']}.")
    return _customer_order_page(request, account, add_form=form, status=422)


@require_POST
@staff_required
def quick_order_lines(request: HttpRequest, account_id: int) -> HttpResponse:
    actor = actor_of(request)
    account = _orderable_account(actor, account_id)
    form = QuickOrderForm(request.POST, request.FILES)
    report = None
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            cart = services.current_cart(actor=actor, account=account)
            if upload is not None:
                report = services.quick_order_upload(
                    actor=actor, cart=cart, filename=upload.name or "", content=upload.read()
                )
            else:
                report = services.quick_order(actor=actor, cart=cart, text=form.cleaned_data["text"])
        except (Conflict, RuleViolation) as exc:
            add_domain_error(form, exc)
        else:
            return _customer_order_page(request, account, report=report)
    return _customer_order_page(request, account, quick_form=form, status=422)


@require_POST
@staff_required
def update_customer_cart(request: HttpRequest, account_id: int) -> HttpResponse:
    """Set the cart's quantities (0 removes a line) or remove one line."""
    actor = actor_of(request)
    account = _orderable_account(actor, account_id)
    cart = queries.find_current_cart(actor=actor, account=account)
    line_ids = [line.pk for line in queries.cart_lines(cart=cart)] if cart is not None else []
    form = CartQuantitiesForm(request.POST, line_ids=line_ids)
    if form.is_valid():
        current = {line.pk: line.quantity for line in queries.cart_lines(cart=cart)} if cart else {}
        changes = {
            line_id: quantity
            for line_id, quantity in form.changes().items()
            if current.get(line_id) != quantity
        }
        try:
            for line_id, quantity in changes.items():
                assert cart is not None  # a change names a line of the cart
                services.set_line_quantity(actor=actor, cart=cart, line_id=line_id, quantity=quantity)
        except (Conflict, RuleViolation) as exc:
            add_domain_error(form, exc)
        else:
            return _after_cart_change(request, account, "Cart updated." if changes else "Nothing to change.")
    return _customer_order_page(request, account, quantities_form=form, status=422)


@require_POST
@staff_required
def place_customer_order(request: HttpRequest, account_id: int) -> HttpResponse:
    """Place the rep's cart for the account through place_order (channel rep, on terms)."""
    actor = actor_of(request)
    account = _orderable_account(actor, account_id)
    cart = queries.find_current_cart(actor=actor, account=account)
    if cart is None or not CartLine.objects.filter(cart_id=cart.pk).exists():
        messages.error(request, "The cart is empty: add lines before placing the order.")
        return redirect("console:customer_order", account_id=account.pk)
    website = queries.get_website(organization_id=account.organization_id, website_id=actor.website_id)
    methods = list(queries.list_shipping_methods(website=website).filter(currency=website.default_currency))
    addresses = list(customers.list_addresses(actor=actor, account=account))
    form = CheckoutForm(
        request.POST,
        addresses=addresses,
        methods=methods,
        refresh_url=reverse("console:customer_order", args=[account.pk]),
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            order = services.place_order(
                actor=actor,
                channel=Order.Channel.REP,
                account=account,
                cart=cart,
                ship_to=data["ship_to"],
                po_number=data["po_number"],
                requested_date=data["requested_date"],
                notes=data["notes"],
                payment=Payment(Order.PaymentMethod.TERMS),
                shipping_method=data["shipping_method"],
                idempotency_key=data["idempotency_key"],
            )
        except (Conflict, RuleViolation) as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request,
                f"Order {order.number} placed for {account.name}: "
                f"{order.get_status_display().lower()}, total {order.total.quantize(Decimal('0.01'))} "
                f"{order.currency}.",
            )
            return redirect("console:order", number=order.number)
    return _customer_order_page(request, account, checkout_form=form, status=422)
