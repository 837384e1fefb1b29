"""Request and response schemas of price lists, entries, assignments, contracts, promotions and
price resolution. Money goes out as decimal strings beside a currency code."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, Schema
from ninja.schema import DjangoGetter
from pydantic import PlainSerializer, WithJsonSchema, model_validator

from meridian.api.pagination import PageParams
from meridian.api.schemas import NOT_SENT, DecimalString, Id, QuantityIn, Reference
from meridian.pricing import engine
from meridian.pricing.display import quantity_text, unit_amount
from meridian.pricing.models import Promotion
from meridian.pricing.queries import ProductPrice
from meridian.pricing.services import EntryRow, PriceListInput

# Quantities (and promotion values) without the trailing zeros of the stored scale ("100", "0.25").
TrimmedDecimal = Annotated[
    Decimal,
    PlainSerializer(quantity_text, return_type=str),
    WithJsonSchema({"type": "string", "format": "decimal", "examples": ["100"]}),
]
Priority = Annotated[int, Field(ge=0, le=2**31 - 1, description="Lower is tried first (10 before 100).")]
Code = Annotated[str, Field(min_length=1, max_length=40, examples=["WEB-USD"])]

# --- price lists -------------------------------------------------------------------------------


class PriceListFilters(PageParams):
    q: str = Field("", max_length=100, description="Part of the code or name.")


class PriceListIn(Schema):
    code: Code
    name: str = Field(max_length=200)
    currency: str = Field(max_length=3, examples=["USD"], description="ISO 4217 code.")
    valid_from: date | None = Field(None, description="First day (inclusive); empty: open.")
    valid_to: date | None = Field(None, description="Last day (inclusive); empty: open.")
    is_active: bool = True
    external_id: str = Field("", max_length=100)

    def to_input(self) -> PriceListInput:
        return PriceListInput(**self.model_dump())


class PriceListPatch(Schema):
    """Only the fields sent are changed; the currency only while the list has no entries."""

    code: Code = Field(NOT_SENT)
    name: str = Field(NOT_SENT, max_length=200)
    currency: str = Field(NOT_SENT, max_length=3)
    valid_from: date | None = None
    valid_to: date | None = None
    is_active: bool = Field(NOT_SENT)
    external_id: str = Field(NOT_SENT, max_length=100)

    def to_input(self) -> PriceListInput:
        sent = self.model_dump(exclude_unset=True)
        return PriceListInput(**sent, present=frozenset(sent))


class PriceListOut(Schema):
    id: int
    code: str
    name: str
    currency: str
    valid_from: date | None
    valid_to: date | None
    is_active: bool
    external_id: str
    entry_count: int
    created_at: datetime
    updated_at: datetime


class PriceListList(Schema):
    count: int
    items: list[PriceListOut]


# --- entries -------------------------------------------------------------------------------


class EntryFilters(PageParams):
    sku: str = Field("", max_length=64, description="Only this product's entries.")


class EntryIn(Schema):
    """One row of a bulk upsert; the key is (sku, uom, min_quantity, valid_from)."""

    sku: str = Field(max_length=64)
    price: Decimal = Field(description="The price of one `uom`, up to 4 decimals.", examples=["12.40"])
    min_quantity: Decimal = Field(Decimal(1), description="From this quantity (in `uom`) on: volume tiers.")
    uom: str = Field("", max_length=16, description="Unit code; empty: the product's base unit.")
    valid_from: date | None = Field(None, description="Part of the key: a scheduled price change.")
    valid_to: date | None = None

    def to_row(self) -> EntryRow:
        return EntryRow(
            sku=self.sku,
            price=self.price,
            min_quantity=self.min_quantity,
            uom=self.uom,
            valid_from=self.valid_from,
            valid_to=self.valid_to,
        )


_ENTRIES_SCHEMA = {
    "type": "array",
    "items": EntryIn.model_json_schema(),
    "description": "Each row is checked on its own: every problem is reported at its row.",
}


class EntriesIn(Schema):
    """`{"rows": [...]}`, or the rows alone as a JSON array."""

    rows: Annotated[list[dict[str, Any]], WithJsonSchema(_ENTRIES_SCHEMA)] = Field(max_length=100_000)

    @model_validator(mode="before")
    @classmethod
    def _bare_array(cls, data: Any) -> Any:
        # ninja's Schema hands validators its DjangoGetter wrapper: look at what was sent.
        sent = data._obj if isinstance(data, DjangoGetter) else data
        return {"rows": sent} if isinstance(sent, list) else data


class EntryOut(Schema):
    id: int
    sku: str
    uom: str
    min_quantity: TrimmedDecimal
    price: str = Field(description="Decimal string, at least the currency's minor digits.")
    valid_from: date | None
    valid_to: date | None
    updated_at: datetime


class EntryList(Schema):
    count: int
    currency: str
    items: list[EntryOut]


class UpsertReportOut(Schema):
    created: int
    updated: int
    unchanged: int


class RowErrorOut(Schema):
    row: int = Field(description="0-based index in `rows`.")
    field: str
    message: str


class RowsErrorDetail(Schema):
    code: str = Field(description="`invalid_price_rows`")
    message: str
    fields: dict[str, list[str]] = Field(description="`rows.<row>.<field>` -> messages.")
    rows: list[RowErrorOut] = Field(
        default_factory=list, description="Every problem by row (absent when the body itself is unreadable)."
    )


class RowsErrorOut(Schema):
    error: RowsErrorDetail


# --- assignments and contracts -------------------------------------------------------------


class AssignmentFilters(PageParams):
    price_list: Reference | None = Field(None, description="Code, id or `ext:<external_id>`.")
    account: Reference | None = Field(None, description="Only assignments to this account.")


class AssignmentIn(Schema):
    """A price list for exactly one of `website`, `customer_group` or `account`."""

    price_list: Id | Reference = Field(description="Code, id or `ext:<external_id>`.")
    website: Id | None = None
    customer_group: Id | Reference | None = Field(None, description="Id or code.")
    account: Id | Reference | None = Field(None, description="Id or `ext:<external_id>`.")
    priority: Priority = 100


class AssignmentOut(Schema):
    id: int
    price_list: str = Field(description="The list's code.")
    target: str = Field(description="`website`, `customer_group` or `account`.")
    website: int | None
    customer_group: int | None
    account: int | None
    priority: int
    created_at: datetime


class AssignmentList(Schema):
    count: int
    items: list[AssignmentOut]


class ContractFilters(PageParams):
    account: Reference | None = Field(None, description="Only this account's contracts.")


class ContractIn(Schema):
    number: str = Field(max_length=40)
    account: Id | Reference = Field(description="Id or `ext:<external_id>`.")
    price_list: Id | Reference = Field(description="Code, id or `ext:<external_id>`.")
    applies_to_children: bool = False
    prices_are_final: bool = Field(False, description="Lines priced by this contract get no promotions.")
    valid_from: date | None = None
    valid_to: date | None = None
    priority: Priority = 100
    external_id: str = Field("", max_length=100)
    terms: str = Field("", max_length=20_000)


class ContractOut(Schema):
    id: int
    number: str
    account: int
    price_list: str = Field(description="The list's code.")
    applies_to_children: bool
    prices_are_final: bool
    valid_from: date | None
    valid_to: date | None
    priority: int
    is_active: bool
    external_id: str
    terms: str
    created_at: datetime


class ContractList(Schema):
    count: int
    items: list[ContractOut]


# --- promotions and coupons ----------------------------------------------------------------


class PromotionIn(Schema):
    name: str = Field(max_length=200)
    kind: Promotion.Kind
    value: QuantityIn = Field(
        description="Percent (0-100) for percent kinds, an amount for amount kinds, a unit price for "
        "fixed_price; 0 for buy_x_get_y."
    )
    stacking: Promotion.Stacking = Promotion.Stacking.STACKABLE
    priority: Priority = 100
    currency: str = Field("", max_length=3, description="Required for amounts and money conditions.")
    buy_quantity: QuantityIn | None = None
    get_quantity: QuantityIn | None = None
    requires_coupon: bool = False
    # Conditions: every one that is set must hold.
    website: Id | None = None
    customer_group: Id | Reference | None = Field(None, description="Id or code.")
    account: Id | Reference | None = Field(None, description="The account and its subtree.")
    category: Id | Reference | None = Field(None, description="Id or slug; the category and its subtree.")
    product: str | None = Field(None, max_length=64, description="SKU.")
    min_quantity: QuantityIn | None = Field(None, description="Per line, in base units.")
    min_line_amount: QuantityIn | None = None
    min_order_amount: QuantityIn | None = None
    starts_at: datetime | None = Field(None, description="Inclusive.")
    ends_at: datetime | None = Field(None, description="Exclusive.")
    is_active: bool = True
    external_id: str = Field("", max_length=100)


class PromotionOut(Schema):
    id: int
    name: str
    kind: str
    value: TrimmedDecimal
    stacking: str
    priority: int
    currency: str
    buy_quantity: TrimmedDecimal | None
    get_quantity: TrimmedDecimal | None
    requires_coupon: bool
    website: int | None
    customer_group: int | None
    account: int | None
    category: int | None
    product: str | None = Field(description="SKU.")
    min_quantity: TrimmedDecimal | None
    min_line_amount: DecimalString | None
    min_order_amount: DecimalString | None
    starts_at: datetime | None
    ends_at: datetime | None
    is_active: bool
    external_id: str
    coupon_count: int
    created_at: datetime


class PromotionList(Schema):
    count: int
    items: list[PromotionOut]


class CouponIn(Schema):
    code: str = Field(max_length=40, description="Stored upper-case; matched case-insensitively.")
    usage_limit: int | None = Field(None, ge=1, le=2**31 - 1)
    per_account_limit: int | None = Field(None, ge=1, le=2**31 - 1)


class CouponOut(Schema):
    id: int
    code: str
    usage_limit: int | None
    per_account_limit: int | None
    times_used: int
    is_active: bool
    created_at: datetime


class CouponList(Schema):
    count: int
    items: list[CouponOut]


# --- the audit trail -----------------------------------------------------------------------


class PriceChangeFilters(PageParams):
    price_list: Reference | None = Field(None, description="Code, id or `ext:<external_id>`.")
    sku: str = Field("", max_length=64)


class PriceChangeOut(Schema):
    id: int
    kind: str = Field(description="`entry` (a price list's) or `customer_price`.")
    changed_at: datetime
    changed_by: str | None = Field(description="The user's email.")
    price_list: str | None = Field(description="The list's code (entries).")
    account: int | None = Field(description="The account (customer prices).")
    sku: str | None
    uom: str
    min_quantity: TrimmedDecimal
    currency: str
    old_price: DecimalString | None = Field(description="null: the price was created.")
    new_price: DecimalString | None


class PriceChangeList(Schema):
    count: int
    items: list[PriceChangeOut]


# --- resolution ----------------------------------------------------------------------------


class ResolveLineIn(Schema):
    sku: str = Field(max_length=64)
    quantity: QuantityIn
    uom: str | None = Field(None, max_length=16, description="Unit code; the product's base unit if omitted.")


class ResolveIn(Schema):
    account: Id | Reference = Field(description="Id or `ext:<external_id>`; must be in your scope.")
    website: Id | None = Field(None, description="The storefront; by default yours (or the default one).")
    currency: str | None = Field(None, max_length=3, description="By default the website's currency.")
    lines: list[ResolveLineIn] = Field(description="1 to 5,000 lines.")
    coupons: list[Annotated[str, Field(max_length=40)]] = Field(default_factory=list, max_length=20)


class AppliedPromotionOut(Schema):
    id: int
    name: str
    kind: str
    amount: str = Field(description="Money off, rounded to the currency's minor unit.")
    coupon: str | None
    free_quantity: TrimmedDecimal | None = Field(description="Buy X get Y: units given free.")


class TierOut(Schema):
    min_quantity: TrimmedDecimal
    uom: str


class SourceOut(Schema):
    """What made the price: the list, its entry or rule, the tier, contract and promotions."""

    kind: str = Field(description="`customer_price`, `contract`, `account`, `group` or `website`.")
    price_list: str | None = Field(description="The list's code (null for customer prices).")
    price_list_id: int | None
    entry_id: int | None = Field(description="The stored entry (or customer price) that priced the line.")
    rule_id: int | None = Field(description="Or the rule that derived the price.")
    base_entry_id: int | None
    tier: TierOut
    converted_from_base_uom: bool
    contract: str | None = Field(description="The contract's number.")
    contract_id: int | None
    prices_are_final: bool
    part_number: str | None = Field(description="The account's own part number for the product.")
    promotions: list[AppliedPromotionOut]


class PricedLineOut(Schema):
    sku: str
    quantity: TrimmedDecimal
    uom: str
    unit_price: str | None = Field(description="Before promotions, per `uom`; null when unpriced.")
    list_price: str | None = Field(description="The website list's price for one `uom`.")
    line_total: str | None = Field(description="round(unit_price * quantity) - discounts.")
    discounts: list[AppliedPromotionOut]
    source: SourceOut | None
    error: str | None = Field(description="`product_not_found`, `unknown_uom` or `no_price`; else null.")


class CouponOutcomeOut(Schema):
    code: str
    status: str = Field(
        description="`applied`, `not_applicable`, `unknown`, `inactive`, `exhausted` or "
        "`account_limit_reached`."
    )


class ResolveOut(Schema):
    account: int
    website: int
    currency: str
    strategy: str
    lines: list[PricedLineOut]
    subtotal: str
    order_adjustments: list[AppliedPromotionOut]
    total: str
    coupons: list[CouponOutcomeOut]
    is_complete: bool = Field(description="Every line is priced.")


# --- a product's price in the catalog ------------------------------------------------------


class TierBreakOut(Schema):
    min_quantity: TrimmedDecimal
    unit_price: str


class PriceSummaryOut(Schema):
    kind: str = Field(description="`customer_price`, `contract`, `account`, `group` or `website`.")
    price_list: str | None
    contract: str | None
    prices_are_final: bool
    promotions: list[str] = Field(description="Names of the automatic promotions applied.")


class ProductPriceOut(Schema):
    """The caller's price for one product, at the smallest quantity one can order."""

    currency: str
    quantity: TrimmedDecimal = Field(description="The product's minimum order quantity (at least 1).")
    uom: str
    unit_price: str | None = Field(description="Before promotions; null when nothing prices it.")
    list_price: str | None
    line_total: str | None = Field(description="For `quantity`, automatic promotions included.")
    tiers: list[TierBreakOut] = Field(description="Quantity breaks ('100+: 12.10'), before promotions.")
    source: PriceSummaryOut | None
    error: str | None = Field(description="`no_price` when nothing prices it at `quantity`.")


