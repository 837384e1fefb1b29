"""A buyer's price in `GET /products/{sku}` and `GET /products`: unit and list price, tiers, source."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from meridian.pricing.models import Promotion
from tests.api.auth_queries import auth_queries
from tests.api.conftest import ClientFor
from tests.catalog.factories import ProductFactory
from tests.pricing.channel_world import PriceWorld, build_price_world
from tests.pricing.factories import PriceListEntryFactory, PromotionFactory

D = Decimal


@pytest.fixture
def world(db: None) -> PriceWorld:
    return build_price_world()


def test_a_buyer_sees_their_contract_price_on_the_product(world: PriceWorld, client_for: ClientFor) -> None:
    response = client_for(world.buyer).get("/api/v1/products/BOLT")

    assert response.status_code == 200
    assert response.json()["price"] == {
        "currency": "USD",
        "quantity": "1",
        "uom": "EA",
        "unit_price": "0.40",
        "list_price": "0.50",
        "line_total": "0.40",
        "tiers": [{"min_quantity": "1", "unit_price": "0.40"}],
        "source": {
            "kind": "contract",
            "price_list": "K-ACME",
            "contract": "C-ACME",
            "prices_are_final": False,
            "promotions": [],
        },
        "error": None,
    }


def test_another_buyer_sees_the_website_list_with_its_tiers(world: PriceWorld, client_for: ClientFor) -> None:
    response = client_for(world.sibling_buyer).get("/api/v1/products/BOLT")

    price = response.json()["price"]
    assert (price["unit_price"], price["source"]["kind"], price["source"]["contract"]) == (
        "0.50",
        "website",
        None,
    )
    assert price["tiers"] == [
        {"min_quantity": "1", "unit_price": "0.50"},
        {"min_quantity": "100", "unit_price": "0.45"},
    ]


def test_automatic_promotions_show_in_the_line_total(world: PriceWorld, client_for: ClientFor) -> None:
    PromotionFactory(
        organization=world.org,
        name="Hammer days",
        kind=Promotion.Kind.PERCENT_OFF_LINE,
        value=D(20),
        product=world.hammer,
    )

    price = client_for(world.buyer).get("/api/v1/products/HAMMER").json()["price"]

    assert (price["unit_price"], price["line_total"], price["source"]["promotions"]) == (
        "25.00",
        "20.00",
        ["Hammer days"],
    )


def test_a_product_is_priced_at_its_minimum_order_quantity(world: PriceWorld, client_for: ClientFor) -> None:
    washer = ProductFactory(
        organization=world.org, sku="WASHER", category=world.fasteners, min_order_quantity=D(100)
    )
    PriceListEntryFactory(price_list=world.web, product=washer, min_quantity=D(100), price=D("0.0200"))

    price = client_for(world.buyer).get("/api/v1/products/WASHER").json()["price"]

    assert (price["quantity"], price["unit_price"], price["line_total"]) == ("100", "0.02", "2.00")


def test_an_unpriced_product_says_so(world: PriceWorld, client_for: ClientFor) -> None:
    ProductFactory(organization=world.org, sku="NEW-1", category=world.fasteners)

    price = client_for(world.buyer).get("/api/v1/products/NEW-1").json()["price"]

    assert (price["unit_price"], price["tiers"], price["source"], price["error"]) == (
        None,
        [],
        None,
        "no_price",
    )


def test_staff_get_no_price_on_products(world: PriceWorld, client_for: ClientFor) -> None:
    response = client_for(world.admin).get("/api/v1/products/BOLT")

    assert response.json()["price"] is None


def test_the_product_list_carries_each_buyers_price(world: PriceWorld, client_for: ClientFor) -> None:
    response = client_for(world.buyer).get("/api/v1/products")

    assert {item["sku"]: item["price"]["unit_price"] for item in response.json()["items"]} == {
        "BOLT": "0.40",
        "HAMMER": "25.00",
    }


@pytest.mark.parametrize("rows", [1, 5])
def test_priced_product_list_query_count_is_flat(
    world: PriceWorld, client_for: ClientFor, rows: int, django_assert_num_queries: Any
) -> None:
    for number in range(rows):
        product = ProductFactory(organization=world.org, sku=f"LIST-{number}", name=f"Listed {number}")
        PriceListEntryFactory(price_list=world.web, product=product, price=D("3.00"))
        PriceListEntryFactory(price_list=world.web, product=product, min_quantity=D(10), price=D("2.50"))
    client = client_for(world.buyer)

    # auth (a buyer whose account has ancestors, the token's last use);
    # visibility rules; page ids+window count, products+category, own part numbers, units; prices: website+strategy,
    # assignments, contracts, rules, entries+customer prices, promotions
    with django_assert_num_queries(auth_queries(ancestors=True) + 11):
        response = client.get("/api/v1/products", {"q": "listed"})

    items = response.json()["items"]
    assert len(items) == rows
    assert all(len(item["price"]["tiers"]) == 2 for item in items)
