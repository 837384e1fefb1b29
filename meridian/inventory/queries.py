"""Inventory read paths: availability, stock and ledger lists, reconciliation, and the lock_* helpers."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from django.db import connection
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum

from meridian.catalog import queries as catalog_queries
from meridian.catalog.models import Product
from meridian.core.actor import Actor
from meridian.core.prepared import array_literal, prepared_cursor
from meridian.customers.models import Account, Address
from meridian.inventory import engine
from meridian.inventory.errors import PurchaseOrderNotFound, WarehouseAssignmentNotFound, WarehouseNotFound
from meridian.inventory.models import (
    AccountBackorderPolicy,
    IncomingStock,
    ProductBackorderPolicy,
    RoutingVersion,
    StockLevel,
    StockMovement,
    Supplier,
    SupplierProduct,
    SupplierPurchaseOrder,
    SupplierPurchaseOrderLine,
    Warehouse,
    WarehouseAssignment,
    WebsiteInventorySettings,
)

EXTERNAL_PREFIX = "ext:"
MAX_DATABASE_ID = 2**63 - 1
ZERO = Decimal(0)
MILLI = Decimal("0.001")
ALLOCATING_KINDS = [
    StockMovement.Kind.ALLOCATION,
    StockMovement.Kind.RELEASE,
    StockMovement.Kind.SHIPMENT,
]
Pair = tuple[int, int]  # (warehouse_id, product_id)
SqlParam = bool | int | float | Decimal | str | date | datetime | list[object] | None  # raw SQL parameters


# --- locks ----------------------------------------------------------------------------------


def lock_stock_levels(
    *, organization_id: int, warehouse_ids: Collection[int], product_ids: Collection[int]
) -> dict[Pair, StockLevel]:
    """Lock the existing levels of these warehouses and products, in pk order, and return them by pair.

    pk order is the one global lock order of the inventory: every writer locks its levels in a
    single statement sorted this way, so concurrent writers queue instead of deadlocking.
    """
    if not warehouse_ids or not product_ids:
        return {}
    rows = (
        StockLevel.objects.filter(
            organization_id=organization_id,
            warehouse_id__in=sorted(warehouse_ids),
            product_id__in=sorted(product_ids),
        )
        .order_by("pk")
        .select_for_update(of=("self",))
    )
    return {(row.warehouse_id, row.product_id): row for row in rows}  # iterating takes the locks


@dataclass(frozen=True, slots=True)
class LockedLevel:
    """A stock level as locked by `lock_levels_for_allocation`: plain values, no model instance."""

    pk: int
    warehouse_id: int
    product_id: int
    on_hand: Decimal
    allocated: Decimal

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.allocated


def _decimal(value: Decimal | float | str) -> Decimal:
    """A NUMERIC column read through a raw cursor: Decimal on PostgreSQL, text (cast in SQL) on SQLite."""
    return value if isinstance(value, Decimal) else Decimal(str(value)).quantize(MILLI)


def _placeholders(values: Collection[SqlParam]) -> str:
    return ", ".join(["%s"] * len(values))


def _in_list(column: str, values: Sequence[SqlParam], array_type: str) -> tuple[str, list[SqlParam]]:
    """`column IN (…)` as SQL and parameters: one array on PostgreSQL (the same text for any number
    of values, so a prepared statement serves every call), a list of placeholders on SQLite."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s::{array_type}[])", [array_literal(values)]  # type: ignore[arg-type]  # ids or paths
    return f"{column} IN ({_placeholders(values)})", list(values)


@dataclass(frozen=True, slots=True)
class AllocationInputs:
    facts: dict[int, ProductFacts]  # the organization's products among those asked, by id
    levels: dict[Pair, LockedLevel]  # the existing levels, locked
    routing_version: int  # the routing stamp, read in the same statement


def _candidate_warehouses_sql(
    *, organization_id: int, website_id: int | None, branch_id: int | None
) -> tuple[str, list[SqlParam]]:
    """SELECT the ids of the warehouses `routing` would choose, for use inside another statement."""
    warehouse = connection.ops.quote_name(Warehouse._meta.db_table)
    active = "TRUE" if connection.vendor == "postgresql" else "1"
    if website_id is None and branch_id is None:
        return f"SELECT w.id FROM {warehouse} w WHERE w.organization_id = %s AND w.is_active = {active}", [
            organization_id
        ]
    assignment = connection.ops.quote_name(WarehouseAssignment._meta.db_table)
    scopes: list[str] = []
    params: list[SqlParam] = [organization_id]
    for column, value in (("website_id", website_id), ("branch_id", branch_id)):
        if value is not None:
            scopes.append(f"a.{column} = %s")
            params.append(value)
    return (
        f"SELECT a.warehouse_id FROM {assignment} a JOIN {warehouse} w ON w.id = a.warehouse_id"
        f" WHERE w.organization_id = %s AND w.is_active = {active} AND ({' OR '.join(scopes)})",
        params,
    )


