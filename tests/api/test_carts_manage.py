"""`PATCH /carts/{id}` and `DELETE /carts/{id}` (shared/API.md): rename, (un)share and delete a shopping
list, empty the current cart; only the owner (and, for a shared list, a seller admin) may."""

from __future__ import annotations

from decimal import Decimal

from meridian.ordering.models import Cart, CartLine
from meridian.ordering.services import add_to_cart, create_list, current_cart
from tests.actors import actor_for
from tests.api import test_carts
from tests.api.conftest import ClientFor
from tests.api.test_carts import CARTS, JSON, error
from tests.customers.factories import BuyerUserFactory
from tests.ordering.conftest import World

world = test_carts.world  # the ordering world of tests/ordering/conftest.py


def _list(world: World, *, shared: bool, name: str = "Bolts") -> Cart:
    actor = actor_for(world.buyer, website_id=world.website.pk)
    cart = create_list(actor=actor, name=name, is_shared=shared)
    add_to_cart(actor=actor, cart=cart, reference="BOLT-M8", quantity=Decimal(24))
    cart.refresh_from_db()
    return cart


def _stored(cart: Cart) -> tuple[str, bool, bool, int]:
    cart.refresh_from_db()
    return cart.name, cart.is_shared, cart.is_shared_with_subtree, cart.version


def test_the_owner_renames_and_shares_a_list(world: World, client_for: ClientFor) -> None:
    listed = _list(world, shared=False)
    version = listed.version

    response = client_for(world.buyer).patch(
        f"{CARTS}/{listed.pk}",
        {"name": "Bolts, weekly", "is_shared_with_subtree": True, "expected_version": version},
        content_type=JSON,
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["name"], body["is_shared"], body["is_shared_with_subtree"]) == ("Bolts, weekly", True, True)
    assert body["version"] == version + 1
    assert [line["sku"] for line in body["lines"]] == ["BOLT-M8"]
    assert _stored(listed) == ("Bolts, weekly", True, True, version + 1)


def test_a_field_left_out_is_unchanged_and_unsharing_works(world: World, client_for: ClientFor) -> None:
    listed = _list(world, shared=True, name="Shop floor")

    response = client_for(world.buyer).patch(f"{CARTS}/{listed.pk}", {"is_shared": False}, content_type=JSON)

    assert response.status_code == 200, response.content
    assert _stored(listed)[:3] == ("Shop floor", False, False)


def test_a_stale_version_is_409_and_changes_nothing(world: World, client_for: ClientFor) -> None:
    listed = _list(world, shared=False)
    before = _stored(listed)
    client = client_for(world.buyer)

    renamed = client.patch(
        f"{CARTS}/{listed.pk}", {"name": "Other", "expected_version": listed.version - 1}, content_type=JSON
    )
    deleted = client.delete(f"{CARTS}/{listed.pk}", headers={"If-Match": str(listed.version - 1)})

    assert error(renamed) == (409, "cart_changed")
    assert error(deleted) == (409, "cart_changed")
    assert _stored(listed) == before


def test_a_bad_name_is_422_naming_the_field(world: World, client_for: ClientFor) -> None:
    listed = _list(world, shared=False)
    before = _stored(listed)

    response = client_for(world.buyer).patch(f"{CARTS}/{listed.pk}", {"name": "x" * 101}, content_type=JSON)

    assert error(response) == (422, "invalid_input")
    assert "name" in response.json()["error"]["fields"]
    assert _stored(listed) == before


def test_a_colleague_who_edits_a_shared_lists_lines_may_not_rename_or_delete_it(
    world: World, client_for: ClientFor
) -> None:
    listed = _list(world, shared=True)
    colleague = client_for(BuyerUserFactory(account=world.child, is_buyer=True))
    before = _stored(listed)

    renamed = colleague.patch(f"{CARTS}/{listed.pk}", {"name": "Mine now"}, content_type=JSON)
    deleted = colleague.delete(f"{CARTS}/{listed.pk}")
    rep_renamed = client_for(world.rep).patch(f"{CARTS}/{listed.pk}", {"name": "Rep's"}, content_type=JSON)
    added = colleague.post(
        f"{CARTS}/{listed.pk}/lines", {"sku": "BOLT-M8", "quantity": "1"}, content_type=JSON
    )

    assert error(renamed) == (403, "not_allowed")
    assert error(deleted) == (403, "not_allowed")
    assert error(rep_renamed) == (403, "not_allowed")
    assert added.status_code == 201  # its lines are the account's
    assert _stored(listed)[:3] == before[:3]
    assert Cart.objects.filter(pk=listed.pk).exists()


def test_a_seller_admin_tidies_a_shared_list_but_never_sees_a_private_one(
    world: World, client_for: ClientFor
) -> None:
    shared = _list(world, shared=True, name="Shared")
    private = _list(world, shared=False, name="Private")
    admin = client_for(world.admin)

    unshared = admin.patch(f"{CARTS}/{shared.pk}", {"is_shared": False}, content_type=JSON)
    private_renamed = admin.patch(f"{CARTS}/{private.pk}", {"name": "Seen"}, content_type=JSON)
    private_deleted = admin.delete(f"{CARTS}/{private.pk}")

    assert unshared.status_code == 200, unshared.content
    assert error(private_renamed) == (404, "cart_not_found")
    assert error(private_deleted) == (404, "cart_not_found")
    assert _stored(private)[0] == "Private"


def test_the_owner_deletes_a_list_with_its_lines(world: World, client_for: ClientFor) -> None:
    listed = _list(world, shared=True)

    response = client_for(world.buyer).delete(
        f"{CARTS}/{listed.pk}", headers={"If-Match": str(listed.version)}
    )
    again = client_for(world.buyer).delete(f"{CARTS}/{listed.pk}")

    assert response.status_code == 204, response.content
    assert not Cart.objects.filter(pk=listed.pk).exists()
    assert not CartLine.objects.filter(cart_id=listed.pk).exists()
    assert error(again) == (404, "cart_not_found")


def test_deleting_the_current_cart_empties_it_and_keeps_it(world: World, client_for: ClientFor) -> None:
    actor = actor_for(world.buyer, website_id=world.website.pk)
    cart = current_cart(actor=actor)
    add_to_cart(actor=actor, cart=cart, reference="BOLT-M8", quantity=Decimal(2))
    cart.refresh_from_db()
    client = client_for(world.buyer)

    response = client.delete(f"{CARTS}/{cart.pk}")  # `/carts/current` itself is GET only
    renamed = client.patch(f"{CARTS}/{cart.pk}", {"name": "My cart"}, content_type=JSON)
    after = client.get(f"{CARTS}/current").json()

    assert response.status_code == 204, response.content
    assert (after["id"], after["lines"], after["version"]) == (cart.pk, [], cart.version + 1)
    assert error(renamed) == (422, "invalid_input")
    assert "cart" in renamed.json()["error"]["fields"]


def test_another_accounts_list_is_404_and_unchanged(world: World, client_for: ClientFor) -> None:
    listed = _list(world, shared=True)
    before = _stored(listed)
    outsider = client_for(world.other_buyer)

    renamed = outsider.patch(f"{CARTS}/{listed.pk}", {"name": "Theirs"}, content_type=JSON)
    deleted = outsider.delete(f"{CARTS}/{listed.pk}")
    missing = outsider.delete(f"{CARTS}/987654321")

    assert error(renamed) == error(deleted) == error(missing) == (404, "cart_not_found")
    assert _stored(listed) == before
