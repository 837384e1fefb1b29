"""Checkout: what an order request is, and pricing, validating and totalling it — shared by
`preview_order` (the cart and checkout pages) and `place_order` (which runs it in its transaction).

Lines are priced through pricing as the ordering account's own buyers see the catalog, so a rep
ordering on an account's behalf gets exactly the buyer's visibility and prices.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from meridian.core.actor import Actor
from meridian.core.errors import InvalidInput
from meridian.customers.models import Account, Address
from meridian.inventory.engine import ProductAvailability
from meridian.inventory.queries import availability as stock_availability
from meridian.ordering import engine, providers, queries
from meridian.ordering.errors import (
    AccountInactive,
    AddressNotFound,
    CartNotFound,
    CouponNotUsable,
    InvalidOrderLines,
    LineProblem,
    OneTimeAddressNotAllowed,
    PaymentTermsUnavailable,
    PoNumberRequired,
    UnknownShippingMethod,
)
from meridian.ordering.models import AccountOrderingSettings, Cart, CartLine, Order
from meridian.ordering.services._common import ordering_settings, require_orderer
from meridian.pricing import engine as pricing_engine
from meridian.pricing.errors import LINE_NO_PRICE, LINE_PRODUCT_NOT_FOUND, LINE_UNKNOWN_UOM
from meridian.pricing.services import PriceLineRequest, PriceResolution, resolve_prices
from meridian.tenancy.models import Website

ZERO = Decimal(0)
QUANTITY_STEP = Decimal("0.001")
MAX_ORDER_LINES = 5_000
NOTES_LENGTH = 2_000
PO_LENGTH = 64
UNUSABLE_COUPONS = frozenset({"unknown", "inactive", "exhausted", "account_limit_reached"})


# --- what a placement asks --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OrderLineRequest:
    sku: str
    quantity: Decimal
    uom: str = ""  # the product's base unit when empty


@dataclass(frozen=True, slots=True)
class OneTimeAddress:
    line1: str
    city: str
    country: str
    company: str = ""
    attention: str = ""
    line2: str = ""
    region: str = ""
    postal_code: str = ""
    phone: str = ""


@dataclass(frozen=True, slots=True)
class Payment:
    method: str = Order.PaymentMethod.TERMS
    card_token: str = ""


@dataclass(frozen=True, slots=True)
class Checkout:
    """Everything a placement asks, as one value (the idempotency key fingerprints it)."""

    account: str | None
    lines: tuple[OrderLineRequest, ...]
    cart_id: int | None
    channel: str
    ship_to: int | OneTimeAddress | None
    po_number: str
    requested_date: dt.date | None
    payment: Payment
    shipping_method: str
    notes: str
    coupon_codes: tuple[str, ...]
    source_reference: str
    website_id: int | None


def check_request(checkout: Checkout) -> None:
    errors: dict[str, list[str]] = {}
    if checkout.channel not in Order.Channel.values:
        errors["channel"] = [f"one of {sorted(Order.Channel.values)}"]
    if (checkout.cart_id is None) == (not checkout.lines):
        errors["lines"] = ["give lines or a cart (one of them)"]
    if len(checkout.lines) > MAX_ORDER_LINES:
        errors["lines"] = [f"at most {MAX_ORDER_LINES} lines"]
    for index, line in enumerate(checkout.lines[:MAX_ORDER_LINES]):
        if not line.sku.strip():
            errors[f"lines.{index}.sku"] = ["must not be empty"]
        if problem := engine.quantity_input_problem(line.quantity):
            errors[f"lines.{index}.quantity"] = [problem]
    if len(checkout.po_number) > PO_LENGTH:
        errors["po_number"] = [f"at most {PO_LENGTH} characters"]
    if len(checkout.notes) > NOTES_LENGTH:
        errors["notes"] = [f"at most {NOTES_LENGTH} characters"]
    if checkout.payment.method not in Order.PaymentMethod.values:
        errors["payment.method"] = [f"one of {sorted(Order.PaymentMethod.values)}"]
    elif checkout.payment.method == Order.PaymentMethod.CARD and not checkout.payment.card_token.strip():
        errors["payment.card_token"] = ["required for card payments"]
    one_time = checkout.ship_to
    if isinstance(one_time, OneTimeAddress):
        for name in ("line1", "city"):
            if not str(getattr(one_time, name)).strip():
                errors[f"ship_to.{name}"] = ["required"]
        if len(one_time.country.strip()) != 2 or not one_time.country.strip().isalpha():
            errors["ship_to.country"] = ["an ISO 3166-1 alpha-2 code"]
    if errors:
        raise InvalidInput("invalid order", fields=errors)


# --- pricing and validation (shared by preview and placement) --------------------------------


@dataclass(frozen=True, slots=True)
class PricedOrderLine:
    """A requested line with pricing's answer and the product facts; `problem` when it cannot be ordered."""

    index: int
    request: OrderLineRequest
    priced: pricing_engine.PricedLine
    facts: queries.ProductFacts | None
    factor: Decimal | None
    problem: LineProblem | None = None

    @property
    def base_quantity(self) -> Decimal:
        # Validated to three decimals; quantize drops the trailing zeros a product of two 3-place values has.
        return (self.request.quantity * (self.factor or Decimal(1))).quantize(QUANTITY_STEP)


