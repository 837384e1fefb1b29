"""Request and response schemas of customer prices, price rules, rebate programs and statements,
pricing settings, and the edits of entries, contracts and promotions (api/sources.py). Money goes
out as decimal strings beside a currency code."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from ninja import Field, Schema

from meridian.api.pagination import PageParams
from meridian.api.schemas import NOT_SENT, Id, QuantityIn, Reference
from meridian.pricing.models import AccountPricingSettings, PriceRule, Promotion, RebateProgram, Strategy
from meridian.pricing.schemas import Priority, PromotionIn, TrimmedDecimal

# --- entries -----------------------------------------------------------------------------------


class EntryPatch(Schema):
    """A stored entry's price and end date; its key (sku, uom, min_quantity, valid_from) stays."""

    price: Decimal = Field(NOT_SENT, description="Up to 4 decimals.", examples=["12.40"])
    valid_to: date | None = Field(None, description="Last day (inclusive); null: open.")


# --- customer prices ---------------------------------------------------------------------------


class CustomerPriceFilters(PageParams):
    account: Reference | None = Field(None, description="Only this account's prices (id or `ext:`).")
    sku: str = Field("", max_length=64)


class CustomerPriceIn(Schema):
    """An account's own price; upserted by (account, sku, uom, min_quantity, currency, valid_from)."""

    account: Id | Reference = Field(description="Id or `ext:<external_id>`.")
    sku: str = Field(max_length=64)
    price: Decimal = Field(description="The price of one `uom`, up to 4 decimals.", examples=["11.75"])
    currency: str = Field(max_length=3, examples=["USD"])
    uom: str = Field("", max_length=16, description="Unit code; empty: the product's base unit.")
    min_quantity: QuantityIn = Field(Decimal(1), description="From this quantity on: volume tiers.")
    valid_from: date | None = None
    valid_to: date | None = None
    applies_to_children: bool = Field(False, description="Also for the account's subtree.")
    part_number: str | None = Field(
        None, max_length=64, description="The account's own code for the product (kept when omitted)."
    )


class CustomerPriceOut(Schema):
    id: int
    account: int
    sku: str
    part_number: str | None = Field(description="The account's own code for the product, if any.")
    uom: str
    min_quantity: TrimmedDecimal
    price: str
    currency: str
    applies_to_children: bool
    valid_from: date | None
    valid_to: date | None
    updated_at: datetime


class CustomerPriceList(Schema):
    count: int
    items: list[CustomerPriceOut]


# --- price rules -------------------------------------------------------------------------------


class PriceRuleIn(Schema):
    """`base x multiplier x (1 + percent / 100)`, rounded; for every product, a category subtree or
    one product of the list (docs/pricing.md)."""

    name: str = Field("", max_length=200)
    base: PriceRule.Base
    base_price_list: Id | Reference | None = Field(None, description="For `price_list`: code, id or `ext:`.")
    multiplier: Annotated[Decimal, Field(max_digits=10, decimal_places=4)] = Decimal(1)
    percent: Annotated[Decimal, Field(max_digits=7, decimal_places=3)] = Field(
        Decimal(0), description="Added after the multiplier: -8 is 8% off."
    )
    rounding: PriceRule.Rounding = PriceRule.Rounding.NONE
    category: Id | Reference | None = Field(None, description="Id or slug; the category's subtree.")
    product: str | None = Field(None, max_length=64, description="SKU.")
    priority: Priority = 100
    valid_from: date | None = None
    valid_to: date | None = None


class PriceRulePatch(Schema):
    """Only the fields sent change."""

    name: str = Field(NOT_SENT, max_length=200)
    base: PriceRule.Base = Field(NOT_SENT)
    base_price_list: Id | Reference | None = None
    multiplier: Annotated[Decimal, Field(max_digits=10, decimal_places=4)] = Field(NOT_SENT)
    percent: Annotated[Decimal, Field(max_digits=7, decimal_places=3)] = Field(NOT_SENT)
    rounding: PriceRule.Rounding = Field(NOT_SENT)
    category: Id | Reference | None = None
    product: str | None = Field(None, max_length=64)
    priority: Priority = Field(NOT_SENT)
    valid_from: date | None = None
    valid_to: date | None = None
    is_active: bool = Field(NOT_SENT)


class PriceRuleOut(Schema):
    id: int
    price_list: str = Field(description="The list's code.")
    name: str
    base: str
    base_price_list: str | None = Field(description="The base list's code.")
    multiplier: TrimmedDecimal
    percent: TrimmedDecimal
    rounding: str
    category: int | None
    product: str | None = Field(description="SKU.")
    priority: int
    valid_from: date | None
    valid_to: date | None
    is_active: bool
    created_at: datetime


class PriceRuleList(Schema):
    count: int
    items: list[PriceRuleOut]


