"""Bearer tokens: every request is authenticated by token and acts as the token user's Actor."""

from __future__ import annotations

from typing import cast

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from meridian.api.errors import NoApiAccess
from meridian.api.schemas import MAX_ID
from meridian.core.actor import Actor
from meridian.core.errors import InvalidInput
from meridian.core.models import User
from meridian.core.services import record_token_use, token_key_hash
from meridian.customers.queries import find_token_holder

WEBSITE_HEADER = "X-Website"


def _website_id(value: str) -> int | None:
    """The storefront a client acts on (`X-Website: <id>`); by default the host's, else the org's default.

    None for no header and for one that is not an id (`authenticate` refuses that one, after the token)."""
    if value and value.isascii() and value.isdigit() and int(value) <= MAX_ID:
        return int(value)
    return None


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>`: a session token from /auth/token or a staff API key."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        secret = token.strip()
        if not secret:
            return None  # ninja answers 401 not_authenticated
        header = request.headers.get(WEBSITE_HEADER, "").strip()
        website_id = _website_id(header)
        now = timezone.now()
        holder = find_token_holder(
            key_hash=token_key_hash(secret),
            now=now,
            host=request.get_host().split(":")[0],
            website_id=website_id,
        )
        if holder is None:
            return None  # unknown, revoked or expired token, or inactive user: 401
        record_token_use(token_id=holder.token_id, last_used_at=holder.last_used_at, now=now)
        if header and website_id is None:
            raise InvalidInput.on(WEBSITE_HEADER, "must be a website id")
        if not holder.actor.is_authenticated:
            raise NoApiAccess("this user is neither a buyer nor seller staff")
        request.actor = holder.actor  # type: ignore[attr-defined]  # set per request, read by actor_of()
        request.user = holder.user
        return holder.user


def actor_of(request: HttpRequest) -> Actor:
    """The Actor the bearer token resolved to (set by BearerToken before the operation runs)."""
    return cast(Actor, request.actor)  # type: ignore[attr-defined]  # cast: set by BearerToken.authenticate
