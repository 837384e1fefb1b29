"""Catalog read paths: visibility applied for buyers, search, product by SKU or part number."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.search import TrigramSimilarity
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
    Window,
    prefetch_related_objects,
)
from django.db.models.expressions import RawSQL

from meridian.catalog import engine
from meridian.catalog.errors import CategoryNotFound, ProductNotFound
from meridian.catalog.models import Category, CustomerPartNumber, Product, VisibilityRule
from meridian.core.actor import Actor
from meridian.core.prepared import array_literal
from meridian.customers.models import Account
from meridian.customers.queries import is_database_id


@dataclass(frozen=True, slots=True)
class ProductPage:
    count: int
    items: list[Product]
    part_numbers: dict[int, str]  # product pk -> the actor's own part number


def _scope_filter(actor: Actor) -> Q:
    scope = Q(website__isnull=True, branch__isnull=True, customer_group__isnull=True, account__isnull=True)
    if actor.website_id is not None:
        scope |= Q(website_id=actor.website_id)
    if actor.branch_id is not None:
        scope |= Q(branch_id=actor.branch_id)
    if actor.customer_group_id is not None:
        scope |= Q(customer_group_id=actor.customer_group_id)
    if actor.account_chain_ids:
        scope |= Q(account_id__in=list(actor.account_chain_ids))
    return scope


def visibility_rules_for(actor: Actor) -> list[engine.Rule]:
    """The rules that apply to a buyer, ready for the engine (one query)."""
    if actor.organization_id is None:
        return []
    # Plain values, not model instances: this runs on every buyer's catalog page.
    rows = (
        VisibilityRule.objects.filter(organization_id=actor.organization_id)
        .filter(_scope_filter(actor))
        .values_list(
            "pk",
            "effect",
            "account_id",
            "account__depth",
            "customer_group_id",
            "branch_id",
            "website_id",
            "category__path",
            "product_id",
        )
    )
    rules = []
    for pk, effect, account_id, depth, group_id, branch_id, website_id, category_path, product_id in rows:
        if account_id is not None:
            rank = engine.account_scope_rank(depth)
        elif group_id is not None:
            rank = engine.Scope.CUSTOMER_GROUP
        elif branch_id is not None:
            rank = engine.Scope.BRANCH
        elif website_id is not None:
            rank = engine.Scope.WEBSITE
        else:
            rank = engine.Scope.ORGANIZATION
        rules.append(
            engine.Rule(
                rule_id=pk,
                scope_rank=int(rank),
                include=effect == VisibilityRule.Effect.INCLUDE,
                category_path=category_path,
                product_id=product_id,
            )
        )
    return rules


def _rule_condition(rule: engine.Rule) -> Q:
    if rule.product_id is not None:
        return Q(pk=rule.product_id)
    if rule.category_path is not None:
        return Q(category__path__startswith=rule.category_path)
    return Q(pk__isnull=False)


def visible_products(actor: Actor) -> QuerySet[Product]:
    """Products the actor may see. Buyers: not drafts, and the visibility rules' decision (in SQL)."""
    if not actor.is_authenticated or actor.organization_id is None:
        return Product.objects.none()
    queryset = Product.objects.filter(organization_id=actor.organization_id)
    if actor.is_staff:
        return queryset
    queryset = queryset.exclude(status=Product.Status.DRAFT)
    ordered = engine.decision_order(visibility_rules_for(actor))
    if not ordered:
        return queryset
    if all(rule.include for rule in ordered):
        return queryset
    decision = Case(
        *(When(_rule_condition(rule), then=Value(rule.include)) for rule in ordered),
        default=Value(True),
        output_field=BooleanField(),
    )
    return queryset.alias(is_visible=decision).filter(is_visible=True)


SqlParam = int | str | list[int] | list[str]  # what hand-written statements bind


@dataclass(frozen=True, slots=True)
class VisibilitySql:
    """`visible_products`' filter for hand-written SQL (PostgreSQL) on products `p` left-joined to
    their category `c`: `prefix` opens the statement (a WITH clause reading the actor's rules, or
    empty) and binds `prefix_params`; `condition` goes in its WHERE and binds `condition_params`."""

    prefix: str
    prefix_params: list[SqlParam]
    condition: str
    condition_params: list[SqlParam]


