"""A cursor for the hot paths' hand-written statements: server-side parameters and prepared
statements on PostgreSQL.

Django's PostgreSQL backend binds parameters on the client (psycopg's `ClientCursor`: every value is
quoted into the SQL text in Python) and never prepares statements (`prepare_threshold` is None, so
that connection poolers in transaction mode keep working). The statements run here (placement,
pricing, allocation: each once per order) are sent with their parameters apart (`$1`, `$2`, ...)
and prepared once per connection, then executed by name, so the server stops parsing and planning
them for every order. Every other query keeps Django's defaults, since only `execute(...,
prepare=True)` prepares (the connection-wide threshold is set so high that nothing is ever
prepared automatically). Django's client-side binding stays the default on purpose: server-side
binding caps a statement at 65,535 parameters (an ORM `__in` over a big import's keys would fail)
and psycopg re-parses long statements' placeholders in Python on every run (a 1,000-line quick
order measured ~10 ms slower with it on everywhere). `array_literal` binds a list as one text.

The cursor is wrapped the way `connection.cursor()` wraps its own (Django's `CursorWrapper`, or
`CursorDebugWrapper` while queries are logged), so `CaptureQueriesContext`, `django_assert_num_queries`,
query logging, execute wrappers and the mapping of database errors see these statements as any other.

Run only statements whose text is the same for every call (arrays, not IN lists of varying
length): each distinct text takes a slot of psycopg's per-connection cache (100 statements).
Behind a transaction-mode pooler older than PgBouncer 1.21, set `MERIDIAN_PREPARED_STATEMENTS=0`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.backends.utils import CursorWrapper

NEVER_AUTOMATICALLY = 2**31  # executions before psycopg would prepare on its own: never, in practice


def array_literal(values: Iterable[int | Decimal | str]) -> str:
    """The values as the text of a PostgreSQL array, for a `%s::<type>[]` parameter.

    psycopg dumps a Python list element by element, in Python (a type lookup and a quoting check
    per element): on the allocation path that cost more than all its other parameters together.
    Numbers are written as they are (finite: callers validate them); strings always quoted.
    """
    parts = []
    for value in values:
        if isinstance(value, str):
            parts.append('"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"')
        elif isinstance(value, int | Decimal) and not isinstance(value, bool):
            parts.append(str(value))
        else:
            raise TypeError(f"not an array element: {value!r}")
    return "{" + ",".join(parts) + "}"


def enabled() -> bool:
    return connection.vendor == "postgresql" and os.environ.get("MERIDIAN_PREPARED_STATEMENTS", "1") != "0"


_classes: tuple[type[Any], type[CursorWrapper]] | None = None


def _cursor_classes() -> tuple[type[Any], type[CursorWrapper]]:
    """The preparing psycopg cursor and the debug wrapper that logs its statements (built once, on
    first use: they need psycopg, which a SQLite-only install may lack)."""
    global _classes
    if _classes is None:
        import psycopg
        from django.db.backends.postgresql.base import CursorDebugWrapper

        class PreparingCursor(psycopg.Cursor[Any]):
            def execute(
                self,
                query: Any,
                params: Any = None,
                *,
                prepare: bool | None = None,
                binary: bool | None = None,
            ) -> PreparingCursor:
                return super().execute(query, params, prepare=True, binary=binary)

        class PreparedDebugWrapper(CursorDebugWrapper):
            """Logs the statement with its values, as Django does for server-side binding (the
            default wrapper reads the client-side query text, which a prepared execution lacks)."""

            def execute(self, sql: Any, params: Any = None) -> Any:
                with self.debug_sql(self.db.ops.compose_sql(sql, params), params):
                    return CursorWrapper.execute(self, sql, params)

        _classes = (PreparingCursor, PreparedDebugWrapper)
    return _classes


@contextmanager
def prepared_cursor() -> Iterator[CursorWrapper]:
    """A Django cursor whose statements are prepared on PostgreSQL; Django's own cursor elsewhere."""
    if not enabled():
        with connection.cursor() as cursor:
            yield cursor
        return
    db = connections[DEFAULT_DB_ALIAS]  # the wrapper itself: no proxy lookup per attribute
    db.ensure_connection()
    db.validate_thread_sharing()
    raw = db.connection
    if raw.prepare_threshold is None:
        raw.prepare_threshold = NEVER_AUTOMATICALLY
    cursor_class, debug_class = _cursor_classes()
    cursor = cursor_class(raw)
    wrapped = debug_class(cursor, db) if db.queries_logged else db.make_cursor(cursor)
    with wrapped:
        yield wrapped
