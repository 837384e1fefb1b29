"""`/carts` (shared/API.md): shopping lists and carts in the caller's scope."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from meridian.ordering.models import Cart
from meridian.ordering.services import add_to_cart, create_list
from tests.actors import actor_for
from tests.api.auth_queries import auth_queries
from tests.api.conftest import ClientFor
from tests.ordering.conftest import World, build_world

JSON = "application/json"
CARTS = "/api/v1/carts"


@pytest.fixture
def world(db: None) -> World:
    return build_world()


def error(response: Any) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


def _list_of(world: World, member: Any, name: str) -> Cart:
    actor = actor_for(member, website_id=world.website.pk)
    cart = create_list(actor=actor, name=name)
    add_to_cart(actor=actor, cart=cart, reference="BOLT-M8", quantity=Decimal(24))
    return cart


def test_a_buyer_creates_a_shopping_list(world: World, client_for: ClientFor) -> None:
    response = client_for(world.buyer).post(CARTS, {"name": "Monthly", "is_shared": True}, content_type=JSON)

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["name"], body["account"], body["is_shared"], body["lines"]) == (
        "list",
        "Monthly",
        world.child.pk,
        True,
        [],
    )
    assert Cart.objects.filter(pk=body["id"], owner=world.buyer.user).exists()


def test_a_viewer_may_not_create_a_list(world: World, client_for: ClientFor) -> None:
    response = client_for(world.viewer).post(CARTS, {"name": "Monthly"}, content_type=JSON)

    assert error(response) == (403, "not_allowed")
    assert not Cart.objects.filter(organization=world.organization).exists()


def test_a_list_needs_a_name(world: World, client_for: ClientFor) -> None:
    response = client_for(world.buyer).post(CARTS, {"name": ""}, content_type=JSON)

    assert error(response) == (422, "invalid_input")
    assert "name" in response.json()["error"]["fields"]


def test_a_cart_reads_with_its_lines(world: World, client_for: ClientFor) -> None:
    cart = _list_of(world, world.buyer, "Bolts")

    response = client_for(world.buyer).get(f"{CARTS}/{cart.pk}")

    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["name"]) == (cart.pk, "Bolts")
    assert [(line["sku"], line["quantity"], line["uom"]) for line in body["lines"]] == [
        ("BOLT-M8", "24", "EA")
    ]


def test_another_accounts_cart_is_404_and_not_listed(world: World, client_for: ClientFor) -> None:
    theirs = _list_of(world, world.other_buyer, "Theirs")
    mine = _list_of(world, world.buyer, "Mine")
    client = client_for(world.buyer)

    read = client.get(f"{CARTS}/{theirs.pk}")
    listed = client.get(CARTS).json()

    assert error(read) == (404, "cart_not_found")
    assert [item["id"] for item in listed["items"]] == [mine.pk]


def test_no_token_is_401(world: World) -> None:
    assert error(Client().get(CARTS)) == (401, "not_authenticated")


@pytest.mark.parametrize("carts", [1, 5])
def test_the_list_costs_the_same_whatever_the_number_of_carts(
    world: World, client_for: ClientFor, django_assert_num_queries: Any, carts: int
) -> None:
    for number in range(carts):
        _list_of(world, world.buyer, f"List {number}")
    client = client_for(world.buyer)

    # auth (a buyer whose account has ancestors, the token's last use); count, carts+account+owner
    with django_assert_num_queries(auth_queries(ancestors=True) + 2):
        response = client.get(CARTS, {"kind": "list"})

    assert response.json()["count"] == carts
