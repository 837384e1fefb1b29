"""Shared setup of the portal ordering tests: ordering's test world, a logged-in client, the text."""

from __future__ import annotations

import html
import re
from decimal import Decimal

from django.test import Client

from meridian.customers.models import BuyerUser
from meridian.ordering.models import Cart
from meridian.ordering.services import add_to_cart, current_cart
from tests.ordering.conftest import World

D = Decimal


def login(member: BuyerUser) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


def words(response: object) -> str:
    """The page's text with tags dropped and spaces collapsed."""
    text = response.content.decode()  # type: ignore[attr-defined]  # a test client response
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)))


def cart_with(world: World, *lines: tuple[str, str]) -> Cart:
    """The buyer's current cart holding (sku, quantity) lines."""
    cart = current_cart(actor=world.buyer_actor)
    for sku, quantity in lines:
        add_to_cart(actor=world.buyer_actor, cart=cart, reference=sku, quantity=D(quantity))
    return cart