@dataclass(frozen=True, slots=True)
class Pricing:
    """The priced lines and the totals built from them."""

    resolution: PriceResolution
    lines: tuple[PricedOrderLine, ...]
    totals: engine.Totals
    tax: providers.TaxResult

    @property
    def problems(self) -> tuple[LineProblem, ...]:
        return tuple(line.problem for line in self.lines if line.problem is not None)


@dataclass(frozen=True, slots=True)
class Prepared:
    account: Account
    website: Website
    view: Actor
    ancestors: tuple[queries.Ancestor, ...]
    settings: AccountOrderingSettings | None
    address: Address | None
    ship_to: dict[str, object]
    shipping: engine.ShippingRates | None
    pricing: Pricing
    coupon_problems: dict[str, str] = field(default_factory=dict)

    @property
    def currency(self) -> str:
        return self.pricing.resolution.currency

    @property
    def is_tax_exempt(self) -> bool:
        return bool(self.settings and self.settings.is_tax_exempt)


def line_problem(
    index: int,
    sku: str,
    priced: pricing_engine.PricedLine,
    facts: queries.ProductFacts | None,
    factor: Decimal | None,
    quantity: Decimal,
) -> LineProblem | None:
    if priced.error == LINE_PRODUCT_NOT_FOUND or (facts is None and priced.error is None):
        return LineProblem(index, sku, LINE_PRODUCT_NOT_FOUND, "unknown SKU, or not in your catalog")
    if priced.error == LINE_UNKNOWN_UOM:
        return LineProblem(index, sku, LINE_UNKNOWN_UOM, f"not sold in {priced.uom}")
    assert facts is not None
    if not facts.is_orderable:
        return LineProblem(index, sku, "product_not_orderable", f"{facts.sku} is {facts.status}")
    if priced.error == LINE_NO_PRICE:
        return LineProblem(index, sku, LINE_NO_PRICE, "has no price for your account")
    if factor is None:
        return LineProblem(index, sku, LINE_UNKNOWN_UOM, f"not sold in {priced.uom}")
    problem = engine.quantity_problem(
        quantity=quantity,
        factor=factor,
        minimum=facts.min_order_quantity,
        increment=facts.order_increment,
        base_uom=facts.base_uom,
    )
    if problem is not None:
        return LineProblem(index, sku, "quantity_rule_violation", problem)
    return None


