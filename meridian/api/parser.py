"""Request parsing that refuses input the database would choke on, so bad input never becomes a 500."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from ninja.parser import Parser

from meridian.api.errors import MalformedJson
from meridian.core.errors import InvalidInput

NUL = "\x00"


def _reject_constant(name: str) -> Any:
    # NaN and Infinity are not JSON; Python's json module accepts them unless told otherwise.
    raise MalformedJson(f"{name} is not valid JSON")


def nul_paths(value: object, path: tuple[str, ...] = ()) -> list[str]:
    """Dotted paths of the strings (keys too) containing NUL, which PostgreSQL cannot store."""
    if isinstance(value, str):
        return [".".join(path) or "body"] if NUL in value else []
    if isinstance(value, dict):
        found = []
        for key, item in value.items():
            if NUL in str(key):
                found.append(".".join((*path, str(key))))
            found.extend(nul_paths(item, (*path, str(key))))
        return found
    if isinstance(value, list):
        return [found for index, item in enumerate(value) for found in nul_paths(item, (*path, str(index)))]
    return []


def _refuse_nul(data: object) -> None:
    paths = nul_paths(data)
    if paths:
        raise InvalidInput(
            "text must not contain NUL characters", fields={p: ["contains a NUL character"] for p in paths}
        )


class MeridianParser(Parser):
    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        try:
            data = json.loads(request.body, parse_constant=_reject_constant)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise MalformedJson(f"the body is not valid JSON: {exc}") from exc
        _refuse_nul(data)
        return data  # type: ignore[no-any-return]  # any JSON value; the operation's schema validates it

    def parse_querydict(
        self, data: MultiValueDict[str, Any], list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        result = super().parse_querydict(data, list_fields, request)
        _refuse_nul(result)
        return result
