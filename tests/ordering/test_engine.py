"""The pure rules: no database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from meridian.ordering import engine
from meridian.ordering.engine import OrderStatus as S
from meridian.ordering.errors import InvalidTransition
from meridian.ordering.models import Order

D = Decimal


def test_stored_statuses_are_the_engines() -> None:
    assert set(Order.Status.values) == {status.value for status in S}
    assert set(Order.Hold.values) == {hold.value for hold in engine.Hold}


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (S.PENDING_APPROVAL, S.PLACED),
        (S.PENDING_APPROVAL, S.REJECTED),
        (S.PLACED, S.CANCELLED),
        (S.PLACED, S.SHIPPED),
        (S.BACKORDERED, S.PLACED),
        (S.PARTIALLY_SHIPPED, S.SHIPPED),
        (S.SHIPPED, S.DELIVERED),
        (S.DELIVERED, S.INVOICED),
        (S.INVOICED, S.CLOSED),
    ],
)
def test_allowed_transitions_pass(current: S, target: S) -> None:
    engine.check_transition(current, target)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (S.PLACED, S.DELIVERED),
        (S.PLACED, S.PENDING_APPROVAL),
        (S.SHIPPED, S.CANCELLED),
        (S.PARTIALLY_SHIPPED, S.CANCELLED),
        (S.CANCELLED, S.PLACED),
        (S.REJECTED, S.PLACED),
        (S.CLOSED, S.INVOICED),
        (S.PENDING_APPROVAL, S.SHIPPED),
    ],
)
def test_invalid_transitions_raise_invalid_transition(current: S, target: S) -> None:
    with pytest.raises(InvalidTransition) as excinfo:
        engine.check_transition(current, target)

    assert excinfo.value.code == "invalid_transition"
    assert (excinfo.value.current, excinfo.value.target) == (current, target)


def test_a_hold_stops_shipping_but_not_cancelling() -> None:
    with pytest.raises(InvalidTransition, match="credit_hold"):
        engine.check_transition(S.PLACED, S.SHIPPED, hold="credit_hold")
    engine.check_transition(S.PLACED, S.CANCELLED, hold="credit_hold")


def test_terminal_statuses_have_no_way_out() -> None:
    for status in (S.CLOSED, S.CANCELLED, S.REJECTED):
        assert engine.allowed_targets(status) == frozenset()


def test_status_after_allocation() -> None:
    full = engine.LineSupply(requested=D(5), supplied=D(5), backordered=D(0), cancelled=D(0))
    waiting = engine.LineSupply(requested=D(5), supplied=D(0), backordered=D(5), cancelled=D(0))
    half = engine.LineSupply(requested=D(5), supplied=D(2), backordered=D(3), cancelled=D(0))
    reduced = engine.LineSupply(requested=D(5), supplied=D(2), backordered=D(0), cancelled=D(3))

    assert engine.status_after_allocation([full, reduced]) == S.PLACED
    assert engine.status_after_allocation([waiting]) == S.BACKORDERED
    assert engine.status_after_allocation([full, waiting]) == S.PARTIALLY_ALLOCATED
    assert engine.status_after_allocation([half]) == S.PARTIALLY_ALLOCATED


def test_status_after_shipment() -> None:
    assert engine.status_after_shipment([D(0), D(0)]) == S.SHIPPED
    assert engine.status_after_shipment([D(0), D(2)]) == S.PARTIALLY_SHIPPED


@pytest.mark.parametrize(
    ("quantity", "factor", "minimum", "increment", "problem"),
    [
        (D(10), D(1), D(10), D(10), None),
        (D(20), D(1), D(10), D(10), None),
        (D(5), D(1), D(10), D(10), "5 EA is below the minimum order quantity of 10 EA"),
        (D(15), D(1), D(10), D(5), None),
        (D(12), D(1), D(10), D(5), "12 EA is not a multiple of the order increment of 5 EA"),
        (D(1), D(12), D(6), D(6), None),  # a box of 12 of a product sold by 6
        (D(1), D(12), D(1), D(5), "12 EA is not a multiple of the order increment of 5 EA"),
        (D("0.5"), D(1), D("0.5"), D("0.25"), None),
        (D(0), D(1), D(1), D(1), "must be greater than 0"),
        (D("0.0001"), D(1), D("0.0001"), D("0.0001"), "at most 3 decimals"),
    ],
)
def test_quantity_rules_are_in_the_base_unit(
    quantity: Decimal, factor: Decimal, minimum: Decimal, increment: Decimal, problem: str | None
) -> None:
    found = engine.quantity_problem(
        quantity=quantity, factor=factor, minimum=minimum, increment=increment, base_uom="EA"
    )

    assert found == problem


def test_parse_pasted_accepts_the_three_formats_and_numbers_lines_as_typed() -> None:
    text = "BOLT-M8, 5\n\nWASHER-8 20\nAB 123\t4\n# a comment\nBOLT-M8 2 bx\nnothing here\nX, -1\n"

    lines = engine.parse_pasted(text)

    assert [(line.line_number, line.reference, line.quantity, line.uom, line.error) for line in lines] == [
        (1, "BOLT-M8", D(5), "", ""),
        (3, "WASHER-8", D(20), "", ""),
        (4, "AB 123", D(4), "", ""),
        (6, "BOLT-M8", D(2), "BX", ""),
        (7, "nothing", None, "", "'here' is not a quantity"),
        (8, "X", D(-1), "", "quantity must be greater than 0"),
    ]


def test_parse_pasted_reports_a_missing_quantity() -> None:
    (line,) = engine.parse_pasted("BOLT-M8")

    assert line.error == "quantity missing"
    assert line.reference == "BOLT-M8"


def test_parse_csv_with_a_header_in_any_order_and_semicolons() -> None:
    text = "qty;unit;part_number\n5;BX;bolt-m8\n;EA;WASHER\n"

    lines = engine.parse_csv(text)

    assert [(line.line_number, line.reference, line.quantity, line.uom, line.error) for line in lines] == [
        (2, "bolt-m8", D(5), "BX", ""),
        (3, "WASHER", None, "", "quantity missing"),
    ]


def test_parse_csv_without_a_header() -> None:
    lines = engine.parse_csv('BOLT-M8,3\n"AB, 12",4,EA\n')

    assert [(line.reference, line.quantity, line.uom) for line in lines] == [
        ("BOLT-M8", D(3), ""),
        ("AB, 12", D(4), "EA"),
    ]


def test_shipping_cost_is_flat_plus_the_largest_band_reached() -> None:
    by_amount = engine.ShippingRates(
        "STD",
        "Standard",
        engine.ShippingBasis.AMOUNT,
        D("5.00"),
        (engine.RateBand(D(0), D("10.00")), engine.RateBand(D(500), D(0))),
    )
    by_weight = engine.ShippingRates(
        "FRT",
        "Freight",
        engine.ShippingBasis.WEIGHT,
        D(0),
        (engine.RateBand(D(0), D("8.00")), engine.RateBand(D(10), D("25.00"))),
    )

    assert engine.shipping_cost(by_amount, weight=D(0), goods=D("499.99"), currency="USD") == D("15.00")
    assert engine.shipping_cost(by_amount, weight=D(0), goods=D(500), currency="USD") == D("5.00")
    assert engine.shipping_cost(by_weight, weight=D("9.9"), goods=D(1000), currency="USD") == D("8.00")
    assert engine.shipping_cost(by_weight, weight=D(12), goods=D(1), currency="USD") == D("25.00")


def test_tax_prefers_the_region_and_rounds_half_up() -> None:
    rates = [
        engine.TaxRate(1, "US", "US", "", D(0)),
        engine.TaxRate(2, "Ohio", "US", "OH", D("7.25")),
        engine.TaxRate(3, "Ontario", "CA", "ON", D(13), applies_to_shipping=False),
    ]

    ohio = engine.applicable_tax_rate(rates, country="us", region="oh")
    texas = engine.applicable_tax_rate(rates, country="US", region="TX")
    ontario = engine.applicable_tax_rate(rates, country="CA", region="ON")

    assert ohio is not None and ohio.rule_id == 2
    assert texas is not None and texas.rule_id == 1
    assert engine.tax_amount(ohio, goods=D("10.00"), shipping=D("0.02"), currency="USD") == D("0.73")
    assert engine.tax_amount(ontario, goods=D(100), shipping=D(10), currency="CAD") == D("13.00")
    assert engine.applicable_tax_rate(rates, country="DE", region="") is None


def test_order_totals_add_pricing_goods_shipping_and_tax() -> None:
    totals = engine.order_totals(
        line_totals=[D("10.00"), D("5.55")],
        discount=D("1.00"),
        shipping=D("7.50"),
        tax=D("1.25"),
        currency="USD",
    )

    assert totals == engine.Totals(D("15.55"), D("1.00"), D("7.50"), D("1.25"), D("23.30"))
    assert totals.goods == D("14.55")


def test_approval_reasons() -> None:
    def reasons(total: str, limit: str | None, budget: str | None, spent: str = "0") -> tuple[str, ...]:
        return engine.approval_reasons(
            engine.BuyerControls(
                order_total=D(total),
                buyer_order_limit=D(limit) if limit else None,
                monthly_budget=D(budget) if budget else None,
                spent_this_month=D(spent),
            )
        )

    assert reasons("100", None, None) == ()
    assert reasons("100", "100", None) == ()
    assert reasons("100.01", "100", None) == ("order_limit",)
    assert reasons("50", None, "1000", spent="950") == ()
    assert reasons("50.01", None, "1000", spent="950") == ("monthly_budget",)
    assert reasons("500", "100", "200") == ("order_limit", "monthly_budget")


def test_credit_and_months() -> None:
    assert not engine.exceeds_credit(limit=None, open_total=D(10**9), order_total=D(1))
    assert not engine.exceeds_credit(limit=D(100), open_total=D(60), order_total=D(40))
    assert engine.exceeds_credit(limit=D(100), open_total=D(60), order_total=D("40.01"))
    assert engine.month_start(date(2026, 3, 17)) == date(2026, 3, 1)
    assert engine.next_month_start(date(2026, 12, 31)) == date(2027, 1, 1)


def test_price_change() -> None:
    change = engine.PriceChange("B", "EA", D(3), previous_unit_price=D("2.00"), current_unit_price=D("2.10"))

    assert change.has_changed and change.difference == D("0.10") and change.percent == D("5.00")
    assert not engine.PriceChange("B", "EA", D(3), None, D(1)).has_changed
