"""The Content-Security-Policy in a real browser: Debian's Chromium, driven by Playwright.

Every kind of page is opened (login, portal with htmx search, account and user pages, console,
Django admin, the API docs) and the browser's `securitypolicyviolation` events are collected: the
policy must block nothing at all (the templates hold no inline script: test_hardening.py), and
must block a handler injected into a page.
Skipped when /usr/bin/chromium is missing unless MERIDIAN_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

from typing import Any

import pytest

from meridian.core.actor import StaffRole
from tests.browser.chromium import chromium, require_browser
from tests.security.world import build_world
from tests.staff.factories import PASSWORD, StaffMemberFactory

COLLECT_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(
  {directive: e.effectiveDirective, blocked: e.blockedURI, sample: e.sample, source: e.sourceFile}));
"""


def _visit(page: Any, url: str) -> list[dict[str, str]]:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    violations: list[dict[str, str]] = page.evaluate("window.__csp")
    return violations


def _login(page: Any, base: str, path: str, email: str) -> None:
    page.goto(f"{base}{path}")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("[type=submit]").first.click()
    page.wait_for_load_state("networkidle")
    assert "/login/" not in page.url, f"{email} could not log in at {path}"


SELECTION = """(selector) => {
  const field = document.querySelector(selector);
  return field.value.substring(field.selectionStart, field.selectionEnd);
}"""
INJECTED_HANDLER = """() => {
  const div = document.createElement("div");
  div.setAttribute("onclick", "window.__ran = true");
  document.body.appendChild(div);
  div.click();
  return window.__ran === true;
}"""


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_policy_blocks_nothing_on_our_pages_and_blocks_injected_handlers(
    live_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    require_browser()
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop beside the ORM

    world = build_world()
    world.member_a.user.set_unusable_password()  # an invited user: their page shows the invitation link
    world.member_a.user.save()
    superuser = StaffMemberFactory(organization=world.org, role=StaffRole.ADMIN, user__is_staff=True)
    superuser.user.is_superuser = True
    superuser.user.save()
    base = live_server.url
    a, u = world.account_a.pk, world.member_a.user_id
    portal = ["/login/", "/", f"/search/?q={world.product.sku}", f"/p/{world.product.sku}/", "/account/{a}/"]
    portal += ["/account/{a}/users/{u}/", "/account/{a}/addresses/new/"]
    console = ["/console/", "/console/accounts/{a}/", f"/console/products/{world.product.sku}/"]
    admin = ["/admin/", "/admin/customers/account/", "/admin/customers/account/{a}/change/", "/api/v1/docs"]
    found: set[tuple[str, str]] = set()
    details = []

    with chromium() as browser:
        for email, login, paths in (
            (world.buyer_a.user.email, "/login/", portal),
            (world.admin.user.email, "/console/login/", console),
            (superuser.user.email, "/admin/login/", admin),
        ):
            context = browser.new_context()
            context.add_init_script(COLLECT_VIOLATIONS)
            page = context.new_page()
            _login(page, base, login, email)
            for path in paths:
                for violation in _visit(page, base + path.format(a=a, u=u)):
                    found.add((path, violation["directive"]))
                    details.append((path, violation))
            if paths is portal:
                # The invitation link selects itself on focus, from app.js (it was an inline
                # onfocus handler the policy blocked).
                page.goto(f"{base}/account/{a}/users/{u}/")
                page.focus("#invitation-url")
                selected = page.evaluate(SELECTION, "#invitation-url")
                assert selected and selected.startswith("http"), selected
                found |= {("/account/{a}/users/{u}/", v["directive"]) for v in page.evaluate("window.__csp")}
                # The control: a handler injected into the page does not run.
                assert page.evaluate(INJECTED_HANDLER) is False
                # htmx search-as-you-type (its indicator <style> is allowed by hash).
                page.goto(f"{base}/")
                page.get_by_label("Search products").press_sequentially("valve", delay=20)
                page.wait_for_load_state("networkidle")
                found |= {("/ (htmx)", v["directive"]) for v in page.evaluate("window.__csp")}
            context.close()

    assert found == set(), details
