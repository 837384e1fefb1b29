"""`POST /auth/token`: exchange a username and password for a bearer token, throttled per username and IP."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import authenticate
from django.http import HttpRequest
from django_ratelimit.core import is_ratelimited
from ninja import Router

from meridian.api.errors import InvalidCredentials, RateLimited
from meridian.api.schemas import error_responses
from meridian.core import services
from meridian.core.models import User
from meridian.core.schemas import TokenIn, TokenOut

router = Router(tags=["auth"])


@router.post("/auth/token", auth=None, response={200: TokenOut, **error_responses(422, 429)})
def issue_api_token(request: HttpRequest, payload: TokenIn) -> TokenOut:
    """Issue a session token for a username (email) and password; 429 after too many attempts."""
    username = payload.username.strip().lower()
    ip = request.META.get("REMOTE_ADDR", "")

    def login_key(group: str, request: HttpRequest) -> str:
        return f"{username}|{ip}"

    # Every attempt counts, so guessing stops at LOGIN_RATE whether or not a guess was right.
    if is_ratelimited(request, group="login", key=login_key, rate=settings.LOGIN_RATE, increment=True):
        raise RateLimited("too many login attempts; try again later")
    user = authenticate(request, username=username, password=payload.password)
    if not isinstance(user, User):
        raise InvalidCredentials("wrong username or password")
    secret, token = services.issue_token(user=user)
    return TokenOut(token=secret, expires_at=token.expires_at)