# --- converting engine results -------------------------------------------------------------


def money(value: Decimal | None, currency: str) -> str | None:
    return unit_amount(value, currency) if value is not None else None


def applied_out(applied: engine.AppliedPromotion, currency: str) -> AppliedPromotionOut:
    return AppliedPromotionOut(
        id=applied.promotion_id,
        name=applied.name,
        kind=applied.kind.value,
        amount=unit_amount(applied.amount, currency),
        coupon=applied.coupon_code or None,
        free_quantity=applied.free_quantity,
    )


def source_out(trace: engine.Trace, currency: str) -> SourceOut:
    return SourceOut(
        kind=trace.kind.value,
        price_list=trace.price_list_code or None,
        price_list_id=trace.price_list_id,
        entry_id=trace.entry_id,
        rule_id=trace.rule_id,
        base_entry_id=trace.base_entry_id,
        tier=TierOut(min_quantity=trace.tier_min_quantity, uom=trace.tier_uom),
        converted_from_base_uom=trace.converted_from_base_uom,
        contract=trace.contract_number or None,
        contract_id=trace.contract_id,
        prices_are_final=trace.prices_are_final,
        part_number=trace.part_number or None,
        promotions=[applied_out(applied, currency) for applied in trace.promotions],
    )


def priced_line_out(line: engine.PricedLine, currency: str) -> PricedLineOut:
    return PricedLineOut(
        sku=line.sku,
        quantity=line.quantity,
        uom=line.uom,
        unit_price=money(line.unit_price, currency),
        list_price=money(line.list_price, currency),
        line_total=money(line.line_total, currency),
        discounts=[applied_out(applied, currency) for applied in line.discounts],
        source=source_out(line.source, currency) if line.source is not None else None,
        error=line.error,
    )


def product_price_out(price: ProductPrice) -> ProductPriceOut:
    line, currency = price.line, price.currency
    source = line.source
    return ProductPriceOut(
        currency=currency,
        quantity=price.quantity,
        uom=line.uom,
        unit_price=money(line.unit_price, currency),
        list_price=money(line.list_price, currency),
        line_total=money(line.line_total, currency),
        tiers=[
            TierBreakOut(min_quantity=tier.min_quantity, unit_price=unit_amount(tier.unit_price, currency))
            for tier in price.tiers
        ],
        source=PriceSummaryOut(
            kind=source.kind.value,
            price_list=source.price_list_code or None,
            contract=source.contract_number or None,
            prices_are_final=source.prices_are_final,
            promotions=[applied.name for applied in line.discounts],
        )
        if source is not None
        else None,
        error=line.error,
    )
