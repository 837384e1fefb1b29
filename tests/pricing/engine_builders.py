"""Small builders for engine inputs, so each engine test states only what it is about."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal

from meridian.pricing import engine

TODAY = date(2026, 6, 15)
NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
PRODUCT_ID = 1


def d(value: str | int) -> Decimal:
    return Decimal(str(value))


def line(
    quantity: str | int = 1,
    *,
    uom: str = "EA",
    factor: str | int = 1,
    product_id: int = PRODUCT_ID,
    category_path: str | None = "0001",
    cost: str | None = None,
    key: str = "",
    part_number: str = "",
) -> engine.Line:
    return engine.Line(
        key=key or f"{product_id}-{uom}-{quantity}",
        product_id=product_id,
        sku=f"SKU-{product_id}",
        quantity=d(quantity),
        uom=uom,
        base_uom="EA",
        uom_factor=d(factor),
        category_path=category_path,
        standard_cost=d(cost) if cost is not None else None,
        cost_currency="USD",
        part_number=part_number,
    )


_next_entry_id = iter(range(1, 10_000_000))


def entry(
    price: str,
    min_quantity: str | int = 1,
    *,
    uom: str = "EA",
    product_id: int = PRODUCT_ID,
    valid_from: date | None = None,
    valid_to: date | None = None,
    entry_id: int | None = None,
) -> engine.Entry:
    return engine.Entry(
        entry_id=entry_id if entry_id is not None else next(_next_entry_id),
        product_id=product_id,
        uom=uom,
        min_quantity=d(min_quantity),
        price=d(price),
        valid_from=valid_from,
        valid_to=valid_to,
    )


def price_list(
    list_id: int,
    *entries: engine.Entry,
    rules: Sequence[engine.Rule] = (),
    currency: str = "USD",
    valid_from: date | None = None,
    valid_to: date | None = None,
    is_active: bool = True,
) -> engine.PriceList:
    return engine.PriceList(
        list_id=list_id,
        code=f"L{list_id}",
        currency=currency,
        entries=tuple(entries),
        rules=tuple(rules),
        is_active=is_active,
        valid_from=valid_from,
        valid_to=valid_to,
    )


def source(
    kind: engine.SourceKind,
    pl: engine.PriceList,
    *,
    contract_id: int | None = None,
    final: bool = False,
    valid_from: date | None = None,
    valid_to: date | None = None,
) -> engine.Source:
    return engine.Source(
        kind=kind,
        price_list=pl,
        contract_id=contract_id,
        contract_number=f"K-{contract_id}" if contract_id else "",
        prices_are_final=final,
        valid_from=valid_from,
        valid_to=valid_to,
    )


def website(pl: engine.PriceList) -> engine.Source:
    return source(engine.SourceKind.WEBSITE, pl)


def promotion(
    promotion_id: int,
    kind: engine.PromotionKind,
    value: str | int,
    *,
    stacking: engine.Stacking = engine.Stacking.STACKABLE,
    priority: int = 100,
    currency: str = "",
    **conditions: object,
) -> engine.Promotion:
    needs_currency = (
        kind in engine.MONEY_KINDS or "min_line_amount" in conditions or "min_order_amount" in conditions
    )
    return engine.Promotion(
        promotion_id=promotion_id,
        name=f"P{promotion_id}",
        kind=kind,
        value=d(value),
        stacking=stacking,
        priority=priority,
        currency=currency or ("USD" if needs_currency else ""),
        **conditions,  # type: ignore[arg-type]  # tests pass only Promotion's condition fields
    )


def request(
    lines: Sequence[engine.Line],
    sources: Sequence[engine.Source],
    *,
    strategy: engine.Strategy = engine.Strategy.PRIORITY,
    promotions: Sequence[engine.Promotion] = (),
    base_lists: Sequence[engine.PriceList] = (),
    coupon_codes: frozenset[str] = frozenset(),
    currency: str = "USD",
    today: date = TODAY,
    now: datetime = NOW,
    buyer: engine.Buyer | None = None,
) -> engine.PricingRequest:
    return engine.PricingRequest(
        currency=currency,
        today=today,
        now=now,
        lines=tuple(lines),
        sources=tuple(sources),
        base_lists={pl.list_id: pl for pl in base_lists if pl.list_id is not None},
        strategy=strategy,
        promotions=tuple(promotions),
        coupon_codes=coupon_codes,
        buyer=buyer or engine.Buyer(account_id=7, account_path="00010002", customer_group_id=3, website_id=1),
    )


def price_one(ln: engine.Line, sources: Sequence[engine.Source], **kwargs: object) -> engine.PricedLine:
    return engine.price_cart(request([ln], sources, **kwargs)).lines[0]  # type: ignore[arg-type]  # forwarded keywords
