"""Login, logout and the invitation (set-password) page, shared by portal and console.

Login POSTs are throttled with django-ratelimit, by client IP and by the submitted
email, at settings.LOGIN_RATE. Over the limit the form shows an error with HTTP 429
and the password is not even checked.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.tokens import default_token_generator
from django.http import HttpRequest, HttpResponse
from django.urls import reverse, reverse_lazy
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_ratelimit.core import is_ratelimited

from meridian.core.middleware import actor_for_request
from meridian.core.models import User

RATE_LIMITED_MESSAGE = "Too many attempts, try again in a minute."


def _submitted_email(group: str, request: HttpRequest) -> str:
    return "email:" + request.POST.get("username", "").strip().lower()


def login_rate_limited(request: HttpRequest) -> bool:
    """Count this login POST against the IP and the email; True when either is over the limit."""
    by_ip = is_ratelimited(
        request, group="login", key="ip", rate=settings.LOGIN_RATE, method="POST", increment=True
    )
    # Both counters always count: an attacker rotating emails is still caught by IP, and vice versa.
    by_email = is_ratelimited(
        request, group="login", key=_submitted_email, rate=settings.LOGIN_RATE, method="POST", increment=True
    )
    return bool(by_ip or by_email)


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email",
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email", "inputmode": "email"}),
    )

    def __init__(
        self, request: HttpRequest | None = None, *args: Any, rate_limited: bool = False, **kwargs: Any
    ):
        super().__init__(request, *args, **kwargs)
        self.rate_limited = rate_limited

    def clean(self) -> dict[str, Any]:
        if self.rate_limited:
            # Before authenticate(): a throttled attempt must not test the password.
            raise forms.ValidationError(RATE_LIMITED_MESSAGE, code="rate_limited")
        return super().clean()


class LoginView(auth_views.LoginView):
    """Email + password. Staff land in the console, buyers in the portal."""

    form_class = LoginForm
    template_name = "auth/login.html"
    channel = "portal"

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        if self.request.method == "POST":
            kwargs["rate_limited"] = login_rate_limited(self.request)
        return kwargs

    def form_invalid(self, form: LoginForm) -> HttpResponse:  # type: ignore[override]  # narrower form type
        response = super().form_invalid(form)
        if form.rate_limited:
            response.status_code = 429
        return response

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["channel"] = self.channel
        return context

    def get_success_url(self) -> str:
        actor = actor_for_request(self.request)  # the user just logged in: resolve afresh
        next_url = self.get_redirect_url()
        if actor.is_staff:
            return next_url if next_url.startswith(("/console/", "/admin/")) else reverse("console:dashboard")
        if actor.is_buyer:
            return next_url if next_url and not next_url.startswith("/console/") else reverse("portal:home")
        if self.request.user.is_staff:  # a Django-admin-only login (e.g. createsuperuser)
            return reverse("admin:index")
        return reverse("portal:home")


class ConsoleLoginView(LoginView):
    channel = "console"


class LogoutView(auth_views.LogoutView):
    next_page = "portal:login"


class InviteView(auth_views.PasswordResetConfirmView):
    """An invited user sets their password from the link an account admin sent, then is logged in."""

    template_name = "auth/set_password.html"
    post_reset_login = True
    success_url = reverse_lazy("portal:home")

    def get_user(self, uidb64: str) -> User | None:
        user = super().get_user(uidb64)
        # A deactivated login cannot be revived through an old link.
        return user if user is not None and user.is_active else None


def invitation_path(user: User) -> str:
    """The set-password path for `user`; it stops working once a password is set or after the timeout."""
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return reverse("portal:invite", kwargs={"uidb64": uidb64, "token": token})
