"""The credit exposure kept per account by a trigger (PostgreSQL) equals the sum of the open terms
orders it replaces, whatever writes the orders."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db.models import Sum

from meridian.ordering import engine, queries
from meridian.ordering.models import AccountExposure, Order
from meridian.ordering.services import Payment, cancel_order
from tests.ordering.conftest import World

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def _summed(world: World, path: str) -> Decimal:
    total = Order.objects.filter(
        organization_id=world.organization.pk,
        account__path__startswith=path,
        currency="USD",
        payment_method=Order.PaymentMethod.TERMS,
        status__in=[str(status) for status in engine.OPEN_STATUSES],
    ).aggregate(total=Sum("total"))["total"]
    return total or Decimal(0)


def _assert_exposure_is_the_open_orders(world: World) -> None:
    for account in (world.parent, world.child, world.sibling, world.other):
        kept = queries.open_orders_total(
            organization_id=world.organization.pk, account_path=account.path, currency="USD"
        )
        assert kept == _summed(world, account.path), account.name


def test_the_exposure_follows_every_write_to_the_orders(world: World) -> None:
    first = world.order([(world.bolt, 10)])
    second = world.order([(world.hammer, 1)], actor=world.rep_actor, account=world.child)
    world.order([(world.bolt, 3)], actor=world.actor(world.other_buyer))
    world.order([(world.bolt, 7)], payment=Payment("card", "tok_test"))  # card: never exposure
    assert _summed(world, world.parent.path) == first.total + second.total
    _assert_exposure_is_the_open_orders(world)

    cancel_order(actor=world.buyer_actor, number=first.number)  # through the service
    _assert_exposure_is_the_open_orders(world)

    Order.objects.filter(pk=second.pk).update(total=second.total + Decimal("5.5"))  # any writer
    _assert_exposure_is_the_open_orders(world)
    Order.objects.filter(pk=second.pk).update(account=world.sibling)
    _assert_exposure_is_the_open_orders(world)
    Order.objects.filter(pk=second.pk).update(payment_method=Order.PaymentMethod.CARD)
    _assert_exposure_is_the_open_orders(world)
    Order.objects.filter(pk=second.pk).update(payment_method=Order.PaymentMethod.TERMS, currency="CAD")
    _assert_exposure_is_the_open_orders(world)
    Order.objects.filter(pk=second.pk).update(currency="USD")
    _assert_exposure_is_the_open_orders(world)

    second.lines.all().delete()
    second.status_changes.all().delete()
    Order.objects.filter(pk=second.pk).delete()
    _assert_exposure_is_the_open_orders(world)
    assert queries.open_orders_total(
        organization_id=world.organization.pk, account_path=world.sibling.path, currency="USD"
    ) == Decimal(0)


@pytest.mark.parametrize("status", [str(status) for status in Order.Status])
def test_the_trigger_counts_exactly_the_open_statuses(world: World, status: str) -> None:
    # The migration's function names the open statuses itself: this fails when
    # engine.OPEN_STATUSES changes without a migration replacing the function.
    order = world.order([(world.bolt, 10)])

    Order.objects.filter(pk=order.pk).update(status=status)

    kept = AccountExposure.objects.get(account=world.child, currency="USD").open_total
    assert kept == (order.total if status in engine.OPEN_STATUSES else Decimal(0))
    _assert_exposure_is_the_open_orders(world)
