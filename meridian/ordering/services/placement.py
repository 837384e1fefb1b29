"""place_order: the one order pipeline for every channel (ARCHITECTURE.md, invariant 3).

One durable transaction: the lines are priced again through pricing (each line keeps pricing's unit
price, list price, line total and full trace; the total is pricing's goods total plus shipping and
tax, rounded in core.money), validated (checkout.py), checked against the buyer controls
(ApprovalPolicy) and the credit limit, allocated through inventory (unless it waits for approval),
and written with its status history and an outbox event; coupons are redeemed and rebates accrued
through pricing; the email goes out after commit. See docs/ordering.md.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from meridian.core import idempotency
from meridian.core.actor import Actor
from meridian.core.errors import Conflict
from meridian.customers.models import Account
from meridian.ordering import engine, providers, queries, tasks
from meridian.ordering.errors import (
    CreditLimitExceeded,
    OrderNotFound,
    PaymentDeclined,
)
from meridian.ordering.models import (
    AccountOrderingSettings,
    Cart,
    Order,
    OrderLine,
    OrderStatusChange,
)
from meridian.ordering.policies import ApprovalContext, ApprovalPolicy, approval_policy
from meridian.ordering.services._common import (
    jsonable,
    new_change,
    require_orderer,
    trace_json,
)
from meridian.ordering.services._rows import start_order, write_order
from meridian.ordering.services.allocation import (
    RepriceFn,
    accrue_order_rebates,
    allocate_lines,
    set_totals,
)
from meridian.ordering.services.checkout import (
    Checkout,
    OneTimeAddress,
    OrderLineRequest,
    Payment,
    Prepared,
    PricedOrderLine,
    Pricing,
    check_request,
    checkout_of,
    order_requests,
    prepare,
    price_lines,
    raise_problems,
)
from meridian.pricing.services import redeem_coupons
from meridian.tenancy.models import Website

ZERO = Decimal(0)
OPERATION = "place_order"


class OrderTotalChanged(Conflict):
    """A card was authorized for less than the order came to when placed (prices changed meanwhile)."""

    code = "order_total_changed"

    def __init__(self, *, authorized: Decimal, total: Decimal, currency: str) -> None:
        super().__init__(
            f"the order now comes to {total} {currency}, more than the {authorized} {currency} authorized; "
            "review the cart and place it again"
        )
        self.authorized, self.total = authorized, total


@dataclass(frozen=True, slots=True)
class Placement:
    """What `place_order_detailed` wrote: the order, its lines and its history as written (so a
    caller answering with them need not read them back); both None when an Idempotency-Key replayed
    an earlier order (read them)."""

    order: Order
    lines: tuple[OrderLine, ...] | None
    history: tuple[OrderStatusChange, ...] | None


def _fingerprint(actor: Actor, checkout: Checkout) -> str:
    body = jsonable(checkout)
    assert isinstance(body, dict)
    token = checkout.payment.card_token
    body["payment"] = {
        "method": checkout.payment.method,
        "card_token": hashlib.sha256(token.encode()).hexdigest() if token else "",
    }
    body["actor_user_id"] = actor.user_id
    return idempotency.request_fingerprint(OPERATION, body)


# --- placement ---------------------------------------------------------------------------------


def place_order(
    *,
    actor: Actor,
    channel: str,
    account: Account | str | int | None = None,
    lines: Sequence[OrderLineRequest] = (),
    cart: Cart | int | None = None,
    ship_to: int | OneTimeAddress | None = None,
    po_number: str = "",
    requested_date: dt.date | None = None,
    payment: Payment | None = None,
    shipping_method: str = "",
    notes: str = "",
    coupon_codes: Sequence[str] = (),
    idempotency_key: str = "",
    source_reference: str = "",
    website_id: int | None = None,
    now: dt.datetime | None = None,
    policy: ApprovalPolicy | None = None,
    payment_provider: providers.PaymentProvider | None = None,
    tax_provider: providers.TaxProvider | None = None,
) -> Order:
    """Place an order for an account in the actor's scope (a buyer: their subtree; a rep: an assigned
    account, recorded as on behalf) from lines or a cart, through the one pipeline.

    Runs in `atomic(durable=True)`: nesting it in another transaction raises RuntimeError. Returns the
    order (`pending_approval`, or placed / partially_allocated / backordered, maybe on credit hold).
    With `idempotency_key`, the same key and request return the first order; a different request
    raises IdempotencyKeyReused (422), one while the first still runs IdempotencyKeyInUse (409); a
    refused order keeps no key (a retry runs again). Raises AccountNotFound, NotAllowed,
    InvalidInput, InvalidOrderLines, PoNumberRequired, AddressNotFound, OneTimeAddressNotAllowed,
    PaymentTermsUnavailable, PaymentDeclined, CouponNotUsable, UnknownShippingMethod,
    CreditLimitExceeded (policy `refuse`), InsufficientStock (a `deny` line), NothingAvailable.
    """
    return place_order_detailed(
        actor=actor,
        channel=channel,
        account=account,
        lines=lines,
        cart=cart,
        ship_to=ship_to,
        po_number=po_number,
        requested_date=requested_date,
        payment=payment,
        shipping_method=shipping_method,
        notes=notes,
        coupon_codes=coupon_codes,
        idempotency_key=idempotency_key,
        source_reference=source_reference,
        website_id=website_id,
        now=now,
        policy=policy,
        payment_provider=payment_provider,
        tax_provider=tax_provider,
    ).order


def place_order_detailed(
    *,
    actor: Actor,
    channel: str,
    account: Account | str | int | None = None,
    lines: Sequence[OrderLineRequest] = (),
    cart: Cart | int | None = None,
    ship_to: int | OneTimeAddress | None = None,
    po_number: str = "",
    requested_date: dt.date | None = None,
    payment: Payment | None = None,
    shipping_method: str = "",
    notes: str = "",
    coupon_codes: Sequence[str] = (),
    idempotency_key: str = "",
    source_reference: str = "",
    website_id: int | None = None,
    now: dt.datetime | None = None,
    policy: ApprovalPolicy | None = None,
    payment_provider: providers.PaymentProvider | None = None,
    tax_provider: providers.TaxProvider | None = None,
) -> Placement:
    """`place_order`, answering the lines and history it wrote too (see Placement)."""
    organization_id = require_orderer(actor)
    checkout = checkout_of(
        account=account,
        lines=lines,
        cart=cart,
        channel=channel,
        ship_to=ship_to,
        payment=payment or Payment(),
        shipping_method=shipping_method,
        coupon_codes=coupon_codes,
        website_id=website_id,
        po_number=po_number,
        requested_date=requested_date,
        notes=notes,
        source_reference=source_reference,
    )
    check_request(checkout)
    claim: idempotency.Claim | None = None
    if idempotency_key:
        outcome = idempotency.claim_key(
            organization_id=organization_id, key=idempotency_key, request_hash=_fingerprint(actor, checkout)
        )
        if isinstance(outcome, idempotency.StoredResponse):
            return Placement(order=_replay(actor, outcome), lines=None, history=None)
        claim = outcome
    payments = payment_provider or providers.payment_provider()
    taxes = tax_provider or providers.tax_provider()
    moment = now or timezone.now()
    authorization: providers.Authorization | None = None
    try:
        authorized: Decimal | None = None
        if checkout.payment.method == Order.PaymentMethod.CARD:
            authorized, authorization = _authorize(actor, checkout, moment, taxes, payments, idempotency_key)
        with transaction.atomic(durable=True):
            order, written, change = _place(
                actor=actor,
                checkout=checkout,
                now=moment,
                policy=policy or approval_policy(),
                taxes=taxes,
                authorized=authorized,
                authorization=authorization,
                idempotency_key=idempotency_key,
                claim=claim,
            )
    except BaseException:
        if claim is not None:
            idempotency.release_key(claim)
        if authorization is not None and authorization.is_approved:
            payments.void(authorization_id=authorization.authorization_id)
        raise
    return Placement(order=order, lines=written, history=(change,))


def _replay(actor: Actor, stored: idempotency.StoredResponse) -> Order:
    order_id = stored.body.get("order_id")
    order = (
        queries.find_order_by_id(actor=actor, order_id=int(str(order_id))) if order_id is not None else None
    )
    if order is None:
        raise OrderNotFound(stored.body.get("number", order_id))
    return order


def _authorize(
    actor: Actor,
    checkout: Checkout,
    now: dt.datetime,
    taxes: providers.TaxProvider,
    payments: providers.PaymentProvider,
    idempotency_key: str,
) -> tuple[Decimal, providers.Authorization]:
    """Card orders: price the order outside the transaction (reads only) and authorize its total;
    no network I/O ever happens inside the order's transaction."""
    requests, reference, _ = order_requests(actor, checkout, lock=False)
    prepared = prepare(
        actor=actor,
        checkout=checkout,
        requests=requests,
        account_reference=reference,
        now=now,
        tax_provider=taxes,
    )
    raise_problems(prepared)
    amount = prepared.pricing.totals.total
    authorization = payments.authorize(
        amount=amount,
        currency=prepared.currency,
        card_token=checkout.payment.card_token,
        reference=idempotency_key or f"{prepared.account.pk}:{now.isoformat()}",
    )
    if not authorization.is_approved:
        raise PaymentDeclined(authorization.decline_reason or "declined")
    return amount, authorization


