"""Receipts, adjustments, stock counts and transfers: each one ledger write, idempotent by external reference."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction

from meridian.catalog.models import Product
from meridian.core.errors import InvalidInput
from meridian.core.services import record_event
from meridian.inventory.errors import ExternalReferenceConflict, InsufficientStock, InvalidStockRows, RowError
from meridian.inventory.models import IncomingStock, StockMovement, Warehouse
from meridian.inventory.services import ledger
from meridian.tenancy.models import Organization

Kind = StockMovement.Kind


@transaction.atomic
def record_receipt(
    *,
    organization: Organization,
    warehouse: Warehouse,
    product: Product,
    quantity: Decimal,
    reason: str = "Receipt",
    reference: str = "",
    external_reference: str = "",
    incoming: IncomingStock | None = None,
    user_id: int | None = None,
) -> StockMovement:
    """Add received stock (ledger, level, outbox event) and mark `incoming` received. Locks the level.

    Idempotent by `external_reference`: the same content returns the first movement, a different
    one raises ExternalReferenceConflict.
    """
    ledger.check_owner(organization, warehouse=warehouse, product=product)
    ledger.check_quantity("quantity", quantity)
    level = ledger.lock_one(organization=organization, warehouse=warehouse, product=product)
    expected = {
        "kind": Kind.RECEIPT,
        "warehouse_id": warehouse.pk,
        "product_id": product.pk,
        "on_hand_delta": quantity,
        "reference": reference,
    }
    existing = ledger.replay(
        organization_id=organization.pk, external_reference=external_reference, expected=expected
    )
    if existing is not None:
        return existing
    [movement] = ledger.record_movements(
        organization=organization,
        changes=[ledger.Change(level, Kind.RECEIPT, on_hand_delta=quantity)],
        reason=reason,
        reference=reference,
        external_reference=external_reference,
        user_id=user_id,
        event_type="inventory.stock_received",
    )
    if incoming is not None:
        IncomingStock.objects.filter(
            pk=incoming.pk, organization_id=organization.pk, received_at__isnull=True
        ).update(received_at=movement.created_at)
    return movement


@transaction.atomic
def adjust_stock(
    *,
    organization: Organization,
    warehouse: Warehouse,
    product: Product,
    delta: Decimal,
    reason: str,
    reference: str = "",
    external_reference: str = "",
    user_id: int | None = None,
) -> StockMovement:
    """Correct on hand by `delta`, with a reason (count, damage, …). Locks the level.

    Raises InsufficientStock below zero and StockAllocated below what is allocated.
    Idempotent by `external_reference`.
    """
    ledger.check_owner(organization, warehouse=warehouse, product=product)
    ledger.check_quantity("delta", delta, positive=False, allow_negative=True)
    reason = ledger.check_reason(reason)
    level = ledger.lock_one(organization=organization, warehouse=warehouse, product=product)
    expected = {
        "kind": Kind.ADJUSTMENT,
        "warehouse_id": warehouse.pk,
        "product_id": product.pk,
        "on_hand_delta": delta,
        "reason": reason,
    }
    existing = ledger.replay(
        organization_id=organization.pk, external_reference=external_reference, expected=expected
    )
    if existing is not None:
        return existing
    ledger.check_new_on_hand(level, level.on_hand + delta, sku=product.sku, warehouse=warehouse)
    [movement] = ledger.record_movements(
        organization=organization,
        changes=[ledger.Change(level, Kind.ADJUSTMENT, on_hand_delta=delta)],
        reason=reason,
        reference=reference,
        external_reference=external_reference,
        user_id=user_id,
        event_type="inventory.stock_adjusted",
    )
    return movement


@transaction.atomic
def set_on_hand(
    *,
    organization: Organization,
    warehouse: Warehouse,
    product: Product,
    on_hand: Decimal,
    reason: str = "Stock count",
    reference: str = "",
    external_reference: str = "",
    user_id: int | None = None,
) -> StockMovement:
    """Make on hand equal `on_hand` with one ledger adjustment (a zero one when it already does).

    Raises StockAllocated below what is allocated. Idempotent by `external_reference` (the same
    target returns the first movement). Locks the level.
    """
    ledger.check_owner(organization, warehouse=warehouse, product=product)
    ledger.check_quantity("on_hand", on_hand, positive=False)
    reason = ledger.check_reason(reason)
    level = ledger.lock_one(organization=organization, warehouse=warehouse, product=product)
    expected = {
        "kind": Kind.ADJUSTMENT,
        "warehouse_id": warehouse.pk,
        "product_id": product.pk,
        "on_hand_after": on_hand,
    }
    existing = ledger.replay(
        organization_id=organization.pk, external_reference=external_reference, expected=expected
    )
    if existing is not None:
        return existing
    ledger.check_new_on_hand(level, on_hand, sku=product.sku, warehouse=warehouse)
    [movement] = ledger.record_movements(
        organization=organization,
        changes=[ledger.Change(level, Kind.ADJUSTMENT, on_hand_delta=on_hand - level.on_hand)],
        reason=reason,
        reference=reference,
        external_reference=external_reference,
        user_id=user_id,
        event_type="inventory.stock_adjusted",
    )
    return movement


@dataclass(frozen=True, slots=True)
class StockCount:
    """One row of a bulk stock count: on hand of the product in the warehouse should be `on_hand`."""

    row: int  # the caller's row number, for the error report
    warehouse: Warehouse
    product: Product
    on_hand: Decimal


@dataclass(frozen=True, slots=True)
class StockCountResult:
    movements: list[StockMovement]  # one adjustment per level that changed
    levels: dict[
        tuple[int, int], tuple[Decimal, Decimal]
    ]  # (warehouse, product) -> (on hand, allocated) after


@transaction.atomic
def count_stock(
    *,
    organization: Organization,
    counts: Sequence[StockCount],
    reason: str = "Stock count",
    reference: str = "",
    user_id: int | None = None,
    rejected: Sequence[RowError] = (),
) -> StockCountResult:
    """Set on hand of many levels at once, all or nothing: one adjustment per level whose count differs.

    Checks every row (quantity, organization, one row per warehouse and product), locks all the
    levels in one statement (pk order) and checks each count against what is allocated; raises
    InvalidStockRows listing every bad row, with the caller's own `rejected` rows, before writing
    anything. Levels already at their count get no movement. One `inventory.stock_counted`
    outbox event for the whole count.
    """
    if not counts and not rejected:
        raise InvalidInput.on("rows", "at least one row")
    reason = ledger.check_reason(reason)
    errors: list[RowError] = list(rejected)
    first_row: dict[tuple[int, int], int] = {}
    checked: list[StockCount] = []
    for count in counts:
        owned = True
        if count.warehouse.organization_id != organization.pk:
            errors.append(RowError(count.row, "warehouse", "belongs to another organization"))
            owned = False
        if count.product.organization_id != organization.pk:
            errors.append(RowError(count.row, "sku", "belongs to another organization"))
            owned = False
        try:
            ledger.check_quantity("on_hand", count.on_hand, positive=False)
        except InvalidInput as exc:
            errors.extend(RowError(count.row, "on_hand", message) for message in exc.fields["on_hand"])
            continue
        pair = (count.warehouse.pk, count.product.pk)
        if pair in first_row:
            errors.append(RowError(count.row, "sku", f"the same warehouse and SKU as row {first_row[pair]}"))
        elif owned:
            first_row[pair] = count.row
            checked.append(count)
    # Locked even when rows are already bad, so that one answer reports every problem.
    levels = ledger.lock_pairs(organization_id=organization.pk, pairs=sorted(first_row))
    changes: list[ledger.Change] = []
    for count in checked:
        level = levels[(count.warehouse.pk, count.product.pk)]
        if count.on_hand < level.allocated:
            errors.append(RowError(count.row, "on_hand", f"below the {level.allocated} allocated"))
        elif count.on_hand != level.on_hand:
            changes.append(
                ledger.Change(
                    level, StockMovement.Kind.ADJUSTMENT, on_hand_delta=count.on_hand - level.on_hand
                )
            )
    if errors:
        raise InvalidStockRows(sorted(errors, key=lambda error: error.row))
    after = {pair: (level.on_hand, level.allocated) for pair, level in levels.items() if pair in first_row}
    for count in counts:
        after[(count.warehouse.pk, count.product.pk)] = (
            count.on_hand,
            after[(count.warehouse.pk, count.product.pk)][1],
        )
    if not changes:
        return StockCountResult(movements=[], levels=after)
    movements, payload = ledger.apply_changes(
        organization_id=organization.pk,
        changes=sorted(changes, key=lambda change: change.level.pk),
        reason=reason,
        reference=reference,
        user_id=user_id,
    )
    movements = StockMovement.objects.bulk_create(movements)
    record_event(
        organization_id=organization.pk,
        aggregate_type="stock_count",
        aggregate_id=movements[0].pk,
        event_type="inventory.stock_counted",
        payload={
            "movement_ids": [movement.pk for movement in movements],
            "reference": reference,
            "levels": payload,
        },
    )
    return StockCountResult(movements=movements, levels=after)


@transaction.atomic
def transfer_stock(
    *,
    organization: Organization,
    source: Warehouse,
    destination: Warehouse,
    product: Product,
    quantity: Decimal,
    reason: str = "Transfer",
    reference: str = "",
    external_reference: str = "",
    user_id: int | None = None,
) -> tuple[StockMovement, StockMovement]:
    """Move available (unallocated) stock between warehouses: a transfer-out and its transfer-in.

    Raises InsufficientStock beyond what the source has available. Idempotent by
    `external_reference` (kept on the transfer-out). Locks both levels in pk order.
    """
    ledger.check_owner(organization, source=source, destination=destination, product=product)
    ledger.check_quantity("quantity", quantity)
    if source.pk == destination.pk:
        raise InvalidInput.on("destination", "must differ from the source")
    pairs = [(source.pk, product.pk), (destination.pk, product.pk)]
    levels = ledger.lock_pairs(organization_id=organization.pk, pairs=pairs)
    out_level, in_level = levels[pairs[0]], levels[pairs[1]]
    expected = {
        "kind": Kind.TRANSFER_OUT,
        "warehouse_id": source.pk,
        "product_id": product.pk,
        "on_hand_delta": -quantity,
        "reference": reference,
    }
    existing = ledger.replay(
        organization_id=organization.pk, external_reference=external_reference, expected=expected
    )
    if existing is not None:
        paired = StockMovement.objects.get(paired_movement=existing)
        if paired.warehouse_id != destination.pk:
            raise ExternalReferenceConflict(external_reference)
        return existing, paired
    if quantity > out_level.available:
        raise InsufficientStock(sku=product.sku, requested=quantity, available=out_level.available)
    transfer_out, transfer_in = ledger.record_movements(
        organization=organization,
        changes=[
            ledger.Change(out_level, Kind.TRANSFER_OUT, on_hand_delta=-quantity),
            ledger.Change(in_level, Kind.TRANSFER_IN, on_hand_delta=quantity),
        ],
        reason=reason,
        reference=reference,
        external_reference=external_reference,
        user_id=user_id,
        event_type="inventory.stock_transferred",
    )
    return transfer_out, transfer_in


@transaction.atomic
def expect_stock(
    *,
    organization: Organization,
    warehouse: Warehouse,
    product: Product,
    quantity: Decimal,
    expected_date: date,
    reference: str = "",
) -> IncomingStock:
    """Record an expected receipt, the date behind "back in stock on …" (no stock changes)."""
    ledger.check_owner(organization, warehouse=warehouse, product=product)
    ledger.check_quantity("quantity", quantity)
    return IncomingStock.objects.create(
        organization=organization,
        warehouse=warehouse,
        product=product,
        quantity=quantity,
        expected_date=expected_date,
        reference=reference,
    )