_lock_sql: dict[tuple[object, ...], str] = {}


def _lock_for_allocation_sql(
    *,
    organization_id: int,
    website_id: int | None,
    branch_id: int | None,
    products: list[int],
    account_path: str,
) -> tuple[str, list[SqlParam]]:
    """The text and parameters of `lock_for_allocation`'s statement."""
    level = connection.ops.quote_name(StockLevel._meta.db_table)
    stamp = connection.ops.quote_name(RoutingVersion._meta.db_table)
    sqlite = connection.vendor == "sqlite"
    number = "CAST({} AS TEXT)" if sqlite else "{}"
    warehouses_sql, warehouses_params = _candidate_warehouses_sql(
        organization_id=organization_id, website_id=website_id, branch_id=branch_id
    )
    facts_sql, facts_params = _facts_sql(
        organization_id=organization_id, product_ids=products, account_path=account_path, today=None
    )
    # Every branch has the same columns: a facts row (kind 0: the facts, then the stamp) or a
    # level row (kind 1: pk, warehouse, product, on hand, allocated).
    products_sql, products_params = _in_list("l.product_id", products, "bigint")
    sql = (
        f"WITH locked AS MATERIALIZED (SELECT l.id, l.warehouse_id, l.product_id, l.on_hand, l.allocated"
        f" FROM {level} l WHERE l.organization_id = %s AND l.warehouse_id IN ({warehouses_sql})"
        f" AND {products_sql} ORDER BY l.id{'' if sqlite else ' FOR UPDATE OF l'})"
        f" SELECT 0, facts.*, (SELECT v.version FROM {stamp} v WHERE v.id = 1), NULL, NULL, NULL"
        f" FROM ({facts_sql}) facts"
        f" UNION ALL SELECT 1, l.id, NULL, NULL, NULL, NULL, NULL, l.warehouse_id, l.product_id,"
        f" {number.format('l.on_hand')}, {number.format('l.allocated')} FROM locked l"
    )
    return sql, [organization_id, *warehouses_params, *products_params, *facts_params]


def lock_for_allocation(
    *,
    organization_id: int,
    website_id: int | None,
    branch_id: int | None,
    product_ids: Collection[int],
    account_path: str,
    default_policy: engine.BackorderPolicy,
) -> AllocationInputs:
    """Everything allocation reads, in one statement: lock the existing levels of these products
    in the warehouses the website or branch ships from (in pk order, in a WITH evaluated in full),
    and read the products' facts (see `product_facts`) and the routing stamp.

    The warehouses come from the assignments as they are now, not from a cached routing: the
    locked set is always the current one, even in the moment a routing change lands. The hot
    path of allocation, so the SQL is written by hand (compiling it through the ORM cost more
    than the database work). Same lock order as `lock_stock_levels`.
    """
    products = sorted(product_ids)
    paths = account_paths(account_path)
    sqlite = connection.vendor == "sqlite"

    def in_list(values: Sequence[SqlParam]) -> list[SqlParam]:  # as `_in_list` binds them
        return list(values) if sqlite else [array_literal(values)]  # type: ignore[arg-type]  # ids or paths

    params = [
        organization_id,
        organization_id,  # the candidate warehouses
        *(value for value in (website_id, branch_id) if value is not None),
        *in_list(products),
        *(in_list(paths) if paths else ()),  # the facts
        organization_id,
        *in_list(products),
    ]
    # Building the text cost more than running it: one per shape (the IN lists' lengths on SQLite).
    shape = (
        connection.vendor,
        website_id is None,
        branch_id is None,
        len(paths),
        len(products) if sqlite else 0,
    )
    sql = _lock_sql.get(shape)
    if sql is None:
        sql, built = _lock_for_allocation_sql(
            organization_id=organization_id,
            website_id=website_id,
            branch_id=branch_id,
            products=products,
            account_path=account_path,
        )
        if built != params:  # the parameters above must follow the text: checked once per shape
            raise RuntimeError(f"lock_for_allocation binds {params!r}, its text wants {built!r}")
        _lock_sql[shape] = sql
    with prepared_cursor() as cursor:  # the same text for every order: prepared once per connection
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    facts: dict[int, ProductFacts] = {}
    levels: dict[Pair, LockedLevel] = {}
    version: int | None = 0
    for row in rows:
        if row[0] == 0:
            facts[row[1]] = _facts(tuple(row[1:7]), default_policy)
            version = row[7]
        else:
            pair = (row[7], row[8])
            levels[pair] = LockedLevel(row[1], row[7], row[8], _decimal(row[9]), _decimal(row[10]))
    if not facts:
        version = routing_version()
    return AllocationInputs(facts, levels, version or 0)


