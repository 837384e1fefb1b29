"""What the channels (API, console, portal) needed from the pricing domain: a catalog page's prices
with tier tables, a dry run of the bulk upsert, and scoped reads of assignments, promotions and
coupons."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from meridian.customers.errors import NotAllowed
from meridian.pricing import engine
from meridian.pricing.errors import PriceAssignmentNotFound, PromotionNotFound
from meridian.pricing.models import PriceChange, PriceListEntry
from meridian.pricing.queries import (
    catalog_prices,
    get_price_assignment,
    list_coupons,
    list_price_assignments,
    list_price_changes,
    list_promotions,
    prices_for_products,
    tier_table,
)
from meridian.pricing.services import (
    EntryAction,
    EntryRow,
    preview_price_entries,
    set_customer_price,
    upsert_price_entries,
)
from tests.actors import actor_for
from tests.catalog.factories import ProductFactory
from tests.pricing.channel_world import PriceWorld, build_price_world
from tests.pricing.engine_builders import entry, line, price_list, request, website
from tests.pricing.factories import (
    CouponFactory,
    PriceAssignmentFactory,
    PriceListEntryFactory,
    PromotionFactory,
)

D = Decimal


@pytest.fixture
def world(db: None) -> PriceWorld:
    return build_price_world()


# --- engine: tier tables for a whole page ----------------------------------------------------------


def test_tier_breaks_for_lines_equal_each_lines_own_tier_breaks() -> None:
    web = price_list(1, entry("1.00"), entry("0.90", 100), entry("0.80", 1000), entry("11", uom="BX"))
    lines = [line(1, key="a"), line(5, key="b"), line(1, uom="BX", factor=12, key="c")]
    priced = request(lines, [website(web)])

    together = engine.tier_breaks_for_lines(priced)

    assert together == {item.key: engine.tier_breaks(priced, item) for item in lines}
    assert [(t.min_quantity, t.unit_price) for t in together["a"]] == [
        (D(1), D("1.00")),
        (D(100), D("0.90")),
        (D(1000), D("0.80")),
    ]


# --- catalog_prices ----------------------------------------------------------------------------


def test_catalog_prices_give_each_buyer_their_price_and_tiers(world: PriceWorld) -> None:
    products = [world.bolt, world.hammer]

    ohio = catalog_prices(actor=actor_for(world.buyer), products=products)
    texas = catalog_prices(actor=actor_for(world.sibling_buyer), products=products)

    bolt = ohio[world.bolt.pk]
    assert (bolt.currency, bolt.quantity, bolt.line.unit_price, bolt.is_contract_price) == (
        "USD",
        D(1),
        D("0.4"),
        True,
    )
    assert [(t.min_quantity, t.unit_price) for t in bolt.tiers] == [(D(1), D("0.40"))]
    assert [(t.min_quantity, t.unit_price) for t in texas[world.bolt.pk].tiers] == [
        (D(1), D("0.50")),
        (D(100), D("0.45")),
    ]
    assert texas[world.bolt.pk].is_contract_price is False
    assert texas[world.bolt.pk].tiers == tuple(
        tier_table(actor=actor_for(world.sibling_buyer), product=world.bolt)
    )


def test_catalog_prices_agree_with_prices_for_products(world: PriceWorld) -> None:
    actor = actor_for(world.buyer)
    products = [world.bolt, world.hammer]

    page = catalog_prices(actor=actor, products=products)
    plain = prices_for_products(actor=actor, products=products)

    assert {pk: price.line for pk, price in page.items()} == plain


def test_a_product_is_priced_at_its_minimum_order_quantity(world: PriceWorld) -> None:
    washer = ProductFactory(organization=world.org, sku="WASHER", min_order_quantity=D(50))
    PriceListEntryFactory(price_list=world.web, product=washer, min_quantity=D(50), price=D("0.10"))
    bulk = ProductFactory(organization=world.org, sku="BULK")
    PriceListEntryFactory(price_list=world.web, product=bulk, min_quantity=D(10), price=D("1.00"))

    prices = catalog_prices(actor=actor_for(world.buyer), products=[washer, bulk])

    assert (prices[washer.pk].quantity, prices[washer.pk].line.line_total) == (D(50), D("5.00"))
    # Not priced at 1, but from 10 on: unpriced, with the tier that says from where.
    assert (prices[bulk.pk].is_priced, prices[bulk.pk].line.error) == (False, "no_price")
    assert [(t.min_quantity, t.unit_price) for t in prices[bulk.pk].tiers] == [(D(10), D("1.00"))]


@pytest.mark.parametrize("count", [1, 5])
def test_catalog_prices_run_a_fixed_number_of_queries(
    world: PriceWorld, count: int, django_assert_num_queries: Any
) -> None:
    products = []
    for number in range(count):
        product = ProductFactory(organization=world.org, sku=f"Q-{number}")
        PriceListEntryFactory(price_list=world.web, product=product, price=D(2))
        PriceListEntryFactory(price_list=world.web, product=product, min_quantity=D(10), price=D("1.5"))
        products.append(product)
    actor = actor_for(world.buyer)

    # website+strategy, assignments, contracts, rules, entries+customer prices, promotions (the
    # products come with their category: no query)
    with django_assert_num_queries(6):
        prices = catalog_prices(actor=actor, products=products)

    assert all(len(price.tiers) == 2 for price in prices.values())


# --- preview_price_entries ---------------------------------------------------------------------


def test_the_preview_says_what_each_row_would_do_and_writes_nothing(world: PriceWorld) -> None:
    admin = actor_for(world.admin)
    rows = [
        EntryRow(sku="BOLT", price=D("0.55")),
        EntryRow(sku="BOLT", price=D("0.45"), min_quantity=D(100)),
        EntryRow(sku="HAMMER", price=D("24"), valid_from=None),
        EntryRow(sku="BOLT", price=D("5"), uom="BX"),
    ]
    before = sorted(PriceListEntry.objects.values_list("pk", "price"))

    preview = preview_price_entries(actor=admin, price_list=world.web, rows=rows)

    assert preview.errors == ()
    assert [(c.row, c.sku, c.uom, c.action, c.old_price, c.new_price) for c in preview.changes] == [
        (1, "BOLT", "EA", EntryAction.UPDATE, D("0.5"), D("0.55")),
        (2, "BOLT", "EA", EntryAction.UNCHANGED, D("0.45"), D("0.45")),
        (3, "HAMMER", "EA", EntryAction.UPDATE, D(25), D(24)),
        (4, "BOLT", "BX", EntryAction.CREATE, None, D(5)),
    ]
    report = upsert_price_entries(actor=admin, price_list=world.web, rows=rows)
    assert preview.report == report
    assert before != sorted(PriceListEntry.objects.values_list("pk", "price"))  # the upsert, not the preview


def test_the_preview_lists_every_row_error(world: PriceWorld) -> None:
    preview = preview_price_entries(
        actor=actor_for(world.admin),
        price_list=world.web,
        rows=[EntryRow(sku="NOPE", price=D(1)), EntryRow(sku="BOLT", price=D(-1))],
    )

    assert [(e.row, e.field) for e in preview.errors] == [(1, "sku"), (2, "price")]
    assert preview.changes == ()
    assert not PriceChange.objects.exists()


def test_only_price_editors_preview(world: PriceWorld) -> None:
    with pytest.raises(NotAllowed):
        preview_price_entries(actor=actor_for(world.sales_rep), price_list=world.web, rows=[])


# --- scoped reads ------------------------------------------------------------------------------


def test_assignments_to_accounts_follow_the_actors_scope(world: PriceWorld) -> None:
    own = PriceAssignmentFactory(price_list=world.contract_list, account=world.child)
    other = PriceAssignmentFactory(price_list=world.contract_list, account=world.sibling)
    rep, admin = actor_for(world.sales_rep), actor_for(world.admin)

    assert {a.pk for a in list_price_assignments(actor=rep)} == {
        own.pk,
        *world.web.assignments.values_list("pk", flat=True),
    }
    assert list(list_price_assignments(actor=admin, account=world.sibling)) == [other]
    assert get_price_assignment(actor=rep, assignment_id=own.pk) == own
    with pytest.raises(PriceAssignmentNotFound):
        get_price_assignment(actor=rep, assignment_id=other.pk)
    with pytest.raises(PriceAssignmentNotFound):
        get_price_assignment(actor=actor_for(world.other_admin), assignment_id=own.pk)
    assert list(list_price_assignments(actor=actor_for(world.buyer))) == []


def test_promotions_and_coupons_follow_the_actors_scope(world: PriceWorld) -> None:
    everyone = PromotionFactory(organization=world.org, name="Everyone", requires_coupon=True)
    texas_only = PromotionFactory(organization=world.org, name="Texas", account=world.sibling)
    coupon = CouponFactory(promotion=everyone, code="ALL")
    rep = actor_for(world.sales_rep)

    assert [p.name for p in list_promotions(actor=rep)] == ["Everyone"]
    assert {p.name for p in list_promotions(actor=actor_for(world.admin))} == {"Everyone", "Texas"}
    assert list(list_coupons(actor=rep, promotion=everyone)) == [coupon]
    with pytest.raises(PromotionNotFound):
        list_coupons(actor=rep, promotion=texas_only)
    with pytest.raises(PromotionNotFound):
        list_coupons(actor=actor_for(world.other_admin), promotion=everyone)


def test_a_sales_rep_sees_customer_price_changes_of_their_accounts_only(world: PriceWorld) -> None:
    admin = actor_for(world.admin)
    for account in (world.child, world.sibling):
        set_customer_price(actor=admin, account=account, product=world.hammer, price=D(20), currency="USD")
    upsert_price_entries(actor=admin, price_list=world.web, rows=[EntryRow(sku="BOLT", price=D("0.6"))])

    seen = {(c.kind, c.account_id) for c in list_price_changes(actor=actor_for(world.sales_rep))}

    assert seen == {("customer_price", world.child.pk), ("entry", None)}
    assert len(list_price_changes(actor=admin)) == 3
