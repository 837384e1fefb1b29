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
"drops"), `after=False` fails it before. `killed_at_statement(n, use_case)` goes further: it runs
the use case in a forked process and SIGKILLs it right after its nth statement (PostgreSQL). Transaction control (SAVEPOINT, RELEASE, COMMIT,
ROLLBACK) is never counted nor failed: the point is what the use case leaves when one of its own
statements fails.
"""

from __future__ import annotations

import os
import re
import select
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections, transaction

from tests.security import snapshot
from tests.security.figures import add

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


def assert_every_fault_leaves_nothing(use_case: Callable[[], object], statements: list[str]) -> None:
    """Fail each of the use case's statements in turn, before and after it reaches the database,
    and assert each time that the error reached the caller and the database is as before."""
    before = snapshot.take()
    for n in range(1, len(statements) + 1):
        for after in (False, True):
            with pytest.raises(InjectedFault), failing_statement(n, after=after):
                use_case()
            add("faults_injected")
            changes = snapshot.diff(before, snapshot.take())
            assert not changes, f"fault {'after' if after else 'at'} {statements[n - 1][:100]}: " + (
                snapshot.describe(changes)
            )


def killed_at_statement(
    n: int, use_case: Callable[[], object], *, match: str | None = None, timeout: float = 60
) -> bool:
    """Run `use_case` in a forked child and SIGKILL it right after its `n`th statement (counted as
    `failing_statement` counts) reached the database: a crash mid-transaction, with no chance to
    roll back or clean up. Returns False if the use case finished before its `n`th statement.

    For `transaction=True` tests on PostgreSQL: the child opens its own connection (the parent's are
    closed before the fork, so the two never share a socket), and the server rolls back what the
    killed connection left open.
    """
    connections.close_all()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        status = 1
        try:
            os.close(read_end)
            seen: list[str] = []

            def wrapper(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
                result = execute(sql, params, many, context)
                if not TRANSACTION_CONTROL.match(sql) and (match is None or re.search(match, sql)):
                    seen.append(sql)
                    if len(seen) == n:
                        os.write(write_end, b"K")  # reached: the parent kills us now
                        time.sleep(timeout)
                return result

            with connections[DEFAULT_DB_ALIAS].execute_wrapper(wrapper):
                use_case()
            os.write(write_end, b"D")
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    try:
        ready, _, _ = select.select([read_end], [], [], timeout)
        word = os.read(read_end, 1) if ready else None
    finally:
        os.close(read_end)
        if word != b"D":
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    if word is None:
        raise TimeoutError(f"the child neither reached statement {n} nor finished in {timeout} s")
    if not word:
        raise RuntimeError(f"the use case failed in the child before statement {n}")
    return word == b"K"
