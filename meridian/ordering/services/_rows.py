"""The rows a placement writes, in as few statements as the database allows.

On PostgreSQL the order's id is taken from its sequence first (the number, `SO-<id>`, is the
reference inventory allocates under), and the order, its lines, its first status change, its
outbox event and the idempotency key's answer are then written by one prepared statement, each
row once with its final values. Elsewhere (SQLite) the ORM writes them: the order is inserted
first to get its id, and updated once allocation has set its status and totals.

Either way the rows are the same: the same columns and values as the ORM writes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Field

from meridian.core import idempotency
from meridian.core.prepared import prepared_cursor
from meridian.core.services import outbox_insert_sql
from meridian.ordering.models import Order, OrderLine, OrderStatusChange
from meridian.ordering.services._common import ORDER_AGGREGATE, order_event_payload, record_order_event

SAVED_AFTER_ALLOCATION = [
    "number",
    "status",
    "hold",
    "hold_reason",
    "needs_manual_intervention",
    "manual_intervention_reason",
    "subtotal",
    "discount_total",
    "shipping_amount",
    "tax_amount",
    "total",
    "order_adjustments",
    "coupons",
    "tax_details",
    "updated_at",
]


def writes_in_one_statement() -> bool:
    return connection.vendor == "postgresql"


def order_number(order_id: int) -> str:
    return f"SO-{order_id:07d}"


def start_order(order: Order, *, reserved_id: int | None = None) -> None:
    """Give the new order its id and number: `reserved_id` or one from the sequence (PostgreSQL;
    nothing written yet), else by inserting it (it is updated by `write_order`)."""
    if writes_in_one_statement() and reserved_id is not None:
        order.pk = reserved_id
    elif writes_in_one_statement():
        with prepared_cursor() as cursor:
            cursor.execute(_NEXT_ID_SQL, [Order._meta.db_table, "id"])
            row = cursor.fetchone()
        order.pk = int(row[0])
    else:
        order.save(force_insert=True)
    order.number = order_number(order.pk)


_NEXT_ID_SQL = "SELECT nextval(pg_get_serial_sequence(%s::text, %s::text))"


def write_order(
    *,
    order: Order,
    lines: Sequence[OrderLine],
    change: OrderStatusChange,
    event_type: str,
    event_payload: Mapping[str, object],
    claim: idempotency.Claim | None,
) -> None:
    """Write the order with its final values, its lines, its first status change, its outbox event
    and (with a claim) the idempotency key's answer; sets the ids of the rows written."""
    if not writes_in_one_statement():
        OrderLine.objects.bulk_create(lines)
        order.save(update_fields=SAVED_AFTER_ALLOCATION)
        change.save(force_insert=True)
        record_order_event(order=order, event_type=event_type, payload=dict(event_payload))
        if claim is not None:
            idempotency.complete_key(claim, status=201, body=_answer(order))
        return
    event_sql, event_params = outbox_insert_sql(
        organization_id=order.organization_id,
        aggregate_type=ORDER_AGGREGATE,
        aggregate_id=order.number,
        event_type=event_type,
        payload=order_event_payload(order, event_payload),
        created_at=change.at,
    )
    sql = _statement(event_sql, with_claim=claim is not None)
    params: list[Any] = [_db(field, order) for field in _ORDER_FIELDS]
    params.append(order.pk)
    params.append(json.dumps([_line_json(line) for line in lines]))
    params.extend(
        [
            order.pk,
            change.from_status,
            change.to_status,
            change.hold,
            change.actor_user_id,
            change.at,
            change.reason,
        ]
    )
    params.extend(event_params)
    if claim is not None:
        params.extend(idempotency.complete_key_params(claim, status=201, body=_answer(order)))
    with prepared_cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    alias = connection.alias
    for model in (order, change, *lines):
        model._state.adding, model._state.db = False, alias
    change.pk = int(rows[0][0])
    ids = {int(line_number): int(pk) for _, line_number, pk in rows}
    for line in lines:
        line.pk = ids[line.line_number]


def _answer(order: Order) -> dict[str, object]:
    return {"order_id": order.pk, "number": order.number}


_ORDER_FIELDS: tuple[Field[Any, Any], ...] = tuple(Order._meta.concrete_fields)
_LINE_FIELDS: tuple[Field[Any, Any], ...] = tuple(
    field
    for field in OrderLine._meta.concrete_fields
    if not field.primary_key and field.attname != "order_id"
)
_CHANGE_COLUMNS = ("order_id", "from_status", "to_status", "hold", "actor_user_id", "at", "reason")


def _db(field: Field[Any, Any], order: Order) -> object:
    return field.get_db_prep_save(getattr(order, field.attname), connection)


def _line_json(line: OrderLine) -> dict[str, object]:
    """The line's values as JSON (decimals as strings: numeric parses them exactly)."""
    values: dict[str, object] = {}
    for field in _LINE_FIELDS:
        value = getattr(line, field.attname)
        values[field.attname] = str(value) if isinstance(value, Decimal) else value
    return values


_statements: dict[bool, str] = {}


def _cast(field: Field[Any, Any]) -> str:
    """The type a value of the field is sent as: its column's, but text for varchar (a cast to
    varchar(n) would cut a long value where the column refuses it)."""
    db_type = str(field.db_type(connection))
    return "text" if db_type.startswith("varchar") else db_type


def _statement(event_sql: str, *, with_claim: bool) -> str:
    """One statement for every row (its text is the same for every order, so it is prepared)."""
    cached = _statements.get(with_claim)
    if cached is not None:
        return cached
    quote = connection.ops.quote_name
    order_columns = ", ".join(quote(field.attname) for field in _ORDER_FIELDS)
    order_values = ", ".join(f"%s::{_cast(field)}" for field in _ORDER_FIELDS)
    line_columns = ", ".join(quote(field.attname) for field in _LINE_FIELDS)
    line_types = ", ".join(f"{quote(field.attname)} {_cast(field)}" for field in _LINE_FIELDS)
    change_columns = ", ".join(quote(column) for column in _CHANGE_COLUMNS)
    sql = (
        f"WITH o AS (INSERT INTO {quote(Order._meta.db_table)} ({order_columns}) VALUES ({order_values})),"
        f" l AS (INSERT INTO {quote(OrderLine._meta.db_table)} ({quote('order_id')}, {line_columns})"
        f" SELECT %s::bigint, {line_columns} FROM jsonb_to_recordset(%s::jsonb) AS x({line_types})"
        f" RETURNING {quote('line_number')}, {quote('id')}),"
        f" c AS (INSERT INTO {quote(OrderStatusChange._meta.db_table)} ({change_columns})"
        " VALUES (%s::bigint, %s::text, %s::text, %s::text, %s::bigint, %s::timestamptz, %s::text)"
        f" RETURNING {quote('id')}),"
        f" e AS ({event_sql})"
    )
    if with_claim:
        sql += f", k AS ({idempotency.complete_key_sql()})"
    sql += " SELECT c.id, l.line_number, l.id FROM c CROSS JOIN l"
    _statements[with_claim] = sql
    return sql
