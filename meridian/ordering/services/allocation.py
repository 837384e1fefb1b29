"""What happens to a priced order's lines in inventory, at placement or at approval: allocation
(with re-pricing of lines a `partial` policy cuts short), the order's totals, rebate accrual."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import replace
from decimal import Decimal
from zoneinfo import ZoneInfo

from meridian.customers.models import Account
from meridian.inventory import services as inventory
from meridian.ordering import engine
from meridian.ordering.errors import InvalidOrderLines, NothingAvailable
from meridian.ordering.models import Order, OrderLine
from meridian.ordering.services._common import jsonable, trace_json
from meridian.ordering.services.checkout import OrderLineRequest, Pricing
from meridian.pricing.services import accrue_rebates
from meridian.pricing.services.rebates import RebateLine

ZERO = Decimal(0)
QUANTITY_RULE = "quantity_rule_violation"
RepriceFn = Callable[[Sequence[OrderLineRequest]], Pricing]


def set_totals(order: Order, pricing: Pricing) -> None:
    totals = pricing.totals
    order.subtotal, order.discount_total = totals.subtotal, totals.discount
    order.shipping_amount, order.tax_amount, order.total = totals.shipping, totals.tax, totals.total
    order.order_adjustments = [_jsonable(adjustment) for adjustment in pricing.resolution.order_adjustments]
    order.coupons = [
        {"code": outcome.code, "status": outcome.status} for outcome in pricing.resolution.coupons
    ]
    order.tax_details = pricing.tax.as_json()


def _jsonable(value: object) -> dict[str, object]:
    converted = jsonable(value)
    assert isinstance(converted, dict)
    return converted


def allocate_lines(
    *,
    order: Order,
    account: Account,
    lines: list[OrderLine],
    base_uoms: dict[int, str],
    reprice: RepriceFn,
) -> Pricing | None:
    """Allocate the lines through inventory (the order's number is the reference), record what each
    line got and set the status. A `partial` policy may cancel part of a line: those lines are then
    ordered in their base unit at the remaining quantity and everything is priced again through
    pricing (promotions and totals follow). Returns the new pricing then, else None."""
    result = inventory.allocate_order(
        organization=account.organization,
        website=order.website,
        account=account,
        ship_to=inventory.ShipTo(address_id=order.ship_to_address_id),
        lines=[
            inventory.OrderLine(str(line.line_number), line.product_id, line.base_quantity) for line in lines
        ],
        reference=order.number,
        user_id=order.placed_by_id,
    )
    plans = {plan.key: plan for plan in result.lines}
    supply: list[engine.LineSupply] = []
    for line in lines:
        plan = plans[str(line.line_number)]
        line.allocated_quantity = plan.allocated
        line.dropship_quantity = plan.dropshipped
        line.backordered_quantity = plan.backordered
        line.cancelled_quantity = plan.cancelled
        supply.append(engine.LineSupply(plan.requested, plan.supplied, plan.backordered, plan.cancelled))
    order.status = engine.status_after_allocation(supply).value
    if not any(line.cancelled_quantity > 0 for line in lines):
        return None
    remaining = [line for line in lines if line.base_quantity - line.cancelled_quantity > 0]
    if not remaining:
        raise NothingAvailable()
    for line in lines:
        if line.cancelled_quantity > 0:  # what is left is in base units, whatever the unit ordered
            line.requested_quantity = line.base_quantity
            line.base_quantity -= line.cancelled_quantity
            line.quantity = line.base_quantity
            line.uom, line.uom_factor = base_uoms[line.product_id], Decimal(1)
    pricing = reprice([OrderLineRequest(line.sku, line.quantity, line.uom) for line in remaining])
    for line, priced in zip(remaining, pricing.lines, strict=True):
        # Inventory reduced the quantity, not the buyer: the minimum and increment no longer apply.
        problem = priced.problem if priced.problem and priced.problem.code != QUANTITY_RULE else None
        if problem is not None or priced.priced.unit_price is None or priced.priced.line_total is None:
            raise InvalidOrderLines([replace(problem, index=line.line_number - 1)] if problem else [])
        line.unit_price, line.list_price = priced.priced.unit_price, priced.priced.list_price
        line.line_total = priced.priced.line_total
        line.discount_amount = sum((discount.amount for discount in priced.priced.discounts), ZERO)
        line.price_source = trace_json(priced.priced.source)
    for line in lines:
        if line.quantity == 0:
            line.line_total, line.discount_amount = ZERO, ZERO
    return pricing


def accrue_order_rebates(order: Order, lines: Sequence[OrderLine], now: dt.datetime) -> None:
    """Rebates through pricing, dated the website's local day (program periods are local dates)."""
    zone = ZoneInfo(order.website.timezone if order.website is not None else "UTC")
    day = now.astimezone(zone).date()
    accrue_rebates(
        organization_id=order.organization_id,
        lines=[
            RebateLine(
                account_id=order.account_id,
                product_id=line.product_id,
                quantity=line.base_quantity,
                line_total=line.line_total,
                currency=order.currency,
                order_reference=order.number,
                line_reference=str(line.line_number),
                date=day,
            )
            for line in lines
            if line.quantity > 0
        ],
    )
