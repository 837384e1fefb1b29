"""Rebate accruals per order line and the statement per account and period."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from meridian.core.models import OutboxEvent
from meridian.customers.errors import AccountNotFound
from meridian.pricing.models import RebateAccrual, RebateProgram
from meridian.pricing.queries import rebate_statement
from meridian.pricing.services import RebateLine, RebateProgramInput, accrue_rebates, create_rebate_program
from tests.pricing.conftest import Shop
from tests.pricing.factories import RebateProgramFactory, RebateTierFactory

D = Decimal
YEAR = (date(2026, 1, 1), date(2026, 12, 31))


def _program(shop: Shop, basis: str = "spend", **scope: object) -> RebateProgram:
    program = RebateProgramFactory(
        organization=shop.organization,
        basis=basis,
        currency="USD",
        period_start=YEAR[0],
        period_end=YEAR[1],
        **scope,
    )
    for threshold, rate in (("1000", "1"), ("5000", "2"), ("10000", "3")):
        RebateTierFactory(program=program, threshold=D(threshold), rate_percent=D(rate))
    return program


def _line(
    shop: Shop, total: str, *, ref: str, account_id: int | None = None, quantity: str = "1", **kw: object
) -> RebateLine:
    values: dict[str, object] = {
        "account_id": account_id or shop.child.pk,
        "product_id": shop.bolt.pk,
        "quantity": D(quantity),
        "line_total": D(total),
        "currency": "USD",
        "order_reference": ref.split("/")[0],
        "line_reference": ref.split("/")[1],
        "date": date(2026, 3, 1),
        **kw,
    }
    return RebateLine(**values)  # type: ignore[arg-type]  # values typed above


@pytest.mark.django_db
def test_each_line_earns_the_rate_of_the_tier_reached_with_it(shop: Shop) -> None:
    program = _program(shop)

    first = accrue_rebates(organization_id=shop.organization.pk, lines=[_line(shop, "800", ref="SO-1/1")])
    second = accrue_rebates(
        organization_id=shop.organization.pk,
        lines=[_line(shop, "400", ref="SO-2/1"), _line(shop, "4000", ref="SO-2/2")],
    )

    assert [(a.rate_percent, a.amount) for a in first + second] == [
        (D(0), D("0.00")),  # 800: below the first tier
        (D(1), D("4.00")),  # 1,200: 1%
        (D(2), D("80.00")),  # 5,200: 2%
    ]
    assert all(a.program_id == program.pk for a in first + second)
    assert OutboxEvent.objects.filter(event_type="pricing.rebate.accrued").count() == 2


@pytest.mark.django_db
def test_the_statement_reports_basis_tier_accrued_amount_and_gap(shop: Shop) -> None:
    program = _program(shop)
    accrue_rebates(
        organization_id=shop.organization.pk,
        lines=[_line(shop, "1200", ref="SO-1/1"), _line(shop, "3000", ref="SO-2/1", date=date(2026, 5, 1))],
    )

    (statement,) = rebate_statement(actor=shop.staff, account=shop.child)
    (march,) = rebate_statement(actor=shop.staff, account=shop.child, period_end=date(2026, 3, 31))

    assert statement.program_code == program.code
    assert (statement.basis_to_date, statement.tier_threshold, statement.rate_percent) == (
        D(4200),
        D(1000),
        D(1),
    )
    assert (statement.accrued_amount, statement.next_threshold, statement.gap_to_next_tier) == (
        D("42.00"),
        D(5000),
        D(800),
    )
    assert (march.basis_to_date, march.accrued_amount, march.period_end) == (
        D(1200),
        D("12.00"),
        date(2026, 3, 31),
    )


@pytest.mark.django_db
def test_volume_programs_count_base_quantities(shop: Shop) -> None:
    _program(shop, basis="volume")

    (accrual,) = accrue_rebates(
        organization_id=shop.organization.pk, lines=[_line(shop, "500", ref="SO-1/1", quantity="1000")]
    )

    assert (accrual.basis_amount, accrual.rate_percent, accrual.amount) == (D(1000), D(1), D("5.00"))


@pytest.mark.parametrize(
    ("scope", "account", "accrues"),
    [
        ({}, "child", True),
        ({"customer_group": "gold"}, "child", True),
        ({"customer_group": "gold"}, "sibling", False),
        ({"account": "parent"}, "grandchild", True),  # an account scope covers its subtree
        ({"account": "child"}, "sibling", False),
    ],
)
@pytest.mark.django_db
def test_program_scope(shop: Shop, scope: dict[str, str], account: str, accrues: bool) -> None:
    _program(shop, **{key: getattr(shop, value) for key, value in scope.items()})

    accruals = accrue_rebates(
        organization_id=shop.organization.pk,
        lines=[_line(shop, "100", ref="SO-1/1", account_id=getattr(shop, account).pk)],
    )

    assert bool(accruals) is accrues


@pytest.mark.parametrize(
    "change",
    [{"currency": "EUR"}, {"date": date(2025, 12, 31)}, {"date": date(2027, 1, 1)}],
)
@pytest.mark.django_db
def test_lines_outside_the_period_or_currency_earn_nothing(shop: Shop, change: dict[str, object]) -> None:
    _program(shop)

    assert (
        accrue_rebates(
            organization_id=shop.organization.pk, lines=[_line(shop, "100", ref="SO-1/1", **change)]
        )
        == []
    )


@pytest.mark.django_db
def test_a_line_is_accrued_once(shop: Shop) -> None:
    _program(shop)
    line = _line(shop, "1500", ref="SO-1/1")

    accrue_rebates(organization_id=shop.organization.pk, lines=[line])
    again = accrue_rebates(organization_id=shop.organization.pk, lines=[line, line])

    assert again == [] and RebateAccrual.objects.count() == 1


@pytest.mark.django_db
def test_a_buyer_sees_their_own_statement_and_not_a_siblings(shop: Shop) -> None:
    _program(shop)

    assert len(rebate_statement(actor=shop.buyer_actor, account=shop.child)) == 1
    with pytest.raises(AccountNotFound):
        rebate_statement(actor=shop.buyer_actor, account=shop.sibling)


@pytest.mark.django_db
def test_create_rebate_program(shop: Shop) -> None:
    program = create_rebate_program(
        actor=shop.staff,
        data=RebateProgramInput(
            code="VOL-26",
            name="Volume 2026",
            basis=RebateProgram.Basis.VOLUME,
            currency="usd",
            period_start=YEAR[0],
            period_end=YEAR[1],
            tiers=[(D(0), D("0.5")), (D(10000), D(1))],
            customer_group=shop.gold,
        ),
    )

    assert (program.currency, program.tiers.count()) == ("USD", 2)
