"""Read paths: availability for a page of products, stock and ledger lists, warehouses by reference."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

import pytest

from meridian.inventory import services
from meridian.inventory.errors import PurchaseOrderNotFound, WarehouseNotFound
from meridian.inventory.models import BackorderPolicy, StockMovement, SupplierPurchaseOrder, Warehouse
from meridian.inventory.queries import (
    availability,
    availability_for,
    get_supplier_purchase_order,
    get_warehouse,
    list_incoming_stock,
    list_movements,
    list_stock_levels,
    list_supplier_purchase_orders,
    list_suppliers,
    list_warehouses,
)
from tests.actors import actor_for
from tests.catalog.factories import ProductFactory
from tests.customers.factories import AccountFactory, BuyerUserFactory
from tests.inventory.factories import (
    IncomingStockFactory,
    SupplierFactory,
    SupplierProductFactory,
    WarehouseAssignmentFactory,
    WarehouseFactory,
    receive,
)
from tests.tenancy.factories import OrganizationFactory, WebsiteFactory

D = Decimal
WEDNESDAY_NOON_CHICAGO = datetime(2026, 3, 4, 18, 0, tzinfo=UTC)  # 19:00 in Berlin


@pytest.mark.django_db
def test_availability_says_per_warehouse_what_ships_today_in_each_timezone() -> None:
    website = WebsiteFactory()
    org = website.organization
    chicago = WarehouseFactory(
        organization=org, code="CHI", timezone="America/Chicago", cutoff_time=time(15, 0)
    )
    berlin = WarehouseFactory(organization=org, code="BER", timezone="Europe/Berlin", cutoff_time=time(15, 0))
    WarehouseAssignmentFactory(warehouse=chicago, website=website, priority=2)
    WarehouseAssignmentFactory(warehouse=berlin, website=website, priority=1)
    in_chicago, only_in_berlin = ProductFactory(organization=org), ProductFactory(organization=org)
    receive(chicago, in_chicago, 40)
    receive(berlin, in_chicago, 60)
    receive(berlin, only_in_berlin, 5)

    result = availability(
        organization_id=org.pk,
        website_id=website.pk,
        product_ids=[in_chicago.pk, only_in_berlin.pk],
        now=WEDNESDAY_NOON_CHICAGO,
    )

    both = result.products[in_chicago.pk]
    assert both.total_available == D(100)
    assert [
        (result.warehouses[w.warehouse_id].code, w.available, w.ships_today) for w in both.warehouses
    ] == [
        ("BER", D(60), False),
        ("CHI", D(40), True),
    ]
    assert both.ships_today
    assert both.order_by == datetime(2026, 3, 4, 21, 0, tzinfo=UTC)  # 15:00 in Chicago
    berlin_only = result.products[only_in_berlin.pk]
    assert not berlin_only.ships_today
    assert berlin_only.ship_date == date(2026, 3, 5)


@pytest.mark.django_db
def test_availability_gives_the_next_receipt_drop_ship_lead_time_and_the_accounts_policy() -> None:
    website = WebsiteFactory()
    org = website.organization
    warehouse = WarehouseFactory(organization=org)
    WarehouseAssignmentFactory(warehouse=warehouse, website=website)
    product = ProductFactory(organization=org)
    IncomingStockFactory(warehouse=warehouse, product=product, expected_date=date(2026, 3, 20))
    IncomingStockFactory(warehouse=warehouse, product=product, expected_date=date(2026, 3, 12))
    SupplierProductFactory(supplier=SupplierFactory(organization=org), product=product, lead_time_days=4)
    account = AccountFactory(organization=org)
    services.set_account_backorder_policy(account=account, policy=BackorderPolicy.ALLOW)

    result = availability(
        organization_id=org.pk,
        website_id=website.pk,
        product_ids=[product.pk],
        now=WEDNESDAY_NOON_CHICAGO,
        account=account,
    ).products[product.pk]

    assert result.total_available == D(0)
    assert result.next_incoming_date == date(2026, 3, 12)
    assert result.dropship_lead_time_days == 4
    assert result.backorder_policy == BackorderPolicy.ALLOW


@pytest.mark.django_db
def test_a_buyer_sees_availability_from_their_website_and_branch() -> None:
    buyer = BuyerUserFactory()
    org = buyer.account.organization
    website = WebsiteFactory(organization=org)
    mine, elsewhere = WarehouseFactory(organization=org), WarehouseFactory(organization=org)
    WarehouseAssignmentFactory(warehouse=mine, website=website)
    product = ProductFactory(organization=org)
    receive(mine, product, 3)
    receive(elsewhere, product, 50)

    result = availability_for(
        actor=actor_for(buyer, website_id=website.pk), product_ids=[product.pk], now=WEDNESDAY_NOON_CHICAGO
    )

    assert result.products[product.pk].total_available == D(3)
    assert list(result.warehouses) == [mine.pk]


@pytest.mark.django_db
@pytest.mark.parametrize("products", [1, 48])
def test_availability_for_a_page_takes_a_fixed_number_of_queries(
    products: int, django_assert_num_queries: Any
) -> None:
    website = WebsiteFactory()
    org = website.organization
    warehouses = [WarehouseFactory(organization=org) for _ in range(3)]
    for priority, warehouse in enumerate(warehouses):
        WarehouseAssignmentFactory(warehouse=warehouse, website=website, priority=priority)
    ids = []
    for _ in range(products):
        product = ProductFactory(organization=org)
        receive(warehouses[0], product, 5)
        ids.append(product.pk)
    account = AccountFactory(organization=org)

    # routing (warehouses + settings), products (+ policies, override, lead time, next receipt), levels
    with django_assert_num_queries(3):
        result = availability(
            organization_id=org.pk,
            website_id=website.pk,
            product_ids=ids,
            now=WEDNESDAY_NOON_CHICAGO,
            account=account,
        )

    assert len(result.products) == products


@pytest.mark.django_db
def test_get_warehouse_by_id_code_or_external_id_and_never_another_organizations() -> None:
    warehouse = WarehouseFactory(code="CHI", external_id="SAP-1")
    other = WarehouseFactory()
    org_id = warehouse.organization_id

    found = [
        get_warehouse(organization_id=org_id, reference=ref).pk for ref in (warehouse.pk, "CHI", "ext:SAP-1")
    ]

    assert found == [warehouse.pk] * 3
    with pytest.raises(WarehouseNotFound):
        get_warehouse(organization_id=org_id, reference=other.pk)


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 5])
def test_lists_take_one_query_whatever_the_rows(rows: int, django_assert_num_queries: Any) -> None:
    org = OrganizationFactory()
    supplier = SupplierFactory(organization=org)
    for index in range(rows):
        warehouse = WarehouseFactory(
            organization=org, kind=Warehouse.Kind.DROPSHIP if index % 2 else Warehouse.Kind.OWN,
            supplier=supplier if index % 2 else None,
        )  # fmt: skip
        product = ProductFactory(organization=org)
        receive(warehouse, product, 5)
        IncomingStockFactory(warehouse=warehouse, product=product)

    with django_assert_num_queries(1):  # warehouses + supplier
        assert len([w.supplier for w in list_warehouses(organization_id=org.pk)]) == rows
    with django_assert_num_queries(1):  # levels + warehouse + product
        assert (
            len([(s.warehouse.code, s.product.sku) for s in list_stock_levels(organization_id=org.pk)])
            == rows
        )
    with django_assert_num_queries(1):  # movements + warehouse + product
        movements = list_movements(organization_id=org.pk, kind=StockMovement.Kind.RECEIPT)
        assert len([(m.warehouse.code, m.product.sku) for m in movements]) == rows
    with django_assert_num_queries(1):  # incoming + warehouse + product
        assert (
            len([(i.warehouse.code, i.product.sku) for i in list_incoming_stock(organization_id=org.pk)])
            == rows
        )


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 5])
def test_supplier_purchase_orders_list_in_two_queries(rows: int, django_assert_num_queries: Any) -> None:
    supplier = SupplierFactory()
    org = supplier.organization
    for index in range(rows):
        order = SupplierPurchaseOrder.objects.create(
            organization=org, supplier=supplier, number=f"DS-{index}"
        )
        for _ in range(2):
            order.lines.create(product=ProductFactory(organization=org), quantity=D(1))

    # orders + supplier, lines + product
    with django_assert_num_queries(2):
        orders = list_supplier_purchase_orders(organization_id=org.pk)
        lines = [(order.supplier.code, line.product.sku) for order in orders for line in order.lines.all()]
    assert len(lines) == 2 * rows


@pytest.mark.django_db
def test_ledger_filters_by_product_warehouse_kind_and_reference() -> None:
    website = WebsiteFactory()
    org = website.organization
    warehouse = WarehouseFactory(organization=org)
    WarehouseAssignmentFactory(warehouse=warehouse, website=website)
    product, other = ProductFactory(organization=org), ProductFactory(organization=org)
    receive(warehouse, product, 5)
    receive(warehouse, other, 5)
    services.allocate_order(
        organization=org,
        website=website,
        account=None,
        ship_to=None,
        lines=[services.OrderLine("1", product.pk, D(2))],
        reference="SO-1",
    )

    by_reference = list_movements(organization_id=org.pk, reference="SO-1")
    by_product = list_movements(organization_id=org.pk, product_id=product.pk, warehouse_id=warehouse.pk)

    assert [m.kind for m in by_reference] == ["allocation"]
    assert [m.kind for m in by_product] == ["allocation", "receipt"]


@pytest.mark.django_db
def test_a_supplier_purchase_order_by_number_or_id_within_the_organization() -> None:
    supplier = SupplierFactory(code="ACME")
    order = SupplierPurchaseOrder.objects.create(
        organization=supplier.organization, supplier=supplier, number="DS-000042"
    )
    other = SupplierPurchaseOrder.objects.create(
        organization=OrganizationFactory(), supplier=SupplierFactory()
    )
    org_id = supplier.organization_id

    by_number = get_supplier_purchase_order(organization_id=org_id, reference="DS-000042")
    by_id = get_supplier_purchase_order(organization_id=org_id, reference=order.pk)

    assert by_number == by_id == order
    assert [s.code for s in list_suppliers(organization_id=org_id)] == ["ACME"]
    with pytest.raises(PurchaseOrderNotFound):
        get_supplier_purchase_order(organization_id=org_id, reference=other.pk)