def lock_allocated_levels(*, organization_id: int, reference: str) -> dict[Pair, StockLevel]:
    """Lock, in pk order, every level an allocation under `reference` touched (with warehouse and product)."""
    touched = StockMovement.objects.filter(
        organization_id=organization_id,
        reference=reference,
        kind=StockMovement.Kind.ALLOCATION,
        warehouse_id=OuterRef("warehouse_id"),
        product_id=OuterRef("product_id"),
    )
    rows = (
        StockLevel.objects.filter(organization_id=organization_id)
        .filter(Exists(touched))
        .select_related("warehouse", "product")
        .order_by("pk")
        .select_for_update(of=("self",))
    )
    return {(row.warehouse_id, row.product_id): row for row in rows}


def outstanding_allocations(*, organization_id: int, reference: str) -> dict[Pair, Decimal]:
    """What `reference` still holds allocated, per (warehouse, product), summed from the ledger."""
    rows = (
        StockMovement.objects.filter(
            organization_id=organization_id, reference=reference, kind__in=ALLOCATING_KINDS
        )
        .values_list("warehouse_id", "product_id")
        .annotate(total=Sum("allocated_delta"))
        .order_by()
    )
    return {(warehouse_id, product_id): total for warehouse_id, product_id, total in rows if total > 0}


def find_movement_by_external_reference(
    *, organization_id: int, external_reference: str
) -> StockMovement | None:
    return StockMovement.objects.filter(
        organization_id=organization_id, external_reference=external_reference
    ).first()


# --- what allocation and availability need --------------------------------------------------


@dataclass(frozen=True, slots=True)
class Routing:
    """Where a website (and an account's branch) ships from, and how it decides."""

    strategy: engine.Strategy
    default_policy: engine.BackorderPolicy
    candidates: list[engine.WarehouseCandidate]
    warehouses: dict[int, Warehouse]  # the candidates' rows, by id


DEFAULT_STRATEGY = engine.Strategy.PRIORITY
DEFAULT_POLICY = engine.BackorderPolicy.DENY


def _candidate(warehouse: Warehouse, priority: int) -> engine.WarehouseCandidate:
    location = None
    if warehouse.latitude is not None and warehouse.longitude is not None:
        location = engine.Coordinates(float(warehouse.latitude), float(warehouse.longitude))
    return engine.WarehouseCandidate(
        warehouse_id=warehouse.pk,
        kind=engine.WarehouseKind(warehouse.kind),
        priority=priority,
        location=location,
        supplier_id=warehouse.supplier_id,
        clock=engine.ShippingClock(
            timezone=warehouse.timezone, cutoff=warehouse.cutoff_time, weekdays=warehouse.weekday_set
        ),
    )


def _website_settings(website_id: int | None) -> tuple[engine.Strategy, engine.BackorderPolicy]:
    row = (
        WebsiteInventorySettings.objects.filter(website_id=website_id)
        .values_list("allocation_strategy", "default_backorder_policy")
        .first()
        if website_id is not None
        else None
    )
    if row is None:
        return DEFAULT_STRATEGY, DEFAULT_POLICY
    return engine.Strategy(row[0]), engine.BackorderPolicy(row[1])


def routing(*, organization_id: int, website_id: int | None, branch_id: int | None) -> Routing:
    """The website's strategy and default policy (priority and deny without settings), and the
    active warehouses the website or the account's branch may ship from (one query; two when no
    warehouse is assigned).

    A branch assignment is more specific than a website one, so its priority wins. With neither
    a website nor a branch (a staff view), every active warehouse is a candidate, by code.
    """
    if website_id is None and branch_id is None:
        warehouses = list(
            Warehouse.objects.filter(organization_id=organization_id, is_active=True).order_by("code")
        )
        return Routing(
            DEFAULT_STRATEGY,
            DEFAULT_POLICY,
            [_candidate(w, index) for index, w in enumerate(warehouses)],
            {w.pk: w for w in warehouses},
        )
    scope = Q(website_id=website_id) if website_id is not None else Q(pk__in=[])
    if branch_id is not None:
        scope |= Q(branch_id=branch_id)
    settings = (
        WebsiteInventorySettings.objects.filter(website_id=website_id)
        if website_id is not None
        else WebsiteInventorySettings.objects.none()
    )
    assignments = list(
        WarehouseAssignment.objects.filter(
            scope, warehouse__organization_id=organization_id, warehouse__is_active=True
        )
        .select_related("warehouse")
        # Uncorrelated: computed once per query, saving a round trip on the allocation path.
        .annotate(
            strategy=Subquery(settings.values("allocation_strategy")[:1]),
            default_policy=Subquery(settings.values("default_backorder_policy")[:1]),
        )
        .order_by("warehouse_id", "pk")
    )
    if assignments:
        first = assignments[0]
        strategy = engine.Strategy(first.strategy) if first.strategy else DEFAULT_STRATEGY
        policy = engine.BackorderPolicy(first.default_policy) if first.default_policy else DEFAULT_POLICY
    else:
        strategy, policy = _website_settings(website_id)
    chosen: dict[int, WarehouseAssignment] = {}
    for assignment in assignments:
        current = chosen.get(assignment.warehouse_id)
        if current is None or (assignment.branch_id is not None and current.branch_id is None):
            chosen[assignment.warehouse_id] = assignment
    return Routing(
        strategy,
        policy,
        [_candidate(a.warehouse, a.priority) for a in chosen.values()],
        {a.warehouse_id: a.warehouse for a in chosen.values()},
    )


