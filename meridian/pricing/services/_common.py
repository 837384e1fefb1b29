"""Shared by the pricing services: who may write, limits, and value checks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from typing import TypeVar

from meridian.core.actor import Actor, StaffRole
from meridian.core.services import record_audit
from meridian.customers.errors import NotAllowed

PRICING_EDITORS = frozenset({StaffRole.ADMIN, StaffRole.SALES_MANAGER, StaffRole.INSIDE_SALES})
MAX_RESOLVE_LINES = 5_000
MAX_UPSERT_ROWS = 100_000
CHUNK = 2_000  # ids per IN (...) list: well under SQLite's bound-parameter limit
EVENT_CHANGES = 1_000  # price changes per outbox event
PRICE_STEP = Decimal("0.0001")
QUANTITY_STEP = Decimal("0.001")
MAX_PRICE = Decimal(10) ** 10  # DecimalField(14, 4)

_T = TypeVar("_T")


def chunks(items: Sequence[_T], size: int = CHUNK) -> Iterator[Sequence[_T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def require_pricing_editor(actor: Actor) -> int:
    if not (actor.is_staff and actor.staff_role in PRICING_EDITORS) or actor.organization_id is None:
        raise NotAllowed("change prices")
    return actor.organization_id


def decimal_error(value: Decimal, *, places: int, positive: bool = False, limit: Decimal = MAX_PRICE) -> str:
    """Why a decimal cannot be stored ('' when it can)."""
    if not value.is_finite():
        return "must be a number"
    if positive and value <= 0:
        return "must be greater than 0"
    if value < 0:
        return "must not be negative"
    exponent = value.as_tuple().exponent
    if (
        isinstance(exponent, int)
        and exponent < -places
        and value != value.quantize(Decimal(1).scaleb(-places))
    ):
        return f"at most {places} decimal places"
    if value >= limit:
        return f"must be less than {limit}"
    return ""


def window_error(start: dt.date | dt.datetime | None, end: dt.date | dt.datetime | None) -> str:
    return "must not be before valid_from" if start is not None and end is not None and end < start else ""


def audit_change(
    *,
    actor: Actor,
    organization_id: int,
    action: str,
    object_type: str,
    object_id: int,
    before: Mapping[str, object],
    after: Mapping[str, object],
) -> bool:
    """Audit who changed what from which value to which (only the values that differ); nothing when
    nothing changed. Joins the caller's transaction. Returns whether anything changed."""
    changed = [name for name in after if name not in before or before[name] != after[name]]
    removed = [name for name in before if name not in after]
    if not changed and not removed:
        return False
    record_audit(
        organization_id=organization_id,
        actor_user_id=actor.user_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        before={name: before[name] for name in [*changed, *removed] if name in before},
        after={name: after[name] for name in changed},
    )
    return True
