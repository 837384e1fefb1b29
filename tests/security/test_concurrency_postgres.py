"""Concurrency on PostgreSQL, through the channels users reach (issue 6): real threads started
together, each with its own connection, repeated for several rounds.

- more API clients than units ordering a product that may not backorder: never oversold, the
  others get 409 `insufficient_stock`;
- one Idempotency-Key sent by many API clients at once: exactly one order, every other answer
  replays it (201, same number) or says it is still running (409), never a 5xx;
- two approvers deciding one held order at once: one decision, the other `order_already_decided`,
  one transition and (for approvals) one allocation;
- one cart edited from two sessions that both saw the same version: one edit wins, the other gets
  `cart_changed`, the lines are the winner's;
- a price list bulk-upserted over the API while buyers place orders over the API: every order is
  priced entirely at the old list or entirely at the new one, and no request fails.

Helpers are ordering's (`run_threads`, `build_world`). The rounds, requests and orders checked are
counted in the "security figures".
"""

from __future__ import annotations

import json
import os
import threading
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Count
from django.test import Client

from meridian.core.models import OutboxEvent
from meridian.core.services import issue_token
from meridian.customers.models import BuyerUser
from meridian.inventory.models import BackorderPolicy, StockLevel, StockMovement
from meridian.inventory.queries import reconcile
from meridian.inventory.services import set_product_backorder_policy
from meridian.ordering import queries
from meridian.ordering.errors import CartChanged, OrderAlreadyDecided
from meridian.ordering.models import Order, OrderLine
from meridian.ordering.services import (
    add_to_cart,
    approve_order,
    current_cart,
    reject_order,
    set_line_quantity,
)
from meridian.staff.models import StaffMember
from tests.customers.factories import BuyerUserFactory
from tests.ordering.conftest import World, build_world
from tests.ordering.factories import BuyerOrderLimitFactory
from tests.ordering.test_concurrency_postgres import run_threads
from tests.security.figures import add

D = Decimal
ROUNDS = int(os.environ.get("MERIDIAN_CONCURRENCY_ROUNDS", "4"))  # per scenario; more for a soak
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world() -> World:
    return build_world()


def _client(member: BuyerUser | StaffMember, **headers: str) -> Client:
    secret, _ = issue_token(user=member.user)
    return Client(headers={"Authorization": f"Bearer {secret}", **headers})


def _post_json(client: Client, path: str, body: object, **headers: str) -> Any:
    return client.post(path, json.dumps(body), content_type="application/json", headers=headers)


def _duplicates_and_losses(world: World, keys: list[str]) -> int:
    """Keys with no order or more than one (the database also has a unique constraint)."""
    counts = dict(
        Order.objects.filter(organization=world.organization, idempotency_key__in=keys)
        .values_list("idempotency_key")
        .annotate(n=Count("pk"))
    )
    return sum(1 for key in keys if counts.get(key, 0) != 1)


def test_api_clients_sending_one_idempotency_key_at_once_make_exactly_one_order(world: World) -> None:
    clients = [_client(world.buyer) for _ in range(8)]
    body = {"lines": [{"sku": "BOLT-M8", "quantity": "3"}, {"sku": "WASHER-8", "quantity": "20"}]}
    keys = [f"erp-burst-{round_}" for round_ in range(ROUNDS)]
    problems: list[str] = []

    for key in keys:
        answers, errors = run_threads(
            len(clients),
            lambda i, key=key: _post_json(clients[i], "/api/v1/orders", body, **{"Idempotency-Key": key}),
        )
        add("concurrency_runs")
        add("concurrent_requests", len(clients))
        assert errors == []
        numbers = {a.json()["number"] for a in answers if a.status_code == 201}
        add("idempotent_replays", sum(1 for a in answers if a.status_code == 201) - 1)
        add("idempotent_in_flight", sum(1 for a in answers if a.status_code == 409))
        for answer in answers:
            if answer.status_code == 409 and answer.json()["error"]["code"] == "idempotency_key_in_use":
                continue
            if answer.status_code != 201:
                problems.append(f"{key}: {answer.status_code} {answer.content[:200]!r}")
        assert len(numbers) == 1, (key, numbers, problems)
        (number,) = numbers
        # The retry after the burst replays the first answer.
        again = _post_json(clients[0], "/api/v1/orders", body, **{"Idempotency-Key": key})
        assert (again.status_code, again.json()["number"]) == (201, number)
        assert StockMovement.objects.filter(reference=number, kind="allocation").count() == 2  # two lines
        assert OutboxEvent.objects.filter(aggregate_id=number, event_type="order.placed").count() == 1

    found = _duplicates_and_losses(world, keys)
    add("orders_checked", len(keys))
    add("lost_or_duplicated_orders", found)
    assert problems == [] and found == 0


