"""The permission matrix describes exactly the API's operations: a new endpoint fails here until described."""

from __future__ import annotations

import pytest
from django.test import Client

from meridian.api.permissions import OPERATIONS
from tests.security.http import call, error_code
from tests.security.schema import Operation, operations, properties

ALL = operations()


@pytest.mark.parametrize("operation", ALL, ids=[operation.id for operation in ALL])
def test_every_operation_is_described_in_the_permission_matrix(operation: Operation) -> None:
    rule = operation.rule  # fails, naming the operation, when the matrix does not describe it

    assert set(operation.path_params) <= set(rule.params), f"{operation}: matrix params {set(rule.params)}"
    known = {*operation.path_params, *operation.query_params, *properties(operation.request_schema)}
    assert set(rule.params) <= known, f"{operation}: {set(rule.params) - known} are not parameters"
    assert rule.public == operation.is_public, f"{operation}: public={operation.is_public} in the schema"
    assert (rule.lists is not None) == operation.is_list, f"{operation}: a list must say what it lists"
    if rule.example is not None:
        unknown = set(rule.example) - set(properties(operation.request_schema))
        assert not unknown, f"{operation}: example fields {unknown} are not in the request schema"
    assert not (rule.upsert and operation.method != "PUT"), f"{operation}: only a PUT upserts by key"


def test_the_matrix_describes_no_operation_the_api_does_not_have() -> None:
    stale = sorted(set(OPERATIONS) - {operation.id for operation in ALL})

    assert not stale, f"remove {stale} from meridian/api/permissions.py OPERATIONS"


PRIVATE = [operation for operation in ALL if not operation.is_public]


@pytest.mark.django_db
@pytest.mark.parametrize("operation", PRIVATE, ids=[operation.id for operation in PRIVATE])
def test_without_a_token_every_operation_answers_401(operation: Operation) -> None:
    values = dict.fromkeys(operation.path_params, "1")

    response = call(Client(), operation, values, {} if operation.request_schema else None)

    assert response.status_code == 401
    assert error_code(response) == "not_authenticated"
