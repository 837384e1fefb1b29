"""A rep orders for a customer in a real browser (Debian's Chromium via Playwright, against
live_server) and gets exactly the prices the customer's buyer got for the same four lines.

The buyer's order goes through `place_order` with channel portal (the portal's checkout is not on
this branch); the rep's through the console: account page, "Order for this customer", quick order
(one unknown SKU is reported, the four good lines are added), PO number, place. Screenshots go to
test-artifacts/rep-order-*.png.

Skipped (with the reason shown) when /usr/bin/chromium is missing, unless MERIDIAN_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from meridian.ordering.models import Order
from meridian.ordering.services import OrderLineRequest, place_order
from meridian.pricing.display import money_label
from tests.browser.chromium import ARTIFACTS, chromium, record_foreign_requests, require_browser
from tests.catalog.factories import CustomerPartNumberFactory, ProductFactory
from tests.inventory.factories import receive
from tests.ordering.conftest import build_world
from tests.pricing.factories import PriceListEntryFactory
from tests.staff.factories import PASSWORD

D = Decimal


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_rep_orders_the_buyers_lines_for_the_account_at_identical_prices(
    live_server, monkeypatch: pytest.MonkeyPatch
) -> None:
    require_browser()
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # see tests/browser/test_buyer_journey.py
    from playwright.sync_api import expect

    # given: the account's buyer ordered four lines (a tier price, a customer price, a minimum and
    # increment, a product they know by their own part number)
    world = build_world()
    tape = ProductFactory(organization=world.organization, sku="TAPE-50", name="Duct tape 50 m")
    PriceListEntryFactory(price_list=world.price_list, product=tape, price=D("4.25"))
    receive(world.warehouse, tape, 500)
    CustomerPartNumberFactory(account=world.child, product=tape, part_number="ACME-TAPE")
    requested = [("BOLT-M8", 120), ("HAMMER", 2), ("WASHER-8", 20), ("TAPE-50", 3)]
    buyers = place_order(
        actor=world.buyer_actor,
        channel=Order.Channel.PORTAL,
        lines=[OrderLineRequest(sku=sku, quantity=D(quantity)) for sku, quantity in requested],
        po_number="PO-BUYER-1",
    )
    expected = {
        line.sku: (money_label(line.unit_price, line.currency), money_label(line.line_total, line.currency))
        for line in buyers.lines.all()
    }
    base = live_server.url
    foreign_requests: list[str] = []

    with chromium() as browser:
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        record_foreign_requests(page, base, foreign_requests)
        # when: the rep logs into the console and opens the account ...
        page.goto(f"{base}/console/login/")
        page.get_by_label("Email").fill(world.rep.user.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{base}/console/")
        page.get_by_role("link", name="Accounts", exact=True).click()
        page.get_by_role("link", name="Acme Ohio").click()
        expect(page.locator("#ordering")).to_contain_text(buyers.number)
        page.get_by_role("link", name="Order for this customer").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Order for Acme Ohio")

        # ... pastes the lines (the tape by the customer's part number, one unknown SKU) ...
        page.get_by_label("Paste lines").fill(
            "BOLT-M8, 120\nHAMMER 2\nNO-SUCH-SKU 4\nWASHER-8 20\nacme-tape 3"
        )
        page.get_by_role("button", name="Add these lines").click()
        report = page.get_by_test_id("quick-order-report")
        expect(report).to_contain_text("4 added, 1 not")
        expect(report).to_contain_text("unknown SKU or part number")
        assert page.url.endswith(f"/console/accounts/{world.child.pk}/order/")  # htmx: no page load
        cart = page.get_by_test_id("customer-cart")
        expect(cart.locator("tbody tr")).to_have_count(4)
        expect(cart.locator("tr[data-sku='HAMMER']")).to_contain_text("Customer price")
        expect(cart.locator("tr[data-sku='HAMMER']")).to_contain_text("In stock")
        page.screenshot(path=str(ARTIFACTS / "rep-order-cart.png"), full_page=True)

        # ... and places the order on the account's behalf
        page.get_by_label("PO number").fill("PO-REP-1")
        page.get_by_role("button", name="Place order for Acme Ohio").click()
        page.wait_for_url(f"{base}/console/orders/SO-*/")
        expect(page.get_by_test_id("order-status")).to_contain_text("Placed")
        shown = {
            sku: (
                page.locator(f"[data-testid='order-lines'] tr[data-sku='{sku}'] [data-testid='unit-price']")
                .inner_text()
                .strip(),
                page.locator(f"[data-testid='order-lines'] tr[data-sku='{sku}'] [data-testid='line-total']")
                .inner_text()
                .split("\n")[0]
                .strip(),
            )
            for sku, _ in requested
        }
        page.screenshot(path=str(ARTIFACTS / "rep-order-placed.png"), full_page=True)

        # the order desk finds it by its PO; the buyer's own order is there too, by the account
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Orders").click()
        page.get_by_label("Number, PO, account or SKU").fill("po-rep")
        page.get_by_role("button", name="Search").click()
        expect(page.locator("table tbody tr")).to_have_count(1)
        expect(page.locator("table tbody")).to_contain_text("Sales rep")
        page.get_by_label("Number, PO, account or SKU").fill("acme ohio")
        page.get_by_role("button", name="Search").click()
        expect(page.locator("table tbody tr")).to_have_count(2)
        page.screenshot(path=str(ARTIFACTS / "rep-order-desk.png"), full_page=True)

    # then: the same unit price and line total on every line, and the order records the rep
    assert shown == expected
    order = Order.objects.exclude(pk=buyers.pk).get()
    assert (order.channel, order.placed_by_id, order.po_number) == ("rep", world.rep.user_id, "PO-REP-1")
    assert {line.sku: (line.unit_price, line.line_total) for line in order.lines.all()} == {
        line.sku: (line.unit_price, line.line_total) for line in buyers.lines.all()
    }
    assert foreign_requests == []
