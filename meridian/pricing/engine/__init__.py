"""The pricing engine: prices a cart for one buyer from plain data. No ORM, no clock, no I/O.

`price_cart` takes a `PricingRequest` (lines, the ordered chain of sources with
their entries and rules, promotions, the strategy, the currency and the date) and
returns every line's unit price, list price, discounts, line total and a trace of
what produced them. docs/pricing.md states the rules in prose; this package is
their only implementation. It imports the standard library, `pricing.errors` and
`meridian.core.money.round_money` (pure Python: money is rounded there only, at the
line total and for each discount amount).

    types.py       inputs and outputs (frozen dataclasses, enums)
    tiers.py       a list's tiers for a product (entries, else rules) and the chain walk
    promotions.py  line and order promotion plans, stacking and exclusivity
    cart.py        price_cart, tier_breaks (one line), tier_breaks_for_lines (a page)
    rebates.py     rebate tiers
"""

from meridian.pricing.engine.cart import price_cart, tier_breaks, tier_breaks_for_lines
from meridian.pricing.engine.rebates import RebateTier, next_rebate_tier, rebate_for_line, rebate_tier_reached
from meridian.pricing.engine.tiers import derive_price, round_price
from meridian.pricing.engine.types import (
    HUNDRED,
    LINE_KINDS,
    MAX_RULE_DEPTH,
    MONEY_KINDS,
    ONE,
    ZERO,
    AppliedPromotion,
    Buyer,
    Entry,
    Line,
    PricedLine,
    PriceList,
    PricingRequest,
    PricingResult,
    Promotion,
    PromotionKind,
    Rounding,
    Rule,
    RuleBase,
    Source,
    SourceKind,
    Stacking,
    Strategy,
    TierBreak,
    Trace,
    in_window,
)

__all__ = [
    "HUNDRED",
    "LINE_KINDS",
    "MAX_RULE_DEPTH",
    "MONEY_KINDS",
    "ONE",
    "ZERO",
    "AppliedPromotion",
    "Buyer",
    "Entry",
    "Line",
    "PriceList",
    "PricedLine",
    "PricingRequest",
    "PricingResult",
    "Promotion",
    "PromotionKind",
    "RebateTier",
    "Rounding",
    "Rule",
    "RuleBase",
    "Source",
    "SourceKind",
    "Stacking",
    "Strategy",
    "TierBreak",
    "Trace",
    "derive_price",
    "in_window",
    "next_rebate_tier",
    "price_cart",
    "rebate_for_line",
    "rebate_tier_reached",
    "round_price",
    "tier_breaks",
    "tier_breaks_for_lines",
]
