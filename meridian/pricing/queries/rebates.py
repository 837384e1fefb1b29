"""Rebate statements per account and period."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import (
    Count,
    F,
    Q,
    QuerySet,
    Sum,
)

from meridian.core.actor import Actor
from meridian.core.prepared import array_literal, prepared_cursor
from meridian.customers.models import Account
from meridian.customers.queries import get_account
from meridian.pricing import engine
from meridian.pricing.errors import RebateProgramNotFound
from meridian.pricing.models import (
    PricingVersion,
    RebateAccrual,
    RebateProgram,
    RebateTier,
)
from meridian.pricing.queries import cache


@dataclass(frozen=True, slots=True)
class RebateStatement:
    program_id: int
    program_code: str
    basis: str  # volume or spend
    currency: str
    account_id: int
    period_start: dt.date
    period_end: dt.date
    basis_to_date: Decimal
    spend_to_date: Decimal
    tier_threshold: Decimal | None
    rate_percent: Decimal
    accrued_amount: Decimal
    next_threshold: Decimal | None
    next_rate_percent: Decimal | None
    gap_to_next_tier: Decimal | None
    accrual_count: int


def programs_for_account(*, organization_id: int, account: Account) -> QuerySet[RebateProgram]:
    """Active programs whose scope holds the account: everyone, its group, or an ancestor-or-self subtree."""
    chain = Account.objects.filter(
        organization_id=organization_id, path__in=[*account.ancestor_paths(), account.path]
    )
    # An account without a group must not match `customer_group_id IS NULL`: that is every
    # account-scoped program of the organization, other accounts' included.
    holds = Q(customer_group__isnull=True, account__isnull=True) | Q(account__in=chain)
    if account.customer_group_id is not None:
        holds |= Q(customer_group_id=account.customer_group_id)
    return (
        RebateProgram.objects.filter(organization_id=organization_id, is_active=True)
        .filter(holds)
        .prefetch_related("tiers")
        .order_by("code")
    )


@dataclass(frozen=True, slots=True)
class RebateScope:
    """What decides whether an active program may hold an order's line (cached, see `rebate_scopes`)."""

    period_start: dt.date
    period_end: dt.date
    currency: str
    customer_group_id: int | None
    account_id: int | None


def _date(value: object) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def rebate_accounts(
    *, organization_id: int, account_ids: Collection[int]
) -> tuple[dict[int, tuple[str, int | None]], int | None]:
    """The accounts' (path, customer group) and the pricing stamp (1 statement; hand-written: it runs
    in every placement and the ORM's compiling cost more than the database work)."""
    accounts = connection.ops.quote_name(Account._meta.db_table)
    stamp = connection.ops.quote_name(PricingVersion._meta.db_table)
    ids = sorted(account_ids)
    params: list[int | str] = [organization_id]
    if connection.vendor == "postgresql":  # one array: the same text (prepared once) for any number
        among = "a.id = ANY(%s::bigint[])"
        params.append(array_literal(ids))
    else:
        among = f"a.id IN ({', '.join(['%s'] * len(ids))})"
        params.extend(ids)
    sql = (
        f"SELECT a.id, a.path, a.customer_group_id, (SELECT v.version FROM {stamp} v WHERE v.id = 1)"
        f" FROM {accounts} a WHERE a.organization_id = %s AND {among}"
    )
    with prepared_cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    found = {int(pk): (str(path), None if group is None else int(group)) for pk, path, group, _ in rows}
    version = rows[0][3] if rows else None
    return found, None if version is None else int(version)


