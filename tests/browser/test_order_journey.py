"""The ordering journey in a real browser (Debian's Chromium through Playwright, against
live_server): a buyer quick-orders four lines (one unknown SKU is reported with its line number,
three are added), checks out with a PO number and sees the order in their history.

Skipped like test_buyer_journey.py when /usr/bin/chromium is missing, unless
MERIDIAN_REQUIRE_BROWSER=1. Screenshots of the cart and the order at desktop and phone widths go to
test-artifacts/.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from meridian.ordering.models import Order
from tests.browser.chromium import ARTIFACTS, chromium, record_foreign_requests, require_browser
from tests.catalog.factories import ProductFactory
from tests.customers.factories import AccountFactory, AddressFactory, BuyerUserFactory
from tests.inventory.factories import WarehouseAssignmentFactory, WarehouseFactory, receive
from tests.ordering.factories import AccountOrderingSettingsFactory, PaymentTermsFactory
from tests.pricing.factories import PriceAssignmentFactory, PriceListEntryFactory, PriceListFactory
from tests.staff.factories import PASSWORD
from tests.tenancy.factories import OrganizationFactory, WebsiteFactory

D = Decimal


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_buyer_quick_orders_checks_out_with_a_po_and_finds_the_order(
    live_server, monkeypatch: pytest.MonkeyPatch
) -> None:
    require_browser()
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # see test_buyer_journey.py
    from playwright.sync_api import expect

    # given: a priced, stocked catalog and a buyer whose account requires PO numbers
    org = OrganizationFactory(name="Northwind Supply")
    website = WebsiteFactory(organization=org, is_default=True, default_currency="USD")
    warehouse = WarehouseFactory(organization=org, code="CHI", name="Chicago")
    WarehouseAssignmentFactory(warehouse=warehouse, website=website, priority=1)
    price_list = PriceListFactory(organization=org, code="WEB", currency="USD")
    PriceAssignmentFactory(price_list=price_list, website=website, priority=10)
    for sku, name, price in [
        ("BOLT-M8", "Hex bolt M8", "0.40"),
        ("NUT-M8", "Hex nut M8", "0.15"),
        ("WASHER-8", "Flat washer 8 mm", "0.05"),
    ]:
        product = ProductFactory(organization=org, sku=sku, name=name)
        PriceListEntryFactory(price_list=price_list, product=product, price=D(price))
        receive(warehouse, product, 1_000)
    terms = PaymentTermsFactory(organization=org, code="NET30", name="Net 30")
    account = AccountFactory(organization=org, name="Acme Industries", payment_terms=terms)
    AccountOrderingSettingsFactory(account=account, requires_po_number=True)
    AddressFactory(
        account=account,
        line1="1 Main St",
        city="Columbus",
        region="OH",
        country="US",
        is_default_shipping=True,
    )
    BuyerUserFactory(account=account, user__email="bob@acme.test", user__full_name="Bob Buyer", is_buyer=True)
    base = live_server.url
    foreign_requests: list[str] = []

    with chromium() as browser:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        record_foreign_requests(page, base, foreign_requests)
        page.goto(f"{base}/")
        page.get_by_label("Email").fill("bob@acme.test")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{base}/")

        # when: they paste four lines into quick order, one of them an unknown SKU
        page.get_by_role("link", name="Quick order").click()
        page.get_by_label("Paste lines").fill("BOLT-M8, 100\nNUT-M8 100\nNO-SUCH-PART, 5\nWASHER-8\t200")
        page.get_by_role("button", name="Add to cart").click()

        # then: three lines are added and the unknown one is reported with its line number
        report = page.locator("#quick-order-report")
        expect(report).to_contain_text("3 lines added to your cart, 1 not added")
        expect(report.locator('tr[data-line="3"]')).to_contain_text("NO-SUCH-PART")
        expect(report.locator('tr[data-line="3"]')).to_contain_text("unknown SKU or part number")

        # the cart shows the three lines priced live
        report.get_by_role("link", name="Go to the cart").click()
        page.wait_for_url(f"{base}/cart/")
        expect(page.locator("#cart tbody tr")).to_have_count(3)
        expect(page.locator(".totals")).to_contain_text("$65.00")  # 40 + 15 + 10
        page.screenshot(path=str(ARTIFACTS / "cart-desktop.png"), full_page=True)

        # a quantity change through htmx re-prices the cart in place
        page.get_by_label("Quantity of WASHER-8").fill("400")
        page.get_by_label("Quantity of WASHER-8").press("Tab")
        expect(page.locator(".totals")).to_contain_text("$75.00")

        # checkout without the required PO number is refused on the form, then placed with one
        page.get_by_role("link", name="Check out").click()
        page.wait_for_url(f"{base}/checkout/")
        page.get_by_role("button", name="Place order").click()
        expect(page.get_by_text("This field is required.")).to_be_visible()
        page.get_by_label("PO number").fill("PO-2026-117")
        page.get_by_role("button", name="Place order").click()
        page.wait_for_url(f"{base}/orders/SO-*/")
        expect(page.get_by_text("Thank you")).to_be_visible()
        number = page.locator("h1").inner_text().removeprefix("Order ").strip()
        page.screenshot(path=str(ARTIFACTS / "order-desktop.png"), full_page=True)

        # and the order is in their history, found by its PO number
        page.get_by_role("link", name="Orders", exact=True).first.click()
        page.wait_for_url(f"{base}/orders/")
        row = page.locator(f'tr[data-order="{number}"]')
        expect(row).to_contain_text("PO-2026-117")
        page.get_by_label("Order, PO or SKU").fill("2026-117")
        page.get_by_role("button", name="Search").last.click()
        expect(page.locator("#order-history tbody tr")).to_have_count(1)
        assert page.evaluate("typeof window.htmx") == "object"

        phone = browser.new_context(
            viewport={"width": 390, "height": 844},
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
            storage_state=context.storage_state(),
        )
        phone_page = phone.new_page()
        phone_page.goto(f"{base}/orders/{number}/")
        no_sideways_scroll = phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        phone_page.screenshot(path=str(ARTIFACTS / "order-phone.png"), full_page=True)

    order = Order.objects.get(number=number)
    assert order.po_number == "PO-2026-117" and order.total == D("75.00")
    assert sorted(order.lines.values_list("sku", flat=True)) == ["BOLT-M8", "NUT-M8", "WASHER-8"]
    assert no_sideways_scroll
    assert foreign_requests == []
