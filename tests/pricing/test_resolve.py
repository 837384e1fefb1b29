"""resolve_prices: the chain built from the database, scope, currencies, line errors, query counts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from meridian.core.actor import StaffRole
from meridian.core.errors import InvalidInput, NotFound
from meridian.customers.errors import AccountNotFound
from meridian.pricing.engine import SourceKind
from meridian.pricing.models import AccountPricingSettings, Promotion, Strategy
from meridian.pricing.queries.cache import forget_chains
from meridian.pricing.services import EntryRow, PriceLineRequest, resolve_prices, upsert_price_entries
from tests.actors import actor_for
from tests.catalog.factories import CustomerPartNumberFactory, VisibilityRuleFactory
from tests.customers.factories import AccountFactory, BuyerUserFactory
from tests.pricing.conftest import Shop
from tests.pricing.factories import (
    AccountPricingSettingsFactory,
    ContractFactory,
    CouponFactory,
    CustomerPriceFactory,
    PriceAssignmentFactory,
    PriceListEntryFactory,
    PriceListFactory,
    PriceRuleFactory,
    PromotionFactory,
    WebsitePricingSettingsFactory,
)
from tests.staff.factories import StaffMemberFactory

D = Decimal


def _list(shop: Shop, code: str, prices: dict[str, str], *, currency: str = "USD", **fields: object):  # type: ignore[no-untyped-def]  # test helper
    price_list = PriceListFactory(organization=shop.organization, code=code, currency=currency, **fields)
    for sku, price in prices.items():
        product = shop.bolt if sku == "BOLT" else shop.hammer
        PriceListEntryFactory(
            price_list=price_list, product=product, uom="EA", min_quantity=D(1), price=D(price)
        )
    return price_list


def _resolve(shop: Shop, account: object, *skus: str, **kwargs: object):  # type: ignore[no-untyped-def]  # test helper
    lines = [PriceLineRequest(sku=sku, quantity=D(1)) for sku in skus]
    return resolve_prices(actor=shop.staff, account=account, lines=lines, **kwargs)  # type: ignore[arg-type]  # forwarded


@pytest.mark.django_db
def test_an_account_without_assignments_gets_the_website_list(shop: Shop) -> None:
    base = _list(shop, "BASE", {"BOLT": "1.00"})
    PriceAssignmentFactory(price_list=base, website=shop.website)

    result = _resolve(shop, shop.grandchild, "BOLT")

    (priced,) = result.lines
    assert priced.unit_price == D("1.00") and priced.line_total == D("1.00")
    assert priced.source.kind is SourceKind.WEBSITE and priced.source.price_list_code == "BASE"
    assert priced.list_price == D("1.00")
    assert (result.currency, result.total, result.strategy) == ("USD", D("1.00"), Strategy.PRIORITY)


@pytest.mark.parametrize(
    ("assigned_to", "settings", "bolt_list", "hammer_list"),
    [
        # Nothing on the grandchild or the child: the parent's assignment is inherited recursively.
        ({"parent": "P"}, {}, "P", "P"),
        # The grandchild's own assignment stops inheritance: HAMMER (only in P) falls to the website.
        ({"parent": "P", "grandchild": "G"}, {}, "G", "WEB"),
        # ...unless the grandchild says "inherit": own first, then the parent's.
        ({"parent": "P", "grandchild": "G"}, {"grandchild": "inherit"}, "G", "P"),
        # The child stops, so the grandchild (inheriting) never reaches the root.
        ({"parent": "P", "child": "C", "grandchild": "G"}, {"grandchild": "inherit"}, "G", "C"),
        ({"parent": "P", "child": "C2", "grandchild": "G"}, {"grandchild": "inherit"}, "G", "WEB"),
        # Inheritance all the way: grandchild -> child -> parent.
        (
            {"parent": "P", "child": "C2", "grandchild": "G"},
            {"grandchild": "inherit", "child": "inherit"},
            "G",
            "P",
        ),
    ],
)
@pytest.mark.django_db
def test_account_assignment_inheritance(
    shop: Shop, assigned_to: dict[str, str], settings: dict[str, str], bolt_list: str, hammer_list: str
) -> None:
    lists = {
        "P": _list(shop, "P", {"BOLT": "3.00", "HAMMER": "30.00"}),
        "C": _list(shop, "C", {"BOLT": "2.50", "HAMMER": "25.00"}),
        "C2": _list(shop, "C2", {"BOLT": "2.40"}),
        "G": _list(shop, "G", {"BOLT": "2.00"}),
        "WEB": _list(shop, "WEB", {"BOLT": "5.00", "HAMMER": "50.00"}),
    }
    PriceAssignmentFactory(price_list=lists["WEB"], website=shop.website)
    for level, code in assigned_to.items():
        PriceAssignmentFactory(price_list=lists[code], account=getattr(shop, level))
    for level, inheritance in settings.items():
        AccountPricingSettingsFactory(account=getattr(shop, level), assignment_inheritance=inheritance)

    result = _resolve(shop, shop.grandchild, "BOLT", "HAMMER")

    assert [line.source.price_list_code for line in result.lines] == [bolt_list, hammer_list]


@pytest.mark.django_db
def test_assignments_of_one_target_are_tried_by_ascending_priority(shop: Shop) -> None:
    first = _list(shop, "FIRST", {"BOLT": "2.00"})
    second = _list(shop, "SECOND", {"BOLT": "1.00", "HAMMER": "9.00"})
    PriceAssignmentFactory(price_list=second, account=shop.child, priority=20)
    PriceAssignmentFactory(price_list=first, account=shop.child, priority=10)

    result = _resolve(shop, shop.child, "BOLT", "HAMMER")

    assert [line.source.price_list_code for line in result.lines] == ["FIRST", "SECOND"]


@pytest.mark.django_db
def test_the_four_level_chain_contract_parent_contract_group_website(shop: Shop) -> None:
    screw, nut, washer = shop.product("SCREW"), shop.product("NUT"), shop.product("WASHER")
    own = PriceListFactory(organization=shop.organization, code="OWN")
    parents = PriceListFactory(organization=shop.organization, code="PARENT")
    group = PriceListFactory(organization=shop.organization, code="GOLD")
    web = PriceListFactory(organization=shop.organization, code="WEB")
    for price_list, products in ((own, [screw]), (parents, [screw, nut]), (group, [screw, nut, washer])):
        for product in products:
            PriceListEntryFactory(price_list=price_list, product=product, price=D("1.00"))
    for product in (screw, nut, washer, shop.hammer):
        PriceListEntryFactory(price_list=web, product=product, price=D("2.00"))
    ContractFactory(account=shop.child, price_list=own, number="K-CHILD")
    ContractFactory(account=shop.parent, price_list=parents, number="K-PARENT", applies_to_children=True)
    PriceAssignmentFactory(price_list=group, customer_group=shop.gold)
    PriceAssignmentFactory(price_list=web, website=shop.website)

    result = _resolve(shop, shop.child, "SCREW", "NUT", "WASHER", "HAMMER")

    assert [(line.source.kind, line.source.contract_number) for line in result.lines] == [
        (SourceKind.CONTRACT, "K-CHILD"),
        (SourceKind.CONTRACT, "K-PARENT"),
        (SourceKind.GROUP, ""),
        (SourceKind.WEBSITE, ""),
    ]


@pytest.mark.parametrize(
    ("applies_to_children", "valid_to", "expected"),
    [
        (True, None, "PARENT"),
        (False, None, "WEB"),  # the parent's own contract only
        (True, date(2026, 6, 14), "WEB"),  # expired yesterday
        (True, date(2026, 6, 15), "PARENT"),  # valid through today
    ],
)
@pytest.mark.django_db
def test_ancestor_contracts_apply_to_children_within_their_window(
    shop: Shop, applies_to_children: bool, valid_to: date | None, expected: str
) -> None:
    ContractFactory(
        account=shop.parent,
        price_list=_list(shop, "PARENT", {"BOLT": "1.00"}),
        applies_to_children=applies_to_children,
        valid_to=valid_to,
    )
    PriceAssignmentFactory(price_list=_list(shop, "WEB", {"BOLT": "2.00"}), website=shop.website)

    result = _resolve(shop, shop.grandchild, "BOLT", today=date(2026, 6, 15))

    assert result.lines[0].source.price_list_code == expected


@pytest.mark.django_db
def test_best_price_strategy_is_set_per_website(shop: Shop) -> None:
    ContractFactory(account=shop.child, price_list=_list(shop, "K", {"BOLT": "3.00"}))
    PriceAssignmentFactory(price_list=_list(shop, "WEB", {"BOLT": "2.00"}), website=shop.website)
    WebsitePricingSettingsFactory(website=shop.website, strategy=Strategy.BEST_PRICE)

    result = _resolve(shop, shop.child, "BOLT")

    assert result.strategy == Strategy.BEST_PRICE
    assert result.lines[0].unit_price == D("2.00") and result.lines[0].source.kind is SourceKind.WEBSITE


@pytest.mark.parametrize(
    ("requested", "expected_currency", "expected_price"),
    [
        (None, "USD", "2.00"),  # the website's default
        ("EUR", "EUR", "1.80"),
        ("eur", "EUR", "1.80"),
        ("GBP", "GBP", None),  # no list in GBP: no price, never another currency's
    ],
)
@pytest.mark.django_db
def test_currency_selects_lists_in_that_currency(
    shop: Shop, requested: str | None, expected_currency: str, expected_price: str | None
) -> None:
    PriceAssignmentFactory(price_list=_list(shop, "USD", {"BOLT": "2.00"}), website=shop.website)
    PriceAssignmentFactory(
        price_list=_list(shop, "EUR", {"BOLT": "1.80"}, currency="EUR"), website=shop.website
    )

    result = _resolve(shop, shop.child, "BOLT", currency=requested)

    assert result.currency == expected_currency
    assert result.lines[0].unit_price == (D(expected_price) if expected_price else None)
    assert result.lines[0].error == (None if expected_price else "no_price")


@pytest.mark.django_db
def test_an_unknown_currency_is_invalid_input(shop: Shop) -> None:
    with pytest.raises(InvalidInput) as excinfo:
        _resolve(shop, shop.child, "BOLT", currency="XXX")

    assert "currency" in excinfo.value.fields


@pytest.mark.django_db
def test_a_customer_price_comes_first_and_the_trace_names_the_part_number(shop: Shop) -> None:
    ContractFactory(account=shop.child, price_list=_list(shop, "K", {"BOLT": "1.00"}))
    own = CustomerPriceFactory(account=shop.child, product=shop.bolt, price=D("1.50"))
    CustomerPartNumberFactory(account=shop.parent, product=shop.bolt, part_number="ACME-BOLT")

    (priced,) = _resolve(shop, shop.child, "BOLT").lines

    assert priced.unit_price == D("1.50")
    assert (priced.source.kind, priced.source.entry_id) == (SourceKind.CUSTOMER_PRICE, own.pk)
    assert priced.source.part_number == "ACME-BOLT"


@pytest.mark.parametrize(("applies_to_children", "expected"), [(True, "0.90"), (False, "2.00")])
@pytest.mark.django_db
def test_an_ancestors_customer_price_reaches_children_only_when_it_says_so(
    shop: Shop, applies_to_children: bool, expected: str
) -> None:
    CustomerPriceFactory(
        account=shop.parent, product=shop.bolt, price=D("0.90"), applies_to_children=applies_to_children
    )
    PriceAssignmentFactory(price_list=_list(shop, "WEB", {"BOLT": "2.00"}), website=shop.website)

    assert _resolve(shop, shop.child, "BOLT").lines[0].unit_price == D(expected)


@pytest.mark.django_db
def test_the_nearest_accounts_customer_price_wins_and_a_siblings_never_applies(shop: Shop) -> None:
    for account, price in ((shop.parent, "0.90"), (shop.child, "1.50"), (shop.sibling, "0.10")):
        CustomerPriceFactory(account=account, product=shop.bolt, price=D(price), applies_to_children=True)
    PriceAssignmentFactory(price_list=_list(shop, "WEB", {"BOLT": "2.00"}), website=shop.website)

    (below,) = _resolve(shop, shop.grandchild, "BOLT").lines
    (own,) = _resolve(shop, shop.child, "BOLT").lines

    assert below.unit_price == own.unit_price == D("1.50")
    assert below.source.kind == own.source.kind == SourceKind.CUSTOMER_PRICE
    assert _resolve(shop, shop.parent, "BOLT").lines[0].unit_price == D("0.90")


@pytest.mark.django_db
def test_rule_derived_prices_are_computed_live(shop: Shop) -> None:
    cost_list = PriceListFactory(organization=shop.organization, code="COST")
    PriceRuleFactory(price_list=cost_list, base="cost", multiplier=D("1.25"), rounding="ends_99")
    base = _list(shop, "BASE", {"BOLT": "10.00", "HAMMER": "40.00"})
    gold = PriceListFactory(organization=shop.organization, code="GOLD")
    PriceRuleFactory(
        price_list=gold, base="price_list", base_price_list=base, percent=D(-8), category=shop.fasteners
    )
    PriceAssignmentFactory(price_list=gold, customer_group=shop.gold, priority=1)
    PriceAssignmentFactory(price_list=cost_list, customer_group=shop.gold, priority=2)

    bolt, hammer = _resolve(shop, shop.child, "BOLT", "HAMMER").lines

    assert (bolt.unit_price, bolt.source.price_list_code) == (
        D("9.2000"),
        "GOLD",
    )  # base list -8% on Fasteners
    assert (hammer.unit_price, hammer.source.price_list_code) == (D("25.99"), "COST")  # 20 x 1.25 = 25 -> .99


@pytest.mark.django_db
def test_unit_conversion_and_line_errors(shop: Shop) -> None:
    PriceAssignmentFactory(price_list=_list(shop, "WEB", {"BOLT": "0.50"}), website=shop.website)
    lines = [
        PriceLineRequest(sku="BOLT", quantity=D(2), uom="bx"),
        PriceLineRequest(sku="BOLT", quantity=D(1), uom="PALLET"),
        PriceLineRequest(sku="NOPE", quantity=D(1)),
        PriceLineRequest(sku="HAMMER", quantity=D(1)),
    ]

    result = resolve_prices(actor=shop.staff, account=shop.child, lines=lines)

    box, pallet, unknown, unpriced = result.lines
    assert (box.uom, box.unit_price, box.line_total) == ("BX", D("6.00"), D("12.00"))
    assert box.source.converted_from_base_uom
    assert [line.error for line in (pallet, unknown, unpriced)] == [
        "unknown_uom",
        "product_not_found",
        "no_price",
    ]
    assert result.total == D("12.00") and not result.is_complete


@pytest.mark.parametrize(
    ("lines", "field"),
    [
        ([], "lines"),
        ([PriceLineRequest(sku="BOLT", quantity=D(0))], "lines.0.quantity"),
        ([PriceLineRequest(sku=" ", quantity=D(1))], "lines.0.sku"),
        ([PriceLineRequest(sku="BOLT", quantity=D("1.0001"))], "lines.0.quantity"),
    ],
)
@pytest.mark.django_db
def test_bad_lines_are_invalid_input_naming_the_field(
    shop: Shop, lines: list[PriceLineRequest], field: str
) -> None:
    with pytest.raises(InvalidInput) as excinfo:
        resolve_prices(actor=shop.staff, account=shop.child, lines=lines)

    assert field in excinfo.value.fields


@pytest.mark.django_db
def test_a_buyer_resolves_for_their_subtree_only(shop: Shop) -> None:
    PriceAssignmentFactory(price_list=_list(shop, "WEB", {"BOLT": "2.00"}), website=shop.website)
    line = [PriceLineRequest(sku="BOLT", quantity=D(1))]

    own = resolve_prices(actor=shop.buyer_actor, account=shop.child, lines=line)
    below = resolve_prices(actor=shop.buyer_actor, account=str(shop.grandchild.pk), lines=line)

    assert own.account_id == shop.child.pk and below.account_id == shop.grandchild.pk
    for other in (shop.sibling, shop.parent):
        with pytest.raises(AccountNotFound):
            resolve_prices(actor=shop.buyer_actor, account=other, lines=line)


@pytest.mark.django_db
def test_a_buyer_pricing_their_own_account_instance_reads_no_account_and_others_stay_scoped(
    shop: Shop,
) -> None:
    PriceAssignmentFactory(price_list=_list(shop, "WEB", {"BOLT": "2.00"}), website=shop.website)
    line = [PriceLineRequest(sku="BOLT", quantity=D(1))]
    foreign = AccountFactory()

    with CaptureQueriesContext(connection) as own_queries:
        own = resolve_prices(actor=shop.buyer_actor, account=shop.child, lines=line)
    below = resolve_prices(actor=shop.buyer_actor, account=shop.grandchild, lines=line)

    assert own.account_id == shop.child.pk and own.lines[0].unit_price == D("2.00")
    assert not any('"customers_account"."number"' in q["sql"] for q in own_queries.captured_queries)
    assert below.account_id == shop.grandchild.pk
    for other in (shop.sibling, shop.parent, foreign):
        with pytest.raises(AccountNotFound):
            resolve_prices(actor=shop.buyer_actor, account=other, lines=line)


@pytest.mark.django_db
def test_another_organizations_account_and_an_unassigned_rep_get_not_found(shop: Shop) -> None:
    foreign = AccountFactory()
    rep = StaffMemberFactory(organization=shop.organization, role=StaffRole.SALES_REP)
    line = [PriceLineRequest(sku="BOLT", quantity=D(1))]

    with pytest.raises(NotFound):
        resolve_prices(actor=shop.staff, account=foreign, lines=line)
    with pytest.raises(NotFound):
        resolve_prices(actor=actor_for(rep), account=shop.child, lines=line)
    with pytest.raises(NotFound):
        resolve_prices(actor=shop.staff, account="ext:nope", lines=line)


@pytest.mark.django_db
def test_a_buyer_cannot_price_a_product_hidden_from_them(shop: Shop) -> None:
    PriceAssignmentFactory(price_list=_list(shop, "WEB", {"BOLT": "2.00"}), website=shop.website)
    VisibilityRuleFactory(
        organization=shop.organization, account=shop.child, product=shop.bolt, effect="exclude"
    )

    result = resolve_prices(
        actor=shop.buyer_actor, account=shop.child, lines=[PriceLineRequest(sku="BOLT", quantity=D(1))]
    )

    assert result.lines[0].error == "product_not_found" and result.lines[0].unit_price is None


@pytest.mark.django_db
def test_an_unknown_website_is_not_found(shop: Shop) -> None:
    with pytest.raises(NotFound):
        _resolve(shop, shop.child, "BOLT", website_id=10**9)


@pytest.mark.django_db
def test_a_price_change_is_what_the_very_next_resolution_returns(shop: Shop) -> None:
    web = _list(shop, "WEB", {"BOLT": "2.00"})
    PriceAssignmentFactory(price_list=web, website=shop.website)
    assert _resolve(shop, shop.child, "BOLT").lines[0].unit_price == D("2.00")

    upsert_price_entries(actor=shop.staff, price_list=web, rows=[EntryRow(sku="BOLT", price=D("2.35"))])

    assert _resolve(shop, shop.child, "BOLT").lines[0].unit_price == D("2.35")


@pytest.mark.django_db
def test_today_is_the_websites_local_date(shop: Shop) -> None:
    shop.website.timezone = "America/Los_Angeles"
    shop.website.save()
    PriceAssignmentFactory(
        price_list=_list(shop, "NEW", {"BOLT": "1.00"}, valid_from=date(2026, 7, 1)),
        website=shop.website,
        priority=1,
    )
    PriceAssignmentFactory(price_list=_list(shop, "OLD", {"BOLT": "2.00"}), website=shop.website, priority=2)
    utc_july_first_early = datetime(2026, 7, 1, 3, 0, tzinfo=UTC)  # still June 30 in Los Angeles

    result = _resolve(shop, shop.child, "BOLT", now=utc_july_first_early)
    later = _resolve(shop, shop.child, "BOLT", now=utc_july_first_early + timedelta(hours=8))

    assert result.lines[0].source.price_list_code == "OLD"
    assert later.lines[0].source.price_list_code == "NEW"


# --------------------------------------------------------------------------- promotions and coupons


@pytest.mark.django_db
def test_coupon_outcomes(shop: Shop) -> None:
    PriceAssignmentFactory(price_list=_list(shop, "WEB", {"BOLT": "10.00"}), website=shop.website)
    ten_off = PromotionFactory(
        organization=shop.organization,
        kind=Promotion.Kind.PERCENT_OFF_LINE,
        value=D(10),
        requires_coupon=True,
    )
    hammers_only = PromotionFactory(
        organization=shop.organization,
        kind=Promotion.Kind.PERCENT_OFF_LINE,
        value=D(10),
        requires_coupon=True,
        product=shop.hammer,
    )
    CouponFactory(promotion=ten_off, code="TEN")
    CouponFactory(promotion=hammers_only, code="HAMMERS")
    CouponFactory(promotion=ten_off, code="USEDUP", usage_limit=1, times_used=1)
    CouponFactory(promotion=ten_off, code="OFF", is_active=False)

    result = _resolve(shop, shop.child, "BOLT", coupon_codes=["ten", "HAMMERS", "USEDUP", "OFF", "NOPE"])

    assert [(c.code, c.status) for c in result.coupons] == [
        ("TEN", "applied"),
        ("HAMMERS", "not_applicable"),
        ("USEDUP", "exhausted"),
        ("OFF", "inactive"),
        ("NOPE", "unknown"),
    ]
    assert result.lines[0].line_total == D("9.00")
    assert result.lines[0].discounts[0].coupon_code == "TEN"


@pytest.mark.django_db
def test_promotions_conditioned_on_group_account_subtree_and_website(shop: Shop) -> None:
    PriceAssignmentFactory(price_list=_list(shop, "WEB", {"BOLT": "10.00"}), website=shop.website)
    PromotionFactory(organization=shop.organization, name="gold", value=D(1), customer_group=shop.gold)
    PromotionFactory(organization=shop.organization, name="acme", value=D(2), account=shop.parent)
    PromotionFactory(organization=shop.organization, name="texas", value=D(3), account=shop.sibling)
    PromotionFactory(organization=shop.organization, name="web", value=D(4), website=shop.website)
    PromotionFactory(
        organization=shop.organization, name="ended", value=D(5), ends_at=datetime(2020, 1, 1, tzinfo=UTC)
    )
    PromotionFactory(organization=shop.organization, name="off", value=D(6), is_active=False)

    (priced,) = _resolve(shop, shop.grandchild, "BOLT").lines

    assert sorted(a.name for a in priced.discounts) == ["acme", "gold", "web"]


# --------------------------------------------------------------------------- query counts

SKUS = [f"P{n:03d}" for n in range(50)]


def _busy_shop(shop: Shop) -> None:
    """A 4-level chain for the child (contract, parent contract, group, website) with rules,
    customer prices, part numbers and live promotions, over 50 products."""
    products = [shop.product(sku, cost="2.00") for sku in SKUS]
    own, parents, group, web = (
        PriceListFactory(organization=shop.organization, code=c) for c in ("OWN", "PAR", "GRP", "WEB")
    )
    for index, product in enumerate(products):
        PriceListEntryFactory(price_list=web, product=product, price=D("5.00"))
        PriceListEntryFactory(price_list=web, product=product, price=D("4.50"), min_quantity=D(10))
        if index % 2:
            PriceListEntryFactory(price_list=own, product=product, price=D("3.00"))
        if index % 3 == 0:
            CustomerPriceFactory(account=shop.child, product=product, price=D("2.50"))
            CustomerPartNumberFactory(account=shop.child, product=product, part_number=f"A-{index}")
    PriceRuleFactory(price_list=parents, base="cost", multiplier=D("1.5"))
    PriceRuleFactory(
        price_list=group, base="price_list", base_price_list=web, percent=D(-8), category=shop.fasteners
    )
    ContractFactory(account=shop.child, price_list=own)
    ContractFactory(account=shop.parent, price_list=parents, applies_to_children=True)
    PriceAssignmentFactory(price_list=group, customer_group=shop.gold)
    PriceAssignmentFactory(price_list=web, website=shop.website)
    PromotionFactory(
        organization=shop.organization,
        kind=Promotion.Kind.PERCENT_OFF_LINE,
        value=D(5),
        category=shop.fasteners,
    )
    PromotionFactory(
        organization=shop.organization, kind=Promotion.Kind.BUY_X_GET_Y, buy_quantity=D(10), get_quantity=D(1)
    )
    PromotionFactory(
        organization=shop.organization,
        kind=Promotion.Kind.PERCENT_OFF_ORDER,
        value=D(2),
        stacking="exclusive",
    )
    CouponFactory(
        promotion=PromotionFactory(organization=shop.organization, requires_coupon=True), code="SAVE"
    )


# Staff, cold: account, website (with the pricing stamp) and products with their part numbers (one
# statement), assignments, contracts, rules, entries with customer prices (one UNION ALL), coupons,
# promotions. A buyer of the priced account passes no account query (the instance is theirs). On
# SQLite the website, the products and their part numbers are three queries, and a buyer's
# visibility rules one more (on PostgreSQL they are read in the products' statement). A line that
# names a unit adds the products' units. Warm (the chain cached under the same stamp): no
# assignments, contracts or rules; the promotions query still runs, for the one the coupon unlocks.
ON_SQLITE = 0 if connection.vendor == "postgresql" else 1
STAFF_QUERIES = 8 + 2 * ON_SQLITE
BUYER_QUERIES = 7 + 3 * ON_SQLITE
WARM_SAVES = 3


@pytest.mark.parametrize("count", [1, 50])
@pytest.mark.django_db
def test_resolution_runs_a_fixed_number_of_queries(shop: Shop, count: int, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]  # pytest-django fixture
    _busy_shop(shop)
    lines = [PriceLineRequest(sku=sku, quantity=D(11)) for sku in SKUS[:count]]
    staff_actor, buyer_actor = shop.staff, shop.buyer_actor

    with django_assert_num_queries(STAFF_QUERIES):
        staff = resolve_prices(actor=staff_actor, account=shop.child, lines=lines, coupon_codes=["SAVE"])
    with django_assert_num_queries(BUYER_QUERIES - WARM_SAVES):
        buyer = resolve_prices(actor=buyer_actor, account=shop.child, lines=lines, coupon_codes=["SAVE"])
    forget_chains()
    with django_assert_num_queries(BUYER_QUERIES):
        cold_buyer = resolve_prices(actor=buyer_actor, account=shop.child, lines=lines, coupon_codes=["SAVE"])

    assert staff.is_complete and staff.lines == buyer.lines == cold_buyer.lines
    assert {line.source.kind for line in staff.lines} <= set(SourceKind)
    in_boxes = [PriceLineRequest(sku=sku, quantity=D(1), uom="EA") for sku in SKUS[:count]]
    with django_assert_num_queries(STAFF_QUERIES - WARM_SAVES + 1):
        resolve_prices(actor=staff_actor, account=shop.child, lines=in_boxes, coupon_codes=["SAVE"])


@pytest.mark.django_db
def test_the_busy_chain_prices_each_level(shop: Shop) -> None:
    _busy_shop(shop)
    buyer = BuyerUserFactory(account=shop.child)
    lines = [PriceLineRequest(sku=sku, quantity=D(1)) for sku in SKUS[:4]]

    result = resolve_prices(
        actor=actor_for(buyer, website_id=shop.website.pk), account=shop.child, lines=lines
    )

    assert [line.source.kind for line in result.lines] == [
        SourceKind.CUSTOMER_PRICE,  # index 0: customer price
        SourceKind.CONTRACT,  # 1: own contract
        SourceKind.CONTRACT,  # 2: the parent's contract (cost x 1.5)
        SourceKind.CUSTOMER_PRICE,  # 3
    ]
    assert result.lines[2].source.rule_id is not None and result.lines[2].unit_price == D("3.000")
    assert result.lines[0].source.part_number == "A-0"


@pytest.mark.django_db
def test_resolution_writes_nothing(shop: Shop) -> None:
    _busy_shop(shop)

    with CaptureQueriesContext(connection) as captured:
        _resolve(shop, shop.child, *SKUS[:5], coupon_codes=["SAVE"])

    assert all(q["sql"].lstrip("( ").upper().startswith("SELECT") for q in captured.captured_queries)


@pytest.mark.django_db
def test_inheritance_setting_on_an_account_without_own_assignments_changes_nothing(shop: Shop) -> None:
    PriceAssignmentFactory(price_list=_list(shop, "P", {"BOLT": "3.00"}), account=shop.parent)
    AccountPricingSettings.objects.create(account=shop.child, assignment_inheritance="stop")

    assert _resolve(shop, shop.child, "BOLT").lines[0].source.price_list_code == "P"


@pytest.mark.postgres
@pytest.mark.django_db
def test_on_postgresql_ids_are_bound_as_one_array(shop: Shop) -> None:
    _busy_shop(shop)
    lines = [PriceLineRequest(sku=sku, quantity=D(1)) for sku in SKUS]

    with CaptureQueriesContext(connection) as captured:
        resolve_prices(actor=shop.staff, account=shop.child, lines=lines)

    products, entries = (
        next(q["sql"] for q in captured.captured_queries if marker in q["sql"])
        for marker in ('FROM "catalog_product"', 'FROM "pricing_pricelistentry"')
    )
    assert "p.sku = ANY(" in products  # hand-written SQL for staff (loading._product_rows_sql)
    assert "e.product_id = ANY(" in entries  # hand-written SQL (chain._price_rows_sql)