def visibility_sql(actor: Actor) -> VisibilitySql:
    """The rows of `visible_products(actor)` as SQL, with the rules read in the same statement.

    The rules that apply to a buyer (`_scope_filter`) are ranked as `visibility_rules_for` ranks
    them; per product the first matching one in `engine.decision_order` decides, else it is visible.
    For the hot path of pricing a cart: one statement instead of the rules' query and the ORM's
    compiling of a CASE over them."""
    if not actor.is_authenticated or actor.organization_id is None:
        return VisibilitySql("", [], "FALSE", [])
    if actor.is_staff:
        return VisibilitySql("", [], "p.organization_id = %s", [actor.organization_id])
    rule = connection.ops.quote_name(VisibilityRule._meta.db_table)
    account = connection.ops.quote_name(Account._meta.db_table)
    category = connection.ops.quote_name(Category._meta.db_table)
    scopes = [
        "(r.website_id IS NULL AND r.branch_id IS NULL AND r.customer_group_id IS NULL AND r.account_id IS NULL)"
    ]
    scope_params: list[SqlParam] = []
    for column, value in (
        ("website_id", actor.website_id),
        ("branch_id", actor.branch_id),
        ("customer_group_id", actor.customer_group_id),
    ):
        if value is not None:
            scopes.append(f"r.{column} = %s")
            scope_params.append(value)
    if actor.account_chain_ids:
        scopes.append("r.account_id = ANY(%s::bigint[])")
        scope_params.append(array_literal(actor.account_chain_ids))
    # The constants are written into the text (code's own values, not input): fewer parameters to
    # quote, and the same text for every buyer with the same kinds of scope.
    include, draft = VisibilityRule.Effect.INCLUDE.value, Product.Status.DRAFT.value
    # The rule's account depth and category path by primary key, per rule (OFFSET 0: evaluated once
    # each, not inlined where they are used): an actor has a few rules, and a join let a prepared
    # (generic) plan hash every account of the organization.
    prefix = (
        f"WITH visibility AS MATERIALIZED (SELECT r.effect = '{include}' AS include, r.product_id,"
        " r.category_path, CASE WHEN r.account_id IS NOT NULL"
        f" THEN {int(engine.Scope.ACCOUNT)} + r.account_depth"
        f" WHEN r.customer_group_id IS NOT NULL THEN {int(engine.Scope.CUSTOMER_GROUP)}"
        f" WHEN r.branch_id IS NOT NULL THEN {int(engine.Scope.BRANCH)}"
        f" WHEN r.website_id IS NOT NULL THEN {int(engine.Scope.WEBSITE)}"
        f" ELSE {int(engine.Scope.ORGANIZATION)} END AS scope_rank, CASE WHEN r.product_id IS NOT NULL"
        f" THEN {int(engine.PRODUCT_TARGET_RANK)} WHEN r.category_path IS NOT NULL THEN length(r.category_path)"
        " ELSE 0 END AS target_rank FROM (SELECT r.effect, r.product_id, r.account_id, r.customer_group_id,"
        f" r.branch_id, r.website_id, (SELECT rc.path FROM {category} rc WHERE rc.id = r.category_id)"
        f" AS category_path, (SELECT ra.depth FROM {account} ra WHERE ra.id = r.account_id) AS account_depth"
        f" FROM {rule} r WHERE r.organization_id = %s AND ({' OR '.join(scopes)}) OFFSET 0) r) "
    )
    condition = (
        f"p.organization_id = %s AND NOT (p.status = '{draft}') AND COALESCE((SELECT v.include FROM visibility v"
        " WHERE v.product_id = p.id OR (v.product_id IS NULL AND (v.category_path IS NULL"
        " OR starts_with(c.path, v.category_path)))"
        " ORDER BY v.scope_rank DESC, v.target_rank DESC, v.include LIMIT 1), TRUE)"
    )
    return VisibilitySql(prefix, [actor.organization_id, *scope_params], condition, [actor.organization_id])


def _part_number_product_ids(
    actor: Actor, normalized: str, *, exact: bool
) -> QuerySet[CustomerPartNumber, Any]:
    lookup = {"normalized": normalized} if exact else {"normalized__contains": normalized}
    return CustomerPartNumber.objects.filter(account_id__in=list(actor.account_chain_ids), **lookup).values(
        "product_id"
    )