def _credit_account(prepared: Prepared) -> tuple[int, str, Decimal] | None:
    """The account whose credit limit covers this order: its own, else the nearest ancestor's."""
    account = prepared.account
    if account.credit_limit is not None:
        return account.pk, account.path, account.credit_limit
    for ancestor in reversed(prepared.ancestors):
        if ancestor.credit_limit is not None:
            return ancestor.account_id, ancestor.path, ancestor.credit_limit
    return None


def _month(now: dt.datetime, website: Website) -> tuple[dt.datetime, dt.datetime]:
    zone = ZoneInfo(website.timezone or "UTC")
    today = now.astimezone(zone).date()
    start, end = engine.month_start(today), engine.next_month_start(today)
    return (
        dt.datetime.combine(start, dt.time(), tzinfo=zone),
        dt.datetime.combine(end, dt.time(), tzinfo=zone),
    )


def _place(
    *,
    actor: Actor,
    checkout: Checkout,
    now: dt.datetime,
    policy: ApprovalPolicy,
    taxes: providers.TaxProvider,
    authorized: Decimal | None,
    authorization: providers.Authorization | None,
    idempotency_key: str,
    claim: idempotency.Claim | None,
) -> tuple[Order, tuple[OrderLine, ...], OrderStatusChange]:
    requests, reference, cart = order_requests(actor, checkout, lock=True)
    prepared = prepare(
        actor=actor,
        checkout=checkout,
        requests=requests,
        account_reference=reference,
        now=now,
        tax_provider=taxes,
    )
    raise_problems(prepared)
    account, website, settings = prepared.account, prepared.website, prepared.settings
    currency = prepared.currency
    if authorized is not None and prepared.pricing.totals.total > authorized:
        raise OrderTotalChanged(authorized=authorized, total=prepared.pricing.totals.total, currency=currency)
    is_terms = checkout.payment.method == Order.PaymentMethod.TERMS
    credit = _credit_account(prepared) if is_terms else None
    budget = settings.monthly_budget if settings is not None else None
    # Credit and budget checks read what concurrent orders write: take those accounts' locks first.
    locked = {credit[0]} if credit else set()
    if budget is not None:
        locked.add(account.pk)
    queries.lock_account_rows(account_ids=locked)
    figures = queries.placement_figures(
        organization_id=account.organization_id,
        credit_path=credit[1] if credit else None,
        currency=currency,
        buyer_user_id=actor.user_id if actor.is_buyer else None,
    )
    exposure = figures.exposure
    spent = ZERO
    if budget is not None:
        start, end = _month(now, website)
        spent = queries.spent_between(account=account, currency=currency, start=start, end=end)
    total = prepared.pricing.totals.total
    refuses_credit = (
        settings is not None and settings.credit_policy == AccountOrderingSettings.CreditPolicy.REFUSE
    )
    if (
        credit
        and refuses_credit
        and engine.exceeds_credit(limit=credit[2], open_total=exposure, order_total=total)
    ):
        raise CreditLimitExceeded(limit=credit[2], exposure=exposure + total, currency=currency)
    reasons = policy.review(
        ApprovalContext(
            organization_id=account.organization_id,
            account_id=account.pk,
            account_path=account.path,
            placed_by_user_id=actor.user_id,
            placed_by_buyer=actor.is_buyer,
            channel=checkout.channel,
            currency=currency,
            order_total=total,
            buyer_order_limit=figures.buyer_limit,
            monthly_budget=budget,
            spent_this_month=spent,
        )
    )
    order = _new_order(actor, checkout, prepared, now, reasons, authorization, idempotency_key, cart)
    start_order(order, reserved_id=figures.order_id)
    lines = _order_lines(order, prepared.pricing.lines)
    pricing = prepared.pricing
    if not reasons:
        repriced = allocate_lines(
            order=order,
            account=account,
            lines=lines,
            base_uoms={line.facts.product_id: line.facts.base_uom for line in pricing.lines if line.facts},
            reprice=_repricer(prepared, checkout, now, taxes),
        )
        if repriced is not None:
            pricing = repriced
            set_totals(order, pricing)
    if credit and engine.exceeds_credit(limit=credit[2], open_total=exposure, order_total=order.total):
        if settings is not None and settings.credit_policy == AccountOrderingSettings.CreditPolicy.REFUSE:
            raise CreditLimitExceeded(limit=credit[2], exposure=exposure + order.total, currency=currency)
        reason = f"open orders {exposure} + this order {order.total} exceed the credit limit {credit[2]} {currency}"
        order.hold, order.hold_reason = Order.Hold.CREDIT_HOLD, reason
        order.needs_manual_intervention, order.manual_intervention_reason = True, f"credit hold: {reason}"
    change = new_change(
        order=order, from_status="", to_status=order.status, actor=actor, reason=_placement_reason(order)
    )
    write_order(
        order=order,
        lines=lines,
        change=change,
        event_type="order.pending_approval" if reasons else "order.placed",
        event_payload={
            "channel": order.channel,
            "currency": currency,
            "total": str(order.total),
            "lines": len(lines),
            "placed_by_user_id": actor.user_id,
            "on_behalf": order.placed_on_behalf,
            "approval_reasons": list(reasons),
        },
        claim=claim,
    )
    applied = [outcome.code for outcome in pricing.resolution.coupons if outcome.status == "applied"]
    if applied:
        redeem_coupons(account=account, codes=applied, order_reference=order.number, now=now)
    if not reasons:
        accrue_order_rebates(order, lines, now)
    if cart is not None and cart.kind == Cart.Kind.CART:  # a shopping list stays for next time
        Cart.objects.filter(pk=cart.pk).update(
            status=Cart.Status.ORDERED, ordered_at=now, version=F("version") + 1
        )
    transaction.on_commit(partial(tasks.send_order_email.delay, order.pk, "placed"), robust=True)
    return order, tuple(lines), change


