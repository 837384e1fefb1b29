"""What the engine needs for a cart, loaded in a fixed number of queries: scope, promotions and
coupons (the products: `products.py`); `build_request` assembles the engine's input."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.contrib.postgres.fields import ArrayField
from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import (
    BigIntegerField,
    CharField,
    Count,
    F,
    Lookup,
    Q,
    Value,
)
from django.db.models.sql.compiler import SQLCompiler
from django.utils import timezone

from meridian.catalog.models import Category
from meridian.catalog.queries import SqlParam
from meridian.core.errors import NotFound
from meridian.core.money import validate_currency
from meridian.core.prepared import array_literal, prepared_cursor
from meridian.customers.models import Account
from meridian.pricing import engine
from meridian.pricing.models import (
    Coupon,
    PricingVersion,
    Promotion,
    Strategy,
    WebsitePricingSettings,
)
from meridian.pricing.queries import cache
from meridian.tenancy.models import Website

if TYPE_CHECKING:
    from django.db.models.sql.compiler import _AsSqlType


@dataclass(frozen=True, slots=True)
class PricedAccount:
    """The account prices are for: what the chain needs, without loading its ancestors."""

    account_id: int
    path: str
    customer_group_id: int | None

    @classmethod
    def of(cls, account: Account) -> PricedAccount:
        return cls(account.pk, account.path, account.customer_group_id)

    @property
    def chain_paths(self) -> list[str]:
        """Its own and its ancestors' materialized paths, root first (paths are unique)."""
        step = Account.steplen
        return [self.path[:end] for end in range(step, len(self.path) + 1, step)]


@dataclass(frozen=True, slots=True)
class PricingScope:
    """For whom, where, in which currency and on which date prices are resolved."""

    organization_id: int
    account: PricedAccount | None
    website: Website
    strategy: engine.Strategy
    currency: str
    today: dt.date
    now: dt.datetime
    # The pricing stamp read with the website (None: no stamp row, nothing may be cached) and the
    # ids of the accounts on the chain's paths, root first: together with the account they key the
    # per-process cache of the chain (queries.chain), so a write or an account move is never missed.
    version: int | None = None
    chain_ids: str = ""

    @property
    def chain_paths(self) -> list[str]:
        return self.account.chain_paths if self.account else []

    @property
    def buyer(self) -> engine.Buyer:
        account = self.account
        return engine.Buyer(
            account_id=account.account_id if account else None,
            account_path=account.path if account else "",
            customer_group_id=account.customer_group_id if account else None,
            website_id=self.website.pk,
        )


@dataclass(frozen=True, slots=True)
class CouponOutcome:
    code: str
    status: str  # applied, not_applicable, unknown, inactive, exhausted, account_limit_reached
    promotion_id: int | None = None


class _EqualsAny(Lookup):
    """`lhs = ANY(array)`; built directly by `_among`, never registered as a lookup name."""

    lookup_name = "equals_any"

    def as_sql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> _AsSqlType:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", (*lhs_params, *rhs_params)


def among(field: str, values: Collection[int] | Collection[str]) -> Q | _EqualsAny:
    """`field IN values`. On PostgreSQL `field = ANY(%s)` with one array parameter: binding thousands of
    ids one by one costs more than running the query (a 2,000-line cart has 2,000 SKUs)."""
    items = list(values)
    if connection.vendor != "postgresql" or not items:
        return Q(**{f"{field}__in": items})
    element = CharField() if isinstance(items[0], str) else BigIntegerField()
    return _EqualsAny(F(field), Value(items, output_field=ArrayField(element)))


def open_window(day: dt.date, prefix: str = "") -> Q:
    return (Q(**{f"{prefix}valid_from__isnull": True}) | Q(**{f"{prefix}valid_from__lte": day})) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": day})
    )


