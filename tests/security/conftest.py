from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.core.signals import got_request_exception
from django.db import transaction

from tests.security.figures import FIGURES, FUZZ_STATUSES, LABELS, add
from tests.security.world import World, build_world


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    # Login throttling counts attempts in the cache: every case starts from zero.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _count_server_errors(request: pytest.FixtureRequest) -> Iterator[None]:
    """Count every request that ended in an unhandled exception (a 5xx), whoever sent it (the test
    client, the fuzzer's WSGI calls, threads). A strict xfail that proves a known crash counts apart."""
    name = "server_errors_known" if request.node.get_closest_marker("xfail") else "server_errors"
    add(name, 0)

    def count(sender: object, **kwargs: object) -> None:
        add(name)

    got_request_exception.connect(count, weak=False)
    yield
    got_request_exception.disconnect(count)


@pytest.fixture
def world(db: None) -> World:
    """A world of its own for the test (needed by `transaction=True` tests)."""
    return build_world()


@pytest.fixture(scope="module")
def shared_world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """One world for all the generated cases of a module, built once.

    It lives in a transaction opened for the module and rolled back at its end; each test's own
    transaction (pytest-django's `db`) is a savepoint inside it, so every case still starts from
    the same world. Not for `transaction=True` tests, which would flush it.
    """
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic._from_testcase = True  # type: ignore[attr-defined]  # as Django's TestCase: durable blocks may nest
        atomic.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not FIGURES:
        return
    terminalreporter.section("security figures")
    for name, label in LABELS.items():
        if name in FIGURES:
            terminalreporter.write_line(f"{FIGURES[name]:>7}  {label}")
    if FUZZ_STATUSES:
        statuses = ", ".join(f"{status}: {count}" for status, count in sorted(FUZZ_STATUSES.items()))
        terminalreporter.write_line(f"         fuzzer answers by status: {statuses}")
