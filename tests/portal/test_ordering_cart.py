"""The cart page: live prices with their source, availability, quantity changes (htmx), MOQ errors,
coupons, shipping and tax as preview_order computes them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from meridian.ordering.models import Cart, CartLine
from meridian.ordering.services import add_to_cart, current_cart, preview_order
from tests.catalog.factories import ProductFactory
from tests.inventory.factories import receive
from tests.ordering.conftest import World
from tests.ordering.factories import ShippingMethodFactory, TaxRuleFactory
from tests.portal.ordering_helpers import cart_with, login, words
from tests.pricing.factories import CouponFactory, PriceListEntryFactory, PromotionFactory

D = Decimal
pytestmark = pytest.mark.django_db


def test_the_cart_shows_live_prices_sources_availability_and_totals(world: World) -> None:
    ShippingMethodFactory(website=world.website, name="Ground", flat_amount=D("7.50"))
    TaxRuleFactory(organization=world.organization, country="US", region="OH", rate_percent=D(5))
    cart_with(world, ("BOLT-M8", "10"), ("HAMMER", "1"))

    response = login(world.buyer).get("/cart/")

    text = words(response)
    assert response.status_code == 200
    assert "Hex bolt M8" in text and "$2.00" in text and "List price WEB" in text
    assert "$18.00" in text and "Your price" in text  # the child account's customer price
    assert "In stock" in text
    preview = preview_order(actor=world.buyer_actor, cart=current_cart(actor=world.buyer_actor))
    assert preview.totals.total == D("47.78")  # 38.00 + 7.50 shipping + 5 % tax on both (2.28)
    assert "Subtotal $38.00" in text and "Ground) $7.50" in text and "Tax $2.28" in text
    assert f"Total ${preview.totals.total}" in text


def test_a_quantity_change_swaps_the_cart_and_a_broken_increment_is_explained(world: World) -> None:
    cart = cart_with(world, ("WASHER-8", "10"))
    line = CartLine.objects.get(cart=cart)
    client = login(world.buyer)

    good = client.post(f"/carts/{cart.pk}/lines/{line.pk}/", {"quantity": "20"}, HTTP_HX_REQUEST="true")
    bad = client.post(f"/carts/{cart.pk}/lines/{line.pk}/", {"quantity": "15"}, HTTP_HX_REQUEST="true")

    assert good.status_code == bad.status_code == 200
    assert b"<html" not in bad.content  # the partial only
    assert "not a multiple of the order increment of 10 EA" in words(bad)
    line.refresh_from_db()
    assert line.quantity == D(20)


def test_remove_takes_the_line_out(world: World) -> None:
    cart = cart_with(world, ("BOLT-M8", "10"), ("HAMMER", "1"))
    line = CartLine.objects.get(cart=cart, product=world.hammer)

    response = login(world.buyer).post(f"/carts/{cart.pk}/lines/{line.pk}/", {"remove": "1"})

    assert response.status_code == 302
    assert list(CartLine.objects.filter(cart=cart).values_list("product__sku", flat=True)) == ["BOLT-M8"]


def test_adding_below_the_minimum_is_refused_with_the_rule(world: World) -> None:
    cart = current_cart(actor=world.buyer_actor)

    response = login(world.buyer).post(
        "/cart/add/", {"reference": "washer-8", "quantity": "5"}, HTTP_HX_REQUEST="true"
    )

    assert "minimum order quantity of 10 EA" in words(response) or "minimum" in words(response)
    assert not CartLine.objects.filter(cart=cart).exists()


def test_a_coupon_is_applied_and_a_used_up_or_unknown_one_is_refused(world: World) -> None:
    promotion = PromotionFactory(
        organization=world.organization, name="Spring 10", value=D(10), requires_coupon=True
    )
    CouponFactory(promotion=promotion, code="SPRING10")
    CouponFactory(promotion=promotion, code="GONE", usage_limit=1, times_used=1)
    cart_with(world, ("BOLT-M8", "10"))
    client = login(world.buyer)

    applied = client.post("/cart/coupons/", {"code": "spring10"}, HTTP_HX_REQUEST="true")
    used_up = client.post("/cart/coupons/", {"code": "GONE"}, HTTP_HX_REQUEST="true")
    unknown = client.post("/cart/coupons/", {"code": "NOPE"}, HTTP_HX_REQUEST="true")

    assert "Spring 10" in words(applied) and "$18.00" in words(applied)  # 10 % off 20.00
    assert "GONE: used up." in words(used_up)
    assert "NOPE: unknown code." in words(unknown)
    page = words(client.get("/cart/"))
    assert "SPRING10" in page and "GONE" not in page and "NOPE" not in page

    removed = client.post("/cart/coupons/remove/", {"code": "SPRING10"}, HTTP_HX_REQUEST="true")

    assert "SPRING10" not in words(removed) and "$20.00" in words(removed)


def test_another_accounts_cart_line_is_404_and_unchanged(world: World) -> None:
    cart = cart_with(world, ("BOLT-M8", "10"))
    line = CartLine.objects.get(cart=cart)

    response = login(world.other_buyer).post(f"/carts/{cart.pk}/lines/{line.pk}/", {"quantity": "50"})

    assert response.status_code == 404
    line.refresh_from_db()
    assert line.quantity == D(10)


def _more_lines(world: World, count: int, start: int = 0) -> None:
    for index in range(start, start + count):
        product = ProductFactory(organization=world.organization, sku=f"FLAT-{index}")
        PriceListEntryFactory(price_list=world.price_list, product=product, price=D("3.00"))
        receive(world.warehouse, product, 50)
        add_to_cart(
            actor=world.buyer_actor,
            cart=current_cart(actor=world.buyer_actor),
            reference=product.sku,
            quantity=D(2),
        )


def test_the_cart_page_query_count_is_flat(world: World, django_assert_num_queries: Any) -> None:
    _more_lines(world, 1)
    client = login(world.buyer)
    client.get("/cart/")  # warm: pricing's chain cached, as on every later page
    with CaptureQueriesContext(connection) as one:
        client.get("/cart/")
    _more_lines(world, 4, start=1)

    # the same count for 5 lines as for 1: session, user, actor; current cart; lines+products; the
    # preview (account, website, ancestors, address, shipping, pricing, product facts, tax, stock);
    # availability texts
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get("/cart/")

    assert words(response).count("$6.00") >= 5


def test_a_change_from_a_stale_page_is_refused_and_the_fresh_cart_shown(world: World) -> None:
    cart = cart_with(world, ("BOLT-M8", "10"))
    line = CartLine.objects.get(cart=cart)
    shown = Cart.objects.get(pk=cart.pk).version  # the version the page showed
    add_to_cart(actor=world.buyer_actor, cart=cart, reference="HAMMER", quantity=D(1))  # another tab

    response = login(world.buyer).post(
        f"/carts/{cart.pk}/lines/{line.pk}/",
        {"quantity": "30", "version": str(shown)},
        HTTP_HX_REQUEST="true",
    )

    assert "the cart changed since you loaded it" in words(response)
    assert "HAMMER" in words(response)
    line.refresh_from_db()
    assert line.quantity == D(10)
