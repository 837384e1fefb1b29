"""Request and response schemas of orders and carts. Money goes out as decimal strings beside a
currency code; quantities as decimal strings without trailing zeros."""

from __future__ import annotations

import base64
import binascii
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from ninja.schema import DjangoGetter
from pydantic import ModelWrapValidatorHandler, ValidationInfo, model_validator

from meridian.api.pagination import PageParams
from meridian.api.schemas import Id, QuantityIn, Reference
from meridian.core.errors import InvalidInput
from meridian.ordering.engine import PriceChange
from meridian.ordering.models import Cart, CartLine, Order, OrderLine, OrderStatusChange
from meridian.ordering.queries import Allocation, OrderDetail
from meridian.ordering.services import (
    OneTimeAddress,
    OrderLineRequest,
    Payment,
    QuickOrderLine,
    QuickOrderReport,
)
from meridian.pricing.display import unit_amount
from meridian.pricing.schemas import TrimmedDecimal

MAX_ORDER_LINES = 5000
PositiveQuantity = Annotated[QuantityIn, Field(gt=0)]

# --- placing ------------------------------------------------------------------------------------


class _BodySchema(Schema):
    """A request body's schema: a JSON object is validated as the dict it is. ninja's Schema wraps
    every value it validates in a DjangoGetter (for model instances and their resolvers), which
    for a parsed JSON body only adds an attribute lookup per field, per nested object (an order's
    every line). Anything else is validated as ninja does. No field of these schemas has an alias
    or a resolver, so the outcome, errors included, is the same."""

    @model_validator(mode="wrap")
    @classmethod
    def _run_root_validator(
        cls, values: Any, handler: ModelWrapValidatorHandler[Any], info: ValidationInfo
    ) -> Any:
        if type(values) is dict:
            return handler(values)
        forbids_extra = cls.model_config.get("extra") == "forbid"
        if forbids_extra or cls.model_config.get("validate_assignment", False):
            handler(values)
        return handler(DjangoGetter(values, cls, info.context))


class OrderLineIn(_BodySchema):
    sku: str = Field(min_length=1, max_length=64)
    quantity: PositiveQuantity
    uom: str | None = Field(None, max_length=16, description="Unit code; the product's base unit if omitted.")


class OneTimeAddressIn(_BodySchema):
    """A ship-to address for this order only (when the account allows one)."""

    line1: str = Field(min_length=1, max_length=200)
    city: str = Field(min_length=1, max_length=100)
    country: str = Field(min_length=2, max_length=2, description="ISO 3166-1 alpha-2.")
    company: str = Field("", max_length=200)
    attention: str = Field("", max_length=200)
    line2: str = Field("", max_length=200)
    region: str = Field("", max_length=100)
    postal_code: str = Field("", max_length=20)
    phone: str = Field("", max_length=40)

    def to_address(self) -> OneTimeAddress:
        return OneTimeAddress(**self.model_dump())


class PaymentIn(_BodySchema):
    method: Literal["terms", "card"] = Field(description="`terms` (on account) or `card`.")
    card_token: str = Field("", max_length=200, description="For `card`: the gateway's token.")

    def to_payment(self) -> Payment:
        return Payment(method=self.method, card_token=self.card_token)


class OrderIn(_BodySchema):
    account: Id | Reference | None = Field(
        None, description="Id or `ext:<external_id>`; a buyer's own account by default, required for staff."
    )
    lines: list[OrderLineIn] | None = Field(
        None, min_length=1, max_length=MAX_ORDER_LINES, description="Give `lines` or `cart`."
    )
    cart: Id | None = Field(None, description="Order a cart or shopping list (by id) instead of `lines`.")
    ship_to: Id | OneTimeAddressIn | None = Field(
        None, description="An address id of the account, or a one-time address; the default one if omitted."
    )
    po_number: str = Field("", max_length=64)
    requested_date: date | None = None
    notes: str = Field("", max_length=2000)
    shipping_method: str = Field(
        "", max_length=32, description="A rate table code; the first one if omitted."
    )
    payment: PaymentIn | None = Field(None, description="On account (terms) by default.")

    @model_validator(mode="after")
    def _lines_or_cart(self) -> OrderIn:
        if (self.lines is None) == (self.cart is None):
            raise ValueError("give either `lines` or `cart`")
        return self

    def to_lines(self) -> list[OrderLineRequest]:
        return [
            OrderLineRequest(sku=line.sku, quantity=line.quantity, uom=line.uom or "")
            for line in self.lines or []
        ]

    def to_ship_to(self) -> int | OneTimeAddress | None:
        return self.ship_to.to_address() if isinstance(self.ship_to, OneTimeAddressIn) else self.ship_to


