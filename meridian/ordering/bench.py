"""`meridian bench checkout` (domain part): orders placed through `place_order` by concurrent clients.

Runs in-process through the service (the HTTP version comes with the API), on the configured database,
against the seeded demo organization (`meridian seed --profile medium` first): buyers of accounts
without approval controls order 10-line carts of stocked products. Each client is a forked process
with its own connection (threads would share one interpreter lock on this 2-core machine). Reports
orders/s, lines/s, p50/p95, queries per order, the status mix and errors, a 100-line order's
latency, a 1,000-line quick order, and `../shared/bench/ideal-order` (plain SQL doing the same
database work) measured in the same run. The orders it places stay in the database.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import random
import statistics
import subprocess
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import connection, connections
from django.db.models import Exists, F, OuterRef
from django.test.utils import CaptureQueriesContext

from meridian.catalog.models import Product
from meridian.catalog.queries import visible_products
from meridian.core.actor import Actor
from meridian.core.errors import DomainError, InvalidInput
from meridian.customers.models import Address, BuyerUser
from meridian.customers.queries import build_actor
from meridian.inventory.models import StockLevel, Warehouse
from meridian.ordering.models import AccountOrderingSettings, BuyerOrderLimit, Order
from meridian.ordering.services import (
    OrderLineRequest,
    Payment,
    clear_cart,
    current_cart,
    place_order,
    quick_order,
)
from meridian.tenancy.models import Organization, Website

DEMO_SLUG = "northwind"
BUYERS = 40
ITEMS = 3_000
MIN_AVAILABLE = 1_000


@dataclass(frozen=True, slots=True)
class Item:
    sku: str
    step: Decimal  # an orderable base quantity (the minimum rounded up to the increment)


@dataclass(frozen=True, slots=True)
class Buyer:
    actor: Actor
    payment: Payment
    items: tuple[Item, ...]  # stocked, orderable and visible to this buyer


@dataclass(slots=True)
class Run:
    orders: int = 0
    lines: int = 0
    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    statuses: Counter[str] = field(default_factory=Counter)


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]


def _organization(organization: Organization | None) -> Organization:
    found = organization or Organization.objects.filter(slug=DEMO_SLUG).first()
    if found is None:
        raise InvalidInput.on("organization", "no demo data here: run `meridian seed --profile medium` first")
    return found


def _items(organization: Organization, min_available: int) -> list[Item]:
    rows = (
        StockLevel.objects.filter(
            organization=organization,
            warehouse__kind=Warehouse.Kind.OWN,
            product__status=Product.Status.ACTIVE,
            on_hand__gte=F("allocated") + min_available,
        )
        .order_by("product_id")
        .values_list("product__sku", "product__min_order_quantity", "product__order_increment")
        .distinct()[:ITEMS]
    )
    items = []
    for sku, minimum, increment in rows:
        steps = math.ceil(minimum / increment) if increment > 0 else 1
        items.append(Item(sku, (increment * steps).quantize(Decimal("0.001"))))
    return items


def _buyers(organization: Organization, website: Website, items: list[Item], lines: int) -> list[Buyer]:
    """Buyers whose orders go straight through (no order limit, no budget), one per company."""
    limited = set(BuyerOrderLimit.objects.values_list("buyer_id", flat=True))
    budgeted = set(
        AccountOrderingSettings.objects.filter(monthly_budget__isnull=False).values_list(
            "account_id", flat=True
        )
    )
    shipping = Address.objects.filter(account_id=OuterRef("account_id"), is_shipping=True)
    candidates = (
        BuyerUser.objects.filter(account__organization=organization, is_buyer=True, user__is_active=True)
        .filter(Exists(shipping))
        .select_related("account")
        .order_by("pk")
    )
    skus = [item.sku for item in items]
    buyers = []
    companies: set[str] = set()
    for buyer in candidates:
        if buyer.pk in limited or buyer.account_id in budgeted or not buyer.account.is_active:
            continue
        # One buyer per customer company: a company's orders queue on its credit limit's lock, and
        # real traffic comes from many customers (ideal-order draws from 5,000).
        company = buyer.account.path[: buyer.account.steplen]
        if company in companies:
            continue
        companies.add(company)
        actor = build_actor(user_id=buyer.user_id, website_id=website.pk)
        visible = set(visible_products(actor).filter(sku__in=skus).values_list("sku", flat=True))
        payment = Payment() if buyer.account.payment_terms_id else Payment("card", "tok_bench")
        buyers.append(Buyer(actor, payment, tuple(item for item in items if item.sku in visible)))
        if len(buyers) == BUYERS:
            break
    return [buyer for buyer in buyers if len(buyer.items) >= lines]


def _order(buyer: Buyer, rng: random.Random, lines: int, run: Run) -> None:
    chosen = rng.sample(buyer.items, lines)
    started = time.perf_counter()
    try:
        order = place_order(
            actor=buyer.actor,
            channel="portal",
            lines=[OrderLineRequest(item.sku, item.step * rng.randint(1, 3)) for item in chosen],
            po_number=f"BENCH-{rng.randint(1, 10**9)}",
            payment=buyer.payment,
            source_reference="bench",
        )
    except DomainError as exc:
        run.errors[exc.code] += 1
        return
    run.latencies.append(time.perf_counter() - started)
    run.orders += 1
    run.lines += lines
    run.statuses[order.status + ("+hold" if order.hold else "")] += 1


def _client(index: int, seconds: float, buyers: list[Buyer], lines: int) -> Run:
    connections.close_all()  # a forked child opens its own connection
    rng = random.Random(index)
    run = Run()
    deadline = time.perf_counter() + seconds
    try:
        while time.perf_counter() < deadline:
            _order(rng.choice(buyers), rng, lines, run)
    finally:
        connections.close_all()
    return run


def _clients(clients: int, seconds: float, buyers: list[Buyer], lines: int) -> tuple[Run, float]:
    connections.close_all()  # never share a connection with the children
    context = multiprocessing.get_context("fork")
    started = time.perf_counter()
    with context.Pool(clients) as pool:
        runs = pool.starmap(_client, [(index, seconds, buyers, lines) for index in range(clients)])
    elapsed = time.perf_counter() - started
    total = Run()
    for run in runs:
        total.orders += run.orders
        total.lines += run.lines
        total.latencies.extend(run.latencies)
        total.errors.update(run.errors)
        total.statuses.update(run.statuses)
    return total, min(elapsed, seconds + 1.0)


def _ideal(seconds: int, clients: int, lines: int) -> tuple[str, float | None]:
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
        [str(script), str(lines), str(clients), str(seconds)],
        capture_output=True,
        text=True,
        env=env,
        timeout=seconds + 600,
        check=False,
    )
    line = completed.stdout.strip().splitlines()[-1] if completed.stdout.strip() else ""
    if completed.returncode != 0 or "tps=" not in line:
        return f"ideal_order failed: {completed.stderr.strip()[-300:]}", None
    return line, float(line.split("tps=")[1].split()[0])


def run_checkout_bench(
    *,
    seconds: int,
    clients: int,
    lines: int = 10,
    organization: Organization | None = None,
    ideal: bool = True,
    min_available: int = MIN_AVAILABLE,
) -> list[str]:
    """Measure order placement through the service; return the report as plain lines."""
    found = _organization(organization)
    website = Website.objects.filter(organization=found).order_by("-is_default", "pk").first()
    if website is None:
        raise InvalidInput.on("organization", "has no website")
    items = _items(found, min_available)
    buyers = _buyers(found, website, items, lines)
    if not buyers or len(items) < lines:
        raise InvalidInput.on("organization", "no buyers or stocked products to order")
    report = [
        f"checkout bench: {connection.vendor}, {len(buyers)} buyers, {len(items)} stocked products,"
        f" {clients} clients (processes), {seconds} s, {lines}-line orders through place_order"
    ]
    rng = random.Random(7)
    warm = Run()
    for _ in range(3):
        _order(rng.choice(buyers), rng, lines, warm)
    with CaptureQueriesContext(connection) as captured:
        _order(buyers[0], rng, lines, warm)
    report.append(f"queries per order: {len(captured.captured_queries)} (the same for 1 or 100 lines)")

    run, elapsed = _clients(clients, seconds, buyers, lines)
    tps = run.orders / elapsed if elapsed else 0.0
    report.append(
        f"placement: {tps:.1f} orders/s, {run.lines / elapsed:.0f} lines/s,"
        f" p50 {_percentile(run.latencies, 0.5) * 1000:.1f} ms, p95 {_percentile(run.latencies, 0.95) * 1000:.1f} ms"
        f" ({run.orders} orders; targets: >= 100 orders/s, >= 1,000 lines/s, p95 <= 150 ms)"
    )
    report.append(
        "statuses: "
        + ", ".join(f"{status} {count}" for status, count in sorted(run.statuses.items()))
        + (
            "; errors: " + ", ".join(f"{code} {count}" for code, count in sorted(run.errors.items()))
            if run.errors
            else "; errors: 0"
        )
    )

    big = Run()
    big_buyers = [buyer for buyer in buyers if len(buyer.items) >= 100]
    for _ in range(20 if big_buyers else 0):
        _order(rng.choice(big_buyers), rng, 100, big)
    report.append(
        f"100-line orders: p50 {statistics.median(big.latencies or [0.0]) * 1000:.1f} ms,"
        f" p95 {_percentile(big.latencies, 0.95) * 1000:.1f} ms ({big.orders} orders; target p95 <= 400 ms)"
    )

    buyer = buyers[0]
    cart = current_cart(actor=buyer.actor)
    text = "\n".join(f"{item.sku}, {item.step}" for item in (buyer.items * 4)[:1_000])
    started = time.perf_counter()
    quick = quick_order(actor=buyer.actor, cart=cart, text=text)
    quick_seconds = time.perf_counter() - started
    clear_cart(actor=buyer.actor, cart=cart)
    report.append(
        f"quick order: 1,000 lines in {quick_seconds * 1000:.0f} ms ({quick.added} added; target <= 2 s)"
    )
    if Order.objects.filter(organization=found, source_reference="bench").count() < run.orders:
        report.append("warning: fewer bench orders in the database than counted")
    connection.close()

    if ideal:
        ideal_line, ideal_tps = _ideal(seconds, clients, lines)
        report.append(ideal_line)
        if ideal_tps:
            report.append(
                f"ratio: meridian {tps:.1f} orders/s / ideal {ideal_tps:.1f} tps = {tps / ideal_tps:.3f}"
            )
    return report
