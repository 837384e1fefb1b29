"""The engine's inputs and outputs: frozen dataclasses and enums, no behaviour beyond a few properties."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)
# A rule may derive from a list whose own rules derive from a third list, no deeper.
MAX_RULE_DEPTH = 2


class SourceKind(enum.StrEnum):
    CUSTOMER_PRICE = "customer_price"
    CONTRACT = "contract"
    ACCOUNT = "account"
    GROUP = "group"
    WEBSITE = "website"


class Strategy(enum.StrEnum):
    PRIORITY = "priority"
    BEST_PRICE = "best_price"


class RuleBase(enum.StrEnum):
    COST = "cost"
    PRICE_LIST = "price_list"


class Rounding(enum.StrEnum):
    NONE = "none"
    CENTS = "cents"
    ENDS_99 = "ends_99"
    ENDS_95 = "ends_95"


class PromotionKind(enum.StrEnum):
    PERCENT_OFF_LINE = "percent_off_line"
    AMOUNT_OFF_LINE = "amount_off_line"
    FIXED_PRICE = "fixed_price"
    BUY_X_GET_Y = "buy_x_get_y"
    PERCENT_OFF_ORDER = "percent_off_order"
    AMOUNT_OFF_ORDER = "amount_off_order"


class Stacking(enum.StrEnum):
    STACKABLE = "stackable"
    EXCLUSIVE = "exclusive"


LINE_KINDS = frozenset(
    {
        PromotionKind.PERCENT_OFF_LINE,
        PromotionKind.AMOUNT_OFF_LINE,
        PromotionKind.FIXED_PRICE,
        PromotionKind.BUY_X_GET_Y,
    }
)
MONEY_KINDS = frozenset(
    {PromotionKind.AMOUNT_OFF_LINE, PromotionKind.AMOUNT_OFF_ORDER, PromotionKind.FIXED_PRICE}
)


def in_window(day: date, start: date | None, end: date | None) -> bool:
    """Date windows are inclusive at both ends; an open end is unbounded."""
    return (start is None or start <= day) and (end is None or day <= end)


# ---------------------------------------------------------------------------------------------
# Inputs


@dataclass(frozen=True, slots=True)
class Entry:
    """A stored price: one unit of `uom` costs `price` from `min_quantity` (in that unit) on."""

    entry_id: int
    product_id: int
    uom: str
    min_quantity: Decimal
    price: Decimal
    valid_from: date | None = None
    valid_to: date | None = None


@dataclass(frozen=True, slots=True)
class Rule:
    """Virtual entries: base * multiplier * (1 + percent/100), then rounded."""

    rule_id: int
    base: RuleBase
    multiplier: Decimal = ONE
    percent: Decimal = ZERO
    rounding: Rounding = Rounding.NONE
    base_list_id: int | None = None
    product_id: int | None = None  # target: one product, or a category subtree, or (neither) all
    category_path: str | None = None
    priority: int = 100
    valid_from: date | None = None
    valid_to: date | None = None

    @property
    def specificity(self) -> int:
        if self.product_id is not None:
            return 1_000_000
        if self.category_path is not None:
            return 1 + len(self.category_path)
        return 0

    def targets(self, line: Line) -> bool:
        if self.product_id is not None:
            return self.product_id == line.product_id
        if self.category_path is not None:
            return line.category_path is not None and line.category_path.startswith(self.category_path)
        return True


@dataclass(frozen=True, slots=True)
class PriceList:
    """A price list, or (list_id None) an account's customer-specific prices."""

    list_id: int | None
    code: str
    currency: str
    entries: tuple[Entry, ...] = ()
    rules: tuple[Rule, ...] = ()
    is_active: bool = True
    valid_from: date | None = None
    valid_to: date | None = None


@dataclass(frozen=True, slots=True)
class Source:
    """One link of the chain: a price list reached through a contract, an assignment or an account."""

    kind: SourceKind
    price_list: PriceList
    contract_id: int | None = None
    contract_number: str = ""
    prices_are_final: bool = False
    valid_from: date | None = None  # the contract's window
    valid_to: date | None = None