def _placement_reason(order: Order) -> str:
    if order.status == Order.Status.PENDING_APPROVAL:
        return "waiting for approval: " + ", ".join(order.approval_reasons)
    return f"placed via {order.channel}" + (" on behalf of the account" if order.placed_on_behalf else "")


def _new_order(
    actor: Actor,
    checkout: Checkout,
    prepared: Prepared,
    now: dt.datetime,
    reasons: Sequence[str],
    authorization: providers.Authorization | None,
    idempotency_key: str,
    cart: Cart | None,
) -> Order:
    account, pricing = prepared.account, prepared.pricing
    terms = account.payment_terms if checkout.payment.method == Order.PaymentMethod.TERMS else None
    order = Order(
        organization=account.organization,
        website=prepared.website,
        account=account,
        channel=checkout.channel,
        status=Order.Status.PENDING_APPROVAL if reasons else Order.Status.PLACED,
        placed_by_id=actor.user_id,
        placed_on_behalf=actor.is_staff,
        currency=prepared.currency,
        ship_to_address=prepared.address,
        ship_to=prepared.ship_to,
        po_number=checkout.po_number,
        requested_date=checkout.requested_date,
        payment_method=checkout.payment.method,
        payment_terms_code=terms.code if terms is not None else "",
        payment_net_days=terms.net_days if terms is not None else None,
        payment_authorization=authorization.authorization_id if authorization is not None else "",
        shipping_method_code=prepared.shipping.code if prepared.shipping else "",
        shipping_method_name=prepared.shipping.name if prepared.shipping else "",
        notes=checkout.notes,
        approval_reasons=list(reasons),
        source_cart=cart,
        source_reference=checkout.source_reference,
        idempotency_key=idempotency_key,
        priced_at=now,
        created_at=now,
        updated_at=now,
    )
    set_totals(order, pricing)
    return order


