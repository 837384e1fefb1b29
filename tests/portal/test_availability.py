"""Availability in the portal: the product page's sentence, badges on search and category results."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from meridian.catalog.models import Category, Product
from meridian.customers.models import BuyerUser
from meridian.inventory import engine, services
from meridian.inventory.models import BackorderPolicy, Warehouse
from meridian.portal.availability import phrase
from meridian.tenancy.models import Organization, Website
from tests.catalog.factories import CategoryFactory, ProductFactory
from tests.inventory.factories import (
    IncomingStockFactory,
    SupplierFactory,
    SupplierProductFactory,
    WarehouseAssignmentFactory,
    WarehouseFactory,
    receive,
)

WEDNESDAY_NOON_CHICAGO = datetime(2026, 3, 4, 18, 0, tzinfo=UTC)
WEDNESDAY_EVENING_CHICAGO = datetime(2026, 3, 4, 23, 0, tzinfo=UTC)  # 17:00 in Chicago


@dataclass
class Shelf:
    org: Organization
    website: Website
    valves: Category
    chicago: Warehouse
    reno: Warehouse
    edison: Warehouse


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[datetime]:
    """The portal's clock (the outside world): set `clock[0]` to move it."""
    now = [WEDNESDAY_NOON_CHICAGO]
    monkeypatch.setattr(timezone, "now", lambda: now[0])
    return now


@pytest.fixture
def shelf(org: Organization, clock: list[datetime]) -> Shelf:
    website = Website.objects.get(organization=org)
    chicago = WarehouseFactory(
        organization=org, code="CHI", name="Chicago DC", timezone="America/Chicago", cutoff_time=time(15, 0)
    )
    reno = WarehouseFactory(
        organization=org, code="RNO", name="Reno DC", timezone="America/Los_Angeles", cutoff_time=time(9, 0)
    )
    edison = WarehouseFactory(
        organization=org,
        code="EDI",
        name="Edison 3PL",
        kind=Warehouse.Kind.THIRD_PARTY,
        timezone="America/New_York",
        cutoff_time=time(14, 0),
    )
    for priority, warehouse in enumerate((chicago, reno, edison)):
        WarehouseAssignmentFactory(warehouse=warehouse, website=website, priority=priority)
    valves = CategoryFactory(organization=org, name="Valves", slug="valves")
    return Shelf(org, website, valves, chicago, reno, edison)


def product(shelf: Shelf, sku: str, name: str = "Ball valve") -> Product:
    return ProductFactory(organization=shelf.org, category=shelf.valves, sku=sku, name=name)


def text(response: Any) -> str:
    return " ".join(response.content.decode().split())


