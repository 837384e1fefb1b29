"""Schemathesis against `/api/v1/openapi.json`, in process (Django's WSGI app, no server).

One case per (operation, caller): a buyer of account A (every buyer role) and the seller's admin
(an operation that needs no token, like `POST /auth/token`, once, anonymously).
Each generates schema-valid and schema-violating requests (seeded: hypothesis' derandomize, so a
run is repeatable; bounded: `MERIDIAN_FUZZ_EXAMPLES` per mode, 6 by default) and checks that no
answer is a 5xx, that every answer conforms to the schema (status documented, content type,
body, headers), and that every 4xx carries the JSON error body. The total number of requests is
printed at the end of the run ("security figures").
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import CHECKS, load_all_checks

from tests.security.figures import FUZZ_STATUSES, add, cover
from tests.security.schema import openapi
from tests.security.world import World


@pytest.fixture
def world(shared_world: World, db: None) -> World:
    """The module's shared world (see conftest.shared_world)."""
    return shared_world


EXAMPLES = int(os.environ.get("MERIDIAN_FUZZ_EXAMPLES", "6"))
# The answer every operation may give without listing it: a body over DATA_UPLOAD_MAX_MEMORY_SIZE
# (413, with the error body, which is checked for every 4xx). An unreadable body's 400 is documented
# on every operation that takes a body (meridian.api.router).
CONVENTIONAL_STATUSES = {413}
CHECK_NAMES = [
    "not_a_server_error",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
]

SCHEMA = schemathesis.openapi.from_dict(openapi())
SCHEMA.app = get_wsgi_application()
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]
CALLERS = ("buyer", "staff")
CASES = [
    (operation, caller)
    for operation in OPERATIONS
    for caller in (CALLERS if operation.definition.raw.get("security") else ("anonymous",))
]


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Iterator[None]:
    """Schemathesis calls the WSGI app directly: like Django's test client, keep the request
    signals from closing the connection that holds the test's transaction (PostgreSQL)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _checks() -> list[Any]:
    load_all_checks()
    return list(CHECKS.get_by_names(CHECK_NAMES))


def _problems(case: Any, response: Any) -> list[str]:
    """What our own contract requires beyond the schema: a documented status, the error body."""
    found = []
    status = response.status_code
    documented = {int(code) for code in case.operation.responses.status_codes if code.isdigit()}
    if status not in documented | CONVENTIONAL_STATUSES:
        found.append(f"undocumented status {status} (documented: {sorted(documented)})")
    if 400 <= status < 500:
        try:
            body = response.json()
            assert {"code", "message", "fields"} <= set(body["error"])
        except Exception:  # any shape but the error body is the finding
            found.append(f"{status} without the JSON error body: {response.content[:200]!r}")
    return found


def _summary(exc: BaseException) -> str:
    """The failure's title lines and the request to reproduce it, without the long schema dumps."""
    text = str(exc)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    keep = [
        line
        for line in lines
        if line.startswith(("- ST", "curl ", "Received", "Documented")) or "is not" in line
    ]
    return " | ".join(keep)[:700] or text[:700]


def _fuzz(operation: Any, mode: schemathesis.GenerationMode, token: str, failures: list[str]) -> int:
    """Send up to EXAMPLES requests of one generation mode; returns how many were sent."""
    public = not operation.definition.raw.get("security")
    headers = {"Authorization": token} if token else {}
    checks = _checks()
    sent = 0

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        nonlocal sent
        response = case.call(headers=headers)
        sent += 1
        FUZZ_STATUSES[response.status_code] += 1
        label = f"{mode.value} {case.method} {case.formatted_path} -> {response.status_code}"
        # Negative cases may drop the Authorization header on purpose: only then is 401 right.
        if (
            response.status_code == 401
            and not public
            and response.request.headers.get("Authorization") == token
        ):
            failures.append(f"{label}: 401 with a valid token")
        try:
            case.validate_response(response, checks=checks, headers=headers)
        except (Exception, BaseExceptionGroup) as exc:  # schemathesis raises a FailureGroup: collect it
            failures.append(f"{label}: {_summary(exc)}")
        failures.extend(f"{label}: {problem}" for problem in _problems(case, response))

    run()
    return sent


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("operation", "caller"), CASES, ids=[f"{op.definition.raw['operationId']}-{who}" for op, who in CASES]
)
def test_fuzzed_requests_get_no_5xx_and_schema_conformant_answers(
    operation: Any, caller: str, world: World
) -> None:
    member = {"buyer": world.buyer_a, "staff": world.admin}.get(caller)
    token = world.api_client(member).defaults["HTTP_AUTHORIZATION"] if member else ""
    failures: list[str] = []

    sent = sum(
        _fuzz(operation, mode, token, failures)
        for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)
    )

    add("fuzz_requests", sent)
    cover("fuzz_operations", operation.label)
    assert not failures, "\n".join(failures[:10])
