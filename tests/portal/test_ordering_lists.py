"""Shopping lists in the portal: create, rename, share, delete, into the cart, add from the product
page; another account's list answers 404."""

from __future__ import annotations

from decimal import Decimal

import pytest

from meridian.ordering.models import Cart, CartLine
from meridian.ordering.services import add_to_cart, create_list, current_cart
from tests.customers.factories import BuyerUserFactory
from tests.ordering.conftest import World
from tests.portal.ordering_helpers import login, words

D = Decimal
pytestmark = pytest.mark.django_db


def test_create_rename_share_and_delete_a_list(world: World) -> None:
    client = login(world.buyer)

    created = client.post("/lists/", {"name": "Monthly maintenance"})
    listed = Cart.objects.get(kind=Cart.Kind.LIST, owner=world.buyer.user)
    renamed = client.post(f"/lists/{listed.pk}/edit/", {"name": "Weekly", "is_shared": "on"})
    listed.refresh_from_db()

    assert created["Location"] == f"/lists/{listed.pk}/"
    assert renamed.status_code == 302 and listed.name == "Weekly" and listed.is_shared
    assert "Weekly" in words(client.get("/lists/"))

    deleted = client.post(f"/lists/{listed.pk}/delete/")

    assert deleted["Location"] == "/lists/"
    assert not Cart.objects.filter(pk=listed.pk).exists()


def test_an_empty_name_is_a_form_error(world: World) -> None:
    response = login(world.buyer).post("/lists/", {"name": "  "})

    assert response.status_code == 200 and "This field is required." in words(response)
    assert not Cart.objects.filter(kind=Cart.Kind.LIST).exists()


def test_a_shared_list_is_seen_and_used_by_a_colleague_who_may_not_rename_it(world: World) -> None:
    listed = create_list(actor=world.buyer_actor, name="Shop floor", is_shared=True)
    add_to_cart(actor=world.buyer_actor, cart=listed, reference="BOLT-M8", quantity=D(10))
    colleague = BuyerUserFactory(account=world.child, is_buyer=True)
    client = login(colleague)

    page = words(client.get(f"/lists/{listed.pk}/"))
    to_cart = client.post(f"/lists/{listed.pk}/to-cart/")
    rename = client.post(f"/lists/{listed.pk}/edit/", {"name": "Mine now"})

    assert "Shop floor" in page and "Hex bolt M8" in page and "Delete list" not in page
    assert to_cart["Location"] == "/cart/"
    assert rename.status_code == 403
    listed.refresh_from_db()
    assert listed.name == "Shop floor"


def test_a_list_goes_into_the_cart(world: World) -> None:
    listed = create_list(actor=world.buyer_actor, name="Usual")
    add_to_cart(actor=world.buyer_actor, cart=listed, reference="BOLT-M8", quantity=D(10))
    add_to_cart(actor=world.buyer_actor, cart=listed, reference="WASHER-8", quantity=D(20))

    response = login(world.buyer).post(f"/lists/{listed.pk}/to-cart/")

    cart = current_cart(actor=world.buyer_actor)
    assert response["Location"] == "/cart/"
    assert dict(CartLine.objects.filter(cart=cart).values_list("product__sku", "quantity")) == {
        "BOLT-M8": D(10),
        "WASHER-8": D(20),
    }


def test_add_to_a_list_from_the_product_page(world: World) -> None:
    listed = create_list(actor=world.buyer_actor, name="Usual")
    client = login(world.buyer)

    page = words(client.get("/p/BOLT-M8/"))
    into_existing = client.post("/lists/add/", {"reference": "BOLT-M8", "quantity": "12", "list": listed.pk})
    into_new = client.post("/lists/add/", {"reference": "HAMMER", "quantity": "1", "new_list": "Tools"})

    assert "Add to cart" in page and "Add to a shopping list" in page and "Usual" in page
    assert into_existing["Location"] == f"/lists/{listed.pk}/"
    assert CartLine.objects.get(cart=listed).quantity == D(12)
    tools = Cart.objects.get(name="Tools")
    assert into_new["Location"] == f"/lists/{tools.pk}/"
    assert CartLine.objects.get(cart=tools).product == world.hammer


def test_add_to_cart_from_the_product_page(world: World) -> None:
    response = login(world.buyer).post(
        "/cart/add/", {"reference": "BOLT-M8", "quantity": "2", "uom": "BX", "next": "product"}
    )

    assert response["Location"] == "/cart/"
    line = CartLine.objects.get(cart=current_cart(actor=world.buyer_actor))
    assert (line.quantity, line.uom) == (D(2), "BX")


def test_another_accounts_list_is_404_and_unchanged(world: World) -> None:
    listed = create_list(actor=world.buyer_actor, name="Private", is_shared=True)
    outsider = login(world.other_buyer)

    page = outsider.get(f"/lists/{listed.pk}/")
    add = outsider.post("/lists/add/", {"reference": "BOLT-M8", "quantity": "1", "list": listed.pk})

    assert page.status_code == add.status_code == 404
    assert not CartLine.objects.filter(cart=listed).exists()