def words(response: Any) -> str:
    """What a reader sees: the text without tags, whitespace collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


@pytest.mark.django_db
def test_product_page_says_how_many_from_how_many_warehouses_and_until_when_it_ships_today(
    client: Client, shelf: Shelf, buyer: BuyerUser
) -> None:
    valve = product(shelf, "VLV-100")
    receive(shelf.chicago, valve, 400)
    receive(shelf.reno, valve, 150)
    receive(shelf.edison, valve, 50)
    client.force_login(buyer.user)

    response = client.get("/p/VLV-100/")

    assert response.status_code == 200
    page = words(response)
    assert "600 in stock across 3 warehouses · ships today if ordered by 3 pm (Chicago time)" in page
    assert "Chicago DC 400 · ships today" in page
    assert "Reno DC 150 · ships Thu, Mar 5" in page
    assert "Price on request" in page  # no price invented


@pytest.mark.django_db
def test_after_the_cutoff_the_product_page_gives_the_next_shipping_day(
    client: Client, shelf: Shelf, buyer: BuyerUser, clock: list[datetime]
) -> None:
    valve = product(shelf, "VLV-100")
    receive(shelf.chicago, valve, 1200)
    clock[0] = WEDNESDAY_EVENING_CHICAGO
    client.force_login(buyer.user)

    page = words(client.get("/p/VLV-100/"))

    assert "1,200 in stock · ships Thu, Mar 5" in page
    assert "Stock by warehouse" not in page  # one warehouse: nothing to break down


@pytest.mark.django_db
def test_a_backorderable_product_out_of_stock_says_when_it_is_expected(
    client: Client, shelf: Shelf, buyer: BuyerUser
) -> None:
    valve = product(shelf, "VLV-100")
    IncomingStockFactory(warehouse=shelf.chicago, product=valve, expected_date=date(2026, 12, 4))
    services.set_product_backorder_policy(product=valve, policy=BackorderPolicy.ALLOW)
    strict = product(shelf, "VLV-200")
    IncomingStockFactory(warehouse=shelf.chicago, product=strict, expected_date=date(2026, 12, 4))
    client.force_login(buyer.user)

    backorder = words(client.get("/p/VLV-100/"))
    out_of_stock = words(client.get("/p/VLV-200/"))

    assert "Backorder: expected Dec 4" in backorder
    assert "Out of stock · expected back Dec 4" in out_of_stock


@pytest.mark.django_db
def test_a_product_a_supplier_drop_ships_gives_the_lead_time(
    client: Client, shelf: Shelf, buyer: BuyerUser
) -> None:
    valve = product(shelf, "VLV-100")
    SupplierProductFactory(supplier=SupplierFactory(organization=shelf.org), product=valve, lead_time_days=5)
    nothing = product(shelf, "VLV-300")
    client.force_login(buyer.user)

    assert "Ships from supplier in 5 days" in words(client.get("/p/VLV-100/"))
    assert 'data-availability="out_of_stock"' in text(client.get(f"/p/{nothing.sku}/"))


@pytest.mark.django_db
def test_search_results_carry_compact_availability_badges(
    client: Client, shelf: Shelf, buyer: BuyerUser
) -> None:
    in_stock = product(shelf, "VLV-100", "Brass valve")
    receive(shelf.chicago, in_stock, 5)
    backorder = product(shelf, "VLV-200", "Steel valve")
    IncomingStockFactory(warehouse=shelf.chicago, product=backorder, expected_date=date(2026, 12, 4))
    services.set_product_backorder_policy(product=backorder, policy=BackorderPolicy.ALLOW)
    client.force_login(buyer.user)

    page = text(client.get("/search/", {"q": "valve"}))
    partial = text(client.get("/search/", {"q": "valve"}, headers={"HX-Request": "true"}))

    for html in (page, partial):
        assert (
            'badge--ok" data-availability="in_stock">In stock</span> <span class="muted small">Ships today'
            in html
        )
        assert (
            'data-availability="backorder">Backorder</span> <span class="muted small">Expected Dec 4' in html
        )
    assert "<html" not in partial


@pytest.mark.django_db
def test_category_results_carry_availability_badges(client: Client, shelf: Shelf, buyer: BuyerUser) -> None:
    valve = product(shelf, "VLV-100")
    receive(shelf.reno, valve, 3)  # 10:00 in Reno: its 9:00 cutoff has passed
    client.force_login(buyer.user)

    page = text(client.get("/c/valves/"))

    assert 'data-availability="in_stock">In stock</span> <span class="muted small">Ships Thu' in page


def _stocked_products(shelf: Shelf, rows: int) -> None:
    for index in range(rows):
        item = product(shelf, f"VLV-{index}", f"Valve {index}")
        receive(shelf.chicago, item, 10)
        receive(shelf.edison, item, 4)


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 5])
def test_search_with_availability_query_count_is_flat(
    client: Client, shelf: Shelf, buyer: BuyerUser, rows: int, django_assert_num_queries: Any
) -> None:
    _stocked_products(shelf, rows)
    client.force_login(buyer.user)

    # session, user, actor (buyer+account, website), visibility rules, page ids+window count, products+category,
    # part numbers; availability: routing (assignments+warehouses+settings), product facts, stock levels;
    # prices (website+strategy, assignments, contracts, entries+customer prices, promotions)
    with django_assert_num_queries(16):
        response = client.get("/search/", {"q": "valve"})

    assert text(response).count(">In stock</span>") == rows


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 5])
def test_category_with_availability_query_count_is_flat(
    client: Client, shelf: Shelf, buyer: BuyerUser, rows: int, django_assert_num_queries: Any
) -> None:
    _stocked_products(shelf, rows)
    client.force_login(buyer.user)

    # session, user, actor (buyer+account, website), category by slug, visibility rules,
    # page ids+window count, products+category, part numbers; availability: routing, product facts, stock levels; breadcrumbs,
    # subcategories; prices (website+strategy, assignments, contracts, entries+customer prices, promotions)
    with django_assert_num_queries(19):
        response = client.get("/c/valves/")

    assert text(response).count(">In stock</span>") == rows


@pytest.mark.django_db
def test_product_page_query_count(
    client: Client, shelf: Shelf, buyer: BuyerUser, django_assert_num_queries: Any
) -> None:
    _stocked_products(shelf, 1)
    client.force_login(buyer.user)

    # session, user, actor (buyer+account, website), visibility rules, product+category, units,
    # part number, breadcrumbs; availability: routing, product facts, stock levels;
    # prices (website+strategy, assignments, contracts, entries+customer prices, promotions);
    # the buyer's shopping lists (for "add to a shopping list")
    with django_assert_num_queries(18):
        response = client.get("/p/VLV-0/")

    assert "14 in stock across 2 warehouses" in words(response)


def _availability(**changes: Any) -> engine.ProductAvailability:
    cutoff = datetime(2026, 3, 4, 21, 30, tzinfo=UTC)  # 15:30 in Chicago
    row = engine.WarehouseAvailability(
        warehouse_id=1, available=Decimal(12), ships_today=True, ship_date=date(2026, 3, 4), cutoff=cutoff
    )
    values: dict[str, Any] = {
        "product_id": 1,
        "total_available": Decimal(12),
        "warehouses": (row,),
        "ships_today": True,
        "ship_date": date(2026, 3, 4),
        "order_by": cutoff,
        "next_incoming_date": None,
        "dropship_lead_time_days": None,
        "backorder_policy": engine.BackorderPolicy.DENY,
    }
    return engine.ProductAvailability(**{**values, **changes})


def test_phrases_for_half_hours_one_day_and_plain_backorders() -> None:
    warehouses = {1: Warehouse(pk=1, name="Chicago DC", timezone="America/Chicago")}
    empty = {"total_available": Decimal(0), "warehouses": (), "ships_today": False, "order_by": None}

    in_stock = phrase(_availability(), warehouses)
    one_day = phrase(_availability(**empty, dropship_lead_time_days=1), warehouses)
    backorder = phrase(_availability(**empty, backorder_policy=engine.BackorderPolicy.ALLOW), warehouses)
    nothing = phrase(_availability(**empty), warehouses)

    assert (in_stock.headline, in_stock.detail) == (
        "12 in stock",
        "ships today if ordered by 3:30 pm (Chicago time)",
    )
    assert (one_day.headline, one_day.badge) == ("Ships from supplier in 1 day", "Ships in 1 day")
    assert (backorder.headline, backorder.tone) == ("Available on backorder", "warning")
    assert (nothing.headline, nothing.tone) == ("Out of stock", "danger")
