"""`/carts/{id}/lines`, `/carts/current` and `/orders/{number}/reorder` (shared/API.md): whose carts are
whose, the version guard, and reorder's price changes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from meridian.ordering.models import Cart, CartLine
from meridian.ordering.services import add_to_cart, create_list
from meridian.pricing.models import PriceListEntry
from tests.actors import actor_for
from tests.api import test_carts
from tests.api.conftest import ClientFor
from tests.api.test_carts import CARTS, JSON, error
from tests.customers.factories import BuyerUserFactory
from tests.ordering.conftest import World

world = test_carts.world  # the same fixture: the ordering world of tests/ordering/conftest.py


def lines_of(body: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(line["sku"], line["quantity"], line["uom"]) for line in body["lines"]]


def _list(world: World, *, shared: bool) -> Cart:
    actor = actor_for(world.buyer, website_id=world.website.pk)
    cart = create_list(actor=actor, name="Bolts", is_shared=shared)
    add_to_cart(actor=actor, cart=cart, reference="BOLT-M8", quantity=Decimal(24))
    return cart


def test_a_buyer_fills_the_current_cart_line_by_line(world: World, client_for: ClientFor) -> None:
    client = client_for(world.buyer)

    current = client.get(f"{CARTS}/current")
    added = client.post(
        f"{CARTS}/current/lines", {"sku": "bolt-m8", "quantity": "2", "uom": "BX"}, content_type=JSON
    )
    again = client.post(
        f"{CARTS}/current/lines", {"sku": "BOLT-M8", "quantity": 1, "uom": "BX"}, content_type=JSON
    )
    line_id = again.json()["lines"][0]["id"]
    patched = client.patch(f"{CARTS}/current/lines/{line_id}", {"quantity": "5"}, content_type=JSON)
    listed = client.get(f"{CARTS}/current/lines")

    assert current.status_code == 200, current.content
    assert (current.json()["kind"], current.json()["lines"]) == ("cart", [])
    assert added.status_code == 201, added.content
    assert lines_of(added.json()) == [("BOLT-M8", "2", "BX")]
    assert lines_of(again.json()) == [("BOLT-M8", "3", "BX")]  # the same product and unit: one line
    assert lines_of(patched.json()) == [("BOLT-M8", "5", "BX")]
    assert patched.json()["id"] == current.json()["id"]
    assert patched.json()["version"] == current.json()["version"] + 3
    assert listed.json()["count"] == 1
    assert [(item["id"], item["quantity"]) for item in listed.json()["items"]] == [(line_id, "5")]


def test_a_line_is_removed_and_a_stale_version_is_409(world: World, client_for: ClientFor) -> None:
    client = client_for(world.buyer)
    cart = client.post(
        f"{CARTS}/current/lines", {"sku": "BOLT-M8", "quantity": "4"}, content_type=JSON
    ).json()
    line_id = cart["lines"][0]["id"]
    client.post(f"{CARTS}/{cart['id']}/lines", {"sku": "WASHER-8", "quantity": "10"}, content_type=JSON)

    stale = client.patch(
        f"{CARTS}/{cart['id']}/lines/{line_id}",
        {"quantity": "8", "expected_version": cart["version"]},
        content_type=JSON,
    )
    stale_delete = client.delete(
        f"{CARTS}/{cart['id']}/lines/{line_id}", headers={"If-Match": str(cart["version"])}
    )
    removed = client.delete(
        f"{CARTS}/{cart['id']}/lines/{line_id}", headers={"If-Match": str(cart["version"] + 1)}
    )

    assert error(stale) == (409, "cart_changed")
    assert error(stale_delete) == (409, "cart_changed")
    assert removed.status_code == 200, removed.content
    assert lines_of(removed.json()) == [("WASHER-8", "10", "EA")]
    assert error(client.delete(f"{CARTS}/{cart['id']}/lines/{line_id}")) == (404, "cart_line_not_found")


def test_quantity_rules_and_unknown_products_are_422(world: World, client_for: ClientFor) -> None:
    client = client_for(world.buyer)

    washer = client.post(f"{CARTS}/current/lines", {"sku": "WASHER-8", "quantity": "15"}, content_type=JSON)
    unknown = client.post(f"{CARTS}/current/lines", {"sku": "NO-SUCH", "quantity": "1"}, content_type=JSON)

    assert error(washer) == (422, "quantity_rule_violation")
    assert "multiple of the order increment of 10" in washer.json()["error"]["message"]
    assert error(unknown)[0] == 404 and error(unknown)[1] == "product_not_found"
    assert not CartLine.objects.exists()


def test_a_private_list_and_a_current_cart_are_their_owners_alone(
    world: World, client_for: ClientFor
) -> None:
    private = _list(world, shared=False)
    line = CartLine.objects.get(cart=private)
    colleague = BuyerUserFactory(account=world.child, is_buyer=True)
    mine = client_for(world.buyer).get(f"{CARTS}/current").json()

    for member in (colleague, world.rep, world.admin, world.other_buyer):
        client = client_for(member)
        for cart_id in (private.pk, mine["id"]):
            assert error(client.get(f"{CARTS}/{cart_id}/lines")) == (404, "cart_not_found")
        assert error(
            client.post(f"{CARTS}/{private.pk}/lines", {"sku": "BOLT-M8", "quantity": "1"}, content_type=JSON)
        ) == (404, "cart_not_found")
        assert error(
            client.patch(f"{CARTS}/{private.pk}/lines/{line.pk}", {"quantity": "1"}, content_type=JSON)
        ) == (404, "cart_not_found")
        assert error(client.delete(f"{CARTS}/{private.pk}/lines/{line.pk}")) == (404, "cart_not_found")
    line.refresh_from_db()
    assert line.quantity == Decimal(24)


def test_a_shared_list_is_the_accounts_buyers_and_staffs(world: World, client_for: ClientFor) -> None:
    shared = _list(world, shared=True)
    colleague = BuyerUserFactory(account=world.child, is_buyer=True)
    path = f"{CARTS}/{shared.pk}/lines"

    by_colleague = client_for(colleague).post(path, {"sku": "BOLT-M8", "quantity": "1"}, content_type=JSON)
    by_rep = client_for(world.rep).post(path, {"sku": "BOLT-M8", "quantity": "1"}, content_type=JSON)
    by_viewer = client_for(world.viewer).post(path, {"sku": "BOLT-M8", "quantity": "1"}, content_type=JSON)
    by_warehouse = client_for(world.warehouse_staff).get(path)
    by_other_rep = client_for(world.other_rep).get(path)

    assert by_colleague.status_code == 201, by_colleague.content
    assert lines_of(by_rep.json()) == [("BOLT-M8", "26", "EA")]
    assert error(by_viewer) == (403, "not_allowed")  # sees it, may not order
    assert by_warehouse.status_code == 200
    assert error(by_other_rep) == (404, "cart_not_found")


def test_staff_name_the_account_of_their_current_cart(world: World, client_for: ClientFor) -> None:
    client = client_for(world.rep)

    missing = client.get(f"{CARTS}/current")
    theirs = client.get(f"{CARTS}/current", {"account": world.child.pk})
    outside = client.get(f"{CARTS}/current", {"account": world.other.pk})

    assert error(missing) == (422, "invalid_input")
    assert (theirs.status_code, theirs.json()["account"]) == (200, world.child.pk)
    assert error(outside) == (404, "account_not_found")
    assert error(client.get(f"{CARTS}/current/lines")) == (422, "invalid_input")  # staff: by id
    assert error(client_for(world.viewer).get(f"{CARTS}/current/lines")) == (403, "not_allowed")


def test_reorder_puts_the_lines_into_the_current_cart_with_price_changes(
    world: World, client_for: ClientFor
) -> None:
    order = world.order([(world.bolt, 10), (world.hammer, 1)])
    PriceListEntry.objects.filter(price_list=world.price_list, product=world.bolt).update(
        price=Decimal("2.50")
    )
    client = client_for(world.buyer)

    response = client.post(f"/api/v1/orders/{order.number}/reorder", {}, content_type=JSON)

    assert response.status_code == 200, response.content
    body = response.json()
    assert lines_of(body["cart"]) == [("BOLT-M8", "10", "EA"), ("HAMMER", "1", "EA")]
    changes = {change["sku"]: change for change in body["price_changes"]}
    assert (changes["BOLT-M8"]["previous_unit_price"], changes["BOLT-M8"]["current_unit_price"]) == (
        "2.00",
        "2.50",
    )
    assert (changes["BOLT-M8"]["has_changed"], changes["BOLT-M8"]["percent"]) == (True, "25.00")
    assert changes["HAMMER"]["has_changed"] is False
    assert [line["status"] for line in body["lines"]] == ["added", "added"]
    assert error(
        client.post(f"/api/v1/orders/{order.number}/reorder", {"expected_version": 1}, content_type=JSON)
    ) == (
        409,
        "cart_changed",
    )


def test_another_accounts_order_is_not_reordered(world: World, client_for: ClientFor) -> None:
    order = world.order([(world.bolt, 10)])

    response = client_for(world.other_buyer).post(
        f"/api/v1/orders/{order.number}/reorder", {}, content_type=JSON
    )

    assert error(response) == (404, "order_not_found")
    assert not Cart.objects.filter(owner=world.other_buyer.user).exists()


def test_adding_a_line_costs_a_fixed_number_of_queries(
    world: World, client_for: ClientFor, django_assert_max_num_queries: Any
) -> None:
    shared = _list(world, shared=True)
    client = client_for(world.buyer)

    # auth 5; cart lock; ancestors, part numbers, rules, products, units, lines, insert, version; the answer
    with django_assert_max_num_queries(17):
        response = client.post(
            f"{CARTS}/{shared.pk}/lines", {"sku": "WASHER-8", "quantity": "10"}, content_type=JSON
        )

    assert response.status_code == 201, response.content
