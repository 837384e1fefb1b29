"""Bad input gets a clear 4xx with the JSON error body, never a 500, and changes nothing.

Generated: every field of every write body and every query parameter, each broken in the ways its
schema forbids (too long, wrong type, out of range, not a number, not a date, unknown choice).
Targeted: oversized and unreadable bodies, deep nesting, huge ids and quantities, negative money,
unknown currencies, malformed dates.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.conf import settings as live_settings
from django.test import Client

from meridian.customers.models import Account
from tests.security import snapshot
from tests.security.figures import add
from tests.security.http import call, error_code
from tests.security.schema import (
    METHODS,
    JsonSchema,
    Operation,
    minimal_body,
    openapi,
    operations,
    properties,
)
from tests.security.world import World, fill, path_for


@pytest.fixture
def world(shared_world: World, db: None) -> World:
    """The module's shared world (see conftest.shared_world)."""
    return shared_world


HUGE = 2**70


def broken_values(schema: JsonSchema) -> list[Any]:
    """Values the schema forbids for a field (whatever its type, an object is always wrong)."""
    values: list[Any] = [{"not": "a scalar"}] if schema.get("type") != "object" else [["not", "an", "object"]]
    variants = [schema, *schema.get("anyOf", []), *schema.get("oneOf", [])]
    for variant in variants:
        kind, form = variant.get("type"), variant.get("format")
        if "maxLength" in variant:
            values.append("x" * (int(variant["maxLength"]) + 1))
        if "enum" in variant:
            values.append("no-such-choice")
        if kind == "integer":
            values += [HUGE, -HUGE, "twelve"]
        if form == "decimal":
            values += ["NaN", "1e400", "twelve", "1" * 40]
        if form == "date-time":
            values += ["2024-13-45T99:00:00", "yesterday"]
        if kind == "boolean":
            values.append("maybe")
        if kind == "array":
            values.append("not-a-list")
    return values


WRITES = [op for op in operations() if op.is_write and op.request_schema]
WITH_QUERY = [op for op in operations() if op.query_params]


def _caller(world: World, operation: Operation) -> Any:
    return world.buyer_a if operation.rule.public else world.admin


@pytest.mark.django_db
@pytest.mark.parametrize("operation", WRITES, ids=[op.id for op in WRITES])
def test_every_broken_body_field_answers_4xx_json_and_changes_nothing(
    operation: Operation, world: World
) -> None:
    client = world.api_client(world.admin)
    values = {
        name: world.ref(kind) for name, kind in operation.rule.params.items() if name in operation.path_params
    }
    template = operation.rule.example or minimal_body(operation.request_schema)
    before = snapshot.take()
    answers = []

    for name, schema in properties(operation.request_schema).items():
        for broken in broken_values(schema):
            body = fill(template, world=world, account=world.account_a)
            assert isinstance(body, dict)
            response = call(client, operation, values, {**body, name: broken})
            add("bad_input_requests")
            answers.append((name, broken, response.status_code, error_code(response)))

    wrong = [answer for answer in answers if not 400 <= answer[2] < 500]
    assert not wrong, f"{operation}: {wrong[:5]}"
    changes = snapshot.diff(before, snapshot.take())
    assert not changes, snapshot.describe(changes)


@pytest.mark.django_db
@pytest.mark.parametrize("operation", WITH_QUERY, ids=[op.id for op in WITH_QUERY])
def test_every_broken_query_parameter_answers_422(operation: Operation, world: World) -> None:
    client = world.api_client(world.admin)
    values = {
        name: world.ref(kind) for name, kind in operation.rule.params.items() if name in operation.path_params
    }
    path = path_for(operation.path, values)

    for name, schema in operation.query_params.items():
        broken = [v for v in broken_values(schema) if not isinstance(v, dict | list)]
        broken += [0, 501] if name == "limit" else [-1] if name == "offset" else []
        for value in broken:
            response = client.get(path, {name: value})
            add("bad_input_requests")
            assert response.status_code == 422, (name, value, response.status_code)
            assert error_code(response) == "invalid_input"


