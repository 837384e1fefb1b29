"""`POST /auth/token` (throttled), staff API keys (`/api-keys`: create, list, revoke) and the audit
log (`GET /audit`)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import authenticate
from django.http import HttpRequest
from django_ratelimit.core import is_ratelimited
from ninja import Query, Router
from ninja.responses import Status

from meridian.api.auth import actor_of
from meridian.api.errors import InvalidCredentials, RateLimited
from meridian.api.pagination import PageParams, paginate
from meridian.api.schemas import Id, error_responses
from meridian.core import queries, services
from meridian.core.models import User
from meridian.core.schemas import (
    ApiKeyCreated,
    ApiKeyIn,
    ApiKeyList,
    ApiKeyOut,
    AuditEntryList,
    AuditEntryOut,
    AuditFilters,
    TokenIn,
    TokenOut,
)

router = Router(tags=["auth"])


def login_rate_limited(request: HttpRequest, *, username: str) -> bool:
    """Count this attempt per username and IP and per username alone; True when either is over LOGIN_RATE.

    The per-username counter is the portal's and console's own (meridian.portal.auth: group "login",
    key "email:<address>", POST), so guesses spread over the API and the login pages share one
    budget per address, and rotating IPs does not reset it.
    """
    ip = request.META.get("REMOTE_ADDR", "")
    by_username_and_ip = is_ratelimited(
        request,
        group="login",
        key=lambda group, request: f"{username}|{ip}",
        rate=settings.LOGIN_RATE,
        increment=True,
    )
    by_email = is_ratelimited(
        request,
        group="login",
        key=lambda group, request: "email:" + username,
        rate=settings.LOGIN_RATE,
        method="POST",
        increment=True,
    )
    return bool(by_username_and_ip or by_email)


@router.post("/auth/token", auth=None, response={200: TokenOut, **error_responses(422, 429)})
def issue_api_token(request: HttpRequest, payload: TokenIn) -> TokenOut:
    """Issue a session token for a username (email) and password; 429 after too many attempts."""
    username = payload.username.strip().lower()
    # Every attempt counts, so guessing stops at LOGIN_RATE whether or not a guess was right.
    if login_rate_limited(request, username=username):
        raise RateLimited("too many login attempts; try again later")
    user = authenticate(request, username=username, password=payload.password)
    if not isinstance(user, User):
        raise InvalidCredentials("wrong username or password")
    secret, token = services.issue_token(user=user)
    return TokenOut(token=secret, expires_at=token.expires_at)


@router.get("/api-keys", response={200: ApiKeyList, **error_responses(403, 422)}, tags=["api keys"])
def list_api_keys(request: HttpRequest, page: Query[PageParams]) -> ApiKeyList:
    """API keys without their secrets: an admin sees the organization's, other staff their own."""
    # keys+user
    count, keys = paginate(queries.list_api_keys(actor=actor_of(request)), page)
    return ApiKeyList(count=count, items=[ApiKeyOut.of(key) for key in keys])


@router.post("/api-keys", response={201: ApiKeyCreated, **error_responses(403, 422)}, tags=["api keys"])
def create_api_key(request: HttpRequest, payload: ApiKeyIn) -> Status[ApiKeyCreated]:
    """Create a long-lived key for an integration (staff admins); the secret is in this answer only."""
    secret, key = services.create_api_key(
        actor=actor_of(request), name=payload.name, user_id=payload.user, expires_at=payload.expires_at
    )
    return Status(201, ApiKeyCreated.of(key, secret=secret))


@router.delete(
    "/api-keys/{key_id}", response={204: None, **error_responses(403, 404, 422)}, tags=["api keys"]
)
def revoke_api_key(request: HttpRequest, key_id: Id) -> Status[None]:
    """Revoke a key of your organization (staff admins); it stops working at once. Idempotent."""
    services.revoke_api_key(actor=actor_of(request), key_id=key_id)
    return Status(204, None)


@router.get("/audit", response={200: AuditEntryList, **error_responses(403, 422)}, tags=["audit"])
def list_audit_entries(request: HttpRequest, filters: Query[AuditFilters]) -> AuditEntryList:
    """Who changed what, when, from which values to which; newest first. Staff who see the whole
    organization (not sales reps); API key entries for admins only."""
    entries = queries.list_audit_entries(
        actor=actor_of(request),
        object_type=filters.object_type.strip(),
        object_id=filters.object_id.strip(),
        action=filters.action.strip(),
    )
    # count; entries+user email (a subquery)
    count, rows = paginate(entries, filters)
    return AuditEntryList(count=count, items=[AuditEntryOut.of(row) for row in rows])