def _matching_ids(*, actor: Actor, organization_id: int, query: str) -> QuerySet[Any, Any]:
    """Ids of products matching the query: words, full text (PostgreSQL), exact SKU, own part numbers.

    A UNION of candidate sets, each answered by its own index (trigram, full-text, the SKU key,
    the part-number key); one OR across them would make PostgreSQL scan every product.
    """
    products = Product.objects.filter(organization_id=organization_id)
    tokens = engine.search_tokens(query)
    candidates: list[QuerySet[Any, Any]] = [products.filter(sku__iexact=query).values("pk")]
    if tokens:
        words = Q()
        for token in tokens:
            words &= Q(search_document__contains=token)
        candidates.append(products.filter(words).values("pk"))
    if tokens and connection.vendor == "postgresql":
        # Stemmed ("bolts" finds "bolt"), on the GIN index's expression. The column stays unqualified
        # so that it names this subquery's table, not the outer query's.
        full_text = RawSQL(
            "to_tsvector('english'::regconfig, search_document) @@ plainto_tsquery('english'::regconfig, %s)",
            [" ".join(tokens)],
            output_field=BooleanField(),
        )
        candidates.append(products.filter(full_text).values("pk"))
    normalized = engine.normalize_part_number(query)
    if actor.is_buyer and normalized:
        candidates.append(_part_number_product_ids(actor, normalized, exact=False))
    first, *rest = candidates
    return first.union(*rest) if rest else first


def search_products(
    *, actor: Actor, query: str = "", category: Category | None = None, limit: int = 24, offset: int = 0
) -> ProductPage:
    """A page of visible products matching name, SKU or the actor's own part numbers (4 queries:
    visibility rules, the page's ids with the total, those products with their category, part
    numbers; 3 for an empty page)."""
    query = query.strip()
    # The page's ids and the total on narrow rows, then only those products: sorting and
    # window-counting whole product rows in one query costs several times more on PostgreSQL (a
    # 48-product page of a 3,851-product category: 16 -> 4 ms), and subqueries cost more Python.
    if not query:
        ranked = _browse_page(actor, category=category, limit=limit, offset=offset)
    else:
        rank, ordering = _ranking(actor=actor, query=query)
        ranked = list(
            _matching(actor, category, query)
            .annotate(**rank, total_count=Window(Count("*")))
            .order_by(*ordering)
            .values_list("pk", "total_count")[offset : offset + limit]
        )
    count = ranked[0][1] if ranked else (_matching(actor, category, query).count() if offset else 0)
    by_pk = Product.objects.select_related("category").in_bulk([pk for pk, _ in ranked])
    items = [by_pk[pk] for pk, _ in ranked]
    return ProductPage(count=count, items=items, part_numbers=part_numbers_for(actor, [p.pk for p in items]))


def _matching(actor: Actor, category: Category | None, query: str) -> QuerySet[Product]:
    queryset = visible_products(actor)
    if category is not None:
        queryset = queryset.filter(category__path__startswith=category.path)
    if query and actor.organization_id is not None:
        queryset = queryset.filter(
            pk__in=_matching_ids(actor=actor, organization_id=actor.organization_id, query=query)
        )
    return queryset


