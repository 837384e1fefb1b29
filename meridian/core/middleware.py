"""Attach `request.actor`, resolved lazily from the logged-in user and the host."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject
from django.utils.module_loading import import_string

from meridian.core.actor import ANONYMOUS, Actor

ActorResolver = Callable[..., Actor]


def resolver() -> ActorResolver:
    # Injected by dotted path: core sits below the apps that know buyers and staff.
    return import_string(settings.MERIDIAN_ACTOR_RESOLVER)  # type: ignore[no-any-return]  # import_string is untyped


def actor_for_request(request: HttpRequest) -> Actor:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ANONYMOUS
    return resolver()(user_id=user.pk, host=request.get_host().split(":")[0])


class ActorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.actor = SimpleLazyObject(lambda: actor_for_request(request))  # type: ignore[attr-defined]  # set per request
        return self.get_response(request)
