"""Rebate accruals per order line and the statement per account and period."""

from __future__ import annotations

import threading
import time
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, connections, transaction

from meridian.core.models import OutboxEvent
from meridian.customers.errors import AccountNotFound
from meridian.pricing.models import RebateAccrual, RebateProgram
from meridian.pricing.queries import lock_rebate_bases, rebate_statement
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
def test_the_accruals_returned_are_the_rows_written(shop: Shop) -> None:
    _program(shop)
    lines = [
        _line(shop, "1200.50", ref="SO-1/1", quantity="2.5"),
        _line(shop, "99.99", ref="SO-1/2", product_id=shop.hammer.pk),
    ]

    accruals = accrue_rebates(organization_id=shop.organization.pk, lines=lines)

    fields = [
        "pk", "organization_id", "program_id", "account_id", "product_id", "order_reference",
        "line_reference", "quantity", "line_total", "currency", "basis_amount", "rate_percent", "amount",
        "accrued_on", "created_at",
    ]  # fmt: skip
    stored = {row[0]: row for row in RebateAccrual.objects.values_list(*fields)}
    assert [tuple(getattr(a, f) for f in fields) for a in accruals] == [stored[a.pk] for a in accruals]
    assert [a.product_id for a in accruals] == [shop.bolt.pk, shop.hammer.pk]
    assert not any(a._state.adding for a in accruals)


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
def test_an_account_without_a_group_is_not_shown_another_accounts_program(shop: Shop) -> None:
    # given a program of the sibling's alone, and the child in no customer group
    _program(shop, account=shop.sibling)
    shop.child.customer_group = None
    shop.child.save(update_fields=["customer_group"])

    # when staff read the child's statement, then the sibling's program is not on it
    assert rebate_statement(actor=shop.staff, account=shop.child) == []
    assert len(rebate_statement(actor=shop.staff, account=shop.sibling)) == 1


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


@pytest.mark.django_db
def test_an_order_under_no_program_costs_one_query_warm_and_locks_nothing(
    shop: Shop, django_assert_num_queries: Any
) -> None:
    _program(shop, customer_group=shop.gold)  # the sibling is in no group

    with django_assert_num_queries(2):  # the accounts with the stamp; the programs' scopes (cached)
        cold = accrue_rebates(
            organization_id=shop.organization.pk,
            lines=[_line(shop, "100", ref="SO-1/1", account_id=shop.sibling.pk)],
        )
    with django_assert_num_queries(1):  # the accounts with the stamp: no program may hold the line
        warm = accrue_rebates(
            organization_id=shop.organization.pk,
            lines=[_line(shop, "100", ref="SO-2/1", account_id=shop.sibling.pk)],
        )

    assert cold == warm == []


def _new_program(shop: Shop, program: RebateProgram) -> None:
    _program(shop)  # everyone


def _group_changed(shop: Shop, program: RebateProgram) -> None:
    program.customer_group = None
    program.save()  # as in the admin


def _group_updated(shop: Shop, program: RebateProgram) -> None:
    RebateProgram.objects.filter(pk=program.pk).update(customer_group=None)


def _activated(shop: Shop, program: RebateProgram) -> None:
    RebateProgram.objects.filter(pk=program.pk).update(customer_group=None, is_active=True)


@pytest.mark.django_db
@pytest.mark.parametrize("write", [_new_program, _group_changed, _group_updated, _activated])
def test_a_program_written_after_a_warm_accrual_holds_the_next_order(shop: Shop, write: Any) -> None:
    program = _program(shop, customer_group=shop.gold)  # the sibling is in no group
    if write is _activated:
        RebateProgram.objects.filter(pk=program.pk).update(is_active=False)
    first = accrue_rebates(
        organization_id=shop.organization.pk,
        lines=[_line(shop, "100", ref="SO-1/1", account_id=shop.sibling.pk)],
    )

    write(shop, program)
    program.refresh_from_db()

    accruals = accrue_rebates(
        organization_id=shop.organization.pk,
        lines=[_line(shop, "100", ref="SO-2/1", account_id=shop.sibling.pk)],
    )
    assert first == []
    assert [accrual.account_id for accrual in accruals] == [shop.sibling.pk]


@pytest.mark.django_db
def test_an_accrual_leaves_the_pricing_stamp_alone(shop: Shop) -> None:
    from meridian.pricing.models import PricingVersion

    _program(shop)
    before = PricingVersion.objects.get(pk=1).version

    assert accrue_rebates(organization_id=shop.organization.pk, lines=[_line(shop, "100", ref="SO-1/1")])

    assert PricingVersion.objects.get(pk=1).version == before


@pytest.mark.django_db
def test_an_order_under_a_program_reads_its_basis_in_a_fixed_number_of_queries(
    shop: Shop, django_assert_num_queries: Any
) -> None:
    _program(shop)
    accrue_rebates(organization_id=shop.organization.pk, lines=[_line(shop, "800", ref="SO-1/1")])
    lines = [_line(shop, "100", ref=f"SO-2/{number}") for number in range(1, 6)]
    on_postgresql = connection.vendor == "postgresql"

    # accounts, programs, [lock], tiers, accrued lines, basis (one statement on PostgreSQL), insert, event
    with django_assert_num_queries(6 if on_postgresql else 7):
        accruals = accrue_rebates(organization_id=shop.organization.pk, lines=lines)

    assert [a.rate_percent for a in accruals] == [D(0), D(1), D(1), D(1), D(1)]  # 900, then 1,000 and up


@pytest.mark.django_db(transaction=True)
def test_a_basis_is_locked_per_program_and_account(shop: Shop) -> None:
    """Two accruals for one account queue (exact basis); one for another account does not wait."""
    if connection.vendor != "postgresql":
        pytest.skip("advisory locks are PostgreSQL's; SQLite has one writer at a time")
    program = _program(shop)
    held = threading.Event()
    release = threading.Event()
    waited: dict[str, float] = {}

    def holder() -> None:
        try:
            with transaction.atomic():
                lock_rebate_bases(keys={(program.pk, shop.child.pk)})
                held.set()
                release.wait(10)
        finally:
            connections.close_all()

    def taker(name: str, account_id: int) -> None:
        try:
            started = time.perf_counter()
            with transaction.atomic():
                lock_rebate_bases(keys={(program.pk, account_id)})
            waited[name] = time.perf_counter() - started
        finally:
            connections.close_all()

    first = threading.Thread(target=holder)
    first.start()
    assert held.wait(10)
    same = threading.Thread(target=taker, args=("same", shop.child.pk))
    other = threading.Thread(target=taker, args=("other", shop.sibling.pk))
    same.start()
    other.start()
    other.join(10)
    time.sleep(0.3)
    release.set()
    first.join(10)
    same.join(10)

    assert waited["other"] < 0.3  # another account's basis: no wait
    assert waited["same"] >= 0.3  # the same basis: after the holder committed
