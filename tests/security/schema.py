"""The API's operations, read from `/api/v1/openapi.json` through the test client (no server).

Every generated case starts here, so an operation added to any router is picked up without new
test code; `meridian.api.permissions.OPERATIONS` must describe it or the suite fails.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from meridian.api.permissions import OPERATIONS, Rule

OPENAPI_URL = "/api/v1/openapi.json"
METHODS = ("get", "post", "put", "patch", "delete")
JsonSchema = Mapping[str, Any]


@dataclass(frozen=True)
class Operation:
    id: str
    method: str  # upper case
    path: str  # /api/v1/accounts/{ref}
    path_params: tuple[str, ...]
    query_params: Mapping[str, JsonSchema]
    required_query: tuple[str, ...]
    request_schema: JsonSchema | None  # the JSON body, $refs resolved
    response_schema: JsonSchema | None  # the first 2xx answer, $refs resolved
    is_public: bool

    @property
    def rule(self) -> Rule:
        """The operation's entry in the permission matrix; a test of an undescribed one fails, naming it."""
        if self.id not in OPERATIONS:
            pytest.fail(
                f"{self} is not described in meridian/api/permissions.py OPERATIONS: say which roles may "
                "call it, what its path parameters name and (for a write) a valid example body"
            )
        return OPERATIONS[self.id]

    @property
    def is_write(self) -> bool:
        return self.method != "GET"

    @property
    def is_list(self) -> bool:
        properties = (self.response_schema or {}).get("properties", {})
        return self.method == "GET" and {"count", "items"} <= set(properties)

    def __str__(self) -> str:
        return f"{self.method} {self.path} ({self.id})"


@functools.cache
def openapi() -> dict[str, Any]:
    response = Client().get(OPENAPI_URL)
    assert response.status_code == 200, response.content
    document: dict[str, Any] = response.json()
    return document


def resolve(schema: Any, document: Mapping[str, Any]) -> Any:
    """The schema with every local `$ref` inlined (the API's schemas are not recursive)."""
    if isinstance(schema, Mapping):
        if "$ref" in schema:
            target: Any = document
            for part in schema["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            return resolve(target, document)
        return {key: resolve(value, document) for key, value in schema.items()}
    if isinstance(schema, list):
        return [resolve(item, document) for item in schema]
    return schema


def _json_schema(content: Mapping[str, Any] | None, document: Mapping[str, Any]) -> JsonSchema | None:
    if not content or "application/json" not in content:
        return None
    resolved: JsonSchema = resolve(content["application/json"].get("schema", {}), document)
    return resolved


@functools.cache
def operations() -> tuple[Operation, ...]:
    document = openapi()
    found = []
    for path, item in document["paths"].items():
        for method in METHODS:
            if method not in item:
                continue
            spec = item[method]
            success = next(
                (
                    body
                    for status, body in sorted(spec.get("responses", {}).items())
                    if status.startswith("2")
                ),
                {},
            )
            found.append(
                Operation(
                    id=spec["operationId"],
                    method=method.upper(),
                    path=path,
                    path_params=tuple(p["name"] for p in spec.get("parameters", []) if p["in"] == "path"),
                    query_params={
                        p["name"]: resolve(p.get("schema", {}), document)
                        for p in spec.get("parameters", [])
                        if p["in"] == "query"
                    },
                    required_query=tuple(
                        p["name"]
                        for p in spec.get("parameters", [])
                        if p["in"] == "query" and p.get("required")
                    ),
                    request_schema=_json_schema(spec.get("requestBody", {}).get("content"), document),
                    response_schema=_json_schema(success.get("content"), document),
                    is_public=not spec.get("security"),
                )
            )
    return tuple(found)


def described_operations() -> Iterator[Operation]:
    """Operations the matrix describes (the completeness test names the others)."""
    return (operation for operation in operations() if operation.id in OPERATIONS)


def properties(schema: JsonSchema | None) -> dict[str, JsonSchema]:
    """An object schema's properties, through `anyOf`/`allOf` wrappers."""
    if not schema:
        return {}
    found: dict[str, JsonSchema] = dict(schema.get("properties", {}))
    for key in ("allOf", "anyOf", "oneOf"):
        for part in schema.get(key, []):
            found.update(properties(part))
    return found


def minimal_query(operation: Operation) -> dict[str, Any]:
    """The required query parameters, each with a plain valid value."""
    return {name: _sample(operation.query_params[name]) for name in operation.required_query}


def minimal_body(schema: JsonSchema | None) -> dict[str, Any]:
    """Required properties only, each with a plain valid value (for operations with no `example`)."""
    body: dict[str, Any] = {}
    for name in (schema or {}).get("required", []):
        body[name] = _sample(properties(schema)[name])
    return body


def _sample(schema: JsonSchema) -> Any:
    if "enum" in schema:
        return schema["enum"][0]
    if schema.get("examples"):
        return schema["examples"][0]
    for key in ("anyOf", "oneOf", "allOf"):
        if schema.get(key):
            return _sample(schema[key][0])
    kind = schema.get("type")
    if kind == "integer":
        return max(int(schema.get("minimum", 1)), 1)
    if kind == "number":
        return 1
    if kind == "boolean":
        return True
    if kind == "array":
        return [_sample(schema.get("items", {})) for _ in range(max(int(schema.get("minItems", 0)), 1))]
    if kind == "object":
        return minimal_body(schema)
    return "sample"[: int(schema.get("maxLength", 6))] or "s"
