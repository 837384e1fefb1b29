"""Rebate programs and accruals per order line (for ordering)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from meridian.core.actor import Actor
from meridian.core.errors import InvalidInput
from meridian.core.money import validate_currency
from meridian.core.prepared import array_literal, prepared_cursor
from meridian.core.services import record_event
from meridian.customers.models import Account, CustomerGroup
from meridian.customers.queries import get_account
from meridian.pricing import engine, queries
from meridian.pricing.models import (
    RebateAccrual,
    RebateProgram,
    RebateTier,
)
from meridian.pricing.queries import rebates as rebate_queries
from meridian.pricing.services._common import (
    audit_change,
    decimal_error,
    require_pricing_editor,
)


@dataclass(frozen=True, slots=True)
class RebateProgramInput:
    code: str
    name: str
    basis: RebateProgram.Basis
    currency: str
    period_start: dt.date
    period_end: dt.date
    tiers: Sequence[tuple[Decimal, Decimal]]  # (threshold, rate percent)
    customer_group: CustomerGroup | None = None
    account: Account | None = None


def _program_errors(
    organization_id: int, data: RebateProgramInput, current: RebateProgram | None
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    codes = RebateProgram.objects.filter(organization_id=organization_id, code=data.code.strip())
    if current is not None:
        codes = codes.exclude(pk=current.pk)
    if not data.code.strip():
        errors["code"] = ["must not be empty"]
    elif codes.exists():
        errors["code"] = ["already used"]
    if not data.name.strip():
        errors["name"] = ["must not be empty"]
    if data.basis not in RebateProgram.Basis.values:
        errors["basis"] = [f"one of {sorted(RebateProgram.Basis.values)}"]
    try:
        validate_currency(data.currency)
    except InvalidInput as exc:
        errors.update(exc.fields)
    if data.period_end < data.period_start:
        errors["period_end"] = ["must not be before period_start"]
    if data.customer_group is not None and data.account is not None:
        errors["scope"] = ["choose a customer group or an account, not both"]
    if data.customer_group is not None and data.customer_group.organization_id != organization_id:
        errors["customer_group"] = ["not found"]
    if not data.tiers:
        errors["tiers"] = ["at least one tier"]
    thresholds = [threshold for threshold, _ in data.tiers]
    if len(set(thresholds)) != len(thresholds):
        errors["tiers"] = ["thresholds must differ"]
    for index, (threshold, rate) in enumerate(data.tiers):
        if decimal_error(threshold, places=3, limit=Decimal(10) ** 13):
            errors[f"tiers.{index}.threshold"] = ["a non-negative number with at most 3 decimals"]
        if not rate.is_finite() or rate < 0 or rate > 100:
            errors[f"tiers.{index}.rate_percent"] = ["between 0 and 100"]
    if current is not None and current.accruals.exists():
        # Accruals are per program and period: moving the basis under them would misstate statements.
        for name in ("basis", "currency"):
            if getattr(data, name) != getattr(current, name):
                errors[name] = ["cannot change once the program has accruals"]
    return errors


def _program_values(program: RebateProgram, tiers: Sequence[tuple[Decimal, Decimal]]) -> dict[str, object]:
    """What the audit compares: every editable value, the tiers as [threshold, rate] strings."""
    return {
        "code": program.code,
        "name": program.name,
        "basis": program.basis,
        "currency": program.currency,
        "period_start": program.period_start,
        "period_end": program.period_end,
        "customer_group": program.customer_group_id,
        "account": program.account_id,
        "is_active": program.is_active,
        "tiers": [[str(threshold), str(rate)] for threshold, rate in sorted(tiers)],
    }


def _apply_program(program: RebateProgram, data: RebateProgramInput, account: Account | None) -> None:
    program.code = data.code.strip()
    program.name = data.name.strip()
    program.basis = data.basis
    program.currency = validate_currency(data.currency)
    program.period_start, program.period_end = data.period_start, data.period_end
    program.customer_group = data.customer_group
    program.account = account


@transaction.atomic
def create_rebate_program(*, actor: Actor, data: RebateProgramInput) -> RebateProgram:
    """A rebate program with its tiers; audited (`pricing.rebate_program.created`)."""
    organization_id = require_pricing_editor(actor)
    errors = _program_errors(organization_id, data, None)
    if errors:
        raise InvalidInput("invalid rebate program", fields=errors)
    account = get_account(actor=actor, reference=data.account.pk) if data.account is not None else None
    program = RebateProgram(organization_id=organization_id)
    _apply_program(program, data, account)
    program.save()
    RebateTier.objects.bulk_create(
        RebateTier(program=program, threshold=threshold, rate_percent=rate) for threshold, rate in data.tiers
    )
    audit_change(
        actor=actor,
        organization_id=organization_id,
        action="pricing.rebate_program.created",
        object_type="rebate_program",
        object_id=program.pk,
        before={},
        after=_program_values(program, data.tiers),
    )
    return program


@transaction.atomic
def update_rebate_program(
    *, actor: Actor, program: RebateProgram, data: RebateProgramInput, is_active: bool
) -> RebateProgram:
    """Replace a program's terms and tiers (new tiers count from the next accrual on; recorded
    accruals stay). `is_active=False` ends it and keeps its accruals. Basis and currency are fixed
    once it has accruals. Locks the program (so no accrual runs halfway through); audited
    (`pricing.rebate_program.changed`, old and new values)."""
    organization_id = require_pricing_editor(actor)
    current = queries.get_rebate_program(actor=actor, program_id=program.pk)
    row = RebateProgram.objects.select_for_update(of=("self",)).get(pk=current.pk)
    errors = _program_errors(organization_id, data, row)
    if errors:
        raise InvalidInput("invalid rebate program", fields=errors)
    account = get_account(actor=actor, reference=data.account.pk) if data.account is not None else None
    before = _program_values(row, [(tier.threshold, tier.rate_percent) for tier in row.tiers.all()])
    _apply_program(row, data, account)
    row.is_active = is_active
    row.save()
    row.tiers.all().delete()
    RebateTier.objects.bulk_create(
        RebateTier(program=row, threshold=threshold, rate_percent=rate) for threshold, rate in data.tiers
    )
    audit_change(
        actor=actor,
        organization_id=organization_id,
        action="pricing.rebate_program.changed",
        object_type="rebate_program",
        object_id=row.pk,
        before=before,
        after=_program_values(row, data.tiers),
    )
    return row


@dataclass(frozen=True, slots=True)
class RebateLine:
    """An order line as rebates see it; `quantity` is in the product's base unit."""

    account_id: int
    product_id: int
    quantity: Decimal
    line_total: Decimal
    currency: str
    order_reference: str
    line_reference: str
    date: dt.date


