"""`meridian bench pricing`: latency of live price resolution on the current database.

Assumes `seed_pricing` has run (it marks the account with the 4-level chain: contract -> parent
contract -> group list -> website list). Meant for PostgreSQL with the medium profile; the figures
on SQLite are indicative only.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable, Sequence
from decimal import Decimal
from functools import partial

from django.db import connection
from django.test.utils import CaptureQueriesContext

from meridian.catalog.models import Category, Product
from meridian.catalog.queries import search_products
from meridian.core.actor import Actor, ActorKind, BuyerRole, StaffRole
from meridian.core.errors import InvalidInput
from meridian.customers.models import Account
from meridian.pricing import engine, queries
from meridian.pricing.models import Contract, PriceListEntry, Promotion
from meridian.pricing.queries.cache import forget_chains
from meridian.pricing.seed import CHAIN_CONTRACT_EXTERNAL_ID
from meridian.pricing.services import PriceLineRequest, resolve_prices
from meridian.tenancy.models import Website

TARGET_CART_P95_MS = 25.0
TARGET_PAGE_P95_MS = 15.0
TARGET_LARGE_CART_MS = 250.0
PAGE_SIZE = 48


def _percentiles(samples: Sequence[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def _time(call: Callable[[], object], iterations: int) -> list[float]:
    call()  # warm up: connection, caches, code paths
    samples = []
    for _ in range(iterations):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def _queries(call: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured.captured_queries)


def _cold(call: Callable[[], object]) -> object:
    """Call with this process's chain cache empty, as after a pricing write."""
    forget_chains()
    return call()


def _verdict(value: float, target: float) -> str:
    return "ok" if value <= target else "OVER TARGET"


def _skus_of(price_list_id: int) -> list[str]:
    return list(
        PriceListEntry.objects.filter(price_list_id=price_list_id, min_quantity=1)
        .order_by("product__sku")
        .values_list("product__sku", flat=True)
        .distinct()
    )