@pytest.mark.django_db
def test_a_body_over_the_limit_answers_413_json_before_it_is_read(world: World, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2048
    body = json.dumps({"name": "x" * 4096})

    response = world.api_client(world.admin).post("/api/v1/accounts", body, content_type="application/json")

    assert response.status_code == 413
    assert error_code(response) == "payload_too_large"
    assert not Account.objects.filter(name="x" * 4096).exists()


def test_the_default_body_limit_is_10_mib() -> None:
    assert live_settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 10 * 1024 * 1024


@pytest.mark.django_db
def test_a_content_length_that_is_not_a_number_answers_400_json(world: World) -> None:
    client = world.api_client(world.admin)

    response = client.post("/api/v1/accounts", "{}", content_type="application/json", CONTENT_LENGTH="12abc")

    assert response.status_code == 400
    assert error_code(response) == "bad_request"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        "[" * 100_000 + "]" * 100_000,
        '{"name": "a", "attributes": ' + '{"a": ' * 5_000 + "1" + "}" * 5_000 + "}",
        '{"name": ' + "9" * 5_000 + "}",
    ],
    ids=["100k-deep-array", "5k-deep-object", "5k-digit-number"],
)
def test_deep_or_huge_json_answers_4xx_json(body: str, world: World) -> None:
    response = world.api_client(world.admin).post("/api/v1/products", body, content_type="application/json")

    assert 400 <= response.status_code < 500
    assert error_code(response) in {"bad_request", "malformed_json", "invalid_input"}


@pytest.mark.django_db
def test_a_form_body_instead_of_json_answers_4xx_json(world: World) -> None:
    response = world.api_client(world.admin).post("/api/v1/accounts", {"name": "Acme"})

    assert 400 <= response.status_code < 500
    assert error_code(response)
    assert not Account.objects.filter(name="Acme").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/api/v1/accounts/" + "9" * 30, 404),
        ("GET", "/api/v1/accounts/" + "9" * 5_000, 422),
        ("PATCH", "/api/v1/accounts/{a}/users/" + "9" * 30, 422),
        ("DELETE", "/api/v1/api-keys/" + "9" * 30, 422),
        ("DELETE", "/api/v1/api-keys/-1", 422),
        ("GET", "/api/v1/products/" + "%F0%9F%92%A5" * 50, 404),
        ("GET", "/api/v1/products/%00", 422),
    ],
    ids=[
        "30-digit-account",
        "5000-digit-account",
        "30-digit-user",
        "30-digit-key",
        "negative-key",
        "emoji-sku",
        "nul-sku",
    ],
)
def test_huge_or_odd_ids_in_a_path_answer_4xx_json(method: str, path: str, status: int, world: World) -> None:
    client = world.api_client(world.admin)

    response = client.generic(
        method, path.replace("{a}", str(world.account_a.pk)), "{}", content_type="application/json"
    )

    assert response.status_code == status, response.content
    assert error_code(response)


# Every path of the schema with every method it does not take (HEAD/OPTIONS aside).
UNSUPPORTED = sorted(
    {(op.path, method.upper()) for op in operations() for method in METHODS}
    - {(op.path, op.method) for op in operations()}
)
WITH_BODY = [op for op in operations() if op.request_schema is not None]


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "method"), UNSUPPORTED, ids=[f"{m} {p}" for p, m in UNSUPPORTED])
def test_an_unsupported_method_answers_405_json_with_allow(path: str, method: str, world: World) -> None:
    allowed = {op.method for op in operations() if op.path == path}
    template = path.replace("{", "").replace("}", "")  # any value: the path is matched, not looked up

    response = world.api_client(world.admin).generic(method, template, "{}", content_type="application/json")
    add("bad_input_requests")

    assert response.status_code == 405, (response.status_code, response.content[:200])
    assert error_code(response) == "method_not_allowed"
    assert set(response["Allow"].replace(" ", "").split(",")) == allowed


