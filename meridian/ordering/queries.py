"""Ordering read paths, scoped to the actor (an object outside the scope is NotFound), the loaders the
services use in a fixed number of queries, and the lock_* helpers."""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from decimal import Context, Decimal
from typing import Any, TypeVar

from django.db import connection, models
from django.db.models import Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Upper

from meridian.catalog import engine as catalog_engine
from meridian.catalog.models import CustomerPartNumber, Product, ProductUnit
from meridian.catalog.queries import visible_products
from meridian.core.actor import Actor, ActorKind, BuyerRole
from meridian.core.errors import NotFound
from meridian.core.models import User
from meridian.core.prepared import prepared_cursor
from meridian.customers.errors import AccountNotFound
from meridian.customers.models import Account, Address, BuyerUser, PaymentTerms
from meridian.customers.queries import account_reference, filter_by_reference, is_database_id
from meridian.inventory.models import StockMovement
from meridian.ordering import cache as setup_cache
from meridian.ordering import engine
from meridian.ordering.errors import CartNotFound, OrderNotFound
from meridian.ordering.models import (
    AccountExposure,
    AccountOrderingSettings,
    BuyerOrderLimit,
    Cart,
    CartLine,
    Order,
    OrderingVersion,
    OrderLine,
    OrderStatusChange,
    ShippingMethod,
    ShippingRateBand,
)
from meridian.tenancy.models import Organization, Website

ZERO = Decimal(0)
ModelT = TypeVar("ModelT", bound=models.Model)


# --- accounts, the account's view, websites -------------------------------------------------


def get_orderable_account(*, actor: Actor, reference: Account | str | int) -> Account:
    """The account (id or `ext:<external_id>`) in the actor's scope, with its payment terms and ordering
    settings (1 query); else AccountNotFound."""
    key = reference.pk if isinstance(reference, Account) else reference
    queryset = Account.objects.visible_to(actor).select_related(
        "organization", "payment_terms", "ordering_settings"
    )
    account = filter_by_reference(queryset, key).first()
    if account is None:
        raise AccountNotFound(key)
    return account


@dataclass(frozen=True, slots=True)
class Orderable:
    """What `get_orderable_account_and_website` read."""

    account: Account
    website: Website | None  # None: no such website
    default_address: Address | None  # as default_shipping_address answers it, when read
    default_address_read: bool


def get_orderable_account_and_website(
    *,
    actor: Actor,
    reference: Account | str | int,
    website_id: int | None,
    with_default_address: bool = False,
) -> Orderable:
    """`get_orderable_account`, and the account's organization's website `website_id` (else its
    default) as `get_website` reads it, with the ordering stamp; and, `with_default_address`, the
    account's default shipping address as `default_shipping_address` reads it.

    1 statement on PostgreSQL for a buyer or staff who sees the whole organization (hand-written:
    every placement and preview runs it, and the ORM's compiling and loading of four related rows
    cost more than the database work); else the ORM's account query and `get_website` (2), the
    address being left to `default_shipping_address`."""
    key = reference.pk if isinstance(reference, Account) else reference
    scope = _account_scope(actor)
    if connection.vendor != "postgresql" or scope is None:
        account = get_orderable_account(actor=actor, reference=key)
        try:
            website: Website | None = get_website(
                organization_id=account.organization_id, website_id=website_id
            )
        except NotFound:
            website = None
        return Orderable(account, website, None, default_address_read=False)
    named = account_reference(key)
    if named is None:
        raise AccountNotFound(key)
    where, params = scope
    where += f" AND a.{named[0]} = %s"
    params.append(named[1])
    website_where = ""
    if website_id is not None:
        website_where = " AND w.id = %s"
        params.insert(0, website_id)
    with prepared_cursor() as cursor:
        cursor.execute(_orderable_sql(website_where, where, with_default_address), params)
        row = cursor.fetchone()
    if row is None:
        raise AccountNotFound(key)
    return _orderable_rows(row, with_default_address=with_default_address)


def _account_scope(actor: Actor) -> tuple[str, list[Any]] | None:
    """`Account.objects.visible_to(actor)` as SQL on `a`, for the actors it is written for (None:
    ask the ORM)."""
    if not actor.is_authenticated or actor.organization_id is None:
        return None
    if actor.is_buyer:
        if actor.account_path is None:
            return None
        like = connection.ops.prep_for_like_query(actor.account_path) + "%"
        return "a.organization_id = %s AND a.path LIKE %s", [actor.organization_id, like]
    if actor.sees_whole_organization:
        return "a.organization_id = %s", [actor.organization_id]
    return None