def price_lines(
    *,
    view: Actor,
    account: Account,
    website: Website,
    requests: Sequence[OrderLineRequest],
    coupon_codes: Sequence[str],
    now: dt.datetime,
    shipping: engine.ShippingRates | None,
    ship_to: dict[str, object],
    is_tax_exempt: bool,
    tax_provider: providers.TaxProvider,
) -> Pricing:
    """Price the lines through pricing as the account's buyers see them, check each (status, unit,
    minimum and increment), and total them with shipping and tax."""
    resolution = resolve_prices(
        actor=view,
        account=account,
        lines=[
            PriceLineRequest(sku=r.sku.strip(), quantity=r.quantity, uom=r.uom.strip() or None)
            for r in requests
        ],
        website_id=website.pk,
        coupon_codes=coupon_codes,
        now=now,
    )
    facts = queries.product_facts(
        organization_id=account.organization_id,
        product_ids={line.product_id for line in resolution.lines if line.product_id},
        with_units=any(request.uom.strip() for request in requests),  # else every line is in its base unit
    )
    lines: list[PricedOrderLine] = []
    for index, (request, priced) in enumerate(zip(requests, resolution.lines, strict=True)):
        product = facts.get(priced.product_id)
        factor = product.factor(priced.uom) if product is not None else None
        problem = line_problem(index, request.sku, priced, product, factor, request.quantity)
        lines.append(PricedOrderLine(index, request, priced, product, factor, problem))
    goods = resolution.total
    weight = sum(
        (line.facts.weight * line.base_quantity for line in lines if line.facts and line.factor), ZERO
    )
    shipping_amount = (
        engine.shipping_cost(shipping, weight=weight, goods=goods, currency=resolution.currency)
        if shipping is not None
        else ZERO
    )
    tax = tax_provider.calculate(
        providers.TaxRequest(
            organization_id=account.organization_id,
            currency=resolution.currency,
            country=str(ship_to.get("country", "")),
            region=str(ship_to.get("region", "")),
            postal_code=str(ship_to.get("postal_code", "")),
            goods=goods,
            shipping=shipping_amount,
            is_exempt=is_tax_exempt,
            setup_stamp=queries.setup_stamp(website),
        )
    )
    totals = engine.order_totals(
        line_totals=[line.priced.line_total for line in lines if line.priced.line_total is not None],
        discount=sum((adjustment.amount for adjustment in resolution.order_adjustments), ZERO),
        shipping=shipping_amount,
        tax=tax.amount,
        currency=resolution.currency,
    )
    return Pricing(resolution, tuple(lines), totals, tax)


def address_snapshot(address: Address | None, one_time: OneTimeAddress | None) -> dict[str, object]:
    source: Address | OneTimeAddress | None = address or one_time
    if source is None:
        return {}
    names = ("company", "attention", "line1", "line2", "city", "region", "postal_code", "country", "phone")
    snapshot: dict[str, object] = {name: str(getattr(source, name)).strip() for name in names}
    snapshot["country"] = str(snapshot["country"]).upper()
    snapshot["address_id"] = address.pk if address is not None else None
    snapshot["is_one_time"] = address is None
    return snapshot


def resolve_ship_to(
    account: Account,
    settings: AccountOrderingSettings | None,
    ship_to: int | OneTimeAddress | None,
    orderable: queries.Orderable | None = None,
) -> tuple[Address | None, dict[str, object]]:
    if isinstance(ship_to, OneTimeAddress):
        if not (settings and settings.allows_one_time_address):
            raise OneTimeAddressNotAllowed()
        return None, address_snapshot(None, ship_to)
    if ship_to is None:
        address = (
            orderable.default_address
            if orderable is not None and orderable.default_address_read
            else queries.default_shipping_address(account=account)
        )
        if address is None:
            raise InvalidInput.on("ship_to", "required: the account has no shipping address")
        return address, address_snapshot(address, None)
    found = queries.find_address(account=account, address_id=ship_to)
    if found is None or not found.is_shipping:
        raise AddressNotFound(ship_to)
    return found, address_snapshot(found, None)