class CancelIn(Schema):
    reason: str = Field("", max_length=300)


# --- answering ------------------------------------------------------------------------------------


class OrderLineOut(Schema):
    line_number: int
    sku: str
    name: str
    quantity: TrimmedDecimal
    requested_quantity: TrimmedDecimal
    uom: str
    unit_price: str = Field(description="Pricing's unit price per `uom`, before promotions.")
    list_price: str | None
    discount: str
    line_total: str
    source: dict[str, object] = Field(description="Pricing's trace of what made the price, field for field.")
    allocated_quantity: TrimmedDecimal
    backordered_quantity: TrimmedDecimal
    dropship_quantity: TrimmedDecimal
    cancelled_quantity: TrimmedDecimal
    shipped_quantity: TrimmedDecimal

    @staticmethod
    def of(line: OrderLine) -> OrderLineOut:
        currency = line.currency
        return OrderLineOut.model_construct(  # the model's values have the fields' types: see OrderOut.of
            line_number=line.line_number,
            sku=line.sku,
            name=line.name,
            quantity=line.quantity,
            requested_quantity=line.requested_quantity,
            uom=line.uom,
            unit_price=unit_amount(line.unit_price, currency),
            list_price=unit_amount(line.list_price, currency) if line.list_price is not None else None,
            discount=unit_amount(line.discount_amount, currency),
            line_total=unit_amount(line.line_total, currency),
            source=line.price_source if isinstance(line.price_source, dict) else {},
            allocated_quantity=line.allocated_quantity,
            backordered_quantity=line.backordered_quantity,
            dropship_quantity=line.dropship_quantity,
            cancelled_quantity=line.cancelled_quantity,
            shipped_quantity=line.shipped_quantity,
        )


class TotalsOut(Schema):
    subtotal: str = Field(description="The goods, after line and order promotions.")
    discount: str = Field(description="Order-level promotions (already in `subtotal`).")
    shipping: str
    tax: str
    total: str
    currency: str

    @staticmethod
    def of(order: Order) -> TotalsOut:
        currency = order.currency
        return TotalsOut.model_construct(  # see OrderOut.of
            subtotal=unit_amount(order.subtotal, currency),
            discount=unit_amount(order.discount_total, currency),
            shipping=unit_amount(order.shipping_amount, currency),
            tax=unit_amount(order.tax_amount, currency),
            total=unit_amount(order.total, currency),
            currency=currency,
        )


class AllocationOut(Schema):
    warehouse: str = Field(description="The warehouse's code.")
    sku: str
    quantity: TrimmedDecimal = Field(description="Still held for the order, in the product's base unit.")


class StatusChangeOut(Schema):
    from_status: str
    to_status: str
    hold: str
    at: datetime
    reason: str

    @staticmethod
    def of(change: OrderStatusChange) -> StatusChangeOut:
        return StatusChangeOut.model_construct(  # see OrderOut.of
            from_status=change.from_status,
            to_status=change.to_status,
            hold=change.hold,
            at=change.at,
            reason=change.reason,
        )


class OrderOut(Schema):
    number: str
    status: str
    hold: str = Field(description="`credit_hold`, `manual_review` or `` (none).")
    account: int
    channel: str
    po_number: str
    requested_date: date | None
    payment_method: str
    shipping_method: str
    ship_to: dict[str, object]
    created_at: datetime
    lines: list[OrderLineOut]
    totals: TotalsOut
    allocations: list[AllocationOut]
    history: list[StatusChangeOut]

    @staticmethod
    def of(detail: OrderDetail) -> OrderOut:
        """The answer, built without validation (`model_construct`): every value comes from the
        order's model fields, whose Python types are the schema's, so validating them again (and
        ninja's getter around each nested schema) changed nothing but cost more than the rest of
        the answer. The JSON is the same byte for byte (tests/api/test_orders.py)."""
        order = detail.order
        skus = {line.product_id: line.sku for line in detail.lines}
        return OrderOut.model_construct(
            number=order.number,
            status=order.status,
            hold=order.hold,
            account=order.account_id,
            channel=order.channel,
            po_number=order.po_number,
            requested_date=order.requested_date,
            payment_method=order.payment_method,
            shipping_method=order.shipping_method_code,
            ship_to=order.ship_to if isinstance(order.ship_to, dict) else {},
            created_at=order.created_at,
            lines=[OrderLineOut.of(line) for line in detail.lines],
            totals=TotalsOut.of(order),
            allocations=[_allocation_out(allocation, skus) for allocation in detail.allocations],
            history=[StatusChangeOut.of(change) for change in detail.history],
        )


