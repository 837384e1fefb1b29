"""`meridian bench inventory`: allocation throughput, a hot SKU under contention, availability latency.

Runs in-process through the services, on the configured database, against its own organization
(`inventory-bench`: 20,000 products in 3 warehouses, created once and reused), and reports the
figures beside `../shared/bench/ideal-order` (plain SQL doing the same database work) measured
in the same run. Every client is a process (forked, so it shares nothing with the others but
the database, like an app server's workers) with its own connection, calling the service
in-process; threads would measure the GIL instead of the inventory.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import statistics
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import Sum
from django.utils import timezone

from meridian.catalog import engine as catalog_engine
from meridian.catalog.models import Product
from meridian.core.errors import DomainError
from meridian.inventory import queries, services
from meridian.inventory.models import (
    AllocationStrategy,
    BackorderPolicy,
    StockLevel,
    StockMovement,
    Warehouse,
    WarehouseAssignment,
)
from meridian.tenancy.models import Organization, Website

BENCH_SLUG = "inventory-bench"
PRODUCTS = 20_000
LINES = 10
OPENING_STOCK = Decimal(1_000_000_000)
HOT_STOCK_PER_WAREHOUSE = Decimal(250)
PAGE = 48
BATCH_SIZE = 5_000
WAREHOUSES = (  # code, name, latitude, longitude, timezone
    ("B-CHI", "Bench Chicago", Decimal("41.81"), Decimal("-87.71"), "America/Chicago"),
    ("B-RNO", "Bench Reno", Decimal("39.49"), Decimal("-119.75"), "America/Los_Angeles"),
    ("B-NJ", "Bench Edison", Decimal("40.52"), Decimal("-74.41"), "America/New_York"),
)


@dataclass(frozen=True, slots=True)
class _Fixture:
    organization: Organization
    website: Website
    warehouses: list[Warehouse]
    product_ids: list[int]


@dataclass(slots=True)
class _Run:
    orders: int = 0
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    hot_allocated: Decimal = Decimal(0)
    hot_requested: Decimal = Decimal(0)
    cpu_seconds: float = 0.0  # the clients' own CPU (time.process_time): independent of the machine's load

    def add(self, other: _Run) -> None:
        self.cpu_seconds += other.cpu_seconds
        self.orders += other.orders
        self.latencies += other.latencies
        self.errors += other.errors
        self.hot_allocated += other.hot_allocated
        self.hot_requested += other.hot_requested


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _fixture() -> _Fixture:
    """The bench organization, created on first use (bulk rows, with the ledger rows that explain them)."""
    organization, _ = Organization.objects.get_or_create(
        slug=BENCH_SLUG, defaults={"name": "Inventory bench"}
    )
    website, _ = Website.objects.get_or_create(
        organization=organization, slug="bench", defaults={"name": "Bench shop", "is_default": True}
    )
    warehouses = []
    for priority, (code, name, latitude, longitude, tz) in enumerate(WAREHOUSES, start=1):
        warehouse, _ = Warehouse.objects.get_or_create(
            organization=organization,
            code=code,
            defaults={"name": name, "latitude": latitude, "longitude": longitude, "timezone": tz},
        )
        WarehouseAssignment.objects.get_or_create(
            warehouse=warehouse, website=website, defaults={"priority": priority}
        )
        warehouses.append(warehouse)
    services.configure_website(
        website=website,
        allocation_strategy=AllocationStrategy.NEAREST,
        default_backorder_policy=BackorderPolicy.ALLOW,
    )
    existing = Product.objects.filter(organization=organization, sku__startswith="BENCH-").count()
    if existing < PRODUCTS:
        _create_products(organization, warehouses, start=existing)
    product_ids = list(
        Product.objects.filter(organization=organization, sku__startswith="BENCH-")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return _Fixture(organization, website, warehouses, product_ids)


@transaction.atomic
def _create_products(organization: Organization, warehouses: list[Warehouse], *, start: int) -> None:
    products = Product.objects.bulk_create(
        [
            Product(
                organization=organization,
                sku=f"BENCH-{index:06d}",
                name=f"Bench item {index}",
                search_document=catalog_engine.search_document(
                    sku=f"BENCH-{index:06d}", name=f"Bench item {index}", description="", attributes={}
                ),
            )
            for index in range(start, PRODUCTS)
        ],
        batch_size=BATCH_SIZE,
    )
    now = timezone.now()
    StockLevel.objects.bulk_create(
        [
            StockLevel(organization=organization, warehouse=warehouse, product=product, on_hand=OPENING_STOCK)
            for product in products
            for warehouse in warehouses
        ],
        batch_size=BATCH_SIZE,
    )
    StockMovement.objects.bulk_create(
        [
            StockMovement(
                organization=organization,
                kind=StockMovement.Kind.RECEIPT,
                warehouse=warehouse,
                product=product,
                on_hand_delta=OPENING_STOCK,
                on_hand_after=OPENING_STOCK,
                allocated_after=Decimal(0),
                reason="Bench opening balance",
                reference="BENCH",
                created_at=now,
            )
            for product in products
            for warehouse in warehouses
        ],
        batch_size=BATCH_SIZE,
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE catalog_product, inventory_stocklevel, inventory_stockmovement")


def _hot_product(fixture: _Fixture) -> Product:
    """A fresh hot SKU per run: finite stock in two warehouses."""
    sku = f"HOT-{time.strftime('%Y%m%d%H%M%S')}-{random.randrange(10_000):04d}"
    product = Product.objects.create(organization=fixture.organization, sku=sku, name="Bench hot item")
    for warehouse in fixture.warehouses[:2]:
        services.record_receipt(
            organization=fixture.organization,
            warehouse=warehouse,
            product=product,
            quantity=HOT_STOCK_PER_WAREHOUSE,
        )
    return product


def _clients(clients: int, seconds: float, work: Callable[[random.Random, _Run], None]) -> tuple[_Run, float]:
    """Run `work` in a loop in `clients` forked processes for `seconds`; return their merged runs."""
    context = multiprocessing.get_context("fork")  # the children inherit the loaded Django and fixture
    barrier = context.Barrier(clients + 1)
    stop = context.Event()
    results = context.Queue()
    connections.close_all()  # a forked child must never share the parent's socket

    def client(index: int) -> None:
        run = _Run()
        rng = random.Random(index)
        try:
            barrier.wait()
            started = time.process_time()
            while not stop.is_set():
                work(rng, run)
            run.cpu_seconds = time.process_time() - started
        finally:
            connections.close_all()
            results.put(run)

    processes = [context.Process(target=client, args=(index,), daemon=True) for index in range(clients)]
    for process in processes:
        process.start()
    barrier.wait()
    started = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    total = _Run()
    for _ in processes:
        total.add(results.get(timeout=120))
    elapsed = time.perf_counter() - started
    for process in processes:
        process.join()
    return total, elapsed


def _place(fixture: _Fixture, rng: random.Random, run: _Run, *, hot: Product | None) -> None:
    chosen = rng.sample(fixture.product_ids, LINES - (1 if hot else 0))
    lines = [
        services.OrderLine(str(i), product_id, Decimal(rng.randint(1, 5)))
        for i, product_id in enumerate(chosen)
    ]
    if hot is not None:
        lines.append(services.OrderLine("hot", hot.pk, Decimal(rng.randint(1, 5))))
    ship_to = services.ShipTo(
        latitude=Decimal(rng.uniform(30, 47)).quantize(Decimal("0.01")),
        longitude=Decimal(rng.uniform(-122, -71)).quantize(Decimal("0.01")),
    )
    started = time.perf_counter()
    try:
        with transaction.atomic(durable=True):  # as ordering's place_order will call it
            result = services.allocate_order(
                organization=fixture.organization,
                website=fixture.website,
                account=None,
                ship_to=ship_to,
                lines=lines,
                reference=f"BENCH-{os.getpid()}-{time.perf_counter_ns()}",
            )
    except DomainError as exc:  # a refusal reaching a user: none expected (policy allow)
        run.errors.append(exc.code)
        return
    except Exception as exc:  # deadlocks, serialization failures: must never happen
        run.errors.append(type(exc).__name__)
        return
    run.orders += 1
    run.latencies.append(time.perf_counter() - started)
    if hot is not None:
        hot_line = next(line for line in result.lines if line.key == "hot")
        run.hot_allocated += hot_line.allocated
        run.hot_requested += hot_line.requested


def _ideal(seconds: int, clients: int) -> tuple[str, float | None]:
    if connection.vendor != "postgresql":
        return "ideal_order skipped: needs PostgreSQL", None
    script = Path(
        os.environ.get("MERIDIAN_IDEAL_ORDER", settings.BASE_DIR.parent / "shared" / "bench" / "ideal-order")
    )
    if not script.exists():
        return f"ideal_order skipped: {script} not found", None
    database = settings.DATABASES["default"]
    env = {
        **os.environ,
        "PGHOST": str(database.get("HOST") or "127.0.0.1"),
        "PGPORT": str(database.get("PORT") or "5432"),
        "PGUSER": str(database.get("USER") or "postgres"),
    }
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = str(database["PASSWORD"])
    completed = subprocess.run(
        [str(script), str(LINES), str(clients), str(seconds)],
        capture_output=True,
        text=True,
        env=env,
        timeout=seconds + 600,
        check=False,
    )
    line = completed.stdout.strip().splitlines()[-1] if completed.stdout.strip() else ""
    if completed.returncode != 0 or "tps=" not in line:
        return f"ideal_order failed: {completed.stderr.strip()[-300:]}", None
    tps = float(line.split("tps=")[1].split()[0])
    return line, tps


def run_inventory_bench(*, seconds: int, clients: int) -> list[str]:
    """Run the three measurements and the ideal; return the report as plain lines."""
    fixture = _fixture()
    lines = [
        f"inventory bench: {connection.vendor}, {len(fixture.product_ids)} products x {len(fixture.warehouses)}"
        f" warehouses, {clients} clients, {seconds} s each"
    ]

    # (a) 10-line orders spread over the catalog and the three warehouses.
    run, elapsed = _clients(clients, seconds, lambda rng, run: _place(fixture, rng, run, hot=None))
    tps = run.orders / elapsed
    lines.append(
        f"allocation: {LINES}-line orders: {tps:.1f} tps ({tps * LINES:.0f} lines/s),"
        f" p50 {_percentile(run.latencies, 0.5) * 1000:.1f} ms, p95 {_percentile(run.latencies, 0.95) * 1000:.1f} ms,"
        f" errors {len(run.errors)}; client CPU {run.cpu_seconds / max(run.orders, 1) * 1000:.2f} ms per order"
    )

    # (b) every order also asks for one hot SKU with finite stock (then backorders it).
    hot = _hot_product(fixture)
    hot_run, hot_elapsed = _clients(clients, seconds, lambda rng, run: _place(fixture, rng, run, hot=hot))
    hot_levels = StockLevel.objects.filter(product=hot)
    allocated = hot_levels.aggregate(total=Sum("allocated"))["total"] or Decimal(0)
    stock = HOT_STOCK_PER_WAREHOUSE * 2
    oversold = sum((max(Decimal(0), level.allocated - level.on_hand) for level in hot_levels), Decimal(0))
    expected = min(stock, hot_run.hot_requested)
    drift = [
        drift
        for drift in queries.reconcile(organization_id=fixture.organization.pk)
        if drift.product_id == hot.pk
    ]
    lines.append(
        f"hot sku: {hot_run.orders / hot_elapsed:.1f} tps, p95 {_percentile(hot_run.latencies, 0.95) * 1000:.1f} ms;"
        f" allocated {allocated:f} of {stock:f} (demand {hot_run.hot_requested:f}, expected {expected:f}),"
        f" oversold {oversold:f}, ledger drift {len(drift)}, errors {len(hot_run.errors)}"
    )

    # (c) availability for a 48-product page, one client.
    timings: list[float] = []
    rng = random.Random(48)
    deadline = time.perf_counter() + min(seconds, 10)
    while time.perf_counter() < deadline or len(timings) < 200:
        page = rng.sample(fixture.product_ids, PAGE)
        started = time.perf_counter()
        queries.availability(
            organization_id=fixture.organization.pk,
            website_id=fixture.website.pk,
            product_ids=page,
            now=timezone.now(),
        )
        timings.append(time.perf_counter() - started)
    lines.append(
        f"availability: {PAGE}-product page: p50 {statistics.median(timings) * 1000:.2f} ms,"
        f" p95 {_percentile(timings, 0.95) * 1000:.2f} ms ({len(timings)} calls; target p95 <= 10 ms)"
    )
    connection.close()

    ideal_line, ideal_tps = _ideal(seconds, clients)
    lines.append(ideal_line)
    if ideal_tps:
        lines.append(
            f"ratio: meridian {tps:.1f} tps / ideal {ideal_tps:.1f} tps = {tps / ideal_tps:.2f} (target >= 0.25)"
        )
    return lines
