"""The buyer's own prices on the portal's product, category and search pages (meridian.pricing)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from meridian.catalog.models import Product
from meridian.customers.models import BuyerUser
from meridian.pricing.models import PriceListEntry, Promotion
from tests.catalog.factories import CategoryFactory, ProductFactory
from tests.pricing.channel_world import PriceWorld, build_price_world
from tests.pricing.factories import PriceListEntryFactory, PromotionFactory

D = Decimal
# session, user, the actor (buyer+account, the account's ancestors, website)
BUYER_PAGE_QUERIES = 5
# website+strategy, assignments, contracts, rules, entries+customer prices, promotions (the page's
# products come with their category)
PRICE_QUERIES = 6


@pytest.fixture
def world(db: None) -> PriceWorld:
    return build_price_world()


def _client(buyer: BuyerUser) -> Client:
    client = Client()
    client.force_login(buyer.user)
    return client


def _text(response: Any) -> str:
    return response.content.decode()


def test_the_product_page_shows_the_buyers_contract_price(world: PriceWorld) -> None:
    text = _text(_client(world.buyer).get("/p/BOLT/"))

    assert '<span class="price__value">$0.40</span> <span class="price__unit">/ EA</span>' in text
    assert 'data-contract="C-ACME">Contract price</span>' in text
    assert "List price $0.50" in text
    assert "Price on request" not in text
    assert "Volume prices" not in text  # the contract prices every quantity alike


def test_the_product_page_shows_the_tier_table(world: PriceWorld) -> None:
    text = _text(_client(world.sibling_buyer).get("/p/BOLT/"))

    assert '<span class="price__value">$0.50</span>' in text
    assert "Contract price" not in text
    assert "Volume prices" in text
    assert '<span class="tiers__quantity">1+:</span> <span class="tiers__price">$0.50</span>' in text
    assert '<span class="tiers__quantity">100+:</span> <span class="tiers__price">$0.45</span>' in text


def test_price_on_request_only_when_nothing_prices_the_product(world: PriceWorld) -> None:
    ProductFactory(organization=world.org, sku="NEW-1", name="Brand new", category=world.fasteners)
    bulk = ProductFactory(organization=world.org, sku="BULK", name="Bulk only", category=world.fasteners)
    PriceListEntryFactory(price_list=world.web, product=bulk, min_quantity=D(50), price=D("1.10"))
    client = _client(world.sibling_buyer)

    unpriced = _text(client.get("/p/NEW-1/"))
    from_fifty = _text(client.get("/p/BULK/"))

    assert "Price on request" in unpriced and "price__value" not in unpriced
    assert "Price on request" not in from_fifty
    assert '<span class="muted small">From</span> <span class="price__value">$1.10</span>' in from_fifty
    assert "for 50 EA or more" in from_fifty


def test_an_automatic_promotion_shows_beside_the_price(world: PriceWorld) -> None:
    PromotionFactory(
        organization=world.org,
        name="Hammer days",
        kind=Promotion.Kind.PERCENT_OFF_LINE,
        value=D(20),
        product=world.hammer,
    )

    text = _text(_client(world.buyer).get("/p/HAMMER/"))

    assert '<span class="price__value">$25.00</span>' in text
    assert '<span class="badge badge--warning">Hammer days</span>' in text
    assert "With Hammer days: <strong>$20.00</strong> for 1 EA" in text


def test_the_category_page_shows_each_price(world: PriceWorld) -> None:
    ProductFactory(organization=world.org, sku="NEW-1", name="Brand new", category=world.fasteners)

    text = _text(_client(world.buyer).get("/c/fasteners/"))

    assert text.count('class="price__value"') == 2
    assert "$0.40" in text and "$25.00" in text
    assert text.count("Contract price") == 1
    assert text.count("Price on request") == 1


def test_search_and_its_htmx_partial_show_prices(world: PriceWorld) -> None:
    client = _client(world.sibling_buyer)

    page = _text(client.get("/search/", {"q": "hammer"}))
    partial = _text(client.get("/search/", {"q": "bolt"}, HTTP_HX_REQUEST="true"))

    assert '<span class="price__value">$25.00</span>' in page
    assert "<html" not in partial
    assert '<span class="price__value">$0.50</span> <span class="price__unit">/ EA</span>' in partial


def test_a_price_change_shows_on_the_next_page_view(world: PriceWorld) -> None:
    client = _client(world.sibling_buyer)
    before = _text(client.get("/p/HAMMER/"))

    PriceListEntry.objects.filter(price_list=world.web, product=world.hammer).update(price=D("21.50"))
    after = _text(client.get("/p/HAMMER/"))

    assert "$25.00" in before and "$21.50" in after


def _priced_products(world: PriceWorld, rows: int) -> list[Product]:
    shelf = CategoryFactory(organization=world.org, name="Shelf", slug="shelf")
    products = []
    for number in range(rows):
        product = ProductFactory(
            organization=world.org, category=shelf, sku=f"SH-{number}", name=f"Shelf bolt {number}"
        )
        PriceListEntryFactory(price_list=world.web, product=product, price=D("2.00"))
        PriceListEntryFactory(price_list=world.web, product=product, min_quantity=D(10), price=D("1.80"))
        PriceListEntryFactory(
            price_list=world.contract_list, product=product, min_quantity=D(100), price=D("1.50")
        )
        products.append(product)
    PromotionFactory(organization=world.org, name="Shelf week", category=shelf, value=D(5))
    return products


@pytest.mark.parametrize("rows", [1, 5])
def test_a_priced_category_page_query_count_is_flat(
    world: PriceWorld, rows: int, django_assert_num_queries: Any
) -> None:
    _priced_products(world, rows)
    client = _client(world.buyer)

    # actor; category by slug, visibility rules, products+category+total, part numbers;
    # availability (routing: assignments, website settings; product facts); prices; breadcrumbs,
    # subcategories
    with django_assert_num_queries(BUYER_PAGE_QUERIES + 5 + 3 + PRICE_QUERIES + 2):
        response = client.get("/c/shelf/")

    assert _text(response).count('<span class="badge badge--warning">Shelf week</span>') == rows


@pytest.mark.parametrize("rows", [1, 5])
def test_a_priced_search_page_query_count_is_flat(
    world: PriceWorld, rows: int, django_assert_num_queries: Any
) -> None:
    _priced_products(world, rows)
    client = _client(world.buyer)

    # actor; visibility rules, products+category+total, part numbers; availability; prices
    with django_assert_num_queries(BUYER_PAGE_QUERIES + 4 + 3 + PRICE_QUERIES):
        response = client.get("/search/", {"q": "shelf bolt"})

    assert _text(response).count('<span class="price__value">$2.00</span>') == rows


def test_the_product_page_query_count(world: PriceWorld, django_assert_num_queries: Any) -> None:
    _priced_products(world, 1)
    client = _client(world.buyer)

    # actor; visibility rules, product+category, units, part number, breadcrumbs; prices; availability;
    # the buyer's shopping lists
    with django_assert_num_queries(BUYER_PAGE_QUERIES + 5 + PRICE_QUERIES + 3 + 1):
        response = client.get("/p/SH-0/")

    assert "1.50" in _text(response)  # the contract's 100+ tier shows in the table
