"""Demo and scale-test inventory: three warehouses, a drop-ship supplier, opening stock and incoming receipts.

A data loader, so it writes with `bulk_create`, but it writes what the services would: every
level comes with the receipt movement that explains it, so `reconcile` finds no drift.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from meridian.catalog.models import Product
from meridian.core.errors import InvalidInput
from meridian.inventory.errors import InventoryAlreadySeeded
from meridian.inventory.models import (
    AccountBackorderPolicy,
    AllocationStrategy,
    BackorderPolicy,
    IncomingStock,
    ProductBackorderPolicy,
    StockLevel,
    StockMovement,
    Supplier,
    SupplierProduct,
    SupplierPurchaseOrder,
    SupplierPurchaseOrderLine,
    Warehouse,
    WarehouseAssignment,
    WebsiteInventorySettings,
)
from meridian.tenancy.models import Organization, Website

BATCH_SIZE = 2000
PRODUCT_CHUNK = 5000
OPENING_REFERENCE = "OPENING"


@dataclass(frozen=True, slots=True)
class Share:
    stocked: float  # products with stock in at least one own or 3PL warehouse
    incoming: float  # products with an expected receipt
    dropship: float  # products a supplier can drop-ship


PROFILES = {
    "tiny": Share(0.85, 0.10, 0.05),
    "small": Share(0.85, 0.08, 0.04),
    "medium": Share(0.85, 0.05, 0.03),
    "large": Share(0.85, 0.05, 0.03),
}


@dataclass(frozen=True, slots=True)
class _WarehouseSpec:
    code: str
    name: str
    kind: Warehouse.Kind
    city: str
    region: str
    postal_code: str
    country: str
    latitude: str
    longitude: str
    timezone: str
    cutoff: time
    priority: int


WAREHOUSES = (
    _WarehouseSpec(
        "CHI", "Chicago Distribution Center", Warehouse.Kind.OWN, "Chicago", "IL", "60632", "US",
        "41.8119", "-87.7069", "America/Chicago", time(15, 0), 10,
    ),
    _WarehouseSpec(
        "RNO", "Reno Distribution Center", Warehouse.Kind.OWN, "Reno", "NV", "89502", "US",
        "39.4949", "-119.7535", "America/Los_Angeles", time(14, 0), 20,
    ),
    _WarehouseSpec(
        "NJ3PL", "Edison Fulfillment (3PL)", Warehouse.Kind.THIRD_PARTY, "Edison", "NJ", "08837", "US",
        "40.5187", "-74.4121", "America/New_York", time(16, 0), 30,
    ),
)  # fmt: skip
SUPPLIER = ("ACME", "Acme Industrial Manufacturing", "orders@acme-industrial.test")
DROPSHIP_WAREHOUSE = _WarehouseSpec(
    "DS-ACME", "Acme drop-ship stock", Warehouse.Kind.DROPSHIP, "Toledo", "OH", "43604", "US",
    "41.6528", "-83.5379", "America/New_York", time(12, 0), 90,
)  # fmt: skip


def _chunks(items: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _opening_quantity(rng: random.Random) -> Decimal:
    roll = rng.random()
    if roll < 0.6:
        return Decimal(rng.randint(1, 200))
    if roll < 0.9:
        return Decimal(rng.randint(200, 2_000))
    return Decimal(rng.randint(2_000, 20_000))


@transaction.atomic
def seed_inventory(*, organization: Organization, rng: random.Random, profile: str) -> dict[str, int]:
    """Warehouses, a drop-ship supplier and opening stock for the organization's products; returns counts.

    Raises InventoryAlreadySeeded when the organization has warehouses, InvalidInput for an
    unknown profile.
    """
    if profile not in PROFILES:
        raise InvalidInput.on("profile", f"unknown profile {profile!r}; choose one of {sorted(PROFILES)}")
    if Warehouse.objects.filter(organization=organization).exists():
        raise InventoryAlreadySeeded(organization.name)
    share = PROFILES[profile]
    supplier = Supplier.objects.create(
        organization=organization, code=SUPPLIER[0], name=SUPPLIER[1], email=SUPPLIER[2]
    )
    warehouses = Warehouse.objects.bulk_create(
        [
            Warehouse(
                organization=organization,
                code=spec.code,
                name=spec.name,
                kind=spec.kind,
                supplier=supplier if spec.kind == Warehouse.Kind.DROPSHIP else None,
                city=spec.city,
                region=spec.region,
                postal_code=spec.postal_code,
                country=spec.country,
                latitude=Decimal(spec.latitude),
                longitude=Decimal(spec.longitude),
                timezone=spec.timezone,
                cutoff_time=spec.cutoff,
            )
            for spec in (*WAREHOUSES, DROPSHIP_WAREHOUSE)
        ]
    )
    stock_warehouses, dropship_warehouse = warehouses[:-1], warehouses[-1]
    priorities = {spec.code: spec.priority for spec in (*WAREHOUSES, DROPSHIP_WAREHOUSE)}
    websites = list(Website.objects.filter(organization=organization).order_by("pk"))
    WarehouseAssignment.objects.bulk_create(
        [
            WarehouseAssignment(warehouse=warehouse, website=website, priority=priorities[warehouse.code])
            for website in websites
            for warehouse in warehouses
        ]
    )
    WebsiteInventorySettings.objects.bulk_create(
        [
            WebsiteInventorySettings(
                website=website,
                allocation_strategy=AllocationStrategy.FEWEST_SHIPMENTS
                if index == 0
                else AllocationStrategy.PRIORITY,
                default_backorder_policy=BackorderPolicy.ALLOW,
            )
            for index, website in enumerate(websites)
        ]
    )
    product_ids = list(
        Product.objects.filter(organization=organization)
        .exclude(status=Product.Status.DRAFT)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    counts = {
        "warehouses": len(warehouses),
        "suppliers": 1,
        "stock_levels": 0,
        "incoming": 0,
        "dropship_products": 0,
    }
    now = timezone.now()
    today = now.date()
    for chunk in _chunks(product_ids, PRODUCT_CHUNK):
        counts_chunk = _seed_chunk(
            organization=organization,
            rng=rng,
            share=share,
            product_ids=chunk,
            stock_warehouses=stock_warehouses,
            dropship_warehouse=dropship_warehouse,
            supplier=supplier,
            today=today,
        )
        for key, value in counts_chunk.items():
            counts[key] += value
    _analyze()
    return counts


def _seed_chunk(
    *,
    organization: Organization,
    rng: random.Random,
    share: Share,
    product_ids: Sequence[int],
    stock_warehouses: Sequence[Warehouse],
    dropship_warehouse: Warehouse,
    supplier: Supplier,
    today: date,
) -> dict[str, int]:
    levels: list[StockLevel] = []
    movements: list[StockMovement] = []
    incoming: list[IncomingStock] = []
    supplier_products: list[SupplierProduct] = []
    policies: list[ProductBackorderPolicy] = []
    now = timezone.now()

    def receive(warehouse: Warehouse, product_id: int, quantity: Decimal) -> None:
        levels.append(
            StockLevel(
                organization=organization, warehouse=warehouse, product_id=product_id, on_hand=quantity
            )
        )
        movements.append(
            StockMovement(
                organization=organization,
                kind=StockMovement.Kind.RECEIPT,
                warehouse=warehouse,
                product_id=product_id,
                on_hand_delta=quantity,
                on_hand_after=quantity,
                allocated_after=Decimal(0),
                reason="Opening balance",
                reference=OPENING_REFERENCE,
                created_at=now,
            )
        )

    for product_id in product_ids:
        if rng.random() < share.stocked:
            chosen = [w for w in stock_warehouses if rng.random() < 0.7] or [rng.choice(stock_warehouses)]
            for warehouse in chosen:
                receive(warehouse, product_id, _opening_quantity(rng))
        if rng.random() < share.incoming:
            incoming.append(
                IncomingStock(
                    organization=organization,
                    warehouse=rng.choice(stock_warehouses[:2]),
                    product_id=product_id,
                    quantity=Decimal(rng.randint(50, 1_000)),
                    expected_date=today + timedelta(days=rng.randint(3, 45)),
                    reference=f"PO-{rng.randint(40_000, 49_999)}",
                )
            )
        if rng.random() < share.dropship:
            supplier_products.append(
                SupplierProduct(
                    supplier=supplier,
                    product_id=product_id,
                    supplier_sku=f"AC-{product_id:07d}",
                    lead_time_days=rng.randint(2, 10),
                    can_dropship=True,
                )
            )
            if rng.random() < 0.5:  # the supplier reports its stock of half of them
                receive(dropship_warehouse, product_id, Decimal(rng.randint(20, 5_000)))
        roll = rng.random()
        if roll < 0.02:
            policies.append(ProductBackorderPolicy(product_id=product_id, policy=BackorderPolicy.DENY))
        elif roll < 0.03:
            policies.append(ProductBackorderPolicy(product_id=product_id, policy=BackorderPolicy.PARTIAL))
    StockLevel.objects.bulk_create(levels, batch_size=BATCH_SIZE)
    StockMovement.objects.bulk_create(movements, batch_size=BATCH_SIZE)
    IncomingStock.objects.bulk_create(incoming, batch_size=BATCH_SIZE)
    SupplierProduct.objects.bulk_create(supplier_products, batch_size=BATCH_SIZE)
    ProductBackorderPolicy.objects.bulk_create(policies, batch_size=BATCH_SIZE)
    return {
        "stock_levels": len(levels),
        "incoming": len(incoming),
        "dropship_products": len(supplier_products),
    }


@transaction.atomic
def delete_inventory(*, organization: Organization) -> None:
    """Delete the organization's inventory, leaf tables first, each in one DELETE (before deleting it)."""
    SupplierPurchaseOrderLine.objects.filter(purchase_order__organization=organization).delete()
    SupplierPurchaseOrder.objects.filter(organization=organization).delete()
    StockMovement.objects.filter(organization=organization).delete()
    StockLevel.objects.filter(organization=organization).delete()
    IncomingStock.objects.filter(organization=organization).delete()
    SupplierProduct.objects.filter(supplier__organization=organization).delete()
    WarehouseAssignment.objects.filter(warehouse__organization=organization).delete()
    Warehouse.objects.filter(organization=organization).delete()
    Supplier.objects.filter(organization=organization).delete()
    ProductBackorderPolicy.objects.filter(product__organization=organization).delete()
    AccountBackorderPolicy.objects.filter(account__organization=organization).delete()
    WebsiteInventorySettings.objects.filter(website__organization=organization).delete()


def _analyze() -> None:
    """Fresh planner statistics after a bulk load (PostgreSQL)."""
    if connection.vendor != "postgresql":
        return
    tables = (StockLevel, StockMovement, IncomingStock, SupplierProduct, ProductBackorderPolicy)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(model._meta.db_table for model in tables))
