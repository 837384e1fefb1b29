"""Shared by the ordering services: who may do what, the price trace as JSON, status history."""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping
from decimal import Decimal

from django.utils import timezone

from meridian.core.actor import Actor, BuyerRole, StaffRole
from meridian.core.errors import NotAllowed
from meridian.core.services import record_event
from meridian.customers.models import Account
from meridian.ordering.models import AccountOrderingSettings, Order, OrderStatusChange
from meridian.pricing import engine as pricing_engine

ORDERING_STAFF = frozenset(
    {StaffRole.ADMIN, StaffRole.SALES_REP, StaffRole.SALES_MANAGER, StaffRole.INSIDE_SALES}
)
SETTINGS_EDITORS = frozenset({StaffRole.ADMIN, StaffRole.SALES_MANAGER, StaffRole.INSIDE_SALES})
FULFILLMENT_STAFF = frozenset({StaffRole.ADMIN, StaffRole.WAREHOUSE, StaffRole.INSIDE_SALES})
BACK_OFFICE = frozenset({StaffRole.ADMIN, StaffRole.FINANCE, StaffRole.INSIDE_SALES, StaffRole.SALES_MANAGER})
ORDER_AGGREGATE = "order"


def may_order(actor: Actor) -> bool:
    """Buyers with the buyer or admin role; seller staff who sell (reps, managers, inside sales, admins)."""
    if actor.is_buyer:
        return actor.has_buyer_role(BuyerRole.BUYER) or actor.has_buyer_role(BuyerRole.ADMIN)
    return actor.is_staff and actor.staff_role in ORDERING_STAFF


def require_orderer(actor: Actor) -> int:
    if not may_order(actor) or actor.organization_id is None:
        raise NotAllowed("place orders")
    return actor.organization_id


def require_staff(actor: Actor, roles: frozenset[StaffRole], action: str) -> int:
    if not (actor.is_staff and actor.staff_role in roles) or actor.organization_id is None:
        raise NotAllowed(action)
    return actor.organization_id


def ordering_settings(account: Account) -> AccountOrderingSettings | None:
    """The account's settings when loaded with select_related("ordering_settings") (no query)."""
    settings = getattr(
        account, "ordering_settings", None
    )  # a missing reverse one-to-one raises AttributeError
    return settings if isinstance(settings, AccountOrderingSettings) else None


def user_id_of(actor: Actor) -> int:
    if actor.user_id is None:
        raise NotAllowed("order without a user")
    return actor.user_id


_PLAIN = frozenset({str, int, float, bool, type(None)})
_field_names: dict[type, tuple[str, ...]] = {}


def jsonable(value: object) -> object:
    """Decimals as strings, enums as their values, dataclasses and tuples as dicts and lists."""
    kind = type(value)
    if kind in _PLAIN:  # exactly these types (a str enum is not): by far the most values of a trace
        return value
    if kind is Decimal:
        return str(value)
    names = _field_names.get(kind)
    if names is not None:
        return {name: jsonable(getattr(value, name)) for name in names}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = _field_names[kind] = tuple(field.name for field in dataclasses.fields(value))
        return {name: jsonable(getattr(value, name)) for name in names}
    if isinstance(value, enum.Enum):
        return jsonable(value.value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    return value


def trace_json(trace: pricing_engine.Trace | None) -> dict[str, object]:
    """pricing's trace of a line, field for field, as JSON (what OrderLine.price_source stores)."""
    if trace is None:
        return {}
    converted = jsonable(trace)
    assert isinstance(converted, dict)  # a dataclass converts to a dict
    return converted


def new_change(
    *, order: Order, from_status: str, to_status: str, actor: Actor | None, reason: str = ""
) -> OrderStatusChange:
    """One history row (a transition, or a hold or flag change with from == to), not yet saved."""
    return OrderStatusChange(
        order=order,
        from_status=from_status,
        to_status=to_status,
        hold=order.hold,
        actor_user_id=actor.user_id if actor is not None else None,
        at=timezone.now(),
        reason=reason[:300],
    )


def record_change(
    *, order: Order, from_status: str, to_status: str, actor: Actor | None, reason: str = ""
) -> OrderStatusChange:
    """Append one history row (a transition, or a hold or flag change with from == to)."""
    change = new_change(order=order, from_status=from_status, to_status=to_status, actor=actor, reason=reason)
    change.save(force_insert=True)
    return change


def order_event_payload(order: Order, payload: Mapping[str, object] | None = None) -> dict[str, object]:
    """An order event's payload: the order's number, account, status and hold, then `payload`."""
    return {
        "number": order.number,
        "account_id": order.account_id,
        "status": order.status,
        "hold": order.hold,
        **(payload or {}),
    }


def record_order_event(*, order: Order, event_type: str, payload: dict[str, object] | None = None) -> None:
    record_event(
        organization_id=order.organization_id,
        aggregate_type=ORDER_AGGREGATE,
        aggregate_id=order.number,
        event_type=event_type,
        payload=order_event_payload(order, payload),
    )
