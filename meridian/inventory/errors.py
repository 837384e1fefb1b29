"""Inventory domain errors. `code` is a stable contract (docs/inventory.md lists them)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from meridian.core.errors import Conflict, NotFound, RuleViolation


class WarehouseNotFound(NotFound):
    code = "warehouse_not_found"

    def __init__(self, reference: object) -> None:
        super().__init__(f"warehouse {reference} not found")
        self.reference = reference


class PurchaseOrderNotFound(NotFound):
    code = "supplier_purchase_order_not_found"

    def __init__(self, reference: object) -> None:
        super().__init__(f"supplier purchase order {reference} not found")
        self.reference = reference


class SupplierNotFound(NotFound):
    code = "supplier_not_found"

    def __init__(self, reference: object) -> None:
        super().__init__(f"supplier {reference} not found")
        self.reference = reference


class WarehouseAssignmentNotFound(NotFound):
    code = "warehouse_assignment_not_found"

    def __init__(self, reference: object) -> None:
        super().__init__(f"warehouse assignment {reference} not found")
        self.reference = reference


class InsufficientStock(Conflict):
    """A line asks for more than can be supplied and its backorder policy is `deny`."""

    code = "insufficient_stock"

    def __init__(
        self,
        *,
        sku: str,
        requested: Decimal,
        available: Decimal,
        fields: dict[str, list[str]] | None = None,
    ) -> None:
        super().__init__(f"{sku}: requested {requested}, available {available}", fields=fields)
        self.sku, self.requested, self.available = sku, requested, available


class StockAllocated(Conflict):
    """On hand may not drop below what open orders have allocated; release them first."""

    code = "stock_allocated"

    def __init__(self, *, sku: str, warehouse: str, on_hand: Decimal, allocated: Decimal) -> None:
        super().__init__(
            f"{sku} in {warehouse}: on hand would be {on_hand}, below the {allocated} allocated",
            fields={"quantity": [f"on hand may not go below the {allocated} allocated"]},
        )
        self.sku, self.warehouse, self.on_hand, self.allocated = sku, warehouse, on_hand, allocated


class ExternalReferenceConflict(Conflict):
    """The external reference was already used for a different movement."""

    code = "external_reference_conflict"

    def __init__(self, external_reference: str) -> None:
        super().__init__(
            f"external reference {external_reference!r} was already used for a different movement",
            fields={"external_reference": ["already used for a different movement"]},
        )
        self.external_reference = external_reference


class NothingAllocated(Conflict):
    """A shipment asks for more than the reference has allocated."""

    code = "not_allocated"

    def __init__(self, *, reference: str, sku: str, requested: Decimal, allocated: Decimal) -> None:
        super().__init__(
            f"{reference}: ship {requested} of {sku}, but only {allocated} is allocated",
            fields={"quantity": [f"at most {allocated} is allocated"]},
        )
        self.reference, self.sku, self.requested, self.allocated = reference, sku, requested, allocated


class PurchaseOrderTransitionNotAllowed(Conflict):
    code = "supplier_purchase_order_transition_not_allowed"

    def __init__(self, *, number: str, current: str, target: str) -> None:
        super().__init__(
            f"supplier purchase order {number} is {current}; it cannot become {target}",
            fields={"status": [f"not allowed from {current}"]},
        )
        self.number, self.current, self.target = number, current, target


class InventoryAlreadySeeded(Conflict):
    code = "inventory_already_seeded"

    def __init__(self, organization: str) -> None:
        super().__init__(f"{organization} already has warehouses; seed inventory into a fresh organization")
        self.organization = organization


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem with one row of a bulk write: the row's index, its field and what is wrong."""

    row: int
    field: str
    message: str


class InvalidStockRows(RuleViolation):
    """A bulk stock write has bad rows; nothing was applied. `rows` lists every problem found."""

    code = "invalid_rows"

    def __init__(self, rows: Sequence[RowError]) -> None:
        fields: dict[str, list[str]] = {}
        for error in rows:
            fields.setdefault(f"rows.{error.row}.{error.field}", []).append(error.message)
        super().__init__(
            f"{len({error.row for error in rows})} of the rows cannot be applied; nothing was changed",
            fields=fields,
        )
        self.rows = list(rows)
