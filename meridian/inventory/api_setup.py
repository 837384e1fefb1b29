"""Inventory API, the rest of it: transfers, expected receipts, suppliers and what they sell,
warehouse assignments and backorder policies. Mounted into `meridian.inventory.api.router`.

Reads take any staff member, never a buyer; transfers and expected receipts a stock editor;
suppliers, assignments and backorder policies a warehouse manager (meridian.inventory.access).
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router
from ninja.params import P, PathEx
from ninja.responses import Status

from meridian.api.auth import actor_of
from meridian.api.pagination import PageParams, paginate
from meridian.api.schemas import IdempotencyKeyHeader, Reference, error_responses, is_usable_reference
from meridian.core import idempotency
from meridian.core.actor import Actor
from meridian.core.errors import InvalidInput
from meridian.customers import queries as customers
from meridian.customers.errors import AccountNotFound
from meridian.inventory import access, queries, services
from meridian.inventory.api import (
    SKU_PATH,
    _once,
    _organization,
    _product,
    _warehouse,
)
from meridian.inventory.errors import SupplierNotFound
from meridian.inventory.models import BackorderPolicy, Supplier
from meridian.inventory.schemas import (
    BackorderPolicyIn,
    BackorderPolicySet,
    IncomingFilters,
    IncomingIn,
    IncomingList,
    IncomingOut,
    MovementOut,
    SupplierIn,
    SupplierList,
    SupplierOut,
    SupplierProductIn,
    SupplierProductOut,
    TransferIn,
    TransferOut,
    WarehouseAssignmentIn,
    WarehouseAssignmentList,
    WarehouseAssignmentOut,
)
from meridian.tenancy.models import Branch
from meridian.tenancy.queries import get_website

router = Router(tags=["inventory"])

SUPPLIER_PATH = P(description="The supplier's code or `ext:<external_id>`.")


# --- transfers ----------------------------------------------------------------------------------


def _transfer(actor: Actor, organization_id: int, payload: TransferIn) -> TransferOut:
    source = _warehouse(organization_id, payload.source)
    destination = _warehouse(organization_id, payload.destination)
    product = _product(organization_id, payload.sku)
    out, into = services.transfer_stock(
        organization=_organization(organization_id),
        source=source,
        destination=destination,
        product=product,
        quantity=payload.quantity,
        reason=payload.reason.strip() or "Transfer",
        reference=payload.reference,
        external_reference=payload.external_reference,
        user_id=actor.user_id,
    )
    return TransferOut(
        transfer_out=MovementOut.of(out, warehouse_code=source.code, sku=product.sku),
        transfer_in=MovementOut.of(into, warehouse_code=destination.code, sku=product.sku),
    )


@router.post("/stock/transfers", response={201: TransferOut, **error_responses(400, 403, 404, 409, 422)})
def transfer_stock(
    request: HttpRequest,
    payload: TransferIn,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Status[object]:
    """Move available (unallocated) stock from one warehouse to another: a transfer-out and its
    transfer-in in the ledger (admins, warehouse staff, inside sales). 409 `insufficient_stock`
    beyond what the source has available."""
    actor = actor_of(request)
    organization_id = access.require_stock_editor(actor)
    if idempotency_key is None:
        return Status(201, _transfer(actor, organization_id, payload))
    return _once(
        organization_id=organization_id,
        key=idempotency_key,
        request_hash=idempotency.request_fingerprint("transfer_stock", payload.model_dump()),
        run=lambda: (201, _transfer(actor, organization_id, payload).model_dump(mode="json")),
    )


# --- expected receipts ------------------------------------------------------------------------


@router.get("/stock/incoming", response={200: IncomingList, **error_responses(403, 422)})
def list_incoming_stock(request: HttpRequest, filters: Query[IncomingFilters]) -> IncomingList:
    """Expected receipts, soonest first (staff); open ones unless `include_received`."""
    organization_id = access.require_stock_viewer(actor_of(request))
    product = None
    if filters.sku is not None:
        product = queries.products_by_sku(organization_id=organization_id, skus=[filters.sku]).get(
            filters.sku
        )
        if product is None:
            raise InvalidInput.on("sku", f"no product {filters.sku}")
    rows = queries.list_incoming_stock(
        organization_id=organization_id,
        product_id=product.pk if product is not None else None,
        open_only=not filters.include_received,
    )
    # count; incoming+warehouse+product
    count, items = paginate(rows, filters)
    return IncomingList(count=count, items=[IncomingOut.of(incoming) for incoming in items])


@router.post("/stock/incoming", response={201: IncomingOut, **error_responses(403, 404, 422)})
def expect_stock(request: HttpRequest, payload: IncomingIn) -> Status[IncomingOut]:
    """Record an expected receipt: the date behind "back in stock on …" (admins, warehouse staff,
    inside sales). The receipt that fulfils it closes it."""
    organization_id = access.require_stock_editor(actor_of(request))
    warehouse = _warehouse(organization_id, payload.warehouse)
    product = _product(organization_id, payload.sku)
    incoming = services.expect_stock(
        organization=_organization(organization_id),
        warehouse=warehouse,
        product=product,
        quantity=payload.quantity,
        expected_date=payload.expected_date,
        reference=payload.reference,
    )
    incoming.warehouse, incoming.product = warehouse, product
    return Status(201, IncomingOut.of(incoming))


# --- suppliers --------------------------------------------------------------------------------


def _supplier_out(supplier: Supplier) -> SupplierOut:
    return SupplierOut(
        id=supplier.pk,
        code=supplier.code,
        name=supplier.name,
        email=supplier.email,
        is_active=supplier.is_active,
        external_id=supplier.external_id,
    )


@router.get("/suppliers", response={200: SupplierList, **error_responses(403, 422)})
def list_suppliers(request: HttpRequest, page: Query[PageParams]) -> SupplierList:
    """Suppliers by code (staff)."""
    organization_id = access.require_stock_viewer(actor_of(request))
    # count; suppliers
    count, suppliers = paginate(queries.list_suppliers(organization_id=organization_id), page)
    return SupplierList(count=count, items=[_supplier_out(supplier) for supplier in suppliers])


@router.post("/suppliers", response={200: SupplierOut, 201: SupplierOut, **error_responses(403, 422)})
def upsert_supplier(request: HttpRequest, payload: SupplierIn) -> Status[SupplierOut]:
    """Create or update the supplier with this `code`: 201 when created, 200 when updated
    (admins and warehouse staff)."""
    actor = actor_of(request)
    organization_id = access.require_warehouse_manager(actor)
    existed = queries.find_supplier(organization_id=organization_id, reference=payload.code) is not None
    supplier = services.upsert_supplier(
        organization=_organization(organization_id),
        code=payload.code,
        name=payload.name,
        email=payload.email,
        external_id=payload.external_id,
        is_active=payload.is_active,
        user_id=actor.user_id,
    )
    return Status(200 if existed else 201, _supplier_out(supplier))


@router.put(
    "/suppliers/{code}/products/{path:sku}",
    response={200: SupplierProductOut, **error_responses(403, 404, 422)},
)
def set_supplier_product(
    request: HttpRequest,
    code: PathEx[str, SUPPLIER_PATH],
    sku: PathEx[str, SKU_PATH],
    payload: SupplierProductIn,
) -> SupplierProductOut:
    """Say the supplier sells the product: its own SKU, lead time and whether it drop-ships
    (admins and warehouse staff). Drop-ship routing and availability use it at once."""
    actor = actor_of(request)
    organization_id = access.require_warehouse_manager(actor)
    supplier = queries.find_supplier(organization_id=organization_id, reference=code)
    if supplier is None:
        raise SupplierNotFound(code)
    product = _product(organization_id, sku)
    row = services.set_supplier_product(
        supplier=supplier,
        product=product,
        supplier_sku=payload.supplier_sku,
        lead_time_days=payload.lead_time_days,
        can_dropship=payload.can_dropship,
        user_id=actor.user_id,
    )
    return SupplierProductOut(
        supplier=supplier.code,
        sku=product.sku,
        supplier_sku=row.supplier_sku,
        lead_time_days=row.lead_time_days,
        can_dropship=row.can_dropship,
    )


# --- warehouse assignments --------------------------------------------------------------------


@router.get("/warehouse-assignments", response={200: WarehouseAssignmentList, **error_responses(403, 422)})
def list_warehouse_assignments(request: HttpRequest, page: Query[PageParams]) -> WarehouseAssignmentList:
    """Which websites and branches may ship from which warehouse, and with what priority (staff)."""
    organization_id = access.require_stock_viewer(actor_of(request))
    # count; assignments+warehouse
    count, rows = paginate(queries.list_warehouse_assignments(organization_id=organization_id), page)
    return WarehouseAssignmentList(count=count, items=[WarehouseAssignmentOut.of(row) for row in rows])


@router.post(
    "/warehouse-assignments", response={200: WarehouseAssignmentOut, **error_responses(403, 404, 422)}
)
def assign_warehouse(request: HttpRequest, payload: WarehouseAssignmentIn) -> WarehouseAssignmentOut:
    """Let a website or a branch ship from a warehouse, or change its priority (admins and
    warehouse staff). Allocation sees it with the very next order."""
    actor = actor_of(request)
    organization_id = access.require_warehouse_manager(actor)
    warehouse = _warehouse(organization_id, payload.warehouse)
    website = branch = None
    if payload.website is not None:
        website = get_website(organization_id=organization_id, website_id=payload.website)
    if payload.branch is not None:
        branch = Branch.objects.filter(organization_id=organization_id, pk=payload.branch).first()
        if branch is None:
            raise InvalidInput.on("branch", f"no branch {payload.branch}")
    assignment = services.assign_warehouse(
        warehouse=warehouse, website=website, branch=branch, priority=payload.priority, user_id=actor.user_id
    )
    assignment.warehouse = warehouse
    return WarehouseAssignmentOut.of(assignment)


# --- backorder policies -----------------------------------------------------------------------


def _policy(payload: BackorderPolicyIn) -> BackorderPolicy | None:
    return BackorderPolicy(payload.policy.value) if payload.policy is not None else None


@router.put(
    "/backorder-policies/products/{path:sku}",
    response={200: BackorderPolicySet, **error_responses(403, 404, 422)},
)
def set_product_backorder_policy(
    request: HttpRequest, sku: PathEx[str, SKU_PATH], payload: BackorderPolicyIn
) -> BackorderPolicySet:
    """The product's own backorder policy; null falls back to the website default (admins and
    warehouse staff)."""
    actor = actor_of(request)
    organization_id = access.require_warehouse_manager(actor)
    product = _product(organization_id, sku)
    services.set_product_backorder_policy(product=product, policy=_policy(payload), user_id=actor.user_id)
    return BackorderPolicySet(policy=payload.policy)


@router.put(
    "/backorder-policies/accounts/{ref}",
    response={200: BackorderPolicySet, **error_responses(403, 404, 422)},
)
def set_account_backorder_policy(
    request: HttpRequest, ref: Reference, payload: BackorderPolicyIn
) -> BackorderPolicySet:
    """An account's override for every product it and its child accounts order; null removes it
    (admins and warehouse staff; an account outside your scope is 404)."""
    actor = actor_of(request)
    access.require_warehouse_manager(actor)
    if not is_usable_reference(ref):
        raise AccountNotFound(ref)
    account = customers.get_account(actor=actor, reference=ref)
    services.set_account_backorder_policy(account=account, policy=_policy(payload), user_id=actor.user_id)
    return BackorderPolicySet(policy=payload.policy)