RouteKey = tuple[int, int | None, int | None]  # (organization, website, branch)
ROUTE_CACHE_SIZE = 4096
_routes: dict[RouteKey, tuple[int, Routing]] = {}  # this process's routings, with the stamp read before them


def forget_routings() -> None:
    """Empty this process's routing cache (tests: a rolled-back test may leave a routing cached
    under a stamp that the next test's rolled-back writes reach again)."""
    _routes.clear()


def routing_version() -> int:
    """The current routing stamp (see RoutingVersion); 0 before any routing input was written."""
    version = RoutingVersion.objects.filter(pk=1).values_list("version", flat=True).first()
    return version or 0


def cached_routing(
    *, organization_id: int, website_id: int | None, branch_id: int | None
) -> tuple[Routing, int]:
    """The routing from this process's cache and the stamp it was read at (no query on a hit;
    two on a miss). The caller must compare the stamp with the current one, read in the statement
    that takes its locks (`lock_levels_for_allocation`), and call `refresh_routing` when they differ.
    """
    hit = _routes.get((organization_id, website_id, branch_id))
    if hit is not None:
        return hit[1], hit[0]
    version = routing_version()
    route = refresh_routing(
        organization_id=organization_id, website_id=website_id, branch_id=branch_id, version=version
    )
    return route, version


def refresh_routing(
    *, organization_id: int, website_id: int | None, branch_id: int | None, version: int
) -> Routing:
    """Read the routing (one or two queries) and cache it under `version`, a stamp read before it.

    The stamp is read first, so a cached routing is never older than its stamp: a change
    committed in between makes the routing newer, and the next stamp comparison reloads it.
    """
    route = routing(organization_id=organization_id, website_id=website_id, branch_id=branch_id)
    if len(_routes) >= ROUTE_CACHE_SIZE:
        _routes.clear()
    _routes[(organization_id, website_id, branch_id)] = (version, route)
    return route


def account_paths(account_path: str) -> list[str]:
    """The account's own path and its ancestors' (derived from the materialized path, no query)."""
    step = Account.steplen
    return [account_path[:end] for end in range(step, len(account_path) + 1, step)]


@dataclass(frozen=True, slots=True)
class ProductFacts:
    """What allocation and availability need to know about one product."""

    sku: str
    policy: engine.BackorderPolicy  # the account's override, else the product's, else the website default
    can_dropship: bool
    dropship_lead_time_days: int | None = None
    next_incoming_date: date | None = None  # only when asked with `today`


def _facts_sql(
    *, organization_id: int, product_ids: Sequence[int], account_path: str, today: date | None
) -> tuple[str, list[SqlParam]]:
    """SELECT id, sku, own policy, account policy, lead time, next incoming date of the products."""
    table = {
        model: connection.ops.quote_name(model._meta.db_table)
        for model in (Product, ProductBackorderPolicy, AccountBackorderPolicy, Account)
    }
    supplier_product = connection.ops.quote_name(SupplierProduct._meta.db_table)
    supplier = connection.ops.quote_name(Supplier._meta.db_table)
    incoming = connection.ops.quote_name(IncomingStock._meta.db_table)
    paths = account_paths(account_path)
    params: list[SqlParam] = []
    account_sql = "NULL"
    if paths:
        paths_sql, paths_params = _in_list("a.path", paths, "text")
        account_sql = (
            f"(SELECT ap.policy FROM {table[AccountBackorderPolicy]} ap"
            f" JOIN {table[Account]} a ON a.id = ap.account_id"
            f" WHERE {paths_sql} ORDER BY a.depth DESC LIMIT 1)"
        )
        params += paths_params
    incoming_sql = "NULL"
    if today is not None:
        incoming_sql = (
            f"(SELECT MIN(i.expected_date) FROM {incoming} i WHERE i.product_id = p.id"
            " AND i.received_at IS NULL AND i.expected_date >= %s)"
        )
        params.append(today)
    products_sql, products_params = _in_list("p.id", product_ids, "bigint")
    sql = (
        f"SELECT p.id, p.sku, bp.policy, {account_sql},"
        f" (SELECT MIN(sp.lead_time_days) FROM {supplier_product} sp JOIN {supplier} s ON s.id = sp.supplier_id"
        " WHERE sp.product_id = p.id AND sp.can_dropship AND s.is_active),"
        f" {incoming_sql}"
        f" FROM {table[Product]} p LEFT JOIN {table[ProductBackorderPolicy]} bp ON bp.product_id = p.id"
        f" WHERE p.organization_id = %s AND {products_sql}"
    )
    return sql, [*params, organization_id, *products_params]


