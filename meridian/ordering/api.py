"""Orders and carts: place, list, read and cancel orders; carts and shopping lists.

Every order goes through `services.place_order` (docs/ordering.md): a buyer orders for their own
account or one below it, a sales rep for an assigned account (channel `rep`), other selling staff
for any account of the organization (channel `api`). Orders are addressed by number (`SO-0000123`),
carts by id (or `current`: the caller's current cart for their own account); anything outside the
caller's scope is 404.

Carts (docs/ordering.md, "Who sees what"): a current cart and a private list are their owner's
alone, anyone else gets 404; a shared list is read and changed by the account's buyers who may
order (buyer or admin role) and by selling staff in scope; only its owner renames or deletes it
(and, for a shared list, a seller admin); deleting the current cart empties it.
Every change answers the cart at its new `version`; a change naming a stale `expected_version`
answers 409 `cart_changed` and changes nothing.
"""

from __future__ import annotations

from typing import TypeAlias

from django.http import HttpRequest
from ninja import Query, Router
from ninja.params import HeaderEx, P, PathEx
from ninja.responses import Status

from meridian.api.auth import actor_of
from meridian.api.pagination import PageParams, paginate
from meridian.api.schemas import IdempotencyKeyHeader, error_responses, is_usable_reference
from meridian.core.actor import Actor, StaffRole
from meridian.customers.errors import AccountNotFound
from meridian.customers.queries import is_database_id
from meridian.ordering import queries, services
from meridian.ordering.errors import CartLineNotFound, CartNotFound, OrderNotFound
from meridian.ordering.models import Cart, Order
from meridian.ordering.schemas import (
    CancelIn,
    CartFilters,
    CartIn,
    CartLineIn,
    CartLineList,
    CartLineOut,
    CartLinePatch,
    CartList,
    CartOut,
    CartPatch,
    CartSummaryOut,
    CurrentCartFilters,
    OrderFilters,
    OrderIn,
    OrderList,
    OrderOut,
    OrderSummaryOut,
    QuickOrderIn,
    QuickOrderOut,
    ReorderIn,
    ReorderLineOut,
    ReorderOut,
    ReorderPriceChangeOut,
)

router = Router(tags=["ordering"])

ORDER_NUMBER = P(description="The order's number (`SO-0000123`).")
CART_ID = P(description="The cart's or shopping list's id, or `current` (your current cart).")
LINE_ID = P(description="The cart line's id.")
CURRENT = "current"
MAX_VERSION = 2**31 - 1  # Cart.version
CartIfMatch: TypeAlias = HeaderEx[
    int | None,
    P(
        alias="If-Match",
        ge=1,
        le=MAX_VERSION,
        description="The cart version you saw: 409 `cart_changed` if it moved on.",
    ),
]
MAX_NUMBER_LENGTH = 32  # Order.number


def _channel(actor: Actor) -> str:
    if actor.is_staff and actor.staff_role == StaffRole.SALES_REP:
        return Order.Channel.REP
    return Order.Channel.API


def _account(reference: int | str | None) -> int | str | None:
    if reference is not None and not is_usable_reference(reference):
        raise AccountNotFound(reference)
    return reference


def _number(number: str) -> str:
    """An order number as given, or OrderNotFound for one no order can have (as any unknown one)."""
    if len(number) > MAX_NUMBER_LENGTH or "\x00" in number:
        raise OrderNotFound(number[:MAX_NUMBER_LENGTH])
    return number


def _cart_id(actor: Actor, cart_id: str) -> int:
    """A cart id, or the actor's current cart for their own account (created when there is none)."""
    if cart_id == CURRENT:
        return services.current_cart(actor=actor).pk
    if not is_database_id(cart_id):
        raise CartNotFound(cart_id[:MAX_NUMBER_LENGTH])
    return int(cart_id)


def _line_id(line_id: str) -> int:
    if not is_database_id(line_id):
        raise CartLineNotFound(line_id[:MAX_NUMBER_LENGTH])
    return int(line_id)


