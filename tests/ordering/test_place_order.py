"""place_order: pricing, validation, stock, credit, payment, events and its transaction."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from meridian.catalog.models import Product
from meridian.core.errors import NotAllowed, NotFound
from meridian.core.idempotency import IdempotencyKeyReused
from meridian.core.models import OutboxEvent
from meridian.customers.models import Account
from meridian.inventory.errors import InsufficientStock
from meridian.inventory.models import BackorderPolicy, StockLevel
from meridian.inventory.queries import reconcile
from meridian.inventory.services import set_product_backorder_policy
from meridian.ordering.errors import (
    AddressNotFound,
    CouponNotUsable,
    CreditLimitExceeded,
    InvalidOrderLines,
    OneTimeAddressNotAllowed,
    PaymentDeclined,
    PaymentTermsUnavailable,
    PoNumberRequired,
)
from meridian.ordering.models import AccountOrderingSettings, Order, OrderLine, OrderStatusChange
from meridian.ordering.providers import DemoPaymentProvider
from meridian.ordering.services import (
    OneTimeAddress,
    OrderLineRequest,
    Payment,
    add_to_cart,
    current_cart,
    place_order,
    preview_order,
)
from meridian.ordering.services._common import trace_json
from meridian.pricing.models import CouponRedemption, Promotion, RebateAccrual
from meridian.pricing.services import PriceLineRequest, resolve_prices
from tests.catalog.factories import ProductFactory
from tests.customers.factories import AddressFactory
from tests.inventory.factories import receive
from tests.ordering.conftest import World
from tests.ordering.factories import (
    AccountOrderingSettingsFactory,
    ShippingMethodFactory,
    ShippingRateBandFactory,
    TaxRuleFactory,
)
from tests.pricing.factories import (
    CouponFactory,
    PriceListEntryFactory,
    PromotionFactory,
    RebateProgramFactory,
    RebateTierFactory,
)

D = Decimal


def stock_of(world: World, product: Product) -> tuple[Decimal, Decimal]:
    level = StockLevel.objects.get(warehouse=world.warehouse, product=product)
    return level.on_hand, level.allocated


def order_count(world: World) -> int:
    return Order.objects.filter(organization=world.organization).count()


# --- prices ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_line_keeps_the_price_pricing_resolves_at_placement(world: World) -> None:
    PromotionFactory(
        organization=world.organization,
        kind=Promotion.Kind.PERCENT_OFF_LINE,
        value=D(10),
        product=world.washer,
    )
    requested = [(world.bolt, "150"), (world.hammer, "2"), (world.washer, "20"), (world.bolt, "1")]
    now = timezone.now()

    order = world.order(requested, now=now)

    resolution = resolve_prices(
        actor=world.buyer_actor,
        account=world.child,
        lines=[PriceLineRequest(sku=product.sku, quantity=D(quantity)) for product, quantity in requested],
        now=now,
    )
    lines = list(order.lines.order_by("line_number"))
    assert len(lines) == 4
    for line, priced in zip(lines, resolution.lines, strict=True):
        assert (line.sku, line.quantity, line.uom) == (priced.sku, priced.quantity, priced.uom)
        assert line.unit_price == priced.unit_price
        assert line.list_price == priced.list_price
        assert line.line_total == priced.line_total
        assert line.currency == resolution.currency == "USD"
        assert line.price_source == trace_json(priced.source)
    assert [line.unit_price for line in lines] == [D("1.80"), D("18.00"), D("0.10"), D("2.00")]
    assert lines[1].price_source["kind"] == "customer_price"
    assert lines[2].price_source["promotions"][0]["amount"] == "0.20"
    assert lines[2].line_total == D("1.80")
    assert order.subtotal == resolution.subtotal == D("309.80")
    assert order.total == resolution.total == D("309.80")


@pytest.mark.django_db
def test_total_is_pricing_goods_plus_shipping_and_tax(world: World) -> None:
    method = ShippingMethodFactory(
        website=world.website, code="STD", basis="amount", flat_amount=D("5.00"), currency="USD", position=1
    )
    ShippingRateBandFactory(method=method, min_value=D(0), amount=D("10.00"))
    ShippingRateBandFactory(method=method, min_value=D(500), amount=D(0))
    ShippingMethodFactory(
        website=world.website, code="AIR", flat_amount=D("40.00"), currency="USD", position=2
    )
    TaxRuleFactory(organization=world.organization, country="US", region="OH", rate_percent=D("7.25"))

    default = world.order([(world.bolt, 10)])
    express = world.order([(world.bolt, 10)], shipping_method="AIR")

    assert (default.shipping_method_code, default.subtotal, default.shipping_amount) == ("STD", D(20), D(15))
    assert default.tax_amount == D("2.54")  # 7.25 % of 35.00, half up
    assert default.total == D("37.54")
    assert default.tax_details["jurisdiction"] != ""
    assert (express.shipping_amount, express.tax_amount, express.total) == (D(40), D("4.35"), D("64.35"))


@pytest.mark.django_db
def test_weight_bands_use_the_products_weight(world: World) -> None:
    method = ShippingMethodFactory(website=world.website, code="FRT", basis="weight", currency="USD")
    ShippingRateBandFactory(method=method, min_value=D(0), amount=D("8.00"))
    ShippingRateBandFactory(method=method, min_value=D(3), amount=D("20.00"))

    light = world.order([(world.hammer, 1)])  # 1.5 kg
    heavy = world.order([(world.hammer, 2)])  # 3 kg

    assert (light.shipping_amount, heavy.shipping_amount) == (D(8), D(20))


@pytest.mark.django_db
def test_a_line_in_another_unit_is_priced_and_allocated_in_base_units(world: World) -> None:
    order = place_order(
        actor=world.buyer_actor,
        channel="portal",
        lines=[OrderLineRequest(sku="BOLT-M8", quantity=D(2), uom="bx")],
    )

    line = order.lines.get()
    assert (line.uom, line.uom_factor, line.quantity, line.base_quantity) == ("BX", D(12), D(2), D(24))
    assert line.unit_price == D("24.00")
    assert line.allocated_quantity == D(24)
    assert stock_of(world, world.bolt) == (D(10_000), D(24))


# inventory: levels + products + routing stamp in one statement; the levels' UPDATE, the
# ledger INSERT and the outbox INSERT are one statement on PostgreSQL, three on SQLite. Pricing's
# website, visibility rules, products and part numbers are one statement on PostgreSQL, four on SQLite.
# Ordering's rows: on PostgreSQL the order's id from its sequence, then one statement for the
# order, lines, status change and event; on SQLite the order insert, then lines insert, order
# update, status change and event.
# Pricing's chain is cached by an earlier order (no assignments, contracts, rules or promotions).
PLACEMENT_QUERIES = 12 if connection.vendor == "postgresql" else 23


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 10])
def test_the_query_count_does_not_grow_with_the_lines(
    world: World, count: int, django_assert_num_queries: Callable[..., Any]
) -> None:
    products = [ProductFactory(organization=world.organization, sku=f"ITEM-{n}") for n in range(10)]
    for product in products:
        PriceListEntryFactory(price_list=world.price_list, product=product, price=D("3.00"))
        receive(world.warehouse, product, 100)
    actor = world.buyer_actor
    world.order([(products[0], 1)], actor=actor)  # warm the content-type and similar caches
    lines = [OrderLineRequest(sku=product.sku, quantity=D(2)) for product in products[:count]]

    # (savepoint: the durable transaction) account+terms+settings, website+ordering stamp and
    # default address (one statement on PostgreSQL; three on SQLite), ancestors; pricing (the
    # account as loaded: no query): website, visibility rules, products, part numbers (one
    # statement on PostgreSQL), entries+customer prices (the chain,
    # shipping methods and tax rules cached by the first order); product facts (units only when a
    # line names a unit), buyer limit (with the order's id from its sequence on PostgreSQL), order
    # insert (SQLite); inventory: lock levels + products (routing cached), update levels +
    # movements, event; the order's rows (one statement on PostgreSQL: order, lines, status change,
    # event; else lines insert, order update, status change, event); rebates (the accounts with the
    # pricing stamp; the programs' scopes are cached and none may hold the order, so no program
    # query and no lock), no savepoint; (release)
    with django_assert_num_queries(PLACEMENT_QUERIES):
        order = place_order(actor=actor, channel="portal", lines=lines)

    assert order.lines.count() == count


# --- who may order for whom ------------------------------------------------------------------


@pytest.mark.django_db
def test_a_rep_on_behalf_gets_exactly_the_buyers_prices(world: World) -> None:
    requested = [(world.bolt, "150"), (world.hammer, "1"), (world.washer, "30")]

    by_buyer = world.order(requested)
    by_rep = world.order(requested, actor=world.rep_actor, account=world.child)

    assert by_rep.account_id == by_buyer.account_id == world.child.pk
    assert (by_rep.channel, by_rep.placed_on_behalf, by_rep.placed_by_id) == ("rep", True, world.rep.user_id)
    assert not by_buyer.placed_on_behalf
    assert by_rep.total == by_buyer.total
    prices = [
        [
            (line.unit_price, line.line_total, line.price_source)
            for line in order.lines.order_by("line_number")
        ]
        for order in (by_buyer, by_rep)
    ]
    assert prices[0] == prices[1]


@pytest.mark.django_db
def test_a_rep_cannot_order_for_an_account_not_assigned_to_them(world: World) -> None:
    with pytest.raises(NotFound):
        world.order(actor=world.rep_actor, account=world.other)
    with pytest.raises(NotFound):
        world.order(actor=world.actor(world.other_rep), account=world.child)

    assert order_count(world) == 0


@pytest.mark.django_db
def test_a_buyer_orders_only_for_their_subtree(world: World) -> None:
    with pytest.raises(NotFound):
        world.order(account=world.other)
    with pytest.raises(NotFound):
        world.order(account=world.sibling)
    on_behalf_of_child = world.order(actor=world.actor(world.approver), account=world.child)

    assert on_behalf_of_child.account_id == world.child.pk
    assert order_count(world) == 1


@pytest.mark.django_db
def test_a_viewer_may_not_order(world: World) -> None:
    with pytest.raises(NotAllowed):
        world.order(actor=world.actor(world.viewer))


# --- validation ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_bad_lines_are_all_named_and_nothing_is_written(world: World) -> None:
    hidden = ProductFactory(organization=world.organization, sku="DRAFT-1", status=Product.Status.DRAFT)
    PriceListEntryFactory(price_list=world.price_list, product=hidden, price=D(1))
    old = ProductFactory(organization=world.organization, sku="OLD-1", status=Product.Status.DISCONTINUED)
    PriceListEntryFactory(price_list=world.price_list, product=old, price=D(1))
    events = OutboxEvent.objects.count()

    with pytest.raises(InvalidOrderLines) as excinfo:
        world.order(
            [
                (world.bolt, 1),
                (world.washer, 15),
                ("NOPE", 1),
                (hidden, 1),
                (world.gloves, 1),
                (old, 1),
                (world.washer, 5),
            ]
        )

    problems = {(p.index, p.sku, p.code) for p in excinfo.value.problems}
    assert problems == {
        (1, "WASHER-8", "quantity_rule_violation"),
        (2, "NOPE", "product_not_found"),
        (3, "DRAFT-1", "product_not_found"),
        (4, "GLOVES", "no_price"),
        (5, "OLD-1", "product_not_orderable"),
        (6, "WASHER-8", "quantity_rule_violation"),
    }
    assert "line 2 (WASHER-8): 15 EA is not a multiple of the order increment of 10 EA" in str(excinfo.value)
    assert "line 7 (WASHER-8): 5 EA is below the minimum order quantity of 10 EA" in str(excinfo.value)
    assert excinfo.value.fields["lines.2.sku"] == ["product_not_found: unknown SKU, or not in your catalog"]
    assert order_count(world) == 0
    assert OutboxEvent.objects.count() == events
    assert stock_of(world, world.bolt) == (D(10_000), D(0))


@pytest.mark.django_db
def test_po_number_required_when_the_account_says_so(world: World) -> None:
    AccountOrderingSettingsFactory(account=world.child, requires_po_number=True)

    with pytest.raises(PoNumberRequired):
        world.order()
    order = world.order(po_number=" PO-4711 ")

    assert order.po_number == "PO-4711"


@pytest.mark.django_db
def test_ship_to_must_be_an_address_of_the_account(world: World) -> None:
    foreign = AddressFactory(account=world.other)

    with pytest.raises(AddressNotFound):
        world.order(ship_to=foreign.pk)
    order = world.order(ship_to=world.address.pk, requested_date=date.today() + timedelta(days=3))

    assert order.ship_to_address_id == world.address.pk
    assert order.ship_to["city"] == "Columbus" and order.ship_to["is_one_time"] is False


@pytest.mark.django_db
def test_one_time_address_only_when_the_account_allows_it(world: World) -> None:
    once = OneTimeAddress(line1="9 Dock Rd", city="Toledo", country="us", region="OH", attention="Receiving")

    with pytest.raises(OneTimeAddressNotAllowed):
        world.order(ship_to=once)
    AccountOrderingSettingsFactory(account=world.child, allows_one_time_address=True)
    order = world.order(ship_to=once)

    assert order.ship_to_address_id is None
    assert order.ship_to["line1"] == "9 Dock Rd" and order.ship_to["country"] == "US"
    assert order.ship_to["is_one_time"] is True


# --- stock -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_stock_is_allocated_through_inventory_under_the_order_number(world: World) -> None:
    order = world.order([(world.bolt, 30), (world.hammer, 2)])

    assert order.status == Order.Status.PLACED
    assert stock_of(world, world.bolt) == (D(10_000), D(30))
    assert [line.allocated_quantity for line in order.lines.order_by("line_number")] == [D(30), D(2)]
    assert (
        OutboxEvent.objects.filter(event_type="inventory.stock_allocated", aggregate_id=order.number).count()
        == 1
    )
    assert reconcile(organization_id=world.organization.pk) == []


@pytest.mark.django_db
def test_a_deny_line_without_stock_refuses_the_order_and_changes_nothing(world: World) -> None:
    with pytest.raises(InsufficientStock):
        world.order([(world.bolt, 5), (world.hammer, 6)])

    assert order_count(world) == 0
    assert stock_of(world, world.bolt) == (D(10_000), D(0))
    assert not OutboxEvent.objects.filter(event_type__startswith="order.").exists()


@pytest.mark.django_db
def test_an_allow_line_is_backordered(world: World) -> None:
    set_product_backorder_policy(product=world.hammer, policy=BackorderPolicy.ALLOW)

    mixed = world.order([(world.bolt, 5), (world.hammer, 8)])
    waiting = world.order([(world.hammer, 4)])

    assert mixed.status == Order.Status.PARTIALLY_ALLOCATED
    hammer = mixed.lines.get(sku="HAMMER")
    assert (hammer.allocated_quantity, hammer.backordered_quantity) == (D(5), D(3))
    assert hammer.line_total == D("144.00")  # the whole quantity is ordered
    assert waiting.status == Order.Status.BACKORDERED


@pytest.mark.django_db
def test_a_partial_line_is_reduced_and_priced_again(world: World) -> None:
    scarce = ProductFactory(organization=world.organization, sku="SCARCE")
    PriceListEntryFactory(price_list=world.price_list, product=scarce, price=D("2.00"))
    PriceListEntryFactory(price_list=world.price_list, product=scarce, min_quantity=D(100), price=D("1.50"))
    receive(world.warehouse, scarce, 80)
    set_product_backorder_policy(product=scarce, policy=BackorderPolicy.PARTIAL)

    order = world.order([(scarce, 120), (world.bolt, 10)])

    line = order.lines.get(sku="SCARCE")
    assert (line.requested_quantity, line.quantity, line.cancelled_quantity) == (D(120), D(80), D(40))
    assert (line.unit_price, line.line_total) == (D("2.00"), D("160.00"))  # the 100+ tier no longer applies
    assert order.total == D("180.00")
    assert order.status == Order.Status.PLACED


# --- credit and payment ----------------------------------------------------------------------


@pytest.mark.django_db
def test_over_the_credit_limit_the_order_goes_on_credit_hold(world: World) -> None:
    Account.objects.filter(pk=world.child.pk).update(credit_limit=D(100))
    first = world.order([(world.bolt, 40)])  # 80.00

    held = world.order([(world.bolt, 15)])  # 80 + 30 > 100

    assert first.hold == ""
    assert (held.status, held.hold) == (Order.Status.PLACED, Order.Hold.CREDIT_HOLD)
    assert "credit limit 100" in held.hold_reason
    assert held.needs_manual_intervention
    assert OrderStatusChange.objects.get(order=held).hold == "credit_hold"


@pytest.mark.django_db
def test_over_the_credit_limit_with_policy_refuse_nothing_is_written(world: World) -> None:
    Account.objects.filter(pk=world.parent.pk).update(credit_limit=D(50))  # covers the subtree
    AccountOrderingSettingsFactory(
        account=world.child, credit_policy=AccountOrderingSettings.CreditPolicy.REFUSE
    )
    world.order([(world.bolt, 20)], actor=world.actor(world.approver), account=world.sibling)  # 40.00

    with pytest.raises(CreditLimitExceeded) as excinfo:
        world.order([(world.bolt, 10)])  # 40 + 20 > 50

    assert excinfo.value.exposure == D("60.00")
    assert order_count(world) == 1
    assert stock_of(world, world.bolt) == (D(10_000), D(20))


@pytest.mark.django_db
def test_cancelled_orders_and_card_orders_do_not_count_against_credit(world: World) -> None:
    Account.objects.filter(pk=world.child.pk).update(credit_limit=D(30))
    by_card = world.order([(world.bolt, 20)], payment=Payment("card", "tok_visa"))

    on_terms = world.order([(world.bolt, 15)])

    assert by_card.payment_authorization.startswith("demo-")
    assert (by_card.hold, on_terms.hold) == ("", "")


@pytest.mark.django_db
def test_terms_need_payment_terms(world: World) -> None:
    Account.objects.filter(pk=world.child.pk).update(payment_terms=None)

    with pytest.raises(PaymentTermsUnavailable):
        world.order()
    order = world.order(payment=Payment("card", "tok_visa"))

    assert order.payment_method == "card" and order.payment_terms_code == ""


@pytest.mark.django_db
def test_terms_are_recorded(world: World) -> None:
    order = world.order()

    assert (order.payment_method, order.payment_terms_code, order.payment_net_days) == ("terms", "NET30", 30)


@pytest.mark.django_db
def test_a_declined_card_places_nothing(world: World) -> None:
    with pytest.raises(PaymentDeclined):
        world.order(payment=Payment("card", "tok_decline_insufficient_funds"))

    assert order_count(world) == 0


@pytest.mark.django_db
def test_an_authorization_is_voided_when_the_order_then_fails(world: World) -> None:
    provider = DemoPaymentProvider()

    with pytest.raises(InsufficientStock):
        world.order([(world.hammer, 6)], payment=Payment("card", "tok_visa"), payment_provider=provider)

    assert len(provider.voided) == 1 and provider.voided[0].startswith("demo-")


# --- coupons, rebates, carts, email ---------------------------------------------------------


@pytest.mark.django_db
def test_coupons_are_redeemed_and_bad_ones_refused(world: World) -> None:
    promotion = PromotionFactory(
        organization=world.organization,
        kind=Promotion.Kind.PERCENT_OFF_LINE,
        value=D(50),
        requires_coupon=True,
        product=world.bolt,
    )
    coupon = CouponFactory(promotion=promotion, code="HALF")

    with pytest.raises(CouponNotUsable) as excinfo:
        world.order(coupon_codes=["nope"])
    order = world.order([(world.bolt, 10)], coupon_codes=["half"])

    assert excinfo.value.outcomes == {"NOPE": "unknown"}
    assert order.total == D("10.00")
    assert order.coupons == [{"code": "HALF", "status": "applied"}]
    assert CouponRedemption.objects.get(coupon=coupon).order_reference == order.number
    coupon.refresh_from_db()
    assert coupon.times_used == 1


@pytest.mark.django_db
def test_rebates_accrue_for_placed_orders(world: World) -> None:
    today = timezone.now().date()
    program = RebateProgramFactory(
        organization=world.organization,
        period_start=today - timedelta(days=1),
        period_end=today + timedelta(days=30),
    )
    RebateTierFactory(program=program, threshold=D(0), rate_percent=D(2))

    order = world.order([(world.bolt, 50)])

    accrual = RebateAccrual.objects.get(order_reference=order.number)
    assert (accrual.line_total, accrual.amount) == (D("100.00"), D("2.00"))


@pytest.mark.django_db
def test_ordering_a_cart_uses_its_lines_and_closes_it(world: World) -> None:
    actor = world.buyer_actor
    cart = current_cart(actor=actor)
    add_to_cart(actor=actor, cart=cart, reference="BOLT-M8", quantity=D(2), uom="BX")
    add_to_cart(actor=actor, cart=cart, reference="WASHER-8", quantity=D(20))

    order = place_order(actor=actor, channel="portal", cart=cart)

    assert [(line.sku, line.quantity, line.uom) for line in order.lines.order_by("line_number")] == [
        ("BOLT-M8", D(2), "BX"),
        ("WASHER-8", D(20), "EA"),
    ]
    cart.refresh_from_db()
    assert (cart.status, order.source_cart_id) == ("ordered", cart.pk)
    assert current_cart(actor=actor).pk != cart.pk


@pytest.mark.django_db
def test_another_users_cart_cannot_be_ordered(world: World) -> None:
    cart = current_cart(actor=world.buyer_actor)
    add_to_cart(actor=world.buyer_actor, cart=cart, reference="BOLT-M8", quantity=D(1))

    with pytest.raises(NotFound):
        place_order(actor=world.actor(world.other_buyer), channel="portal", cart=cart)
    with pytest.raises(NotFound):
        place_order(actor=world.rep_actor, channel="rep", cart=cart)


@pytest.mark.django_db
def test_the_confirmation_email_goes_out_after_commit(
    world: World, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        order = world.order()

    assert len(callbacks) == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [world.buyer.user.email]
    assert order.number in mail.outbox[0].subject


@pytest.mark.django_db
def test_the_confirmation_email_says_what_was_placed_in_one_query(
    world: World, django_assert_num_queries: Callable[..., Any]
) -> None:
    from meridian.ordering.notifications import send_order_email

    order = world.order(po_number="PO-77")
    mail.outbox.clear()

    with django_assert_num_queries(1):  # the order with its account and placer
        send_order_email(order_id=order.pk, event="placed")

    assert mail.outbox[0].to == [world.buyer.user.email]
    assert mail.outbox[0].subject == f"Order {order.number} received"
    stored = Order.objects.get(pk=order.pk)  # the total as the database answers it (4 places)
    assert mail.outbox[0].body == (
        f"Order {order.number} for {world.child.name}\nStatus: {order.get_status_display()}\n"
        f"Total: {stored.total} {order.currency}\nPO number: PO-77"
    )


# --- the transaction -------------------------------------------------------------------------


@pytest.mark.django_db
def test_events_and_history_are_written_with_the_order(world: World) -> None:
    order = world.order([(world.bolt, 3)], po_number="PO-1")

    event = OutboxEvent.objects.get(aggregate_type="order", aggregate_id=order.number)
    assert event.event_type == "order.placed"
    assert event.payload["total"] == "6.00" and event.payload["lines"] == 1
    change = OrderStatusChange.objects.get(order=order)
    assert (change.from_status, change.to_status, change.actor_user_id) == ("", "placed", world.buyer.user_id)


@pytest.mark.django_db
def test_place_order_nested_in_a_transaction_raises(world: World) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        world.order()

    assert order_count(world) == 0


@pytest.mark.django_db
def test_a_database_error_midway_leaves_nothing_behind(world: World) -> None:
    events = OutboxEvent.objects.count()

    def fail_on_order_lines(
        execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        if 'INSERT INTO "ordering_orderline"' in sql:
            raise DatabaseError("injected failure")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(fail_on_order_lines), pytest.raises(DatabaseError):
        world.order([(world.bolt, 7)])

    assert order_count(world) == 0
    assert OrderLine.objects.count() == 0
    assert OutboxEvent.objects.count() == events  # neither inventory's nor ordering's event survived
    assert stock_of(world, world.bolt) == (D(10_000), D(0))
    assert reconcile(organization_id=world.organization.pk) == []


# --- idempotency and preview -----------------------------------------------------------------


@pytest.mark.django_db
def test_the_same_key_and_request_return_the_first_order(world: World) -> None:
    first = world.order([(world.bolt, 3)], idempotency_key="po-77")
    again = world.order([(world.bolt, 3)], idempotency_key="po-77")

    assert again.pk == first.pk
    assert order_count(world) == 1
    assert first.idempotency_key == "po-77"
    assert stock_of(world, world.bolt) == (D(10_000), D(3))


@pytest.mark.django_db
def test_the_same_key_with_another_request_or_user_is_refused(world: World) -> None:
    world.order([(world.bolt, 3)], idempotency_key="po-77")

    with pytest.raises(IdempotencyKeyReused) as excinfo:
        world.order([(world.bolt, 4)], idempotency_key="po-77")
    with pytest.raises(IdempotencyKeyReused):
        world.order(
            [(world.bolt, 3)], idempotency_key="po-77", actor=world.actor(world.approver), account=world.child
        )

    assert excinfo.value.code == "idempotency_key_reused"
    assert order_count(world) == 1


@pytest.mark.django_db
def test_a_refused_order_keeps_no_key_so_a_retry_runs_again(world: World) -> None:
    with pytest.raises(InsufficientStock):
        world.order([(world.hammer, 6)], idempotency_key="k-1")
    receive(world.warehouse, world.hammer, 1)

    order = world.order([(world.hammer, 6)], idempotency_key="k-1")

    assert order.status == Order.Status.PLACED


@pytest.mark.django_db
def test_preview_comes_before_the_po_number_and_the_payment_choice(world: World) -> None:
    # given: an account that requires a PO number and has no payment terms (cards only)
    AccountOrderingSettingsFactory(account=world.child, requires_po_number=True)
    Account.objects.filter(pk=world.child.pk).update(payment_terms=None)

    # when: the cart page previews the order (no PO number, no payment chosen yet)
    preview = preview_order(actor=world.buyer_actor, lines=[OrderLineRequest("BOLT-M8", D(10))])

    # then: it is priced; placing still needs both
    assert preview.can_be_placed and preview.totals.goods == D("20.00")
    with pytest.raises(PoNumberRequired):
        world.order([(world.bolt, 10)])


@pytest.mark.django_db
def test_preview_prices_like_placement_and_reports_problems(world: World) -> None:
    TaxRuleFactory(organization=world.organization, country="US", region="OH", rate_percent=D(5))
    lines = [
        OrderLineRequest("BOLT-M8", D(10)),
        OrderLineRequest("WASHER-8", D(15)),
        OrderLineRequest("HAMMER", D(1)),
    ]

    preview = preview_order(actor=world.buyer_actor, lines=lines)
    good = preview_order(actor=world.buyer_actor, lines=[lines[0], lines[2]])
    placed = world.order([(world.bolt, 10), (world.hammer, 1)])

    assert not preview.can_be_placed
    assert [(p.index, p.code) for p in preview.problems] == [(1, "quantity_rule_violation")]
    assert preview.lines[0].priced.source is not None
    assert good.can_be_placed and good.totals.total == placed.total == D("39.90")
    assert good.availability[world.hammer.pk].total_available == D(5)
    assert order_count(world) == 1
