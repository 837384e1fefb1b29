"""Warehouses, stock levels, the stock ledger and availability.

Warehouses are addressed by code (`CHI`), id (`3`) or `ext:<external_id>`; products by SKU.
Stock, the ledger and warehouses are for seller staff (buyers: 403); changing stock takes an
admin, warehouse or inside sales role, setting up warehouses an admin or warehouse role
(meridian.inventory.access). Availability is for everyone, in their own scope.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router
from ninja.params import P, PathEx
from ninja.responses import Status
from pydantic import ValidationError as PydanticValidationError

from meridian.api.auth import actor_of
from meridian.api.errors import error_body, status_for
from meridian.api.pagination import paginate
from meridian.api.schemas import IdempotencyKeyHeader, error_responses, is_usable_reference
from meridian.catalog.errors import ProductNotFound
from meridian.catalog.models import Product
from meridian.core import idempotency
from meridian.core.actor import Actor
from meridian.core.errors import DomainError, InvalidInput
from meridian.customers import queries as customers
from meridian.customers.errors import AccountNotFound
from meridian.inventory import access, queries, services
from meridian.inventory.errors import InvalidStockRows, RowError, WarehouseNotFound
from meridian.inventory.models import StockMovement, Warehouse
from meridian.inventory.schemas import (
    MAX_AVAILABILITY_SKUS,
    AvailabilityFilters,
    AvailabilityOut,
    MovementFilters,
    MovementIn,
    MovementList,
    MovementOut,
    ProductAvailabilityOut,
    RowErrorsOut,
    StockCountIn,
    StockCountOut,
    StockOut,
    StockRowIn,
    StockSetIn,
    StockSetOut,
    WarehouseFilters,
    WarehouseIn,
    WarehouseList,
    WarehouseOut,
)
from meridian.tenancy.models import Organization
from meridian.tenancy.queries import get_organization, get_website

router = Router(tags=["inventory"])


WAREHOUSE_PATH = P(
    description="Warehouse code (`CHI`), id (`3`) or `ext:<external_id>`: a code is never only digits "
    "and never starts with `ext:`, so the three cannot clash."
)
SKU_PATH = P(description="The product's SKU.")


def _warehouse(organization_id: int, reference: str) -> Warehouse:
    if not is_usable_reference(reference):
        raise WarehouseNotFound(reference)
    return queries.get_warehouse(organization_id=organization_id, reference=reference)


def _product(organization_id: int, sku: str) -> Product:
    product = queries.products_by_sku(organization_id=organization_id, skus=[sku]).get(sku)
    if product is None:
        raise ProductNotFound(sku)
    return product


def _organization(organization_id: int) -> Organization:
    return get_organization(organization_id=organization_id)


# --- warehouses -------------------------------------------------------------------------------


@router.get("/warehouses", response={200: WarehouseList, **error_responses(403, 422)})
def list_warehouses(request: HttpRequest, filters: Query[WarehouseFilters]) -> WarehouseList:
    """Warehouses by code, with their supplier (staff)."""
    organization_id = access.require_stock_viewer(actor_of(request))
    # count; warehouses+supplier
    count, warehouses = paginate(
        queries.list_warehouses(organization_id=organization_id, include_inactive=filters.include_inactive),
        filters,
    )
    return WarehouseList(count=count, items=[WarehouseOut.of(warehouse) for warehouse in warehouses])


@router.post(
    "/warehouses",
    response={200: WarehouseOut, 201: WarehouseOut, **error_responses(403, 409, 422)},
)
def upsert_warehouse(request: HttpRequest, payload: WarehouseIn) -> Status[WarehouseOut]:
    """Create or update the warehouse with this `code`: 201 when created, 200 when updated
    (admins and warehouse staff)."""
    actor = actor_of(request)
    organization_id = access.require_warehouse_manager(actor)
    supplier_id = None
    if payload.supplier is not None:
        supplier = queries.find_supplier(organization_id=organization_id, reference=payload.supplier)
        if supplier is None:
            raise InvalidInput.on("supplier", f"no supplier {payload.supplier}")
        supplier_id = supplier.pk
    warehouse, created = services.upsert_warehouse(
        organization=_organization(organization_id),
        data=payload.to_input(supplier_id=supplier_id),
        user_id=actor.user_id,
    )
    warehouse = queries.get_warehouse(organization_id=organization_id, reference=warehouse.pk)  # as stored
    return Status(201 if created else 200, WarehouseOut.of(warehouse))


# --- the ledger (registered before /stock/{warehouse}/{sku}) ---------------------------------


@router.get("/stock/movements", response={200: MovementList, **error_responses(403, 422)})
def list_stock_movements(request: HttpRequest, filters: Query[MovementFilters]) -> MovementList:
    """The stock ledger, newest first (staff). Filters: `warehouse`, `sku`, `kind`, `reference`
    (or external reference), `since`, `until`."""
    organization_id = access.require_stock_viewer(actor_of(request))
    warehouse_id = product_id = None
    if filters.warehouse is not None:
        try:
            warehouse_id = _warehouse(organization_id, filters.warehouse).pk
        except WarehouseNotFound:
            raise InvalidInput.on("warehouse", f"no warehouse {filters.warehouse}") from None
    if filters.sku is not None:
        try:
            product_id = _product(organization_id, filters.sku).pk
        except ProductNotFound:
            raise InvalidInput.on("sku", f"no product {filters.sku}") from None
    movements = queries.list_movements(
        organization_id=organization_id,
        warehouse_id=warehouse_id,
        product_id=product_id,
        kind=filters.kind,
        reference=filters.reference.strip(),
        since=filters.since,
        until=filters.until,
    )
    # count; movements+warehouse+product
    count, rows = paginate(movements, filters)
    return MovementList(count=count, items=[_movement_out(movement) for movement in rows])


def _movement_out(movement: StockMovement) -> MovementOut:
    return MovementOut.of(movement, warehouse_code=movement.warehouse.code, sku=movement.product.sku)


def _record_movement(actor: Actor, organization_id: int, payload: MovementIn) -> MovementOut:
    warehouse = _warehouse(organization_id, payload.warehouse)
    product = _product(organization_id, payload.sku)
    organization = _organization(organization_id)
    if payload.kind == "receipt":
        movement = services.record_receipt(
            organization=organization,
            warehouse=warehouse,
            product=product,
            quantity=payload.quantity,
            reason=payload.reason.strip() or "Receipt",
            reference=payload.reference,
            external_reference=payload.external_reference,
            user_id=actor.user_id,
        )
    else:
        movement = services.adjust_stock(
            organization=organization,
            warehouse=warehouse,
            product=product,
            delta=payload.quantity,
            reason=payload.reason,
            reference=payload.reference,
            external_reference=payload.external_reference,
            user_id=actor.user_id,
        )
    return MovementOut.of(movement, warehouse_code=warehouse.code, sku=product.sku)


@router.post(
    "/stock/movements",
    response={201: MovementOut, **error_responses(400, 403, 404, 409, 422)},
)
def record_stock_movement(
    request: HttpRequest,
    payload: MovementIn,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Status[object]:
    """Record a receipt or an adjustment (admins, warehouse staff, inside sales).

    A retry is safe with an `Idempotency-Key` header, or with the same `external_reference`
    (the same content returns the first movement; other content is 409
    `external_reference_conflict`).
    """
    actor = actor_of(request)
    organization_id = access.require_stock_editor(actor)
    if idempotency_key is None:
        return Status(201, _record_movement(actor, organization_id, payload))
    return _once(
        organization_id=organization_id,
        key=idempotency_key,
        request_hash=idempotency.request_fingerprint("record_stock_movement", payload.model_dump()),
        run=lambda: (201, _record_movement(actor, organization_id, payload).model_dump(mode="json")),
    )


def _once(
    *,
    organization_id: int,
    key: str,
    request_hash: str,
    run: Callable[[], tuple[int, dict[str, object]]],
) -> Status[object]:
    """Run a write once per Idempotency-Key: its answer (or its domain error) is stored with it."""
    outcome = idempotency.claim_key(organization_id=organization_id, key=key, request_hash=request_hash)
    if isinstance(outcome, idempotency.StoredResponse):
        return Status(outcome.status, outcome.body)
    try:
        with transaction.atomic():  # the answer is stored if and only if the write commits
            status, body = run()
            idempotency.complete_key(outcome, status=status, body=body)
    except DomainError as exc:
        status, body = status_for(exc), error_body(exc.code, str(exc), exc.fields)
        idempotency.complete_key(outcome, status=status, body=body)
    except BaseException:
        idempotency.release_key(outcome)
        raise
    return Status(status, body)


# --- stock levels -----------------------------------------------------------------------------


def _row_errors(exc: InvalidStockRows) -> dict[str, object]:
    """The error body, plus every problem as `{row, field, message}` in `error.rows`."""
    return {
        "error": {
            "code": exc.code,
            "message": str(exc),
            "fields": exc.fields,
            "rows": [{"row": e.row, "field": e.field, "message": e.message} for e in exc.rows],
        }
    }


@router.put(
    "/stock",
    response={200: StockCountOut, 422: RowErrorsOut, **error_responses(403)},
)
def set_stock_levels(request: HttpRequest, payload: StockCountIn) -> Status[object]:
    """Bulk stock count: set on hand for many (warehouse, SKU) rows, all or nothing (admins,
    warehouse staff, inside sales).

    Every row is checked first; on any problem the answer is 422 `invalid_rows` with one
    `{row, field, message}` per problem in `error.rows` (and as `rows.<n>.<field>` in `fields`),
    and nothing is applied. Rows already at their count change nothing.
    """
    actor = actor_of(request)
    organization_id = access.require_stock_editor(actor)
    rejected: list[RowError] = []
    rows: list[tuple[int, object, object, StockRowIn | None]] = []  # row, warehouse, sku, parsed
    for index, raw in enumerate(payload.rows):
        try:
            parsed: StockRowIn | None = StockRowIn.model_validate(raw)
        except PydanticValidationError as exc:
            parsed = None
            for problem in exc.errors():
                field = ".".join(str(part) for part in problem["loc"]) or "row"
                rejected.append(RowError(index, field, problem["msg"]))
        # A row with a bad quantity still has its warehouse and SKU checked, for a complete report.
        rows.append((index, raw.get("warehouse"), raw.get("sku"), parsed))
    failed = {(error.row, error.field) for error in rejected}
    references = {row[1] for row in rows if isinstance(row[1], str) and (row[0], "warehouse") not in failed}
    skus = {row[2] for row in rows if isinstance(row[2], str) and (row[0], "sku") not in failed}
    # warehouses; products
    warehouses = queries.warehouses_by_reference(
        organization_id=organization_id,
        references={reference for reference in references if is_usable_reference(reference)},
    )
    products = queries.products_by_sku(organization_id=organization_id, skus=skus)
    counts: list[services.StockCount] = []
    for index, reference, sku, parsed in rows:
        warehouse = warehouses.get(reference) if isinstance(reference, str) else None
        product = products.get(sku) if isinstance(sku, str) else None
        if isinstance(reference, str) and reference in references and warehouse is None:
            rejected.append(RowError(index, "warehouse", f"no warehouse {reference}"))
        if isinstance(sku, str) and sku in skus and product is None:
            rejected.append(RowError(index, "sku", f"no product {sku}"))
        if parsed is not None and warehouse is not None and product is not None:
            counts.append(
                services.StockCount(row=index, warehouse=warehouse, product=product, on_hand=parsed.on_hand)
            )
    try:
        result = services.count_stock(
            organization=_organization(organization_id),
            counts=counts,
            reason=payload.reason,
            reference=payload.reference,
            user_id=actor.user_id,
            rejected=rejected,
        )
    except InvalidStockRows as exc:
        return Status(422, _row_errors(exc))
    items = []
    for count in counts:
        on_hand, allocated = result.levels[(count.warehouse.pk, count.product.pk)]
        items.append(
            StockOut(
                warehouse=count.warehouse.code,
                sku=count.product.sku,
                on_hand=on_hand,
                allocated=allocated,
                available=on_hand - allocated,
            )
        )
    return Status(200, StockCountOut(rows=len(counts), changed=len(result.movements), items=items))


@router.get("/stock/{warehouse}/{path:sku}", response={200: StockOut, **error_responses(403, 404)})
def get_stock_level(
    request: HttpRequest, warehouse: PathEx[str, WAREHOUSE_PATH], sku: PathEx[str, SKU_PATH]
) -> StockOut:
    """On hand, allocated and available of one product in one warehouse (staff); zeros when the
    warehouse has never held it."""
    organization_id = access.require_stock_viewer(actor_of(request))
    found = _warehouse(organization_id, warehouse)
    product = _product(organization_id, sku)
    level = queries.find_stock_level(
        organization_id=organization_id, warehouse_id=found.pk, product_id=product.pk
    )
    return StockOut.of(warehouse=found, sku=product.sku, level=level)


@router.put(
    "/stock/{warehouse}/{path:sku}",
    response={200: StockSetOut, **error_responses(403, 404, 409, 422)},
)
def set_stock_level(
    request: HttpRequest,
    warehouse: PathEx[str, WAREHOUSE_PATH],
    sku: PathEx[str, SKU_PATH],
    payload: StockSetIn,
) -> StockSetOut:
    """Set on hand to a counted quantity through one ledger adjustment (admins, warehouse staff,
    inside sales); 409 `stock_allocated` below what open orders hold."""
    actor = actor_of(request)
    organization_id = access.require_stock_editor(actor)
    found = _warehouse(organization_id, warehouse)
    product = _product(organization_id, sku)
    movement = services.set_on_hand(
        organization=_organization(organization_id),
        warehouse=found,
        product=product,
        on_hand=payload.on_hand,
        reason=payload.reason,
        reference=payload.reference,
        external_reference=payload.external_reference,
        user_id=actor.user_id,
    )
    return StockSetOut(
        warehouse=found.code,
        sku=product.sku,
        on_hand=movement.on_hand_after,
        allocated=movement.allocated_after,
        available=movement.on_hand_after - movement.allocated_after,
        movement=movement.pk,
    )


# --- availability -----------------------------------------------------------------------------


@router.get("/availability", response={200: AvailabilityOut, **error_responses(404, 422)})
def get_availability(request: HttpRequest, filters: Query[AvailabilityFilters]) -> AvailabilityOut:
    """Available to promise per SKU: the total (own and 3PL warehouses), per warehouse, whether it
    ships today (before the warehouse's cutoff, in its timezone), the next expected receipt and
    the drop-ship lead time. Buyers are answered for products visible to them and for accounts in
    their scope (another account: 404); staff for any account in theirs."""
    actor = actor_of(request)
    skus = filters.sku_list()
    if not skus:
        raise InvalidInput.on("skus", "name at least one SKU")
    if len(skus) > MAX_AVAILABILITY_SKUS:
        raise InvalidInput.on("skus", f"at most {MAX_AVAILABILITY_SKUS} SKUs")
    account = None
    if filters.account is not None:
        if not is_usable_reference(filters.account):
            raise AccountNotFound(filters.account)
        account = customers.get_account(actor=actor, reference=filters.account)
    if filters.website is not None and actor.organization_id is not None:
        get_website(organization_id=actor.organization_id, website_id=filters.website)
    result = queries.availability_by_sku(
        actor=actor, skus=skus, now=timezone.now(), website_id=filters.website, account=account
    )
    return AvailabilityOut(
        items=[ProductAvailabilityOut.of(sku, item, result.warehouses) for sku, item in result.items],
        unknown_skus=result.unknown_skus,
    )
