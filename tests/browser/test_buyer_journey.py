"""The buyer journey in a real browser: Debian's Chromium driven by Playwright, against live_server.

Skipped (with the reason shown) when /usr/bin/chromium is missing, unless
MERIDIAN_REQUIRE_BROWSER=1 (CI), which turns the skip into a failure.
Screenshots of the product page at desktop and phone widths go to test-artifacts/.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from meridian.catalog.models import ProductUnit
from tests.browser.chromium import ARTIFACTS, chromium, record_foreign_requests, require_browser
from tests.catalog.factories import CategoryFactory, CustomerPartNumberFactory, ProductFactory
from tests.customers.factories import AccountFactory, BuyerUserFactory
from tests.staff.factories import PASSWORD
from tests.tenancy.factories import OrganizationFactory, WebsiteFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_buyer_finds_a_product_by_their_own_part_number(live_server, monkeypatch: pytest.MonkeyPatch) -> None:
    require_browser()
    # Playwright's sync API runs an event loop in this thread; Django's ORM (data setup, teardown's
    # flush) would otherwise refuse to run beside it. Scoped to this test by monkeypatch.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import expect

    # given: a buyer whose company calls the seller's VLV-100 "ACME-7781"
    org = OrganizationFactory(name="Northwind Supply")
    WebsiteFactory(organization=org, is_default=True)
    plumbing = CategoryFactory(organization=org, name="Plumbing", slug="plumbing")
    valves = CategoryFactory(parent=plumbing, name="Valves", slug="valves")
    valve = ProductFactory(
        organization=org,
        category=valves,
        sku="VLV-100",
        name="Brass ball valve 1/2 inch",
        description="Full-bore brass ball valve with a lever handle, for water and compressed air.",
        attributes={"Material": "Brass", "Connection": "1/2 inch BSP female", "Max pressure": "40 bar"},
        min_order_quantity=Decimal("10"),
        order_increment=Decimal("5"),
    )
    ProductUnit.objects.create(product=valve, code="BX", name="Box", factor=Decimal("12"))
    ProductFactory(organization=org, category=valves, sku="VLV-200", name="Gate valve 1 inch")
    account = AccountFactory(organization=org, name="Acme Industries")
    CustomerPartNumberFactory(account=account, product=valve, part_number="ACME-7781")
    BuyerUserFactory(account=account, user__email="bob@acme.test", user__full_name="Bob Buyer")
    base = live_server.url
    foreign_requests: list[str] = []

    with chromium() as browser:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        record_foreign_requests(page, base, foreign_requests)

        # when: they log in ...
        page.goto(f"{base}/")
        page.get_by_label("Email").fill("bob@acme.test")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{base}/")
        expect(page.get_by_role("heading", name="What do you need today?")).to_be_visible()

        # ... type their own part number (htmx shows results as they type) and search
        search_box = page.get_by_label("Search products")
        search_box.press_sequentially("acme-7781", delay=30)
        results = page.locator("#search-results")
        expect(results.get_by_role("link", name="Brass ball valve 1/2 inch")).to_be_visible()
        search_box.press("Enter")
        page.wait_for_url(f"{base}/search/?q=acme-7781")
        expect(page.locator("#search-results")).not_to_contain_text("Gate valve")
        page.locator("#search-results").get_by_role("link", name="Brass ball valve 1/2 inch").click()

        # then: the product page shows the product and their part number
        page.wait_for_url(f"{base}/p/VLV-100/")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Brass ball valve 1/2 inch")
        expect(page.locator(".identifiers")).to_contain_text("VLV-100")
        expect(page.locator(".identifiers")).to_contain_text("ACME-7781")
        expect(page.get_by_text("Price on request")).to_be_visible()
        expect(page.get_by_text("Box of 12 EA")).to_be_visible()
        assert page.evaluate("typeof window.htmx") == "object"  # served by the app itself
        page.screenshot(path=str(ARTIFACTS / "product-desktop.png"), full_page=True)

        phone = browser.new_context(
            viewport={"width": 390, "height": 844},
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
            storage_state=context.storage_state(),
        )
        phone_page = phone.new_page()
        phone_page.goto(f"{base}/p/VLV-100/")
        expect(phone_page.locator(".identifiers")).to_contain_text("ACME-7781")
        no_sideways_scroll = phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        phone_page.screenshot(path=str(ARTIFACTS / "product-phone.png"), full_page=True)
        phone_page.goto(f"{base}/search/?q=valve")
        phone_page.screenshot(path=str(ARTIFACTS / "search-phone.png"), full_page=True)

    assert no_sideways_scroll
    assert foreign_requests == []
