"""Read paths: scope, search and filters, fixed query counts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from meridian.ordering import queries
from meridian.ordering.errors import OrderNotFound
from meridian.ordering.services import cancel_order, create_list, current_cart
from tests.catalog.factories import ProductFactory
from tests.inventory.factories import receive
from tests.ordering.conftest import World
from tests.pricing.factories import PriceListEntryFactory

D = Decimal


def numbers(orders: Any) -> list[str]:
    return [order.number for order in orders]


@pytest.mark.django_db
def test_orders_are_scoped_to_the_actor(world: World) -> None:
    mine = world.order()
    sibling = world.order(actor=world.actor(world.approver), account=world.sibling)
    other = world.order(actor=world.actor(world.other_buyer))

    assert numbers(queries.list_orders(actor=world.buyer_actor)) == [mine.number]
    assert numbers(queries.list_orders(actor=world.actor(world.approver))) == [sibling.number, mine.number]
    assert numbers(queries.list_orders(actor=world.rep_actor)) == [mine.number]
    assert numbers(queries.list_orders(actor=world.actor(world.other_rep))) == []
    assert len(numbers(queries.list_orders(actor=world.admin_actor))) == 3
    for actor in (world.buyer_actor, world.rep_actor):
        with pytest.raises(OrderNotFound):
            queries.get_order(actor=actor, number=other.number)
        with pytest.raises(OrderNotFound):
            queries.get_order_detail(actor=actor, number=other.number)
    assert queries.get_order(actor=world.actor(world.other_buyer), number=other.number).pk == other.pk


@pytest.mark.django_db
def test_search_and_filters(world: World) -> None:
    first = world.order([(world.bolt, 5)], po_number="PO-ALPHA-1")
    second = world.order([(world.hammer, 1)], po_number="PO-BETA-2")
    old = world.order([(world.washer, 10)], now=timezone.now() - timedelta(days=30))
    cancel_order(actor=world.buyer_actor, number=second.number)
    actor = world.buyer_actor

    assert numbers(queries.list_orders(actor=actor, search=first.number.lower())) == [first.number]
    assert numbers(queries.list_orders(actor=actor, search="alpha")) == [first.number]
    assert numbers(queries.list_orders(actor=actor, search="hammer")) == [second.number]
    assert numbers(queries.list_orders(actor=actor, statuses=["cancelled"])) == [second.number]
    assert numbers(queries.list_orders(actor=actor, placed_to=timezone.now().date() - timedelta(days=1))) == [
        old.number
    ]
    assert numbers(queries.list_orders(actor=actor, placed_from=timezone.now().date())) == [
        second.number,
        first.number,
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 5])
def test_the_order_list_is_one_query(
    world: World, count: int, django_assert_num_queries: Callable[..., Any]
) -> None:
    for _ in range(count):
        world.order()
    actor = world.buyer_actor

    with django_assert_num_queries(1):  # orders + account + placing user
        orders = list(queries.list_orders(actor=actor)[:50])
        names = [(order.account.name, order.placed_by.email if order.placed_by else "") for order in orders]

    assert len(names) == count


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 5])
def test_an_order_with_lines_prices_history_and_allocations_in_four_queries(
    world: World, count: int, django_assert_num_queries: Callable[..., Any]
) -> None:
    products = [ProductFactory(organization=world.organization, sku=f"D-{n}") for n in range(count)]
    for product in products:
        PriceListEntryFactory(price_list=world.price_list, product=product, price=D(1))
        receive(world.warehouse, product, 10)
    order = world.order([(product, 2) for product in products])
    actor = world.buyer_actor

    with django_assert_num_queries(4):  # order+account+website+users, lines, history, allocations
        detail = queries.get_order_detail(actor=actor, number=order.number)
        shown = [(line.sku, line.price_source["kind"], detail.allocations_for(line)) for line in detail.lines]

    assert len(shown) == count
    assert [(a.warehouse_code, a.quantity) for a in detail.allocations] == [("MAIN", D(2))] * count
    assert [change.to_status for change in detail.history] == ["placed"]


@pytest.mark.django_db
def test_carts_are_listed_in_scope(world: World) -> None:
    mine = current_cart(actor=world.buyer_actor)
    current_cart(actor=world.actor(world.other_buyer))

    shared = create_list(actor=world.buyer_actor, name="Shared", is_shared=True)
    create_list(actor=world.buyer_actor, name="Private")

    assert len(queries.list_carts(actor=world.buyer_actor)) == 3
    # staff: the shared lists of accounts in scope, never a buyer's cart or private list
    assert [cart.pk for cart in queries.list_carts(actor=world.rep_actor)] == [shared.pk]
    assert [cart.pk for cart in queries.list_carts(actor=world.admin_actor)] == [shared.pk]
    assert mine.pk not in {cart.pk for cart in queries.list_carts(actor=world.admin_actor)}


# --- hand-written statements answer what the ORM answered -------------------------------------


@pytest.mark.django_db
def test_the_hand_written_statements_answer_what_the_orm_answers(world: World) -> None:
    from django.db.models import Sum

    from meridian.ordering import engine
    from meridian.ordering.models import BuyerOrderLimit, Order
    from meridian.ordering.notifications import _placed_order
    from tests.ordering.factories import BuyerOrderLimitFactory

    own = world.order([(world.bolt, 10)])
    world.order([(world.hammer, 1)], actor=world.rep_actor, account=world.child)
    world.order([(world.bolt, 3)], actor=world.actor(world.other_buyer))  # another account's
    BuyerOrderLimitFactory(buyer=world.buyer, order_limit=Decimal("12.5"))

    for path in (world.parent.path, world.child.path, world.child.path + "%", "_" + world.child.path[1:]):
        orm = Order.objects.filter(
            organization_id=world.organization.pk,
            account__path__startswith=path,
            currency="USD",
            payment_method=Order.PaymentMethod.TERMS,
            status__in=[str(status) for status in engine.OPEN_STATUSES],
        ).aggregate(total=Sum("total"))["total"] or Decimal(0)
        mine = queries.open_orders_total(
            organization_id=world.organization.pk, account_path=path, currency="USD"
        )
        assert (str(mine), mine) == (str(orm), orm)
    limit = queries.buyer_order_limit(user_id=world.buyer.user_id)
    orm_limit = (
        BuyerOrderLimit.objects.filter(buyer__user_id=world.buyer.user_id)
        .values_list("order_limit", flat=True)
        .first()
    )
    assert (str(limit), limit) == (str(orm_limit), orm_limit)
    assert queries.buyer_order_limit(user_id=world.rep.user_id) is None
    figures = queries.placement_figures(
        organization_id=world.organization.pk,
        credit_path=world.parent.path,
        currency="USD",
        buyer_user_id=world.buyer.user_id,
    )
    exposure = queries.open_orders_total(
        organization_id=world.organization.pk, account_path=world.parent.path, currency="USD"
    )
    assert (str(figures.exposure), figures.buyer_limit) == (str(exposure), limit)
    assert (figures.order_id is not None) == (connection.vendor == "postgresql")
    nothing = queries.placement_figures(
        organization_id=world.organization.pk, credit_path=None, currency="USD", buyer_user_id=None
    )
    assert (nothing.exposure, nothing.buyer_limit) == (Decimal(0), None)
    mailed = _placed_order(own.pk)
    assert mailed is not None
    stored = Order.objects.select_related("account", "placed_by").get(pk=own.pk)
    assert (
        mailed.number,
        mailed.total,
        mailed.status,
        mailed.po_number,
        mailed.approval_reasons,
        mailed.account.name,
        mailed.account.path,
        mailed.placer_email,
    ) == (
        stored.number,
        stored.total,
        stored.status,
        stored.po_number,
        stored.approval_reasons,
        stored.account.name,
        stored.account.path,
        stored.placed_by.email if stored.placed_by else "",
    )
    assert str(mailed.total) == str(stored.total)
    assert _placed_order(own.pk + 1000) is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("attributes", "weight"),
    [
        ({"weight_kg": "1.5"}, D("1.5")),
        ({"weight_kg": 2.25}, D("2.25")),
        ({"weight_kg": 3}, D(3)),
        ({"weight_kg": -1}, D(0)),
        ({"weight_kg": "heavy"}, D(0)),
        ({"weight_kg": None}, D(0)),
        ({"colour": "red"}, D(0)),
        ([], D(0)),
    ],
)
def test_product_facts_read_the_weight_in_kg_whatever_the_attributes_hold(
    world: World, attributes: object, weight: Decimal
) -> None:
    product = ProductFactory(organization=world.organization, sku="WEIGHED", attributes=attributes)

    for with_units in (False, True):
        facts = queries.product_facts(
            organization_id=world.organization.pk, product_ids=[product.pk], with_units=with_units
        )

        assert facts[product.pk].weight == weight
        assert facts[product.pk].sku == "WEIGHED"
