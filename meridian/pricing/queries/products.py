"""A cart's products as the engine needs them: visible to the actor, with their units and the
priced account's part numbers, alone or with the scope (`load_cart`); `engine_line` makes the
engine's line of one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection

from meridian.catalog.models import Category, CustomerPartNumber, Product, ProductUnit
from meridian.catalog.queries import SqlParam, visibility_sql, visible_products
from meridian.core.actor import Actor
from meridian.core.prepared import array_literal, prepared_cursor
from meridian.customers.models import Account
from meridian.pricing import engine
from meridian.pricing.queries.loading import (
    PricedAccount,
    PricingScope,
    ScopeRow,
    among,
    load_scope,
    scope_from_row,
    scope_sql,
    website_fields,
)
from meridian.tenancy.models import Website


@dataclass(frozen=True, slots=True)
class ProductInfo:
    product_id: int
    sku: str
    base_uom: str
    category_path: str | None
    standard_cost: Decimal | None
    cost_currency: str
    units: Mapping[str, Decimal]  # code -> base units in one
    part_number: str = ""  # the priced account's own, when asked for (`load_products`)


def load_products(
    *,
    actor: Actor,
    organization_id: int,
    skus: Collection[str] = (),
    product_ids: Collection[int] = (),
    with_units: bool = True,
    part_numbers_of: PricingScope | None = None,
) -> dict[int, ProductInfo]:
    """Products by SKU (visible to the actor) or by id (1 query), with their units (1 more).

    With `part_numbers_of` (a scope) each product carries the part number of the nearest account of
    the scope's chain that has one: in the same statement on PostgreSQL, 1 more query on SQLite."""
    if connection.vendor == "postgresql":
        rows = _product_rows_sql(
            actor=actor,
            organization_id=organization_id,
            skus=list(skus),
            product_ids=list(product_ids),
            part_number_chain=part_numbers_of.chain_ids if part_numbers_of is not None else "",
        )
    else:
        if skus:
            queryset = visible_products(actor).filter(among("sku", skus))
        else:
            queryset = Product.objects.filter(among("pk", product_ids), organization_id=organization_id)
        found = list(
            queryset.values_list("pk", "sku", "base_uom", "category__path", "standard_cost", "cost_currency")
        )
        paths = part_numbers_of.chain_paths if part_numbers_of is not None else []
        nearest = _nearest_part_numbers(paths, [row[0] for row in found]) if paths and found else {}
        rows = [(*row, nearest.get(row[0])) for row in found]
    return _product_infos(rows, with_units=with_units)


def _product_infos(rows: Sequence[_ProductRow], *, with_units: bool) -> dict[int, ProductInfo]:
    """The products' rows as the engine's inputs, with their units (1 query) when asked for."""
    units: dict[int, dict[str, Decimal]] = {}
    if with_units and rows:
        for product_id, code, factor in _unit_rows([row[0] for row in rows]):
            units.setdefault(product_id, {})[code.upper()] = factor
    return {
        pk: ProductInfo(
            pk, sku, base_uom.upper(), path, cost, cost_currency, units.get(pk, {}), part_number or ""
        )
        for pk, sku, base_uom, path, cost, cost_currency, part_number in rows
    }


_ProductRow = tuple[int, str, str, str | None, Decimal | None, str, str | None]


def _product_rows_sql(
    *,
    actor: Actor,
    organization_id: int,
    skus: list[str],
    product_ids: list[int],
    part_number_chain: str,
) -> list[_ProductRow]:
    """`load_products`' query on PostgreSQL, written by hand: by SKU (the actor's visibility, its
    rules read in the same statement) or by id, bound as one array, with the nearest part number.

    It runs for every priced cart and order, and building and compiling the ORM's query (a CASE over
    the rules, after a query for them) cost more than running it. The same rows as the ORM's query."""
    chain: list[SqlParam] = []
    if part_number_chain:
        chain = [array_literal(int(account_id) for account_id in part_number_chain.split(","))]
    prefix, prefix_params, select, params = _product_select(
        actor=actor,
        organization_id=organization_id,
        skus=skus,
        product_ids=product_ids,
        chain="%s::bigint[]" if chain else "",
    )
    with prepared_cursor() as cursor:  # the same text for every cart of this shape: prepared once
        cursor.execute(f"{prefix}{select}", [*prefix_params, *chain, *chain, *params])
        rows: list[_ProductRow] = cursor.fetchall()
    return rows


def _product_select(
    *, actor: Actor, organization_id: int, skus: list[str], product_ids: list[int], chain: str
) -> tuple[str, list[SqlParam], str, list[SqlParam]]:
    """`_product_rows_sql`'s statement: a prefix (a WITH clause, or empty) with its parameters, and
    the SELECT with its own. `chain` is an SQL expression of the chain's account ids in path order
    (root first: the nearest account is the last), used twice before the SELECT's parameters, for
    the part numbers; empty: none."""
    product = connection.ops.quote_name(Product._meta.db_table)
    category = connection.ops.quote_name(Category._meta.db_table)
    prefix = ""
    prefix_params: list[SqlParam] = []
    conditions: list[str] = ["p.organization_id = %s", "p.id = ANY(%s::bigint[])"]
    params: list[SqlParam] = [organization_id, array_literal(product_ids)]
    if skus:
        visibility = visibility_sql(actor)
        prefix, prefix_params = visibility.prefix, visibility.prefix_params
        conditions = [visibility.condition, "p.sku = ANY(%s::text[])"]
        params = [*visibility.condition_params, array_literal(skus)]
    part_number = "NULL"
    if chain:
        part = connection.ops.quote_name(CustomerPartNumber._meta.db_table)
        part_number = (
            f"(SELECT n.part_number FROM {part} n WHERE n.product_id = p.id AND n.account_id = ANY({chain})"
            f" ORDER BY array_position({chain}, n.account_id) DESC, n.id LIMIT 1)"
        )
    select = (
        f"SELECT p.id, p.sku, p.base_uom, c.path, p.standard_cost, p.cost_currency, {part_number}"
        f" FROM {product} p LEFT JOIN {category} c ON c.id = p.category_id WHERE {' AND '.join(conditions)}"
    )
    return prefix, prefix_params, select, params


