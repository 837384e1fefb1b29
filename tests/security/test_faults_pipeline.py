"""Faults in the middle of the three hot writes: `place_order`, a bulk price upsert, a bulk stock
count (issue 6). Builds on tests/security/faults.py.

- A database error at every statement (before and after it reaches the database) leaves the whole
  database as it was: no order without lines, no ledger row without its level change, no audit
  row or outbox event for a change that did not commit. The same request then succeeds once, and
  leaves exactly the outbox events of that one change. (SQLite and PostgreSQL.)
- A process killed with SIGKILL right after each of its writes reached the database (PostgreSQL):
  the server rolls the open transaction back, the same holds, and the retried request succeeds
  once; an Idempotency-Key claimed by the killed request answers 409 until it is stale, then the
  retry places the order once and replays it after.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from meridian.core import idempotency
from meridian.core.idempotency import IdempotencyKey, IdempotencyKeyInUse
from meridian.core.models import OutboxEvent
from meridian.core.services import issue_token
from meridian.inventory.models import StockLevel
from meridian.inventory.services import StockCount, count_stock
from meridian.ordering.models import Order
from meridian.ordering.services import OrderLineRequest, place_order
from meridian.pricing.services import EntryRow, upsert_price_entries
from tests.ordering.conftest import World, build_world
from tests.security import snapshot
from tests.security.faults import (
    InjectedFault,
    assert_every_fault_leaves_nothing,
    failing_statement,
    killed_at_statement,
    recording,
)
from tests.security.figures import add
from tests.security.http import error_code

D = Decimal
# a write, or a statement whose common table expressions write (placement's rows, allocation)
WRITE = re.compile(
    r"^\s*(INSERT|UPDATE|DELETE)\b|^\s*WITH\b.*\b(INSERT|UPDATE|DELETE)\b", re.IGNORECASE | re.DOTALL
)


def _use_cases(world: World) -> dict[str, Callable[[], object]]:
    lines = [OrderLineRequest(sku="BOLT-M8", quantity=D(4)), OrderLineRequest(sku="WASHER-8", quantity=D(20))]
    bolt_level = StockLevel.objects.get(warehouse=world.warehouse, product=world.bolt)
    return {
        "place_order": lambda: place_order(actor=world.buyer_actor, channel="api", lines=lines),
        "bulk_price_upsert": lambda: upsert_price_entries(
            actor=world.admin_actor,
            price_list=world.price_list,
            rows=[
                EntryRow(sku="BOLT-M8", price=D("2.35")),  # changed
                EntryRow(sku="WASHER-8", price=D("0.10")),  # unchanged
                EntryRow(sku="GLOVES", price=D("7.50")),  # created
            ],
        ),
        "bulk_stock_count": lambda: count_stock(
            organization=world.organization,
            counts=[
                StockCount(
                    row=0, warehouse=world.warehouse, product=world.bolt, on_hand=bolt_level.on_hand - 7
                ),
                StockCount(row=1, warehouse=world.warehouse, product=world.gloves, on_hand=D(130)),
            ],
            reference="COUNT-1",
        ),
    }


# What one committed run adds: exactly these outbox events, each once.
EVENTS = {
    "place_order": ["inventory.stock_allocated", "order.placed"],
    "bulk_price_upsert": ["pricing.price_list.entries_changed"],
    "bulk_stock_count": ["inventory.stock_counted"],
}
DURABLE = {"place_order"}  # atomic(durable=True): cannot run inside a rolled-back dry run


def _added_events(before: snapshot.Snapshot, after: snapshot.Snapshot) -> list[str]:
    return sorted(
        str(change.after["event_type"])
        for change in snapshot.diff(before, after)
        if change.model == "core.outboxevent" and change.kind == "added" and change.after
    )


def _count_statements(name: str, use_case: Callable[[], object]) -> list[str]:
    if name in DURABLE:  # real runs (the sweep's baseline is taken after them)
        use_case()  # the first warms this process's caches (inventory's routing), as in a server
        with recording(rollback=False) as statements:
            use_case()
        return statements
    with recording() as statements:
        use_case()
    return statements


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(EVENTS))
def test_a_database_error_at_any_statement_leaves_nothing_and_the_retry_commits_once(name: str) -> None:
    world = build_world()
    use_case = _use_cases(world)[name]
    statements = _count_statements(name, use_case)
    assert statements, "the dry run ran no SQL"
    before = snapshot.take()

    assert_every_fault_leaves_nothing(use_case, statements)

    use_case()  # the retry
    after_retry = snapshot.take()
    assert _added_events(before, after_retry) == EVENTS[name]


@pytest.mark.django_db
def test_a_failed_keyed_order_releases_its_key_and_the_retry_places_it_once() -> None:
    world = build_world()
    lines = [OrderLineRequest(sku="BOLT-M8", quantity=D(4))]

    def place() -> Order:
        return place_order(actor=world.buyer_actor, channel="api", lines=lines, idempotency_key="erp-77")

    with (
        pytest.raises(InjectedFault),
        failing_statement(1, after=True, match='INSERT INTO "ordering_orderline"'),
    ):
        place()
    add("faults_injected")

    assert not Order.objects.filter(idempotency_key="erp-77").exists()
    first, again = place(), place()
    assert first.pk == again.pk
    assert Order.objects.filter(idempotency_key="erp-77").count() == 1
    assert OutboxEvent.objects.filter(aggregate_id=first.number, event_type="order.placed").count() == 1


def _write_positions(statements: list[str]) -> list[int]:
    return [n for n, sql in enumerate(statements, start=1) if WRITE.match(sql)]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("name", list(EVENTS))
def test_a_process_killed_after_any_write_leaves_nothing_and_the_retry_commits_once(name: str) -> None:
    world = build_world()
    use_case = _use_cases(world)[name]
    statements = _count_statements(name, use_case)
    positions = _write_positions(statements)
    assert positions, statements
    before = snapshot.take()

    for n in positions:
        assert killed_at_statement(n, use_case), f"finished before statement {n}"
        add("processes_killed")
        changes = snapshot.diff(before, snapshot.take())
        assert not changes, f"killed after {statements[n - 1][:100]}: " + snapshot.describe(changes)

    use_case()  # the retry, in this process
    after_retry = snapshot.take()
    assert _added_events(before, after_retry) == EVENTS[name]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_keyed_order_killed_mid_transaction_is_placed_once_when_its_key_goes_stale() -> None:
    world = build_world()
    lines = [OrderLineRequest(sku="BOLT-M8", quantity=D(6))]

    def place() -> Order:
        return place_order(actor=world.buyer_actor, channel="api", lines=lines, idempotency_key="erp-kill")

    assert killed_at_statement(1, place, match='INSERT INTO "ordering_orderline"')
    add("processes_killed")

    assert not Order.objects.filter(idempotency_key="erp-kill").exists()
    claim = IdempotencyKey.objects.get(key="erp-kill")
    assert claim.response_status is None  # claimed, never completed: the request died
    with pytest.raises(IdempotencyKeyInUse):  # it might still be running, for all a retry knows
        place()
    IdempotencyKey.objects.filter(pk=claim.pk).update(
        created_at=timezone.now() - idempotency.STALE_AFTER - dt.timedelta(seconds=1)
    )
    first = place()
    again = place()
    assert first.pk == again.pk
    assert Order.objects.filter(idempotency_key="erp-kill").count() == 1
    assert first.lines.count() == 1
    assert OutboxEvent.objects.filter(aggregate_id=first.number, event_type="order.placed").count() == 1


@pytest.mark.django_db
def test_a_database_error_in_an_api_order_answers_503_json_and_the_keyed_retry_places_it_once() -> None:
    world = build_world()
    secret, _ = issue_token(user=world.buyer.user)
    client = Client(headers={"Authorization": f"Bearer {secret}", "Idempotency-Key": "erp-503"})
    body = json.dumps({"lines": [{"sku": "BOLT-M8", "quantity": "4"}]})
    before = snapshot.take()

    with failing_statement(1, after=True, match='INSERT INTO "ordering_orderline"'):
        response = client.post("/api/v1/orders", body, content_type="application/json")
    add("faults_injected")

    assert response.status_code == 503 and response["Retry-After"] == "1"
    assert error_code(response) == "temporarily_unavailable"
    assert not snapshot.diff(before, snapshot.take())
    first = client.post("/api/v1/orders", body, content_type="application/json")
    again = client.post("/api/v1/orders", body, content_type="application/json")
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json()["number"] == again.json()["number"]
    assert Order.objects.filter(idempotency_key="erp-503").count() == 1