@dataclass(frozen=True, slots=True)
class Line:
    key: str
    product_id: int
    sku: str
    quantity: Decimal
    uom: str
    base_uom: str
    uom_factor: Decimal = ONE  # base units in one `uom`
    category_path: str | None = None
    standard_cost: Decimal | None = None  # per base unit, in `cost_currency`
    cost_currency: str = ""
    part_number: str = ""

    @property
    def base_quantity(self) -> Decimal:
        return self.quantity * self.uom_factor


@dataclass(frozen=True, slots=True)
class Promotion:
    """A discount and its conditions (every condition that is set must hold)."""

    promotion_id: int
    name: str
    kind: PromotionKind
    value: Decimal
    stacking: Stacking = Stacking.STACKABLE
    priority: int = 100
    currency: str = ""
    buy_quantity: Decimal = ZERO
    get_quantity: Decimal = ZERO
    coupon_code: str = ""  # set: applies only when this (upper-case) code was given
    website_id: int | None = None
    customer_group_id: int | None = None
    account_path: str | None = None
    category_path: str | None = None
    product_id: int | None = None
    min_quantity: Decimal | None = None  # in base units, per line
    min_line_amount: Decimal | None = None
    min_order_amount: Decimal | None = None
    starts_at: datetime | None = None  # inclusive
    ends_at: datetime | None = None  # exclusive

    @property
    def is_line_level(self) -> bool:
        return self.kind in LINE_KINDS


@dataclass(frozen=True, slots=True)
class Buyer:
    account_id: int | None = None
    account_path: str = ""
    customer_group_id: int | None = None
    website_id: int | None = None


@dataclass(frozen=True, slots=True)
class PricingRequest:
    currency: str
    today: date
    now: datetime
    lines: tuple[Line, ...]
    sources: tuple[Source, ...]  # in chain order: customer prices, contracts, account, group, website
    base_lists: Mapping[int, PriceList] = field(default_factory=dict)  # lists rules derive from, by id
    strategy: Strategy = Strategy.PRIORITY
    promotions: tuple[Promotion, ...] = ()
    coupon_codes: frozenset[str] = frozenset()
    buyer: Buyer = Buyer()


# ---------------------------------------------------------------------------------------------
# Outputs


@dataclass(frozen=True, slots=True)
class AppliedPromotion:
    promotion_id: int
    name: str
    kind: PromotionKind
    amount: Decimal  # money off, rounded to the currency's minor unit
    coupon_code: str = ""
    free_quantity: Decimal | None = None  # buy X get Y: units given free


@dataclass(frozen=True, slots=True)
class Trace:
    """What produced a line's price."""

    kind: SourceKind
    price_list_id: int | None
    price_list_code: str
    entry_id: int | None  # the stored entry (or customer price) that priced the line
    rule_id: int | None  # or the rule that derived the price
    base_entry_id: int | None  # the base list's entry the rule derived from (None for cost)
    tier_min_quantity: Decimal
    tier_uom: str
    converted_from_base_uom: bool
    contract_id: int | None = None
    contract_number: str = ""
    prices_are_final: bool = False
    part_number: str = ""
    promotions: tuple[AppliedPromotion, ...] = ()


@dataclass(frozen=True, slots=True)
class PricedLine:
    key: str
    product_id: int
    sku: str
    quantity: Decimal
    uom: str
    unit_price: Decimal | None  # before promotions, per `uom`
    list_price: Decimal | None  # the website list's price for one `uom`
    line_total: Decimal | None  # round(unit_price * quantity) - discounts
    discounts: tuple[AppliedPromotion, ...] = ()
    source: Trace | None = None
    error: str | None = None  # a stable code (errors.LINE_*) when the line could not be priced


@dataclass(frozen=True, slots=True)
class PricingResult:
    currency: str
    lines: tuple[PricedLine, ...]
    subtotal: Decimal  # sum of priced lines' totals
    order_adjustments: tuple[AppliedPromotion, ...]
    total: Decimal


@dataclass(frozen=True, slots=True)
class TierBreak:
    min_quantity: Decimal
    unit_price: Decimal
    kind: SourceKind
    price_list_code: str
