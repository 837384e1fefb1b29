"""seed_orders on the tiny demo, and the checkout bench on what it seeded (PostgreSQL: forked clients)."""

from __future__ import annotations

import random

import pytest

from meridian.core.errors import InvalidInput
from meridian.demo.seed import find_demo_organization, seed_demo
from meridian.inventory.queries import reconcile
from meridian.ordering.bench import run_checkout_bench
from meridian.ordering.models import Order, OrderLine, ShippingMethod, TaxRule
from meridian.ordering.seed import OrderingAlreadySeeded, delete_orders, seed_orders
from meridian.tenancy.models import Organization


def _demo() -> tuple[Organization, dict[str, int]]:
    report = seed_demo(profile="tiny", seed=3)
    organization = find_demo_organization()
    assert organization is not None
    return organization, report.counts


@pytest.mark.django_db
def test_seed_orders_places_a_history_through_the_pipeline() -> None:
    # seed_demo places the order history through seed_orders once its own transaction has committed.
    organization, counts = _demo()

    orders = Order.objects.filter(organization=organization)
    assert counts["orders"] == orders.count() > 0
    assert counts["shipping_methods"] == ShippingMethod.objects.filter(organization=organization).count() > 0
    assert TaxRule.objects.filter(organization=organization).exists()
    assert all(order.number.startswith("SO-") and order.lines.exists() for order in orders)
    assert not OrderLine.objects.filter(order__organization=organization, price_source={}).exists()
    assert reconcile(organization_id=organization.pk) == []
    with pytest.raises(OrderingAlreadySeeded):
        seed_orders(organization=organization, rng=random.Random(5), profile="tiny")
    with pytest.raises(InvalidInput):
        seed_orders(organization=organization, rng=random.Random(5), profile="huge")

    delete_orders(organization=organization)

    assert not Order.objects.filter(organization=organization).exists()
    assert not ShippingMethod.objects.filter(organization=organization).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("mode", ["service", "http"])
def test_the_checkout_bench_reports_its_figures(mode: str) -> None:
    organization, _ = _demo()
    before = Order.objects.filter(organization=organization).count()

    report = run_checkout_bench(
        seconds=2,
        clients=2,
        lines=3,
        organization=organization,
        ideal=False,
        min_available=5,
        mode=mode,
        workers=2,
        big_orders=2,
    )

    text = "\n".join(report)
    assert "queries per order:" in text
    assert "orders/s" in text and "lines/s" in text and "p95" in text
    assert "quick order: 1,000 lines" in text
    placed = int(text.split("placement: ")[1].split("(")[1].split(" orders")[0])
    assert placed > 0, text  # orders were placed and answered, through gunicorn in HTTP mode
    assert Order.objects.filter(organization=organization).count() >= before + placed
    if mode == "service":
        assert Order.objects.filter(organization=organization, source_reference="bench").exists()
    else:
        assert Order.objects.filter(
            organization=organization, channel="api", po_number__startswith="BENCH-"
        ).exists()
