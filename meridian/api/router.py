"""Meridian REST API v1: assembles each app's router under /api/v1 (contract: shared/API.md)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

from django.http import Http404, HttpRequest, HttpResponseBase, HttpResponseNotAllowed, JsonResponse
from django.urls import URLPattern, URLResolver
from ninja import NinjaAPI, Router
from ninja.errors import ValidationError, ValidationErrorContext
from ninja.openapi.schema import OpenAPISchema
from ninja.operation import Operation

from meridian.api.auth import WEBSITE_HEADER, BearerToken
from meridian.api.errors import error_body, register_error_handlers
from meridian.api.parser import MeridianParser
from meridian.catalog.api import router as catalog_router
from meridian.core.api import router as auth_router
from meridian.customers.api import router as customers_router
from meridian.inventory.api import router as inventory_router
from meridian.inventory.api_setup import router as inventory_setup_router
from meridian.ordering.api import router as ordering_router
from meridian.pricing.api import router as pricing_router

DESCRIPTION = f"""
The integration API of Meridian (ERPs, PunchOut hubs, mobile apps, scripts).

* **Auth**: `POST /auth/token` with `{{"username", "password"}}` answers `{{"token", "expires_at"}}`;
  send `Authorization: Bearer <token>` on every other request. Optional `{WEBSITE_HEADER}: <id>`
  picks the storefront (visibility) a buyer acts on; by default the host's, else the default one.
* **Scope**: an object outside the caller's scope answers 404; an action the role may not take, 403.
* **Errors**: `{{"error": {{"code", "message", "fields": {{"field.path": ["..."]}}}}}}`. A transient
  database failure answers 503 `temporarily_unavailable` with `Retry-After`: nothing was applied,
  retry (a write with the same `Idempotency-Key`).
* **Lists**: `?limit=&offset=` (limit 1-500, default 50) answer `{{"count", "items"}}`.
* **Money and quantities** are decimal strings (`"14.20"`).
"""


# Documented on every operation that takes a body: the parser refuses what is not JSON before the
# operation's schema sees it (meridian.api.parser).
UNREADABLE_BODY = {
    "description": "Bad Request: the body is not readable JSON (`malformed_json`: not UTF-8, not JSON, "
    "NaN or Infinity).",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}},
}

View = Callable[..., HttpResponseBase]


def json_method_not_allowed(view: View) -> View:
    """Ninja answers a method a known path does not take with an HTML 405: answer the error body."""

    @functools.wraps(view)  # keeps csrf_exempt: API requests authenticate by token
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        if not isinstance(response, HttpResponseNotAllowed):
            return response
        allowed = response["Allow"]
        body = error_body("method_not_allowed", f"{request.method} is not allowed here (allowed: {allowed})")
        answer = JsonResponse(body, status=405)
        answer["Allow"] = allowed
        return answer

    return wrapper


class MeridianAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation: Operation) -> str:
        return operation.view_func.__name__  # unique across routers: list_accounts, upsert_product, ...

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        """The generated schema, plus the 400 every operation with a body may answer."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for path_item in schema["paths"].values():
            for operation in path_item.values():
                if "requestBody" in operation:
                    operation["responses"].setdefault(400, UNREADABLE_BODY)
        return schema

    def _get_urls(self) -> list[URLResolver | URLPattern]:
        urls = super()._get_urls()
        for pattern in urls:
            if isinstance(pattern, URLPattern):
                pattern.callback = json_method_not_allowed(pattern.callback)
        return urls

    def validation_error_from_error_contexts(
        self, error_contexts: list[ValidationErrorContext[Any]]
    ) -> ValidationError:
        """Drop the body parameter's name from error paths: clients send `{"name"}`, not `{"payload"}`."""
        error = super().validation_error_from_error_contexts(error_contexts)
        body_names = {
            getattr(context.model, "__read_from_single_attr__", None)
            for context in error_contexts
            if context.model.__ninja_param_source__ == "body"
        }
        for item in error.errors:
            location: Sequence[Any] = item["loc"]
            if len(location) > 1 and location[0] == "body" and location[1] in body_names:
                item["loc"] = (location[0], *location[2:])
        return error


api = MeridianAPI(
    title="Meridian API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=BearerToken(),
    parser=MeridianParser(),
)
register_error_handlers(api)
api.add_router("", auth_router)
api.add_router("", customers_router)
api.add_router("", catalog_router)
api.add_router("", inventory_router)
api.add_router("", inventory_setup_router)  # the inventory's transfers, receipts, suppliers, set-up
api.add_router("", pricing_router)
api.add_router("", ordering_router)

# Registered last: any other path under /api/v1/ answers the JSON 404, not Django's HTML page.
fallback = Router()


@fallback.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:rest}", auth=None, include_in_schema=False
)
def unknown_path(request: HttpRequest, rest: str) -> None:
    raise Http404(rest)


api.add_router("", fallback)
