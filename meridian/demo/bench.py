"""The catalog benchmark: search and category pages as buyers see them, against a plain-SQL baseline.

Measures `catalog.queries.search_products` (visibility applied) for buyers whose accounts have
visibility rules, the same through HTTP when the portal's URLs exist, and one hand-written SQL query
per search with the actor's visibility rules inlined, interleaved in the same run so the ratio
Meridian / plain SQL compares like with like. See bench/README.md.
"""

from __future__ import annotations

import math
import random
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet
from django.test import Client
from django.urls import Resolver404, resolve

from meridian.catalog import engine
from meridian.catalog.models import Category, CustomerPartNumber, Product, VisibilityRule
from meridian.catalog.queries import search_products, visibility_rules_for
from meridian.core.actor import Actor
from meridian.customers.models import Account, BuyerUser
from meridian.customers.queries import build_actor
from meridian.demo import reference
from meridian.demo.seed import find_demo_organization, seed_demo
from meridian.tenancy.models import Organization

TARGET_P95_MS = 50.0
PAGE_SIZE = 24
TARGETED = {
    "catalog.search",
    "catalog.category.top",
    "catalog.category.second",
    "http.search",
    "http.category",
}
WORD_QUERIES = (
    "hex bolt m8",
    "nitrile gloves",
    "ball bearing 6205",
    "cut-off wheel",
    "stainless socket head cap screw",
    "safety glasses anti-fog",
    "carbide end mill 4 flute",
    "push to connect 8 mm",
    "thhn 12 awg",
    "viton o-ring",
    "v-belt",
    "hydraulic hose",
)


@dataclass(frozen=True, slots=True)
class Buyer:
    label: str
    user_id: int
    actor: Actor


@dataclass(frozen=True, slots=True)
class Sample:
    kind: str  # words, sku, part_number, top, second
    buyer: Buyer
    query: str = ""
    category: Category | None = None


@dataclass(slots=True)
class Series:
    name: str
    milliseconds: list[float] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    counts_rows: bool = True  # a page through HTTP has no row count to report

    def add(self, elapsed_ns: int, rows: int) -> None:
        self.milliseconds.append(elapsed_ns / 1_000_000)
        self.rows.append(rows)

    def percentile(self, p: float) -> float:
        """Nearest-rank percentile."""
        ordered = sorted(self.milliseconds)
        return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]

    def line(self) -> str:
        if not self.milliseconds:
            return f"{self.name:<28} n=0"
        line = (
            f"{self.name:<28} p50={self.percentile(50):.1f}ms p95={self.percentile(95):.1f}ms "
            f"p99={self.percentile(99):.1f}ms n={len(self.milliseconds)}"
        )
        return f"{line} rows={int(statistics.median(self.rows))}" if self.counts_rows else line


def _timed(function: Callable[[], int]) -> tuple[int, int]:
    started = time.perf_counter_ns()
    rows = function()
    return time.perf_counter_ns() - started, rows