FactsRow = tuple[int, str, str | None, str | None, int | None, date | str | None]


def _facts(row: FactsRow, default_policy: engine.BackorderPolicy) -> ProductFacts:
    """A row of `_facts_sql` (id, sku, own policy, account policy, lead time, next incoming date)."""
    _, sku, own, by_account, lead_time, incoming_date = row
    return ProductFacts(
        sku=sku,
        policy=engine.BackorderPolicy(by_account or own or default_policy),
        can_dropship=lead_time is not None,
        dropship_lead_time_days=lead_time,
        next_incoming_date=date.fromisoformat(incoming_date)
        if isinstance(incoming_date, str)
        else incoming_date,
    )


def product_facts(
    *,
    organization_id: int,
    product_ids: Collection[int],
    account_path: str,
    default_policy: engine.BackorderPolicy,
    today: date | None = None,
) -> dict[int, ProductFacts]:
    """The organization's products among `product_ids`, with policy and drop-ship facts (one query).

    The account's override (the nearest on the account or an ancestor), the shortest drop-ship
    lead time and, with `today`, the next open expected receipt come as subqueries of the same
    query; ids of another organization's products are left out. Written in SQL: it is on the
    allocation and availability hot paths.
    """
    if not product_ids:
        return {}
    sql, params = _facts_sql(
        organization_id=organization_id,
        product_ids=sorted(product_ids),
        account_path=account_path,
        today=today,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0]: _facts(tuple(row), default_policy) for row in cursor.fetchall()}


def dropship_options(
    *, organization_id: int, product_ids: Collection[int]
) -> dict[int, list[engine.DropShipOption]]:
    """Active suppliers that can drop-ship each product, with their lead time (one query)."""
    rows = SupplierProduct.objects.filter(
        supplier__organization_id=organization_id,
        supplier__is_active=True,
        product_id__in=sorted(product_ids),
        can_dropship=True,
    ).values_list("product_id", "supplier_id", "lead_time_days")
    options: dict[int, list[engine.DropShipOption]] = {}
    for product_id, supplier_id, lead_time_days in rows:
        options.setdefault(product_id, []).append(engine.DropShipOption(supplier_id, lead_time_days))
    return options


def address_coordinates(*, organization_id: int, address_id: int) -> engine.Coordinates | None:
    """The ship-to address's coordinates, when it has them and belongs to the organization (one query)."""
    row = (
        Address.objects.filter(
            pk=address_id, account__organization_id=organization_id, latitude__isnull=False
        )
        .values_list("latitude", "longitude")
        .first()
    )
    if row is None or row[0] is None or row[1] is None:
        return None
    return engine.Coordinates(float(row[0]), float(row[1]))


# --- availability ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Availability:
    products: dict[int, engine.ProductAvailability]  # by product id (this organization's only)
    warehouses: dict[int, Warehouse]  # the candidate warehouses, for codes and names


def availability(
    *,
    organization_id: int,
    website_id: int | None,
    product_ids: Sequence[int],
    now: datetime,
    account: Account | None = None,
) -> Availability:
    """Available-to-promise per product for a website and (optionally) an account, in 3 queries.

    Queries: routing (settings and warehouses), products (policies, drop-ship lead time, next
    receipt), stock levels. The count does not grow with the products.
    """
    return _availability(
        organization_id=organization_id,
        website_id=website_id,
        branch_id=account.branch_id if account is not None else None,
        account_path=account.path if account is not None else "",
        product_ids=product_ids,
        now=now,
    )


def availability_for(*, actor: Actor, product_ids: Sequence[int], now: datetime) -> Availability:
    """Availability as the actor sees it: their website, and for a buyer their branch and account."""
    if actor.organization_id is None:
        return Availability(products={}, warehouses={})
    return _availability(
        organization_id=actor.organization_id,
        website_id=actor.website_id,
        branch_id=actor.branch_id if actor.is_buyer else None,
        account_path=actor.account_path if actor.is_buyer else "",
        product_ids=product_ids,
        now=now,
    )


def _availability(
    *,
    organization_id: int,
    website_id: int | None,
    branch_id: int | None,
    account_path: str,
    product_ids: Sequence[int],
    now: datetime,
) -> Availability:
    ids = sorted(set(product_ids))
    if not ids:
        return Availability(products={}, warehouses={})
    route = routing(organization_id=organization_id, website_id=website_id, branch_id=branch_id)
    facts = product_facts(
        organization_id=organization_id,
        product_ids=ids,
        account_path=account_path,
        default_policy=route.default_policy,
        today=now.astimezone(UTC).date(),
    )
    stock: dict[int, dict[int, Decimal]] = {product_id: {} for product_id in facts}
    levels = StockLevel.objects.filter(
        organization_id=organization_id,
        warehouse_id__in=sorted(route.warehouses),
        product_id__in=sorted(facts),
    ).values_list("product_id", "warehouse_id", "on_hand", "allocated")
    for product_id, warehouse_id, on_hand, allocated in levels:
        stock[product_id][warehouse_id] = on_hand - allocated
    departures = engine.departures(route.candidates, now)
    today = now.astimezone(UTC).date()
    products = {
        product_id: engine.available_to_promise(
            product_id=product_id,
            departures=departures,
            available=stock[product_id],
            today=today,
            incoming_dates=[fact.next_incoming_date] if fact.next_incoming_date else [],
            dropship_lead_times=[fact.dropship_lead_time_days]
            if fact.dropship_lead_time_days is not None
            else [],
            policy=fact.policy,
        )
        for product_id, fact in facts.items()
    }
    return Availability(products=products, warehouses=route.warehouses)


