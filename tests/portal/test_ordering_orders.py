"""Order history (search, filters, paging), the order page, reorder with price changes, cancel, and
the approvals inbox; another account's order answers 404."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from meridian.inventory.models import StockLevel
from meridian.ordering.models import CartLine, Order
from meridian.ordering.services import current_cart
from meridian.pricing.models import PriceListEntry
from tests.ordering.conftest import World
from tests.ordering.factories import BuyerOrderLimitFactory
from tests.portal.ordering_helpers import login, words

D = Decimal
pytestmark = pytest.mark.django_db


def test_history_searches_by_number_po_and_sku_and_filters_by_status_and_date(world: World) -> None:
    bolts = world.order([(world.bolt, 10)], po_number="PO-ALPHA")
    hammers = world.order([(world.hammer, 1)], po_number="PO-BETA")
    Order.objects.filter(pk=hammers.pk).update(created_at=timezone.now() - timedelta(days=40))
    client = login(world.buyer)

    def listed(**query: str) -> list[str]:
        response = client.get("/orders/", query)
        assert response.status_code == 200
        return [
            number for number in (bolts.number, hammers.number) if f'data-order="{number}"' in response.text
        ]

    assert listed() == [bolts.number, hammers.number]
    assert listed(q=hammers.number) == [hammers.number]
    assert listed(q="alpha") == [bolts.number]
    assert listed(q="hammer") == [hammers.number]
    assert listed(status="placed") == [bolts.number, hammers.number]
    assert listed(status="cancelled") == []
    recent = (timezone.now() - timedelta(days=7)).date().isoformat()
    assert listed(placed_from=recent) == [bolts.number]


def test_history_pages_keep_the_filters(world: World) -> None:
    for _ in range(27):
        world.order([(world.bolt, 10)], po_number="PO-PAGED")
    client = login(world.buyer)

    first = client.get("/orders/", {"q": "paged"})
    second = client.get("/orders/", {"q": "paged", "page": "2"})

    assert "27 orders" in words(first) and "Page 1 of 2" in words(first)
    assert 'href="/orders/?q=paged&amp;page=2"' in first.text
    assert second.text.count('data-order="') == 2


def test_the_history_query_count_is_flat(world: World, django_assert_num_queries: Any) -> None:
    world.order([(world.bolt, 10)])
    client = login(world.buyer)
    with CaptureQueriesContext(connection) as one:
        client.get("/orders/")
    for _ in range(4):
        world.order([(world.bolt, 10)])

    # session, user, actor; count; orders+account+placing user
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get("/orders/")

    assert response.text.count('data-order="') == 5


def test_another_accounts_order_is_404(world: World) -> None:
    order = world.order([(world.bolt, 10)])

    response = login(world.other_buyer).get(f"/orders/{order.number}/")
    cancel = login(world.other_buyer).post(f"/orders/{order.number}/cancel/")

    assert response.status_code == cancel.status_code == 404
    order.refresh_from_db()
    assert order.status == Order.Status.PLACED


def test_reorder_puts_the_lines_in_the_cart_and_shows_the_price_changes(world: World) -> None:
    order = world.order([(world.bolt, 10), (world.washer, 10)])
    PriceListEntry.objects.filter(product=world.bolt, min_quantity=1).update(price=D("2.50"))

    response = login(world.buyer).post(f"/orders/{order.number}/reorder/")

    page = words(response)
    assert "2 lines added to your cart at today's prices" in page
    assert "BOLT-M8 10 EA $2.00 $2.50 +$0.50 (+25.00 %)" in page
    assert "WASHER-8 10 EA $0.10 $0.10 unchanged" in page
    cart = current_cart(actor=world.buyer_actor)
    assert CartLine.objects.filter(cart=cart).count() == 2


def test_cancel_releases_the_stock_and_a_shipped_order_cannot_be(world: World) -> None:
    order = world.order([(world.bolt, 10)])
    client = login(world.buyer)

    response = client.post(f"/orders/{order.number}/cancel/", {"reason": "ordered twice"})
    again = client.post(f"/orders/{order.number}/cancel/")

    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert StockLevel.objects.get(product=world.bolt).allocated == 0
    assert response["Location"] == again["Location"] == f"/orders/{order.number}/"
    page = words(client.get(response["Location"]))
    assert "is cancelled; its stock is released" in page and "cannot be cancelled" in page
    assert "Cancel this order" not in page


def test_the_order_page_shows_sources_allocations_and_history(world: World) -> None:
    order = world.order([(world.hammer, 2)])

    page = words(login(world.buyer).get(f"/orders/{order.number}/"))

    assert "HAMMER" in page and "$18.00" in page and "Your price" in page
    assert "2 from MAIN" in page
    assert "placed" in page and "Cancel order" in page


def test_an_approver_sees_the_inbox_and_approves_or_rejects_with_a_reason(world: World) -> None:
    BuyerOrderLimitFactory(buyer=world.buyer, order_limit=D("1.00"))
    first = world.order([(world.bolt, 10)])
    second = world.order([(world.bolt, 20)])
    approver = login(world.approver)

    inbox = approver.get("/approvals/")
    approved = approver.post(f"/orders/{first.number}/approve/", {"reason": "fine"})
    rejected = approver.post(f"/orders/{second.number}/reject/", {"reason": "too many"})

    assert first.number in inbox.text and second.number in inbox.text
    assert "Over the buyer's order limit" in words(inbox)
    assert approved.status_code == rejected.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Order.Status.PLACED and second.status == Order.Status.REJECTED
    assert first.status_changes.last().reason == "approved: fine"  # type: ignore[union-attr]
    assert second.status_changes.last().reason == "rejected: too many"  # type: ignore[union-attr]
    assert "Nothing is waiting for you." in words(approver.get("/approvals/"))


def test_a_buyer_may_not_approve_their_own_order(world: World) -> None:
    BuyerOrderLimitFactory(buyer=world.buyer, order_limit=D("1.00"))
    order = world.order([(world.bolt, 10)])
    client = login(world.buyer)

    page = words(client.get(f"/orders/{order.number}/"))
    response = client.post(f"/orders/{order.number}/approve/")

    assert "Approve" not in page
    assert "cannot be approved" in words(client.get(response["Location"]))
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING_APPROVAL


def test_a_viewer_sees_orders_but_no_ordering_links(world: World) -> None:
    order = world.order([(world.bolt, 10)])
    client = login(world.viewer)

    history = client.get("/orders/")
    cart = client.get("/cart/")

    assert order.number in history.text
    assert 'href="/cart/"' not in history.text and 'href="/quick-order/"' not in history.text
    assert cart.status_code == 403