_LOADED = (Account, Organization, PaymentTerms, AccountOrderingSettings, Website)
_ALIASES = ("a", "o", "t", "s", "w")
_ATTNAMES: dict[type[models.Model], list[str]] = {
    model: [field.attname for field in model._meta.concrete_fields] for model in _LOADED
}


def _columns(model: type[models.Model], alias: str) -> str:
    return ", ".join(
        f"{alias}.{connection.ops.quote_name(str(field.column))}" for field in model._meta.concrete_fields
    )


_orderable_statements: dict[tuple[str, str, bool], str] = {}


def _orderable_sql(website_where: str, where: str, with_default_address: bool) -> str:
    cache_key = (website_where, where, with_default_address)
    found = _orderable_statements.get(cache_key)
    if found is not None:
        return found
    columns = ", ".join(_columns(model, alias) for model, alias in zip(_LOADED, _ALIASES, strict=True))
    address_columns = address_join = ""
    if with_default_address:
        address_columns = f", {_columns(Address, 'd')}"
        address_join = (
            f" LEFT JOIN LATERAL (SELECT * FROM {_table(Address)} d WHERE d.account_id = a.id"
            " AND d.is_shipping = true ORDER BY d.is_default_shipping DESC, d.id LIMIT 1) d ON true"
        )
    sql = (
        f"SELECT {columns},"
        f" (SELECT v.version FROM {_table(OrderingVersion)} v WHERE v.id = 1){address_columns}"
        f" FROM {_table(Account)} a INNER JOIN {_table(Organization)} o ON o.id = a.organization_id"
        f" LEFT JOIN {_table(PaymentTerms)} t ON t.id = a.payment_terms_id"
        f" LEFT JOIN {_table(AccountOrderingSettings)} s ON s.account_id = a.id"
        f" LEFT JOIN LATERAL (SELECT * FROM {_table(Website)} w WHERE w.organization_id = a.organization_id"
        f"{website_where} ORDER BY w.is_default DESC, w.id LIMIT 1) w ON true{address_join}"
        f" WHERE {where} ORDER BY a.path LIMIT 1"
    )
    _orderable_statements[cache_key] = sql
    return sql


def _load(model: type[ModelT], values: Sequence[object]) -> ModelT | None:
    """An instance from its columns as the ORM loads it (None when the LEFT JOIN found no row)."""
    if values[0] is None:
        return None
    converted = list(values)
    for index, (column, converters) in _converters(model):
        for converter in converters:
            converted[index] = converter(converted[index], column, connection)
    names = _ATTNAMES.get(model)
    if names is None:
        names = _ATTNAMES[model] = [field.attname for field in model._meta.concrete_fields]
    return model.from_db(connection.alias, names, converted)


_Converters = tuple[Any, list[Any]]  # a field's column expression and the converters of its values
_field_converters: dict[tuple[type[models.Model], str], _Converters] = {}
_model_converters: dict[type[models.Model], list[tuple[int, _Converters]]] = {}


def _converters_of(model: type[models.Model], name: str) -> _Converters:
    found = _field_converters.get((model, name))
    if found is None:
        column = model._meta.get_field(name).get_col(model._meta.db_table)  # type: ignore[union-attr]  # a concrete field
        found = (column, connection.ops.get_db_converters(column) + column.get_db_converters(connection))
        _field_converters[(model, name)] = found
    return found


def _converters(model: type[models.Model]) -> list[tuple[int, _Converters]]:
    """The model's columns that have converters, by position among its concrete fields."""
    found = _model_converters.get(model)
    if found is None:
        found = [
            (index, converted)
            for index, field in enumerate(model._meta.concrete_fields)
            if (converted := _converters_of(model, field.name))[1]
        ]
        _model_converters[model] = found
    return found


def convert_column(model: type[models.Model], name: str, value: object) -> object:
    """A value that hand-written SQL read from `model`'s field `name`, converted as the ORM's
    compiler converts it (SQLite answers a decimal as a float, JSON as text)."""
    column, converters = _converters_of(model, name)
    for converter in converters:
        value = converter(value, column, connection)
    return value


def _orderable_rows(row: Sequence[object], *, with_default_address: bool) -> Orderable:
    instances: list[models.Model | None] = []
    start = 0
    for model in _LOADED:
        end = start + len(model._meta.concrete_fields)
        instances.append(_load(model, row[start:end]))
        start = end
    account, organization, terms, settings, website = instances
    assert isinstance(account, Account) and isinstance(organization, Organization)
    Account._meta.get_field("organization").set_cached_value(account, organization)
    Account._meta.get_field("payment_terms").set_cached_value(account, terms)
    # as select_related caches a reverse one-to-one, on both sides (None: no settings row)
    Account._meta.get_field("ordering_settings").set_cached_value(account, settings)
    if settings is not None:
        AccountOrderingSettings._meta.get_field("account").set_cached_value(settings, account)
    address = _load(Address, row[start + 1 :]) if with_default_address else None
    if not isinstance(website, Website):
        return Orderable(account, None, address, default_address_read=with_default_address)
    website.ordering_version = row[start]  # type: ignore[attr-defined]  # the extra column, as get_website's
    return Orderable(account, website, address, default_address_read=with_default_address)


