"""Prices for channels: a catalog page's prices and one product's tier table."""

from __future__ import annotations

from collections.abc import Sequence
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
    engine_line,
    load_products,
    load_promotions,
    load_scope,
)


def _priced_account(actor: Actor, account: Account | None) -> PricedAccount | None:
    """Whose prices: the given account (checked against the actor's scope: 1 query), else a buyer's own
    (from the actor: no query), else none (list prices)."""
    if account is not None:
        return PricedAccount.of(get_account(actor=actor, reference=account.pk))
    if actor.is_buyer and actor.account_id is not None and actor.account_path:
        return PricedAccount(actor.account_id, actor.account_path, actor.customer_group_id)
    return None


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
    infos = load_products(
        actor=actor,
        organization_id=actor.organization_id,
        product_ids=[p.pk for p in products],
        with_units=False,
    )
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
