"""Orders and carts: place, list, read and cancel orders; carts and shopping lists.

Every order goes through `services.place_order` (docs/ordering.md): a buyer orders for their own
account or one below it, a sales rep for an assigned account (channel `rep`), other selling staff
for any account of the organization (channel `api`). Orders are addressed by number (`SO-0000123`),
carts by id; anything outside the caller's scope is 404.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router
from ninja.params import HeaderEx, P, PathEx
from ninja.responses import Status

from meridian.api.auth import actor_of
from meridian.api.pagination import paginate
from meridian.api.schemas import error_responses, is_usable_reference
from meridian.core import idempotency
from meridian.core.actor import Actor, StaffRole
from meridian.customers.errors import AccountNotFound
from meridian.ordering import queries, services
from meridian.ordering.errors import OrderNotFound
from meridian.ordering.models import Order
from meridian.ordering.schemas import (
    CancelIn,
    CartFilters,
    CartIn,
    CartList,
    CartOut,
    CartSummaryOut,
    OrderFilters,
    OrderIn,
    OrderList,
    OrderOut,
    OrderSummaryOut,
)

router = Router(tags=["ordering"])

IDEMPOTENCY_DESCRIPTION = (
    "Retry safely: the same key with the same body answers the first order again (201, no second "
    "order), the same key with another body 422 `idempotency_key_reused`, and while the first "
    "request is still running 409 `idempotency_key_in_use`. Keys are kept at least 24 hours."
)
ORDER_NUMBER = P(description="The order's number (`SO-0000123`).")
CART_ID = P(description="The cart's or shopping list's id.")
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


def _order_out(actor: Actor, number: str) -> OrderOut:
    return OrderOut.of(queries.get_order_detail(actor=actor, number=number))


# --- orders -----------------------------------------------------------------------------------


@router.post("/orders", response={201: OrderOut, **error_responses(403, 404, 409, 422)})
def place_order(
    request: HttpRequest,
    payload: OrderIn,
    idempotency_key: HeaderEx[
        str | None,
        P(
            alias=idempotency.HEADER,
            max_length=idempotency.MAX_KEY_LENGTH,
            description=IDEMPOTENCY_DESCRIPTION,
        ),
    ] = None,
) -> Status[OrderOut]:
    """Place an order from `lines` or a `cart` (buyers with the buyer or admin role, selling staff).

    Lines are priced through pricing as the account's buyers see the catalog (each line answers its
    unit price, total and the `source` that made it), checked, and allocated from stock; the status
    says how: `placed`, `partially_allocated`, `backordered` or `pending_approval`. Bad lines are
    422 `invalid_order_lines` naming each (`fields["lines.<n>.sku"]`); no stock for a line that may
    not backorder, 409 `insufficient_stock`."""
    actor = actor_of(request)
    order = services.place_order(
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
    return Status(201, _order_out(actor, order.number))


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


@router.get("/carts/{cart_id}", response={200: CartOut, **error_responses(404)})
def get_cart(request: HttpRequest, cart_id: PathEx[str, CART_ID]) -> CartOut:
    """One cart or shopping list with its lines."""
    cart = queries.get_cart(actor=actor_of(request), cart_id=cart_id)
    return CartOut.with_lines(cart, queries.cart_lines(cart=cart))
