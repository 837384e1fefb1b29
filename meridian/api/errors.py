"""HTTP statuses and the error body: the only place that maps errors to statuses.

Every 4xx answers `{"error": {"code": "snake_case_code", "message": "...", "fields": {"path": ["..."]}}}`.
`code` is a stable contract; messages may change.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from django.db import IntegrityError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from ninja.errors import HttpError, ValidationError

from meridian.core.errors import Conflict, DomainError, Forbidden, NotFound, RuleViolation

if TYPE_CHECKING:
    from ninja import NinjaAPI

logger = logging.getLogger(__name__)

STATUS_BY_KIND: dict[type[DomainError], int] = {
    NotFound: 404,
    Forbidden: 403,
    Conflict: 409,
    RuleViolation: 422,
}

# Ninja raises HttpError itself (a failed authentication, a throttle, an unreadable body).
CODE_BY_HTTP_STATUS = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    429: "rate_limited",
}


class ApiError(Exception):
    """An error of the HTTP layer itself (authentication, throttling, unreadable JSON)."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str = "") -> None:
        super().__init__(message or self.code.replace("_", " "))


class NotAuthenticated(ApiError):
    status = 401
    code = "not_authenticated"


class InvalidCredentials(ApiError):
    status = 401
    code = "invalid_credentials"


class NoApiAccess(ApiError):
    """A valid token whose user is neither a buyer nor seller staff."""

    status = 403
    code = "no_api_access"


class RateLimited(ApiError):
    status = 429
    code = "rate_limited"


class MalformedJson(ApiError):
    status = 400
    code = "malformed_json"


def error_body(
    code: str, message: str, fields: Mapping[str, Sequence[str]] | None = None
) -> dict[str, object]:
    return {
        "error": {
            "code": code,
            "message": message,
            "fields": {key: list(value) for key, value in (fields or {}).items()},
        }
    }


def status_for(exc: DomainError) -> int:
    return next((status for kind, status in STATUS_BY_KIND.items() if isinstance(exc, kind)), 400)


def validation_fields(exc: ValidationError) -> dict[str, list[str]]:
    """Pydantic errors keyed by dotted field path ("lines.0.sku"), without the "body."/"query." source."""
    fields: dict[str, list[str]] = {}
    for error in exc.errors:
        location = [str(part) for part in error.get("loc", ())]
        source, path = (location[0], location[1:]) if location else ("body", [])
        fields.setdefault(".".join(path) or source, []).append(str(error.get("msg", "invalid")))
    return fields


def register_error_handlers(api: NinjaAPI) -> None:
    """Render every error the API can raise in the one error body."""

    def respond(
        request: HttpRequest,
        status: int,
        code: str,
        message: str,
        fields: Mapping[str, Sequence[str]] | None = None,
    ) -> HttpResponse:
        return api.create_response(request, error_body(code, message, fields), status=status)

    @api.exception_handler(DomainError)
    def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        return respond(request, status_for(exc), exc.code, str(exc), exc.fields)

    @api.exception_handler(IntegrityError)
    def on_integrity_error(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
        # A constraint caught what the service missed (usually a concurrent write of the same key).
        return respond(request, 409, "conflict", "the change conflicts with existing data")

    @api.exception_handler(OperationalError)
    def on_database_unavailable(request: HttpRequest, exc: OperationalError) -> HttpResponse:
        # The connection dropped, or PostgreSQL chose this transaction as a deadlock or serialization
        # victim: the use case's one transaction rolled back, so the client may simply retry (a write
        # with the same Idempotency-Key). Logged in full: operators must see it.
        logger.error("database unavailable: answered 503", exc_info=exc)
        response = respond(
            request, 503, "temporarily_unavailable", "the database is temporarily unavailable; retry"
        )
        response["Retry-After"] = "1"
        return response

    @api.exception_handler(ApiError)
    def on_api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return respond(request, exc.status, exc.code, str(exc))

    @api.exception_handler(ValidationError)
    def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return respond(request, 422, "invalid_input", "invalid input", validation_fields(exc))

    @api.exception_handler(HttpError)
    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        # Ninja wraps whatever the body parser raised (MalformedJson, InvalidInput) in HttpError(400).
        if isinstance(exc.__cause__, ApiError | DomainError):
            return api.on_exception(request, exc.__cause__)
        code = CODE_BY_HTTP_STATUS.get(exc.status_code, "http_error")
        return respond(request, exc.status_code, code, str(exc))

    @api.exception_handler(Http404)
    def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return respond(request, 404, "not_found", "no such resource")
