"""Fault injection: make the Nth SQL statement of a use case fail, to prove nothing partial remains.

Reusable by any app's tests (ordering's `place_order`, bulk price and stock upserts):

    with recording() as statements:          # a dry run, inside a savepoint rolled back
        place_order(...)
    for n in range(1, len(statements) + 1):
        for after in (False, True):
            with pytest.raises(InjectedFault), failing_statement(n, after=after):
                place_order(...)
            assert_nothing_changed()

`after=True` lets the statement reach the database first (a row written, then the connection
"drops"), `after=False` fails it before. Transaction control (SAVEPOINT, RELEASE, COMMIT,
ROLLBACK) is never counted nor failed: the point is what the use case leaves when one of its own
statements fails.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import DEFAULT_DB_ALIAS, OperationalError, connections, transaction

TRANSACTION_CONTROL = re.compile(
    r"^\s*(SAVEPOINT|RELEASE\s+SAVEPOINT|ROLLBACK|COMMIT|BEGIN)\b", re.IGNORECASE
)


class InjectedFault(OperationalError):
    """The database error a fault-injection test raised on purpose."""


@contextmanager
def recording(*, using: str = DEFAULT_DB_ALIAS, rollback: bool = True) -> Iterator[list[str]]:
    """Collect the SQL of the statements run inside (transaction control excluded).

    With `rollback` (the default) the block runs in a savepoint that is rolled back, so a dry run
    leaves the database as it was.
    """
    seen: list[str] = []

    def wrapper(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        if not TRANSACTION_CONTROL.match(sql):
            seen.append(sql)
        return execute(sql, params, many, context)

    with connections[using].execute_wrapper(wrapper):
        if rollback:
            with transaction.atomic(using=using):
                yield seen
                transaction.set_rollback(True, using=using)
        else:
            yield seen


@contextmanager
def failing_statement(
    n: int, *, after: bool = False, match: str | None = None, using: str = DEFAULT_DB_ALIAS
) -> Iterator[list[str]]:
    """Raise InjectedFault at the `n`th statement (1-based) run inside, optionally only counting
    statements whose SQL matches `match` (a regex, e.g. "INSERT INTO \"core_auditentry\"")."""
    seen: list[str] = []

    def wrapper(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        if TRANSACTION_CONTROL.match(sql) or (match is not None and not re.search(match, sql)):
            return execute(sql, params, many, context)
        seen.append(sql)
        if len(seen) != n:
            return execute(sql, params, many, context)
        if after:
            execute(sql, params, many, context)
        raise InjectedFault(f"injected fault {'after' if after else 'at'} statement {n}: {sql[:120]}")

    with connections[using].execute_wrapper(wrapper):
        yield seen