def prepare(
    *,
    actor: Actor,
    checkout: Checkout,
    requests: Sequence[OrderLineRequest],
    account_reference: Account | str | int,
    now: dt.datetime,
    tax_provider: providers.TaxProvider,
    is_preview: bool = False,
) -> Prepared:
    """Load, check and price an order request. A preview (the cart page) comes before the buyer has
    entered a PO number or chosen how to pay, so it skips those two checks."""
    website_id = checkout.website_id or actor.website_id
    orderable = queries.get_orderable_account_and_website(
        actor=actor,
        reference=account_reference,
        website_id=website_id,
        with_default_address=checkout.ship_to is None,
    )
    account = orderable.account
    if not account.is_active:
        raise AccountInactive(account.pk)
    if orderable.website is None:
        raise queries.website_not_found(website_id)
    website = orderable.website
    ancestors = tuple(queries.account_ancestors(account=account))
    view = queries.account_view(account=account, ancestors=ancestors, website_id=website.pk)
    settings = ordering_settings(account)
    if (
        not is_preview
        and settings is not None
        and settings.requires_po_number
        and not checkout.po_number.strip()
    ):
        raise PoNumberRequired()
    if (
        not is_preview
        and checkout.payment.method == Order.PaymentMethod.TERMS
        and account.payment_terms is None
    ):
        raise PaymentTermsUnavailable()
    address, ship_to = resolve_ship_to(account, settings, checkout.ship_to, orderable)
    today = now.astimezone(ZoneInfo(website.timezone or "UTC")).date()
    if checkout.requested_date is not None and checkout.requested_date < today:
        raise InvalidInput.on("requested_date", "must not be in the past")
    currency = website.default_currency
    shipping = queries.shipping_rates(
        website=website, code=checkout.shipping_method, currency=currency, stamp=queries.setup_stamp(website)
    )
    if shipping is None and checkout.shipping_method:
        raise UnknownShippingMethod(checkout.shipping_method)
    pricing = price_lines(
        view=view,
        account=account,
        website=website,
        requests=requests,
        coupon_codes=checkout.coupon_codes,
        now=now,
        shipping=shipping,
        ship_to=ship_to,
        is_tax_exempt=bool(settings and settings.is_tax_exempt),
        tax_provider=tax_provider,
    )
    coupon_problems = {
        outcome.code: outcome.status
        for outcome in pricing.resolution.coupons
        if outcome.status in UNUSABLE_COUPONS
    }
    return Prepared(
        account=account,
        website=website,
        view=view,
        ancestors=ancestors,
        settings=settings,
        address=address,
        ship_to=ship_to,
        shipping=shipping,
        pricing=pricing,
        coupon_problems=coupon_problems,
    )


def raise_problems(prepared: Prepared) -> None:
    if prepared.pricing.problems:
        raise InvalidOrderLines(prepared.pricing.problems)
    if prepared.coupon_problems:
        raise CouponNotUsable(prepared.coupon_problems)


# --- preview ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OrderPreview:
    """What the order would be now: priced lines (with problems), totals, stock per product."""

    account: Account
    website: Website
    currency: str
    lines: tuple[PricedOrderLine, ...]
    totals: engine.Totals
    tax: providers.TaxResult
    shipping_method: engine.ShippingRates | None
    coupons: tuple[tuple[str, str], ...]  # (code, status)
    availability: dict[int, ProductAvailability]

    @property
    def problems(self) -> tuple[LineProblem, ...]:
        return tuple(line.problem for line in self.lines if line.problem is not None)

    @property
    def can_be_placed(self) -> bool:
        return not self.problems and all(status not in UNUSABLE_COUPONS for _, status in self.coupons)

    def lines_by_product_unit(self) -> dict[tuple[str, str], PricedOrderLine]:
        """The priced lines by (SKU, unit): a cart holds one line per product and unit, so this is
        how a channel puts each cart line beside its price."""
        return {(line.request.sku, line.request.uom): line for line in self.lines}


