"""Prices in a real browser (Debian's Chromium via Playwright, against live_server): staff edit a
price inline (htmx), dry-run a CSV import and simulate a cart; the buyer sees the new price, its
tier table and contract badge on the portal. Screenshots go to test-artifacts/pricing-*.png.

Skipped (with the reason shown) when /usr/bin/chromium is missing, unless MERIDIAN_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from meridian.pricing.models import PriceListEntry, Promotion
from tests.browser.chromium import ARTIFACTS, chromium, record_foreign_requests, require_browser
from tests.pricing.channel_world import build_price_world
from tests.pricing.factories import PromotionFactory
from tests.staff.factories import PASSWORD


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_change_a_price_in_the_console_and_the_buyer_sees_it(
    live_server, monkeypatch: pytest.MonkeyPatch
) -> None:
    require_browser()
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # see tests/browser/test_buyer_journey.py
    from playwright.sync_api import expect

    world = build_price_world()
    PromotionFactory(
        organization=world.org,
        name="Hammer days",
        kind=Promotion.Kind.PERCENT_OFF_LINE,
        value=Decimal(10),
        product=world.hammer,
    )
    hammer = PriceListEntry.objects.get(price_list=world.web, product=world.hammer)
    base = live_server.url
    foreign_requests: list[str] = []

    with chromium() as browser:
        staff = browser.new_context(viewport={"width": 1280, "height": 900})
        page = staff.new_page()
        record_foreign_requests(page, base, foreign_requests)
        page.goto(f"{base}/console/login/")
        page.get_by_label("Email").fill("ada@northwind.test")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{base}/console/")

        # the price list, with its tiers; the hammer's price edited inline (htmx swaps the row)
        page.get_by_role("link", name="Prices").click()
        page.get_by_role("link", name="WEB").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Web list")
        row = page.locator(f"#entry-{hammer.pk}")
        row.get_by_label("Price of HAMMER per EA from 1").fill("23.75")
        row.get_by_role("button", name="Save").click()
        expect(page.locator(f"#entry-{hammer.pk}")).to_contain_text("Saved")
        assert page.url.endswith(f"/console/prices/{world.web.pk}/")  # no page load: the row was swapped
        page.screenshot(path=str(ARTIFACTS / "pricing-console-price-list.png"), full_page=True)

        # a CSV dry run: every change listed, nothing applied yet
        page.get_by_role("link", name="Import CSV").click()
        page.get_by_label("…or paste the CSV").fill(
            "sku,price,min_quantity\nBOLT,0.52,1\nBOLT,0.40,500\nNOPE,1,1\n"
        )
        page.get_by_role("button", name="Dry run").click()
        expect(page.get_by_test_id("import-errors")).to_contain_text("unknown SKU 'NOPE'")
        page.screenshot(path=str(ARTIFACTS / "pricing-console-import-errors.png"), full_page=True)
        page.get_by_label("…or paste the CSV").fill("sku,price,min_quantity\nBOLT,0.52,1\nBOLT,0.40,500\n")
        page.get_by_role("button", name="Dry run").click()
        expect(page.get_by_test_id("import-changes")).to_contain_text("$0.50 → $0.52")
        page.screenshot(path=str(ARTIFACTS / "pricing-console-import-dry-run.png"), full_page=True)
        page.get_by_role("button", name="Apply 2 changes").click()
        expect(page.get_by_text("Imported into WEB: 1 created, 1 updated, 0 unchanged.")).to_be_visible()

        # the simulator: the full trace of each price (htmx answers the results only)
        page.goto(f"{base}/console/prices/simulate/")
        page.get_by_label("Account").fill(f"{world.child.pk} · Acme Ohio")
        page.get_by_label("Lines").fill("BOLT 600\nHAMMER 2\nBOLT 2 BX\nGHOST 1")
        page.get_by_role("button", name="Price it").click()
        expect(page.get_by_test_id("simulation-total")).to_be_visible()
        expect(page.locator("#simulation")).to_contain_text("Contract C-ACME")
        expect(page.locator("#simulation")).to_contain_text("Hammer days")
        page.screenshot(path=str(ARTIFACTS / "pricing-console-simulator.png"), full_page=True)

        page.goto(f"{base}/console/prices/changes/")
        expect(page.locator("main")).to_contain_text("$25.00 → $23.75")
        page.screenshot(path=str(ARTIFACTS / "pricing-console-audit.png"), full_page=True)
        page.goto(f"{base}/console/accounts/{world.child.pk}/")
        page.locator("#pricing").scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "pricing-console-account.png"), full_page=True)

        # the buyers: the new price at once, the contract badge, the tier table
        buyer = browser.new_context(viewport={"width": 1280, "height": 900})
        portal = buyer.new_page()
        portal.goto(f"{base}/login/")
        portal.get_by_label("Email").fill("bob@acme.test")
        portal.get_by_label("Password").fill(PASSWORD)
        portal.get_by_role("button", name="Sign in").click()
        portal.wait_for_url(f"{base}/")
        portal.goto(f"{base}/p/HAMMER/")
        expect(portal.locator(".product__buy .price__value")).to_have_text("$23.75")
        expect(portal.locator(".product__buy")).to_contain_text("Hammer days")
        portal.screenshot(path=str(ARTIFACTS / "pricing-portal-product-promotion.png"), full_page=True)
        portal.goto(f"{base}/p/BOLT/")
        expect(portal.locator(".product__buy")).to_contain_text("Contract price")
        portal.screenshot(path=str(ARTIFACTS / "pricing-portal-product-contract.png"), full_page=True)
        portal.goto(f"{base}/c/fasteners/")
        expect(portal.locator(".table--products")).to_contain_text("$0.40")
        portal.screenshot(path=str(ARTIFACTS / "pricing-portal-category.png"), full_page=True)

        texan = browser.new_context(
            viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True
        )
        phone = texan.new_page()
        phone.goto(f"{base}/login/")
        phone.get_by_label("Email").fill("tex@acme.test")
        phone.get_by_label("Password").fill(PASSWORD)
        phone.get_by_role("button", name="Sign in").click()
        phone.wait_for_url(f"{base}/")
        phone.goto(f"{base}/p/BOLT/")
        expect(phone.locator(".tiers")).to_contain_text("500+:")
        expect(phone.locator(".tiers")).to_contain_text("$0.40")
        no_sideways_scroll = phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        phone.screenshot(path=str(ARTIFACTS / "pricing-portal-product-tiers-phone.png"), full_page=True)
        phone.goto(f"{base}/search/?q=bolt")
        phone.screenshot(path=str(ARTIFACTS / "pricing-portal-search-phone.png"), full_page=True)

    assert no_sideways_scroll
    assert foreign_requests == []