# --- contracts and promotions ------------------------------------------------------------------


class ContractPatch(Schema):
    """Only the fields sent change; the account stays. `is_active: false` ends the contract."""

    number: str = Field(NOT_SENT, max_length=40)
    price_list: Id | Reference = Field(NOT_SENT, description="Code, id or `ext:<external_id>`.")
    applies_to_children: bool = Field(NOT_SENT)
    prices_are_final: bool = Field(NOT_SENT)
    valid_from: date | None = None
    valid_to: date | None = None
    priority: Priority = Field(NOT_SENT)
    is_active: bool = Field(NOT_SENT)
    external_id: str = Field(NOT_SENT, max_length=100)
    terms: str = Field(NOT_SENT, max_length=20_000)


class PromotionPatch(PromotionIn):
    """Only the fields sent change (the same fields as a new promotion); `is_active: false` ends it."""

    name: str = Field(NOT_SENT, max_length=200)
    kind: Promotion.Kind = Field(NOT_SENT)
    value: QuantityIn = Field(NOT_SENT)


# --- rebates -----------------------------------------------------------------------------------


class RebateTierIn(Schema):
    threshold: Annotated[Decimal, Field(ge=0, max_digits=16, decimal_places=3)] = Field(
        description="Volume (base units) or spend from which the rate applies."
    )
    rate_percent: Annotated[Decimal, Field(ge=0, le=100, max_digits=6, decimal_places=3)]


class RebateProgramIn(Schema):
    code: str = Field(max_length=40)
    name: str = Field(max_length=200)
    basis: RebateProgram.Basis
    currency: str = Field(max_length=3, examples=["USD"])
    period_start: date
    period_end: date
    tiers: list[RebateTierIn] = Field(min_length=1, max_length=100)
    customer_group: Id | Reference | None = Field(None, description="Scope: a group (id or code) ...")
    account: Id | Reference | None = Field(None, description="... or an account and its subtree.")


class RebateProgramPatch(Schema):
    """Only the fields sent change; `tiers` replaces every tier. Basis and currency are fixed once the
    program has accruals."""

    code: str = Field(NOT_SENT, max_length=40)
    name: str = Field(NOT_SENT, max_length=200)
    basis: RebateProgram.Basis = Field(NOT_SENT)
    currency: str = Field(NOT_SENT, max_length=3)
    period_start: date = Field(NOT_SENT)
    period_end: date = Field(NOT_SENT)
    tiers: list[RebateTierIn] = Field(NOT_SENT, min_length=1, max_length=100)
    customer_group: Id | Reference | None = None
    account: Id | Reference | None = None
    is_active: bool = Field(NOT_SENT)


class RebateTierOut(Schema):
    threshold: TrimmedDecimal
    rate_percent: TrimmedDecimal


class RebateProgramOut(Schema):
    id: int
    code: str
    name: str
    basis: str
    currency: str
    period_start: date
    period_end: date
    customer_group: int | None
    account: int | None
    is_active: bool
    tiers: list[RebateTierOut]
    created_at: datetime


class RebateProgramList(Schema):
    count: int
    items: list[RebateProgramOut]


class StatementFilters(Schema):
    period_start: date | None = Field(None, description="Accruals from this day (inclusive).")
    period_end: date | None = Field(None, description="Accruals up to this day (inclusive).")


class RebateStatementLineOut(Schema):
    program: str = Field(description="The program's code.")
    program_id: int
    basis: str = Field(description="`volume` or `spend`.")
    currency: str
    period_start: date
    period_end: date
    basis_to_date: TrimmedDecimal
    spend_to_date: str = Field(description="Money, rounded to the currency's minor unit.")
    tier_threshold: TrimmedDecimal | None = Field(description="The tier reached; null: none yet.")
    rate_percent: TrimmedDecimal
    accrued_amount: str
    next_threshold: TrimmedDecimal | None
    next_rate_percent: TrimmedDecimal | None
    gap_to_next_tier: TrimmedDecimal | None
    accrual_count: int


class RebateStatementOut(Schema):
    account: int
    programs: list[RebateStatementLineOut]


# --- settings ----------------------------------------------------------------------------------


class WebsiteStrategyIn(Schema):
    website: Id
    strategy: Strategy


class WebsiteStrategyOut(Schema):
    website: int
    name: str
    strategy: str = Field(description="`priority` or `best_price` (docs/pricing.md).")


class PricingStrategiesOut(Schema):
    """Every website of the organization (a handful: not paged)."""

    websites: list[WebsiteStrategyOut]


class AccountPricingIn(Schema):
    assignment_inheritance: AccountPricingSettings.Inheritance


class AccountPricingOut(Schema):
    account: int
    assignment_inheritance: str = Field(
        description="`stop`: own assignments replace the parent's; `inherit`: own first, then the parent's."
    )
