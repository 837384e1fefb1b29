"""Checkout in the portal: place_order with ship-to, PO, date, payment and notes; a hidden one-time
token as the Idempotency-Key (a double submit makes one order); refusals shown on the form."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import Client

from meridian.core.idempotency import IdempotencyKey
from meridian.ordering.models import Cart, Order
from tests.ordering.conftest import World
from tests.ordering.factories import (
    AccountOrderingSettingsFactory,
    BuyerOrderLimitFactory,
    ShippingMethodFactory,
)
from tests.portal.ordering_helpers import cart_with, login, words

D = Decimal
pytestmark = pytest.mark.django_db


def _form(world: World, cart: Cart, **changes: str) -> dict[str, str]:
    data = {
        "token": "token-1",
        "cart": str(cart.pk),
        "ship_to": str(world.address.pk),
        "po_number": "PO-4711",
        "requested_date": (date.today() + timedelta(days=7)).isoformat(),
        "payment_method": "terms",
        "notes": "Dock 3, mornings",
    }
    data.update(changes)
    return data


def _orders(world: World) -> list[Order]:
    return list(Order.objects.filter(account=world.child))


def test_checkout_shows_the_accounts_addresses_and_the_totals(world: World) -> None:
    cart_with(world, ("BOLT-M8", "10"))

    response = login(world.buyer).get("/checkout/")

    page = words(response)
    assert response.status_code == 200
    assert "1 Main St" in page and "On account" in page and "Total $20.00" in page


def test_an_empty_cart_goes_back_to_the_cart(world: World) -> None:
    response = login(world.buyer).get("/checkout/")

    assert response.status_code == 302 and response["Location"] == "/cart/"


def test_placing_an_order_with_a_po_number_shows_it_and_empties_the_cart(world: World) -> None:
    cart = cart_with(world, ("BOLT-M8", "10"), ("HAMMER", "1"))
    client = login(world.buyer)

    response = client.post("/checkout/", _form(world, cart))

    (order,) = _orders(world)
    assert response.status_code == 302 and response["Location"] == f"/orders/{order.number}/"
    assert order.po_number == "PO-4711" and order.channel == Order.Channel.PORTAL
    assert order.notes == "Dock 3, mornings" and order.total == D("38.00")
    page = words(client.get(response["Location"]))
    assert f"Thank you: order {order.number} is received." in page
    assert "PO-4711" in page and "Your price" in page and "MAIN" in page  # source, allocation
    assert "Your cart is empty" in words(client.get("/cart/"))


def test_a_double_submit_makes_one_order(world: World) -> None:
    cart = cart_with(world, ("BOLT-M8", "10"))
    client = login(world.buyer)

    first = client.post("/checkout/", _form(world, cart))
    second = client.post("/checkout/", _form(world, cart))

    (order,) = _orders(world)
    assert first["Location"] == second["Location"] == f"/orders/{order.number}/"


def test_a_required_po_number_is_asked_for_and_nothing_is_ordered(world: World) -> None:
    AccountOrderingSettingsFactory(account=world.child, requires_po_number=True)
    cart = cart_with(world, ("BOLT-M8", "10"))

    response = login(world.buyer).post("/checkout/", _form(world, cart, po_number=""))

    assert response.status_code == 200
    assert "This field is required." in words(response)
    assert _orders(world) == []


def test_an_order_over_the_buyers_limit_waits_for_approval_and_says_why(world: World) -> None:
    BuyerOrderLimitFactory(buyer=world.buyer, order_limit=D("10.00"))
    cart = cart_with(world, ("BOLT-M8", "10"))
    client = login(world.buyer)

    response = client.post("/checkout/", _form(world, cart))

    (order,) = _orders(world)
    assert order.status == Order.Status.PENDING_APPROVAL
    page = words(client.get(response["Location"]))
    assert "Waiting for approval" in page and "over the buyer's order limit" in page
    assert "Cancel order" in page


def test_a_declined_card_is_shown_and_nothing_is_ordered(world: World) -> None:
    cart = cart_with(world, ("BOLT-M8", "10"))

    response = login(world.buyer).post(
        "/checkout/", _form(world, cart, payment_method="card", card_token="tok-decline")
    )

    assert "card declined by the issuer" in words(response)
    assert _orders(world) == []


def test_a_one_time_address_when_the_account_allows_it(world: World) -> None:
    AccountOrderingSettingsFactory(account=world.child, allows_one_time_address=True)
    cart = cart_with(world, ("BOLT-M8", "10"))
    address = {"ship_to": "one_time", "line1": "9 Site Rd", "city": "Dayton", "country": "us"}

    login(world.buyer).post("/checkout/", _form(world, cart, **address))

    (order,) = _orders(world)
    assert order.ship_to["line1"] == "9 Site Rd" and order.ship_to["country"] == "US"
    assert order.ship_to["is_one_time"] is True


def test_another_accounts_address_is_not_a_choice(world: World) -> None:
    cart = cart_with(world, ("BOLT-M8", "10"))
    foreign = world.other.addresses.get()

    response = login(world.buyer).post("/checkout/", _form(world, cart, ship_to=str(foreign.pk)))

    assert response.status_code == 200 and "Select a valid choice" in words(response)
    assert _orders(world) == []


def test_a_buyer_cannot_check_out_another_buyers_cart(world: World) -> None:
    cart = cart_with(world, ("BOLT-M8", "10"))
    other = Client()
    other.force_login(world.other_buyer.user)

    response = other.post("/checkout/", _form(world, cart))

    assert response.status_code == 404
    assert _orders(world) == []


def test_a_submit_while_the_first_is_still_placing_points_to_the_orders(world: World) -> None:
    cart = cart_with(world, ("BOLT-M8", "10"))
    client = login(world.buyer)
    client.post("/checkout/", _form(world, cart))
    # the state a second submit finds while the first is still running: its key claimed, no answer yet
    IdempotencyKey.objects.filter(key="portal-token-1").update(response_status=None, response_body=None)

    response = client.post("/checkout/", _form(world, cart))

    assert response["Location"] == "/orders/"
    assert "Your order is being placed" in words(client.get("/orders/"))
    assert len(_orders(world)) == 1


def test_the_chosen_shipping_method_is_priced_and_ordered(world: World) -> None:
    ShippingMethodFactory(
        website=world.website, code="GROUND", name="Ground", flat_amount=D("5.00"), position=1
    )
    ShippingMethodFactory(
        website=world.website, code="EXPRESS", name="Express", flat_amount=D("25.00"), position=2
    )
    cart = cart_with(world, ("BOLT-M8", "10"))
    client = login(world.buyer)

    page = words(client.get("/checkout/"))
    missing = client.post("/checkout/", _form(world, cart))
    client.post("/checkout/", _form(world, cart, shipping_method="EXPRESS"))

    assert "Ground" in page and "Express" in page and "Total $25.00" in page  # the first method
    assert "This field is required." in words(missing)
    (order,) = _orders(world)
    assert order.shipping_method_code == "EXPRESS" and order.total == D("45.00")
