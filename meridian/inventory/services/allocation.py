"""Allocation of orders to warehouses and drop-ship suppliers; release on cancel, consume on shipment."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from meridian.catalog.models import Product
from meridian.core.errors import InvalidInput
from meridian.core.services import record_event
from meridian.customers.models import Account, Address
from meridian.inventory import engine, queries
from meridian.inventory.errors import (
    InsufficientStock,
    NothingAllocated,
    PurchaseOrderNotFound,
    PurchaseOrderTransitionNotAllowed,
)
from meridian.inventory.models import (
    StockMovement,
    SupplierProduct,
    SupplierPurchaseOrder,
    SupplierPurchaseOrderLine,
)
from meridian.inventory.queries import Pair
from meridian.inventory.services import ledger
from meridian.tenancy.models import Organization, Website

ZERO = Decimal(0)
Kind = StockMovement.Kind
PoStatus = SupplierPurchaseOrder.Status


@dataclass(frozen=True, slots=True)
class OrderLine:
    key: str  # the order line's own key, e.g. its number
    product_id: int
    quantity: Decimal  # in the product's base unit


@dataclass(frozen=True, slots=True)
class ShipTo:
    """Where the order goes: coordinates for the `nearest` strategy (else the address's own, when it
    has them), the address for drop-ship orders."""

    latitude: Decimal | None = None
    longitude: Decimal | None = None
    address_id: int | None = None

    @property
    def coordinates(self) -> engine.Coordinates | None:
        if self.latitude is None or self.longitude is None:
            return None
        return engine.Coordinates(float(self.latitude), float(self.longitude))


@dataclass(frozen=True, slots=True)
class AllocationResult:
    reference: str
    plan: engine.AllocationPlan
    purchase_order_ids: dict[int, int]  # supplier id -> the drop-ship purchase order created for it

    @property
    def lines(self) -> tuple[engine.LinePlan, ...]:
        return self.plan.lines


def _validate_order(lines: Sequence[OrderLine], reference: str) -> None:
    if not reference.strip():
        raise InvalidInput.on("reference", "must not be empty")
    if not lines:
        raise InvalidInput.on("lines", "an order needs at least one line")
    seen: set[str] = set()
    for index, line in enumerate(lines):
        if line.key in seen:
            raise InvalidInput.on(f"lines.{index}.key", f"line key {line.key!r} is used twice")
        seen.add(line.key)
        ledger.check_quantity(f"lines.{index}.quantity", line.quantity)


def allocate_order(
    *,
    organization: Organization,
    website: Website | None,
    account: Account | None,
    ship_to: ShipTo | None,
    lines: Sequence[OrderLine],
    reference: str,
    user_id: int | None = None,
) -> AllocationResult:
    """Allocate an order's lines to warehouses and drop-ship suppliers, or refuse it.

    Joins the caller's transaction (its own when there is none). Locks every candidate level
    of the lines' products in pk order, plans from the locked values with the website's
    strategy and each line's backorder policy, then writes the allocations to the ledger and
    the levels, creates supplier purchase orders for drop-ship pieces and one outbox event.
    Raises InsufficientStock, before writing anything, when a `deny` line cannot be covered;
    the caller's transaction is then untouched and usable.
    """
    ledger.check_owner(organization, website=website, account=account)
    _validate_order(lines, reference)

    def run() -> AllocationResult:
        return _allocate(
            organization=organization,
            website=website,
            account=account,
            ship_to=ship_to,
            lines=lines,
            reference=reference,
            user_id=user_id,
        )

    if transaction.get_connection().in_atomic_block:
        return run()
    with transaction.atomic():  # the row locks must live in a transaction
        return run()


def _allocate(
    *,
    organization: Organization,
    website: Website | None,
    account: Account | None,
    ship_to: ShipTo | None,
    lines: Sequence[OrderLine],
    reference: str,
    user_id: int | None,
) -> AllocationResult:
    # Reads and locks need no savepoint: until the first write nothing can leave the caller's
    # transaction half-done, and a refusal is raised before it. (A savepoint costs two round trips.)
    website_id = website.pk if website else None
    branch_id = account.branch_id if account else None
    route, version = queries.cached_routing(
        organization_id=organization.pk, website_id=website_id, branch_id=branch_id
    )
    product_ids = sorted({line.product_id for line in lines})
    account_path = account.path if account else ""
    inputs = queries.lock_for_allocation(
        organization_id=organization.pk,
        website_id=website_id,
        branch_id=branch_id,
        product_ids=product_ids,
        account_path=account_path,
        default_policy=route.default_policy,
    )
    levels, facts = inputs.levels, inputs.facts
    for index, line in enumerate(lines):
        if line.product_id not in facts:
            raise InvalidInput.on(f"lines.{index}.product", f"no product with id {line.product_id}")
    if inputs.routing_version != version:
        # The routing changed since this process cached it: read it again (the locks already
        # cover the current warehouses). Should yet another change land in between, a warehouse
        # it adds has no level locked by this order and offers it nothing: a second lock
        # statement would break the global lock order.
        route = queries.refresh_routing(
            organization_id=organization.pk,
            website_id=website_id,
            branch_id=branch_id,
            version=inputs.routing_version,
        )
        facts = queries.product_facts(
            organization_id=organization.pk,
            product_ids=product_ids,
            account_path=account_path,
            default_policy=route.default_policy,
        )
    dropshippable = [pk for pk, fact in facts.items() if fact.can_dropship]
    options = (
        queries.dropship_options(organization_id=organization.pk, product_ids=dropshippable)
        if dropshippable
        else {}
    )
    coordinates = ship_to.coordinates if ship_to else None
    if coordinates is None and ship_to and ship_to.address_id and route.strategy is engine.Strategy.NEAREST:
        # Only `nearest` needs them: one query then, none for the other strategies.
        coordinates = queries.address_coordinates(
            organization_id=organization.pk, address_id=ship_to.address_id
        )
    plan = engine.plan_allocation(
        engine.AllocationRequest(
            lines=[
                engine.LineRequest(line.key, line.product_id, line.quantity, facts[line.product_id].policy)
                for line in lines
            ],
            warehouses=route.candidates,
            available={pair: level.available for pair, level in levels.items()},
            strategy=route.strategy,
            ship_to=coordinates,
            dropship=options,
        )
    )
    if plan.refused:
        _refuse(plan, lines, {pk: fact.sku for pk, fact in facts.items()})
    changes: list[ledger.Change] = []
    for line_plan in plan.lines:
        for piece in line_plan.pieces:
            level = levels[(piece.warehouse_id, line_plan.product_id)]
            changes.append(ledger.Change(level, Kind.ALLOCATION, allocated_delta=piece.quantity))
        for dropship in line_plan.dropship:
            if dropship.warehouse_id is not None:
                level = levels[(dropship.warehouse_id, line_plan.product_id)]
                changes.append(ledger.Change(level, Kind.ALLOCATION, allocated_delta=dropship.quantity))
    # A write that fails marks the caller's transaction for rollback: no half-applied order.
    with transaction.atomic(savepoint=False):
        # Purchase orders first (none, and no query, without drop-ship pieces): the event names them.
        purchase_orders = _create_purchase_orders(
            organization=organization, plan=plan, reference=reference, account=account, ship_to=ship_to
        )
        event = ledger.Event(
            aggregate_type="allocation",
            aggregate_id=reference,
            event_type="inventory.stock_allocated",
            payload={
                "reference": reference,
                "lines": [_line_payload(line, purchase_orders) for line in plan.lines],
            },
        )
        ledger.write_changes(
            organization_id=organization.pk,
            changes=ledger.merge_changes(changes),
            reason=f"Order {reference}",
            reference=reference,
            user_id=user_id,
            event=event,
        )
    return AllocationResult(reference=reference, plan=plan, purchase_order_ids=purchase_orders)


def _refuse(plan: engine.AllocationPlan, lines: Sequence[OrderLine], skus: Mapping[int, str]) -> None:
    index_by_key = {line.key: index for index, line in enumerate(lines)}
    fields = {
        f"lines.{index_by_key[line.key]}.quantity": [f"requested {line.requested}, available {line.supplied}"]
        for line in plan.refused
    }
    first = plan.refused[0]
    raise InsufficientStock(
        sku=skus[first.product_id], requested=first.requested, available=first.supplied, fields=fields
    )


def _line_payload(line: engine.LinePlan, purchase_orders: Mapping[int, int]) -> dict[str, object]:
    return {
        "key": line.key,
        "product_id": line.product_id,
        "requested": str(line.requested),
        "warehouses": [{"warehouse_id": p.warehouse_id, "quantity": str(p.quantity)} for p in line.pieces],
        "dropship": [
            {
                "supplier_id": p.supplier_id,
                "purchase_order_id": purchase_orders.get(p.supplier_id),
                "quantity": str(p.quantity),
            }
            for p in line.dropship
        ],
        "backordered": str(line.backordered),
        "cancelled": str(line.cancelled),
    }


def _create_purchase_orders(
    *,
    organization: Organization,
    plan: engine.AllocationPlan,
    reference: str,
    account: Account | None,
    ship_to: ShipTo | None,
) -> dict[int, int]:
    """One drop-ship purchase order per supplier, numbered from its id (a few queries, only when needed)."""
    by_supplier: dict[int, list[tuple[engine.LinePlan, engine.DropShipPiece]]] = {}
    for line in plan.lines:
        for piece in line.dropship:
            by_supplier.setdefault(piece.supplier_id, []).append((line, piece))
    if not by_supplier:
        return {}
    address_id = ship_to.address_id if ship_to else None
    if (
        address_id is not None
        and not Address.objects.filter(pk=address_id, account__organization_id=organization.pk).exists()
    ):
        raise InvalidInput.on("ship_to.address", f"no address with id {address_id}")
    today = timezone.localdate()
    orders = SupplierPurchaseOrder.objects.bulk_create(
        [
            SupplierPurchaseOrder(
                organization=organization,
                supplier_id=supplier_id,
                reference=reference,
                account=account,
                ship_to_address_id=address_id,
                expected_ship_date=today + timedelta(days=max(piece.lead_time_days for _, piece in pieces)),
            )
            for supplier_id, pieces in sorted(by_supplier.items())
        ]
    )
    for order in orders:
        order.number = f"DS-{order.pk:06d}"
    SupplierPurchaseOrder.objects.bulk_update(orders, ["number"])
    supplier_skus = {
        (supplier_id, product_id): supplier_sku
        for supplier_id, product_id, supplier_sku in SupplierProduct.objects.filter(
            supplier_id__in=sorted(by_supplier),
            product_id__in=sorted({line.product_id for pieces in by_supplier.values() for line, _ in pieces}),
        ).values_list("supplier_id", "product_id", "supplier_sku")
    }
    by_id = {order.supplier_id: order for order in orders}
    SupplierPurchaseOrderLine.objects.bulk_create(
        [
            SupplierPurchaseOrderLine(
                purchase_order=by_id[supplier_id],
                product_id=line.product_id,
                supplier_sku=supplier_skus.get((supplier_id, line.product_id), ""),
                line_key=line.key,
                quantity=piece.quantity,
                warehouse_id=piece.warehouse_id,
            )
            for supplier_id, pieces in sorted(by_supplier.items())
            for line, piece in pieces
        ]
    )
    for order in orders:
        record_event(
            organization_id=organization.pk,
            aggregate_type="supplier_purchase_order",
            aggregate_id=order.pk,
            event_type="inventory.supplier_purchase_order_created",
            payload={"number": order.number, "supplier_id": order.supplier_id, "reference": reference},
        )
    return {order.supplier_id: order.pk for order in orders}


# --- release and shipment -------------------------------------------------------------------


OPEN_PO_STATUSES = [PoStatus.DRAFT, PoStatus.SENT, PoStatus.CONFIRMED]
PO_TRANSITIONS: dict[str, set[str]] = {
    PoStatus.DRAFT: {PoStatus.SENT, PoStatus.CANCELLED},
    PoStatus.SENT: {PoStatus.CONFIRMED, PoStatus.SHIPPED, PoStatus.CANCELLED},
    PoStatus.CONFIRMED: {PoStatus.SHIPPED, PoStatus.CANCELLED},
    PoStatus.SHIPPED: set(),
    PoStatus.CANCELLED: set(),
}


def next_purchase_order_statuses(status: str) -> list[SupplierPurchaseOrder.Status]:
    """The statuses a drop-ship purchase order in `status` may move to, in workflow order."""
    allowed = PO_TRANSITIONS.get(status, set())
    return [choice for choice in PoStatus if choice in allowed]


@dataclass(frozen=True, slots=True)
class ReleaseResult:
    movements: list[StockMovement]
    cancelled_purchase_order_ids: list[int]


def release_allocation(
    *, organization: Organization, reference: str, reason: str = "", user_id: int | None = None
) -> ReleaseResult:
    """Give back everything `reference` still holds allocated and cancel its open drop-ship orders.

    Joins the caller's transaction. Locks the open purchase orders, then the levels, each in
    pk order. Releasing twice is harmless: the second call finds nothing outstanding.
    """
    with transaction.atomic():
        orders = list(
            SupplierPurchaseOrder.objects.filter(
                organization=organization, reference=reference, status__in=OPEN_PO_STATUSES
            )
            .order_by("pk")
            .select_for_update(of=("self",))
        )
        levels = queries.lock_allocated_levels(organization_id=organization.pk, reference=reference)
        outstanding = queries.outstanding_allocations(organization_id=organization.pk, reference=reference)
        changes = [
            ledger.Change(levels[pair], Kind.RELEASE, allocated_delta=-quantity)
            for pair, quantity in sorted(outstanding.items())
        ]
        movements, payload = ledger.apply_changes(
            organization_id=organization.pk,
            changes=changes,
            reason=reason or f"Order {reference} released",
            reference=reference,
            user_id=user_id,
        )
        StockMovement.objects.bulk_create(movements)
        cancelled = [order.pk for order in orders]
        if cancelled:
            SupplierPurchaseOrder.objects.filter(pk__in=cancelled).update(
                status=PoStatus.CANCELLED, updated_at=timezone.now()
            )
        if movements or cancelled:
            record_event(
                organization_id=organization.pk,
                aggregate_type="allocation",
                aggregate_id=reference,
                event_type="inventory.allocation_released",
                payload={
                    "reference": reference,
                    "cancelled_purchase_order_ids": cancelled,
                    "levels": payload,
                },
            )
    return ReleaseResult(movements=movements, cancelled_purchase_order_ids=cancelled)


@dataclass(frozen=True, slots=True)
class ShipmentLine:
    product_id: int
    quantity: Decimal
    warehouse_id: int | None = None  # None: from wherever the reference holds it, lowest level first


def ship_allocation(
    *,
    organization: Organization,
    reference: str,
    lines: Sequence[ShipmentLine] | None = None,
    reason: str = "",
    user_id: int | None = None,
) -> list[StockMovement]:
    """Consume allocated stock as it leaves own and 3PL warehouses: on hand and allocated both drop.

    `lines=None` ships everything `reference` holds there (drop-ship stock is consumed when its
    purchase order ships). Raises NothingAllocated when a line asks for more than is allocated.
    Joins the caller's transaction; locks the levels in pk order.
    """
    for index, line in enumerate(lines or ()):
        ledger.check_quantity(f"lines.{index}.quantity", line.quantity)
    with transaction.atomic():
        levels = queries.lock_allocated_levels(organization_id=organization.pk, reference=reference)
        outstanding = {
            pair: quantity
            for pair, quantity in queries.outstanding_allocations(
                organization_id=organization.pk, reference=reference
            ).items()
            if levels[pair].warehouse.holds_own_stock
        }
        take: dict[Pair, Decimal] = dict(outstanding) if lines is None else {}
        for line in lines or ():
            pairs = sorted(
                (
                    pair
                    for pair in outstanding
                    if pair[1] == line.product_id and line.warehouse_id in (None, pair[0])
                ),
                key=lambda pair: levels[pair].pk,
            )
            left = line.quantity
            for pair in pairs:
                quantity = min(left, outstanding[pair] - take.get(pair, ZERO))
                if quantity > 0:
                    take[pair] = take.get(pair, ZERO) + quantity
                    left -= quantity
            if left > 0:
                raise NothingAllocated(
                    reference=reference,
                    sku=_sku(organization, line.product_id),
                    requested=line.quantity,
                    allocated=line.quantity - left,
                )
        changes = [
            ledger.Change(levels[pair], Kind.SHIPMENT, on_hand_delta=-quantity, allocated_delta=-quantity)
            for pair, quantity in sorted(take.items())
        ]
        movements, payload = ledger.apply_changes(
            organization_id=organization.pk,
            changes=changes,
            reason=reason or f"Order {reference} shipped",
            reference=reference,
            user_id=user_id,
        )
        StockMovement.objects.bulk_create(movements)
        if movements:
            record_event(
                organization_id=organization.pk,
                aggregate_type="allocation",
                aggregate_id=reference,
                event_type="inventory.allocation_shipped",
                payload={"reference": reference, "levels": payload},
            )
    return movements


def _sku(organization: Organization, product_id: int) -> str:
    sku = (
        Product.objects.filter(organization=organization, pk=product_id).values_list("sku", flat=True).first()
    )
    return sku or str(product_id)


@transaction.atomic
def set_purchase_order_status(
    *,
    organization: Organization,
    purchase_order: SupplierPurchaseOrder,
    status: SupplierPurchaseOrder.Status,
    user_id: int | None = None,
) -> SupplierPurchaseOrder:
    """Move a drop-ship purchase order along draft → sent → confirmed → shipped (or cancelled).

    Shipping consumes, and cancelling releases, what the order reserved in the supplier's
    drop-ship warehouse. Raises PurchaseOrderTransitionNotAllowed; setting the current status
    again is a no-op. Locks the order, then the levels.
    """
    order = (
        SupplierPurchaseOrder.objects.filter(organization=organization, pk=purchase_order.pk)
        .select_for_update(of=("self",))
        .first()
    )
    if order is None:
        raise PurchaseOrderNotFound(purchase_order.pk)
    if order.status == status:
        return order
    if status not in PO_TRANSITIONS[order.status]:
        raise PurchaseOrderTransitionNotAllowed(number=order.number, current=order.status, target=status)
    tracked = [
        ((line.warehouse_id, line.product_id), line.quantity)
        for line in order.lines.all()
        if line.warehouse_id is not None
    ]
    payload: list[dict[str, object]] = []
    if tracked and status in (PoStatus.SHIPPED, PoStatus.CANCELLED):
        levels = queries.lock_stock_levels(
            organization_id=organization.pk,
            warehouse_ids={warehouse_id for (warehouse_id, _), _ in tracked},
            product_ids={product_id for (_, product_id), _ in tracked},
        )
        outstanding = queries.outstanding_allocations(
            organization_id=organization.pk, reference=order.reference
        )
        changes = []
        for pair, ordered in tracked:
            quantity = min(ordered, outstanding.get(pair, ZERO))
            if quantity <= 0:
                continue
            outstanding[pair] -= quantity
            if status == PoStatus.SHIPPED:
                change = ledger.Change(
                    levels[pair], Kind.SHIPMENT, on_hand_delta=-quantity, allocated_delta=-quantity
                )
            else:
                change = ledger.Change(levels[pair], Kind.RELEASE, allocated_delta=-quantity)
            changes.append(change)
        movements, payload = ledger.apply_changes(
            organization_id=organization.pk,
            changes=ledger.merge_changes(changes),
            reason=f"Drop-ship order {order.number} {status}",
            reference=order.reference,
            user_id=user_id,
        )
        StockMovement.objects.bulk_create(movements)
    previous = order.status
    order.status = status
    order.save(update_fields=["status", "updated_at"])
    record_event(
        organization_id=organization.pk,
        aggregate_type="supplier_purchase_order",
        aggregate_id=order.pk,
        event_type="inventory.supplier_purchase_order_status_changed",
        payload={
            "number": order.number,
            "from": previous,
            "to": status,
            "reference": order.reference,
            "levels": payload,
        },
    )
    return order