def run_catalog_bench(
    *,
    profile: str,
    iterations: int,
    warmup: int,
    seed: int,
    include_http: bool,
    out: Callable[[str], None],
) -> bool:
    """Print the measurements; True when every p95 meets the target."""
    organization = find_demo_organization()
    if organization is None:
        out(f"No demo data: seeding profile {profile!r} first...")
        report = seed_demo(profile=profile, seed=seed)
        out(f"Seeded in {report.seconds:.1f}s.")
        organization = find_demo_organization()
        assert organization is not None
    rng = random.Random(f"{seed}:bench")
    buyers = pick_buyers(organization)
    searches = search_samples(organization, buyers, rng)
    categories = category_samples(organization, buyers)
    _describe(organization, buyers, out)

    baseline = PlainSqlBaseline()
    agree = sum(baseline.agrees(sample) for sample in [*searches, *categories])
    out(
        f"plain-SQL baseline returns Meridian's page and count for {agree}/{len(searches) + len(categories)} samples"
    )
    for index in range(warmup):
        for sample in (searches[index % len(searches)], categories[index % len(categories)]):
            _meridian(sample)()
            baseline.runner(sample)()

    results: list[Series] = []
    search = Series("catalog.search")
    by_kind = {kind: Series(f"catalog.search.{kind}") for kind in ("words", "sku", "part_number")}
    plain = Series("baseline.search (plain SQL)")
    for index in range(iterations):
        sample = searches[index % len(searches)]
        # Alternate who goes first so neither always runs on the other's warm cache.
        for runner, series in _ordered(index, (_meridian(sample), search), (baseline.runner(sample), plain)):
            elapsed, rows = _timed(runner)
            series.add(elapsed, rows)
            if series is search:
                by_kind[sample.kind].add(elapsed, rows)
    results += [search, *by_kind.values(), plain]
    for level in ("top", "second"):
        page = Series(f"catalog.category.{level}")
        plain_page = Series(f"baseline.category.{level}")
        level_samples = [sample for sample in categories if sample.kind == level]
        for index in range(iterations):
            sample = level_samples[index % len(level_samples)]
            for runner, series in _ordered(
                index, (_meridian(sample), page), (baseline.runner(sample), plain_page)
            ):
                series.add(*_timed(runner))
        results += [page, plain_page]
    if include_http:
        results += _http_series(searches, categories, iterations, warmup, out)

    for series in results:
        out(series.line())
    out(_ratio(search, plain, "catalog.search / plain SQL"))
    for level in ("top", "second"):
        page = next(s for s in results if s.name == f"catalog.category.{level}")
        plain_page = next(s for s in results if s.name == f"baseline.category.{level}")
        out(_ratio(page, plain_page, f"catalog.category.{level} / plain SQL"))
    passed = True
    for series in results:
        if series.name in TARGETED and series.milliseconds:
            ok = series.percentile(95) <= TARGET_P95_MS
            passed &= ok
            verdict = "PASS" if ok else "FAIL"
            out(f"target {series.name} p95 <= {TARGET_P95_MS:.0f}ms: {series.percentile(95):.1f}ms {verdict}")
    out(f"overall: {'PASS' if passed else 'FAIL'}")
    return passed


def _ordered(
    index: int, *pairs: tuple[Callable[[], int], Series]
) -> Sequence[tuple[Callable[[], int], Series]]:
    return pairs if index % 2 == 0 else tuple(reversed(pairs))


def _ratio(meridian: Series, plain: Series, label: str) -> str:
    if not meridian.milliseconds or not plain.milliseconds:
        return f"{label}: n/a"
    return (
        f"{label}: p50 x{meridian.percentile(50) / max(plain.percentile(50), 1e-6):.1f}, "
        f"p95 x{meridian.percentile(95) / max(plain.percentile(95), 1e-6):.1f}"
    )


def _describe(organization: Organization, buyers: Sequence[Buyer], out: Callable[[str], None]) -> None:
    database = settings.DATABASES["default"]
    out(
        f"catalog bench on {connection.vendor} ({database['NAME']}): "
        f"{Product.objects.filter(organization=organization).count()} products, "
        f"{Account.objects.filter(organization=organization).count()} accounts, "
        f"{BuyerUser.objects.filter(account__organization=organization).count()} buyers, "
        f"{CustomerPartNumber.objects.filter(organization=organization).count()} part numbers, "
        f"{VisibilityRule.objects.filter(organization=organization).count()} visibility rules"
    )
    for buyer in buyers:
        rules = len(visibility_rules_for(buyer.actor))
        out(
            f"  buyer: {buyer.label} (account depth {len(buyer.actor.account_chain_ids)}, {rules} rules apply)"
        )


# Who searches, and what


def pick_buyers(organization: Organization, *, with_account_rules: int = 5) -> list[Buyer]:
    """Buyers whose accounts have visibility rules: the demo buyer, some under account rules, OEM, Canada."""
    chosen: list[Buyer] = []

    def add(label: str, candidates: QuerySet[BuyerUser], website_slug: str = "") -> None:
        buyer = candidates.exclude(user_id__in=[b.user_id for b in chosen]).first()
        if buyer is None:
            return
        website_id = None
        if website_slug:
            website_id = organization.websites.filter(slug=website_slug).values_list("pk", flat=True).first()
        chosen.append(Buyer(label, buyer.user_id, build_actor(user_id=buyer.user_id, website_id=website_id)))

    buyers = BuyerUser.objects.filter(account__organization=organization, user__is_active=True)
    add(
        "demo buyer (plant excluded from hazmat, OEM group)",
        buyers.filter(user__email=reference.DEMO_BUYER.email),
    )
    rule_paths = (
        VisibilityRule.objects.filter(organization=organization, account__isnull=False)
        .order_by("pk")
        .values_list("account__path", flat=True)
    )
    for path in list(rule_paths)[: with_account_rules + 1]:
        # The deepest buyer under the rule's account: the rule is inherited through the whole chain.
        add(
            "under an account rule",
            buyers.filter(account__path__startswith=path).order_by("-account__depth", "pk"),
        )
    add("OEM group", buyers.filter(account__customer_group__code="OEM").order_by("-account__depth", "pk"))
    add("Canada website and Toronto branch", buyers.filter(account__branch__code="TOR").order_by("pk"), "ca")
    return chosen