def scope_sql(
    *, organization_id: int, website_id: int | None, chain_paths: list[str]
) -> tuple[str, list[SqlParam]]:
    """The websites with their strategy, the pricing stamp and the chain's account ids (one statement)."""
    website = connection.ops.quote_name(Website._meta.db_table)
    settings = connection.ops.quote_name(WebsitePricingSettings._meta.db_table)
    stamp = connection.ops.quote_name(PricingVersion._meta.db_table)
    accounts = connection.ops.quote_name(Account._meta.db_table)
    params: list[SqlParam] = []
    if not chain_paths:
        chain = "''"
    elif connection.vendor == "postgresql":
        chain = (
            f"(SELECT string_agg(a.id::text, ',' ORDER BY a.path) FROM {accounts} a"
            " WHERE a.organization_id = %s AND a.path = ANY(%s::text[]))"
        )
        params += [organization_id, array_literal(chain_paths)]
    else:
        chain = (
            f"(SELECT group_concat(c.id) FROM (SELECT a.id FROM {accounts} a WHERE a.organization_id = %s"
            f" AND a.path IN ({', '.join(['%s'] * len(chain_paths))}) ORDER BY a.path) c)"
        )
        params += [organization_id, *chain_paths]
    sql = (
        f"SELECT {website_fields()[1]}, s.strategy AS pricing_strategy,"
        f" (SELECT v.version FROM {stamp} v WHERE v.id = 1) AS pricing_version, {chain} AS pricing_chain"
        f" FROM {website} w LEFT JOIN {settings} s ON s.website_id = w.id WHERE w.organization_id = %s"
    )
    params.append(organization_id)
    if website_id is not None:
        sql += " AND w.id = %s"
        params.append(website_id)
    return sql + " ORDER BY w.is_default DESC, w.id LIMIT 1", params


ScopeRow = tuple[Website | None, str | None, int | None, str | None]  # website, strategy, stamp, chain


@functools.cache
def website_fields() -> tuple[list[str], str]:
    """The website's attribute names and its columns as `_scope_sql` selects them, in field order."""
    fields = Website._meta.concrete_fields
    return [f.attname for f in fields], ", ".join(
        f"w.{connection.ops.quote_name(str(f.column))}" for f in fields
    )


def _scope_row(sql: str, params: list[SqlParam]) -> ScopeRow:
    """The website of `_scope_sql` with its strategy, stamp and chain (None: no such website).

    On PostgreSQL the model is made from the columns in field order (a RawQuerySet's column mapping
    cost more than the statement); SQLite keeps `raw()`, whose converters turn its 0/1 into booleans."""
    if connection.vendor != "postgresql":
        found = next(iter(Website.objects.raw(sql, params)), None)
        if found is None:
            return None, None, None, None
        return (
            found,
            getattr(found, "pricing_strategy", None),
            getattr(found, "pricing_version", None),
            getattr(found, "pricing_chain", None),
        )
    with prepared_cursor() as cursor:  # the same text for every cart of this shape: prepared once
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None, None, None, None
    *values, stored, version, chain_ids = row
    return Website.from_db(connection.alias, website_fields()[0], values), stored, version, chain_ids


def load_scope(
    *,
    organization_id: int,
    account: PricedAccount | None,
    website_id: int | None,
    currency: str | None,
    now: dt.datetime | None = None,
    today: dt.date | None = None,
) -> PricingScope:
    """The website with its strategy and the pricing stamp (1 query); an unknown website raises NotFound.

    `today` (for date windows) is the website's local date at `now` unless given. Hand-written SQL:
    it runs on every priced page and cart, and the ORM's compiling cost more than the database work.
    """
    sql, params = scope_sql(
        organization_id=organization_id,
        website_id=website_id,
        chain_paths=account.chain_paths if account is not None else [],
    )
    website, stored, version, chain_ids = _scope_row(sql, params)
    return scope_from_row(
        (website, stored, version, chain_ids),
        organization_id=organization_id,
        account=account,
        website_id=website_id,
        currency=currency,
        now=now,
        today=today,
    )


def scope_from_row(
    row: ScopeRow,
    *,
    organization_id: int,
    account: PricedAccount | None,
    website_id: int | None,
    currency: str | None,
    now: dt.datetime | None,
    today: dt.date | None,
) -> PricingScope:
    """The scope from `_scope_sql`'s row; no website raises NotFound."""
    website, stored, version, chain_ids = row
    if website is None:
        raise NotFound(f"website {website_id} not found", fields={"website": ["not found"]})
    strategy = engine.Strategy(stored or Strategy.PRIORITY)
    chosen = validate_currency(currency) if currency else website.default_currency
    moment = now or timezone.now()
    day = today or moment.astimezone(ZoneInfo(website.timezone or "UTC")).date()
    return PricingScope(
        organization_id,
        account,
        website,
        strategy,
        chosen,
        day,
        moment,
        version=int(version) if version is not None else None,
        chain_ids=str(chain_ids or ""),
    )