def _cart_out(cart: Cart) -> CartOut:
    return CartOut.with_lines(cart, queries.cart_lines(cart=cart))


def _order_out(actor: Actor, number: str) -> OrderOut:
    return OrderOut.of(queries.get_order_detail(actor=actor, number=number))


# --- orders -----------------------------------------------------------------------------------


@router.post("/orders", response={201: OrderOut, **error_responses(403, 404, 409, 422)})
def place_order(
    request: HttpRequest,
    payload: OrderIn,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Status[OrderOut]:
    """Place an order from `lines` or a `cart` (buyers with the buyer or admin role, selling staff).

    Lines are priced through pricing as the account's buyers see the catalog (each line answers its
    unit price, total and the `source` that made it), checked, and allocated from stock; the status
    says how: `placed`, `partially_allocated`, `backordered` or `pending_approval`. Bad lines are
    422 `invalid_order_lines` naming each (`fields["lines.<n>.sku"]`); no stock for a line that may
    not backorder, 409 `insufficient_stock`."""
    actor = actor_of(request)
    placement = services.place_order_detailed(
        actor=actor,
        channel=_channel(actor),
        account=_account(payload.account),
        lines=payload.to_lines(),
        cart=payload.cart,
        ship_to=payload.to_ship_to(),
        po_number=payload.po_number,
        requested_date=payload.requested_date,
        notes=payload.notes,
        shipping_method=payload.shipping_method,
        payment=payload.payment.to_payment() if payload.payment is not None else None,
        idempotency_key=idempotency_key or "",
        website_id=actor.website_id,
    )
    # The order placed is the actor's (placed now, or the first one for this key): no scoped read
    # again. A new order answers with the lines and history as written (only what it holds per
    # warehouse is read); a replayed key reads them.
    order = placement.order
    if placement.lines is None or placement.history is None:
        return Status(201, OrderOut.of(queries.order_detail(order=order)))
    detail = queries.OrderDetail(
        order=order,
        lines=list(placement.lines),
        history=list(placement.history),
        allocations=queries.order_allocations(order=order),
    )
    return Status(201, OrderOut.of(detail))


@router.get("/orders", response={200: OrderList, **error_responses(422)})
def list_orders(request: HttpRequest, filters: Query[OrderFilters]) -> OrderList:
    """Orders in your scope, newest first. `status` (comma separated) and `q` (the number, part of
    the PO number, or a line's SKU) filter."""
    queryset = queries.list_orders(actor=actor_of(request), search=filters.q, statuses=filters.statuses())
    # count; orders+account+placing user
    count, orders = paginate(queryset, filters)
    return OrderList(count=count, items=[OrderSummaryOut.of(order) for order in orders])


@router.get("/orders/{number}", response={200: OrderOut, **error_responses(404)})
def get_order(request: HttpRequest, number: PathEx[str, ORDER_NUMBER]) -> OrderOut:
    """One order: lines with their prices and sources, totals, what it holds per warehouse, and its
    status history."""
    return _order_out(actor_of(request), _number(number))


@router.post("/orders/{number}/cancel", response={200: OrderOut, **error_responses(403, 404, 409, 422)})
def cancel_order(request: HttpRequest, number: PathEx[str, ORDER_NUMBER], payload: CancelIn) -> OrderOut:
    """Cancel an order nothing of which has shipped; its stock is released (buyers who may order,
    selling and back-office staff). Otherwise 409 `invalid_transition`."""
    actor = actor_of(request)
    order = services.cancel_order(actor=actor, number=_number(number), reason=payload.reason)
    return _order_out(actor, order.number)


@router.post("/orders/{number}/reorder", response={200: ReorderOut, **error_responses(403, 404, 409, 422)})
def reorder(request: HttpRequest, number: PathEx[str, ORDER_NUMBER], payload: ReorderIn) -> ReorderOut:
    """Put a past order's lines into your current cart for its account (or into `cart`), priced
    again now through pricing (buyers who may order, selling staff). Answers the cart, every line's
    outcome (lines that can no longer be ordered say why; the others are added) and each added
    line's unit price on the order and now (`price_changes`)."""
    actor = actor_of(request)
    report = services.reorder(
        actor=actor,
        order_number=_number(number),
        cart=payload.cart,
        expected_version=payload.expected_version,
    )
    return ReorderOut(
        cart=_cart_out(report.cart),
        currency=report.currency,
        lines=[ReorderLineOut.of(line) for line in report.lines],
        price_changes=[ReorderPriceChangeOut.of(change, report.currency) for change in report.price_changes],
    )


# --- carts and shopping lists -----------------------------------------------------------------


@router.get("/carts", response={200: CartList, **error_responses(422)})
def list_carts(request: HttpRequest, filters: Query[CartFilters]) -> CartList:
    """Your carts and shopping lists (and the lists shared with you), most recently changed first;
    staff see the carts of the accounts in their scope. `kind` filters (`cart`, `list`)."""
    # count; carts+account+owner
    count, carts = paginate(queries.list_carts(actor=actor_of(request), kind=filters.kind), filters)
    return CartList(count=count, items=[CartSummaryOut.of(cart) for cart in carts])


@router.post("/carts", response={201: CartOut, **error_responses(403, 404, 422)})
def create_cart(request: HttpRequest, payload: CartIn) -> Status[CartOut]:
    """Create a named shopping list for an account (yours by default; staff name one), optionally
    shared with the account's buyers (`is_shared`) and those of its child accounts too."""
    actor = actor_of(request)
    cart = services.create_list(
        actor=actor,
        name=payload.name,
        account=_account(payload.account),
        is_shared=payload.is_shared,
        is_shared_with_subtree=payload.is_shared_with_subtree,
    )
    return Status(201, CartOut.with_lines(cart, []))


@router.get("/carts/current", response={200: CartOut, **error_responses(403, 404, 422)})
def get_current_cart(request: HttpRequest, filters: Query[CurrentCartFilters]) -> CartOut:
    """Your current cart for an account (your own by default; staff name one), with its lines;
    created empty when you have none (buyers who may order, selling staff)."""
    cart = services.current_cart(actor=actor_of(request), account=_account(filters.account))
    return _cart_out(cart)


@router.get("/carts/{cart_id}", response={200: CartOut, **error_responses(403, 404, 422)})
def get_cart(request: HttpRequest, cart_id: PathEx[str, CART_ID]) -> CartOut:
    """One cart or shopping list with its lines. `current` (your current cart, created when there is
    none) is for those who may order (403 otherwise) and names your own account (staff: 422, use
    `GET /carts/current?account=`)."""
    actor = actor_of(request)
    return _cart_out(queries.get_cart(actor=actor, cart_id=_cart_id(actor, cart_id)))


@router.patch("/carts/{cart_id}", response={200: CartOut, **error_responses(403, 404, 409, 422)})
def update_cart(request: HttpRequest, cart_id: PathEx[str, CART_ID], payload: CartPatch) -> CartOut:
    """Rename a shopping list or (un)share it: its owner only (anyone else who sees a shared list gets
    403 `not_allowed`). A current cart has no name: 422 `invalid_input` on `cart`."""
    actor = actor_of(request)
    cart = services.update_list(
        actor=actor,
        cart=_cart_id(actor, cart_id),
        name=payload.name,
        is_shared=payload.is_shared,
        is_shared_with_subtree=payload.is_shared_with_subtree,
        expected_version=payload.expected_version,
    )
    return _cart_out(cart)


@router.delete("/carts/{cart_id}", response={204: None, **error_responses(403, 404, 409, 422)})
def delete_cart(
    request: HttpRequest,
    cart_id: PathEx[str, CART_ID],
    if_match: CartIfMatch = None,
) -> Status[None]:
    """Delete a shopping list with its lines, or empty your current cart (it always exists: it keeps
    its id, at its next version). Its owner only: anyone else who sees a shared list gets 403
    `not_allowed`."""
    actor = actor_of(request)
    services.discard_cart(actor=actor, cart=_cart_id(actor, cart_id), expected_version=if_match)
    return Status(204, None)


@router.post(
    "/carts/{cart_id}/quick-order", response={200: QuickOrderOut, **error_responses(403, 404, 409, 422)}
)
def quick_order(request: HttpRequest, cart_id: PathEx[str, CART_ID], payload: QuickOrderIn) -> QuickOrderOut:
    """Quick order: add many lines at once from pasted `text` or a `file` (CSV or `.xlsx`, base64).
    Good lines are added, and every line is reported by its number (the text's line, the file's
    row): `added`, or `error` with a `code`
    (`unreadable_line`, `product_not_found`, `product_not_orderable`, `unknown_uom`,
    `quantity_rule_violation`) and the reason. A file that is not CSV or a readable workbook is 422
    `unsupported_file_type` on `file`; more than 5,000 lines, 422 `quick_order_too_large`."""
    actor = actor_of(request)
    cart = _cart_id(actor, cart_id)
    if payload.file is not None:
        report = services.quick_order_upload(
            actor=actor,
            cart=cart,
            filename=payload.file.filename,
            content=payload.file.decoded(),
            expected_version=payload.expected_version,
        )
    else:
        report = services.quick_order(
            actor=actor, cart=cart, text=payload.text or "", expected_version=payload.expected_version
        )
    return QuickOrderOut.of(report, _cart_out(report.cart))


@router.get("/carts/{cart_id}/lines", response={200: CartLineList, **error_responses(403, 404, 422)})
def list_cart_lines(
    request: HttpRequest, cart_id: PathEx[str, CART_ID], page: Query[PageParams]
) -> CartLineList:
    """A cart's lines in the order they were added."""
    actor = actor_of(request)
    cart = queries.get_cart(actor=actor, cart_id=_cart_id(actor, cart_id))
    # count; lines+product
    count, lines = paginate(queries.list_cart_lines(cart=cart), page)
    return CartLineList(count=count, items=[CartLineOut.of(line) for line in lines])


@router.post("/carts/{cart_id}/lines", response={201: CartOut, **error_responses(403, 404, 409, 422)})
def add_cart_line(
    request: HttpRequest, cart_id: PathEx[str, CART_ID], payload: CartLineIn
) -> Status[CartOut]:
    """Add a product by SKU or the account's part number, in any of its units (`uom`); the same
    product and unit add to one line. The line's resulting quantity must meet the product's minimum
    and increment (422 `quantity_rule_violation` saying which)."""
    actor = actor_of(request)
    cart = services.add_to_cart(
        actor=actor,
        cart=_cart_id(actor, cart_id),
        reference=payload.sku,
        quantity=payload.quantity,
        uom=payload.uom or "",
        expected_version=payload.expected_version,
    )
    return Status(201, _cart_out(cart))


@router.patch(
    "/carts/{cart_id}/lines/{line_id}", response={200: CartOut, **error_responses(403, 404, 409, 422)}
)
def update_cart_line(
    request: HttpRequest,
    cart_id: PathEx[str, CART_ID],
    line_id: PathEx[str, LINE_ID],
    payload: CartLinePatch,
) -> CartOut:
    """Set a line's quantity (0 removes it); the minimum and increment are checked as when adding."""
    actor = actor_of(request)
    cart = services.set_line_quantity(
        actor=actor,
        cart=_cart_id(actor, cart_id),
        line_id=_line_id(line_id),
        quantity=payload.quantity,
        expected_version=payload.expected_version,
    )
    return _cart_out(cart)


@router.delete(
    "/carts/{cart_id}/lines/{line_id}", response={200: CartOut, **error_responses(403, 404, 409, 422)}
)
def remove_cart_line(
    request: HttpRequest,
    cart_id: PathEx[str, CART_ID],
    line_id: PathEx[str, LINE_ID],
    if_match: CartIfMatch = None,
) -> CartOut:
    """Remove a line; answers the cart. `If-Match: <version>` guards against a change made elsewhere."""
    actor = actor_of(request)
    cart = services.remove_line(
        actor=actor, cart=_cart_id(actor, cart_id), line_id=_line_id(line_id), expected_version=if_match
    )
    return _cart_out(cart)
