"""Calling an operation and judging its answer: the JSON error body, and whether it leaks."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlencode

from django.http import HttpResponse
from django.test import Client

from tests.security.figures import add
from tests.security.schema import Operation, minimal_query
from tests.security.world import A_MARK, ORG_MARK, path_for


def call(
    client: Client, operation: Operation, values: Mapping[str, str], body: object = None
) -> HttpResponse:
    """The operation with `values` in its path, its query string or its JSON body, wherever each is a
    parameter (the required query parameters are filled in)."""
    path_values = {k: v for k, v in values.items() if k in operation.path_params}
    query_values = {k: v for k, v in values.items() if k in operation.query_params}
    body_values = {k: v for k, v in values.items() if k not in path_values and k not in query_values}
    path = path_for(operation.path, path_values)
    query = {**minimal_query(operation), **query_values}
    if query:
        path += "?" + urlencode(query)
    if body_values:
        assert isinstance(body, dict), f"{operation}: {sorted(body_values)} go in a JSON object body"
        body = {**body, **body_values}
    if body is None:
        response: HttpResponse = client.generic(operation.method, path)
    else:
        response = client.generic(operation.method, path, json.dumps(body), content_type="application/json")
    return response


def error_code(response: HttpResponse) -> str | None:
    """The `error.code` of a 4xx answer (asserting the error body's shape), None for a success."""
    if response.status_code < 400:
        return None
    assert response["Content-Type"].startswith("application/json"), (
        response.status_code,
        response.content[:200],
    )
    body = response.json()
    assert set(body) == {"error"}, body
    assert {"code", "message", "fields"} <= set(body["error"]), body  # bulk writes add "rows"
    assert isinstance(body["error"]["code"], str) and body["error"]["code"], body
    return str(body["error"]["code"])


def _strings(value: object) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def leaked_marks(content: bytes, *, same_organization: bool, sent: Iterable[object] = ()) -> list[str]:
    """The marks of objects the caller may not see that appear in an answer.

    Text the caller sent (path values, the body) is removed first: echoing a caller's own input
    is not a leak.
    """
    text = content.decode("utf-8", errors="replace")
    for value in sorted({s for item in sent for s in _strings(item)}, key=len, reverse=True):
        if len(value) >= 4:
            text = text.replace(value, "").replace(json.dumps(value)[1:-1], "")
    text = text.lower()
    marks = [A_MARK] if same_organization else [A_MARK, ORG_MARK]
    found = [mark for mark in marks if mark in text]
    add("leak_checks")
    add("leaks_found", len(found))
    return found


def items(response: HttpResponse) -> list[dict[str, Any]]:
    body = response.json()
    assert isinstance(body.get("items"), list), body
    return list(body["items"])
