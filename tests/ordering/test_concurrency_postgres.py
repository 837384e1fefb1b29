"""Concurrency on PostgreSQL: real row locks, real threads, each with its own connection."""

from __future__ import annotations

import threading
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from meridian.core.idempotency import IdempotencyKeyInUse
from meridian.ordering import queries
from meridian.ordering.errors import OrderAlreadyDecided
from meridian.ordering.models import Order
from meridian.ordering.services import (
    OrderLineRequest,
    add_to_cart,
    approve_order,
    current_cart,
    place_order,
    reject_order,
)
from tests.customers.factories import BuyerUserFactory
from tests.ordering.conftest import World, build_world
from tests.ordering.factories import AccountOrderingSettingsFactory, BuyerOrderLimitFactory

D = Decimal
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_threads(count: int, work: Callable[[int], object]) -> tuple[list[object], list[BaseException]]:
    """Run `work(index)` in `count` threads started together; return results and raised errors."""
    barrier = threading.Barrier(count)
    results: list[object] = []
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait()
            results.append(work(index))
        except Exception as exc:  # the test asserts on every escape
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread hung (deadlock?)"
    return results, errors


@pytest.fixture
def world() -> World:
    return build_world()


def test_concurrent_requests_with_one_idempotency_key_place_exactly_one_order(world: World) -> None:
    actor = world.buyer_actor
    lines = [OrderLineRequest(sku="BOLT-M8", quantity=D(3))]

    def place(_: int) -> Order:
        return place_order(actor=actor, channel="api", lines=lines, idempotency_key="erp-4711")

    results, errors = run_threads(8, place)

    assert Order.objects.filter(organization=world.organization).count() == 1
    order = Order.objects.get(organization=world.organization)
    assert {result.pk for result in results if isinstance(result, Order)} == {order.pk}
    assert all(isinstance(error, IdempotencyKeyInUse) for error in errors), errors
    assert len(results) >= 1
    again = place(0)  # a retry after the first finished gets the first order
    assert again.pk == order.pk and again.idempotency_key == "erp-4711"


def test_two_approvers_deciding_at_once_one_wins_the_other_gets_a_conflict(world: World) -> None:
    BuyerOrderLimitFactory(buyer=world.buyer, order_limit=D(1))
    pending = world.order([(world.bolt, 5)])
    first = world.actor(world.approver)
    second = world.actor(BuyerUserFactory(account=world.parent, is_approver=True))

    def decide(index: int) -> Order:
        if index == 0:
            return approve_order(actor=first, number=pending.number)
        return reject_order(actor=second, number=pending.number, reason="no")

    results, errors = run_threads(2, decide)

    assert len(results) == 1 and len(errors) == 1
    assert isinstance(errors[0], OrderAlreadyDecided)
    pending.refresh_from_db()
    assert pending.status in (Order.Status.PLACED, Order.Status.REJECTED)
    assert pending.status_changes.count() == 2


def test_the_approval_locks_the_order_before_changing_it(world: World) -> None:
    BuyerOrderLimitFactory(buyer=world.buyer, order_limit=D(1))
    pending = world.order([(world.bolt, 5)])

    with CaptureQueriesContext(connection) as captured:
        approve_order(actor=world.actor(world.approver), number=pending.number)

    sqls = [query["sql"] for query in captured.captured_queries]
    lock = next(i for i, sql in enumerate(sqls) if 'FROM "ordering_order"' in sql and "FOR UPDATE" in sql)
    update = next(i for i, sql in enumerate(sqls) if sql.startswith('UPDATE "ordering_order"'))
    assert lock < update


def test_concurrent_adds_to_one_cart_lose_nothing(world: World) -> None:
    actor = world.buyer_actor
    cart = current_cart(actor=actor)

    def add(_: int) -> object:
        return add_to_cart(actor=actor, cart=cart.pk, reference="BOLT-M8", quantity=D(2))

    _, errors = run_threads(8, add)

    assert errors == []
    (line,) = queries.cart_lines(cart=cart)
    assert line.quantity == D(16)
    cart.refresh_from_db()
    assert cart.version == 9


def test_concurrent_orders_cannot_both_slip_under_the_monthly_budget(world: World) -> None:
    AccountOrderingSettingsFactory(account=world.child, monthly_budget=D(100))
    actor = world.buyer_actor

    def place(_: int) -> Order:
        return place_order(
            actor=actor, channel="portal", lines=[OrderLineRequest(sku="BOLT-M8", quantity=D(10))]
        )

    results, errors = run_threads(8, place)  # 20.00 each: five fit the budget

    assert errors == []
    statuses = sorted(order.status for order in results if isinstance(order, Order))
    assert statuses.count(Order.Status.PLACED) == 5
    assert statuses.count(Order.Status.PENDING_APPROVAL) == 3
