from __future__ import annotations

from datetime import date, time
from decimal import Decimal

import factory

from meridian.catalog.models import Product
from meridian.inventory import services
from meridian.inventory.models import (
    IncomingStock,
    StockMovement,
    Supplier,
    SupplierProduct,
    Warehouse,
    WarehouseAssignment,
)
from tests.tenancy.factories import OrganizationFactory


class SupplierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Supplier

    organization = factory.SubFactory(OrganizationFactory)
    code = factory.Sequence(lambda n: f"SUP{n}")
    name = factory.Sequence(lambda n: f"Supplier {n}")


class WarehouseFactory(factory.django.DjangoModelFactory):
    """An own warehouse in UTC shipping Monday to Friday before 15:00; pass `kind`/`supplier` for others."""

    class Meta:
        model = Warehouse

    organization = factory.SubFactory(OrganizationFactory)
    code = factory.Sequence(lambda n: f"WH{n}")
    name = factory.Sequence(lambda n: f"Warehouse {n}")
    kind = Warehouse.Kind.OWN
    timezone = "UTC"
    cutoff_time = time(15, 0)


class WarehouseAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WarehouseAssignment

    warehouse = factory.SubFactory(WarehouseFactory)
    priority = 100


class SupplierProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupplierProduct

    supplier = factory.SubFactory(SupplierFactory)
    product = factory.SubFactory(
        "tests.catalog.factories.ProductFactory",
        organization=factory.SelfAttribute("..supplier.organization"),
    )
    lead_time_days = 3
    can_dropship = True


class IncomingStockFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IncomingStock

    organization = factory.SelfAttribute("warehouse.organization")
    warehouse = factory.SubFactory(WarehouseFactory)
    product = factory.SubFactory(
        "tests.catalog.factories.ProductFactory",
        organization=factory.SelfAttribute("..warehouse.organization"),
    )
    quantity = Decimal(10)
    expected_date = date(2026, 12, 4)


def receive(warehouse: Warehouse, product: Product, quantity: int | str | Decimal) -> StockMovement:
    """Stock comes only through the ledger: a receipt, never a bare StockLevel row."""
    return services.record_receipt(
        organization=warehouse.organization, warehouse=warehouse, product=product, quantity=Decimal(quantity)
    )
