"""The console's order desk and order page: scope, search, filters, paging, holds, flag, cancel and
the next states, through the pages (the services are tested in tests/ordering)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from meridian.console.orders import ORDERS_PER_PAGE
from meridian.inventory.models import StockLevel
from meridian.ordering.models import Order, OrderStatusChange
from meridian.ordering.services import set_hold
from tests.console.conftest import login as _client
from tests.ordering.conftest import World

D = Decimal


def _numbers(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [order.number for order in response.context["orders"]]


# --- the order desk ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_desk_shows_a_rep_the_orders_of_their_accounts_and_others_the_organization(world: World) -> None:
    mine = world.order([(world.bolt, 5)])
    sibling = world.order([(world.bolt, 5)], actor=world.admin_actor, account=world.sibling)

    rep_sees = _numbers(_client(world.rep).get(reverse("console:orders")))
    admin_sees = _numbers(_client(world.admin).get(reverse("console:orders")))
    other_rep_sees = _numbers(_client(world.other_rep).get(reverse("console:orders")))

    assert rep_sees == [mine.number]
    assert admin_sees == [sibling.number, mine.number]
    assert other_rep_sees == []


@pytest.mark.django_db
def test_the_desk_searches_number_po_account_and_sku(world: World) -> None:
    first = world.order([(world.bolt, 5)], po_number="PO-ALPHA-1")
    second = world.order([(world.hammer, 1)], actor=world.admin_actor, account=world.other)
    client = _client(world.admin)

    def search(text: str) -> list[str]:
        return _numbers(client.get(reverse("console:orders"), {"q": text}))

    assert search(first.number.lower()) == [first.number]
    assert search("alpha") == [first.number]
    assert search("globex") == [second.number]  # the account's name, in part
    assert search("HAMMER") == [second.number]  # a line's SKU
    assert search("nothing-like-it") == []


@pytest.mark.django_db
def test_the_desk_filters_status_channel_hold_flag_and_dates(world: World) -> None:
    by_buyer = world.order([(world.bolt, 5)])
    by_rep = world.order([(world.bolt, 5)], actor=world.rep_actor)
    set_hold(actor=world.admin_actor, number=by_rep.number, hold=Order.Hold.MANUAL_REVIEW, reason="check")
    old = world.order([(world.bolt, 5)])
    Order.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - dt.timedelta(days=40), status=Order.Status.CANCELLED
    )
    Order.objects.filter(pk=by_buyer.pk).update(needs_manual_intervention=True)
    client = _client(world.admin)

    def desk(**filters: str) -> list[str]:
        return _numbers(client.get(reverse("console:orders"), filters))

    assert desk(channel="rep") == [by_rep.number]
    assert desk(hold="manual_review") == [by_rep.number]
    assert desk(hold="any") == [by_rep.number]
    assert set(desk(hold="none")) == {by_buyer.number, old.number}
    assert desk(flagged="yes") == [by_buyer.number]
    assert by_buyer.number not in desk(flagged="no")
    assert desk(status="cancelled") == [old.number]
    since = (timezone.now() - dt.timedelta(days=7)).date().isoformat()
    assert old.number not in desk(date_from=since)
    assert desk(date_to=(timezone.now() - dt.timedelta(days=30)).date().isoformat()) == [old.number]


@pytest.mark.django_db
def test_bad_filters_show_an_error_and_no_orders(world: World) -> None:
    world.order([(world.bolt, 5)])

    response = _client(world.admin).get(reverse("console:orders"), {"status": "lost", "date_from": "soon"})

    assert response.status_code == 200
    assert response.context["orders"] == []
    assert set(response.context["form"].errors) == {"status", "date_from"}


@pytest.mark.django_db
def test_the_desk_pages_by_fifty(world: World) -> None:
    orders = [world.order([(world.bolt, 1)]) for _ in range(ORDERS_PER_PAGE + 1)]
    client = _client(world.admin)

    first = client.get(reverse("console:orders"))
    second = client.get(reverse("console:orders"), {"page": 2})

    assert len(first.context["orders"]) == ORDERS_PER_PAGE
    assert _numbers(second) == [orders[0].number]
    assert first.context["page"].count == ORDERS_PER_PAGE + 1


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 5])
def test_the_desk_query_count_is_flat(world: World, rows: int, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    for _ in range(rows):
        world.order([(world.bolt, 1), (world.hammer, 1)])
    client = _client(world.admin)

    # the actor (session, user, buyer link, staff member, website, territories); count;
    # orders+account+placing user
    with django_assert_num_queries(8):
        response = client.get(reverse("console:orders"), {"q": "BOLT-M8", "channel": "portal"})

    assert len(response.context["orders"]) == rows


# --- the order page ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_order_page_shows_prices_with_their_source_allocations_totals_and_history(world: World) -> None:
    order = world.order([(world.bolt, 120), (world.hammer, 2)], po_number="PO-77")

    response = _client(world.rep).get(reverse("console:order", args=[order.number]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "PO-77" in page
    assert "$1.80" in page and "$216.00" in page  # the bolt's tier from 100
    assert "$18.00" in page and "Customer price" in page  # the hammer: the account's own price
    assert "Website list" in page and "WEB" in page
    assert "held in MAIN" in page
    assert f"{order.total:.2f}" in page.replace(",", "")
    lines = {line.sku: allocations for line, allocations in response.context["lines"]}
    assert [a.quantity for a in lines["BOLT-M8"]] == [D(120)]
    history = response.context["history"]
    assert [text for _, text, _ in history] == ["— → Placed"]
    assert history[0][2] == (world.buyer.user.full_name or world.buyer.user.email)


@pytest.mark.django_db
def test_another_reps_order_page_and_actions_are_404_and_change_nothing(world: World) -> None:
    order = world.order([(world.bolt, 5)])
    client = _client(world.other_rep)

    responses = [
        client.get(reverse("console:order", args=[order.number])),
        client.post(reverse("console:cancel_order", args=[order.number]), {"reason": "x"}),
        client.post(reverse("console:order_hold", args=[order.number]), {"action": "set", "reason": "x"}),
        client.post(reverse("console:order_flag", args=[order.number]), {"action": "set", "reason": "x"}),
        client.post(reverse("console:order_status", args=[order.number]), {"to_status": "shipped"}),
    ]

    assert [response.status_code for response in responses] == [404] * 5
    order.refresh_from_db()
    assert (order.status, order.hold, order.needs_manual_intervention) == (Order.Status.PLACED, "", False)


@pytest.mark.django_db
def test_hold_set_and_release_with_reasons_are_recorded_with_who(world: World) -> None:
    order = world.order([(world.bolt, 5)])
    admin = _client(world.admin)
    url = reverse("console:order_hold", args=[order.number])

    held = admin.post(url, {"action": "set", "hold": "credit_hold", "reason": "Overdue invoices"})
    order.refresh_from_db()
    assert held.status_code == 302
    assert (order.hold, order.hold_reason) == (Order.Hold.CREDIT_HOLD, "Overdue invoices")
    released = admin.post(url, {"action": "release", "reason": "Paid"})
    order.refresh_from_db()
    assert released.status_code == 302
    assert order.hold == ""
    page = admin.get(reverse("console:order", args=[order.number]))
    texts = [(text, who, change.reason) for change, text, who in page.context["history"]][1:]
    who = world.admin.user.full_name or world.admin.user.email
    assert texts == [
        ("Placed, on credit hold", who, "credit_hold: Overdue invoices"),
        ("Placed", who, "credit_hold released: Paid"),
    ]


@pytest.mark.django_db
def test_a_hold_without_reason_is_refused_on_the_form(world: World) -> None:
    order = world.order([(world.bolt, 5)])

    response = _client(world.admin).post(
        reverse("console:order_hold", args=[order.number]), {"action": "set", "reason": ""}
    )

    assert response.status_code == 422
    assert "reason" in response.context["hold_form"].errors
    order.refresh_from_db()
    assert order.hold == ""


@pytest.mark.django_db
def test_the_manual_intervention_flag_is_set_and_cleared(world: World) -> None:
    order = world.order([(world.bolt, 5)])
    client = _client(world.rep)
    url = reverse("console:order_flag", args=[order.number])

    client.post(url, {"action": "set", "reason": "Customer called twice"})
    order.refresh_from_db()
    assert (order.needs_manual_intervention, order.manual_intervention_reason) == (
        True,
        "Customer called twice",
    )
    client.post(url, {"action": "clear", "reason": "sorted"})
    order.refresh_from_db()
    assert order.needs_manual_intervention is False


@pytest.mark.django_db
def test_cancel_with_a_reason_releases_the_stock(world: World) -> None:
    order = world.order([(world.bolt, 40)])
    level = StockLevel.objects.get(product=world.bolt, warehouse=world.warehouse)
    assert level.allocated == D(40)

    response = _client(world.rep).post(
        reverse("console:cancel_order", args=[order.number]), {"reason": "Customer changed their mind"}
    )

    assert response.status_code == 302
    order.refresh_from_db()
    level.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert level.allocated == 0
    change = OrderStatusChange.objects.filter(order=order).latest("at", "pk")
    assert (change.to_status, change.reason, change.actor_user_id) == (
        "cancelled",
        "Customer changed their mind",
        world.rep.user_id,
    )


@pytest.mark.django_db
def test_only_allowed_steps_are_offered_and_a_hold_says_why_shipping_waits(world: World) -> None:
    order = world.order([(world.bolt, 5)])
    client = _client(world.admin)
    url = reverse("console:order", args=[order.number])

    placed = client.get(url).context
    assert [(step.status, step.blocked) for step in placed["steps"]] == [(Order.Status.SHIPPED, "")]
    assert placed["can_cancel"] is True
    set_hold(actor=world.admin_actor, number=order.number, hold=Order.Hold.CREDIT_HOLD, reason="limit")
    held = client.get(url)
    (step,) = held.context["steps"]
    assert "the order is on credit_hold" in step.blocked
    assert b"not now" in held.content


@pytest.mark.django_db
def test_a_refused_transition_shows_the_reason_and_changes_nothing(world: World) -> None:
    order = world.order([(world.bolt, 5)])
    set_hold(actor=world.admin_actor, number=order.number, hold=Order.Hold.CREDIT_HOLD, reason="limit")
    client = _client(world.admin)

    shipped = client.post(reverse("console:order_status", args=[order.number]), {"to_status": "shipped"})
    closed = client.post(reverse("console:order_status", args=[order.number]), {"to_status": "closed"})

    assert shipped.status_code == closed.status_code == 409
    assert "credit_hold" in str(shipped.context["transition_form"].non_field_errors())
    assert closed.context["transition_form"].non_field_errors()
    order.refresh_from_db()
    assert order.status == Order.Status.PLACED


@pytest.mark.django_db
def test_shipping_then_delivering_walks_the_states(world: World) -> None:
    order = world.order([(world.bolt, 5)])
    client = _client(world.admin)
    url = reverse("console:order_status", args=[order.number])

    client.post(url, {"to_status": "shipped"})
    order.refresh_from_db()
    assert order.status == Order.Status.SHIPPED
    client.post(url, {"to_status": "delivered", "reason": "POD signed"})
    order.refresh_from_db()
    assert order.status == Order.Status.DELIVERED
    steps = client.get(reverse("console:order", args=[order.number])).context["steps"]
    assert [step.status for step in steps] == [Order.Status.INVOICED]


@pytest.mark.django_db
def test_a_rep_may_not_ship_and_gets_403(world: World) -> None:
    order = world.order([(world.bolt, 5)])

    response = _client(world.rep).post(
        reverse("console:order_status", args=[order.number]), {"to_status": "shipped"}
    )

    assert response.status_code == 403
    assert "your role may not ship orders" in str(response.context["transition_form"].non_field_errors())
    order.refresh_from_db()
    assert order.status == Order.Status.PLACED


@pytest.mark.django_db
@pytest.mark.parametrize("lines", [1, 8])
def test_the_order_page_query_count_does_not_grow_with_the_lines(
    world: World, lines: int, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    products = [world.bolt, world.hammer, world.washer]
    order = world.order([(products[i % 3], 10 if i % 3 != 1 else 1) for i in range(lines)])
    client = _client(world.admin)

    # the actor (6, as above); order (+account, website, users), lines, history, allocations;
    # the history's people
    with django_assert_num_queries(11):
        response = client.get(reverse("console:order", args=[order.number]))

    assert response.status_code == 200
