"""Prices for channels: a catalog page's prices (with tier tables) and one product's tier table."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from meridian.catalog.models import Product
from meridian.core.actor import Actor
from meridian.customers.models import Account
from meridian.customers.queries import get_account
from meridian.pricing import engine
from meridian.pricing.queries.chain import load_sources
from meridian.pricing.queries.loading import (
    PricedAccount,
    build_request,
    load_promotions,
    load_scope,
)
from meridian.pricing.queries.products import ProductInfo, engine_line, load_products


def _priced_account(actor: Actor, account: Account | None) -> PricedAccount | None:
    """Whose prices: the given account (checked against the actor's scope: 1 query), else a buyer's own
    (from the actor: no query), else none (list prices)."""
    if account is not None:
        return PricedAccount.of(get_account(actor=actor, reference=account.pk))
    if actor.is_buyer and actor.account_id is not None and actor.account_path:
        return PricedAccount(actor.account_id, actor.account_path, actor.customer_group_id)
    return None


def _page_products(actor: Actor, organization_id: int, products: Sequence[Product]) -> dict[int, ProductInfo]:
    """What the engine needs of a page's products, in base units (no unit conversions).

    Read from the instances when their category came along (a catalog page selects it): no query.
    Otherwise loaded by id (1 query)."""
    if not all(product.category_id is None or Product.category.is_cached(product) for product in products):
        return load_products(
            actor=actor,
            organization_id=organization_id,
            product_ids=[product.pk for product in products],
            with_units=False,
        )
    return {
        product.pk: ProductInfo(
            product_id=product.pk,
            sku=product.sku,
            base_uom=product.base_uom.upper(),
            category_path=product.category.path if product.category is not None else None,
            standard_cost=product.standard_cost,
            cost_currency=product.cost_currency,
            units={},
        )
        for product in products
        if product.organization_id == organization_id
    }


def prices_for_products(
    *,
    actor: Actor,
    products: Sequence[Product],
    quantity: Decimal = Decimal(1),
    website_id: int | None = None,
    account: Account | None = None,
) -> dict[int, engine.PricedLine]:
    """Each product's price for the actor (a buyer: their account; staff: `account` or list prices),
    automatic promotions included, in a fixed number of queries whatever the number of products."""
    if actor.organization_id is None or not products:
        return {}
    scope = load_scope(
        organization_id=actor.organization_id,
        account=_priced_account(actor, account),
        website_id=website_id or actor.website_id,
        currency=None,
    )
    # The page's products are already visible to the actor; prices are per base unit (no units needed).
    infos = _page_products(actor, actor.organization_id, products)
    lines = [
        line
        for product in products
        if (info := infos.get(product.pk)) is not None
        and (line := engine_line(key=str(product.pk), product=info, quantity=quantity, uom=info.base_uom))
        is not None
    ]
    loaded = load_sources(scope=scope, product_ids=list(infos))
    promotions, _ = load_promotions(scope=scope, coupon_codes=())
    result = engine.price_cart(build_request(scope=scope, lines=lines, loaded=loaded, promotions=promotions))
    return {line.product_id: line for line in result.lines}


def tier_table(
    *,
    actor: Actor,
    product: Product,
    account: Account | None = None,
    uom: str = "",
    website_id: int | None = None,
) -> list[engine.TierBreak]:
    """The quantity breaks ("100+: 12.10") the actor's account gets for one product, before promotions."""
    if actor.organization_id is None:
        return []
    scope = load_scope(
        organization_id=actor.organization_id,
        account=_priced_account(actor, account),
        website_id=website_id or actor.website_id,
        currency=None,
    )
    info = load_products(actor=actor, organization_id=actor.organization_id, product_ids=[product.pk]).get(
        product.pk
    )
    if info is None:
        return []
    line = engine_line(key=info.sku, product=info, quantity=Decimal(1), uom=uom or info.base_uom)
    if line is None:
        return []
    loaded = load_sources(scope=scope, product_ids=[info.product_id])
    return engine.tier_breaks(build_request(scope=scope, lines=[line], loaded=loaded), line)


@dataclass(frozen=True, slots=True)
class ProductPrice:
    """What a catalog page shows for one product: its price at `quantity` and its quantity breaks.

    `line` is the engine's priced line (unit price before promotions, list price, line total after
    automatic promotions, discounts, trace; `error` when nothing prices it at `quantity`).
    """

    currency: str
    quantity: Decimal  # the smallest quantity one can order: the product's minimum, at least 1
    line: engine.PricedLine
    tiers: tuple[engine.TierBreak, ...]

    @property
    def is_priced(self) -> bool:
        return self.line.error is None

    @property
    def is_contract_price(self) -> bool:
        source = self.line.source
        return source is not None and source.kind is engine.SourceKind.CONTRACT


def catalog_prices(
    *,
    actor: Actor,
    products: Sequence[Product],
    website_id: int | None = None,
    account: Account | None = None,
) -> dict[int, ProductPrice]:
    """Each product's price and tier table for the actor (a buyer: their account; staff: `account`
    or list prices), by product id, in the same fixed number of queries as `prices_for_products`.

    A product is priced at its minimum order quantity (at least 1), automatic promotions included;
    its tiers are before promotions. Products are assumed visible to the actor (they come from a
    catalog query); an unpriced one has `line.error == "no_price"` and maybe tiers from a larger
    quantity on.
    """
    if actor.organization_id is None or not products:
        return {}
    scope = load_scope(
        organization_id=actor.organization_id,
        account=_priced_account(actor, account),
        website_id=website_id or actor.website_id,
        currency=None,
    )
    infos = _page_products(actor, actor.organization_id, products)
    quantities = {product.pk: max(product.min_order_quantity, Decimal(1)) for product in products}
    lines = [
        line
        for product in products
        if (info := infos.get(product.pk)) is not None
        and (
            line := engine_line(
                key=str(product.pk), product=info, quantity=quantities[product.pk], uom=info.base_uom
            )
        )
        is not None
    ]
    loaded = load_sources(scope=scope, product_ids=list(infos))
    promotions, _ = load_promotions(scope=scope, coupon_codes=())
    request = build_request(scope=scope, lines=lines, loaded=loaded, promotions=promotions)
    result = engine.price_cart(request)
    tiers = engine.tier_breaks_for_lines(request)
    return {
        line.product_id: ProductPrice(
            currency=result.currency,
            quantity=line.quantity,
            line=line,
            tiers=tuple(tiers.get(line.key, ())),
        )
        for line in result.lines
    }
