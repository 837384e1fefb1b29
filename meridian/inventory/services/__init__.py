"""Inventory write paths. Every stock change writes the ledger and the level in one transaction.

Lock order, the one global order (so concurrent writers queue instead of deadlocking):
supplier purchase orders, then stock levels, each in pk order and each taken in one statement.
Missing levels are inserted before any stock lock is taken, sorted by (warehouse, product).
Make at most one locking inventory call per transaction.

    stock.py       receipts, adjustments, stock counts, transfers, expected receipts
    allocation.py  allocate an order, release it, ship it; drop-ship purchase orders
    setup.py       warehouses, assignments, suppliers, website settings, backorder policies
    ledger.py      the shared building blocks (internal)
"""

from meridian.inventory.services.allocation import (
    AllocationResult,
    OrderLine,
    ReleaseResult,
    ShipmentLine,
    ShipTo,
    allocate_order,
    next_purchase_order_statuses,
    release_allocation,
    set_purchase_order_status,
    ship_allocation,
)
from meridian.inventory.services.setup import (
    WarehouseInput,
    assign_warehouse,
    configure_website,
    remove_supplier_product,
    set_account_backorder_policy,
    set_product_backorder_policy,
    set_supplier_product,
    unassign_warehouse,
    upsert_supplier,
    upsert_warehouse,
)
from meridian.inventory.services.stock import (
    StockCount,
    StockCountResult,
    adjust_stock,
    count_stock,
    expect_stock,
    record_receipt,
    set_on_hand,
    transfer_stock,
)

__all__ = [
    "AllocationResult",
    "OrderLine",
    "ReleaseResult",
    "ShipTo",
    "ShipmentLine",
    "StockCount",
    "StockCountResult",
    "WarehouseInput",
    "adjust_stock",
    "allocate_order",
    "assign_warehouse",
    "configure_website",
    "count_stock",
    "expect_stock",
    "next_purchase_order_statuses",
    "record_receipt",
    "release_allocation",
    "remove_supplier_product",
    "set_account_backorder_policy",
    "set_on_hand",
    "set_product_backorder_policy",
    "set_purchase_order_status",
    "set_supplier_product",
    "ship_allocation",
    "transfer_stock",
    "unassign_warehouse",
    "upsert_supplier",
    "upsert_warehouse",
]