HOT_BUYERS = 10


def test_api_clients_ordering_the_last_units_at_once_never_oversell(world: World) -> None:
    set_product_backorder_policy(product=world.hammer, policy=BackorderPolicy.DENY)  # 5 in stock
    clients = [_client(BuyerUserFactory(account=world.child, is_buyer=True)) for _ in range(HOT_BUYERS)]

    answers, errors = run_threads(
        HOT_BUYERS,
        lambda i: _post_json(clients[i], "/api/v1/orders", {"lines": [{"sku": "HAMMER", "quantity": "1"}]}),
    )
    add("concurrency_runs")
    add("concurrent_requests", HOT_BUYERS)

    assert errors == []
    placed = [a for a in answers if a.status_code == 201]
    refused = [a for a in answers if a.status_code == 409]
    assert len(placed) == 5 and len(refused) == HOT_BUYERS - 5, [a.status_code for a in answers]
    assert {a.json()["error"]["code"] for a in refused} == {"insufficient_stock"}
    level = StockLevel.objects.get(warehouse=world.warehouse, product=world.hammer)
    assert (level.on_hand, level.allocated) == (D(5), D(5))
    assert reconcile(organization_id=world.organization.pk) == []
    orders = Order.objects.filter(organization=world.organization, lines__product=world.hammer)
    assert orders.count() == 5  # no order without its stock, none lost


def _held_order(world: World) -> Order:
    return world.order([(world.bolt, 5)])


def test_two_approvers_deciding_one_order_at_once_make_one_decision(world: World) -> None:
    BuyerOrderLimitFactory(buyer=world.buyer, order_limit=D(1))  # every order of the buyer waits
    approvers = [
        world.actor(world.approver),
        world.actor(BuyerUserFactory(account=world.parent, is_approver=True)),
    ]

    for round_ in range(ROUNDS):
        pending = _held_order(world)
        both_approve = round_ % 2 == 0

        def decide(index: int, number: str = pending.number, both_approve: bool = both_approve) -> Order:
            if both_approve or index == 0:
                return approve_order(actor=approvers[index], number=number)
            return reject_order(actor=approvers[index], number=number, reason="over budget")

        results, errors = run_threads(2, decide)
        add("concurrency_runs")

        assert len(results) == 1 and len(errors) == 1, (results, errors)
        assert isinstance(errors[0], OrderAlreadyDecided)
        pending.refresh_from_db()
        assert pending.status in (Order.Status.PLACED, Order.Status.REJECTED)
        assert pending.status_changes.count() == 2  # placed as pending, then one decision
        allocations = StockMovement.objects.filter(reference=pending.number, kind="allocation").count()
        assert allocations == (1 if pending.status == Order.Status.PLACED else 0)
        decided = OutboxEvent.objects.filter(
            aggregate_id=pending.number, event_type__in=["order.approved", "order.rejected"]
        )
        assert decided.count() == 1