@transaction.atomic(savepoint=False)  # inside ordering's transaction: no savepoint round trips
def accrue_rebates(*, organization_id: int, lines: Sequence[RebateLine]) -> list[RebateAccrual]:
    """Record what each line earns under every program whose scope, period and currency hold it.

    For ordering, inside its transaction. Reads only the programs that hold one of the lines (scope,
    period and currency filtered in the query: an order outside every program costs 2 queries and
    takes no lock). A line's rate depends on its account's basis to date under the program, so the
    (program, account) bases the order adds to are locked (`lock_rebate_bases`) before they are
    summed: concurrent orders of one account accrue one at a time, orders of other accounts in
    parallel. A line already accrued for a program is skipped. Writes one `pricing.rebate.accrued`
    outbox event per program and order.
    """
    if not lines:
        return []
    accounts, stamp = rebate_queries.rebate_accounts(
        organization_id=organization_id, account_ids={line.account_id for line in lines}
    )
    if not accounts:
        return []
    first, last = min(line.date for line in lines), max(line.date for line in lines)
    group_ids = {group_id for _, group_id in accounts.values() if group_id is not None}
    currencies = {line.currency for line in lines}
    scopes = rebate_queries.rebate_scopes(organization_id=organization_id, stamp=stamp)
    if not rebate_queries.may_hold(
        scopes, customer_group_ids=group_ids, currencies=currencies, first=first, last=last
    ):
        return []
    programs = queries.rebate_programs_holding(
        organization_id=organization_id,
        account_paths=[path for path, _ in accounts.values()],
        customer_group_ids=group_ids,
        currencies=currencies,
        first=first,
        last=last,
    )
    if not programs:
        return []
    program_accounts = {program.pk: getattr(program, "account_path", None) or "" for program in programs}
    candidate_ids = [program.pk for program in programs]
    queries.lock_rebate_bases(
        keys={
            (program.pk, account_id)
            for program in programs
            for account_id, (path, group_id) in accounts.items()
            if _holds(program, program_accounts[program.pk], path, group_id)
        }
    )
    read = rebate_queries.accrual_inputs(
        program_ids=candidate_ids,
        order_references=sorted({line.order_reference for line in lines}),
        account_ids=list(accounts),
    )
    tiers, done, basis = read.tiers, read.done, read.basis
    accruals: list[RebateAccrual] = []
    for line in lines:
        if line.account_id not in accounts:
            continue
        path, group_id = accounts[line.account_id]
        for program in programs:
            in_scope = (
                _holds(program, program_accounts[program.pk], path, group_id)
                and program.period_start <= line.date <= program.period_end
                and program.currency == line.currency
            )
            if not in_scope or (program.pk, line.order_reference, line.line_reference) in done:
                continue
            line_basis = line.quantity if program.basis == RebateProgram.Basis.VOLUME else line.line_total
            before = basis.get((program.pk, line.account_id), Decimal(0))
            rate, amount = engine.rebate_for_line(
                basis_before=before,
                line_basis=line_basis,
                line_total=line.line_total,
                tiers=tiers.get(program.pk, []),
                currency=program.currency,
            )
            basis[(program.pk, line.account_id)] = before + line_basis
            done.add((program.pk, line.order_reference, line.line_reference))
            accruals.append(
                RebateAccrual(
                    organization_id=organization_id,
                    program=program,
                    account_id=line.account_id,
                    product_id=line.product_id,
                    order_reference=line.order_reference,
                    line_reference=line.line_reference,
                    quantity=line.quantity,
                    line_total=line.line_total,
                    currency=line.currency,
                    basis_amount=line_basis,
                    rate_percent=rate,
                    amount=amount,
                    accrued_on=line.date,
                )
            )
    _insert_accruals(accruals)
    summary: dict[tuple[int, str], list[RebateAccrual]] = {}
    for accrual in accruals:
        summary.setdefault((accrual.program_id, accrual.order_reference), []).append(accrual)
    for (program_id, order_reference), rows in summary.items():
        record_event(
            organization_id=organization_id,
            aggregate_type="rebate_program",
            aggregate_id=program_id,
            event_type="pricing.rebate.accrued",
            payload={
                "order_reference": order_reference,
                "account_ids": sorted({row.account_id for row in rows}),
                "amount": str(sum((row.amount for row in rows), Decimal(0))),
                "lines": len(rows),
            },
        )
    return accruals


