"""Bearer tokens: every request is authenticated by token and acts as the token user's Actor."""

from __future__ import annotations

from typing import cast

from django.http import HttpRequest
from ninja.security import HttpBearer

from meridian.api.errors import NoApiAccess
from meridian.api.schemas import MAX_ID
from meridian.core.actor import Actor
from meridian.core.errors import InvalidInput
from meridian.core.models import User
from meridian.core.services import authenticate_token
from meridian.customers.queries import build_actor

WEBSITE_HEADER = "X-Website"


def _website_id(request: HttpRequest) -> int | None:
    """The storefront a client acts on (`X-Website: <id>`); by default the host's, else the org's default."""
    value = request.headers.get(WEBSITE_HEADER, "").strip()
    if not value:
        return None
    if not (value.isascii() and value.isdigit() and int(value) <= MAX_ID):
        raise InvalidInput.on(WEBSITE_HEADER, "must be a website id")
    return int(value)


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>`: a session token from /auth/token or a staff API key."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = authenticate_token(secret=token.strip())
        if user is None:
            return None  # ninja answers 401 not_authenticated
        actor = build_actor(
            user_id=user.pk, host=request.get_host().split(":")[0], website_id=_website_id(request)
        )
        if not actor.is_authenticated:
            raise NoApiAccess("this user is neither a buyer nor seller staff")
        request.actor = actor  # type: ignore[attr-defined]  # set per request, read by actor_of()
        request.user = user
        return user


def actor_of(request: HttpRequest) -> Actor:
    """The Actor the bearer token resolved to (set by BearerToken before the operation runs)."""
    return cast(Actor, request.actor)  # type: ignore[attr-defined]  # cast: set by BearerToken.authenticate