@dataclass(frozen=True, slots=True)
class SkuAvailability:
    items: list[tuple[str, engine.ProductAvailability]]  # in the order asked; known SKUs only
    warehouses: dict[int, Warehouse]  # the candidate warehouses, for codes and names
    unknown_skus: list[str]  # no such product, or (buyers) not visible to them


def availability_by_sku(
    *,
    actor: Actor,
    skus: Sequence[str],
    now: datetime,
    website_id: int | None = None,
    account: Account | None = None,
) -> SkuAvailability:
    """Availability of products named by SKU, for `website_id` (default: the actor's website) and
    `account` (default: a buyer's own account; none for staff), in 4 queries (5 for buyers).

    A buyer is answered only about products visible to them; the others, like SKUs that do not
    exist, are listed in `unknown_skus`. The caller checks that `account` is in the actor's scope.
    Queries: (visibility rules,) products, routing, product facts, stock levels.
    """
    wanted = list(dict.fromkeys(skus))
    if actor.organization_id is None or not wanted:
        return SkuAvailability(items=[], warehouses={}, unknown_skus=wanted)
    ids = dict(catalog_queries.visible_products(actor).filter(sku__in=wanted).values_list("sku", "pk"))
    if account is not None:
        branch_id, account_path = account.branch_id, account.path
    elif actor.is_buyer:
        branch_id, account_path = actor.branch_id, actor.account_path
    else:
        branch_id, account_path = None, ""
    result = (
        _availability(
            organization_id=actor.organization_id,
            website_id=website_id if website_id is not None else actor.website_id,
            branch_id=branch_id,
            account_path=account_path,
            product_ids=list(ids.values()),
            now=now,
        )
        if ids
        else Availability(products={}, warehouses={})
    )
    return SkuAvailability(
        items=[(sku, result.products[ids[sku]]) for sku in wanted if sku in ids],
        warehouses=result.warehouses,
        unknown_skus=[sku for sku in wanted if sku not in ids],
    )


# --- lists ----------------------------------------------------------------------------------


def _is_database_id(text: str) -> bool:
    """ASCII digits that fit a bigint primary key ("²" and 10**30 are not ids)."""
    return text.isascii() and text.isdigit() and int(text) <= MAX_DATABASE_ID


def _by_reference(queryset: QuerySet[Warehouse], reference: str | int) -> QuerySet[Warehouse]:
    """Id (digits), `ext:<external_id>`, else code: codes are never only digits nor start with `ext:`."""
    text = str(reference)
    if text.startswith(EXTERNAL_PREFIX):
        external_id = text[len(EXTERNAL_PREFIX) :]
        # A bare "ext:" would match every warehouse without an external id.
        return queryset.filter(external_id=external_id) if external_id else queryset.none()
    if text.isdigit():
        return queryset.filter(pk=int(text)) if _is_database_id(text) else queryset.none()
    return queryset.filter(code=text)


def get_warehouse(*, organization_id: int, reference: str | int) -> Warehouse:
    """A warehouse by id, code or `ext:<external_id>`; else WarehouseNotFound."""
    queryset = Warehouse.objects.filter(organization_id=organization_id).select_related("supplier")
    warehouse = _by_reference(queryset, reference).first()
    if warehouse is None:
        raise WarehouseNotFound(reference)
    return warehouse


def list_warehouses(*, organization_id: int, include_inactive: bool = False) -> QuerySet[Warehouse]:
    """Warehouses with their supplier (one query)."""
    queryset = Warehouse.objects.filter(organization_id=organization_id).select_related("supplier")
    if not include_inactive:
        queryset = queryset.filter(is_active=True)
    return queryset.order_by("code")


def warehouses_by_reference(*, organization_id: int, references: Collection[str]) -> dict[str, Warehouse]:
    """The organization's warehouses named by id, code or `ext:<external_id>`, by the reference used
    (one query); references that name nothing are left out."""
    ids, codes, external_ids = set(), set(), set()
    for reference in references:
        if reference.startswith(EXTERNAL_PREFIX):
            if reference != EXTERNAL_PREFIX:
                external_ids.add(reference[len(EXTERNAL_PREFIX) :])
        elif reference.isdigit():
            if _is_database_id(reference):
                ids.add(int(reference))
        else:
            codes.add(reference)
    if not (ids or codes or external_ids):
        return {}
    rows = Warehouse.objects.filter(organization_id=organization_id).filter(
        Q(pk__in=sorted(ids)) | Q(code__in=sorted(codes)) | Q(external_id__in=sorted(external_ids))
    )
    found: dict[str, Warehouse] = {}
    for warehouse in rows:
        found[str(warehouse.pk)] = warehouse
        found[warehouse.code] = warehouse
        if warehouse.external_id:
            found[EXTERNAL_PREFIX + warehouse.external_id] = warehouse
    return {reference: found[reference] for reference in references if reference in found}