@pytest.mark.django_db
@pytest.mark.parametrize("operation", WITH_BODY, ids=[op.id for op in WITH_BODY])
def test_an_unreadable_body_answers_the_documented_400(operation: Operation, world: World) -> None:
    documented = openapi()["paths"][operation.path][operation.method.lower()]["responses"]
    client = world.api_client(world.buyer_a if operation.rule.public else world.admin)
    values = {
        name: world.ref(kind) for name, kind in operation.rule.params.items() if name in operation.path_params
    }
    path = path_for(operation.path, values)
    before = snapshot.take()

    for body in (b"\xff\xfe{", b'{"name": ', b"NaN"):
        response = client.generic(operation.method, path, body, content_type="application/json")
        add("bad_input_requests")
        assert response.status_code == 400, (body, response.status_code, response.content[:200])
        assert error_code(response) == "malformed_json"

    assert "400" in documented and documented["400"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorOut"
    }
    assert not snapshot.diff(before, snapshot.take())


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/accounts", {"name": "Acme", "credit_limit": "-5.00"}, "credit_limit"),
        ("/api/v1/accounts", {"name": "Acme", "credit_limit": "1e15"}, "credit_limit"),
        ("/api/v1/accounts", {"name": "Acme", "credit_limit": "0.001"}, "credit_limit"),
        ("/api/v1/accounts", {"name": "Acme", "currency": "XXX"}, "currency"),
        ("/api/v1/accounts", {"name": "Acme", "currency": "€"}, "currency"),
        ("/api/v1/products", {"sku": "Q1", "name": "Q", "min_order_quantity": "1e30"}, "min_order_quantity"),
        ("/api/v1/products", {"sku": "Q2", "name": "Q", "min_order_quantity": "-1"}, "min_order_quantity"),
        ("/api/v1/products", {"sku": "Q3", "name": "Q", "order_increment": "0"}, "order_increment"),
        (
            "/api/v1/products",
            {"sku": "Q4", "name": "Q", "units": [{"code": "BX", "factor": "1e13"}]},
            "units.0.factor",
        ),
        ("/api/v1/api-keys", {"name": "k", "expires_at": "2024-13-45T99:00:00Z"}, "expires_at"),
        ("/api/v1/api-keys", {"name": "k", "expires_at": "next tuesday"}, "expires_at"),
        ("/api/v1/api-keys", {"name": "k", "expires_at": "2001-01-01T00:00:00Z"}, "expires_at"),
    ],
    ids=[
        "negative-money",
        "too-much-money",
        "fraction-of-a-cent",
        "unknown-currency",
        "symbol-for-currency",
        "huge-quantity",
        "negative-quantity",
        "zero-increment",
        "huge-unit-factor",
        "impossible-date",
        "words-for-date",
        "past-expiry",
    ],
)
def test_bad_amounts_currencies_and_dates_answer_422_naming_the_field(
    path: str, body: dict[str, Any], field: str, world: World
) -> None:
    client = world.api_client(world.admin)
    before = snapshot.take()

    response = client.post(path, body, content_type="application/json")

    assert response.status_code == 422, response.content
    assert error_code(response) == "invalid_input"
    assert field in response.json()["error"]["fields"], response.json()
    assert not snapshot.diff(before, snapshot.take())


@pytest.mark.django_db
def test_a_patch_with_negative_money_keeps_the_credit_limit(world: World) -> None:
    response = world.api_client(world.admin).patch(
        f"/api/v1/accounts/{world.account_a.pk}", {"credit_limit": "-1"}, content_type="application/json"
    )

    assert response.status_code == 422
    assert str(Account.objects.get(pk=world.account_a.pk).credit_limit) == "5000.00"


def test_an_unauthenticated_garbage_request_gets_json_too() -> None:
    response = Client().post("/api/v1/auth/token", b"\xff\xfe", content_type="application/json")

    assert response.status_code == 400
    assert error_code(response) == "malformed_json"