@dataclass(frozen=True, slots=True)
class Ancestor:
    account_id: int
    path: str
    credit_limit: Decimal | None


def account_ancestors(*, account: Account) -> list[Ancestor]:
    """The account's ancestors, root first (1 query; none for a root account)."""
    paths = account.ancestor_paths()
    if not paths:
        return []
    rows = Account.objects.filter(organization_id=account.organization_id, path__in=paths).order_by("path")
    return [Ancestor(pk, path, limit) for pk, path, limit in rows.values_list("pk", "path", "credit_limit")]


def account_view(*, account: Account, ancestors: Sequence[Ancestor], website_id: int | None) -> Actor:
    """The account as its own buyers see the catalog and prices: a rep ordering on its behalf gets
    exactly the visibility and prices its buyers get."""
    return Actor(
        kind=ActorKind.BUYER,
        organization_id=account.organization_id,
        website_id=website_id,
        account_id=account.pk,
        account_path=account.path,
        account_ancestor_ids=tuple(ancestor.account_id for ancestor in ancestors),
        customer_group_id=account.customer_group_id,
        branch_id=account.branch_id,
        buyer_roles=frozenset({BuyerRole.BUYER}),
    )


def _table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def get_website(*, organization_id: int, website_id: int | None) -> Website:
    """The website (or the organization's default) with the ordering stamp (`setup_stamp`) under
    which the checkout setup is cached (1 query; hand-written: it runs in every placement and
    preview, and the ORM's compiling cost more than the database work)."""
    sql = (
        f"SELECT w.*, (SELECT v.version FROM {_table(OrderingVersion)} v WHERE v.id = 1) AS ordering_version"
        f" FROM {_table(Website)} w WHERE w.organization_id = %s"
    )
    params: list[object] = [organization_id]
    if website_id is not None:
        sql += " AND w.id = %s"
        params.append(website_id)
    websites = list(Website.objects.raw(sql + " ORDER BY w.is_default DESC, w.id LIMIT 1", params))
    if not websites:
        raise website_not_found(website_id)
    return websites[0]


def website_not_found(website_id: int | None) -> NotFound:
    return NotFound(f"website {website_id} not found", fields={"website": ["not found"]})


def setup_stamp(website: Website) -> int | None:
    """The ordering stamp `get_website` read with the website (None: not read, or no stamp row)."""
    stamp = getattr(website, "ordering_version", None)
    return int(stamp) if stamp is not None else None


@functools.cache
def _address_sql() -> str:
    return (
        f"SELECT {_columns(Address, 'd')} FROM {_table(Address)} d WHERE d.account_id = %s"
        " AND d.is_shipping = %s ORDER BY d.is_default_shipping DESC, d.id LIMIT 1"
    )


def default_shipping_address(*, account: Account) -> Address | None:
    """The account's default shipping address, else its first (1 query; hand-written: every
    placement without a ship-to reads it)."""
    with prepared_cursor() as cursor:
        cursor.execute(_address_sql(), [account.pk, True])
        row = cursor.fetchone()
    return _load(Address, row) if row is not None else None


def find_address(*, account: Account, address_id: int) -> Address | None:
    return Address.objects.filter(account_id=account.pk, pk=address_id).first()


# --- products ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProductFacts:
    """What ordering needs to check and write a line for one product."""

    product_id: int
    sku: str
    name: str
    status: str
    base_uom: str
    min_order_quantity: Decimal
    order_increment: Decimal
    weight: Decimal  # kg per base unit; 0 when the catalog does not say
    units: Mapping[str, Decimal]  # code -> base units in one (the base unit itself included)

    @property
    def is_orderable(self) -> bool:
        return self.status == Product.Status.ACTIVE

    def factor(self, uom: str) -> Decimal | None:
        return self.units.get(uom.upper())


def _weight(attributes: object) -> Decimal:
    if isinstance(attributes, dict):
        raw = attributes.get("weight_kg")
        try:
            value = Decimal(str(raw)) if raw is not None else ZERO
        except ArithmeticError:
            return ZERO
        return value if value.is_finite() and value >= 0 else ZERO
    return ZERO


