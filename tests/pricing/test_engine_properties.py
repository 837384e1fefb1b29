"""Invariants of the pricing engine, checked on generated carts (hypothesis)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from meridian.core.money import round_money
from meridian.pricing import engine
from meridian.pricing.engine import PromotionKind as K
from meridian.pricing.engine import SourceKind as S
from tests.pricing.engine_builders import entry, line, price_list, promotion, request, source, website

prices = st.decimals(
    min_value=Decimal("0"), max_value=Decimal("9999"), places=4, allow_nan=False, allow_infinity=False
)
# At least the smallest tier (1): below it a list prices nothing, by design (docs/pricing.md).
quantities = st.decimals(min_value=Decimal("1"), max_value=Decimal("100000"), places=3)
tier_minimums = st.lists(
    st.decimals(min_value=Decimal("1"), max_value=Decimal("1000"), places=0),
    min_size=1,
    max_size=6,
    unique=True,
)


@st.composite
def tiered_lists(draw: st.DrawFn, list_id: int = 1) -> engine.PriceList:
    minimums = sorted(draw(tier_minimums))
    if minimums[0] != 1:
        minimums.insert(0, Decimal(1))
    return price_list(list_id, *(entry(str(draw(prices)), str(minimum)) for minimum in minimums))


@given(tiered_lists(), quantities, quantities)
def test_a_larger_quantity_never_raises_the_unit_price_within_one_list(
    pl: engine.PriceList, first: Decimal, second: Decimal
) -> None:
    small, large = sorted((first, second))

    result = engine.price_cart(request([line(str(small), key="a"), line(str(large), key="b")], [website(pl)]))

    small_line, large_line = result.lines
    if small_line.unit_price is not None:
        assert large_line.unit_price is not None
        assert large_line.unit_price <= small_line.unit_price


@given(tiered_lists(), quantities, st.sampled_from(["USD", "JPY", "KWD"]))
def test_without_promotions_the_line_total_is_the_rounded_unit_price_times_quantity(
    pl: engine.PriceList, quantity: Decimal, currency: str
) -> None:
    pl = engine.PriceList(pl.list_id, pl.code, currency, pl.entries)

    priced = engine.price_cart(request([line(str(quantity))], [website(pl)], currency=currency)).lines[0]

    assert priced.unit_price is not None and priced.line_total is not None
    assert priced.line_total == round_money(priced.unit_price * quantity, currency)


@given(st.lists(tiered_lists(), min_size=1, max_size=4), quantities)
def test_best_price_is_never_above_priority(lists: list[engine.PriceList], quantity: Decimal) -> None:
    sources = [source(S.GROUP, engine.PriceList(i, f"L{i}", "USD", pl.entries)) for i, pl in enumerate(lists)]
    cart = [line(str(quantity))]

    by_priority = engine.price_cart(request(cart, sources, strategy=engine.Strategy.PRIORITY)).lines[0]
    best = engine.price_cart(request(cart, sources, strategy=engine.Strategy.BEST_PRICE)).lines[0]

    assert by_priority.unit_price is not None and best.unit_price is not None
    assert best.unit_price <= by_priority.unit_price


promotion_sets = st.lists(
    st.tuples(
        st.sampled_from(
            [K.PERCENT_OFF_LINE, K.AMOUNT_OFF_LINE, K.FIXED_PRICE, K.PERCENT_OFF_ORDER, K.AMOUNT_OFF_ORDER]
        ),
        st.decimals(min_value=Decimal("0"), max_value=Decimal("100"), places=2),
        st.sampled_from(list(engine.Stacking)),
        st.integers(min_value=0, max_value=5),
    ),
    max_size=5,
)


@settings(max_examples=200)
@given(tiered_lists(), st.lists(quantities, min_size=1, max_size=5), promotion_sets)
def test_promotions_never_raise_a_total_nor_make_it_negative(
    pl: engine.PriceList, cart: list[Decimal], raw: list[tuple[K, Decimal, engine.Stacking, int]]
) -> None:
    lines = [line(str(quantity), key=str(index)) for index, quantity in enumerate(cart)]
    promotions = [
        promotion(index + 1, kind, str(value), stacking=stacking, priority=priority)
        for index, (kind, value, stacking, priority) in enumerate(raw)
    ]

    plain = engine.price_cart(request(lines, [website(pl)]))
    promoted = engine.price_cart(request(lines, [website(pl)], promotions=promotions))

    assert Decimal(0) <= promoted.total <= plain.total
    for before, after in zip(plain.lines, promoted.lines, strict=True):
        assert after.line_total is not None and before.line_total is not None
        assert Decimal(0) <= after.line_total <= before.line_total
        assert after.line_total == before.line_total - sum((a.amount for a in after.discounts), Decimal(0))
    assert promoted.total == promoted.subtotal - sum(
        (a.amount for a in promoted.order_adjustments), Decimal(0)
    )