def _order_lines(order: Order, priced_lines: Sequence[PricedOrderLine]) -> list[OrderLine]:
    lines = []
    for line in priced_lines:
        facts, priced = line.facts, line.priced
        assert facts is not None and line.factor is not None and priced.unit_price is not None
        assert priced.line_total is not None
        lines.append(
            OrderLine(
                order=order,
                line_number=line.index + 1,
                product_id=facts.product_id,
                sku=facts.sku,
                name=facts.name,
                part_number=priced.source.part_number if priced.source else "",
                uom=priced.uom,
                uom_factor=line.factor,
                requested_quantity=line.request.quantity,
                quantity=line.request.quantity,
                currency=order.currency,
                unit_price=priced.unit_price,
                list_price=priced.list_price,
                discount_amount=sum((discount.amount for discount in priced.discounts), ZERO),
                line_total=priced.line_total,
                price_source=trace_json(priced.source),
                base_quantity=line.base_quantity,
            )
        )
    return lines


def _repricer(
    prepared: Prepared, checkout: Checkout, now: dt.datetime, taxes: providers.TaxProvider
) -> RepriceFn:
    def reprice(requests: Sequence[OrderLineRequest]) -> Pricing:
        return price_lines(
            view=prepared.view,
            account=prepared.account,
            website=prepared.website,
            requests=requests,
            coupon_codes=checkout.coupon_codes,
            now=now,
            shipping=prepared.shipping,
            ship_to=prepared.ship_to,
            is_tax_exempt=prepared.is_tax_exempt,
            tax_provider=taxes,
        )

    return reprice