def _facts(rows: Sequence[Product], *, with_units: bool = True) -> dict[int, ProductFacts]:
    units: dict[int, dict[str, Decimal]] = {row.pk: {row.base_uom.upper(): Decimal(1)} for row in rows}
    if rows and with_units:
        for product_id, code, factor in ProductUnit.objects.filter(
            product_id__in=[row.pk for row in rows]
        ).values_list("product_id", "code", "factor"):
            units[product_id][code.upper()] = factor
    return {
        row.pk: ProductFacts(
            product_id=row.pk,
            sku=row.sku,
            name=row.name,
            status=row.status,
            base_uom=row.base_uom.upper(),
            min_order_quantity=row.min_order_quantity,
            order_increment=row.order_increment,
            weight=_weight(row.attributes),
            units=units[row.pk],
        )
        for row in rows
    }


FACT_FIELDS = (
    "pk",
    "sku",
    "name",
    "status",
    "base_uom",
    "min_order_quantity",
    "order_increment",
    "attributes",
)


def product_facts(
    *, organization_id: int, product_ids: Collection[int], with_units: bool = True
) -> dict[int, ProductFacts]:
    """Products by id (1 query; none without ids) with their units (1 more, unless `with_units` is
    False: then only the base unit is known)."""
    if not product_ids:
        return {}
    if connection.vendor == "postgresql" and not with_units:
        return _base_unit_facts(organization_id=organization_id, product_ids=sorted(product_ids))
    rows = list(
        Product.objects.filter(organization_id=organization_id, pk__in=sorted(product_ids)).only(*FACT_FIELDS)
    )
    return _facts(rows, with_units=with_units)


def _base_unit_facts(*, organization_id: int, product_ids: list[int]) -> dict[int, ProductFacts]:
    """`product_facts` without units on PostgreSQL (1 statement; hand-written: every placement
    whose lines name no unit runs it). Only the weight is read of the attributes, as JSON, so
    `_weight` sees the value the whole document's parsing gave it."""
    sql = (
        "SELECT p.id, p.sku, p.name, p.status, p.base_uom, p.min_order_quantity, p.order_increment,"
        f" p.attributes -> 'weight_kg', jsonb_typeof(p.attributes) = 'object' FROM {_table(Product)} p"
        " WHERE p.organization_id = %s AND p.id = ANY(%s::bigint[]) ORDER BY p.id"
    )
    with prepared_cursor() as cursor:
        cursor.execute(sql, [organization_id, product_ids])
        rows = cursor.fetchall()
    facts = {}
    for pk, sku, name, status, base_uom, minimum, increment, weight, is_object in rows:
        raw = json.loads(weight) if isinstance(weight, str) else weight
        unit = base_uom.upper()
        facts[pk] = ProductFacts(
            product_id=pk,
            sku=sku,
            name=name,
            status=status,
            base_uom=unit,
            min_order_quantity=minimum,
            order_increment=increment,
            weight=_weight({"weight_kg": raw} if is_object else None),
            units={unit: Decimal(1)},
        )
    return facts


@dataclass(frozen=True, slots=True)
class ResolvedReferences:
    """Products a quick order's references name: by upper-cased SKU, or by normalized part number."""

    by_sku: dict[str, ProductFacts]
    by_part_number: dict[str, ProductFacts]

    def find(self, reference: str) -> ProductFacts | None:
        found = self.by_sku.get(reference.strip().upper())
        if found is None:
            found = self.by_part_number.get(catalog_engine.normalize_part_number(reference))
        return found


def resolve_references(*, view: Actor, references: Collection[str]) -> ResolvedReferences:
    """SKUs (any case) and the account's own part numbers (the account's or an ancestor's, the
    nearest wins) to visible products, in 4 queries whatever the number of references: part numbers,
    visibility rules, products, units."""
    skus = sorted({reference.strip().upper() for reference in references if reference.strip()})
    normalized = sorted(
        {n for reference in references if (n := catalog_engine.normalize_part_number(reference))}
    )
    chain = list(view.account_chain_ids)
    depth = {account_id: index for index, account_id in enumerate(chain)}
    part_rows = (
        list(
            CustomerPartNumber.objects.filter(account_id__in=chain, normalized__in=normalized).values_list(
                "normalized", "product_id", "account_id"
            )
        )
        if chain and normalized
        else []
    )
    nearest: dict[str, tuple[int, int]] = {}
    for number, product_id, account_id in part_rows:
        rank = depth.get(account_id, -1)
        if number not in nearest or rank > nearest[number][0]:
            nearest[number] = (rank, product_id)
    part_product_ids = sorted({product_id for _, product_id in nearest.values()})
    condition = Q(sku_upper__in=skus)
    if part_product_ids:
        condition |= Q(pk__in=part_product_ids)
    rows = list(visible_products(view).alias(sku_upper=Upper("sku")).filter(condition).only(*FACT_FIELDS))
    facts = _facts(rows)
    by_sku = {fact.sku.upper(): fact for fact in facts.values()}
    by_part = {
        number: facts[product_id] for number, (_, product_id) in nearest.items() if product_id in facts
    }
    return ResolvedReferences(by_sku=by_sku, by_part_number=by_part)


