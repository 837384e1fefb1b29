"""Bulk writes and every other body that carries a list of rows: one broken row in a valid batch
answers 4xx with a report naming that row, and nothing of the batch is applied (issue 6).

Generated from the OpenAPI schema: every write operation whose body has an array of objects
(bulk upserts' `rows`, order and price `lines`, product `units`). The valid row is the matrix's
example (meridian/api/permissions.py) or the item schema's minimal body; the broken row is that
row with one field broken in each way the item schema forbids, or naming nothing that exists
(`sku`, `warehouse`, `uom`), or not an object at all. It is sent both first and last in the batch.
The same batch without the broken row is then accepted, so "nothing applied" is not vacuous.
"""

from __future__ import annotations

import pytest
from django.http import HttpResponse

from tests.security import snapshot
from tests.security.figures import add
from tests.security.http import call, error_code
from tests.security.schema import JsonSchema, Operation, minimal_body, operations, properties
from tests.security.test_bad_input import broken_values
from tests.security.world import World, fill

# Row fields that name an existing object: a value naming none is a broken row too.
REFERENCE_FIELDS = {"sku", "warehouse", "uom"}
NOTHING = "zz-no-such-thing"


@pytest.fixture
def world(shared_world: World, db: None) -> World:
    """The module's shared world (see conftest.shared_world)."""
    return shared_world


def _row_lists(operation: Operation) -> dict[str, JsonSchema]:
    """The body's properties that are arrays of objects, with their item schema."""
    found = {}
    for name, schema in properties(operation.request_schema).items():
        for variant in (schema, *schema.get("anyOf", [])):
            items = variant.get("items") or {}
            if variant.get("type") == "array" and properties(items):
                found[name] = items
    return found


CASES = [
    (operation, name)
    for operation in operations()
    if operation.is_write and operation.request_schema
    for name in _row_lists(operation)
]


def _breaks(items: JsonSchema) -> list[tuple[str | None, object]]:
    """(field, value) pairs that break a row; field None: the value replaces the whole row."""
    breaks: list[tuple[str | None, object]] = [(None, "not-a-row"), (None, ["not", "a", "row"])]
    for field, schema in properties(items).items():
        breaks += [(field, value) for value in broken_values(schema)]
        if field in REFERENCE_FIELDS:
            breaks.append((field, NOTHING))
    return breaks


def _reports_the_line_in_a_success(response: HttpResponse, name: str, index: int) -> bool:
    """A read that answers per line (`POST /prices/resolve`): the broken line carries `error`."""
    if response.status_code != 200:
        return False
    lines = response.json().get(name)
    return isinstance(lines, list) and len(lines) == 2 and bool(lines[index].get("error"))


def _names_row(fields: dict[str, list[str]], name: str, index: int) -> bool:
    return any(key == f"{name}.{index}" or key.startswith(f"{name}.{index}.") for key in fields)


@pytest.mark.django_db
@pytest.mark.parametrize(("operation", "name"), CASES, ids=[f"{op.id}-{name}" for op, name in CASES])
def test_one_broken_row_answers_a_row_numbered_4xx_and_applies_nothing(
    operation: Operation, name: str, world: World
) -> None:
    client = world.api_client(world.buyer_a if operation.rule.public else world.admin)
    values = {
        key: world.ref(kind) for key, kind in operation.rule.params.items() if key in operation.path_params
    }
    items = _row_lists(operation)[name]
    template = operation.rule.example or minimal_body(operation.request_schema)
    before = snapshot.take()
    problems = []

    for field, broken in _breaks(items):
        for broken_index in (0, 1):
            body = fill(template, world=world, account=world.account_a)
            assert isinstance(body, dict)
            valid = (body.get(name) or [minimal_body(items)])[0]
            row = broken if field is None else {**valid, field: broken}
            rows = [row, valid] if broken_index == 0 else [valid, row]
            response = call(client, operation, values, {**body, name: rows})
            add("bulk_broken_row_requests")
            if _reports_the_line_in_a_success(response, name, broken_index):
                continue
            code = error_code(response)
            if not 400 <= response.status_code < 500 or code is None:
                problems.append((field, row, response.status_code))
                continue
            reported = response.json()["error"]
            if not _names_row(reported["fields"], name, broken_index) or _names_row(
                reported["fields"], name, 1 - broken_index
            ):
                problems.append((field, row, response.status_code, reported["fields"]))
            for listed in reported.get("rows", []):  # bulk upserts also list {row, field, message}
                if listed["row"] != broken_index:
                    problems.append((field, row, "reports row", listed))

    assert not problems, f"{operation} {name}: {problems[:5]}"
    changes = snapshot.diff(before, snapshot.take())
    assert not changes, snapshot.describe(changes)
    # The control: the batch without its broken row is accepted.
    body = fill(template, world=world, account=world.account_a)
    assert isinstance(body, dict)
    accepted = call(client, operation, values, {**body, name: (body.get(name) or [minimal_body(items)])[:1]})
    assert 200 <= accepted.status_code < 300, (accepted.status_code, accepted.content[:300])


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["warehouse", "sku"])
def test_a_stock_count_row_naming_its_warehouse_or_sku_by_an_object_is_reported(
    field: str, world: World
) -> None:
    row = {"warehouse": world.warehouse.code, "sku": world.product.sku, "on_hand": "40"}

    response = world.api_client(world.admin).put(
        "/api/v1/stock", {"rows": [row, {**row, field: {"not": "a scalar"}}]}, content_type="application/json"
    )

    assert response.status_code == 422
    assert error_code(response) == "invalid_rows"
    assert f"rows.1.{field}" in response.json()["error"]["fields"]