def _allocation_out(allocation: Allocation, skus: dict[int, str]) -> AllocationOut:
    return AllocationOut.model_construct(  # see OrderOut.of
        warehouse=allocation.warehouse_code,
        sku=skus.get(allocation.product_id, ""),
        quantity=allocation.quantity,
    )


class OrderFilters(PageParams):
    status: str = Field("", max_length=200, description="One status or several, comma separated.")
    q: str = Field("", max_length=100, description="The number, part of the PO number, or a line's SKU.")

    def statuses(self) -> list[str]:
        return [part.strip() for part in self.status.split(",") if part.strip()]


class OrderSummaryOut(Schema):
    number: str
    status: str
    hold: str
    account: int
    channel: str
    po_number: str
    total: str
    currency: str
    created_at: datetime

    @staticmethod
    def of(order: Order) -> OrderSummaryOut:
        return OrderSummaryOut(
            number=order.number,
            status=order.status,
            hold=order.hold,
            account=order.account_id,
            channel=order.channel,
            po_number=order.po_number,
            total=unit_amount(order.total, order.currency),
            currency=order.currency,
            created_at=order.created_at,
        )


class OrderList(Schema):
    count: int
    items: list[OrderSummaryOut]


# --- carts and shopping lists -------------------------------------------------------------------


class CartIn(Schema):
    """A new shopping list."""

    name: str = Field(min_length=1, max_length=100)
    account: Id | Reference | None = Field(
        None, description="Id or `ext:<external_id>`; a buyer's own account by default, required for staff."
    )
    is_shared: bool = Field(False, description="Lists: the account's buyers may use it.")
    is_shared_with_subtree: bool = Field(False, description="Lists: and the buyers of its child accounts.")


class CartLineIn(Schema):
    sku: str = Field(min_length=1, max_length=64, description="A SKU or the account's part number.")
    quantity: PositiveQuantity
    uom: str | None = Field(None, max_length=16)
    expected_version: int | None = Field(None, ge=1, description="409 `cart_changed` if it moved on.")


class CartLinePatch(Schema):
    quantity: Annotated[QuantityIn, Field(ge=0)] = Field(description="0 removes the line.")
    expected_version: int | None = Field(None, ge=1)


class CartPatch(Schema):
    """Rename or (un)share a shopping list (its owner only). A field left out (or null) is unchanged."""

    name: str | None = Field(None, min_length=1, max_length=100)
    is_shared: bool | None = Field(None, description="The account's buyers may use it.")
    is_shared_with_subtree: bool | None = Field(
        None, description="And the buyers of its child accounts (implies `is_shared`)."
    )
    expected_version: int | None = Field(None, ge=1, description="409 `cart_changed` if it moved on.")


class CartLineOut(Schema):
    id: int
    sku: str
    quantity: TrimmedDecimal
    uom: str
    added_at: datetime

    @staticmethod
    def of(line: CartLine) -> CartLineOut:
        return CartLineOut(
            id=line.pk, sku=line.product.sku, quantity=line.quantity, uom=line.uom, added_at=line.added_at
        )


class CartSummaryOut(Schema):
    id: int
    kind: str
    name: str
    account: int
    status: str
    is_shared: bool
    is_shared_with_subtree: bool
    version: int
    updated_at: datetime

    @staticmethod
    def fields_of(cart: Cart) -> dict[str, object]:
        return {
            "id": cart.pk,
            "kind": cart.kind,
            "name": cart.name,
            "account": cart.account_id,
            "status": cart.status,
            "is_shared": cart.is_shared,
            "is_shared_with_subtree": cart.is_shared_with_subtree,
            "version": cart.version,
            "updated_at": cart.updated_at,
        }

    @staticmethod
    def of(cart: Cart) -> CartSummaryOut:
        return CartSummaryOut.model_validate(CartSummaryOut.fields_of(cart))


class CartOut(CartSummaryOut):
    lines: list[CartLineOut]

    @staticmethod
    def with_lines(cart: Cart, lines: list[CartLine]) -> CartOut:
        return CartOut.model_validate(
            {**CartSummaryOut.fields_of(cart), "lines": [CartLineOut.of(line) for line in lines]}
        )


class CartFilters(PageParams):
    kind: Literal["cart", "list"] | None = None


class CurrentCartFilters(Schema):
    account: Reference | None = Field(
        None, description="Id or `ext:<external_id>`; a buyer's own account by default, required for staff."
    )


class CartLineList(Schema):
    count: int
    items: list[CartLineOut]


