"""Helpers shared by the channel views (portal and console): actor, errors, paging.

Views call domain queries and services; this module turns their domain errors into
HTTP answers (NotFound -> 404, Forbidden -> 403) or into form errors.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Concatenate, ParamSpec

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from meridian.core.actor import Actor
from meridian.core.errors import DomainError, Forbidden, NotFound

P = ParamSpec("P")
View = Callable[Concatenate[HttpRequest, P], HttpResponse]


def actor_of(request: HttpRequest) -> Actor:
    actor: Actor = request.actor  # type: ignore[attr-defined]  # set by ActorMiddleware
    return actor


def _domain_errors_as_http(
    view: View[P], request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs
) -> HttpResponse:
    try:
        return view(request, *args, **kwargs)
    except NotFound as exc:  # out of scope and missing look the same: 404, never 403
        raise Http404(str(exc)) from exc
    except Forbidden as exc:
        raise PermissionDenied(str(exc)) from exc


def buyer_required(view: View[P]) -> View[P]:
    """Portal pages: a logged-in buyer. Staff go to the console; a login with no account gets 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("portal:login"))
        actor = actor_of(request)
        if actor.is_staff:
            return redirect("console:dashboard")
        if not actor.is_buyer:
            raise PermissionDenied("This login is not linked to a customer account.")
        return _domain_errors_as_http(view, request, *args, **kwargs)

    return wrapper


def staff_required(view: View[P]) -> View[P]:
    """Console pages: seller staff only. Anyone else logged in gets a 404 and no data."""

    @wraps(view)
    def wrapper(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("console:login"))
        if not actor_of(request).is_staff:
            raise Http404("not a console user")
        return _domain_errors_as_http(view, request, *args, **kwargs)

    return wrapper


def add_domain_error(form: forms.Form, exc: DomainError) -> None:
    """Show a domain error on the form: per field where the form shows that field, else on top."""
    placed = False
    for name, messages in exc.fields.items():
        field = form.fields.get(name)
        for message in messages:
            if field is not None and not field.widget.is_hidden:
                form.add_error(name, message)
            else:
                form.add_error(None, message)
            placed = True
    if not placed:
        form.add_error(None, str(exc))


def page_number(request: HttpRequest) -> int:
    """The requested page (1-based); anything unreadable is page 1."""
    text = request.GET.get("page", "1")
    return max(int(text), 1) if text.isdigit() else 1


@dataclass(frozen=True, slots=True)
class PageWindow:
    """Paging facts for a list whose rows were fetched by offset/limit."""

    number: int
    per_page: int
    count: int

    @property
    def num_pages(self) -> int:
        return max(math.ceil(self.count / self.per_page), 1)

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.per_page

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def start_index(self) -> int:
        return min(self.offset + 1, self.count)

    @property
    def end_index(self) -> int:
        return min(self.offset + self.per_page, self.count)