# --- shipping ---------------------------------------------------------------------------------


def shipping_rates(
    *, website: Website, code: str, currency: str, stamp: int | None = None
) -> engine.ShippingRates | None:
    """The website's method `code` (or its first active one when `code` is empty), with its bands
    (2 queries, none when cached under the ordering `stamp`: see ordering.cache); None when the
    website has no method at all (shipping is then free) or no such code."""
    key = None if stamp is None else ("shipping", stamp, website.pk, code, currency)
    cached = setup_cache.lookup(key)
    if cached is None or isinstance(cached, engine.ShippingRates):
        return cached
    rates = _read_shipping_rates(website=website, code=code, currency=currency)
    setup_cache.store(key, rates)
    return rates


def _read_shipping_rates(*, website: Website, code: str, currency: str) -> engine.ShippingRates | None:
    methods = ShippingMethod.objects.filter(website_id=website.pk, is_active=True, currency=currency)
    method = (methods.filter(code=code) if code else methods.order_by("position", "pk")).first()
    if method is None:
        return None
    bands = tuple(
        engine.RateBand(min_value, amount)
        for min_value, amount in ShippingRateBand.objects.filter(method_id=method.pk)
        .order_by("min_value")
        .values_list("min_value", "amount")
    )
    return engine.ShippingRates(
        method.code, method.name, engine.ShippingBasis(method.basis), method.flat_amount, bands
    )


def list_shipping_methods(*, website: Website) -> QuerySet[ShippingMethod]:
    return (
        ShippingMethod.objects.filter(website_id=website.pk, is_active=True)
        .prefetch_related("bands")
        .order_by("position", "pk")
    )


# --- buyer controls and credit ---------------------------------------------------------------


def _sum(value: object) -> Decimal:
    """A SUM of a decimal column as the ORM answers it: PostgreSQL's numeric as is; SQLite's float
    (or int) through the same 15-digit context Django's SQLite backend uses."""
    if value is None or value == 0:  # no open order, or an account's exposure back at zero
        return ZERO
    if isinstance(value, Decimal):
        return value
    return Context(prec=15).create_decimal_from_float(value)  # type: ignore[arg-type]  # int or float


def open_orders_total(*, organization_id: int, account_path: str, currency: str) -> Decimal:
    """Open terms orders of the account and its subtree (they count against its credit limit); 1 query
    (hand-written: it runs in every terms placement)."""
    sql, params = _open_orders_sql(
        organization_id=organization_id, account_path=account_path, currency=currency
    )
    with prepared_cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return _sum(row[0] if row else None)


def _open_orders_sql(*, organization_id: int, account_path: str, currency: str) -> tuple[str, list[Any]]:
    like = connection.ops.prep_for_like_query(account_path) + "%"
    if connection.vendor == "postgresql":
        # Each account's open terms orders, kept by a trigger (AccountExposure): one row per
        # account of the subtree instead of one per open order.
        sql = (
            f"SELECT SUM(e.open_total) FROM {_table(AccountExposure)} e"
            f" INNER JOIN {_table(Account)} a ON a.id = e.account_id"
            " WHERE a.organization_id = %s AND a.path LIKE %s AND e.currency = %s"
        )
        return sql, [organization_id, like, currency]
    statuses = sorted(str(status) for status in engine.OPEN_STATUSES)
    escape = " ESCAPE '\\'"
    sql = (
        f"SELECT SUM(o.total) FROM {_table(Order)} o INNER JOIN {_table(Account)} a ON a.id = o.account_id"
        f" WHERE o.organization_id = %s AND a.path LIKE %s{escape} AND o.currency = %s"
        f" AND o.payment_method = %s AND o.status IN ({', '.join(['%s'] * len(statuses))})"
    )
    return sql, [organization_id, like, currency, str(Order.PaymentMethod.TERMS), *statuses]


@dataclass(frozen=True, slots=True)
class PlacementFigures:
    exposure: Decimal  # the open terms orders under the credit account (0 without one)
    buyer_limit: Decimal | None  # the placing buyer's limit per order
    order_id: int | None  # PostgreSQL: the new order's id, taken from its sequence


