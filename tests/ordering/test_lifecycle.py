"""After placement: cancel, ship, administrative steps, holds, the manual-intervention flag."""

from __future__ import annotations

from decimal import Decimal

import pytest

from meridian.core.errors import NotAllowed, NotFound
from meridian.core.models import OutboxEvent
from meridian.inventory.models import BackorderPolicy, StockLevel, Supplier
from meridian.inventory.queries import reconcile
from meridian.inventory.services import set_product_backorder_policy
from meridian.ordering.errors import InvalidTransition
from meridian.ordering.models import Order, OrderStatusChange
from meridian.ordering.services import (
    ShipmentRequest,
    cancel_order,
    clear_manual_intervention,
    flag_manual_intervention,
    release_hold,
    set_hold,
    ship_order,
    transition_order,
)
from tests.ordering.conftest import World
from tests.ordering.factories import BuyerOrderLimitFactory

D = Decimal


def level(world: World, product: object) -> tuple[Decimal, Decimal]:
    found = StockLevel.objects.get(warehouse=world.warehouse, product=product)
    return found.on_hand, found.allocated


@pytest.mark.django_db
def test_cancel_releases_the_stock_and_the_ledger_reconciles(world: World) -> None:
    order = world.order([(world.bolt, 30), (world.hammer, 5)])
    assert level(world, world.hammer) == (D(5), D(5))

    cancelled = cancel_order(actor=world.buyer_actor, number=order.number, reason="ordered twice")

    assert cancelled.status == Order.Status.CANCELLED
    assert level(world, world.bolt) == (D(10_000), D(0))
    assert level(world, world.hammer) == (D(5), D(0))
    assert reconcile(organization_id=world.organization.pk) == []
    assert [line.cancelled_quantity for line in cancelled.lines.order_by("line_number")] == [D(30), D(5)]
    assert OutboxEvent.objects.filter(aggregate_id=order.number, event_type="order.cancelled").count() == 1
    assert (
        OutboxEvent.objects.filter(
            aggregate_id=order.number, event_type="inventory.allocation_released"
        ).count()
        == 1
    )
    change = OrderStatusChange.objects.filter(order=order).latest("pk")
    assert (change.from_status, change.to_status, change.reason) == ("placed", "cancelled", "ordered twice")
    with pytest.raises(InvalidTransition):
        cancel_order(actor=world.buyer_actor, number=order.number)


@pytest.mark.django_db
def test_a_pending_order_is_withdrawn_without_touching_stock(world: World) -> None:
    BuyerOrderLimitFactory(buyer=world.buyer, order_limit=D(1))
    pending = world.order([(world.bolt, 5)])

    cancel_order(actor=world.buyer_actor, number=pending.number)

    assert not OutboxEvent.objects.filter(event_type="inventory.allocation_released").exists()


@pytest.mark.django_db
def test_cancelling_a_partially_allocated_order(world: World) -> None:
    set_product_backorder_policy(product=world.hammer, policy=BackorderPolicy.ALLOW)
    order = world.order([(world.hammer, 9)])

    cancel_order(actor=world.rep_actor, number=order.number)

    assert level(world, world.hammer) == (D(5), D(0))
    assert not Supplier.objects.exists()


@pytest.mark.django_db
def test_others_cannot_cancel(world: World) -> None:
    order = world.order()

    with pytest.raises(NotFound):
        cancel_order(actor=world.actor(world.other_buyer), number=order.number)
    with pytest.raises(NotFound):
        cancel_order(actor=world.actor(world.other_rep), number=order.number)
    with pytest.raises(NotAllowed):
        cancel_order(actor=world.actor(world.viewer), number=order.number)
    order.refresh_from_db()
    assert order.status == Order.Status.PLACED


@pytest.mark.django_db
def test_shipping_consumes_stock_and_walks_the_states(world: World) -> None:
    order = world.order([(world.bolt, 30), (world.hammer, 2)])
    warehouse = world.actor(world.warehouse_staff)

    partly = ship_order(actor=warehouse, number=order.number, lines=[ShipmentRequest(1, D(10))])
    assert partly.status == Order.Status.PARTIALLY_SHIPPED
    assert level(world, world.bolt) == (D(9_990), D(20))
    with pytest.raises(InvalidTransition):
        cancel_order(actor=world.buyer_actor, number=order.number)
    shipped = ship_order(actor=warehouse, number=order.number)

    assert shipped.status == Order.Status.SHIPPED
    assert level(world, world.bolt) == (D(9_970), D(0))
    assert level(world, world.hammer) == (D(3), D(0))
    assert reconcile(organization_id=world.organization.pk) == []
    for step in (Order.Status.DELIVERED, Order.Status.INVOICED, Order.Status.CLOSED):
        assert transition_order(actor=world.admin_actor, number=order.number, to_status=step).status == step
    statuses = list(
        OrderStatusChange.objects.filter(order=order).order_by("pk").values_list("to_status", flat=True)
    )
    assert statuses == ["placed", "partially_shipped", "shipped", "delivered", "invoiced", "closed"]


@pytest.mark.django_db
def test_invalid_transitions_are_refused_and_change_nothing(world: World) -> None:
    order = world.order()

    with pytest.raises(InvalidTransition) as excinfo:
        transition_order(actor=world.admin_actor, number=order.number, to_status=Order.Status.DELIVERED)
    with pytest.raises(InvalidTransition):
        transition_order(actor=world.admin_actor, number=order.number, to_status=Order.Status.CANCELLED)
    with pytest.raises(InvalidTransition):
        transition_order(actor=world.admin_actor, number=order.number, to_status="teleported")

    assert excinfo.value.code == "invalid_transition"
    order.refresh_from_db()
    assert order.status == Order.Status.PLACED
    assert OrderStatusChange.objects.filter(order=order).count() == 1


@pytest.mark.django_db
def test_a_hold_stops_shipping_until_released(world: World) -> None:
    order = world.order()
    warehouse = world.actor(world.warehouse_staff)

    set_hold(actor=world.admin_actor, number=order.number, hold="manual_review", reason="check the address")
    with pytest.raises(InvalidTransition, match="manual_review"):
        ship_order(actor=warehouse, number=order.number)
    released = release_hold(actor=world.admin_actor, number=order.number, reason="address confirmed")
    shipped = ship_order(actor=warehouse, number=order.number)

    assert released.hold == "" and shipped.status == Order.Status.SHIPPED
    holds = list(OrderStatusChange.objects.filter(order=order).order_by("pk").values_list("hold", flat=True))
    assert holds == ["", "manual_review", "", ""]
    with pytest.raises(NotAllowed):
        set_hold(actor=world.buyer_actor, number=order.number, hold="credit_hold", reason="x")


@pytest.mark.django_db
def test_manual_intervention_flag(world: World) -> None:
    order = world.order()

    flagged = flag_manual_intervention(actor=world.rep_actor, number=order.number, reason="customer called")
    assert (flagged.needs_manual_intervention, flagged.manual_intervention_reason) == (
        True,
        "customer called",
    )
    cleared = clear_manual_intervention(actor=world.rep_actor, number=order.number)

    assert not cleared.needs_manual_intervention
    assert OrderStatusChange.objects.filter(order=order).count() == 3