def preview_order(
    *,
    actor: Actor,
    account: Account | str | int | None = None,
    lines: Sequence[OrderLineRequest] = (),
    cart: Cart | int | None = None,
    ship_to: int | OneTimeAddress | None = None,
    payment: Payment | None = None,
    shipping_method: str = "",
    coupon_codes: Sequence[str] = (),
    website_id: int | None = None,
    now: dt.datetime | None = None,
    tax_provider: providers.TaxProvider | None = None,
) -> OrderPreview:
    """The cart or lines priced live (with each price's source), shipping, tax, totals and stock, as
    place_order would compute them; line problems are reported, not raised. Writes nothing. The PO
    number and the payment terms are not checked (the buyer gives them at checkout)."""
    require_orderer(actor)
    moment = now or timezone.now()
    checkout = checkout_of(
        account=account,
        lines=lines,
        cart=cart,
        channel=Order.Channel.PORTAL,
        ship_to=ship_to,
        payment=payment or Payment(),
        shipping_method=shipping_method,
        coupon_codes=coupon_codes,
        website_id=website_id,
    )
    check_request(checkout)
    requests, reference, _ = order_requests(actor, checkout, lock=False)
    prepared = prepare(
        actor=actor,
        checkout=checkout,
        requests=requests,
        account_reference=reference,
        now=moment,
        tax_provider=tax_provider or providers.tax_provider(),
        is_preview=True,
    )
    product_ids = sorted(
        {line.priced.product_id for line in prepared.pricing.lines if line.facts is not None}
    )
    stock = stock_availability(
        organization_id=prepared.account.organization_id,
        website_id=prepared.website.pk,
        product_ids=product_ids,
        now=moment,
        account=prepared.account,
    )
    return OrderPreview(
        account=prepared.account,
        website=prepared.website,
        currency=prepared.currency,
        lines=prepared.pricing.lines,
        totals=prepared.pricing.totals,
        tax=prepared.pricing.tax,
        shipping_method=prepared.shipping,
        coupons=tuple((outcome.code, outcome.status) for outcome in prepared.pricing.resolution.coupons),
        availability=dict(stock.products),
    )


def checkout_of(
    *,
    account: Account | str | int | None,
    lines: Sequence[OrderLineRequest],
    cart: Cart | int | None,
    channel: str,
    ship_to: int | OneTimeAddress | None,
    payment: Payment,
    shipping_method: str,
    coupon_codes: Sequence[str],
    website_id: int | None,
    po_number: str = "",
    requested_date: dt.date | None = None,
    notes: str = "",
    source_reference: str = "",
) -> Checkout:
    reference = None if account is None else str(account.pk if isinstance(account, Account) else account)
    return Checkout(
        account=reference,
        lines=tuple(lines),
        cart_id=cart.pk if isinstance(cart, Cart) else cart,
        channel=str(channel),
        ship_to=ship_to,
        po_number=po_number.strip(),
        requested_date=requested_date,
        payment=payment,
        shipping_method=shipping_method.strip(),
        notes=notes.strip(),
        coupon_codes=tuple(dict.fromkeys(code.strip().upper() for code in coupon_codes if code.strip())),
        source_reference=source_reference.strip(),
        website_id=website_id,
    )


def order_requests(
    actor: Actor, checkout: Checkout, *, lock: bool
) -> tuple[list[OrderLineRequest], str | int, Cart | None]:
    """The lines to order and for which account: given, or the cart's (locked when placing)."""
    if checkout.cart_id is None:
        if checkout.account is None:
            if actor.account_id is None:
                raise InvalidInput.on("account", "required when ordering for a customer")
            return list(checkout.lines), actor.account_id, None
        return list(checkout.lines), checkout.account, None
    carts = Cart.objects.visible_to(actor).filter(pk=checkout.cart_id).exclude(status=Cart.Status.ORDERED)
    cart = (carts.select_for_update(of=("self",)) if lock else carts).first()
    if cart is None or (cart.kind == Cart.Kind.CART and cart.owner_id != actor.user_id):
        raise CartNotFound(checkout.cart_id)
    if checkout.account is not None and checkout.account != str(cart.account_id):
        raise InvalidInput.on("account", "the cart belongs to another account")
    requests = [
        OrderLineRequest(sku=line.product.sku, quantity=line.quantity, uom=line.uom)
        for line in CartLine.objects.filter(cart_id=cart.pk)
        .select_related("product")
        .order_by("added_at", "pk")
    ]
    if not requests:
        raise InvalidInput.on("cart", "the cart is empty")
    return requests, cart.account_id, cart