def search_samples(organization: Organization, buyers: Sequence[Buyer], rng: random.Random) -> list[Sample]:
    skus = list(
        Product.objects.filter(organization=organization, status=Product.Status.ACTIVE)
        .order_by("pk")
        .values_list("sku", flat=True)
    )
    samples = []
    for buyer in buyers:
        samples += [Sample("words", buyer, query) for query in WORD_QUERIES]
        for sku in rng.sample(skus, min(4, len(skus))):
            samples.append(Sample("sku", buyer, sku if rng.random() < 0.5 else sku.lower()))
        part_numbers = list(
            CustomerPartNumber.objects.filter(account_id__in=list(buyer.actor.account_chain_ids))
            .order_by("pk")
            .values_list("part_number", flat=True)
        )
        for part_number in rng.sample(part_numbers, min(4, len(part_numbers))):
            # Buyers type their own numbers loosely: case, spaces and dashes don't matter.
            samples.append(
                Sample("part_number", buyer, part_number if rng.random() < 0.5 else part_number.lower())
            )
    rng.shuffle(samples)
    return samples


def category_samples(organization: Organization, buyers: Sequence[Buyer]) -> list[Sample]:
    categories = list(
        Category.objects.filter(organization=organization, depth__lte=2, is_active=True).order_by("path")
    )
    samples = []
    for index, category in enumerate(categories):
        buyer = buyers[index % len(buyers)]
        samples.append(Sample("top" if category.depth == 1 else "second", buyer, category=category))
    return samples


def _meridian(sample: Sample) -> Callable[[], int]:
    def run() -> int:
        page = search_products(
            actor=sample.buyer.actor, query=sample.query, category=sample.category, limit=PAGE_SIZE
        )
        return len(page.items)

    return run


# Through HTTP


def _http_series(
    searches: Sequence[Sample],
    categories: Sequence[Sample],
    iterations: int,
    warmup: int,
    out: Callable[[str], None],
) -> list[Series]:
    try:
        resolve("/search/")
        resolve(f"/c/{categories[0].category.slug}/")  # type: ignore[union-attr]  # category samples have one
    except Resolver404:
        out("http: skipped (the portal has no /search/ or /c/<slug>/ URL yet)")
        return []
    clients: dict[int, Client] = {}

    def client(buyer: Buyer) -> Client:
        if buyer.user_id not in clients:
            host = next(
                (h for h in settings.ALLOWED_HOSTS if h not in {"*"} and not h.startswith(".")), "testserver"
            )
            clients[buyer.user_id] = Client(HTTP_HOST=host, secure=settings.SECURE_SSL_REDIRECT)
            clients[buyer.user_id].force_login(BuyerUser.objects.get(user_id=buyer.user_id).user)
        return clients[buyer.user_id]

    failures: list[str] = []

    def get(sample: Sample) -> Callable[[], int]:
        if sample.category is not None:
            url, data = f"/c/{sample.category.slug}/", {}
        else:
            url, data = "/search/", {"q": sample.query}

        def run() -> int:
            response = client(sample.buyer).get(url, data)
            if response.status_code != 200:
                failures.append(f"{url} {data}: {response.status_code}")
            return 1

        return run

    for index in range(warmup):
        get(searches[index % len(searches)])()
        get(categories[index % len(categories)])()
    search = Series("http.search", counts_rows=False)
    category = Series("http.category", counts_rows=False)
    for index in range(iterations):
        search.add(*_timed(get(searches[index % len(searches)])))
        category.add(*_timed(get(categories[index % len(categories)])))
    if failures:
        out(f"http: {len(failures)} responses were not 200, e.g. {failures[0]}")
    return [search, category]