def _browse_page(
    actor: Actor, *, category: Category | None, limit: int, offset: int
) -> list[tuple[int, int]]:
    """A page of a category (or of the whole catalog) without a search: (id, total) rows by name.

    The same rows as `visible_products` filtered and ordered by name, written by hand: a category
    page runs on every browse, and building and compiling its query through the ORM (the
    visibility decision is a CASE over the actor's rules) cost more than running it."""
    if not actor.is_authenticated or actor.organization_id is None:
        return []
    product = connection.ops.quote_name(Product._meta.db_table)
    category_table = connection.ops.quote_name(Category._meta.db_table)
    conditions = ["p.organization_id = %s"]
    params: list[int | str] = [actor.organization_id]
    if not actor.is_staff:
        conditions.append("NOT (p.status = %s)")
        params.append(Product.Status.DRAFT.value)
        ordered = engine.decision_order(visibility_rules_for(actor))
        if ordered and not all(rule.include for rule in ordered):
            cases = []
            for rule in ordered:
                verdict = "TRUE" if rule.include else "FALSE"
                if rule.product_id is not None:
                    cases.append(f"WHEN p.id = %s THEN {verdict}")
                    params.append(rule.product_id)
                elif rule.category_path is not None:
                    cases.append(f"WHEN c.path LIKE %s THEN {verdict}")
                    params.append(f"{rule.category_path}%")
                else:
                    cases.append(f"WHEN TRUE THEN {verdict}")
            conditions.append(f"CASE {' '.join(cases)} ELSE TRUE END")
    if category is not None:
        conditions.append("c.path LIKE %s")
        params.append(f"{category.path}%")
    sql = (
        f"SELECT p.id, COUNT(*) OVER () FROM {product} p LEFT JOIN {category_table} c ON c.id = p.category_id"
        f" WHERE {' AND '.join(conditions)} ORDER BY p.name, p.id LIMIT %s OFFSET %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit, offset])
        return [(pk, total) for pk, total in cursor.fetchall()]


def _ranking(*, actor: Actor, query: str) -> tuple[dict[str, Any], list[str]]:
    """Annotations and ordering of search results: exact SKU or part number hits first, then the most
    similar names (PostgreSQL), then by name; without a query, by name."""
    if not query or actor.organization_id is None:
        return {}, ["name", "pk"]
    exact_hit = Q(sku__iexact=query)
    normalized = engine.normalize_part_number(query)
    if actor.is_buyer and normalized:
        exact_hit |= Q(pk__in=_part_number_product_ids(actor, normalized, exact=True))
    rank: dict[str, Any] = {
        "exact": Case(When(exact_hit, then=Value(0)), default=Value(1), output_field=IntegerField())
    }
    if connection.vendor == "postgresql":
        rank["similarity"] = TrigramSimilarity("name", query)
        return rank, ["exact", "-similarity", "name", "pk"]
    return rank, ["exact", "name", "pk"]


def part_numbers_for(actor: Actor, product_ids: list[int]) -> dict[int, str]:
    """The actor's own part number per product (the nearest account in the chain wins)."""
    if not actor.is_buyer or not product_ids:
        return {}
    rows = CustomerPartNumber.objects.filter(
        account_id__in=list(actor.account_chain_ids), product_id__in=product_ids
    ).values_list("product_id", "part_number", "account_id")
    depth = {account_id: index for index, account_id in enumerate(actor.account_chain_ids)}
    best: dict[int, tuple[int, str]] = {}
    for product_id, part_number, account_id in rows:
        rank = depth.get(account_id, -1)
        if product_id not in best or rank > best[product_id][0]:
            best[product_id] = (rank, part_number)
    return {product_id: part for product_id, (_, part) in best.items()}


def get_product(*, actor: Actor, reference: str) -> Product:
    """A visible product by SKU, or by the actor's own part number; else ProductNotFound."""
    queryset = visible_products(actor).select_related("category").prefetch_related("units")
    product = queryset.filter(sku=reference).first()
    if product is None and actor.is_buyer:
        normalized = engine.normalize_part_number(reference)
        if normalized:
            product = queryset.filter(pk__in=_part_number_product_ids(actor, normalized, exact=True)).first()
    if product is None:
        raise ProductNotFound(reference)
    return product


def list_products(*, actor: Actor, query: str = "", category: Category | None = None) -> QuerySet[Product]:
    """Staff product list (all statuses), newest change first."""
    queryset = visible_products(actor).select_related("category")
    if category is not None:
        queryset = queryset.filter(category__path__startswith=category.path)
    if query and actor.organization_id is not None:
        queryset = queryset.filter(
            pk__in=_matching_ids(actor=actor, organization_id=actor.organization_id, query=query)
        )
    return queryset.order_by("name", "pk")


def list_categories(*, actor: Actor) -> QuerySet[Category]:
    """The category tree in tree order (buyers: active ones)."""
    if actor.organization_id is None:
        return Category.objects.none()
    queryset = Category.objects.filter(organization_id=actor.organization_id)
    if not actor.is_staff:
        queryset = queryset.filter(is_active=True)
    return queryset.order_by("path")


def get_category(*, actor: Actor, reference: str | int) -> Category:
    """A category by slug, id or `ext:<external_id>`."""
    queryset = list_categories(actor=actor)
    text = str(reference)
    if text.startswith("ext:"):
        category = queryset.filter(external_id=text[4:]).first() if text[4:] else None
    elif is_database_id(text):
        category = queryset.filter(pk=int(text)).first()
    else:
        category = queryset.filter(slug=text).first()
    if category is None:
        raise CategoryNotFound(reference)
    return category


def category_breadcrumbs(category: Category) -> list[Category]:
    """The category's ancestors and itself, root first (one query)."""
    paths = [category.path[:end] for end in range(category.steplen, len(category.path) + 1, category.steplen)]
    return list(
        Category.objects.filter(organization_id=category.organization_id, path__in=paths).order_by("path")
    )


def list_subcategories(*, actor: Actor, category: Category) -> QuerySet[Category]:
    """The category's direct children the actor may see, in tree order."""
    return list_categories(actor=actor).filter(path__startswith=category.path, depth=category.depth + 1)


def category_parent_ids(*, categories: list[Category]) -> dict[str, int]:
    """Ids of the categories' parents, keyed by the parent's path (at most one query)."""
    paths = sorted({category.path[: -category.steplen] for category in categories if category.depth > 1})
    if not paths:
        return {}
    organization_ids = sorted({category.organization_id for category in categories})
    rows = Category.objects.filter(organization_id__in=organization_ids, path__in=paths)
    return dict(rows.values_list("path", "pk"))


def load_units(products: list[Product]) -> list[Product]:
    """Fetch the products' alternative units in one query, for lists that show them."""
    prefetch_related_objects(products, "units")
    return products