def load_cart(
    *,
    actor: Actor,
    organization_id: int,
    account: PricedAccount,
    skus: Collection[str],
    website_id: int | None,
    currency: str | None,
    with_units: bool = True,
    now: dt.datetime | None = None,
    today: dt.date | None = None,
) -> tuple[PricingScope, dict[int, ProductInfo]]:
    """`load_scope` for the account and `load_products` by SKU with the scope's part numbers.

    On PostgreSQL in one statement (the scope's row joined to the products' rows: one round trip
    less for every priced cart and order), with the units 1 more; SQLite: the two functions."""
    if connection.vendor != "postgresql":
        scope = load_scope(
            organization_id=organization_id,
            account=account,
            website_id=website_id,
            currency=currency,
            now=now,
            today=today,
        )
        products = load_products(
            actor=actor,
            organization_id=organization_id,
            skus=skus,
            with_units=with_units,
            part_numbers_of=scope,
        )
        return scope, products
    scope_statement, scope_params = scope_sql(
        organization_id=organization_id, website_id=website_id, chain_paths=account.chain_paths
    )
    prefix, prefix_params, select, params = _product_select(
        actor=actor,
        organization_id=organization_id,
        skus=list(skus),
        product_ids=[],
        chain="string_to_array(s.pricing_chain, ',')::bigint[]",
    )
    sql = f"{prefix}SELECT s.*, p.* FROM ({scope_statement}) s LEFT JOIN LATERAL ({select}) p ON TRUE"
    with prepared_cursor() as cursor:  # the same text for every cart of this shape: prepared once
        cursor.execute(sql, [*prefix_params, *scope_params, *params])
        rows = cursor.fetchall()
    width = len(website_fields()[0])
    row: ScopeRow = (None, None, None, None)
    if rows:
        first = rows[0]
        row = (
            Website.from_db(connection.alias, website_fields()[0], first[:width]),
            *first[width : width + 3],
        )
    scope = scope_from_row(
        row,
        organization_id=organization_id,
        account=account,
        website_id=website_id,
        currency=currency,
        now=now,
        today=today,
    )
    found = [tuple(found[width + 3 :]) for found in rows if found[width + 3] is not None]
    return scope, _product_infos(found, with_units=with_units)


def _nearest_part_numbers(chain_paths: list[str], product_ids: list[int]) -> dict[int, str]:
    """The part number of the nearest account of the chain that has one, per product (1 query)."""
    best: dict[int, tuple[int, str]] = {}
    for product_id, part_number, depth in _part_number_rows(chain_paths, product_ids):
        if product_id not in best or depth > best[product_id][0]:
            best[product_id] = (depth, part_number)
    return {product_id: part for product_id, (_, part) in best.items()}


def _unit_rows(product_ids: list[int]) -> list[tuple[int, str, Decimal]]:
    if connection.vendor != "postgresql":
        return list(
            ProductUnit.objects.filter(product_id__in=product_ids).values_list("product_id", "code", "factor")
        )
    unit = connection.ops.quote_name(ProductUnit._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT u.product_id, u.code, u.factor FROM {unit} u WHERE u.product_id = ANY(%s)", [product_ids]
        )
        rows: list[tuple[int, str, Decimal]] = cursor.fetchall()
    return rows


def part_numbers_for_chain(*, scope: PricingScope, product_ids: Collection[int]) -> dict[int, str]:
    """The priced account's own part number per product; the nearest account in the chain wins (1 query)."""
    if scope.account is None or not product_ids:
        return {}
    return _nearest_part_numbers(scope.chain_paths, list(product_ids))


def _part_number_rows(chain_paths: list[str], product_ids: list[int]) -> list[tuple[int, str, int]]:
    """(product, part number, the owning account's path length) of the chain's accounts."""
    if connection.vendor != "postgresql":
        return [
            (product_id, part_number, len(path))
            for product_id, part_number, path in CustomerPartNumber.objects.filter(
                product_id__in=product_ids, account__path__in=chain_paths
            ).values_list("product_id", "part_number", "account__path")
        ]
    part = connection.ops.quote_name(CustomerPartNumber._meta.db_table)
    account = connection.ops.quote_name(Account._meta.db_table)
    sql = (
        f"SELECT n.product_id, n.part_number, length(a.path) FROM {part} n JOIN {account} a ON a.id = n.account_id"
        " WHERE n.product_id = ANY(%s) AND a.path = ANY(%s)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [product_ids, chain_paths])
        rows: list[tuple[int, str, int]] = cursor.fetchall()
    return rows


def engine_line(
    *, key: str, product: ProductInfo, quantity: Decimal, uom: str, part_number: str = ""
) -> engine.Line | None:
    """The engine's view of a line; None when the product has no such unit."""
    code = (uom or product.base_uom).strip().upper()
    factor = Decimal(1) if code == product.base_uom else product.units.get(code)
    if factor is None:
        return None
    return engine.Line(
        key=key,
        product_id=product.product_id,
        sku=product.sku,
        quantity=quantity,
        uom=code,
        base_uom=product.base_uom,
        uom_factor=factor,
        category_path=product.category_path,
        standard_cost=product.standard_cost,
        cost_currency=product.cost_currency,
        part_number=part_number,
    )
