"""Domain reads and writes the channels need: bulk stock counts, lookups by reference, SKU availability."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from meridian.core.models import OutboxEvent
from meridian.inventory import services
from meridian.inventory.errors import InvalidStockRows, RowError, WarehouseNotFound
from meridian.inventory.models import BackorderPolicy, StockLevel, StockMovement
from meridian.inventory.queries import (
    availability_by_sku,
    find_supplier,
    get_warehouse,
    products_by_sku,
    warehouses_by_reference,
)
from tests.actors import actor_for
from tests.catalog.factories import ProductFactory
from tests.customers.factories import BuyerUserFactory
from tests.inventory.factories import SupplierFactory, WarehouseAssignmentFactory, WarehouseFactory, receive
from tests.staff.factories import StaffMemberFactory
from tests.tenancy.factories import OrganizationFactory, WebsiteFactory

D = Decimal
NOW = datetime(2026, 3, 4, 18, 0, tzinfo=UTC)


@pytest.mark.django_db
def test_count_stock_sets_every_level_in_one_event_and_skips_levels_already_counted() -> None:
    warehouse = WarehouseFactory(code="CHI")
    org = warehouse.organization
    counted, unchanged, new = (ProductFactory(organization=org) for _ in range(3))
    receive(warehouse, counted, 10)
    receive(warehouse, unchanged, 4)

    result = services.count_stock(
        organization=org,
        counts=[
            services.StockCount(0, warehouse, counted, D(7)),
            services.StockCount(1, warehouse, unchanged, D(4)),
            services.StockCount(2, warehouse, new, D("2.5")),
        ],
        reference="COUNT-1",
        user_id=9,
    )

    assert sorted(m.on_hand_delta for m in result.movements) == [D(-3), D("2.5")]
    assert result.levels[(warehouse.pk, unchanged.pk)] == (D(4), D(0))
    assert StockLevel.objects.get(warehouse=warehouse, product=new).on_hand == D("2.5")
    event = OutboxEvent.objects.get(event_type="inventory.stock_counted")
    assert event.payload["movement_ids"] == [m.pk for m in result.movements]


@pytest.mark.django_db
def test_count_stock_reports_every_bad_row_with_the_callers_and_writes_nothing() -> None:
    warehouse = WarehouseFactory()
    org = warehouse.organization
    product = ProductFactory(organization=org)
    foreign = ProductFactory()
    receive(warehouse, product, 10)
    before = StockMovement.objects.count()

    with pytest.raises(InvalidStockRows) as excinfo:
        services.count_stock(
            organization=org,
            counts=[
                services.StockCount(0, warehouse, product, D(-1)),
                services.StockCount(2, warehouse, foreign, D(1)),
                services.StockCount(3, warehouse, product, D("1.0001")),
            ],
            rejected=[RowError(1, "sku", "no product X")],
        )

    assert [(e.row, e.field) for e in excinfo.value.rows] == [
        (0, "on_hand"),
        (1, "sku"),
        (2, "sku"),
        (3, "on_hand"),
    ]
    assert excinfo.value.fields["rows.1.sku"] == ["no product X"]
    assert StockMovement.objects.count() == before


@pytest.mark.django_db
def test_warehouses_by_reference_by_id_code_and_external_id_of_one_organization() -> None:
    chicago = WarehouseFactory(code="CHI", external_id="WMS-1")
    WarehouseFactory(code="RNO")  # another organization's
    references = [str(chicago.pk), "CHI", "ext:WMS-1", "RNO", "ext:", "²", "9" * 30]

    found = warehouses_by_reference(organization_id=chicago.organization_id, references=references)

    assert {reference: w.pk for reference, w in found.items()} == {
        str(chicago.pk): chicago.pk,
        "CHI": chicago.pk,
        "ext:WMS-1": chicago.pk,
    }


@pytest.mark.django_db
@pytest.mark.parametrize("reference", ["ext:", "²", "9" * 30])
def test_get_warehouse_never_matches_unusable_references(reference: str) -> None:
    warehouse = WarehouseFactory(code="CHI")  # no external id: a bare "ext:" must not match it

    with pytest.raises(WarehouseNotFound):
        get_warehouse(organization_id=warehouse.organization_id, reference=reference)


@pytest.mark.django_db
def test_products_by_sku_and_find_supplier_stay_in_the_organization() -> None:
    org = OrganizationFactory()
    mine = ProductFactory(organization=org, sku="A-1")
    ProductFactory(sku="B-1")
    supplier = SupplierFactory(organization=org, code="ACME", external_id="SAP-9")
    SupplierFactory(code="OTHER")

    assert products_by_sku(organization_id=org.pk, skus=["A-1", "B-1"]) == {"A-1": mine}
    assert find_supplier(organization_id=org.pk, reference="ACME") == supplier
    assert find_supplier(organization_id=org.pk, reference="ext:SAP-9") == supplier
    assert find_supplier(organization_id=org.pk, reference="OTHER") is None
    assert find_supplier(organization_id=org.pk, reference="ext:") is None


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 5])
def test_availability_by_sku_in_order_with_unknown_skus_and_flat_queries(
    rows: int, django_assert_num_queries: Any
) -> None:
    website = WebsiteFactory()
    org = website.organization
    warehouse = WarehouseFactory(organization=org)
    WarehouseAssignmentFactory(warehouse=warehouse, website=website)
    skus = []
    for index in range(rows):
        product = ProductFactory(organization=org, sku=f"S-{index}")
        receive(warehouse, product, index + 1)
        skus.append(product.sku)
    staff = actor_for(StaffMemberFactory(organization=org), website_id=website.pk)

    # products by SKU, routing, product facts, stock levels
    with django_assert_num_queries(4):
        result = availability_by_sku(actor=staff, skus=[*reversed(skus), "NOPE"], now=NOW)

    assert [sku for sku, _ in result.items] == list(reversed(skus))
    assert [item.total_available for _, item in result.items] == [D(n) for n in range(rows, 0, -1)]
    assert result.unknown_skus == ["NOPE"]


@pytest.mark.django_db
def test_availability_by_sku_uses_the_buyers_account_by_default() -> None:
    buyer = BuyerUserFactory()
    org = buyer.account.organization
    website = WebsiteFactory(organization=org)
    ProductFactory(organization=org, sku="A-1")
    services.set_account_backorder_policy(account=buyer.account, policy=BackorderPolicy.ALLOW)

    result = availability_by_sku(actor=actor_for(buyer, website_id=website.pk), skus=["A-1"], now=NOW)

    assert [(sku, item.backorder_policy) for sku, item in result.items] == [("A-1", BackorderPolicy.ALLOW)]