def rebate_scopes(*, organization_id: int, stamp: int | None) -> tuple[RebateScope, ...]:
    """The scopes of the organization's active programs: from this process's cache under the pricing
    `stamp` (migration 0003 gives it a new value on every write of a rebate program), else 1
    statement that reads the stamp with them (what is cached is what that stamp stood for)."""
    key = None if stamp is None else ("rebate_scopes", stamp, organization_id)
    cached = cache.lookup(key)
    if isinstance(cached, tuple):
        return cached
    programs = connection.ops.quote_name(RebateProgram._meta.db_table)
    version = connection.ops.quote_name(PricingVersion._meta.db_table)
    sql = (
        "SELECT v.version, p.period_start, p.period_end, p.currency, p.customer_group_id, p.account_id"
        f" FROM {version} v LEFT JOIN {programs} p ON p.organization_id = %s AND p.is_active = %s"
        " WHERE v.id = 1 ORDER BY p.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [organization_id, True])
        rows = cursor.fetchall()
    scopes = tuple(
        RebateScope(_date(start), _date(end), str(currency), group, account)
        for _, start, end, currency, group, account in rows
        if start is not None
    )
    if rows:  # without a stamp row nothing is cached
        cache.store(("rebate_scopes", int(rows[0][0]), organization_id), scopes)
    else:
        scopes = tuple(
            RebateScope(start, end, currency, group, account)
            for start, end, currency, group, account in RebateProgram.objects.filter(
                organization_id=organization_id, is_active=True
            ).values_list("period_start", "period_end", "currency", "customer_group_id", "account_id")
        )
    return scopes


def may_hold(
    scopes: Collection[RebateScope],
    *,
    customer_group_ids: Collection[int],
    currencies: Collection[str],
    first: dt.date,
    last: dt.date,
) -> bool:
    """Whether one of the programs may hold one of the lines (`rebate_programs_holding` decides):
    period and currency, and a scope of everyone, one of the groups, or an account (checked there)."""
    return any(
        scope.period_start <= last
        and scope.period_end >= first
        and scope.currency in currencies
        and (
            (scope.customer_group_id is None and scope.account_id is None)
            or scope.customer_group_id in customer_group_ids
            or scope.account_id is not None
        )
        for scope in scopes
    )


def rebate_programs_holding(
    *,
    organization_id: int,
    account_paths: Collection[str],
    customer_group_ids: Collection[int],
    currencies: Collection[str],
    first: dt.date,
    last: dt.date,
) -> list[RebateProgram]:
    """Active programs of the period and currencies whose scope holds one of the accounts (everyone,
    one of their groups, or an ancestor-or-self subtree), in pk order, each annotated with its
    account's `account_path` (1 query). The caller still checks each line against each program."""
    steplen = Account.steplen
    chain = sorted({path[:end] for path in account_paths for end in range(steplen, len(path) + 1, steplen)})
    if connection.vendor == "postgresql":
        return _programs_holding_sql(
            organization_id, chain, sorted(customer_group_ids), sorted(currencies), first, last
        )
    return list(
        RebateProgram.objects.filter(
            organization_id=organization_id,
            is_active=True,
            period_start__lte=last,
            period_end__gte=first,
            currency__in=sorted(currencies),
        )
        .filter(
            Q(customer_group__isnull=True, account__isnull=True)
            | Q(customer_group_id__in=sorted(customer_group_ids))
            | Q(account__path__in=chain)
        )
        .annotate(account_path=F("account__path"))
        .order_by("pk")
    )


@functools.cache
def _program_fields() -> tuple[list[str], str]:
    """The program's attribute names and its columns as `_programs_holding_sql` selects them."""
    fields = RebateProgram._meta.concrete_fields
    return [f.attname for f in fields], ", ".join(
        f"p.{connection.ops.quote_name(str(f.column))}" for f in fields
    )


def _programs_holding_sql(
    organization_id: int,
    chain: list[str],
    group_ids: list[int],
    currencies: list[str],
    first: dt.date,
    last: dt.date,
) -> list[RebateProgram]:
    """`rebate_programs_holding` on PostgreSQL, written by hand (it runs in every placement under a
    program, and the ORM's compiling cost more than the database work): the same rows."""
    names, columns = _program_fields()
    programs = connection.ops.quote_name(RebateProgram._meta.db_table)
    accounts = connection.ops.quote_name(Account._meta.db_table)
    sql = (
        f"SELECT {columns}, a.path FROM {programs} p LEFT JOIN {accounts} a ON a.id = p.account_id"
        " WHERE p.organization_id = %s AND p.is_active AND p.period_start <= %s AND p.period_end >= %s"
        " AND p.currency = ANY(%s::text[]) AND ((p.customer_group_id IS NULL AND p.account_id IS NULL)"
        " OR p.customer_group_id = ANY(%s::bigint[]) OR a.path = ANY(%s::text[])) ORDER BY p.id"
    )
    params: list[int | str | dt.date] = [
        organization_id,
        last,
        first,
        array_literal(currencies),
        array_literal(group_ids),
        array_literal(chain),
    ]
    with prepared_cursor() as cursor:  # the same text for every placement: prepared once
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    found = []
    for *values, account_path in rows:
        program = RebateProgram.from_db(connection.alias, names, values)
        program.account_path = account_path  # type: ignore[attr-defined]  # as the ORM's annotate() sets it
        found.append(program)
    return found


@dataclass(frozen=True, slots=True)
class AccrualInputs:
    """What an accrual reads once the bases are locked (`accrual_inputs`)."""

    tiers: dict[int, list[engine.RebateTier]]  # by program id
    done: set[tuple[int, str, str]]  # (program id, order reference, line reference) already accrued
    basis: dict[tuple[int, int], Decimal]  # (program id, account id) -> basis to date


def accrual_inputs(
    *, program_ids: list[int], order_references: list[str], account_ids: list[int]
) -> AccrualInputs:
    """The programs' tiers, the order lines they already accrued and each account's basis to date
    under them: one statement on PostgreSQL (a UNION ALL), three on SQLite. Read after
    `lock_rebate_bases`, in a statement of its own (its snapshot must follow the locks)."""
    tiers: dict[int, list[engine.RebateTier]] = {}
    if connection.vendor != "postgresql":
        for program_id, threshold, rate in RebateTier.objects.filter(program_id__in=program_ids).values_list(
            "program_id", "threshold", "rate_percent"
        ):
            tiers.setdefault(program_id, []).append(engine.RebateTier(threshold, rate))
        done = set(
            RebateAccrual.objects.filter(
                program_id__in=program_ids, order_reference__in=order_references
            ).values_list("program_id", "order_reference", "line_reference")
        )
        basis: dict[tuple[int, int], Decimal] = {
            (program_id, account_id): total
            for program_id, account_id, total in RebateAccrual.objects.filter(
                program_id__in=program_ids, account_id__in=account_ids
            )
            .values("program_id", "account_id")
            .annotate(total=Sum("basis_amount"))
            .values_list("program_id", "account_id", "total")
        }
        return AccrualInputs(tiers, done, basis)
    tier = connection.ops.quote_name(RebateTier._meta.db_table)
    accrual = connection.ops.quote_name(RebateAccrual._meta.db_table)
    sql = (
        f"SELECT 0, t.program_id, t.id, t.threshold, t.rate_percent, NULL, NULL FROM {tier} t"
        " WHERE t.program_id = ANY(%s::bigint[])"
        f" UNION ALL SELECT 1, r.program_id, NULL, NULL, NULL, r.order_reference, r.line_reference FROM {accrual} r"
        " WHERE r.program_id = ANY(%s::bigint[]) AND r.order_reference = ANY(%s::text[])"
        f" UNION ALL SELECT 2, r.program_id, r.account_id, SUM(r.basis_amount), NULL, NULL, NULL FROM {accrual} r"
        " WHERE r.program_id = ANY(%s::bigint[]) AND r.account_id = ANY(%s::bigint[])"
        " GROUP BY r.program_id, r.account_id ORDER BY 1, 3"
    )
    programs = array_literal(program_ids)
    params = [programs, programs, array_literal(order_references), programs, array_literal(account_ids)]
    with prepared_cursor() as cursor:  # the same text for every placement: prepared once
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    done, basis = set(), {}
    for kind, program_id, number, amount, rate, order_reference, line_reference in rows:
        if kind == 0:
            tiers.setdefault(program_id, []).append(engine.RebateTier(amount, rate))
        elif kind == 1:
            done.add((program_id, order_reference, line_reference))
        else:
            basis[(program_id, number)] = amount
    return AccrualInputs(tiers, done, basis)


def rebate_statement(
    *,
    actor: Actor,
    account: Account,
    period_start: dt.date | None = None,
    period_end: dt.date | None = None,
    program: RebateProgram | None = None,
) -> list[RebateStatement]:
    """Per program: basis to date, tier reached, rate, accrued amount, gap to the next tier (4 queries)."""
    account = get_account(actor=actor, reference=account.pk)
    programs = programs_for_account(organization_id=account.organization_id, account=account)
    if program is not None:
        programs = programs.filter(pk=program.pk)
        if not programs.exists():
            raise RebateProgramNotFound(program.pk)
    programs_list = list(programs)
    accruals = RebateAccrual.objects.filter(account=account, program__in=[p.pk for p in programs_list])
    if period_start is not None:
        accruals = accruals.filter(accrued_on__gte=period_start)
    if period_end is not None:
        accruals = accruals.filter(accrued_on__lte=period_end)
    totals = {
        row["program_id"]: row
        for row in accruals.values("program_id").annotate(
            basis=Sum("basis_amount"), spend=Sum("line_total"), accrued=Sum("amount"), count=Count("pk")
        )
    }
    statements = []
    for row in programs_list:
        tiers = [engine.RebateTier(tier.threshold, tier.rate_percent) for tier in row.tiers.all()]
        found: Mapping[str, Any] = totals.get(row.pk) or {}
        basis = found.get("basis") or Decimal(0)
        reached = engine.rebate_tier_reached(basis, tiers)
        upcoming = engine.next_rebate_tier(basis, tiers)
        statements.append(
            RebateStatement(
                program_id=row.pk,
                program_code=row.code,
                basis=row.basis,
                currency=row.currency,
                account_id=account.pk,
                period_start=max(row.period_start, period_start) if period_start else row.period_start,
                period_end=min(row.period_end, period_end) if period_end else row.period_end,
                basis_to_date=basis,
                spend_to_date=found.get("spend") or Decimal(0),
                tier_threshold=reached.threshold if reached else None,
                rate_percent=reached.rate_percent if reached else Decimal(0),
                accrued_amount=found.get("accrued") or Decimal(0),
                next_threshold=upcoming.threshold if upcoming else None,
                next_rate_percent=upcoming.rate_percent if upcoming else None,
                gap_to_next_tier=upcoming.threshold - basis if upcoming else None,
                accrual_count=found.get("count") or 0,
            )
        )
    return statements
