"""The entry points: price a cart, list a product's quantity breaks."""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal

from meridian.core.money import round_money
from meridian.pricing.engine.promotions import LineState, apply_promotions
from meridian.pricing.engine.tiers import Resolver
from meridian.pricing.engine.types import (
    ONE,
    ZERO,
    Line,
    PricedLine,
    PricingRequest,
    PricingResult,
    TierBreak,
    Trace,
)
from meridian.pricing.errors import LINE_NO_PRICE


def price_cart(request: PricingRequest) -> PricingResult:
    """Price every line; a line nothing prices gets `error="no_price"` and stays out of the totals."""
    resolver = Resolver(request)
    currency = request.currency
    states: list[LineState] = []
    unpriced: dict[int, PricedLine] = {}
    positions: list[int] = []
    for position, line in enumerate(request.lines):
        found = resolver.best(line, line.quantity)
        if found is None:
            unpriced[position] = PricedLine(
                key=line.key,
                product_id=line.product_id,
                sku=line.sku,
                quantity=line.quantity,
                uom=line.uom,
                unit_price=None,
                list_price=resolver.list_price(line),
                line_total=None,
                error=LINE_NO_PRICE,
            )
            continue
        source, hit = found
        states.append(
            LineState(
                line=line,
                unit_price=hit.unit_price,
                gross=round_money(hit.unit_price * line.quantity, currency),
                final=source.prices_are_final,
                source=source,
                hit=hit,
                list_price=resolver.list_price(line),
            )
        )
        positions.append(position)

    plan = apply_promotions(request, states)
    priced: dict[int, PricedLine] = {}
    for index, state in enumerate(states):
        source, hit, line = state.source, state.hit, state.line
        applied = plan.line_discounts[index]
        priced[positions[index]] = PricedLine(
            key=line.key,
            product_id=line.product_id,
            sku=line.sku,
            quantity=line.quantity,
            uom=line.uom,
            unit_price=state.unit_price,
            list_price=state.list_price,
            line_total=plan.line_totals[index],
            discounts=applied,
            source=Trace(
                kind=source.kind,
                price_list_id=source.price_list.list_id,
                price_list_code=source.price_list.code,
                entry_id=hit.tier.entry_id,
                rule_id=hit.tier.rule_id,
                base_entry_id=hit.tier.base_entry_id,
                tier_min_quantity=hit.tier.min_quantity,
                tier_uom=hit.uom,
                converted_from_base_uom=hit.converted,
                contract_id=source.contract_id,
                contract_number=source.contract_number,
                prices_are_final=source.prices_are_final,
                part_number=line.part_number,
                promotions=applied,
            ),
        )
    lines = tuple(priced.get(position) or unpriced[position] for position in range(len(request.lines)))
    subtotal = sum(plan.line_totals, ZERO)
    total = subtotal - sum((a.amount for a in plan.order_adjustments), ZERO)
    return PricingResult(
        currency=currency,
        lines=lines,
        subtotal=subtotal,
        order_adjustments=plan.order_adjustments,
        total=total,
    )


def tier_breaks(request: PricingRequest, line: Line) -> list[TierBreak]:
    """The line's unit price (before promotions) from each quantity on where it changes."""
    return _breaks(Resolver(request), line)


def tier_breaks_for_lines(request: PricingRequest) -> dict[str, list[TierBreak]]:
    """`tier_breaks` for every line of the request, by line key, indexing the request once."""
    resolver = Resolver(request)
    return {line.key: _breaks(resolver, line) for line in request.lines}


def _breaks(resolver: Resolver, line: Line) -> list[TierBreak]:
    quantities: set[Decimal] = {ONE}
    for source in resolver.sources:
        for uom, (minimums, _) in resolver.table(source.price_list, line).items():
            if uom == line.uom:
                quantities.update(minimums)
            elif uom == line.base_uom:
                quantities.update(
                    (minimum / line.uom_factor).to_integral_value(rounding=ROUND_CEILING)
                    for minimum in minimums
                )
    breaks: list[TierBreak] = []
    for quantity in sorted(q for q in quantities if q > 0):
        found = resolver.best(line, quantity)
        if found is None:
            continue
        source, hit = found
        if breaks and breaks[-1].unit_price == hit.unit_price:
            continue
        breaks.append(TierBreak(quantity, hit.unit_price, source.kind, source.price_list.code))
    return breaks
