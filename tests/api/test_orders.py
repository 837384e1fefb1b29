"""`/orders` (shared/API.md): place, list, read and cancel orders through the one pipeline."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from meridian.inventory.models import StockLevel
from meridian.ordering.models import Order
from meridian.ordering.services import OrderLineRequest, place_order
from tests.actors import actor_for
from tests.api.auth_queries import auth_queries
from tests.api.conftest import ClientFor
from tests.ordering.conftest import World, build_world
from tests.ordering.test_place_order import PLACEMENT_QUERIES

D = Decimal
JSON = "application/json"
ORDERS = "/api/v1/orders"


@pytest.fixture
def world(db: None) -> World:
    return build_world()


def post_order(client: Client, body: dict[str, Any], key: str | None = None) -> Any:
    headers = {"Idempotency-Key": key} if key is not None else {}
    return client.post(ORDERS, body, content_type=JSON, headers=headers)


def allocated(world: World, sku: str) -> Decimal:
    return StockLevel.objects.get(warehouse=world.warehouse, product__sku=sku).allocated


def order_count(world: World) -> int:
    return Order.objects.filter(organization=world.organization).count()


def error(response: Any) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


# --- placing ---------------------------------------------------------------------------------


def test_a_buyer_places_an_order_priced_as_prices_resolve_prices_it(
    world: World, client_for: ClientFor
) -> None:
    client = client_for(world.buyer)
    lines = [{"sku": "BOLT-M8", "quantity": "150"}, {"sku": "HAMMER", "quantity": 2}]
    resolved = client.post(
        "/api/v1/prices/resolve", {"account": world.child.pk, "lines": lines}, content_type=JSON
    ).json()

    response = post_order(client, {"lines": lines, "po_number": "PO-1", "ship_to": world.address.pk})

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"].startswith("SO-")
    assert (body["status"], body["account"], body["channel"], body["po_number"]) == (
        "placed",
        world.child.pk,
        "api",
        "PO-1",
    )
    expected = [(line["sku"], line["unit_price"], line["line_total"]) for line in resolved["lines"]]
    assert [(line["sku"], line["unit_price"], line["line_total"]) for line in body["lines"]] == expected
    assert expected == [("BOLT-M8", "1.80", "270.00"), ("HAMMER", "18.00", "36.00")]
    bolt, hammer = body["lines"]
    assert (bolt["quantity"], bolt["source"]["price_list_code"]) == ("150", "WEB")
    assert hammer["source"]["kind"] == "customer_price"
    assert body["totals"]["subtotal"] == resolved["total"] == "306.00"
    assert body["totals"]["currency"] == "USD"
    assert body["allocations"] == [
        {"warehouse": "MAIN", "sku": "BOLT-M8", "quantity": "150"},
        {"warehouse": "MAIN", "sku": "HAMMER", "quantity": "2"},
    ]
    assert [change["to_status"] for change in body["history"]] == ["placed"]
    assert allocated(world, "HAMMER") == D(2)


def test_a_sales_rep_orders_for_an_assigned_account_only(world: World, client_for: ClientFor) -> None:
    client = client_for(world.rep)
    lines = [{"sku": "BOLT-M8", "quantity": "10"}]

    own = post_order(client, {"account": world.child.pk, "lines": lines})
    other = post_order(client, {"account": world.other.pk, "lines": lines})

    assert own.status_code == 201, own.content
    assert (own.json()["channel"], own.json()["account"]) == ("rep", world.child.pk)
    assert error(other) == (404, "account_not_found")
    assert order_count(world) == 1


def test_no_token_is_401(world: World) -> None:
    response = post_order(Client(), {"lines": [{"sku": "BOLT-M8", "quantity": "1"}]})

    assert error(response) == (401, "not_authenticated")
    assert Client().get(ORDERS).status_code == 401


def test_a_viewer_may_not_order_and_nothing_is_written(world: World, client_for: ClientFor) -> None:
    response = post_order(client_for(world.viewer), {"lines": [{"sku": "BOLT-M8", "quantity": "1"}]})

    assert error(response) == (403, "not_allowed")
    assert order_count(world) == 0
    assert allocated(world, "BOLT-M8") == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"lines": [{"sku": "BOLT-M8", "quantity": "-1"}]}, "lines.0.quantity"),
        ({"lines": [{"sku": "BOLT-M8", "quantity": "1"}, {"quantity": "1"}]}, "lines.1.sku"),
        ({"lines": [{"sku": "BOLT-M8", "quantity": "1"}], "requested_date": "soon"}, "requested_date"),
        ({"lines": [{"sku": "BOLT-M8", "quantity": "1"}], "payment": {"method": "cash"}}, "payment.method"),
        ({"po_number": "PO-1"}, "body"),
    ],
)
def test_bad_input_is_422_with_the_field_path(
    world: World, client_for: ClientFor, body: dict[str, Any], field: str
) -> None:
    response = post_order(client_for(world.buyer), body)

    assert error(response) == (422, "invalid_input")
    assert field in response.json()["error"]["fields"], response.json()
    assert order_count(world) == 0


def test_unknown_and_unpriced_lines_are_named_and_nothing_is_written(
    world: World, client_for: ClientFor
) -> None:
    response = post_order(
        client_for(world.buyer),
        {
            "lines": [
                {"sku": "BOLT-M8", "quantity": "1"},
                {"sku": "NOPE", "quantity": "1"},
                {"sku": "GLOVES", "quantity": "1"},
            ]
        },
    )

    assert error(response) == (422, "invalid_order_lines")
    assert {"lines.1.sku", "lines.2.sku"} <= set(response.json()["error"]["fields"])
    assert order_count(world) == 0
    assert allocated(world, "BOLT-M8") == 0


def test_the_same_idempotency_key_and_body_answer_the_first_order(
    world: World, client_for: ClientFor
) -> None:
    client = client_for(world.buyer)
    body = {"lines": [{"sku": "BOLT-M8", "quantity": "10"}], "po_number": "PO-7"}

    first = post_order(client, body, key="erp-1")
    retry = post_order(client, {**body, "lines": [{"sku": "BOLT-M8", "quantity": 10}]}, key="erp-1")

    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.json()["number"] == first.json()["number"]
    assert order_count(world) == 1
    assert allocated(world, "BOLT-M8") == D(10)


def test_the_same_idempotency_key_with_another_body_is_422_and_changes_nothing(
    world: World, client_for: ClientFor
) -> None:
    client = client_for(world.buyer)
    post_order(client, {"lines": [{"sku": "BOLT-M8", "quantity": "10"}]}, key="erp-2")

    other = post_order(client, {"lines": [{"sku": "BOLT-M8", "quantity": "11"}]}, key="erp-2")

    assert error(other) == (422, "idempotency_key_reused")
    assert "Idempotency-Key" in other.json()["error"]["fields"]
    assert order_count(world) == 1
    assert allocated(world, "BOLT-M8") == D(10)


# --- reading ----------------------------------------------------------------------------------


def _place(world: World, quantity: int = 10, *, buyer: Any = None, po_number: str = "") -> Order:
    return place_order(
        actor=actor_for(buyer or world.buyer, website_id=world.website.pk),
        channel="api",
        lines=[OrderLineRequest(sku="BOLT-M8", quantity=D(quantity))],
        po_number=po_number,
    )


def test_an_order_reads_with_lines_sources_allocations_and_history(
    world: World, client_for: ClientFor
) -> None:
    order = _place(world, 12)

    response = client_for(world.buyer).get(f"{ORDERS}/{order.number}")

    assert response.status_code == 200
    body = response.json()
    assert (body["number"], body["status"]) == (order.number, "placed")
    (line,) = body["lines"]
    assert (line["sku"], line["quantity"], line["unit_price"], line["line_total"]) == (
        "BOLT-M8",
        "12",
        "2.00",
        "24.00",
    )
    assert line["source"]["price_list_code"] == "WEB"
    assert body["allocations"] == [{"warehouse": "MAIN", "sku": "BOLT-M8", "quantity": "12"}]
    assert [change["to_status"] for change in body["history"]] == ["placed"]


def test_another_accounts_order_is_404_and_cannot_be_cancelled(world: World, client_for: ClientFor) -> None:
    theirs = _place(world, 10, buyer=world.other_buyer)
    client = client_for(world.buyer)

    read = client.get(f"{ORDERS}/{theirs.number}")
    cancel = client.post(f"{ORDERS}/{theirs.number}/cancel", {}, content_type=JSON)

    assert error(read) == (404, "order_not_found")
    assert error(cancel) == (404, "order_not_found")
    theirs.refresh_from_db()
    assert theirs.status == Order.Status.PLACED
    assert allocated(world, "BOLT-M8") == D(10)


def test_the_list_is_scoped_and_filters(world: World, client_for: ClientFor) -> None:
    mine = _place(world, 10, po_number="PO-ALPHA")
    second = _place(world, 20, po_number="PO-BETA")
    _place(world, 10, buyer=world.other_buyer)
    client = client_for(world.buyer)
    client.post(f"{ORDERS}/{second.number}/cancel", {}, content_type=JSON)

    everything = client.get(ORDERS).json()
    placed = client.get(ORDERS, {"status": "placed"}).json()
    searched = client.get(ORDERS, {"q": "alpha"}).json()
    paged = client.get(ORDERS, {"limit": 1, "offset": 1}).json()

    assert everything["count"] == 2
    assert [item["number"] for item in everything["items"]] == [second.number, mine.number]
    assert [item["number"] for item in placed["items"]] == [mine.number]
    assert [item["number"] for item in searched["items"]] == [mine.number]
    assert everything["items"][1]["total"] == "20.00"
    assert (paged["count"], [item["number"] for item in paged["items"]]) == (2, [mine.number])


@pytest.mark.parametrize("orders", [1, 5])
def test_the_list_costs_the_same_whatever_the_number_of_orders(
    world: World, client_for: ClientFor, django_assert_num_queries: Any, orders: int
) -> None:
    for _ in range(orders):
        _place(world)
    client = client_for(world.buyer)

    # auth (a buyer whose account has ancestors, the token's last use); count, orders+account+placing user
    with django_assert_num_queries(auth_queries(ancestors=True) + 2):
        response = client.get(ORDERS)

    assert response.json()["count"] == orders


# --- cancelling -------------------------------------------------------------------------------


def test_cancelling_releases_the_stock(world: World, client_for: ClientFor) -> None:
    order = _place(world, 30)
    assert allocated(world, "BOLT-M8") == D(30)

    response = client_for(world.buyer).post(
        f"{ORDERS}/{order.number}/cancel", {"reason": "ordered twice"}, content_type=JSON
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "cancelled"
    assert body["allocations"] == []
    assert body["history"][-1]["reason"] == "ordered twice"
    assert allocated(world, "BOLT-M8") == 0


def test_a_viewer_may_not_cancel(world: World, client_for: ClientFor) -> None:
    order = _place(world, 30)

    response = client_for(world.viewer).post(f"{ORDERS}/{order.number}/cancel", {}, content_type=JSON)

    assert error(response) == (403, "not_allowed")
    order.refresh_from_db()
    assert order.status == Order.Status.PLACED
    assert allocated(world, "BOLT-M8") == D(30)


def test_a_cancelled_order_cannot_be_cancelled_again(world: World, client_for: ClientFor) -> None:
    order = _place(world, 30)
    client = client_for(world.buyer)
    client.post(f"{ORDERS}/{order.number}/cancel", {}, content_type=JSON)

    again = client.post(f"{ORDERS}/{order.number}/cancel", {}, content_type=JSON)

    assert error(again) == (409, "invalid_transition")


@pytest.mark.parametrize("key", [None, "same-key"])
def test_the_answer_to_a_placement_is_the_order_as_read_back(
    world: World, client_for: ClientFor, key: str | None
) -> None:
    """The 201 is built from the order placement returned (no scoped read again): it must say exactly
    what `GET /orders/{number}` says, a replayed key included."""
    client = client_for(world.buyer)
    body = {
        "lines": [{"sku": "BOLT-M8", "quantity": "150"}, {"sku": "HAMMER", "quantity": 2}],
        "po_number": "P",
    }

    placed = post_order(client, body, key)
    again = post_order(client, body, key) if key else placed
    read = client.get(f"{ORDERS}/{placed.json()['number']}")

    assert placed.status_code == again.status_code == 201, placed.content
    assert placed.json() == read.json() == again.json()


def test_placing_over_http_costs_a_fixed_number_of_queries(
    world: World, client_for: ClientFor, django_assert_num_queries: Any
) -> None:
    client = client_for(world.buyer)
    post_order(client, {"lines": [{"sku": "BOLT-M8", "quantity": "1"}]})  # warm caches

    # auth (a buyer whose account has ancestors; the token's last use was written by the first
    # order); placement (PLACEMENT_QUERIES in tests/ordering); the answer: allocations (the order,
    # its lines and its history are answered as placement wrote them)
    with django_assert_num_queries(auth_queries(ancestors=True, last_use=False) + PLACEMENT_QUERIES + 1):
        response = post_order(
            client, {"lines": [{"sku": "BOLT-M8", "quantity": "1"}, {"sku": "HAMMER", "quantity": 1}]}
        )

    assert response.status_code == 201, response.content
