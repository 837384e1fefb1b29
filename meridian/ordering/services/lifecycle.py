"""An order's life after placement: cancel (releasing its stock), ship (consuming it), the
administrative steps (delivered, invoiced, closed), holds and the manual-intervention flag.

Every step locks the order row, checks the transition in the engine (InvalidTransition,
`invalid_transition`, otherwise), records an OrderStatusChange and writes an outbox event in the
same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from django.db import transaction
from django.utils import timezone

from meridian.core.actor import Actor
from meridian.core.errors import InvalidInput, NotAllowed
from meridian.inventory import services as inventory
from meridian.ordering import engine, queries, tasks
from meridian.ordering.errors import InvalidTransition
from meridian.ordering.models import Order, OrderLine
from meridian.ordering.services._common import (
    BACK_OFFICE,
    FULFILLMENT_STAFF,
    ORDERING_STAFF,
    may_order,
    record_change,
    record_order_event,
    require_staff,
)

ZERO = Decimal(0)
ADMINISTRATIVE = frozenset({Order.Status.DELIVERED, Order.Status.INVOICED, Order.Status.CLOSED})
TERMINAL = frozenset({Order.Status.CLOSED, Order.Status.CANCELLED, Order.Status.REJECTED})


def _save(order: Order, *fields: str) -> None:
    order.updated_at = timezone.now()
    order.save(update_fields=[*fields, "updated_at"])


@transaction.atomic
def cancel_order(*, actor: Actor, number: str, reason: str = "") -> Order:
    """Cancel an order nothing of which has shipped (pending approval, placed, partially allocated,
    backordered): gives its stock back through inventory.release_allocation (and cancels its open
    drop-ship orders). Buyers who may order, and seller staff who sell or run the back office.
    Raises OrderNotFound, NotAllowed, InvalidTransition."""
    if not (may_order(actor) or (actor.is_staff and actor.staff_role in BACK_OFFICE)):
        raise NotAllowed("cancel orders")
    order = queries.lock_order(actor=actor, number=number)
    if order.status not in engine.CANCELLABLE:
        raise InvalidTransition(
            current=order.status, target=Order.Status.CANCELLED, reason="it has shipped or ended"
        )
    engine.check_transition(order.status, Order.Status.CANCELLED)
    previous = order.status
    if previous != Order.Status.PENDING_APPROVAL:  # a pending order holds no stock
        inventory.release_allocation(
            organization=order.organization,
            reference=order.number,
            reason=f"Order {order.number} cancelled",
            user_id=actor.user_id,
        )
    lines = list(OrderLine.objects.filter(order_id=order.pk))
    for line in lines:
        line.cancelled_quantity += line.base_quantity - line.shipped_quantity
        line.allocated_quantity = line.dropship_quantity = line.backordered_quantity = ZERO
    OrderLine.objects.bulk_update(
        lines, ["cancelled_quantity", "allocated_quantity", "dropship_quantity", "backordered_quantity"]
    )
    order.status = Order.Status.CANCELLED
    _save(order, "status")
    record_change(
        order=order, from_status=previous, to_status=order.status, actor=actor, reason=reason or "cancelled"
    )
    record_order_event(
        order=order, event_type="order.cancelled", payload={"from": previous, "reason": reason}
    )
    transaction.on_commit(partial(tasks.send_order_email.delay, order.pk, "cancelled"), robust=True)
    return order


@dataclass(frozen=True, slots=True)
class ShipmentRequest:
    line_number: int
    quantity: Decimal  # in the product's base unit


@transaction.atomic
def ship_order(
    *, actor: Actor, number: str, lines: Sequence[ShipmentRequest] | None = None, reason: str = ""
) -> Order:
    """Record that allocated own/3PL stock left the warehouse (all of it, or some lines): inventory
    consumes it (ship_allocation) and the order becomes partially shipped or shipped. Refused while
    the order is on hold. Warehouse staff, inside sales, admins. (Drop-ship pieces ship with their
    supplier purchase order; fulfillment will track carriers and proof of delivery.)"""
    require_staff(actor, FULFILLMENT_STAFF, "ship orders")
    order = queries.lock_order(actor=actor, number=number)
    order_lines = {line.line_number: line for line in OrderLine.objects.filter(order_id=order.pk)}
    requested: dict[int, Decimal] = {}
    for index, request in enumerate(lines or ()):
        line = order_lines.get(request.line_number)
        if line is None:
            raise InvalidInput.on(f"lines.{index}.line_number", f"no line {request.line_number}")
        if request.quantity <= 0 or request.quantity > line.allocated_quantity - line.shipped_quantity:
            raise InvalidInput.on(
                f"lines.{index}.quantity", f"between 0 and {line.allocated_quantity - line.shipped_quantity}"
            )
        requested[request.line_number] = requested.get(request.line_number, ZERO) + request.quantity
    if lines is None:
        requested = {
            number_: line.allocated_quantity - line.shipped_quantity
            for number_, line in order_lines.items()
            if line.allocated_quantity - line.shipped_quantity > 0
        }
    if not requested:
        raise InvalidTransition(
            current=order.status, target=Order.Status.SHIPPED, reason="nothing allocated to ship"
        )
    remaining = [
        order_lines[n].base_quantity - order_lines[n].shipped_quantity - requested.get(n, ZERO)
        for n in order_lines
    ]
    target = engine.status_after_shipment(remaining)
    engine.check_transition(order.status, target, hold=order.hold)
    per_product: dict[int, Decimal] = {}
    for line_number, quantity in requested.items():
        product_id = order_lines[line_number].product_id
        per_product[product_id] = per_product.get(product_id, ZERO) + quantity
    inventory.ship_allocation(
        organization=order.organization,
        reference=order.number,
        lines=[
            inventory.ShipmentLine(product_id, quantity)
            for product_id, quantity in sorted(per_product.items())
        ],
        reason=reason,
        user_id=actor.user_id,
    )
    changed = []
    for line_number, quantity in requested.items():
        line = order_lines[line_number]
        line.shipped_quantity += quantity
        changed.append(line)
    OrderLine.objects.bulk_update(changed, ["shipped_quantity"])
    previous, order.status = order.status, target
    _save(order, "status")
    record_change(
        order=order, from_status=previous, to_status=target, actor=actor, reason=reason or "shipped"
    )
    record_order_event(
        order=order,
        event_type=f"order.{target.value}",
        payload={"lines": {str(n): str(q) for n, q in sorted(requested.items())}},
    )
    return order


@transaction.atomic
def transition_order(*, actor: Actor, number: str, to_status: str, reason: str = "") -> Order:
    """The administrative steps: delivered, invoiced, closed (billing and fulfillment call these).
    Cancelling, approving and shipping have their own services. Raises InvalidTransition."""
    require_staff(actor, BACK_OFFICE | FULFILLMENT_STAFF, "change order states")
    order = queries.lock_order(actor=actor, number=number)
    if to_status not in ADMINISTRATIVE:
        raise InvalidTransition(
            current=order.status, target=to_status, reason="use cancel_order, approve_order or ship_order"
        )
    engine.check_transition(order.status, to_status, hold=order.hold)
    previous, order.status = order.status, to_status
    _save(order, "status")
    record_change(order=order, from_status=previous, to_status=to_status, actor=actor, reason=reason)
    record_order_event(order=order, event_type=f"order.{to_status}", payload={"from": previous})
    return order


@transaction.atomic
def set_hold(*, actor: Actor, number: str, hold: str, reason: str) -> Order:
    """Put an open order on credit hold or manual review (it cannot ship until released)."""
    require_staff(actor, BACK_OFFICE | ORDERING_STAFF, "hold orders")
    if hold not in (Order.Hold.CREDIT_HOLD, Order.Hold.MANUAL_REVIEW):
        raise InvalidInput.on("hold", f"one of {Order.Hold.CREDIT_HOLD}, {Order.Hold.MANUAL_REVIEW}")
    if not reason.strip():
        raise InvalidInput.on("reason", "required")
    order = queries.lock_order(actor=actor, number=number)
    if order.status in TERMINAL or order.status == Order.Status.SHIPPED:
        raise InvalidTransition(current=order.status, target=order.status, reason=f"cannot put it on {hold}")
    order.hold, order.hold_reason = hold, reason.strip()[:300]
    _save(order, "hold", "hold_reason")
    record_change(
        order=order, from_status=order.status, to_status=order.status, actor=actor, reason=f"{hold}: {reason}"
    )
    record_order_event(order=order, event_type="order.hold_set", payload={"reason": order.hold_reason})
    return order


@transaction.atomic
def release_hold(*, actor: Actor, number: str, reason: str = "") -> Order:
    require_staff(actor, BACK_OFFICE, "release holds")
    order = queries.lock_order(actor=actor, number=number)
    if not order.hold:
        raise InvalidTransition(current=order.status, target=order.status, reason="it is not on hold")
    released = order.hold
    order.hold, order.hold_reason = Order.Hold.NONE, ""
    _save(order, "hold", "hold_reason")
    record_change(
        order=order,
        from_status=order.status,
        to_status=order.status,
        actor=actor,
        reason=f"{released} released: {reason}",
    )
    record_order_event(
        order=order, event_type="order.hold_released", payload={"released": released, "reason": reason}
    )
    return order


@transaction.atomic
def flag_manual_intervention(*, actor: Actor, number: str, reason: str) -> Order:
    """Mark that a person had to step in (counted by the manual-intervention KPI)."""
    require_staff(actor, BACK_OFFICE | ORDERING_STAFF | FULFILLMENT_STAFF, "flag orders")
    if not reason.strip():
        raise InvalidInput.on("reason", "required")
    order = queries.lock_order(actor=actor, number=number)
    order.needs_manual_intervention, order.manual_intervention_reason = True, reason.strip()[:300]
    _save(order, "needs_manual_intervention", "manual_intervention_reason")
    record_change(
        order=order,
        from_status=order.status,
        to_status=order.status,
        actor=actor,
        reason=f"manual intervention: {reason}",
    )
    record_order_event(
        order=order, event_type="order.flagged", payload={"reason": order.manual_intervention_reason}
    )
    return order


@transaction.atomic
def clear_manual_intervention(*, actor: Actor, number: str, reason: str = "") -> Order:
    require_staff(actor, BACK_OFFICE | ORDERING_STAFF | FULFILLMENT_STAFF, "flag orders")
    order = queries.lock_order(actor=actor, number=number)
    order.needs_manual_intervention, order.manual_intervention_reason = False, ""
    _save(order, "needs_manual_intervention", "manual_intervention_reason")
    record_change(
        order=order,
        from_status=order.status,
        to_status=order.status,
        actor=actor,
        reason=f"intervention cleared: {reason}",
    )
    return order
