"""The pricing engine's rules, table-driven, without a database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from meridian.pricing import engine
from meridian.pricing.engine import PromotionKind as K
from meridian.pricing.engine import SourceKind as S
from meridian.pricing.engine import Stacking
from meridian.pricing.errors import LINE_NO_PRICE
from tests.pricing.engine_builders import (
    NOW,
    TODAY,
    d,
    entry,
    line,
    price_list,
    price_one,
    promotion,
    request,
    source,
    website,
)

TIERS = price_list(1, entry("10.00", 1), entry("9.00", 10), entry("8.00", 100))


@pytest.mark.parametrize(
    ("quantity", "unit_price", "tier"),
    [
        ("1", "10.00", "1"),
        ("9.999", "10.00", "1"),
        ("10", "9.00", "10"),
        ("99", "9.00", "10"),
        ("100", "8.00", "100"),
        ("5000", "8.00", "100"),
    ],
)
def test_the_largest_tier_the_quantity_reaches_sets_the_price(
    quantity: str, unit_price: str, tier: str
) -> None:
    priced = price_one(line(quantity), [website(TIERS)])

    assert priced.unit_price == d(unit_price)
    assert priced.source is not None
    assert priced.source.tier_min_quantity == d(tier)


def test_a_quantity_below_every_tier_falls_through_to_the_next_source() -> None:
    only_bulk = price_list(1, entry("7.00", 50))
    fallback = price_list(2, entry("10.00"))

    priced = price_one(line(5), [source(S.GROUP, only_bulk), website(fallback)])

    assert priced.unit_price == d("10.00")
    assert priced.source is not None and priced.source.kind is S.WEBSITE


def test_a_tier_never_raises_the_price_even_when_entered_higher() -> None:
    inverted = price_list(1, entry("10.00", 1), entry("12.00", 10))

    priced = price_one(line(20), [website(inverted)])

    assert priced.unit_price == d("10.00")
    assert priced.source is not None and priced.source.tier_min_quantity == d(10)


@pytest.mark.parametrize(
    ("entries", "quantity", "uom", "factor", "unit_price", "tier_uom", "converted"),
    [
        # An entry in the requested unit wins.
        ((entry("100.00", 1, uom="BX"), entry("9.00", 1)), "2", "BX", 12, "100.00", "BX", False),
        # Otherwise the base-unit entry converts: price x factor, tier on base quantity (2 BX = 24 EA).
        ((entry("9.00", 1), entry("8.50", 24)), "2", "BX", 12, "102.000", "EA", True),
        ((entry("9.00", 1), entry("8.50", 24)), "1", "BX", 12, "108.00", "EA", True),
        # A requested-unit tier that is not reached falls back to the converted base unit.
        ((entry("95.00", 5, uom="BX"), entry("9.00", 1)), "1", "BX", 12, "108.00", "EA", True),
        ((entry("95.00", 5, uom="BX"), entry("9.00", 1)), "5", "BX", 12, "95.00", "BX", False),
        # Fractional factors (a 0.5 kg pack of a product sold per kg).
        ((entry("20.00", 1, uom="EA"),), "3", "PK", "0.5", "10.000", "EA", True),
    ],
)
def test_unit_conversion(
    entries: tuple[engine.Entry, ...],
    quantity: str,
    uom: str,
    factor: str | int,
    unit_price: str,
    tier_uom: str,
    converted: bool,
) -> None:
    priced = price_one(line(quantity, uom=uom, factor=factor), [website(price_list(1, *entries))])

    assert priced.unit_price == d(unit_price)
    assert priced.source is not None
    assert (priced.source.tier_uom, priced.source.converted_from_base_uom) == (tier_uom, converted)


def test_a_unit_with_no_entry_and_no_base_entry_is_not_priced() -> None:
    priced = price_one(line(1, uom="BX", factor=12), [website(price_list(1, entry("50", uom="PL")))])

    assert priced.error == LINE_NO_PRICE
    assert priced.unit_price is None and priced.line_total is None


JUNE = date(2026, 6, 1)
JULY = date(2026, 7, 1)


@pytest.mark.parametrize(
    ("entries", "today", "unit_price"),
    [
        # Overlapping windows for the same tier: the latest valid_from wins.
        ((entry("10.00"), entry("11.00", valid_from=JUNE)), TODAY, "11.00"),
        ((entry("10.00"), entry("11.00", valid_from=JULY)), TODAY, "10.00"),
        ((entry("10.00", valid_from=JUNE), entry("12.00", valid_from=date(2026, 6, 10))), TODAY, "12.00"),
        # An entry's window is inclusive at both ends.
        ((entry("10.00", valid_to=TODAY),), TODAY, "10.00"),
        ((entry("10.00", valid_from=TODAY),), TODAY, "10.00"),
        ((entry("10.00", valid_to=TODAY - timedelta(days=1)),), TODAY, None),
        # An expired promotional entry reveals the regular one.
        ((entry("10.00"), entry("8.00", valid_from=JUNE, valid_to=date(2026, 6, 14))), TODAY, "10.00"),
    ],
)
def test_entry_validity_windows(
    entries: tuple[engine.Entry, ...], today: date, unit_price: str | None
) -> None:
    priced = price_one(line(1), [website(price_list(1, *entries))], today=today)

    assert priced.unit_price == (d(unit_price) if unit_price else None)


@pytest.mark.parametrize(
    ("list_window", "contract_window", "expected_kind"),
    [
        ((None, None), (None, None), S.CONTRACT),
        ((None, TODAY - timedelta(days=1)), (None, None), S.WEBSITE),  # the list expired
        ((TODAY + timedelta(days=1), None), (None, None), S.WEBSITE),  # the list starts tomorrow
        ((None, None), (None, TODAY - timedelta(days=1)), S.WEBSITE),  # the contract expired
        ((None, None), (TODAY, TODAY), S.CONTRACT),  # a one-day contract, today
    ],
)
def test_list_and_contract_windows(
    list_window: tuple[date | None, date | None],
    contract_window: tuple[date | None, date | None],
    expected_kind: S,
) -> None:
    contract_list = price_list(1, entry("7.00"), valid_from=list_window[0], valid_to=list_window[1])
    contract = source(
        S.CONTRACT, contract_list, contract_id=5, valid_from=contract_window[0], valid_to=contract_window[1]
    )

    priced = price_one(line(1), [contract, website(price_list(2, entry("10.00")))])

    assert priced.source is not None and priced.source.kind is expected_kind


def test_an_inactive_list_or_one_in_another_currency_is_ignored() -> None:
    inactive = price_list(1, entry("5.00"), is_active=False)
    euros = price_list(2, entry("4.00"), currency="EUR")

    priced = price_one(
        line(1), [source(S.GROUP, inactive), source(S.GROUP, euros), website(price_list(3, entry("10")))]
    )

    assert (
        priced.unit_price == d("10") and priced.source is not None and priced.source.price_list_code == "L3"
    )


CHAIN = [
    source(S.CONTRACT, price_list(1, entry("9.50", 1), entry("9.40", 100)), contract_id=1),
    source(S.GROUP, price_list(2, entry("9.00", 1), entry("8.00", 50))),
    website(price_list(3, entry("10.00", 1), entry("7.50", 500))),
]


@pytest.mark.parametrize(
    ("strategy", "quantity", "unit_price", "list_code"),
    [
        (engine.Strategy.PRIORITY, "1", "9.50", "L1"),
        (engine.Strategy.PRIORITY, "100", "9.40", "L1"),  # tiers from the winning list only
        (engine.Strategy.PRIORITY, "1000", "9.40", "L1"),
        (engine.Strategy.BEST_PRICE, "1", "9.00", "L2"),
        (engine.Strategy.BEST_PRICE, "50", "8.00", "L2"),
        (engine.Strategy.BEST_PRICE, "500", "7.50", "L3"),
    ],
)
def test_strategies(strategy: engine.Strategy, quantity: str, unit_price: str, list_code: str) -> None:
    priced = price_one(line(quantity), CHAIN, strategy=strategy)

    assert priced.unit_price == d(unit_price)
    assert priced.source is not None and priced.source.price_list_code == list_code


def test_best_price_ties_go_to_the_earlier_source() -> None:
    sources = [source(S.GROUP, price_list(1, entry("9.00"))), website(price_list(2, entry("9.00")))]

    priced = price_one(line(1), sources, strategy=engine.Strategy.BEST_PRICE)

    assert priced.source is not None and priced.source.kind is S.GROUP


@pytest.mark.parametrize(
    ("rounding", "cost", "multiplier", "percent", "expected"),
    [
        (engine.Rounding.ENDS_99, "10.00", "1.25", "0", "12.99"),  # 12.50 up to .99
        (engine.Rounding.ENDS_99, "10.392", "1.25", "0", "12.99"),  # 12.99 exactly stays
        (engine.Rounding.ENDS_99, "10.40", "1.25", "0", "13.99"),  # 13.00 goes up to 13.99
        (engine.Rounding.ENDS_95, "10.00", "1.25", "0", "12.95"),
        (engine.Rounding.ENDS_95, "10.37", "1.25", "0", "13.95"),  # 12.9625 passes .95
        (engine.Rounding.CENTS, "10.003", "1.25", "0", "12.50"),  # 12.50375 half-up to cents
        (engine.Rounding.CENTS, "10.004", "1.25", "0", "12.51"),  # 12.505
        (engine.Rounding.NONE, "10.003", "1.25", "0", "12.50375"),
        (engine.Rounding.NONE, "10.00", "1", "-8", "9.2000"),
        (engine.Rounding.CENTS, "10.00", "2", "10", "22.00"),  # multiplier, then percent
    ],
)
def test_cost_rules_derive_and_round(
    rounding: engine.Rounding, cost: str, multiplier: str, percent: str, expected: str
) -> None:
    rule = engine.Rule(
        rule_id=9, base=engine.RuleBase.COST, multiplier=d(multiplier), percent=d(percent), rounding=rounding
    )

    priced = price_one(line(1, cost=cost), [website(price_list(1, rules=[rule]))])

    assert priced.unit_price == d(expected)
    assert priced.source is not None and priced.source.rule_id == 9 and priced.source.entry_id is None


def test_cost_rounding_to_an_ending_rounds_to_the_minor_unit_for_whole_unit_currencies() -> None:
    rule = engine.Rule(
        rule_id=1, base=engine.RuleBase.COST, multiplier=d("1.25"), rounding=engine.Rounding.ENDS_99
    )

    assert engine.derive_price(d("1001"), rule, "JPY") == d("1251")


GOLD_RULE = engine.Rule(
    rule_id=31, base=engine.RuleBase.PRICE_LIST, base_list_id=10, percent=d(-8), category_path="0002"
)
BASE = price_list(10, entry("10.00", 1), entry("9.00", 10))


@pytest.mark.parametrize(
    ("category_path", "quantity", "unit_price", "kind"),
    [
        ("0002", "1", "9.2000", S.GROUP),  # Fasteners: base list -8%
        ("00020005", "1", "9.2000", S.GROUP),  # a subcategory of Fasteners
        ("00020005", "10", "8.2800", S.GROUP),  # the base list's tiers carry through
        ("0003", "1", "10.00", S.WEBSITE),  # outside the category: no virtual entry, next source
    ],
)
def test_a_group_list_derived_from_the_base_list_for_a_category(
    category_path: str, quantity: str, unit_price: str, kind: S
) -> None:
    gold = price_list(20, rules=[GOLD_RULE])

    priced = price_one(
        line(quantity, category_path=category_path), [source(S.GROUP, gold), website(BASE)], base_lists=[BASE]
    )

    assert priced.unit_price == d(unit_price)
    assert priced.source is not None and priced.source.kind is kind
    if kind is S.GROUP:
        assert priced.source.rule_id == 31 and priced.source.base_entry_id is not None


def test_stored_entries_beat_the_lists_rules_for_the_same_product() -> None:
    gold = price_list(20, entry("9.99"), rules=[GOLD_RULE])

    priced = price_one(line(1, category_path="0002"), [source(S.GROUP, gold)], base_lists=[BASE])

    assert priced.unit_price == d("9.99") and priced.source is not None and priced.source.rule_id is None


def test_the_most_specific_rule_wins() -> None:
    everything = engine.Rule(rule_id=1, base=engine.RuleBase.COST, multiplier=d(2))
    category = engine.Rule(rule_id=2, base=engine.RuleBase.COST, multiplier=d(3), category_path="0001")
    product = engine.Rule(rule_id=3, base=engine.RuleBase.COST, multiplier=d(4), product_id=1)

    def unit(*rules: engine.Rule) -> Decimal | None:
        return price_one(line(1, cost="1"), [website(price_list(1, rules=rules))]).unit_price

    assert (unit(everything), unit(everything, category), unit(everything, category, product)) == (2, 3, 4)


def test_rules_chain_through_a_second_list() -> None:
    cost_list = price_list(
        11,
        rules=[
            engine.Rule(
                rule_id=1, base=engine.RuleBase.COST, multiplier=d("1.25"), rounding=engine.Rounding.ENDS_99
            )
        ],
    )
    gold = price_list(
        20, rules=[engine.Rule(rule_id=2, base=engine.RuleBase.PRICE_LIST, base_list_id=11, percent=d(-10))]
    )

    priced = price_one(line(1, cost="10"), [source(S.GROUP, gold)], base_lists=[cost_list])

    assert priced.unit_price == d("11.691")  # 12.99 - 10%


def test_customer_specific_price_comes_first_and_names_the_part_number() -> None:
    own = engine.PriceList(list_id=None, code="", currency="USD", entries=(entry("8.00", entry_id=77),))

    priced = price_one(
        line(1, part_number="ACME-1"),
        [source(S.CUSTOMER_PRICE, own), *CHAIN],
        strategy=engine.Strategy.PRIORITY,
    )

    assert priced.unit_price == d("8.00")
    assert priced.source is not None
    assert (priced.source.kind, priced.source.entry_id, priced.source.part_number) == (
        S.CUSTOMER_PRICE,
        77,
        "ACME-1",
    )


def test_list_price_is_the_website_lists_price_for_one_unit() -> None:
    priced = price_one(line(600), CHAIN)

    assert priced.list_price == d("10.00")
    assert price_one(line(1, uom="BX", factor=12), CHAIN).list_price == d("120.00")
    assert price_one(line(1), CHAIN[:2]).list_price is None


@pytest.mark.parametrize(
    ("unit_price", "quantity", "line_total"),
    [
        ("0.125", "1", "0.13"),  # half-up at the line total
        ("0.125", "3", "0.38"),  # 0.375
        ("0.1249", "1", "0.12"),
        ("0.3333", "3", "1.00"),  # 0.9999
        ("19.995", "1", "20.00"),
        ("1.005", "1", "1.01"),
    ],
)
def test_line_totals_round_half_up_once(unit_price: str, quantity: str, line_total: str) -> None:
    priced = price_one(line(quantity), [website(price_list(1, entry(unit_price)))])

    assert priced.line_total == d(line_total)


def test_whole_unit_currencies_round_to_whole_units() -> None:
    priced = price_one(line(3), [website(price_list(1, entry("100.5"), currency="JPY"))], currency="JPY")

    assert priced.line_total == d("302")


# --------------------------------------------------------------------------- promotions

PLAIN = [website(price_list(1, entry("10.00"), entry("10.00", product_id=2)))]


@pytest.mark.parametrize(
    ("promo", "quantity", "line_total", "discount"),
    [
        (promotion(1, K.PERCENT_OFF_LINE, 10), "3", "27.00", "3.00"),
        (promotion(1, K.PERCENT_OFF_LINE, "33.333"), "1", "6.67", "3.33"),
        (promotion(1, K.AMOUNT_OFF_LINE, 4), "3", "26.00", "4.00"),
        (promotion(1, K.AMOUNT_OFF_LINE, 50), "3", "0.00", "30.00"),  # never below zero
        (promotion(1, K.FIXED_PRICE, "7.50"), "4", "30.00", "10.00"),
        (promotion(1, K.FIXED_PRICE, "12.00"), "4", "40.00", None),  # never raises a price
        (promotion(1, K.BUY_X_GET_Y, 0, buy_quantity=d(2), get_quantity=d(1)), "7", "50.00", "20.00"),
        (promotion(1, K.BUY_X_GET_Y, 0, buy_quantity=d(2), get_quantity=d(1)), "2", "20.00", None),
    ],
)
def test_line_promotion_kinds(
    promo: engine.Promotion, quantity: str, line_total: str, discount: str | None
) -> None:
    priced = price_one(line(quantity), PLAIN, promotions=[promo])

    assert priced.line_total == d(line_total)
    assert [a.amount for a in priced.discounts] == ([d(discount)] if discount else [])
    assert priced.source is not None and priced.source.promotions == priced.discounts


def test_fixed_price_is_per_base_unit() -> None:
    priced = price_one(line(2, uom="BX", factor=12), PLAIN, promotions=[promotion(1, K.FIXED_PRICE, "8.00")])

    assert priced.unit_price == d("120.00") and priced.line_total == d("192.00")


@pytest.mark.parametrize(
    ("conditions", "applies"),
    [
        ({}, True),
        ({"website_id": 1}, True),
        ({"website_id": 2}, False),
        ({"customer_group_id": 3}, True),
        ({"customer_group_id": 4}, False),
        ({"account_path": "0001"}, True),  # the buyer's ancestor: its subtree holds the buyer
        ({"account_path": "00010002"}, True),
        ({"account_path": "00010003"}, False),
        ({"category_path": "0001"}, True),
        ({"category_path": "00010001"}, False),
        ({"product_id": 1}, True),
        ({"product_id": 2}, False),
        ({"min_quantity": d(3)}, True),  # base units: 3 EA
        ({"min_quantity": d(4)}, False),
        ({"min_line_amount": d("30.00")}, True),
        ({"min_line_amount": d("30.01")}, False),
        ({"min_order_amount": d("30.00")}, True),
        ({"min_order_amount": d("30.01")}, False),
        ({"starts_at": NOW}, True),  # inclusive start
        ({"ends_at": NOW}, False),  # exclusive end
        ({"starts_at": NOW + timedelta(seconds=1)}, False),
        ({"ends_at": NOW + timedelta(seconds=1)}, True),
        ({"coupon_code": "SAVE"}, False),  # no code given
        ({"currency": "EUR"}, False),
    ],
)
def test_promotion_conditions(conditions: dict[str, object], applies: bool) -> None:
    promo = promotion(1, K.PERCENT_OFF_LINE, 10, **conditions)

    priced = price_one(line(3), PLAIN, promotions=[promo])

    assert bool(priced.discounts) is applies


def test_a_coupon_promotion_applies_when_its_code_was_given() -> None:
    promo = promotion(1, K.PERCENT_OFF_LINE, 10, coupon_code="SAVE")

    priced = price_one(line(1), PLAIN, promotions=[promo], coupon_codes=frozenset({"SAVE"}))

    assert priced.discounts[0].coupon_code == "SAVE"


def _total(promotions: list[engine.Promotion], *lines: engine.Line) -> engine.PricingResult:
    return engine.price_cart(request(list(lines) or [line(10)], PLAIN, promotions=promotions))


@pytest.mark.parametrize(
    ("promotions", "line_total", "applied_ids"),
    [
        # Stackables apply together in priority order, each on what is left: 100 -10% = 90, -5 = 85.
        (
            [
                promotion(1, K.PERCENT_OFF_LINE, 10, priority=1),
                promotion(2, K.AMOUNT_OFF_LINE, 5, priority=2),
            ],
            "85.00",
            [1, 2],
        ),
        # Reverse priorities: 100 -5 = 95, -10% = 85.50.
        (
            [
                promotion(1, K.PERCENT_OFF_LINE, 10, priority=2),
                promotion(2, K.AMOUNT_OFF_LINE, 5, priority=1),
            ],
            "85.50",
            [2, 1],
        ),
        # An exclusive applies alone; it wins when it beats the stack (20% > 10% + 5).
        (
            [
                promotion(1, K.PERCENT_OFF_LINE, 10),
                promotion(2, K.AMOUNT_OFF_LINE, 5),
                promotion(3, K.PERCENT_OFF_LINE, 20, stacking=Stacking.EXCLUSIVE),
            ],
            "80.00",
            [3],
        ),
        # ...and loses when the stack is better.
        (
            [
                promotion(1, K.PERCENT_OFF_LINE, 10),
                promotion(2, K.AMOUNT_OFF_LINE, 15),
                promotion(3, K.PERCENT_OFF_LINE, 20, stacking=Stacking.EXCLUSIVE),
            ],
            "75.00",
            [1, 2],
        ),
        # Two exclusives never combine: the better one alone.
        (
            [
                promotion(1, K.PERCENT_OFF_LINE, 10, stacking=Stacking.EXCLUSIVE),
                promotion(2, K.PERCENT_OFF_LINE, 15, stacking=Stacking.EXCLUSIVE),
            ],
            "85.00",
            [2],
        ),
        # Equal totals: the plan led by the lower priority number wins.
        (
            [
                promotion(1, K.PERCENT_OFF_LINE, 10, stacking=Stacking.EXCLUSIVE, priority=5),
                promotion(2, K.AMOUNT_OFF_LINE, 10, stacking=Stacking.EXCLUSIVE, priority=3),
            ],
            "90.00",
            [2],
        ),
    ],
)
def test_stacking_and_exclusivity(
    promotions: list[engine.Promotion], line_total: str, applied_ids: list[int]
) -> None:
    result = _total(promotions)

    assert result.lines[0].line_total == d(line_total)
    assert [a.promotion_id for a in result.lines[0].discounts] == applied_ids


def test_order_promotions_apply_to_the_subtotal_after_line_promotions() -> None:
    promotions = [
        promotion(1, K.PERCENT_OFF_LINE, 10),
        promotion(2, K.PERCENT_OFF_ORDER, 5),
        promotion(3, K.AMOUNT_OFF_ORDER, 2),
    ]

    result = _total(promotions, line(10), line(5, product_id=2))

    assert result.subtotal == d("135.00")
    assert [(a.promotion_id, a.amount) for a in result.order_adjustments] == [(2, d("6.75")), (3, d("2.00"))]
    assert result.total == d("126.25")


def test_an_exclusive_order_promotion_replaces_every_other_promotion_when_it_is_better() -> None:
    promotions = [
        promotion(1, K.PERCENT_OFF_LINE, 10),
        promotion(2, K.PERCENT_OFF_ORDER, 25, stacking=Stacking.EXCLUSIVE),
    ]

    result = _total(promotions, line(10))

    assert result.lines[0].discounts == () and result.lines[0].line_total == d("100.00")
    assert [a.promotion_id for a in result.order_adjustments] == [2]
    assert result.total == d("75.00")


def test_lines_discounted_by_an_exclusive_promotion_are_left_out_of_stackable_order_discounts() -> None:
    promotions = [
        promotion(1, K.PERCENT_OFF_LINE, 50, stacking=Stacking.EXCLUSIVE, product_id=1),
        promotion(2, K.PERCENT_OFF_ORDER, 10),
    ]

    result = _total(promotions, line(10), line(10, product_id=2))

    assert result.order_adjustments[0].amount == d("10.00")  # 10% of the second line only
    assert result.total == d("140.00")


def test_order_promotion_with_a_category_condition_needs_a_matching_line() -> None:
    promo = promotion(1, K.AMOUNT_OFF_ORDER, 5, category_path="0009")

    assert _total([promo], line(1)).order_adjustments == ()
    assert _total([promo], line(1, category_path="00090001")).order_adjustments[0].amount == d("5.00")


def test_contract_final_lines_get_no_promotions_and_are_left_out_of_order_discounts() -> None:
    final = source(S.CONTRACT, price_list(5, entry("10.00")), contract_id=9, final=True)
    sources = [final, website(price_list(1, entry("10.00", product_id=2)))]
    promotions = [promotion(1, K.PERCENT_OFF_LINE, 10), promotion(2, K.PERCENT_OFF_ORDER, 10)]

    result = engine.price_cart(request([line(10), line(10, product_id=2)], sources, promotions=promotions))

    contract_line, other = result.lines
    assert contract_line.discounts == () and contract_line.line_total == d("100.00")
    assert contract_line.source is not None and contract_line.source.prices_are_final
    assert other.line_total == d("90.00")
    assert result.order_adjustments[0].amount == d("9.00")


def test_unpriced_lines_stay_out_of_the_totals_and_keep_their_position() -> None:
    result = engine.price_cart(request([line(1, product_id=99), line(2)], PLAIN))

    assert [priced.error for priced in result.lines] == [LINE_NO_PRICE, None]
    assert result.total == d("20.00")


def test_tier_breaks_follow_the_strategy() -> None:
    breaks = engine.tier_breaks(request([line(1)], CHAIN, strategy=engine.Strategy.BEST_PRICE), line(1))

    assert [(b.min_quantity, b.unit_price, b.kind) for b in breaks] == [
        (d(1), d("9.00"), S.GROUP),
        (d(50), d("8.00"), S.GROUP),
        (d(500), d("7.50"), S.WEBSITE),
    ]


@pytest.mark.parametrize(
    ("basis_before", "line_basis", "rate", "amount"),
    [
        ("0", "500", "0", "0.00"),
        ("0", "1000", "1", "10.00"),  # a threshold is reached at equality
        ("900", "200", "1", "10.00"),  # the line that crosses earns the new rate
        ("5000", "1000", "2", "20.00"),
    ],
)
def test_rebate_for_a_line(basis_before: str, line_basis: str, rate: str, amount: str) -> None:
    tiers = [engine.RebateTier(d(1000), d(1)), engine.RebateTier(d(5000), d(2))]

    earned = engine.rebate_for_line(
        basis_before=d(basis_before),
        line_basis=d(line_basis),
        line_total=d(1000),
        tiers=tiers,
        currency="USD",
    )

    assert earned == (d(rate), d(amount))


def test_now_is_an_input() -> None:
    later = datetime(2030, 1, 1, tzinfo=UTC)
    promo = promotion(1, K.PERCENT_OFF_LINE, 10, ends_at=datetime(2029, 1, 1, tzinfo=UTC))

    assert price_one(line(1), PLAIN, promotions=[promo], now=later).discounts == ()