def placement_figures(
    *, organization_id: int, credit_path: str | None, currency: str, buyer_user_id: int | None
) -> PlacementFigures:
    """What a placement checks once the credit and budget locks are held: `open_orders_total` under
    `credit_path` (if any) and `buyer_order_limit` of `buyer_user_id` (if any); on PostgreSQL also
    the new order's id. 1 statement on PostgreSQL (hand-written: every placement runs it); else
    the two queries (0-2)."""
    if connection.vendor != "postgresql":
        return PlacementFigures(
            exposure=(
                open_orders_total(
                    organization_id=organization_id, account_path=credit_path, currency=currency
                )
                if credit_path is not None
                else ZERO
            ),
            buyer_limit=buyer_order_limit(user_id=buyer_user_id) if buyer_user_id is not None else None,
            order_id=None,
        )
    parts = ["NULL", "NULL"]
    params: list[Any] = []
    if credit_path is not None:
        sql, params = _open_orders_sql(
            organization_id=organization_id, account_path=credit_path, currency=currency
        )
        parts[0] = f"({sql})"
    if buyer_user_id is not None:
        parts[1] = f"({_BUYER_LIMIT_SQL.format(limit=_table(BuyerOrderLimit), buyer=_table(BuyerUser))})"
        params.append(buyer_user_id)
    next_id = f"nextval(pg_get_serial_sequence('{Order._meta.db_table}', 'id'))"
    with prepared_cursor() as cursor:
        cursor.execute(f"SELECT {parts[0]}, {parts[1]}, {next_id}", params)
        exposure, limit, order_id = cursor.fetchone()
    return PlacementFigures(
        exposure=_sum(exposure) if credit_path is not None else ZERO,
        buyer_limit=limit,
        order_id=int(order_id),
    )


def spent_between(*, account: Account, currency: str, start: dt.datetime, end: dt.datetime) -> Decimal:
    """The account's orders placed in [start, end) that count against its budget; 1 query."""
    total = (
        Order.objects.filter(
            account_id=account.pk,
            currency=currency,
            created_at__gte=start,
            created_at__lt=end,
            status__in=[str(status) for status in engine.SPENDING_STATUSES],
        )
        .aggregate(total=Sum("total"))
        .get("total")
    )
    return total or ZERO


# --- locks ------------------------------------------------------------------------------------


def lock_accounts(*, account_ids: Collection[int]) -> dict[int, Account]:
    """Lock accounts in pk order (credit and budget checks of concurrent orders queue here)."""
    if not account_ids:
        return {}
    rows = Account.objects.filter(pk__in=sorted(account_ids)).order_by("pk").select_for_update(of=("self",))
    return {row.pk: row for row in rows}


def lock_account_rows(*, account_ids: Collection[int]) -> None:
    """Lock accounts in pk order, reading nothing (placement's credit and budget checks queue here);
    1 query, none without ids. Hand-written: it runs in every terms placement."""
    if not account_ids:
        return
    ids = sorted(account_ids)
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    sql = f"SELECT a.id FROM {_table(Account)} a WHERE a.id IN ({', '.join(['%s'] * len(ids))}) ORDER BY a.id"
    with prepared_cursor() as cursor:
        cursor.execute(sql + lock, ids)
        cursor.fetchall()


_BUYER_LIMIT_SQL = (
    "SELECT l.order_limit FROM {limit} l INNER JOIN {buyer} b ON b.id = l.buyer_id WHERE b.user_id = %s"
    " ORDER BY l.id LIMIT 1"
)


def buyer_order_limit(*, user_id: int) -> Decimal | None:
    """The buyer's limit per order, if any (1 query; hand-written: it runs in every buyer placement)."""
    sql = _BUYER_LIMIT_SQL.format(limit=_table(BuyerOrderLimit), buyer=_table(BuyerUser))
    with prepared_cursor() as cursor:
        cursor.execute(sql, [user_id])
        row = cursor.fetchone()
    if row is None or row[0] is None:
        return None
    value = row[0]
    if isinstance(value, Decimal):
        return value
    # SQLite answers a float or an int: as the ORM does, through a 15-digit context, to 4 places.
    return Context(prec=15).create_decimal_from_float(value).quantize(Decimal(1).scaleb(-4))


def lock_order(*, actor: Actor, number: str) -> Order:
    """The order in the actor's scope, locked (with its account); else OrderNotFound."""
    found = (
        Order.objects.visible_to(actor)
        .filter(number=number)
        .select_related("account", "website", "organization")
        .select_for_update(of=("self",))
        .first()
    )
    if found is None:
        raise OrderNotFound(number)
    return found


def lock_cart(*, cart_id: int) -> Cart:
    found = Cart.objects.filter(pk=cart_id).select_for_update(of=("self",)).first()
    if found is None:
        raise CartNotFound(cart_id)
    return found


# --- orders -----------------------------------------------------------------------------------