@dataclass(frozen=True, slots=True)
class LoadedSources:
    sources: tuple[engine.Source, ...]
    base_lists: dict[int, engine.PriceList]


_PROMOTION_COLUMNS = (
    "pk",
    "name",
    "kind",
    "value",
    "stacking",
    "priority",
    "currency",
    "buy_quantity",
    "get_quantity",
    "requires_coupon",
    "website_id",
    "customer_group_id",
    "account__path",
    "category__path",
    "product_id",
    "min_quantity",
    "min_line_amount",
    "min_order_amount",
    "starts_at",
    "ends_at",
)


def _promotion(row: tuple[Any, ...], unlocked: Mapping[int, str]) -> engine.Promotion:
    (
        pk,
        name,
        kind,
        value,
        stacking,
        priority,
        currency,
        buy_quantity,
        get_quantity,
        requires_coupon,
        website_id,
        group_id,
        account_path,
        category_path,
        product_id,
        min_quantity,
        min_line_amount,
        min_order_amount,
        starts_at,
        ends_at,
    ) = row
    return engine.Promotion(
        promotion_id=pk,
        name=name,
        kind=engine.PromotionKind(kind),
        value=value,
        stacking=engine.Stacking(stacking),
        priority=priority,
        currency=currency,
        buy_quantity=buy_quantity or engine.ZERO,
        get_quantity=get_quantity or engine.ZERO,
        coupon_code=unlocked.get(pk, "") if requires_coupon else "",
        website_id=website_id,
        customer_group_id=group_id,
        account_path=account_path,
        category_path=category_path,
        product_id=product_id,
        min_quantity=min_quantity,
        min_line_amount=min_line_amount,
        min_order_amount=min_order_amount,
        starts_at=starts_at,
        ends_at=ends_at,
    )


def _automatic_promotions_key(scope: PricingScope) -> tuple[object, ...] | None:
    if scope.version is None:
        return None
    account = scope.account
    return (
        "promotions",
        scope.version,
        scope.organization_id,
        scope.website.pk,
        account.account_id if account else None,
        account.path if account else "",
        account.customer_group_id if account else None,
        scope.chain_ids,
    )


def _for_buyer(scope: PricingScope) -> Q:
    """The active promotions of the organization that may apply to the scope's buyer."""
    account = scope.account
    return Q(
        Q(website__isnull=True) | Q(website_id=scope.website.pk),
        Q(customer_group__isnull=True) | Q(customer_group_id=account.customer_group_id if account else None),
        Q(account__isnull=True) | Q(account__path__in=scope.chain_paths),
        organization_id=scope.organization_id,
        is_active=True,
    )


def _buyer_promotion_rows(scope: PricingScope, unlocked: list[int]) -> list[tuple[Any, ...]]:
    """`_PROMOTION_COLUMNS` of the buyer's automatic promotions and of those `unlocked` (1 query).

    Hand-written and prepared on PostgreSQL (it runs whenever the pricing stamp is new for this
    buyer, and the ORM's compiling cost more than the statement): the same rows. SQLite: the ORM."""
    if connection.vendor != "postgresql":
        return list(
            Promotion.objects.filter(
                _for_buyer(scope), Q(requires_coupon=False) | Q(pk__in=unlocked)
            ).values_list(*_PROMOTION_COLUMNS)
        )
    account = scope.account
    group_id = account.customer_group_id if account else None
    conditions = [
        "p.organization_id = %s",
        "p.is_active",
        "(p.website_id IS NULL OR p.website_id = %s)",
        "p.customer_group_id IS NULL"
        if group_id is None
        else "(p.customer_group_id IS NULL OR p.customer_group_id = %s)",
        "(p.account_id IS NULL OR a.path = ANY(%s::text[]))" if scope.chain_paths else "p.account_id IS NULL",
        "(NOT p.requires_coupon OR p.id = ANY(%s::bigint[]))" if unlocked else "NOT p.requires_coupon",
    ]
    params: list[SqlParam] = [scope.organization_id, scope.website.pk]
    if group_id is not None:
        params.append(group_id)
    if scope.chain_paths:
        params.append(array_literal(scope.chain_paths))
    if unlocked:
        params.append(array_literal(unlocked))
    promotion = connection.ops.quote_name(Promotion._meta.db_table)
    accounts = connection.ops.quote_name(Account._meta.db_table)
    category = connection.ops.quote_name(Category._meta.db_table)
    sql = (
        "SELECT p.id, p.name, p.kind, p.value, p.stacking, p.priority, p.currency, p.buy_quantity,"
        " p.get_quantity, p.requires_coupon, p.website_id, p.customer_group_id, a.path, c.path,"
        " p.product_id, p.min_quantity, p.min_line_amount, p.min_order_amount, p.starts_at, p.ends_at"
        f" FROM {promotion} p LEFT JOIN {accounts} a ON a.id = p.account_id"
        f" LEFT JOIN {category} c ON c.id = p.category_id WHERE {' AND '.join(conditions)}"
    )
    with prepared_cursor() as cursor:  # the same text for every buyer of this shape: prepared once
        cursor.execute(sql, params)
        rows: list[tuple[Any, ...]] = cursor.fetchall()
    return rows


