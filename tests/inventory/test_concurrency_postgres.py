"""Concurrency on PostgreSQL: real row locks, real threads, each with its own connection."""

from __future__ import annotations

import contextlib
import random
import threading
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext

from meridian.inventory import services
from meridian.inventory.errors import InsufficientStock
from meridian.inventory.models import BackorderPolicy, StockLevel, StockMovement
from meridian.inventory.queries import reconcile
from tests.catalog.factories import ProductFactory
from tests.inventory.factories import WarehouseAssignmentFactory, WarehouseFactory, receive
from tests.tenancy.factories import WebsiteFactory

D = Decimal
THREADS = 32
ORDERS_PER_THREAD = 5


def run_threads(count: int, work: Callable[[int], None]) -> list[str]:
    """Run `work(index)` in `count` threads started together; return the errors that escaped."""
    barrier = threading.Barrier(count)
    errors: list[str] = []

    def run(index: int) -> None:
        try:
            barrier.wait()
            work(index)
        except Exception as exc:  # any escape is a failure the test reports
            errors.append(repr(exc))
        finally:
            connection.close()  # each thread opened its own connection

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread hung (deadlock?)"
    return errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("policy", [BackorderPolicy.PARTIAL, BackorderPolicy.DENY])
def test_32_threads_ordering_the_last_100_units_never_oversell(policy: BackorderPolicy) -> None:
    website = WebsiteFactory()
    org = website.organization
    first, second = WarehouseFactory(organization=org), WarehouseFactory(organization=org)
    WarehouseAssignmentFactory(warehouse=first, website=website, priority=1)
    WarehouseAssignmentFactory(warehouse=second, website=website, priority=2)
    product = ProductFactory(organization=org, sku="HOT-1")
    services.set_product_backorder_policy(product=product, policy=policy)
    receive(first, product, 60)
    receive(second, product, 40)
    allocated: list[Decimal] = []
    refused: list[Decimal] = []

    def order(index: int) -> None:
        rng = random.Random(index)
        for number in range(ORDERS_PER_THREAD):
            quantity = D(rng.randint(1, 5))
            try:
                with transaction.atomic(durable=True):  # as ordering's place_order will
                    result = services.allocate_order(
                        organization=org,
                        website=website,
                        account=None,
                        ship_to=None,
                        lines=[services.OrderLine("1", product.pk, quantity)],
                        reference=f"T{index}-{number}",
                    )
            except InsufficientStock:
                refused.append(quantity)
                continue
            allocated.append(result.lines[0].allocated)
            if policy is BackorderPolicy.DENY:
                assert result.lines[0].allocated == quantity

    errors = run_threads(THREADS, order)

    assert errors == []
    levels = StockLevel.objects.filter(product=product)
    assert all(level.allocated <= level.on_hand for level in levels)
    total_allocated = levels.aggregate(total=Sum("allocated"))["total"]
    assert total_allocated == sum(allocated)
    assert StockMovement.objects.filter(kind="allocation").aggregate(total=Sum("allocated_delta"))[
        "total"
    ] == (total_allocated)
    if policy is BackorderPolicy.PARTIAL:
        assert total_allocated == D(100)  # demand (about 480) exceeds it: exactly the stock is allocated
    else:
        assert total_allocated <= D(100)
        assert refused and min(refused) > D(100) - total_allocated  # refused only when it no longer fit
    assert reconcile(organization_id=org.pk) == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_mixed_concurrent_orders_receipts_and_transfers_never_deadlock() -> None:
    website = WebsiteFactory()
    org = website.organization
    warehouses = [WarehouseFactory(organization=org) for _ in range(3)]
    for priority, warehouse in enumerate(warehouses):
        WarehouseAssignmentFactory(warehouse=warehouse, website=website, priority=priority)
    products = [ProductFactory(organization=org) for _ in range(4)]
    for product in products:
        services.set_product_backorder_policy(product=product, policy=BackorderPolicy.ALLOW)
        receive(warehouses[0], product, 30)

    def work(index: int) -> None:
        rng = random.Random(index)
        for number in range(6):
            chosen = rng.sample(products, k=3)  # lines in a different order in every order
            action = rng.random()
            if action < 0.6:
                with transaction.atomic(durable=True):
                    services.allocate_order(
                        organization=org,
                        website=website,
                        account=None,
                        ship_to=None,
                        lines=[
                            services.OrderLine(str(i), p.pk, D(rng.randint(1, 4)))
                            for i, p in enumerate(chosen)
                        ],
                        reference=f"M{index}-{number}",
                    )
            elif action < 0.8:
                services.record_receipt(
                    organization=org, warehouse=rng.choice(warehouses), product=chosen[0], quantity=D(5)
                )
            else:
                source, destination = rng.sample(warehouses, k=2)
                with contextlib.suppress(InsufficientStock):  # nothing available to move: fine
                    services.transfer_stock(
                        organization=org,
                        source=source,
                        destination=destination,
                        product=chosen[0],
                        quantity=D(1),
                    )

    errors = run_threads(16, work)

    assert errors == []
    assert reconcile(organization_id=org.pk) == []
    assert all(level.allocated <= level.on_hand for level in StockLevel.objects.all())


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_of_one_receipt_record_it_once() -> None:
    warehouse = WarehouseFactory()
    product = ProductFactory(organization=warehouse.organization)
    movement_ids: list[int] = []

    def send(index: int) -> None:
        movement = services.record_receipt(
            organization=warehouse.organization,
            warehouse=warehouse,
            product=product,
            quantity=D(7),
            external_reference="WMS-42",
        )
        movement_ids.append(movement.pk)

    errors = run_threads(8, send)

    assert errors == []
    assert len(set(movement_ids)) == 1
    assert StockLevel.objects.get(warehouse=warehouse, product=product).on_hand == D(7)


@pytest.mark.postgres
@pytest.mark.django_db
def test_allocation_locks_levels_in_pk_order_before_updating_them() -> None:
    website = WebsiteFactory()
    org = website.organization
    warehouse = WarehouseFactory(organization=org)
    WarehouseAssignmentFactory(warehouse=warehouse, website=website)
    products = [ProductFactory(organization=org) for _ in range(3)]
    for product in products:
        receive(warehouse, product, 5)

    with CaptureQueriesContext(connection) as captured:
        services.allocate_order(
            organization=org,
            website=website,
            account=None,
            ship_to=None,
            lines=[services.OrderLine(str(i), p.pk, D(1)) for i, p in enumerate(reversed(products))],
            reference="SO-1",
        )

    sql = [query["sql"] for query in captured.captured_queries]
    lock = next(i for i, q in enumerate(sql) if "FOR UPDATE" in q and 'FROM "inventory_stocklevel"' in q)
    update = next(
        i for i, q in enumerate(sql) if 'UPDATE "inventory_stocklevel"' in q and "FOR UPDATE" not in q
    )
    assert lock < update
    # One statement locks every level, sorted by id, inside a WITH that runs in full.
    assert "WITH locked AS MATERIALIZED (SELECT l.id" in sql[lock]
    assert "ORDER BY l.id FOR UPDATE OF l)" in sql[lock]
    assert sum("FOR UPDATE" in q for q in sql) == 1