def products_by_sku(*, organization_id: int, skus: Collection[str]) -> dict[str, Product]:
    """The organization's products with these SKUs, by SKU (one query; any status)."""
    if not skus:
        return {}
    rows = Product.objects.filter(organization_id=organization_id, sku__in=sorted(set(skus)))
    return {product.sku: product for product in rows}


def list_suppliers(*, organization_id: int) -> QuerySet[Supplier]:
    return Supplier.objects.filter(organization_id=organization_id).order_by("code")


def list_warehouse_assignments(*, organization_id: int) -> QuerySet[WarehouseAssignment]:
    """Which websites and branches ship from which warehouse, with the warehouse, website and
    branch (one query)."""
    return (
        WarehouseAssignment.objects.filter(warehouse__organization_id=organization_id)
        .select_related("warehouse", "website", "branch")
        .order_by("warehouse__code", "priority", "pk")
    )


def get_warehouse_assignment(*, organization_id: int, assignment_id: int) -> WarehouseAssignment:
    """One assignment of the organization's warehouses; else WarehouseAssignmentNotFound."""
    row = (
        list_warehouse_assignments(organization_id=organization_id).filter(pk=assignment_id).first()
        if 0 < assignment_id <= MAX_DATABASE_ID
        else None
    )
    if row is None:
        raise WarehouseAssignmentNotFound(assignment_id)
    return row


def list_supplier_products(*, organization_id: int, supplier_id: int) -> QuerySet[SupplierProduct]:
    """What the supplier sells, with the product, by SKU (one query)."""
    return (
        SupplierProduct.objects.filter(supplier_id=supplier_id, supplier__organization_id=organization_id)
        .select_related("product")
        .order_by("product__sku")
    )


def website_inventory_settings(*, organization_id: int) -> dict[int, WebsiteInventorySettings]:
    """The organization's websites' inventory settings by website id (1 query); a website without
    a row allocates by the defaults (`priority`, `deny`)."""
    rows = WebsiteInventorySettings.objects.filter(website__organization_id=organization_id)
    return {row.website_id: row for row in rows}


def list_backorder_policies(
    *, organization_id: int
) -> tuple[QuerySet[ProductBackorderPolicy], QuerySet[AccountBackorderPolicy]]:
    """The products' own backorder policies and the accounts' overrides, with product or account
    (one query each)."""
    products = (
        ProductBackorderPolicy.objects.filter(product__organization_id=organization_id)
        .select_related("product")
        .order_by("product__sku")
    )
    accounts = (
        AccountBackorderPolicy.objects.filter(account__organization_id=organization_id)
        .select_related("account")
        .order_by("account__name", "pk")
    )
    return products, accounts


def find_supplier(*, organization_id: int, reference: str) -> Supplier | None:
    """A supplier by code or `ext:<external_id>`."""
    queryset = Supplier.objects.filter(organization_id=organization_id)
    if reference.startswith(EXTERNAL_PREFIX):
        external_id = reference[len(EXTERNAL_PREFIX) :]
        return queryset.filter(external_id=external_id).first() if external_id else None
    return queryset.filter(code=reference).first()


def find_stock_level(*, organization_id: int, warehouse_id: int, product_id: int) -> StockLevel | None:
    return StockLevel.objects.filter(
        organization_id=organization_id, warehouse_id=warehouse_id, product_id=product_id
    ).first()


def list_stock_levels(
    *,
    organization_id: int,
    warehouse_id: int | None = None,
    product_id: int | None = None,
    in_stock_only: bool = False,
    search: str = "",
) -> QuerySet[StockLevel]:
    """Stock by product and warehouse, with both (one query). `search`: the SKU's start or part of the name."""
    queryset = StockLevel.objects.filter(organization_id=organization_id).select_related(
        "warehouse", "product"
    )
    if warehouse_id is not None:
        queryset = queryset.filter(warehouse_id=warehouse_id)
    if product_id is not None:
        queryset = queryset.filter(product_id=product_id)
    if search:
        queryset = queryset.filter(Q(product__sku__istartswith=search) | Q(product__name__icontains=search))
    if in_stock_only:
        queryset = queryset.filter(on_hand__gt=0)
    return queryset.order_by("product__sku", "warehouse__code")