def run_pricing_bench(*, iterations: int) -> list[str]:
    """Measure p50/p95 of a 200-line cart, a 48-product page and a 2,000-line cart; return report lines."""
    contract = (
        Contract.objects.select_related("account", "price_list")
        .filter(external_id=CHAIN_CONTRACT_EXTERNAL_ID)
        .order_by("pk")
        .first()
    )
    if contract is None:
        raise InvalidInput.on("pricing", "no seeded pricing here: run seed_pricing first")
    account = contract.account
    organization_id = account.organization_id
    website = Website.objects.filter(organization_id=organization_id).order_by("-is_default", "pk").first()
    assert website is not None  # seed_pricing refuses an organization without websites
    ancestors = tuple(
        Account.objects.filter(organization_id=organization_id, path__in=account.ancestor_paths())
        .order_by("path")
        .values_list("pk", flat=True)
    )
    staff = Actor(
        kind=ActorKind.STAFF,
        organization_id=organization_id,
        website_id=website.pk,
        staff_role=StaffRole.ADMIN,
    )
    buyer = Actor(
        kind=ActorKind.BUYER,
        organization_id=organization_id,
        website_id=website.pk,
        account_id=account.pk,
        account_path=account.path,
        account_ancestor_ids=ancestors,
        customer_group_id=account.customer_group_id,
        buyer_roles=frozenset({BuyerRole.BUYER}),
    )
    parent_contract = (
        Contract.objects.filter(account__path__in=account.ancestor_paths(), applies_to_children=True)
        .order_by("-account__depth")
        .first()
    )
    base_skus = list(
        Product.objects.filter(organization_id=organization_id, status=Product.Status.ACTIVE)
        .order_by("pk")
        .values_list("sku", flat=True)
    )
    rng = random.Random(20_26)
    own = _skus_of(contract.price_list_id)
    parents = _skus_of(parent_contract.price_list_id) if parent_contract else []
    cart_skus = rng.sample(own, min(50, len(own))) + rng.sample(parents, min(50, len(parents)))
    cart_skus += rng.sample(base_skus, min(200 - len(cart_skus), len(base_skus)))
    cart = [PriceLineRequest(sku=sku, quantity=Decimal(rng.randint(1, 150))) for sku in cart_skus[:200]]
    large = [
        PriceLineRequest(sku=rng.choice(base_skus), quantity=Decimal(rng.randint(1, 150)))
        for _ in range(2_000)
    ]
    category = _category_with_a_full_page(organization_id)

    def price_cart() -> object:
        return resolve_prices(actor=staff, account=account, lines=cart)

    def price_large() -> object:
        return resolve_prices(actor=staff, account=account, lines=large)

    def category_page() -> object:
        page = search_products(actor=buyer, category=category, limit=PAGE_SIZE)
        return queries.prices_for_products(actor=buyer, products=page.items)

    page_products = search_products(actor=buyer, category=category, limit=PAGE_SIZE).items

    def page_prices() -> object:
        return queries.prices_for_products(actor=buyer, products=page_products)

    result = resolve_prices(actor=staff, account=account, lines=cart)
    kinds = sorted({line.source.kind.value for line in result.lines if line.source is not None})
    promotions = Promotion.objects.filter(
        organization_id=organization_id, is_active=True, requires_coupon=False
    )
    lines = [
        f"pricing bench on {connection.vendor}: account {account.pk} ({account.name}), depth {account.depth}, "
        f"{promotions.count()} live automatic promotions, {iterations} iterations",
        f"  cart of 200 lines priced from: {', '.join(kinds)}; "
        f"{sum(1 for line in result.lines if line.error)} unpriced",
    ]
    p50, p95 = _percentiles(_time(price_cart, iterations))
    lines.append(
        f"  200-line cart:       p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  "
        f"(target p95 <= {TARGET_CART_P95_MS:.0f} ms: {_verdict(p95, TARGET_CART_P95_MS)})"
    )
    p50, p95 = _percentiles(_time(partial(_cold, price_cart), iterations))
    lines.append(
        f"    chain not cached:  p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  (the first request after a pricing write)"
    )
    p50, p95 = _percentiles(_time(category_page, iterations))
    lines.append(
        f"  48-product page:     p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  "
        f"(target p95 <= {TARGET_PAGE_P95_MS:.0f} ms: {_verdict(p95, TARGET_PAGE_P95_MS)})"
    )
    p50, p95 = _percentiles(_time(page_prices, iterations))
    lines.append(f"    of which prices:   p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  (the rest is catalog search)")
    p50, p95 = _percentiles(_time(price_large, max(3, iterations // 10)))
    lines.append(
        f"  2,000-line cart:     p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  "
        f"(target < {TARGET_LARGE_CART_MS:.0f} ms: {_verdict(p95, TARGET_LARGE_CART_MS)})"
    )
    counts = [
        _queries(partial(resolve_prices, actor=staff, account=account, lines=cart[:size]))
        for size in (1, 20, 200)
    ]
    counts.append(_queries(price_large))
    cold = [
        _queries(partial(_cold, partial(resolve_prices, actor=staff, account=account, lines=cart[:size])))
        for size in (1, 200)
    ]
    lines.append(
        f"  queries per resolution (1, 20, 200, 2,000 lines): {', '.join(map(str, counts))}"
        f" ({'constant' if len(set(counts)) == 1 else 'NOT CONSTANT'}), chain not cached: {cold[0]}, {cold[1]};"
        f" page: {_queries(category_page)} (prices: {_queries(page_prices)};"
        f" chain not cached: {_queries(partial(_cold, page_prices))})"
    )
    lines.append(f"  engine only: {_engine_lines_per_second(staff, account, large):,.0f} lines/s")
    return lines


def _category_with_a_full_page(organization_id: int) -> Category | None:
    """The shallowest category holding at least a page of products (None: the whole catalog)."""
    for category in Category.objects.filter(organization_id=organization_id).order_by("depth", "path")[:50]:
        count = Product.objects.filter(
            organization_id=organization_id, category__path__startswith=category.path
        ).count()
        if count >= PAGE_SIZE:
            return category
    return None


def _engine_lines_per_second(actor: Actor, account: Account, lines: Sequence[PriceLineRequest]) -> float:
    """Load a 2,000-line cart once, then time the pure engine alone."""
    scope = queries.load_scope(
        organization_id=account.organization_id,
        account=queries.PricedAccount.of(account),
        website_id=actor.website_id,
        currency=None,
    )
    products = queries.load_products(
        actor=actor, organization_id=account.organization_id, skus={line.sku for line in lines}
    )
    by_sku = {info.sku: info for info in products.values()}
    engine_lines = [
        line
        for index, requested in enumerate(lines)
        if (info := by_sku.get(requested.sku)) is not None
        and (line := queries.engine_line(key=str(index), product=info, quantity=requested.quantity, uom=""))
        is not None
    ]
    loaded = queries.load_sources(scope=scope, product_ids=list(products))
    promotions, _ = queries.load_promotions(scope=scope, coupon_codes=())
    request = queries.build_request(scope=scope, lines=engine_lines, loaded=loaded, promotions=promotions)
    runs = 5
    engine.price_cart(request)
    started = time.perf_counter()
    for _ in range(runs):
        engine.price_cart(request)
    elapsed = time.perf_counter() - started
    return len(engine_lines) * runs / elapsed if elapsed else float("inf")