# --- reorder ------------------------------------------------------------------------------------------


class ReorderIn(Schema):
    cart: Id | None = Field(
        None, description="Add to this cart or list (by id); your current cart if omitted."
    )
    expected_version: int | None = Field(
        None, ge=1, description="Of `cart`: 409 `cart_changed` if it moved on."
    )


class ReorderLineOut(Schema):
    line_number: int = Field(description="The order's line number.")
    input: str
    status: Literal["added", "error"]
    code: str = Field(description="Why a line was not added (`product_not_found`, ...); empty when added.")
    reason: str
    sku: str
    quantity: TrimmedDecimal | None
    uom: str

    @staticmethod
    def of(line: QuickOrderLine) -> ReorderLineOut:
        return ReorderLineOut.model_validate(line)  # the report line, field for field


class ReorderPriceChangeOut(Schema):
    sku: str
    uom: str
    quantity: TrimmedDecimal
    previous_unit_price: str | None = Field(description="On the order; null for a line not priced then.")
    current_unit_price: str | None = Field(description="Now, from pricing; null when it has no price now.")
    difference: str | None
    percent: str | None = Field(description="The change in percent of the previous price.")
    has_changed: bool

    @staticmethod
    def of(change: PriceChange, currency: str) -> ReorderPriceChangeOut:
        def amount(value: Decimal | None) -> str | None:
            return unit_amount(value, currency) if value is not None else None

        return ReorderPriceChangeOut(
            sku=change.sku,
            uom=change.uom,
            quantity=change.quantity,
            previous_unit_price=amount(change.previous_unit_price),
            current_unit_price=amount(change.current_unit_price),
            difference=amount(change.difference),
            percent=str(change.percent) if change.percent is not None else None,
            has_changed=change.has_changed,
        )


class ReorderOut(Schema):
    cart: CartOut = Field(description="The cart the lines went into, at its new version.")
    currency: str
    lines: list[ReorderLineOut] = Field(description="Every line of the order: added, or why not.")
    price_changes: list[ReorderPriceChangeOut] = Field(
        description="Each added line's unit price then and now."
    )


# --- quick order ----------------------------------------------------------------------------------

MAX_QUICK_ORDER_TEXT = 500_000  # characters: 5,000 lines of up to 100
MAX_QUICK_ORDER_FILE = 8_000_000  # base64 characters: a 6 MB file, within the 10 MB request limit


class QuickOrderFileIn(Schema):
    """A spreadsheet as uploaded: CSV (UTF-8; comma, semicolon or tab) or Excel `.xlsx`."""

    filename: str = Field(min_length=1, max_length=255, description="Its extension says its type.")
    content: str = Field(min_length=1, max_length=MAX_QUICK_ORDER_FILE, description="The file, base64.")

    def decoded(self) -> bytes:
        try:
            return base64.b64decode(self.content, validate=True)
        except binascii.Error:
            raise InvalidInput.on("file.content", "not base64") from None


class QuickOrderIn(Schema):
    """Either `text` (pasted lines: `SKU, qty[, unit]`, `SKU qty [unit]`, `part<TAB>qty[<TAB>unit]`)
    or `file`; at most 5,000 lines."""

    text: str | None = Field(
        None, min_length=1, max_length=MAX_QUICK_ORDER_TEXT, examples=["BOLT-M8, 100\nWASHER-8 20 BX"]
    )
    file: QuickOrderFileIn | None = None
    expected_version: int | None = Field(None, ge=1, description="409 `cart_changed` if it moved on.")

    @model_validator(mode="after")
    def _one_source(self) -> QuickOrderIn:
        if (self.text is None) == (self.file is None):
            raise ValueError("give either `text` or `file`")
        return self


class QuickOrderLineOut(ReorderLineOut):
    line_number: int = Field(
        description="As the user numbered it: the text's line (blank ones counted), the file's row."
    )


class QuickOrderOut(Schema):
    cart: CartOut = Field(description="The cart with every line, at its new version.")
    added: int = Field(description="How many lines were added.")
    errors: int = Field(description="How many lines were not (each says why in `lines`).")
    lines: list[QuickOrderLineOut] = Field(description="Every line read, in order: added, or why not.")

    @staticmethod
    def of(report: QuickOrderReport, cart: CartOut) -> QuickOrderOut:
        reported = [QuickOrderLineOut.model_validate(line) for line in report.lines]
        return QuickOrderOut(
            cart=cart, added=report.added, errors=len(reported) - report.added, lines=reported
        )


class CartList(Schema):
    count: int
    items: list[CartSummaryOut]