def load_promotions(
    *, scope: PricingScope, coupon_codes: Sequence[str]
) -> tuple[tuple[engine.Promotion, ...], list[CouponOutcome]]:
    """Live promotions for this buyer, those behind coupons only for usable given codes.

    The automatic ones come from this process's cache under the pricing stamp (no query), else
    1 query; coupons (only when codes are given) are read live, with the promotions they unlock
    (1-2 queries). Promotions are not filtered by date here: the engine checks their window at
    `now`, so the cached set serves every moment."""
    account = scope.account
    outcomes: list[CouponOutcome] = []
    unlocked: dict[int, str] = {}  # promotion id -> the code that unlocked it
    codes = list(dict.fromkeys(code.strip().upper() for code in coupon_codes if code.strip()))
    if codes:
        account_uses = Count(
            "redemptions", filter=Q(redemptions__account_id=account.account_id if account else None)
        )
        found = {
            coupon.code: coupon
            for coupon in Coupon.objects.filter(
                organization_id=scope.organization_id, code__in=codes
            ).annotate(account_uses=account_uses)
        }
        for code in codes:
            coupon = found.get(code)
            status = coupon_status(coupon, account_uses=getattr(coupon, "account_uses", 0))
            if status == "usable" and coupon is not None:
                unlocked.setdefault(coupon.promotion_id, code)
            outcomes.append(CouponOutcome(code, status, coupon.promotion_id if coupon else None))
    key = _automatic_promotions_key(scope)
    automatic = cache.lookup(key)
    if not isinstance(automatic, tuple):
        # Cold: the automatic ones and those the coupons unlock in one query, as before the cache.
        rows = _buyer_promotion_rows(scope, list(unlocked))
        automatic = tuple(_promotion(row, {}) for row in rows if not row[9])
        cache.store(key, automatic)
        by_coupon = [_promotion(row, unlocked) for row in rows if row[9]]
    elif unlocked:
        by_coupon = [
            _promotion(row, unlocked)
            for row in Promotion.objects.filter(
                _for_buyer(scope), pk__in=list(unlocked), requires_coupon=True
            ).values_list(*_PROMOTION_COLUMNS)
        ]
    else:
        by_coupon = []
    return tuple(sorted((*automatic, *by_coupon), key=lambda p: p.promotion_id)), outcomes


def coupon_status(coupon: Coupon | None, *, account_uses: int) -> str:
    """`usable`, or why a coupon cannot be used: unknown, inactive, exhausted, account_limit_reached."""
    if coupon is None:
        return "unknown"
    if not coupon.is_active:
        return "inactive"
    if coupon.usage_limit is not None and coupon.times_used >= coupon.usage_limit:
        return "exhausted"
    if coupon.per_account_limit is not None and account_uses >= coupon.per_account_limit:
        return "account_limit_reached"
    return "usable"


def build_request(
    *,
    scope: PricingScope,
    lines: Sequence[engine.Line],
    loaded: LoadedSources,
    promotions: tuple[engine.Promotion, ...] = (),
    coupon_codes: Iterable[str] = (),
) -> engine.PricingRequest:
    return engine.PricingRequest(
        currency=scope.currency,
        today=scope.today,
        now=scope.now,
        lines=tuple(lines),
        sources=loaded.sources,
        base_lists=loaded.base_lists,
        strategy=scope.strategy,
        promotions=promotions,
        coupon_codes=frozenset(code.strip().upper() for code in coupon_codes),
        buyer=scope.buyer,
    )