def test_one_cart_edited_from_two_sessions_keeps_the_winner_s_edit(world: World) -> None:
    actor = world.buyer_actor
    cart = current_cart(actor=actor)
    add_to_cart(actor=actor, cart=cart.pk, reference="BOLT-M8", quantity=D(2))
    (line,) = queries.cart_lines(cart=cart)

    for round_ in range(ROUNDS):
        cart.refresh_from_db()
        seen = cart.version  # both sessions rendered this version
        wanted = [D(10 + 2 * round_), D(100 + 2 * round_)]

        def edit(index: int, seen: int = seen, wanted: list[Decimal] = wanted) -> Decimal:
            set_line_quantity(
                actor=actor, cart=cart.pk, line_id=line.pk, quantity=wanted[index], expected_version=seen
            )
            return wanted[index]

        results, errors = run_threads(2, edit)
        add("concurrency_runs")

        assert len(results) == 1 and len(errors) == 1, (results, errors)
        assert isinstance(errors[0], CartChanged)
        (after,) = queries.cart_lines(cart=cart)
        assert after.quantity == results[0]
        cart.refresh_from_db()
        assert cart.version == seen + 1


PRICES = {  # generation -> SKU -> unit price
    "old": {"BOLT-M8": D("2.00"), "WASHER-8": D("0.10")},
    "new": {"BOLT-M8": D("2.50"), "WASHER-8": D("0.20")},
}
WRITER_UPSERTS = 12
ORDERS_PER_BUYER = 4


def test_orders_placed_while_the_price_list_is_upserted_are_priced_at_one_list(world: World) -> None:
    buyers = [world.buyer, *(BuyerUserFactory(account=world.child, is_buyer=True) for _ in range(3))]
    buyer_clients = [_client(buyer) for buyer in buyers]
    editor = _client(world.admin)
    answers: list[tuple[str, int, bytes]] = []
    lock = threading.Lock()

    def work(index: int) -> None:
        if index == len(buyers):  # the writer: old, new, old, ... as one bulk upsert each
            for number in range(WRITER_UPSERTS):
                generation = "new" if number % 2 == 0 else "old"
                rows = [{"sku": sku, "price": str(price)} for sku, price in PRICES[generation].items()]
                response = editor.put(
                    f"/api/v1/price-lists/{world.price_list.code}/entries",
                    json.dumps({"rows": rows}),
                    content_type="application/json",
                )
                with lock:
                    answers.append(("upsert", response.status_code, response.content[:300]))
            return
        for number in range(ORDERS_PER_BUYER):
            response = _post_json(
                buyer_clients[index],
                "/api/v1/orders",
                {"lines": [{"sku": "BOLT-M8", "quantity": "10"}, {"sku": "WASHER-8", "quantity": "10"}]},
                **{"Idempotency-Key": f"price-race-{index}-{number}"},
            )
            with lock:
                answers.append(("order", response.status_code, response.content[:300]))

    _, errors = run_threads(len(buyers) + 1, work)
    add("concurrency_runs")
    add("concurrent_requests", len(answers))

    assert errors == []
    failed = [answer for answer in answers if answer[1] not in (200, 201)]
    assert failed == [], failed  # no deadlock, serialization or lock error reaches a user
    keys = [f"price-race-{i}-{n}" for i in range(len(buyers)) for n in range(ORDERS_PER_BUYER)]
    mixed = []
    for order in Order.objects.filter(idempotency_key__in=keys).prefetch_related("lines__product"):
        prices = {line.product.sku: line.unit_price for line in order.lines.all()}
        generation = next((g for g, expected in PRICES.items() if prices == expected), None)
        if generation is None:
            mixed.append((order.number, prices))
    found = _duplicates_and_losses(world, keys)
    add("orders_checked", len(keys))
    add("lost_or_duplicated_orders", found)
    add("mixed_price_orders", len(mixed))
    assert mixed == [] and found == 0
    assert OrderLine.objects.filter(order__idempotency_key__in=keys).count() == 2 * len(keys)