def _insert_accruals(accruals: list[RebateAccrual]) -> None:
    """`bulk_create` them (ids set). On PostgreSQL one prepared INSERT over arrays, written by hand:
    the ORM's building of a ten-row insert cost several times the statement, in every placement
    under a program."""
    if connection.vendor != "postgresql" or not accruals:
        RebateAccrual.objects.bulk_create(accruals)
        return
    now = timezone.now()  # what auto_now_add gives every row of a bulk_create
    table = connection.ops.quote_name(RebateAccrual._meta.db_table)
    sql = (
        f"INSERT INTO {table} (organization_id, created_at, program_id, account_id, product_id, order_reference,"
        " line_reference, quantity, line_total, currency, basis_amount, rate_percent, amount, accrued_on)"
        " SELECT %s, %s, u.* FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[], %s::text[], %s::text[],"
        " %s::numeric[], %s::numeric[], %s::text[], %s::numeric[], %s::numeric[], %s::numeric[], %s::date[])"
        " u RETURNING id"
    )
    columns: list[str] = [
        array_literal(a.program_id for a in accruals),
        array_literal(a.account_id for a in accruals),
        "{" + ",".join("NULL" if a.product_id is None else str(int(a.product_id)) for a in accruals) + "}",
        array_literal(a.order_reference for a in accruals),
        array_literal(a.line_reference for a in accruals),
        array_literal(a.quantity for a in accruals),
        array_literal(a.line_total for a in accruals),
        array_literal(a.currency for a in accruals),
        array_literal(a.basis_amount for a in accruals),
        array_literal(a.rate_percent for a in accruals),
        array_literal(a.amount for a in accruals),
        array_literal(a.accrued_on.isoformat() for a in accruals),
    ]
    with prepared_cursor() as cursor:  # the same text for every placement: prepared once
        cursor.execute(sql, [accruals[0].organization_id, now, *columns])
        ids = [row[0] for row in cursor.fetchall()]
    for accrual, pk in zip(accruals, ids, strict=True):  # rows come back in the arrays' order
        accrual.pk, accrual.created_at = pk, now
        accrual._state.adding, accrual._state.db = False, connection.alias


def _holds(program: RebateProgram, program_account_path: str, path: str, group_id: int | None) -> bool:
    """Whether the program's scope holds an account (its group; the program's account or below it)."""
    return (program.customer_group_id is None or program.customer_group_id == group_id) and (
        program.account_id is None or path.startswith(program_account_path or "~")
    )
