"""Request and response schemas of warehouses, stock levels, the stock ledger and availability."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import PlainSerializer, WithJsonSchema

from meridian.api.pagination import PageParams
from meridian.api.schemas import DecimalString, ErrorDetail, Id, QuantityIn, Reference
from meridian.inventory import engine
from meridian.inventory.models import IncomingStock, StockLevel, StockMovement, Warehouse, WarehouseAssignment
from meridian.inventory.services import WarehouseInput

MAX_BULK_ROWS = 10_000
THOUSANDTH = Decimal("0.001")


def _quantity_string(value: Decimal) -> str:
    return format(value.quantize(THOUSANDTH), "f")  # as stored: three decimals, never "1E+2"


# Stock quantities out: decimal strings with the column's three decimals ("40.000").
Quantity = Annotated[
    Decimal,
    PlainSerializer(_quantity_string, return_type=str),
    WithJsonSchema({"type": "string", "format": "decimal", "examples": ["40.000"]}),
]
MAX_AVAILABILITY_SKUS = 500

WarehouseRef = Annotated[
    str,
    Field(
        min_length=1,
        max_length=120,
        pattern=r"^[^\x00]+$",
        description="Warehouse code, id or `ext:<external_id>`.",
        examples=["CHI"],
    ),
]
Sku = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^\S+$", examples=["VLV-100"])]
CountIn = Annotated[
    Decimal,
    Field(ge=0, max_digits=14, decimal_places=3),
    WithJsonSchema({"type": "string", "format": "decimal", "examples": ["600"]}),
]


# The models' enums are all called `Kind`: inline their values, so that they do not share (and
# overwrite) one `Kind` component of the OpenAPI schema with other apps' enums.
WarehouseKind = Annotated[
    Warehouse.Kind, WithJsonSchema({"type": "string", "enum": list(Warehouse.Kind.values)})
]
MovementKind = Annotated[
    StockMovement.Kind, WithJsonSchema({"type": "string", "enum": list(StockMovement.Kind.values)})
]
BackorderPolicyOut = Annotated[
    engine.BackorderPolicy,
    WithJsonSchema({"type": "string", "enum": [policy.value for policy in engine.BackorderPolicy]}),
]


# --- warehouses -------------------------------------------------------------------------------


class WarehouseIn(Schema):
    """A warehouse, created or updated by `code`."""

    code: str = Field(
        min_length=1,
        max_length=32,
        description="Not only digits, not starting with `ext:`.",
        examples=["CHI"],
    )
    name: str = Field(min_length=1, max_length=200, examples=["Chicago DC"])
    kind: WarehouseKind = Field(
        Warehouse.Kind.OWN, description="`own`, `3pl`, or `dropship` (a supplier's stock)."
    )
    supplier: str | None = Field(
        None,
        max_length=100,
        description="Drop-ship warehouses only: the supplier's code or `ext:<external_id>`.",
    )
    address_line1: str = Field("", max_length=200)
    address_line2: str = Field("", max_length=200)
    city: str = Field("", max_length=100)
    region: str = Field("", max_length=100)
    postal_code: str = Field("", max_length=20)
    country: str = Field("", max_length=2, description="ISO 3166-1 alpha-2.")
    latitude: Decimal | None = Field(None, ge=-90, le=90, max_digits=9, decimal_places=6)
    longitude: Decimal | None = Field(None, ge=-180, le=180, max_digits=9, decimal_places=6)
    timezone: str = Field("UTC", max_length=64, description="IANA name, e.g. `America/Chicago`.")
    cutoff_time: time = Field(
        time(15, 0), description="Local time before which orders ship the same day.", examples=["15:00"]
    )
    shipping_weekdays: str = Field(
        "12345", min_length=1, max_length=7, description="ISO weekdays it ships on (1 = Monday … 7 = Sunday)."
    )
    is_active: bool = True
    external_id: str = Field("", max_length=100)

    def to_input(self, *, supplier_id: int | None) -> WarehouseInput:
        return WarehouseInput(
            code=self.code,
            name=self.name,
            kind=self.kind,
            supplier_id=supplier_id,
            address_line1=self.address_line1,
            address_line2=self.address_line2,
            city=self.city,
            region=self.region,
            postal_code=self.postal_code,
            country=self.country,
            latitude=self.latitude,
            longitude=self.longitude,
            timezone=self.timezone,
            cutoff_time=self.cutoff_time,
            shipping_weekdays=self.shipping_weekdays,
            is_active=self.is_active,
            external_id=self.external_id,
        )


class WarehouseOut(Schema):
    id: int
    code: str
    name: str
    kind: WarehouseKind
    supplier: str | None = Field(description="The supplier's code (drop-ship warehouses).")
    address_line1: str
    address_line2: str
    city: str
    region: str
    postal_code: str
    country: str
    latitude: DecimalString | None
    longitude: DecimalString | None
    timezone: str
    cutoff_time: str = Field(examples=["15:00"])
    shipping_weekdays: str
    is_active: bool
    external_id: str
    created_at: datetime

    @classmethod
    def of(cls, warehouse: Warehouse) -> WarehouseOut:
        return cls(
            id=warehouse.pk,
            code=warehouse.code,
            name=warehouse.name,
            kind=Warehouse.Kind(warehouse.kind),
            supplier=warehouse.supplier.code if warehouse.supplier else None,
            address_line1=warehouse.address_line1,
            address_line2=warehouse.address_line2,
            city=warehouse.city,
            region=warehouse.region,
            postal_code=warehouse.postal_code,
            country=warehouse.country,
            latitude=warehouse.latitude,
            longitude=warehouse.longitude,
            timezone=warehouse.timezone,
            cutoff_time=warehouse.cutoff_time.strftime("%H:%M"),
            shipping_weekdays=warehouse.shipping_weekdays,
            is_active=warehouse.is_active,
            external_id=warehouse.external_id,
            created_at=warehouse.created_at,
        )


class WarehouseFilters(PageParams):
    include_inactive: bool = False


class WarehouseList(Schema):
    count: int
    items: list[WarehouseOut]


# --- stock levels -----------------------------------------------------------------------------


class StockOut(Schema):
    warehouse: str = Field(description="The warehouse's code.")
    sku: str
    on_hand: Quantity
    allocated: Quantity
    available: Quantity = Field(description="on_hand - allocated.")

    @classmethod
    def of(cls, *, warehouse: Warehouse, sku: str, level: StockLevel | None) -> StockOut:
        on_hand = level.on_hand if level else Decimal(0)
        allocated = level.allocated if level else Decimal(0)
        return cls(
            warehouse=warehouse.code,
            sku=sku,
            on_hand=on_hand,
            allocated=allocated,
            available=on_hand - allocated,
        )


class StockSetIn(Schema):
    on_hand: CountIn = Field(description="The counted quantity; one adjustment makes on hand equal it.")
    reason: str = Field("Stock count", min_length=1, max_length=200)
    reference: str = Field("", max_length=100)
    external_reference: str = Field(
        "", max_length=100, description="Your id for this count; a retry with it changes nothing."
    )


class StockSetOut(StockOut):
    movement: int = Field(description="The adjustment's id in the ledger (a zero one when nothing changed).")


class StockRowIn(Schema):
    warehouse: WarehouseRef
    sku: Sku
    on_hand: CountIn


STOCK_ROWS_SCHEMA = {
    "type": "array",
    "minItems": 1,
    "maxItems": MAX_BULK_ROWS,
    "items": {
        "type": "object",
        "properties": {
            "warehouse": {"type": "string", "examples": ["CHI"]},
            "sku": {"type": "string", "examples": ["VLV-100"]},
            "on_hand": {"type": "string", "format": "decimal", "examples": ["600"]},
        },
        "required": ["warehouse", "sku", "on_hand"],
    },
}


class StockCountIn(Schema):
    """Rows are checked one by one, so that every bad row is reported together."""

    rows: Annotated[
        list[dict[str, object]],
        Field(min_length=1, max_length=MAX_BULK_ROWS),
        WithJsonSchema(STOCK_ROWS_SCHEMA),
    ] = Field(description=f"`{{warehouse, sku, on_hand}}`, at most {MAX_BULK_ROWS} rows.")
    reason: str = Field("Stock count", min_length=1, max_length=200)
    reference: str = Field("", max_length=100)


class StockCountOut(Schema):
    rows: int
    changed: int = Field(description="Rows whose on hand changed (each one adjustment in the ledger).")
    items: list[StockOut] = Field(description="Every row's level after the count, in row order.")


class RowErrorOut(Schema):
    row: int = Field(description="0-based index in `rows`.")
    field: str
    message: str


class RowErrorDetail(ErrorDetail):
    rows: list[RowErrorOut] = Field(
        default_factory=list, description="`invalid_rows`: every problem, one per row and field."
    )


class RowErrorsOut(Schema):
    error: RowErrorDetail


# --- the ledger -------------------------------------------------------------------------------


class MovementIn(Schema):
    kind: Literal["receipt", "adjustment"]
    warehouse: WarehouseRef
    sku: Sku
    quantity: QuantityIn = Field(
        description="A receipt: the quantity received (> 0). An adjustment: the signed change (-3 removes 3)."
    )
    reason: str = Field("", max_length=200, description="Required for an adjustment.")
    reference: str = Field("", max_length=100, description="What caused it, e.g. a purchase order number.")
    external_reference: str = Field(
        "", max_length=100, description="Your id for the movement; a retry with it changes nothing."
    )


class MovementOut(Schema):
    id: int
    kind: MovementKind
    warehouse: str = Field(description="The warehouse's code.")
    sku: str
    on_hand_delta: Quantity
    allocated_delta: Quantity
    on_hand_after: Quantity
    allocated_after: Quantity
    reason: str
    reference: str
    external_reference: str
    paired_movement: int | None = Field(description="Transfers: the transfer-in names its transfer-out.")
    actor_user_id: int | None
    created_at: datetime

    @classmethod
    def of(cls, movement: StockMovement, *, warehouse_code: str, sku: str) -> MovementOut:
        return cls(
            id=movement.pk,
            kind=StockMovement.Kind(movement.kind),
            warehouse=warehouse_code,
            sku=sku,
            on_hand_delta=movement.on_hand_delta,
            allocated_delta=movement.allocated_delta,
            on_hand_after=movement.on_hand_after,
            allocated_after=movement.allocated_after,
            reason=movement.reason,
            reference=movement.reference,
            external_reference=movement.external_reference,
            paired_movement=movement.paired_movement_id,
            actor_user_id=movement.actor_user_id,
            created_at=movement.created_at,
        )


class MovementFilters(PageParams):
    warehouse: WarehouseRef | None = None
    sku: Sku | None = None
    kind: MovementKind | None = None
    reference: str = Field("", max_length=100, description="Matches `reference` or `external_reference`.")
    since: datetime | None = Field(None, description="Movements at or after this time.")
    until: datetime | None = Field(None, description="Movements before this time.")


class MovementList(Schema):
    count: int
    items: list[MovementOut]


# --- availability -----------------------------------------------------------------------------


class AvailabilityFilters(Schema):
    skus: str = Field(
        min_length=1,
        max_length=40_000,
        description=f"Comma-separated SKUs, at most {MAX_AVAILABILITY_SKUS}.",
        examples=["VLV-100,VLV-200"],
    )
    account: Reference | None = Field(
        None,
        description="Account id or `ext:<external_id>` whose branch and backorder policy apply "
        "(buyers: default their own).",
    )
    website: Id | None = Field(None, description="Website id (default: yours, or the default one).")

    def sku_list(self) -> list[str]:
        return list(dict.fromkeys(sku.strip() for sku in self.skus.split(",") if sku.strip()))


class WarehouseAvailabilityOut(Schema):
    warehouse: str = Field(description="The warehouse's code.")
    name: str
    kind: WarehouseKind
    timezone: str
    available: Quantity
    ships_today: bool
    ship_date: date = Field(description="The warehouse's local date an order placed now leaves it.")
    cutoff: datetime = Field(description="The cutoff on `ship_date` (UTC): order before it.")


class ProductAvailabilityOut(Schema):
    sku: str
    total_available: Quantity = Field(description="Own and 3PL warehouses.")
    ships_today: bool
    ship_date: date | None = Field(description="The earliest date a warehouse with stock ships.")
    order_by: datetime | None = Field(description="Order before this (UTC) to ship today.")
    next_incoming_date: date | None = Field(description="The next expected receipt.")
    dropship_lead_time_days: int | None = Field(description="The shortest supplier drop-ship lead time.")
    backorder_policy: BackorderPolicyOut
    warehouses: list[WarehouseAvailabilityOut]

    @classmethod
    def of(
        cls, sku: str, availability: engine.ProductAvailability, warehouses: dict[int, Warehouse]
    ) -> ProductAvailabilityOut:
        return cls(
            sku=sku,
            total_available=availability.total_available,
            ships_today=availability.ships_today,
            ship_date=availability.ship_date,
            order_by=availability.order_by,
            next_incoming_date=availability.next_incoming_date,
            dropship_lead_time_days=availability.dropship_lead_time_days,
            backorder_policy=availability.backorder_policy,
            warehouses=[
                WarehouseAvailabilityOut(
                    warehouse=warehouses[row.warehouse_id].code,
                    name=warehouses[row.warehouse_id].name,
                    kind=Warehouse.Kind(warehouses[row.warehouse_id].kind),
                    timezone=warehouses[row.warehouse_id].timezone,
                    available=row.available,
                    ships_today=row.ships_today,
                    ship_date=row.ship_date,
                    cutoff=row.cutoff,
                )
                for row in availability.warehouses
            ],
        )


class AvailabilityOut(Schema):
    items: list[ProductAvailabilityOut] = Field(description="In the order asked.")
    unknown_skus: list[str] = Field(description="SKUs that name no product you can see.")


# --- transfers, expected receipts, suppliers, assignments, backorder policies ------------------


class TransferIn(Schema):
    source: WarehouseRef = Field(description="The warehouse the stock leaves.")
    destination: WarehouseRef = Field(description="The warehouse it arrives at.")
    sku: Sku
    quantity: QuantityIn = Field(description="Available (unallocated) stock of the source, > 0.")
    reason: str = Field("Transfer", max_length=200)
    reference: str = Field("", max_length=100)
    external_reference: str = Field(
        "", max_length=100, description="Your id for the transfer; a retry with it changes nothing."
    )


class TransferOut(Schema):
    transfer_out: MovementOut
    transfer_in: MovementOut


class IncomingIn(Schema):
    warehouse: WarehouseRef
    sku: Sku
    quantity: QuantityIn = Field(description="The quantity expected, > 0.")
    expected_date: date
    reference: str = Field("", max_length=100, description="e.g. the purchase order number.")


class IncomingOut(Schema):
    id: int
    warehouse: str = Field(description="The warehouse's code.")
    sku: str
    quantity: Quantity
    expected_date: date
    reference: str
    received_at: datetime | None = Field(description="Set by the receipt that fulfilled it.")

    @classmethod
    def of(cls, incoming: IncomingStock) -> IncomingOut:
        return cls(
            id=incoming.pk,
            warehouse=incoming.warehouse.code,
            sku=incoming.product.sku,
            quantity=incoming.quantity,
            expected_date=incoming.expected_date,
            reference=incoming.reference,
            received_at=incoming.received_at,
        )


class IncomingFilters(PageParams):
    sku: Sku | None = None
    include_received: bool = Field(False, description="Also expected receipts already received.")


class IncomingList(Schema):
    count: int
    items: list[IncomingOut]


class SupplierIn(Schema):
    """A supplier, created or updated by `code`."""

    code: str = Field(min_length=1, max_length=32, examples=["ACME"])
    name: str = Field(min_length=1, max_length=200)
    email: str = Field("", max_length=254, description="Where purchase orders are sent.")
    is_active: bool = True
    external_id: str = Field("", max_length=100)


class SupplierOut(Schema):
    id: int
    code: str
    name: str
    email: str
    is_active: bool
    external_id: str


class SupplierList(Schema):
    count: int
    items: list[SupplierOut]


class SupplierProductIn(Schema):
    supplier_sku: str = Field("", max_length=64)
    lead_time_days: int = Field(3, ge=0, le=3650)
    can_dropship: bool = Field(False, description="Ships straight to customers (drop-ship).")


class SupplierProductOut(Schema):
    supplier: str = Field(description="The supplier's code.")
    sku: str
    supplier_sku: str
    lead_time_days: int
    can_dropship: bool


class WarehouseAssignmentIn(Schema):
    warehouse: WarehouseRef
    website: Id | None = Field(None, description="A website id; or give a branch.")
    branch: Id | None = Field(None, description="A branch id; or give a website.")
    priority: int = Field(100, ge=0, le=1_000_000, description="Lower is tried first.")


class WarehouseAssignmentOut(Schema):
    id: int
    warehouse: str = Field(description="The warehouse's code.")
    website: int | None
    branch: int | None
    priority: int

    @classmethod
    def of(cls, assignment: WarehouseAssignment) -> WarehouseAssignmentOut:
        return cls(
            id=assignment.pk,
            warehouse=assignment.warehouse.code,
            website=assignment.website_id,
            branch=assignment.branch_id,
            priority=assignment.priority,
        )


class WarehouseAssignmentList(Schema):
    count: int
    items: list[WarehouseAssignmentOut]


class BackorderPolicyIn(Schema):
    policy: BackorderPolicyOut | None = Field(
        description="`allow`, `partial` or `deny`; null removes the policy (the default applies again)."
    )


class BackorderPolicySet(Schema):
    policy: BackorderPolicyOut | None
