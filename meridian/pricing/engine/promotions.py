"""Promotions: line plans (stackables together or one exclusive alone), then order plans."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from meridian.core.money import round_money
from meridian.pricing.engine.tiers import Hit
from meridian.pricing.engine.types import (
    HUNDRED,
    MONEY_KINDS,
    ZERO,
    AppliedPromotion,
    Line,
    PricingRequest,
    Promotion,
    PromotionKind,
    Source,
    Stacking,
)


@dataclass(slots=True)
class LineState:
    line: Line
    unit_price: Decimal
    gross: Decimal  # round(unit_price * quantity)
    final: bool
    source: Source
    hit: Hit
    list_price: Decimal | None


def _promotion_applies_to_cart(
    promotion: Promotion, request: PricingRequest, gross_subtotal: Decimal
) -> bool:
    buyer = request.buyer
    if promotion.coupon_code and promotion.coupon_code not in request.coupon_codes:
        return False
    if promotion.starts_at is not None and request.now < promotion.starts_at:
        return False
    if promotion.ends_at is not None and request.now >= promotion.ends_at:
        return False
    needs_currency = (
        promotion.kind in MONEY_KINDS
        or promotion.min_line_amount is not None
        or promotion.min_order_amount is not None
    )
    if (needs_currency or promotion.currency) and promotion.currency != request.currency:
        return False
    if promotion.website_id is not None and promotion.website_id != buyer.website_id:
        return False
    if promotion.customer_group_id is not None and promotion.customer_group_id != buyer.customer_group_id:
        return False
    if promotion.account_path is not None and not buyer.account_path.startswith(promotion.account_path):
        return False
    return promotion.min_order_amount is None or gross_subtotal >= promotion.min_order_amount


def _promotion_matches_line(promotion: Promotion, state: LineState) -> bool:
    line = state.line
    if promotion.product_id is not None and promotion.product_id != line.product_id:
        return False
    if promotion.category_path is not None and not (
        line.category_path is not None and line.category_path.startswith(promotion.category_path)
    ):
        return False
    if promotion.min_quantity is not None and line.base_quantity < promotion.min_quantity:
        return False
    return promotion.min_line_amount is None or state.gross >= promotion.min_line_amount


def _line_discount(
    promotion: Promotion, state: LineState, running: Decimal, currency: str
) -> AppliedPromotion | None:
    free: Decimal | None = None
    line = state.line
    if promotion.kind is PromotionKind.PERCENT_OFF_LINE:
        amount = round_money(running * min(promotion.value, HUNDRED) / HUNDRED, currency)
    elif promotion.kind is PromotionKind.AMOUNT_OFF_LINE:
        amount = round_money(promotion.value, currency)
    elif promotion.kind is PromotionKind.FIXED_PRICE:
        # The fixed price is per base unit; it only ever lowers a line.
        amount = running - round_money(promotion.value * line.uom_factor * line.quantity, currency)
    else:
        group = promotion.buy_quantity + promotion.get_quantity
        if promotion.buy_quantity <= 0 or promotion.get_quantity <= 0:
            return None
        free = (line.quantity / group).to_integral_value(rounding=ROUND_FLOOR) * promotion.get_quantity
        amount = round_money(state.unit_price * free, currency)
    amount = min(amount, running)
    if amount <= 0:
        return None
    return AppliedPromotion(
        promotion.promotion_id, promotion.name, promotion.kind, amount, promotion.coupon_code, free
    )


def _plan_key(
    total: Decimal, applied: Sequence[AppliedPromotion], order: Mapping[int, int]
) -> tuple[Decimal, int, int]:
    """Lowest total wins; ties go to the plan whose leading promotion has the lower (priority, id)."""
    first = min(applied, key=lambda a: (order[a.promotion_id], a.promotion_id))
    return total, order[first.promotion_id], first.promotion_id


def _run_sequence(
    promotions: Sequence[Promotion], state: LineState, currency: str
) -> tuple[Decimal, tuple[AppliedPromotion, ...]]:
    running = state.gross
    applied: list[AppliedPromotion] = []
    for promotion in promotions:
        discount = _line_discount(promotion, state, running, currency)
        if discount is not None:
            applied.append(discount)
            running -= discount.amount
    return running, tuple(applied)


def _best_line_plan(
    state: LineState, candidates: Sequence[Promotion], currency: str, order: Mapping[int, int]
) -> tuple[Decimal, tuple[AppliedPromotion, ...], bool]:
    """Stackables together in priority order, or one exclusive alone: the lower line total wins.

    Returns (line total, discounts, whether an exclusive promotion won)."""
    plans: list[tuple[Decimal, tuple[AppliedPromotion, ...], bool]] = []
    stackable = [p for p in candidates if p.stacking is Stacking.STACKABLE]
    if stackable:
        plans.append((*_run_sequence(stackable, state, currency), False))
    for promotion in candidates:
        if promotion.stacking is Stacking.EXCLUSIVE:
            plans.append((*_run_sequence([promotion], state, currency), True))
    plans = [plan for plan in plans if plan[1]]
    if not plans:
        return state.gross, (), False
    return min(plans, key=lambda plan: _plan_key(plan[0], plan[1], order))


def _order_discounts(
    promotions: Sequence[Promotion], base: Decimal, currency: str
) -> tuple[AppliedPromotion, ...]:
    running = base
    applied: list[AppliedPromotion] = []
    for promotion in promotions:
        if promotion.kind is PromotionKind.PERCENT_OFF_ORDER:
            amount = round_money(running * min(promotion.value, HUNDRED) / HUNDRED, currency)
        else:
            amount = round_money(promotion.value, currency)
        amount = min(amount, running)
        if amount > 0:
            applied.append(
                AppliedPromotion(
                    promotion.promotion_id, promotion.name, promotion.kind, amount, promotion.coupon_code
                )
            )
            running -= amount
    return tuple(applied)


@dataclass(frozen=True, slots=True)
class _Plan:
    line_totals: tuple[Decimal, ...]
    line_discounts: tuple[tuple[AppliedPromotion, ...], ...]
    order_adjustments: tuple[AppliedPromotion, ...]

    @property
    def total(self) -> Decimal:
        return sum(self.line_totals, ZERO) - sum((a.amount for a in self.order_adjustments), ZERO)

    @property
    def applied(self) -> list[AppliedPromotion]:
        return [a for discounts in self.line_discounts for a in discounts] + list(self.order_adjustments)


def apply_promotions(request: PricingRequest, states: Sequence[LineState]) -> _Plan:
    currency = request.currency
    gross = tuple(state.gross for state in states)
    no_discounts: tuple[tuple[AppliedPromotion, ...], ...] = tuple(() for _ in states)
    gross_subtotal = sum(gross, ZERO)
    live = sorted(
        (p for p in request.promotions if _promotion_applies_to_cart(p, request, gross_subtotal)),
        key=lambda p: (p.priority, p.promotion_id),
    )
    if not live:
        return _Plan(gross, no_discounts, ())
    order = {p.promotion_id: p.priority for p in live}
    line_promotions = [p for p in live if p.is_line_level]
    totals: list[Decimal] = []
    discounts: list[tuple[AppliedPromotion, ...]] = []
    closed_sum = ZERO  # lines no order-level stackable may touch: contract-final or exclusively discounted
    for state in states:
        if state.final or not line_promotions:
            totals.append(state.gross)
            discounts.append(())
            closed_sum += state.gross if state.final else ZERO
            continue
        total, applied, exclusive = _best_line_plan(
            state, [p for p in line_promotions if _promotion_matches_line(p, state)], currency, order
        )
        totals.append(total)
        discounts.append(applied)
        closed_sum += total if exclusive else ZERO

    # Order-level promotions: line conditions (category, product, minimum quantity or line amount)
    # mean "the cart contains a matching open line".
    open_states = [state for state in states if not state.final]
    order_promotions = [
        p
        for p in live
        if not p.is_line_level
        and (
            (p.category_path, p.product_id, p.min_quantity, p.min_line_amount) == (None, None, None, None)
            or any(_promotion_matches_line(p, state) for state in open_states)
        )
    ]
    final_sum = sum((state.gross for state in states if state.final), ZERO)
    stackable = [p for p in order_promotions if p.stacking is Stacking.STACKABLE]
    open_base = sum(totals, ZERO) - closed_sum
    plans = [_Plan(tuple(totals), tuple(discounts), _order_discounts(stackable, open_base, currency))]
    gross_open_base = gross_subtotal - final_sum
    for promotion in order_promotions:
        if promotion.stacking is Stacking.EXCLUSIVE:
            adjustments = _order_discounts([promotion], gross_open_base, currency)
            if adjustments:
                plans.append(_Plan(gross, no_discounts, adjustments))
    plans = [plan for plan in plans if plan.applied] or plans[:1]
    if len(plans) == 1:
        return plans[0]
    return min(plans, key=lambda plan: _plan_key(plan.total, plan.applied, order))
