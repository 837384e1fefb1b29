"""Who may read and change inventory: the role rules every channel (API, console) applies.

Stock levels, the ledger, warehouses and supplier purchase orders are the seller's business:
every staff member of the organization may read them, buyers never (they see availability).
Stock changes (receipts, adjustments, counts) and drop-ship purchase order status: admins,
warehouse staff and inside sales. Warehouse set-up: admins and warehouse staff.
"""

from __future__ import annotations

from meridian.core.actor import Actor, StaffRole
from meridian.customers.errors import NotAllowed

STOCK_EDITORS = frozenset({StaffRole.ADMIN, StaffRole.WAREHOUSE, StaffRole.INSIDE_SALES})
WAREHOUSE_MANAGERS = frozenset({StaffRole.ADMIN, StaffRole.WAREHOUSE})


def can_edit_stock(actor: Actor) -> bool:
    return actor.is_staff and actor.staff_role in STOCK_EDITORS and actor.organization_id is not None


def require_stock_viewer(actor: Actor) -> int:
    """The staff actor's organization id; NotAllowed for anyone else (buyers see availability only)."""
    if not actor.is_staff or actor.organization_id is None:
        raise NotAllowed("see stock levels, movements or warehouses")
    return actor.organization_id


def require_stock_editor(actor: Actor) -> int:
    """The organization id of an admin, warehouse or inside sales actor; else NotAllowed."""
    if not can_edit_stock(actor) or actor.organization_id is None:
        raise NotAllowed("change stock")
    return actor.organization_id


def require_warehouse_manager(actor: Actor) -> int:
    """The organization id of an admin or warehouse actor; else NotAllowed."""
    if not (actor.is_staff and actor.staff_role in WAREHOUSE_MANAGERS) or actor.organization_id is None:
        raise NotAllowed("set up warehouses")
    return actor.organization_id
