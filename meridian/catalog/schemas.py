"""Request and response schemas of categories and products."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import PlainValidator

from meridian.api.pagination import PageParams
from meridian.api.schemas import NOT_SENT, DecimalString, Id, QuantityIn, Reference
from meridian.catalog.models import Product
from meridian.catalog.services import ProductInput, UnitInput
from meridian.inventory.schemas import ProductAvailabilityOut
from meridian.pricing.schemas import ProductPriceOut

Scalar = str | int | float | bool | None


def _scalar(value: object) -> Scalar:
    # One message at the attribute's path, instead of one per member of the union.
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise ValueError("must be a string, number, boolean or null")


AttributeValue = Annotated[Scalar, PlainValidator(_scalar, json_schema_input_type=Scalar)]


class CategoryIn(Schema):
    name: str = Field(max_length=200)
    parent: Id | Reference | None = Field(
        None, description="Parent category: id, slug or `ext:<external_id>`."
    )
    slug: str = Field("", max_length=200, description="Derived from the name when omitted.")
    external_id: str = Field("", max_length=100)


class CategoryOut(Schema):
    id: int
    name: str
    slug: str
    parent: int | None
    depth: int
    external_id: str
    is_active: bool


class CategoryList(Schema):
    count: int
    items: list[CategoryOut]


class ProductFilters(PageParams):
    q: str = Field("", max_length=200, description="Matches name, SKU and your own part numbers.")
    category: Reference | None = Field(None, description="Category id or slug; includes its subcategories.")


class UnitIn(Schema):
    code: str = Field(max_length=16, examples=["BX"])
    factor: QuantityIn = Field(description="Base units in one of this unit (a box of 12: 12).")
    name: str = Field("", max_length=100)

    def to_input(self) -> UnitInput:
        return UnitInput(code=self.code, factor=self.factor, name=self.name)


class ProductBody(Schema):
    """A product's fields, except its SKU (the key)."""

    name: str = Field(max_length=255)
    description: str = Field("", max_length=20_000)
    category: Id | Reference | None = Field(None, description="Category id, slug or `ext:<external_id>`.")
    base_uom: str = Field("EA", max_length=16)
    units: list[UnitIn] | None = Field(None, description="Alternative units; omit to keep the current ones.")
    min_order_quantity: QuantityIn = Decimal(1)
    order_increment: QuantityIn = Decimal(1)
    status: Product.Status = Product.Status.ACTIVE
    attributes: dict[str, AttributeValue] = Field(default_factory=dict)
    external_id: str = Field("", max_length=100)

    def to_input(self, *, sku: str, category_id: int | None) -> ProductInput:
        return ProductInput(
            sku=sku,
            name=self.name,
            description=self.description,
            category_id=category_id,
            base_uom=self.base_uom,
            min_order_quantity=self.min_order_quantity,
            order_increment=self.order_increment,
            status=self.status.value,
            attributes=dict(self.attributes),
            external_id=self.external_id,
            units=[unit.to_input() for unit in self.units] if self.units is not None else None,
        )


class ProductIn(ProductBody):
    sku: str = Field(max_length=64)


class ProductPatch(Schema):
    """Only the fields sent are changed."""

    name: str = Field(NOT_SENT, max_length=255)
    description: str = Field(NOT_SENT, max_length=20_000)
    category: Id | Reference | None = None
    base_uom: str = Field(NOT_SENT, max_length=16)
    units: list[UnitIn] = Field(NOT_SENT)
    min_order_quantity: QuantityIn = Field(NOT_SENT)
    order_increment: QuantityIn = Field(NOT_SENT)
    status: Product.Status = Field(NOT_SENT)
    attributes: dict[str, AttributeValue] = Field(NOT_SENT)
    external_id: str = Field(NOT_SENT, max_length=100)

    def changes(self, *, category_id: int | None) -> dict[str, Any]:
        """ProductInput attributes to replace, for the fields sent."""
        sent = self.model_fields_set
        changes: dict[str, Any] = {
            name: getattr(self, name) for name in sent - {"category", "units", "status", "attributes"}
        }
        if "category" in sent:
            changes["category_id"] = category_id
        if "units" in sent:
            changes["units"] = [unit.to_input() for unit in self.units]
        if "status" in sent:
            changes["status"] = self.status.value
        if "attributes" in sent:
            changes["attributes"] = dict(self.attributes)
        return changes


class CategoryRef(Schema):
    id: int
    slug: str


class UnitOut(Schema):
    code: str
    name: str
    factor: DecimalString


class ProductOut(Schema):
    sku: str
    name: str
    description: str
    category: CategoryRef | None
    base_uom: str
    units: list[UnitOut]
    min_order_quantity: DecimalString
    order_increment: DecimalString
    status: Product.Status
    attributes: dict[str, Any]
    external_id: str
    customer_part_number: str | None = Field(description="A buyer's own code for this product; else null.")
    price: ProductPriceOut | None = Field(
        default=None,
        description="A buyer's own price (live, from meridian.pricing: unit and list price, tiers, "
        "source); null for staff.",
    )
    availability: ProductAvailabilityOut | None = Field(
        default=None,
        description="A buyer's available-to-promise on GET /products/{sku} (live, from meridian.inventory: "
        "total, per warehouse, ships today, next receipt, drop-ship lead time, backorder policy; the "
        "same as GET /availability); null for staff and in lists (ask GET /availability for many SKUs).",
    )
    updated_at: datetime


class ProductList(Schema):
    count: int
    items: list[ProductOut]
