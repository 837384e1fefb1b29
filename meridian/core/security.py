"""Security headers on every response, and a JSON 413 for API bodies over the size limit.

Content-Security-Policy, per area (see docs/security.md):

* pages (portal, console, login): scripts only from our own origin, never inline or eval'd;
  styles from our origin plus htmx's one indicator `<style>` (by hash); `style` attributes are
  allowed (they cannot run script; the account trees use them for indentation).
* `/admin/`: as pages, but Django admin widgets and treebeard set inline styles.
* the API docs (`/api/v1/docs`): Swagger UI from our static files; it uses inline styles and data:
  images.
* the JSON API: nothing may load at all (`default-src 'none'`).

Django's SecurityMiddleware sets nosniff, Referrer-Policy, Cross-Origin-Opener-Policy and (on
HTTPS) HSTS; XFrameOptionsMiddleware sets X-Frame-Options: DENY. This adds the rest.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

# htmx 2 inserts `.htmx-indicator{...}` as an inline <style> once per page (django-htmx 1.29.0).
HTMX_INDICATOR_STYLE_HASH = "'sha256-faU7yAF8NxuMTNEwVmBz+VcYeIoBQ2EMHW3WaVxCvnk='"

_COMMON = {
    "default-src": "'self'",
    "script-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "base-uri": "'none'",
    "object-src": "'none'",
}


def _policy(**directives: str) -> str:
    merged = {**_COMMON, **{name.replace("_", "-"): value for name, value in directives.items()}}
    return "; ".join(f"{name} {value}" for name, value in merged.items())


PAGE_POLICY = _policy(style_src=f"'self' {HTMX_INDICATOR_STYLE_HASH}", style_src_attr="'unsafe-inline'")
ADMIN_POLICY = _policy(style_src="'self' 'unsafe-inline'")
DOCS_POLICY = _policy(style_src="'self' 'unsafe-inline'")
API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
        "xr-spatial-tracking",
    )
)

API_PREFIX = "/api/"
DOCS_PREFIX = "/api/v1/docs"
ADMIN_PREFIX = "/admin/"


def content_security_policy(path: str) -> str:
    """The policy for a request path (one per area, see the module docstring)."""
    if path.startswith(DOCS_PREFIX):
        return DOCS_POLICY
    if path.startswith(API_PREFIX):
        return API_POLICY
    if path.startswith(ADMIN_PREFIX):
        return ADMIN_POLICY
    return PAGE_POLICY


def _too_large(request: HttpRequest) -> HttpResponse | None:
    """A 413 for a body declared larger than DATA_UPLOAD_MAX_MEMORY_SIZE (a 400 if unreadable).

    Django would refuse it too, but only when the view reads the body, and with an HTML 400.
    """
    declared = request.META.get("CONTENT_LENGTH") or "0"
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if declared.isascii() and declared.isdigit():
        if limit is None or int(declared) <= limit:
            return None
        status, code, message = 413, "payload_too_large", f"the body is larger than {limit} bytes"
    else:
        status, code, message = 400, "bad_request", "the Content-Length header is not a number"
    if request.path.startswith(API_PREFIX):
        body = {"error": {"code": code, "message": message, "fields": {}}}
        return HttpResponse(json.dumps(body), status=status, content_type="application/json")
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


class SecurityHeadersMiddleware:
    """CSP, Permissions-Policy, CORP and `Cache-Control: no-store` on API answers; 413 for big bodies."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = _too_large(request) or self.get_response(request)
        header = (
            "Content-Security-Policy-Report-Only"
            if settings.SECURITY_CSP_REPORT_ONLY
            else "Content-Security-Policy"
        )
        response.headers.setdefault(header, content_security_policy(request.path))
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        if request.path.startswith(API_PREFIX) and not request.path.startswith(DOCS_PREFIX):
            # Customer data must not sit in shared or browser caches.
            response.headers.setdefault("Cache-Control", "no-store")
        return response