def list_orders(
    *,
    actor: Actor,
    search: str = "",
    statuses: Collection[str] = (),
    placed_from: dt.date | None = None,
    placed_to: dt.date | None = None,
    account: Account | None = None,
    search_accounts: bool = False,
    channels: Collection[str] = (),
    holds: Collection[str] = (),
    needs_manual_intervention: bool | None = None,
) -> QuerySet[Order]:
    """Orders in scope, newest first, with account and placing user (1 query for a page).

    `search` matches the number exactly, the PO number in part, or a line's SKU exactly; with
    `search_accounts` also the account's name in part or its customer number exactly (the order
    desk). `holds` takes Order.Hold values ("" is: no hold)."""
    queryset = Order.objects.visible_to(actor).select_related("account", "placed_by")
    text = search.strip()
    if text:
        has_sku = OrderLine.objects.filter(order_id=OuterRef("pk"), sku__iexact=text)
        condition = Q(number__iexact=text) | Q(po_number__icontains=text) | Q(Exists(has_sku))
        if search_accounts:
            condition |= Q(account__name__icontains=text) | Q(account__number__iexact=text)
        queryset = queryset.filter(condition)
    if statuses:
        queryset = queryset.filter(status__in=list(statuses))
    if channels:
        queryset = queryset.filter(channel__in=list(channels))
    if holds:
        queryset = queryset.filter(hold__in=list(holds))
    if needs_manual_intervention is not None:
        queryset = queryset.filter(needs_manual_intervention=needs_manual_intervention)
    if placed_from is not None:
        queryset = queryset.filter(created_at__date__gte=placed_from)
    if placed_to is not None:
        queryset = queryset.filter(created_at__date__lte=placed_to)
    if account is not None:
        queryset = queryset.filter(account__path__startswith=account.path)
    return queryset.exclude(number="").order_by("-created_at", "-pk")


def get_order(*, actor: Actor, number: str) -> Order:
    """One order in the actor's scope by number (with account, website, placing user), else OrderNotFound."""
    found = (
        Order.objects.visible_to(actor)
        .filter(number=number)
        .exclude(number="")
        .select_related("account", "website", "placed_by", "decided_by")
        .first()
    )
    if found is None:
        raise OrderNotFound(number)
    return found


def find_order_by_id(*, actor: Actor, order_id: int) -> Order | None:
    return Order.objects.visible_to(actor).filter(pk=order_id).select_related("account").first()


@dataclass(frozen=True, slots=True)
class Allocation:
    warehouse_id: int
    warehouse_code: str
    product_id: int
    quantity: Decimal  # still held by the order, base units


@dataclass(frozen=True, slots=True)
class OrderDetail:
    order: Order
    lines: list[OrderLine]
    history: list[OrderStatusChange]
    allocations: list[Allocation]

    def allocations_for(self, line: OrderLine) -> list[Allocation]:
        return [allocation for allocation in self.allocations if allocation.product_id == line.product_id]


def get_order_detail(*, actor: Actor, number: str) -> OrderDetail:
    """The order with lines (prices and their sources), status history and what it holds per
    warehouse, in 4 queries whatever the number of lines: order, lines, history, allocations."""
    return order_detail(order=get_order(actor=actor, number=number))


def order_detail(*, order: Order) -> OrderDetail:
    """The detail of an order already read in scope (or just placed by the actor): lines, history,
    allocations (3 queries)."""
    lines = list(OrderLine.objects.filter(order_id=order.pk).order_by("line_number"))
    history = list(OrderStatusChange.objects.filter(order_id=order.pk).order_by("at", "pk"))
    return OrderDetail(order=order, lines=lines, history=history, allocations=order_allocations(order=order))


def order_allocations(*, order: Order) -> list[Allocation]:
    """What the order still holds per warehouse and product, base units (1 query; hand-written: the
    answer to every placement reads it)."""
    kinds = [StockMovement.Kind.ALLOCATION, StockMovement.Kind.RELEASE, StockMovement.Kind.SHIPMENT]
    warehouse = StockMovement._meta.get_field("warehouse").related_model
    assert warehouse is not None and not isinstance(warehouse, str)
    sql = (
        f"SELECT m.warehouse_id, w.code, m.product_id, SUM(m.allocated_delta) FROM {_table(StockMovement)} m"
        f" INNER JOIN {_table(warehouse)} w ON w.id = m.warehouse_id"
        f" WHERE m.organization_id = %s AND m.reference = %s AND m.kind IN ({', '.join(['%s'] * len(kinds))})"
        " GROUP BY m.warehouse_id, w.code, m.product_id ORDER BY w.code, m.product_id"
    )
    with prepared_cursor() as cursor:
        cursor.execute(sql, [order.organization_id, order.number, *(str(kind) for kind in kinds)])
        rows = cursor.fetchall()
    allocations = []
    for warehouse_id, code, product_id, summed in rows:
        total = _sum(summed)
        if total > 0:
            allocations.append(Allocation(warehouse_id, code, product_id, total))
    return allocations


