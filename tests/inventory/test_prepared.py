"""The allocation hot path's prepared statements (PostgreSQL) and its array parameters."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from meridian.core.models import OutboxEvent
from meridian.core.prepared import array_literal, prepared_cursor
from meridian.inventory import services
from meridian.inventory.queries import reconcile
from tests.catalog.factories import ProductFactory
from tests.inventory.factories import WarehouseAssignmentFactory, WarehouseFactory, receive
from tests.tenancy.factories import OrganizationFactory, WebsiteFactory

D = Decimal


def _allocate_three_orders() -> tuple[int, list[str]]:
    org = OrganizationFactory()
    website = WebsiteFactory(organization=org)
    warehouse = WarehouseFactory(organization=org)
    WarehouseAssignmentFactory(warehouse=warehouse, website=website)
    products = [ProductFactory(organization=org) for _ in range(3)]
    for product in products:
        receive(warehouse, product, 10)
    with CaptureQueriesContext(connection) as captured:
        for number in range(3):
            services.allocate_order(
                organization=org,
                website=website,
                account=None,
                ship_to=None,
                lines=[services.OrderLine(str(i), p.pk, D(1)) for i, p in enumerate(products)],
                reference=f"SO-{number}",
            )
    return org.pk, [query["sql"] for query in captured.captured_queries]


def _prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE NOT from_sql")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_allocation_statements_are_prepared_once_and_seen_by_query_capture() -> None:
    organization_id, sql = _allocate_three_orders()

    prepared = _prepared_statements()
    assert sum("WITH locked AS MATERIALIZED" in statement for statement in prepared) == 1
    assert sum('INSERT INTO "core_outboxevent"' in statement for statement in prepared) == 1
    # Captured with their values, as every other query: three orders, two statements each.
    assert sum("FOR UPDATE OF l" in query for query in sql) == 3
    assert sum('INSERT INTO "core_outboxevent"' in query and "SO-2" in query for query in sql) == 1
    assert OutboxEvent.objects.filter(event_type="inventory.stock_allocated").count() == 3
    assert reconcile(organization_id=organization_id) == []


@pytest.mark.postgres
@pytest.mark.django_db
def test_with_prepared_statements_off_the_same_statements_run_unprepared(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MERIDIAN_PREPARED_STATEMENTS", "0")
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")  # what earlier tests on this connection left

    organization_id, sql = _allocate_three_orders()

    assert not any("WITH locked AS MATERIALIZED" in statement for statement in _prepared_statements())
    assert sum("FOR UPDATE OF l" in query for query in sql) == 3
    assert reconcile(organization_id=organization_id) == []


@pytest.mark.postgres
@pytest.mark.django_db
def test_array_literals_round_trip_through_postgresql() -> None:
    texts = ['a"b', "c\\d", "x,y", "", "NULL", "{}", " spaced "]
    numbers = [D("-1.250"), D("0"), D("1E+3"), 7]

    with prepared_cursor() as cursor:
        cursor.execute("SELECT %s::text[], %s::numeric[]", [array_literal(texts), array_literal(numbers)])
        row = cursor.fetchone()

    assert row is not None
    assert row[0] == texts
    assert row[1] == [D("-1.250"), D("0"), D("1000"), D("7")]


def test_array_literal_refuses_what_it_cannot_write() -> None:
    with pytest.raises(TypeError):
        array_literal([True])
    with pytest.raises(TypeError):
        array_literal([None])  # type: ignore[list-item]  # what a caller must not pass
