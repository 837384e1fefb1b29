"""GET /availability: per SKU the total and per warehouse, ships today, next receipt, drop-ship lead time."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from meridian.catalog.models import VisibilityRule
from meridian.core.actor import StaffRole
from meridian.inventory import services
from meridian.inventory.models import BackorderPolicy
from tests.api.auth_queries import auth_queries
from tests.api.conftest import ClientFor
from tests.api.test_inventory import Stockroom, build_stockroom
from tests.catalog.factories import ProductFactory, VisibilityRuleFactory
from tests.customers.factories import AccountFactory, BuyerUserFactory
from tests.inventory.factories import (
    IncomingStockFactory,
    SupplierFactory,
    SupplierProductFactory,
    WarehouseFactory,
    receive,
)
from tests.staff.factories import StaffMemberFactory
from tests.tenancy.factories import WebsiteFactory

URL = "/api/v1/availability"
WEDNESDAY_NOON_CHICAGO = datetime(2026, 3, 4, 18, 0, tzinfo=UTC)  # 10:00 in Reno


@pytest.fixture
def room(monkeypatch: pytest.MonkeyPatch) -> Stockroom:
    monkeypatch.setattr(timezone, "now", lambda: WEDNESDAY_NOON_CHICAGO)  # the clock is the outside world
    return build_stockroom()


@pytest.mark.django_db
def test_a_buyer_sees_the_total_per_warehouse_and_when_it_ships(
    room: Stockroom, client_for: ClientFor
) -> None:
    receive(room.chicago, room.valve, 400)
    receive(room.reno, room.valve, 200)
    unassigned = WarehouseFactory(organization=room.org, code="ZZZ")
    receive(unassigned, room.valve, 999)  # not one the buyer's website ships from

    response = client_for(room.buyer).get(URL, {"skus": "VLV-100,GSK-1,NOPE-1"})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["unknown_skus"] == ["NOPE-1"]
    valve, gasket = body["items"]
    assert valve == {
        "sku": "VLV-100",
        "total_available": "600.000",
        "ships_today": True,
        "ship_date": "2026-03-04",
        "order_by": "2026-03-04T22:00:00Z",  # Reno's 14:00 is later than Chicago's 15:00
        "next_incoming_date": None,
        "dropship_lead_time_days": None,
        "backorder_policy": "deny",
        "warehouses": [
            {
                "warehouse": "CHI",
                "name": "Chicago DC",
                "kind": "own",
                "timezone": "America/Chicago",
                "available": "400.000",
                "ships_today": True,
                "ship_date": "2026-03-04",
                "cutoff": "2026-03-04T21:00:00Z",
            },
            {
                "warehouse": "RNO",
                "name": "Reno DC",
                "kind": "own",
                "timezone": "America/Los_Angeles",
                "available": "200.000",
                "ships_today": True,
                "ship_date": "2026-03-04",
                "cutoff": "2026-03-04T22:00:00Z",
            },
        ],
    }
    assert (gasket["sku"], gasket["total_available"], gasket["ships_today"]) == ("GSK-1", "0.000", False)


@pytest.mark.django_db
def test_out_of_stock_shows_the_next_receipt_the_dropship_lead_time_and_the_accounts_policy(
    room: Stockroom, client_for: ClientFor
) -> None:
    IncomingStockFactory(warehouse=room.chicago, product=room.gasket, expected_date=date(2026, 3, 12))
    SupplierProductFactory(
        supplier=SupplierFactory(organization=room.org), product=room.gasket, lead_time_days=5
    )
    services.set_account_backorder_policy(account=room.account, policy=BackorderPolicy.ALLOW)

    item = client_for(room.buyer).get(URL, {"skus": "GSK-1"}).json()["items"][0]

    assert item["total_available"] == "0.000"
    assert item["next_incoming_date"] == "2026-03-12"
    assert item["dropship_lead_time_days"] == 5
    assert item["backorder_policy"] == "allow"


@pytest.mark.django_db
def test_a_buyer_is_not_told_about_products_hidden_from_them(room: Stockroom, client_for: ClientFor) -> None:
    receive(room.chicago, room.gasket, 5)
    VisibilityRuleFactory(
        organization=room.org, account=room.account, product=room.gasket, effect=VisibilityRule.Effect.EXCLUDE
    )

    body = client_for(room.buyer).get(URL, {"skus": "GSK-1,VLV-100"}).json()

    assert [item["sku"] for item in body["items"]] == ["VLV-100"]
    assert body["unknown_skus"] == ["GSK-1"]


@pytest.mark.django_db
def test_a_buyer_may_ask_for_a_child_account_but_not_another(room: Stockroom, client_for: ClientFor) -> None:
    child = AccountFactory(parent=room.account, name="Acme Plant 2")
    services.set_account_backorder_policy(account=child, policy=BackorderPolicy.PARTIAL)
    other = AccountFactory(organization=room.org, name="Globex")
    foreign = AccountFactory(organization=room.other_org, name="Initech")
    client = client_for(room.buyer)

    for_child = client.get(URL, {"skus": "VLV-100", "account": str(child.pk)})
    for_other = client.get(URL, {"skus": "VLV-100", "account": str(other.pk)})
    for_foreign = client.get(URL, {"skus": "VLV-100", "account": str(foreign.pk)})
    for_missing = client.get(URL, {"skus": "VLV-100", "account": "987654321"})

    assert for_child.json()["items"][0]["backorder_policy"] == "partial"
    assert [r.status_code for r in (for_other, for_foreign, for_missing)] == [404, 404, 404]
    assert {r.json()["error"]["code"] for r in (for_other, for_foreign, for_missing)} == {"account_not_found"}
    assert "Globex" not in for_other.content.decode()


@pytest.mark.django_db
def test_a_sales_rep_asks_only_for_their_own_accounts(room: Stockroom, client_for: ClientFor) -> None:
    mine = AccountFactory(organization=room.org, sales_rep=room.rep)
    client = client_for(room.rep)

    own = client.get(URL, {"skus": "VLV-100", "account": str(mine.pk)})
    not_mine = client.get(URL, {"skus": "VLV-100", "account": str(room.account.pk)})

    assert (own.status_code, not_mine.status_code) == (200, 404)


@pytest.mark.django_db
def test_staff_see_availability_of_any_website_of_their_organization_only(
    room: Stockroom, client_for: ClientFor
) -> None:
    receive(room.chicago, room.valve, 400)
    bare = WebsiteFactory(organization=room.org, is_default=False)  # ships from nowhere
    foreign = WebsiteFactory(organization=room.other_org, is_default=False)
    client = client_for(StaffMemberFactory(organization=room.org, role=StaffRole.INSIDE_SALES))

    default = client.get(URL, {"skus": "VLV-100"})
    on_bare = client.get(URL, {"skus": "VLV-100", "website": bare.pk})
    on_foreign = client.get(URL, {"skus": "VLV-100", "website": foreign.pk})

    assert default.json()["items"][0]["total_available"] == "400.000"
    assert on_bare.json()["items"][0]["total_available"] == "0.000"
    assert on_foreign.status_code == 404


@pytest.mark.django_db
def test_another_organizations_products_are_unknown(room: Stockroom, client_for: ClientFor) -> None:
    ProductFactory(organization=room.other_org, sku="THEIRS-1")

    body = client_for(room.admin).get(URL, {"skus": "THEIRS-1"}).json()

    assert body == {"items": [], "unknown_skus": ["THEIRS-1"]}


@pytest.mark.django_db
def test_availability_needs_a_token_and_one_to_500_skus(room: Stockroom, client_for: ClientFor) -> None:
    client = client_for(room.buyer)

    anonymous = Client().get(URL, {"skus": "VLV-100"})
    missing = client.get(URL)
    blank = client.get(URL, {"skus": " , "})
    too_many = client.get(URL, {"skus": ",".join(f"S{n}" for n in range(501))})
    bad_website = client.get(URL, {"skus": "VLV-100", "website": "abc"})

    assert anonymous.status_code == 401
    assert [r.status_code for r in (missing, blank, too_many, bad_website)] == [422, 422, 422, 422]
    assert [list(r.json()["error"]["fields"]) for r in (missing, blank, too_many, bad_website)] == [
        ["skus"],
        ["skus"],
        ["skus"],
        ["website"],
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 5])
def test_availability_query_count_is_flat(
    rows: int, room: Stockroom, client_for: ClientFor, django_assert_num_queries: Any
) -> None:
    skus = []
    for index in range(rows):
        product = ProductFactory(organization=room.org, sku=f"AV-{index}")
        receive(room.chicago, product, 10)
        receive(room.reno, product, 5)
        skus.append(product.sku)
    client = client_for(BuyerUserFactory(account=room.account))

    # auth (a buyer, the token's last use); visibility rules, products by SKU; routing, product facts,
    # stock levels
    with django_assert_num_queries(auth_queries() + 5):
        response = client.get(URL, {"skus": ",".join(skus)})

    assert [item["total_available"] for item in response.json()["items"]] == ["15.000"] * rows


# --- the product page of the API: GET /products/{sku} ----------------------------------------


@pytest.mark.django_db
def test_a_buyers_product_includes_the_same_availability_as_the_availability_endpoint(
    room: Stockroom, client_for: ClientFor
) -> None:
    receive(room.chicago, room.valve, 400)
    receive(room.reno, room.valve, 200)
    client = client_for(room.buyer)

    product = client.get("/api/v1/products/VLV-100")
    availability = client.get(URL, {"skus": "VLV-100"})

    assert product.status_code == 200, product.content
    assert product.json()["availability"] == availability.json()["items"][0]
    assert product.json()["availability"]["total_available"] == "600.000"
    assert [row["warehouse"] for row in product.json()["availability"]["warehouses"]] == ["CHI", "RNO"]


@pytest.mark.django_db
def test_a_product_shows_no_availability_to_staff_and_none_in_lists(
    room: Stockroom, client_for: ClientFor
) -> None:
    receive(room.chicago, room.valve, 400)

    as_staff = client_for(room.rep).get("/api/v1/products/VLV-100")
    in_list = client_for(room.buyer).get("/api/v1/products", {"q": "VLV-100"})

    assert (as_staff.status_code, as_staff.json()["availability"]) == (200, None)
    assert [item["availability"] for item in in_list.json()["items"]] == [None]