def history_actor_names(*, history: Sequence[OrderStatusChange]) -> dict[int, str]:
    """Who made each change in an order's history: user id -> name (or e-mail); 1 query, none when
    only the system acted. Users of another organization never appear in an order's history."""
    user_ids = sorted({change.actor_user_id for change in history if change.actor_user_id is not None})
    if not user_ids:
        return {}
    rows = User.objects.filter(pk__in=user_ids).values_list("pk", "full_name", "email")
    return {pk: full_name or email for pk, full_name, email in rows}


def approvals_inbox(*, actor: Actor) -> QuerySet[Order]:
    """Orders waiting for this approver: pending approval in their account's subtree, not their own."""
    if not actor.has_buyer_role(BuyerRole.APPROVER):
        return Order.objects.none()
    return (
        Order.objects.visible_to(actor)
        .filter(status=Order.Status.PENDING_APPROVAL)
        .exclude(placed_by_id=actor.user_id)
        .select_related("account", "placed_by")
        .order_by("created_at", "pk")
    )


def previous_unit_prices(*, order: Order) -> dict[tuple[int, str], Decimal]:
    """The unit price each (product, unit) had on the order (1 query)."""
    return {
        (product_id, uom): price
        for product_id, uom, price in OrderLine.objects.filter(order_id=order.pk)
        .order_by("-line_number")
        .values_list("product_id", "uom", "unit_price")
    }


# --- carts and lists --------------------------------------------------------------------------


def list_carts(*, actor: Actor, kind: str | None = None, account: Account | None = None) -> QuerySet[Cart]:
    """Carts and lists in scope (with account and owner), most recently changed first (1 query)."""
    queryset = Cart.objects.visible_to(actor).select_related("account", "owner")
    if kind is not None:
        queryset = queryset.filter(kind=kind)
    if account is not None:
        queryset = queryset.filter(account_id=account.pk)
    return queryset.exclude(status=Cart.Status.ORDERED).order_by("-updated_at", "-pk")


def list_open_carts(*, actor: Actor, account: Account) -> QuerySet[Cart]:
    """The account's carts not yet ordered, whoever keeps them, for a staff actor's customer 360
    (which carts exist, whose, abandoned or not; never their lines), most recently changed first
    (1 query)."""
    return (
        Cart.objects.in_staff_scope(actor)
        .filter(kind=Cart.Kind.CART, account_id=account.pk)
        .exclude(status=Cart.Status.ORDERED)
        .select_related("account", "owner")
        .order_by("-updated_at", "-pk")
    )


def list_shopping_lists(*, actor: Actor) -> QuerySet[Cart]:
    return list_carts(actor=actor, kind=Cart.Kind.LIST).order_by("name", "pk")


def get_cart(*, actor: Actor, cart_id: int | str) -> Cart:
    """A cart or list in the actor's scope (with account), else CartNotFound."""
    if not is_database_id(str(cart_id)):
        raise CartNotFound(cart_id)
    found = Cart.objects.visible_to(actor).filter(pk=int(cart_id)).select_related("account", "owner").first()
    if found is None:
        raise CartNotFound(cart_id)
    return found


def find_current_cart(*, actor: Actor, account: Account) -> Cart | None:
    if actor.user_id is None:
        return None
    return (
        Cart.objects.filter(
            owner_id=actor.user_id,
            account_id=account.pk,
            kind=Cart.Kind.CART,
            status__in=[Cart.Status.ACTIVE, Cart.Status.ABANDONED],
        )
        .select_related("account")
        .first()
    )


def list_cart_lines(*, cart: Cart) -> QuerySet[CartLine]:
    """The cart's lines with their products, in the order they were added (1 query)."""
    return CartLine.objects.filter(cart_id=cart.pk).select_related("product").order_by("added_at", "pk")


def cart_lines(*, cart: Cart) -> list[CartLine]:
    """The cart's lines with their products (1 query), in the order they were added."""
    return list(list_cart_lines(cart=cart))


def list_abandoned_carts(*, actor: Actor) -> QuerySet[Cart]:
    """Abandoned carts of accounts in a staff actor's scope (reps: their accounts), with account and
    owner, longest abandoned first (1 query)."""
    return (
        Cart.objects.in_staff_scope(actor)
        .filter(kind=Cart.Kind.CART, status=Cart.Status.ABANDONED)
        .select_related("account", "owner")
        .order_by("abandoned_at", "pk")
    )
