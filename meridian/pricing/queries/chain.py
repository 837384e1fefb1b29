"""The chain of sources for an account: assignments (with inheritance), contracts, rules and the
entries and customer prices of the products asked for (4 queries, whatever the number of products)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import (
    F,
    IntegerField,
    Model,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Length

from meridian.catalog.models import Category
from meridian.core.prepared import array_literal, prepared_cursor
from meridian.customers.models import Account
from meridian.pricing import engine
from meridian.pricing.models import (
    AccountPricingSettings,
    Contract,
    CustomerPrice,
    PriceAssignment,
    PriceList,
    PriceListEntry,
    PriceRule,
)
from meridian.pricing.queries import cache
from meridian.pricing.queries.loading import LoadedSources, PricedAccount, PricingScope, among, open_window

ENTRY, CUSTOMER_PRICE = 0, 1  # the two kinds of rows `_price_rows` returns

# The columns of a price list the engine needs, read through a join (no model instances: this is hot).
_LIST_COLUMNS = ("code", "currency", "is_active", "valid_from", "valid_to")


@dataclass(frozen=True, slots=True)
class _ListRow:
    pk: int
    code: str
    currency: str
    is_active: bool
    valid_from: dt.date | None
    valid_to: dt.date | None


def _list_columns(prefix: str) -> tuple[str, ...]:
    return (f"{prefix}id", *(f"{prefix}{column}" for column in _LIST_COLUMNS))


def _price_list(
    row: _ListRow, entries: Sequence[engine.Entry], rules: Sequence[engine.Rule]
) -> engine.PriceList:
    return engine.PriceList(
        list_id=row.pk,
        code=row.code,
        currency=row.currency,
        entries=tuple(entries),
        rules=tuple(rules),
        is_active=row.is_active,
        valid_from=row.valid_from,
        valid_to=row.valid_to,
    )


def _assigned_lists(scope: PricingScope) -> list[tuple[engine.SourceKind, _ListRow]]:
    """Account (with inheritance), then group, then website assignments, each by priority (1 query).

    Only an account with its own assignments can stop inheritance, so its setting comes along."""
    rows = _assignment_rows_sql(scope) if connection.vendor == "postgresql" else _assignment_rows(scope)
    by_path: dict[str, list[_ListRow]] = {}
    inherits: set[str] = set()
    group: list[_ListRow] = []
    website: list[_ListRow] = []
    for account_path, group_id, inheritance, *columns in rows:
        price_list = _ListRow(*columns)
        if account_path is not None:
            by_path.setdefault(account_path, []).append(price_list)
            if inheritance == AccountPricingSettings.Inheritance.INHERIT:
                inherits.add(account_path)
        elif group_id is not None:
            group.append(price_list)
        else:
            website.append(price_list)
    chosen: list[tuple[engine.SourceKind, _ListRow]] = []
    for path in reversed(scope.chain_paths):
        own = by_path.get(path, [])
        chosen.extend((engine.SourceKind.ACCOUNT, price_list) for price_list in own)
        if own and path not in inherits:
            break
    chosen.extend((engine.SourceKind.GROUP, price_list) for price_list in group)
    chosen.extend((engine.SourceKind.WEBSITE, price_list) for price_list in website)
    return chosen


def _assignment_rows(scope: PricingScope) -> Iterable[Sequence[Any]]:
    """(account path, group, inheritance, *list columns) of the assignments that may apply."""
    account = scope.account
    target = Q(website_id=scope.website.pk)
    if account is not None:
        target |= Q(account__path__in=account.chain_paths)
        if account.customer_group_id is not None:
            target |= Q(customer_group_id=account.customer_group_id)
    return (
        PriceAssignment.objects.filter(
            target,
            organization_id=scope.organization_id,
            price_list__is_active=True,
            price_list__currency=scope.currency,
        )
        .order_by("priority", "pk")
        .values_list(
            "account__path",
            "customer_group_id",
            "account__pricing_settings__assignment_inheritance",
            *_list_columns("price_list__"),
        )
    )


_LIST_SQL = "l.id, l.code, l.currency, l.is_active, l.valid_from, l.valid_to"  # `_list_columns` of `l`


def _assignment_rows_sql(scope: PricingScope) -> list[tuple[Any, ...]]:
    """`_assignment_rows` on PostgreSQL, written by hand (the chain's cold path runs after every
    pricing write for each account, and the ORM's compiling cost more than the statements): the
    same rows."""
    account = scope.account
    targets = ["pa.website_id = %s"]
    target_params: list[_SqlParam] = [scope.website.pk]
    if account is not None:
        targets.append("a.path = ANY(%s::text[])")
        target_params.append(array_literal(account.chain_paths))
        if account.customer_group_id is not None:
            targets.append("pa.customer_group_id = %s")
            target_params.append(account.customer_group_id)
    sql = (
        f"SELECT a.path, pa.customer_group_id, s.assignment_inheritance, {_LIST_SQL}"
        f" FROM {_table(PriceAssignment)} pa JOIN {_table(PriceList)} l ON l.id = pa.price_list_id"
        f" LEFT JOIN {_table(Account)} a ON a.id = pa.account_id"
        f" LEFT JOIN {_table(AccountPricingSettings)} s ON s.account_id = a.id"
        f" WHERE ({' OR '.join(targets)}) AND pa.organization_id = %s AND l.is_active AND l.currency = %s"
        " ORDER BY pa.priority, pa.id"
    )
    return _fetch(sql, [*target_params, scope.organization_id, scope.currency])


def _table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _fetch(sql: str, params: list[_SqlParam]) -> list[tuple[Any, ...]]:
    with prepared_cursor() as cursor:  # the same text for every account of this shape: prepared once
        cursor.execute(sql, params)
        rows: list[tuple[Any, ...]] = cursor.fetchall()
    return rows


@dataclass(frozen=True, slots=True)
class _ContractRow:
    pk: int
    number: str
    prices_are_final: bool
    valid_from: dt.date | None
    valid_to: dt.date | None
    price_list: _ListRow


def _contracts(scope: PricingScope) -> list[_ContractRow]:
    """The account's own contracts, then its ancestors' that apply to children, nearest first (1 query)."""
    account = scope.account
    if account is None:
        return []
    if connection.vendor == "postgresql":
        sql = (
            f"SELECT k.id, k.number, k.prices_are_final, k.valid_from, k.valid_to, {_LIST_SQL}"
            f" FROM {_table(Contract)} k JOIN {_table(Account)} a ON a.id = k.account_id"
            f" JOIN {_table(PriceList)} l ON l.id = k.price_list_id"
            " WHERE (a.path = %s OR k.applies_to_children)"
            " AND (k.valid_from IS NULL OR k.valid_from <= %s) AND (k.valid_to IS NULL OR k.valid_to >= %s)"
            " AND k.organization_id = %s AND a.path = ANY(%s::text[]) AND k.is_active AND l.is_active"
            " AND l.currency = %s ORDER BY length(a.path) DESC, k.priority, k.id"
        )
        params: list[_SqlParam] = [
            account.path,
            scope.today,
            scope.today,
            scope.organization_id,
            array_literal(account.chain_paths),
            scope.currency,
        ]
        rows: Iterable[Sequence[Any]] = _fetch(sql, params)
    else:
        rows = _contract_rows(scope, account)
    return [
        _ContractRow(pk, number, final, start, end, _ListRow(*columns))
        for pk, number, final, start, end, *columns in rows
    ]


def _contract_rows(scope: PricingScope, account: PricedAccount) -> Iterable[Sequence[Any]]:
    """The ORM's `_contracts` rows (SQLite)."""
    return (
        Contract.objects.filter(
            Q(account__path=account.path) | Q(applies_to_children=True),
            open_window(scope.today),
            organization_id=scope.organization_id,
            account__path__in=account.chain_paths,
            is_active=True,
            price_list__is_active=True,
            price_list__currency=scope.currency,
        )
        .order_by(Length("account__path").desc(), "priority", "pk")  # nearest account first
        .values_list(
            "pk", "number", "prices_are_final", "valid_from", "valid_to", *_list_columns("price_list__")
        )
    )


def _rules(
    scope: PricingScope, list_ids: list[int]
) -> tuple[dict[int, list[engine.Rule]], dict[int, _ListRow]]:
    """Active rules of these lists and of the lists they derive from (1 query; none without lists).

    Returns the rules by list, and the lists the rules derive from."""
    if not list_ids:
        return {}, {}
    rows = (
        _rule_rows_sql(scope, list_ids) if connection.vendor == "postgresql" else _rule_rows(scope, list_ids)
    )
    rules: dict[int, list[engine.Rule]] = {}
    bases: dict[int, _ListRow] = {}
    for (
        pk,
        list_id,
        base,
        multiplier,
        percent,
        rounding,
        product_id,
        path,
        priority,
        start,
        end,
        *base_list,
    ) in rows:
        base_row = _ListRow(*base_list) if base_list[0] is not None else None
        rules.setdefault(list_id, []).append(
            engine.Rule(
                rule_id=pk,
                base=engine.RuleBase(base),
                multiplier=multiplier,
                percent=percent,
                rounding=engine.Rounding(rounding),
                base_list_id=base_row.pk if base_row else None,
                product_id=product_id,
                category_path=path,
                priority=priority,
                valid_from=start,
                valid_to=end,
            )
        )
        if base_row is not None:
            bases[base_row.pk] = base_row
    return rules, bases


def _rule_rows_sql(scope: PricingScope, list_ids: list[int]) -> list[tuple[Any, ...]]:
    """`_rule_rows` on PostgreSQL, written by hand (see `_assignment_rows_sql`): the same rows."""
    rule = _table(PriceRule)
    lists = array_literal(list_ids)
    sql = (
        "SELECT r.id, r.price_list_id, r.base, r.multiplier, r.percent, r.rounding, r.product_id, c.path,"
        f" r.priority, r.valid_from, r.valid_to, {_LIST_SQL} FROM {rule} r"
        f" LEFT JOIN {_table(Category)} c ON c.id = r.category_id"
        f" LEFT JOIN {_table(PriceList)} l ON l.id = r.base_price_list_id"
        " WHERE (r.price_list_id = ANY(%s::bigint[]) OR r.price_list_id IN (SELECT d.base_price_list_id"
        f" FROM {rule} d WHERE d.price_list_id = ANY(%s::bigint[]) AND d.is_active"
        " AND d.base_price_list_id IS NOT NULL))"
        " AND (r.valid_from IS NULL OR r.valid_from <= %s) AND (r.valid_to IS NULL OR r.valid_to >= %s)"
        " AND r.is_active"
    )
    return _fetch(sql, [lists, lists, scope.today, scope.today])


def _rule_rows(scope: PricingScope, list_ids: list[int]) -> Iterable[Sequence[Any]]:
    """The ORM's `_rules` rows (SQLite)."""
    derived_from = PriceRule.objects.filter(
        price_list_id__in=list_ids, is_active=True, base_price_list__isnull=False
    ).values("base_price_list_id")
    return PriceRule.objects.filter(
        Q(price_list_id__in=list_ids) | Q(price_list_id__in=derived_from),
        open_window(scope.today),
        is_active=True,
    ).values_list(
        "pk",
        "price_list_id",
        "base",
        "multiplier",
        "percent",
        "rounding",
        "product_id",
        "category__path",
        "priority",
        "valid_from",
        "valid_to",
        *_list_columns("base_price_list__"),
    )


@dataclass(frozen=True, slots=True)
class _Chain:
    """What the chain is for one account, website, currency and day, whatever the products."""

    assigned: tuple[tuple[engine.SourceKind, _ListRow], ...]
    contracts: tuple[_ContractRow, ...]
    rules: dict[int, list[engine.Rule]]
    base_rows: dict[int, _ListRow]


def _chain_key(scope: PricingScope) -> tuple[object, ...] | None:
    if scope.version is None:
        return None
    account = scope.account
    return (
        "chain",
        scope.version,
        scope.organization_id,
        scope.website.pk,
        scope.currency,
        scope.today,
        account.account_id if account else None,
        account.path if account else "",
        account.customer_group_id if account else None,
        scope.chain_ids,
    )


def _load_chain(scope: PricingScope) -> _Chain:
    """The chain from this process's cache under the pricing stamp (no query), else 3 queries."""
    key = _chain_key(scope)
    hit = cache.lookup(key)
    if isinstance(hit, _Chain):
        return hit
    assigned = _assigned_lists(scope)
    contracts = _contracts(scope)
    chain_lists = {row.pk for _, row in assigned} | {contract.price_list.pk for contract in contracts}
    rules, base_rows = _rules(scope, sorted(chain_lists))
    chain = _Chain(tuple(assigned), tuple(contracts), rules, base_rows)
    cache.store(key, chain)
    return chain


def load_sources(*, scope: PricingScope, product_ids: Collection[int]) -> LoadedSources:
    """The chain for these products: customer prices, contracts, assignments, with entries and rules.

    Assignments, contracts and rules (with the rules of the lists they derive from) come from this
    process's cache under the pricing stamp, else 3 queries; entries and customer prices are always
    read live (one UNION ALL): 1 query warm, 4 cold, whatever the number of products.
    """
    ids = list(product_ids)
    chain = _load_chain(scope)
    assigned, contracts, rules, base_rows = chain.assigned, chain.contracts, chain.rules, chain.base_rows
    chain_lists: dict[int, _ListRow] = {row.pk: row for _, row in assigned}
    chain_lists.update((contract.price_list.pk, contract.price_list) for contract in contracts)
    list_ids = set(chain_lists) | set(base_rows)
    entries: dict[int, list[engine.Entry]] = {}
    customer_prices: dict[int, list[engine.Entry]] = {}  # by the owning account's path length
    for kind, pk, owner, product_id, uom, min_quantity, price, valid_from, valid_to in _price_rows(
        scope, sorted(list_ids), ids
    ):
        entry = engine.Entry(pk, product_id, uom, min_quantity, price, valid_from, valid_to)
        (entries if kind == ENTRY else customer_prices).setdefault(owner, []).append(entry)
    built: dict[int, engine.PriceList] = {
        pk: _price_list(row, entries.get(pk, ()), rules.get(pk, ()))
        for pk, row in {**base_rows, **chain_lists}.items()
    }
    # Customer prices: the priced account's first, then its ancestors' (longer path: nearer).
    sources = [
        engine.Source(
            kind=engine.SourceKind.CUSTOMER_PRICE,
            price_list=engine.PriceList(
                list_id=None, code="", currency=scope.currency, entries=tuple(customer_prices[depth])
            ),
        )
        for depth in sorted(customer_prices, reverse=True)
    ]
    sources.extend(
        engine.Source(
            kind=engine.SourceKind.CONTRACT,
            price_list=built[contract.price_list.pk],
            contract_id=contract.pk,
            contract_number=contract.number,
            prices_are_final=contract.prices_are_final,
            valid_from=contract.valid_from,
            valid_to=contract.valid_to,
        )
        for contract in contracts
    )
    sources.extend(engine.Source(kind=kind, price_list=built[row.pk]) for kind, row in assigned)
    return LoadedSources(tuple(sources), {pk: built[pk] for pk in list_ids})


_SqlParam = int | str | dt.date | list[int] | list[str]  # what _price_rows_sql binds
_PriceRow = tuple[int, int, int, int, str, Decimal, Decimal, dt.date | None, dt.date | None]


def _price_rows(scope: PricingScope, list_ids: list[int], product_ids: list[int]) -> list[_PriceRow]:
    """Stored entries of these lists and the chain's customer prices for these products (1 query).

    Each row: (ENTRY or CUSTOMER_PRICE, id, owner, product, uom, min quantity, price, window), where the
    owner is the list's id for an entry and, for a customer price, a rank of the owning account that
    grows with its depth (its path length; on PostgreSQL its position in the chain)."""
    if not product_ids or (not list_ids and scope.account is None):
        return []
    if connection.vendor == "postgresql":
        return _price_rows_sql(scope, list_ids, product_ids)
    columns = ("kind", "pk", "owner", "product_id", "uom", "min_quantity", "price", "valid_from", "valid_to")
    parts: list[QuerySet[Any, Any]] = []
    if list_ids:
        parts.append(
            PriceListEntry.objects.filter(
                open_window(scope.today), among("product_id", product_ids), price_list_id__in=list_ids
            )
            .annotate(kind=Value(ENTRY, output_field=IntegerField()), owner=F("price_list_id"))
            .values_list(*columns)
        )
    account = scope.account
    if account is not None:
        parts.append(
            CustomerPrice.objects.filter(
                Q(account__path=account.path) | Q(applies_to_children=True),
                open_window(scope.today),
                among("product_id", product_ids),
                account__path__in=account.chain_paths,
                currency=scope.currency,
            )
            .annotate(kind=Value(CUSTOMER_PRICE, output_field=IntegerField()), owner=Length("account__path"))
            .values_list(*columns)
        )
    first, *rest = parts
    return list(first.union(*rest, all=True) if rest else first)


def _price_rows_sql(scope: PricingScope, list_ids: list[int], product_ids: list[int]) -> list[_PriceRow]:
    """`_price_rows` on PostgreSQL, written by hand: the hot query of every priced page and cart,
    whose compiling through the ORM cost more than running it. Ids are bound as arrays, so a
    2,000-line cart binds as many parameters as a 1-line cart. The same rows as the ORM's query."""
    entry = connection.ops.quote_name(PriceListEntry._meta.db_table)
    customer_price = connection.ops.quote_name(CustomerPrice._meta.db_table)
    parts: list[str] = []
    params: list[_SqlParam] = []
    products = array_literal(product_ids)  # one text parameter each: psycopg dumps a list element by element
    if list_ids:
        parts.append(
            f"SELECT {ENTRY}, e.id, e.price_list_id, e.product_id, e.uom, e.min_quantity, e.price,"
            f" e.valid_from, e.valid_to FROM {entry} e"
            " WHERE (e.valid_from IS NULL OR e.valid_from <= %s) AND (e.valid_to IS NULL OR e.valid_to >= %s)"
            " AND e.product_id = ANY(%s::bigint[]) AND e.price_list_id = ANY(%s::bigint[])"
        )
        params += [scope.today, scope.today, products, array_literal(list_ids)]
    account = scope.account
    if account is not None and scope.chain_ids:
        # The chain's account ids in path order (the scope's statement read them): the owner is the
        # account's position in it, the nearer the higher, as the path length on SQLite.
        chain = array_literal(int(account_id) for account_id in scope.chain_ids.split(","))
        parts.append(
            f"SELECT {CUSTOMER_PRICE}, c.id, array_position(%s::bigint[], c.account_id), c.product_id, c.uom,"
            f" c.min_quantity, c.price, c.valid_from, c.valid_to FROM {customer_price} c"
            " WHERE (c.account_id = %s OR c.applies_to_children)"
            " AND (c.valid_from IS NULL OR c.valid_from <= %s) AND (c.valid_to IS NULL OR c.valid_to >= %s)"
            " AND c.product_id = ANY(%s::bigint[]) AND c.account_id = ANY(%s::bigint[]) AND c.currency = %s"
        )
        params += [chain, account.account_id, scope.today, scope.today, products, chain, scope.currency]
    if not parts:
        return []
    with prepared_cursor() as cursor:  # the same text for every cart of this shape: prepared once
        cursor.execute(" UNION ALL ".join(parts), params)
        rows: list[_PriceRow] = cursor.fetchall()
    return rows
