"""The per-process cache of the price chain (queries.cache): fewer queries warm, never a stale price.

Every write to an input of the chain, through whichever path (services, a model's save() as the
admin does, a queryset update as an import may), gives the pricing stamp a new value in the same
transaction (database triggers), so the very next resolution reads the chain again.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal as D

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from meridian.catalog.models import Category
from meridian.core.actor import Actor
from meridian.pricing.engine import PricedLine
from meridian.pricing.models import PriceList, PriceRule, PricingVersion, Promotion, Strategy
from meridian.pricing.queries import cache
from meridian.pricing.queries.cache import forget_chains
from meridian.pricing.services import (
    ContractInput,
    EntryRow,
    PriceLineRequest,
    PromotionInput,
    RuleInput,
    assign_price_list,
    create_contract,
    create_price_rule,
    create_promotion,
    resolve_prices,
    set_customer_price,
    set_pricing_strategy,
    upsert_price_entries,
)
from tests.pricing.conftest import Shop
from tests.pricing.factories import PriceAssignmentFactory, PriceListEntryFactory, PriceListFactory

# Staff, no coupon. Cold: account, website (with the stamp) and products with their part numbers in
# one statement (on SQLite: website, products, part numbers), assignments, contracts, rules, entries
# with customer prices, promotions. Warm: the chain and the automatic promotions come from the cache.
ON_SQLITE = 0 if connection.vendor == "postgresql" else 2
COLD_QUERIES = 7 + ON_SQLITE
WARM_QUERIES = 3 + ON_SQLITE


def _list(shop: Shop, code: str, bolt: str | None) -> PriceList:
    price_list = PriceListFactory(organization=shop.organization, code=code, currency="USD")
    if bolt is not None:
        PriceListEntryFactory(
            price_list=price_list, product=shop.bolt, uom="EA", min_quantity=D(1), price=D(bolt)
        )
    return price_list


def _bolt(shop: Shop, actor: Actor | None = None) -> PricedLine:
    result = resolve_prices(
        actor=actor or shop.staff, account=shop.child, lines=[PriceLineRequest(sku="BOLT", quantity=D(1))]
    )
    return result.lines[0]


@pytest.fixture
def world(shop: Shop) -> dict[str, PriceList]:
    """A website list (BOLT 10.00), and an account list without a BOLT price (rules may derive one)."""
    website = _list(shop, "WEB", "10.00")
    PriceAssignmentFactory(price_list=website, website=shop.website, priority=100)
    empty = _list(shop, "OWN", None)
    PriceAssignmentFactory(price_list=empty, account=shop.child, priority=1)
    return {"website": website, "own": empty}


@pytest.mark.django_db
def test_a_warm_resolution_skips_the_chain_queries_and_prices_the_same(
    world: dict[str, PriceList], shop: Shop, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]  # pytest-django fixture
    staff = shop.staff
    with django_assert_num_queries(COLD_QUERIES):
        cold = _bolt(shop, staff)
    with django_assert_num_queries(WARM_QUERIES):
        warm = _bolt(shop, staff)

    assert cold == warm
    assert (warm.unit_price, warm.source.price_list_code) == (D("10.00"), "WEB")


@pytest.mark.parametrize("lines", [1, 40])
@pytest.mark.django_db
def test_the_warm_count_is_flat(shop: Shop, lines: int, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]  # pytest-django fixture
    website = _list(shop, "WEB", None)
    PriceAssignmentFactory(price_list=website, website=shop.website)
    products = [shop.product(f"P{index}") for index in range(lines)]
    for product in products:
        PriceListEntryFactory(price_list=website, product=product, uom="EA", min_quantity=D(1), price=D("3"))
    cart = [PriceLineRequest(sku=product.sku, quantity=D(2)) for product in products]
    staff = shop.staff
    resolve_prices(actor=staff, account=shop.child, lines=cart)

    with django_assert_num_queries(WARM_QUERIES):
        result = resolve_prices(actor=staff, account=shop.child, lines=cart)

    assert [line.line_total for line in result.lines] == [D("6.00")] * lines


def _upsert_entry(shop: Shop, world: dict[str, PriceList]) -> None:
    upsert_price_entries(
        actor=shop.staff, price_list=world["website"], rows=[EntryRow(sku="BOLT", price=D("9.00"))]
    )


def _assign(shop: Shop, world: dict[str, PriceList]) -> None:
    assign_price_list(
        actor=shop.staff, price_list=_list(shop, "GROUP", "8.00"), customer_group=shop.gold, priority=1
    )


def _contract(shop: Shop, world: dict[str, PriceList]) -> None:
    data = ContractInput(number="K-1", account=shop.child, price_list=_list(shop, "K", "7.00"))
    create_contract(actor=shop.staff, data=data)


def _rule(shop: Shop, world: dict[str, PriceList]) -> None:
    data = RuleInput(base=PriceRule.Base.COST, multiplier=D("1.25"), rounding=PriceRule.Rounding.ENDS_99)
    create_price_rule(actor=shop.staff, price_list=world["own"], data=data)


def _customer_price(shop: Shop, world: dict[str, PriceList]) -> None:
    set_customer_price(
        actor=shop.staff, account=shop.child, product=shop.bolt, price=D("6.00"), currency="USD"
    )


def _strategy(shop: Shop, world: dict[str, PriceList]) -> None:
    PriceListEntryFactory(
        price_list=world["own"], product=shop.bolt, uom="EA", min_quantity=D(1), price=D("12.00")
    )
    forget_chains()  # the entry above is live anyway; start warm from the 12.00 of the own list
    assert _bolt(shop).unit_price == D("12.00")
    set_pricing_strategy(actor=shop.staff, website=shop.website, strategy=Strategy.BEST_PRICE)


def _admin_save(shop: Shop, world: dict[str, PriceList]) -> None:
    group = _list(shop, "GROUP", "8.00")
    PriceAssignmentFactory(price_list=group, customer_group=shop.gold, priority=1)
    assert _bolt(shop).unit_price == D("8.00")
    group.is_active = False
    group.save()  # what the admin's change form does


def _sql_update(shop: Shop, world: dict[str, PriceList]) -> None:
    PriceList.objects.filter(pk=world["website"].pk).update(currency="EUR")  # as an import might


@pytest.mark.parametrize(
    ("write", "unit_price", "line_total"),
    [
        (_upsert_entry, "9.00", "9.00"),
        (_assign, "8.00", "8.00"),
        (_contract, "7.00", "7.00"),
        (_rule, "5.99", "5.99"),  # cost 4.00 x 1.25 = 5.00, raised to end in .99
        (_customer_price, "6.00", "6.00"),
        (_strategy, "10.00", "10.00"),  # best price: the website list's 10.00 beats the own 12.00
        (_admin_save, "10.00", "10.00"),
        (_sql_update, None, None),  # the website list is no longer in dollars: nothing prices BOLT
    ],
)
@pytest.mark.django_db
def test_a_write_through_any_path_is_what_the_next_warm_resolution_returns(
    world: dict[str, PriceList],
    shop: Shop,
    write: Callable[[Shop, dict[str, PriceList]], None],
    unit_price: str | None,
    line_total: str | None,
) -> None:
    assert _bolt(shop).unit_price == D("10.00")  # the chain is now cached

    write(shop, world)
    line = _bolt(shop)

    assert line.unit_price == (D(unit_price) if unit_price else None)
    assert line.line_total == (D(line_total) if line_total else None)


@pytest.mark.django_db
def test_a_new_automatic_promotion_applies_to_the_next_warm_resolution(
    world: dict[str, PriceList], shop: Shop
) -> None:
    assert _bolt(shop).line_total == D("10.00")

    create_promotion(
        actor=shop.staff,
        data=PromotionInput(
            name="Ten off", kind=Promotion.Kind.PERCENT_OFF_LINE, value=D(10), currency="USD"
        ),
    )

    assert _bolt(shop).line_total == D("9.00")


@pytest.mark.django_db
def test_what_a_rolled_back_transaction_cached_is_never_served(
    world: dict[str, PriceList], shop: Shop
) -> None:
    assert _bolt(shop).unit_price == D("10.00")

    with pytest.raises(RuntimeError), transaction.atomic():
        _assign(shop, world)
        assert _bolt(shop).unit_price == D("8.00")  # cached under the transaction's own stamp
        raise RuntimeError("roll back")

    assert _bolt(shop).unit_price == D("10.00")


@pytest.mark.django_db
def test_every_chain_write_gives_the_stamp_a_new_value_and_per_order_tables_do_not(
    world: dict[str, PriceList], shop: Shop
) -> None:
    seen = {PricingVersion.objects.get(pk=1).version}
    for write in (_assign, _contract, _rule):
        write(shop, world)
        seen.add(PricingVersion.objects.get(pk=1).version)
    before = PricingVersion.objects.get(pk=1).version
    _upsert_entry(shop, world)  # entries are read live: no new stamp, the cache stays warm
    _customer_price(shop, world)

    assert len(seen) == 4
    assert PricingVersion.objects.get(pk=1).version == before


@pytest.mark.django_db
def test_a_rule_follows_its_category_when_the_category_moves(world: dict[str, PriceList], shop: Shop) -> None:
    data = RuleInput(base=PriceRule.Base.COST, multiplier=D(2), category=shop.fasteners)
    create_price_rule(actor=shop.staff, price_list=world["own"], data=data)
    assert _bolt(shop).unit_price == D("8.00")  # BOLT is a fastener: cost 4.00 x 2

    Category.objects.move(shop.fasteners, shop.tools, "first-child")  # every path below it changes

    assert _bolt(shop).unit_price == D("8.00")  # not the website's 10.00: the rule's path is the new one


@pytest.mark.django_db
def test_the_cache_is_bounded(
    world: dict[str, PriceList], shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache.chains, "size", 2)
    _bolt(shop)  # chain and promotions: 2 entries
    resolve_prices(
        actor=shop.staff, account=shop.sibling, lines=[PriceLineRequest(sku="BOLT", quantity=D(1))]
    )

    assert len(cache.chains) == 2


@pytest.mark.postgres
@pytest.mark.django_db
def test_on_postgresql_the_stamp_comes_with_the_website(world: dict[str, PriceList], shop: Shop) -> None:
    staff = shop.staff
    with CaptureQueriesContext(connection) as captured:
        _bolt(shop, staff)

    (stamped,) = [q["sql"] for q in captured.captured_queries if '"pricing_pricingversion"' in q["sql"]]
    assert 'FROM "tenancy_website"' in stamped  # one statement: no extra round trip for the stamp