class PlainSqlBaseline:
    """One hand-written query per search: visibility rules inlined, page, count and own part number at once."""

    def runner(self, sample: Sample) -> Callable[[], int]:
        sql, params = self.sql(sample)

        def run() -> int:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return len(cursor.fetchall())

        return run

    def agrees(self, sample: Sample) -> bool:
        """Same products in the same order, and the same count, as search_products."""
        page = search_products(
            actor=sample.buyer.actor, query=sample.query, category=sample.category, limit=PAGE_SIZE
        )
        sql, params = self.sql(sample)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        total = rows[0][-2] if rows else 0
        return [row[0] for row in rows] == [product.pk for product in page.items] and total == page.count

    def sql(self, sample: Sample) -> tuple[str, list[str]]:
        actor = sample.buyer.actor
        postgres = connection.vendor == "postgresql"
        chain = ", ".join(str(pk) for pk in actor.account_chain_ids) or "NULL"
        params: list[str] = []
        where = [f"p.organization_id = {int(actor.organization_id or 0)}", "p.status <> 'draft'"]
        # The rules, most specific first: the first that matches decides (catalog/engine.py).
        ordered = engine.decision_order(visibility_rules_for(actor))
        if ordered and not all(rule.include for rule in ordered):
            whens = []
            for rule in ordered:
                if rule.product_id is not None:
                    condition = f"p.id = {int(rule.product_id)}"
                elif rule.category_path is not None:
                    condition = f"c.path LIKE '{rule.category_path}%%'"  # paths are [0-9A-Z] only
                else:
                    condition = "TRUE"
                whens.append(f"WHEN {condition} THEN {'TRUE' if rule.include else 'FALSE'}")
            where.append(f"(CASE {' '.join(whens)} ELSE TRUE END)")
        if sample.category is not None:
            where.append(f"c.path LIKE '{sample.category.path}%%'")
        query = sample.query.strip()
        order = "p.name, p.id"
        if query:
            tokens = engine.search_tokens(query)
            normalized = engine.normalize_part_number(query)
            candidates = []
            if tokens:
                likes = " AND ".join("search_document LIKE %s" for _ in tokens)
                params += [f"%{token}%" for token in tokens]
                candidates.append(
                    f"SELECT id FROM catalog_product WHERE organization_id = {int(actor.organization_id or 0)} AND {likes}"
                )
                if postgres:
                    candidates.append(
                        "SELECT id FROM catalog_product WHERE to_tsvector('english'::regconfig, search_document)"
                        " @@ plainto_tsquery('english'::regconfig, %s)"
                    )
                    params.append(" ".join(tokens))
            if normalized:
                candidates.append(
                    f"SELECT product_id FROM catalog_customerpartnumber WHERE account_id IN ({chain}) AND normalized LIKE %s"
                )
                params.append(f"%{normalized}%")
            where.append(f"p.id IN ({' UNION '.join(candidates)})")
            exact = "UPPER(p.sku) = UPPER(%s)"
            order_params: list[str] = [query]
            if normalized:
                exact += f" OR p.id IN (SELECT product_id FROM catalog_customerpartnumber WHERE account_id IN ({chain}) AND normalized = %s)"
                order_params.append(normalized)
            order = (
                f"CASE WHEN {exact} THEN 0 ELSE 1 END, "
                + ("similarity(p.name, %s) DESC, " if postgres else "")
                + order
            )
            if postgres:
                order_params.append(query)
        else:
            order_params = []
        # The actor's own part number for each product on the page: the nearest account in the chain wins.
        rank = (
            " ".join(f"WHEN {pk} THEN {depth}" for depth, pk in enumerate(actor.account_chain_ids))
            or "WHEN NULL THEN 0"
        )
        sql = (
            "SELECT p.*, c.*, COUNT(*) OVER () AS total,"
            " (SELECT n.part_number FROM catalog_customerpartnumber n"
            f"  WHERE n.product_id = p.id AND n.account_id IN ({chain})"
            f"  ORDER BY CASE n.account_id {rank} END DESC LIMIT 1) AS own_part_number"
            " FROM catalog_product p LEFT JOIN catalog_category c ON c.id = p.category_id"
            f" WHERE {' AND '.join(where)}"
            f" ORDER BY {order} LIMIT {PAGE_SIZE}"
        )
        return sql, params + order_params