def list_movements(
    *,
    organization_id: int,
    warehouse_id: int | None = None,
    product_id: int | None = None,
    kind: StockMovement.Kind | None = None,
    reference: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[StockMovement]:
    """The ledger, newest first, with warehouse and product (one query)."""
    queryset = StockMovement.objects.filter(organization_id=organization_id).select_related(
        "warehouse", "product"
    )
    if warehouse_id is not None:
        queryset = queryset.filter(warehouse_id=warehouse_id)
    if product_id is not None:
        queryset = queryset.filter(product_id=product_id)
    if kind is not None:
        queryset = queryset.filter(kind=kind)
    if reference:
        queryset = queryset.filter(Q(reference=reference) | Q(external_reference=reference))
    if since is not None:
        queryset = queryset.filter(created_at__gte=since)
    if until is not None:
        queryset = queryset.filter(created_at__lt=until)
    return queryset.order_by("-id")


def list_incoming_stock(
    *, organization_id: int, product_id: int | None = None, open_only: bool = True
) -> QuerySet[IncomingStock]:
    """Expected receipts, soonest first, with warehouse and product (one query)."""
    queryset = IncomingStock.objects.filter(organization_id=organization_id).select_related(
        "warehouse", "product"
    )
    if product_id is not None:
        queryset = queryset.filter(product_id=product_id)
    if open_only:
        queryset = queryset.filter(received_at__isnull=True)
    return queryset.order_by("expected_date", "pk")


def list_supplier_purchase_orders(
    *,
    organization_id: int,
    status: SupplierPurchaseOrder.Status | None = None,
    reference: str = "",
) -> QuerySet[SupplierPurchaseOrder]:
    """Drop-ship purchase orders, newest first, with supplier, lines and their products (two queries)."""
    queryset = (
        SupplierPurchaseOrder.objects.filter(organization_id=organization_id)
        .select_related("supplier")
        .prefetch_related(
            Prefetch("lines", queryset=SupplierPurchaseOrderLine.objects.select_related("product"))
        )
    )
    if status is not None:
        queryset = queryset.filter(status=status)
    if reference:
        queryset = queryset.filter(reference=reference)
    return queryset.order_by("-pk")


def get_supplier_purchase_order(*, organization_id: int, reference: str | int) -> SupplierPurchaseOrder:
    """One drop-ship purchase order by number or id; else PurchaseOrderNotFound."""
    queryset = list_supplier_purchase_orders(organization_id=organization_id)
    text = str(reference)
    order = queryset.filter(
        Q(number=text) | Q(pk=int(text)) if _is_database_id(text) else Q(number=text)
    ).first()
    if order is None:
        raise PurchaseOrderNotFound(reference)
    return order


# --- reconciliation -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Drift:
    """A level that does not equal what its ledger sums to."""

    warehouse_id: int
    warehouse_code: str
    product_id: int
    sku: str
    on_hand: Decimal  # the level
    allocated: Decimal
    ledger_on_hand: Decimal  # the sum of the movements
    ledger_allocated: Decimal

    def __str__(self) -> str:
        return (
            f"{self.warehouse_code} {self.sku}: level on_hand={self.on_hand} allocated={self.allocated},"
            f" ledger on_hand={self.ledger_on_hand} allocated={self.ledger_allocated}"
        )


def reconcile(*, organization_id: int) -> list[Drift]:
    """Every level whose on hand or allocated differs from the sum of its movements (two queries)."""
    ledger: dict[Pair, tuple[Decimal, Decimal, str, str]] = {}
    sums = (
        StockMovement.objects.filter(organization_id=organization_id)
        .values_list("warehouse_id", "product_id", "warehouse__code", "product__sku")
        .annotate(on_hand=Sum("on_hand_delta"), allocated=Sum("allocated_delta"))
        .order_by()
    )
    for warehouse_id, product_id, code, sku, on_hand, allocated in sums:
        ledger[(warehouse_id, product_id)] = (on_hand, allocated, code, sku)
    drifts: list[Drift] = []
    levels = StockLevel.objects.filter(organization_id=organization_id).values_list(
        "warehouse_id", "product_id", "warehouse__code", "product__sku", "on_hand", "allocated"
    )
    for warehouse_id, product_id, code, sku, on_hand, allocated in levels:
        ledger_on_hand, ledger_allocated, _, _ = ledger.pop(
            (warehouse_id, product_id), (ZERO, ZERO, code, sku)
        )
        if (on_hand, allocated) != (ledger_on_hand, ledger_allocated):
            drifts.append(
                Drift(
                    warehouse_id, code, product_id, sku, on_hand, allocated, ledger_on_hand, ledger_allocated
                )
            )
    for (warehouse_id, product_id), (ledger_on_hand, ledger_allocated, code, sku) in ledger.items():
        if ledger_on_hand or ledger_allocated:  # movements without a level
            drifts.append(
                Drift(warehouse_id, code, product_id, sku, ZERO, ZERO, ledger_on_hand, ledger_allocated)
            )
    return sorted(drifts, key=lambda d: (d.warehouse_code, d.sku))
