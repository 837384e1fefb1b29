"""Read paths for channels: catalog-page prices, tier tables, lists (scoped, with query counts)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from meridian.catalog.models import Product
from meridian.pricing.engine import SourceKind
from meridian.pricing.errors import PriceListNotFound
from meridian.pricing.queries import (
    get_price_list,
    list_contracts,
    list_price_changes,
    list_price_entries,
    list_price_lists,
    prices_for_products,
    tier_table,
)
from meridian.pricing.services import EntryRow, PriceLineRequest, resolve_prices, upsert_price_entries
from tests.pricing.conftest import Shop
from tests.pricing.factories import (
    ContractFactory,
    PriceAssignmentFactory,
    PriceListEntryFactory,
    PriceListFactory,
    PromotionFactory,
)

D = Decimal


def _catalog(shop: Shop, count: int) -> list[Product]:
    products = [shop.product(f"P{n:03d}") for n in range(count)]
    web = PriceListFactory(organization=shop.organization, code="WEB")
    gold = PriceListFactory(organization=shop.organization, code="GOLD")
    for index, product in enumerate(products):
        PriceListEntryFactory(price_list=web, product=product, price=D("10.00"))
        if index % 2:
            PriceListEntryFactory(price_list=gold, product=product, price=D("9.00"))
    PriceAssignmentFactory(price_list=web, website=shop.website)
    PriceAssignmentFactory(price_list=gold, customer_group=shop.gold)
    PromotionFactory(organization=shop.organization, value=D(10), category=shop.fasteners)
    return list(Product.objects.filter(pk__in=[p.pk for p in products]).order_by("sku"))


# Buyer (account from the actor): website, products, assignments, contracts, rules, entries with
# customer prices, promotions. Staff without an account: no contracts. The page's products are
# already visibility-filtered and priced per base unit (no units query).
BUYER_PAGE_QUERIES = 7
STAFF_PAGE_QUERIES = 6


@pytest.mark.parametrize("count", [1, 48])
@pytest.mark.django_db
def test_a_category_page_is_priced_in_a_fixed_number_of_queries(
    shop: Shop, count: int, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]  # pytest-django fixture
    products = _catalog(shop, count)
    buyer, staff = shop.buyer_actor, shop.staff

    with django_assert_num_queries(BUYER_PAGE_QUERIES):
        buyer_prices = prices_for_products(actor=buyer, products=products)
    with django_assert_num_queries(STAFF_PAGE_QUERIES):
        list_prices = prices_for_products(actor=staff, products=products)

    assert len(buyer_prices) == len(list_prices) == count
    first = buyer_prices[products[0].pk]
    assert (first.unit_price, first.line_total, first.source.kind) == (
        D("10.00"),
        D("9.00"),
        SourceKind.WEBSITE,
    )
    if count > 1:
        second = buyer_prices[products[1].pk]
        assert (second.unit_price, second.source.kind) == (D("9.00"), SourceKind.GROUP)
        assert list_prices[products[1].pk].unit_price == D("10.00")


@pytest.mark.django_db
def test_page_prices_match_a_resolution(shop: Shop) -> None:
    products = _catalog(shop, 6)

    page = prices_for_products(actor=shop.buyer_actor, products=products)
    resolved = resolve_prices(
        actor=shop.buyer_actor,
        account=shop.child,
        lines=[PriceLineRequest(sku=p.sku, quantity=D(1)) for p in products],
    )

    assert [page[p.pk].unit_price for p in products] == [line.unit_price for line in resolved.lines]
    assert [page[p.pk].line_total for p in products] == [line.line_total for line in resolved.lines]


@pytest.mark.django_db
def test_staff_may_price_a_page_for_an_account_in_scope(shop: Shop) -> None:
    products = _catalog(shop, 2)

    prices = prices_for_products(actor=shop.staff, products=products, account=shop.grandchild)

    assert prices[products[1].pk].source.kind is SourceKind.GROUP


@pytest.mark.django_db
def test_tier_table_for_one_product(shop: Shop) -> None:
    web = PriceListFactory(organization=shop.organization, code="WEB")
    for minimum, price in ((1, "1.00"), (100, "0.90"), (1000, "0.80")):
        PriceListEntryFactory(price_list=web, product=shop.bolt, min_quantity=D(minimum), price=D(price))
    contract = PriceListFactory(organization=shop.organization, code="K")
    PriceListEntryFactory(price_list=contract, product=shop.bolt, min_quantity=D(1), price=D("0.95"))
    PriceListEntryFactory(price_list=contract, product=shop.bolt, min_quantity=D(500), price=D("0.85"))
    PriceAssignmentFactory(price_list=web, website=shop.website)
    ContractFactory(account=shop.child, price_list=contract)

    buyer_tiers = tier_table(actor=shop.buyer_actor, product=shop.bolt)
    list_tiers = tier_table(actor=shop.staff, product=shop.bolt)
    box_tiers = tier_table(actor=shop.staff, product=shop.bolt, uom="BX")

    assert [(t.min_quantity, t.unit_price, t.price_list_code) for t in buyer_tiers] == [
        (D(1), D("0.95"), "K"),
        (D(500), D("0.85"), "K"),
    ]
    assert [(t.min_quantity, t.unit_price) for t in list_tiers] == [
        (D(1), D("1.00")),
        (D(100), D("0.90")),
        (D(1000), D("0.80")),
    ]
    # 100 EA is 9 boxes (rounded up); 1,000 EA is 84 boxes.
    assert [(t.min_quantity, t.unit_price) for t in box_tiers] == [
        (D(1), D("12.00")),
        (D(9), D("10.80")),
        (D(84), D("9.60")),
    ]


@pytest.mark.django_db
def test_price_lists_are_for_staff_only(shop: Shop, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]  # pytest-django fixture
    web = PriceListFactory(organization=shop.organization, code="WEB")
    PriceListEntryFactory(price_list=web, product=shop.bolt)
    PriceListEntryFactory(price_list=web, product=shop.hammer)
    PriceListFactory(code="FOREIGN")
    staff = shop.staff

    with django_assert_num_queries(1):  # lists with their entry counts
        rows = [(row.code, row.entry_count) for row in list_price_lists(actor=staff)]
    with django_assert_num_queries(2):  # the list, its entries with products
        entries = [entry.product.sku for entry in list_price_entries(actor=staff, price_list=web)]

    assert rows == [("WEB", 2)] and entries == ["BOLT", "HAMMER"]
    assert list(list_price_lists(actor=shop.buyer_actor)) == []
    with pytest.raises(PriceListNotFound):
        get_price_list(actor=shop.buyer_actor, reference="WEB")
    assert get_price_list(actor=staff, reference=str(web.pk)) == web


@pytest.mark.django_db
def test_contracts_are_scoped_to_the_actors_accounts(shop: Shop) -> None:
    ContractFactory(account=shop.child, number="K-CHILD")
    ContractFactory(account=shop.sibling, number="K-SIBLING")

    assert [c.number for c in list_contracts(actor=shop.buyer_actor)] == ["K-CHILD"]
    assert [c.number for c in list_contracts(actor=shop.staff)] == ["K-CHILD", "K-SIBLING"]


@pytest.mark.django_db
def test_price_changes_read_newest_first(shop: Shop, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]  # pytest-django fixture
    web = PriceListFactory(organization=shop.organization, code="WEB")
    upsert_price_entries(actor=shop.staff, price_list=web, rows=[EntryRow(sku="BOLT", price=D(1))])
    upsert_price_entries(actor=shop.staff, price_list=web, rows=[EntryRow(sku="BOLT", price=D(2))])
    staff = shop.staff

    with django_assert_num_queries(1):
        changes = [
            (c.old_price, c.new_price, c.changed_by.email)
            for c in list_price_changes(actor=staff, product=shop.bolt)
        ]

    assert changes == [(D(1), D(2), shop.admin.user.email), (None, D(1), shop.admin.user.email)]
