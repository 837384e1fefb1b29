"""Setting inventory up: warehouses, assignments, suppliers, website settings, expected receipts."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

import pytest

from meridian.core.errors import InvalidInput
from meridian.inventory import services
from meridian.inventory.models import (
    AllocationStrategy,
    BackorderPolicy,
    IncomingStock,
    SupplierPurchaseOrder,
    Warehouse,
    WarehouseAssignment,
)
from meridian.inventory.queries import routing
from tests.catalog.factories import ProductFactory
from tests.inventory.factories import SupplierFactory, SupplierProductFactory, WarehouseFactory, receive
from tests.tenancy.factories import BranchFactory, OrganizationFactory, WebsiteFactory

D = Decimal


@pytest.mark.django_db
def test_upsert_warehouse_creates_then_updates_by_code() -> None:
    org = OrganizationFactory()
    data = services.WarehouseInput(
        code="CHI",
        name="Chicago DC",
        latitude=D("41.8"),
        longitude=D("-87.6"),
        timezone="America/Chicago",
        cutoff_time=time(15, 30),
        shipping_weekdays="54321",
        country="us",
    )

    created, was_created = services.upsert_warehouse(organization=org, data=data)
    updated, created_again = services.upsert_warehouse(
        organization=org, data=services.WarehouseInput(code="CHI", name="Chicago Distribution Center")
    )

    assert was_created and not created_again
    assert created.pk == updated.pk
    assert (created.shipping_weekdays, created.country, created.cutoff_time) == ("12345", "US", time(15, 30))
    assert updated.name == "Chicago Distribution Center"


@pytest.mark.django_db
def test_upsert_warehouse_reports_every_bad_field_and_writes_nothing() -> None:
    org = OrganizationFactory()
    data = services.WarehouseInput(
        code="has space",
        name="",
        kind=Warehouse.Kind.DROPSHIP,
        latitude=D(91),
        longitude=D(0),
        timezone="Mars/Olympus",
        shipping_weekdays="89",
    )

    with pytest.raises(InvalidInput) as excinfo:
        services.upsert_warehouse(organization=org, data=data)

    assert set(excinfo.value.fields) == {
        "code",
        "name",
        "supplier",
        "latitude",
        "timezone",
        "shipping_weekdays",
    }
    assert not Warehouse.objects.exists()


@pytest.mark.django_db
def test_a_drop_ship_warehouse_belongs_to_a_supplier_of_the_same_organization() -> None:
    org = OrganizationFactory()
    foreign_supplier = SupplierFactory()
    supplier = services.upsert_supplier(organization=org, code="ACME", name="Acme")

    with pytest.raises(InvalidInput):
        services.upsert_warehouse(
            organization=org,
            data=services.WarehouseInput(
                code="DS", name="Drop-ship", kind=Warehouse.Kind.DROPSHIP, supplier_id=foreign_supplier.pk
            ),
        )
    warehouse, _ = services.upsert_warehouse(
        organization=org,
        data=services.WarehouseInput(
            code="DS", name="Drop-ship", kind=Warehouse.Kind.DROPSHIP, supplier_id=supplier.pk
        ),
    )

    assert warehouse.supplier_id == supplier.pk
    assert not warehouse.holds_own_stock


@pytest.mark.django_db
def test_routing_reads_assignments_and_website_settings() -> None:
    website = WebsiteFactory()
    org = website.organization
    branch = BranchFactory(organization=org)
    chicago, reno = WarehouseFactory(organization=org), WarehouseFactory(organization=org)
    services.assign_warehouse(warehouse=chicago, website=website, priority=5)
    services.assign_warehouse(warehouse=chicago, website=website, priority=1)  # updates, no duplicate
    services.assign_warehouse(warehouse=reno, branch=branch, priority=3)
    services.configure_website(
        website=website,
        allocation_strategy=AllocationStrategy.FEWEST_SHIPMENTS,
        default_backorder_policy=BackorderPolicy.PARTIAL,
    )

    for_website = routing(organization_id=org.pk, website_id=website.pk, branch_id=None)
    for_branch = routing(organization_id=org.pk, website_id=website.pk, branch_id=branch.pk)

    assert WarehouseAssignment.objects.filter(warehouse=chicago).count() == 1
    assert [(c.warehouse_id, c.priority) for c in for_website.candidates] == [(chicago.pk, 1)]
    assert (for_website.strategy, for_website.default_policy) == ("fewest_shipments", "partial")
    assert sorted(c.warehouse_id for c in for_branch.candidates) == [chicago.pk, reno.pk]
    with pytest.raises(InvalidInput):
        services.assign_warehouse(warehouse=chicago)
    with pytest.raises(InvalidInput):
        services.assign_warehouse(warehouse=chicago, website=WebsiteFactory())


@pytest.mark.django_db
def test_a_website_without_settings_or_warehouses_routes_by_priority_and_denies() -> None:
    website = WebsiteFactory()

    route = routing(organization_id=website.organization_id, website_id=website.pk, branch_id=None)

    assert (route.strategy, route.default_policy, route.candidates) == ("priority", "deny", [])


@pytest.mark.django_db
def test_expect_stock_records_an_expected_receipt() -> None:
    warehouse = WarehouseFactory()
    product = ProductFactory(organization=warehouse.organization)

    incoming = services.expect_stock(
        organization=warehouse.organization,
        warehouse=warehouse,
        product=product,
        quantity=D(40),
        expected_date=date(2026, 12, 4),
        reference="PO-4411",
    )

    assert IncomingStock.objects.get() == incoming
    assert (incoming.quantity, incoming.received_at) == (D(40), None)
    with pytest.raises(InvalidInput):
        services.expect_stock(
            organization=warehouse.organization,
            warehouse=warehouse,
            product=product,
            quantity=D(0),
            expected_date=date(2026, 12, 4),
        )


@pytest.mark.django_db
def test_cancelling_a_drop_ship_order_releases_the_supplier_stock_it_held() -> None:
    website = WebsiteFactory()
    org = website.organization
    supplier = SupplierFactory(organization=org)
    supplier_stock = WarehouseFactory(organization=org, kind=Warehouse.Kind.DROPSHIP, supplier=supplier)
    services.assign_warehouse(warehouse=supplier_stock, website=website, priority=9)
    product = ProductFactory(organization=org)
    SupplierProductFactory(supplier=supplier, product=product)
    receive(supplier_stock, product, 10)
    result = services.allocate_order(
        organization=org,
        website=website,
        account=None,
        ship_to=None,
        lines=[services.OrderLine("1", product.pk, D(4))],
        reference="SO-1",
    )
    order = SupplierPurchaseOrder.objects.get(pk=result.purchase_order_ids[supplier.pk])

    services.set_purchase_order_status(
        organization=org, purchase_order=order, status=SupplierPurchaseOrder.Status.CANCELLED
    )
    again = services.set_purchase_order_status(
        organization=org, purchase_order=order, status=SupplierPurchaseOrder.Status.CANCELLED
    )

    level = supplier_stock.stock_levels.get(product=product)
    assert (level.on_hand, level.allocated) == (D(10), D(0))
    assert again.status == SupplierPurchaseOrder.Status.CANCELLED
