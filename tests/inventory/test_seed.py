from __future__ import annotations

import random

import pytest

from meridian.core.errors import InvalidInput
from meridian.inventory.errors import InventoryAlreadySeeded
from meridian.inventory.models import (
    IncomingStock,
    StockLevel,
    StockMovement,
    SupplierProduct,
    Warehouse,
    WarehouseAssignment,
    WebsiteInventorySettings,
)
from meridian.inventory.queries import reconcile
from meridian.inventory.seed import delete_inventory, seed_inventory
from tests.catalog.factories import ProductFactory
from tests.tenancy.factories import OrganizationFactory, WebsiteFactory


@pytest.mark.django_db
def test_seed_builds_warehouses_and_opening_stock_that_reconciles() -> None:
    org = OrganizationFactory()
    websites = [WebsiteFactory(organization=org, is_default=index == 0) for index in range(2)]
    products = [ProductFactory(organization=org) for _ in range(60)]

    counts = seed_inventory(organization=org, rng=random.Random(7), profile="tiny")

    warehouses = {w.code: w for w in Warehouse.objects.filter(organization=org)}
    own = [w for w in warehouses.values() if w.kind == Warehouse.Kind.OWN]
    assert len(own) == 2 and own[0].timezone != own[1].timezone
    assert [w.kind for w in warehouses.values()].count(Warehouse.Kind.THIRD_PARTY) == 1
    dropship = next(w for w in warehouses.values() if w.kind == Warehouse.Kind.DROPSHIP)
    assert dropship.supplier is not None
    assert WarehouseAssignment.objects.filter(website__in=websites).count() == 2 * len(warehouses)
    assert WebsiteInventorySettings.objects.filter(website__in=websites).count() == 2
    stocked = set(StockLevel.objects.filter(organization=org).values_list("product_id", flat=True))
    assert len(stocked) > len(products) // 2
    assert counts["stock_levels"] == StockLevel.objects.count() == StockMovement.objects.count()
    assert IncomingStock.objects.filter(organization=org).exists()
    assert SupplierProduct.objects.filter(supplier=dropship.supplier, can_dropship=True).exists()
    assert reconcile(organization_id=org.pk) == []


@pytest.mark.django_db
def test_seed_is_deterministic_refuses_twice_and_rejects_unknown_profiles() -> None:
    org = OrganizationFactory()
    WebsiteFactory(organization=org)
    for _ in range(20):
        ProductFactory(organization=org)

    first = seed_inventory(organization=org, rng=random.Random(3), profile="small")
    with pytest.raises(InventoryAlreadySeeded):
        seed_inventory(organization=org, rng=random.Random(3), profile="small")
    delete_inventory(organization=org)
    again = seed_inventory(organization=org, rng=random.Random(3), profile="small")
    with pytest.raises(InvalidInput):
        seed_inventory(organization=OrganizationFactory(), rng=random.Random(3), profile="huge")

    assert first == again


@pytest.mark.django_db
def test_delete_inventory_empties_it_so_the_organization_can_go() -> None:
    org = OrganizationFactory()
    WebsiteFactory(organization=org)
    ProductFactory(organization=org)
    seed_inventory(organization=org, rng=random.Random(1), profile="tiny")

    delete_inventory(organization=org)
    org.delete()

    assert not Warehouse.objects.exists()
    assert not StockMovement.objects.exists()
