"""`meridian bench checkout`: orders placed by concurrent clients, over HTTP or through the service.

HTTP (the default, as the issue asks): the bench starts the app as in production (gunicorn,
DEBUG off, `workers` processes of `threads` threads, on a free port of 127.0.0.1, against the
configured database) and `clients` forked processes POST `lines`-line orders to `/api/v1/orders`,
each with a fresh `Idempotency-Key` and the bearer token of one of many buyers, for `seconds`.
Service (`mode="service"`): the same orders through `place_order` in the client processes.

Buyers are those of the seeded demo organization (`meridian seed --profile medium` first) whose
orders go straight through (no order limit, no budget), one per customer company; they order
stocked products visible to them. Reports orders/s, lines/s, p50/p95, queries per order (one
request measured in-process), the status mix and errors, a 100-line order's p95, a 1,000-line
quick order, and `../shared/bench/ideal-order` (plain SQL doing the same database work) measured in
the same run. The orders it places stay in the database (`source_reference="bench"` through the
service, PO numbers `BENCH-...` over HTTP).
"""

from __future__ import annotations

import dataclasses
import http.client
import json
import math
import multiprocessing
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, connections
from django.db.models import Exists, F, OuterRef
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from meridian.catalog.models import Product
from meridian.catalog.queries import visible_products
from meridian.core.actor import Actor
from meridian.core.errors import DomainError, InvalidInput
from meridian.core.services import issue_token
from meridian.customers.models import Address, BuyerUser
from meridian.customers.queries import build_actor
from meridian.inventory.models import StockLevel, Warehouse
from meridian.ordering.models import AccountOrderingSettings, BuyerOrderLimit
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
User = get_user_model()
HTTP = "http"
SERVICE = "service"
ORDERS_PATH = "/api/v1/orders"
CARTS_PATH = "/api/v1/carts"
SERVER_START_SECONDS = 60
PREBUILT_PER_SECOND = 60  # requests prepared per client and second of run (one client's ceiling)
# Without a broker the order emails would be sent inline, to an SMTP server the machine does not
# have; in production a Celery worker sends them after the response. Not part of placement.
DUMMY_EMAIL = "django.core.mail.backends.dummy.EmailBackend"


@dataclass(frozen=True, slots=True)
class Item:
    sku: str
    step: Decimal  # an orderable base quantity (the minimum rounded up to the increment)


@dataclass(frozen=True, slots=True)
class Buyer:
    actor: Actor
    payment: Payment
    items: tuple[Item, ...]  # stocked, orderable and visible to this buyer
    token: str = ""  # a bearer token of the buyer's user (HTTP mode)


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


def _chosen_lines(buyer: Buyer, rng: random.Random, lines: int) -> list[tuple[str, Decimal]]:
    return [(item.sku, item.step * rng.randint(1, 3)) for item in rng.sample(buyer.items, lines)]


def _count(run: Run, lines: int, status: str, seconds: float) -> None:
    run.latencies.append(seconds)
    run.orders += 1
    run.lines += lines
    run.statuses[status] += 1


def _order(buyer: Buyer, rng: random.Random, lines: int, run: Run) -> None:
    """One order through the service."""
    chosen = _chosen_lines(buyer, rng, lines)
    started = time.perf_counter()
    try:
        order = place_order(
            actor=buyer.actor,
            channel="portal",
            lines=[OrderLineRequest(sku, quantity) for sku, quantity in chosen],
            po_number=f"BENCH-{rng.randint(1, 10**9)}",
            payment=buyer.payment,
            source_reference="bench",
        )
    except DomainError as exc:
        run.errors[exc.code] += 1
        return
    _count(run, lines, order.status + ("+hold" if order.hold else ""), time.perf_counter() - started)


def _order_body(buyer: Buyer, rng: random.Random, lines: int) -> str:
    body: dict[str, object] = {
        "lines": [
            {"sku": sku, "quantity": str(quantity)} for sku, quantity in _chosen_lines(buyer, rng, lines)
        ],
        "po_number": f"BENCH-{rng.randint(1, 10**9)}",
    }
    if buyer.payment.method != "terms":
        body["payment"] = {"method": buyer.payment.method, "card_token": buyer.payment.card_token}
    return json.dumps(body)


def _headers(buyer: Buyer) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {buyer.token}",
        "Content-Type": "application/json",
        "Idempotency-Key": uuid.uuid4().hex,
    }


class _Connection:
    """One keep-alive HTTP/1.1 connection to the served app, reopened when the server closes it.

    Written on a plain socket: the clients share the machine's two cores with the server, and
    `http.client` spent about 1 ms of CPU per order (most of it parsing the response's headers with
    the `email` package). A request is sent as prepared bytes; the answer is read by its
    Content-Length (chunked answers are read too).
    """

    def __init__(self, port: int) -> None:
        self.port = port
        self.socket: socket.socket | None = None
        self.buffer = b""

    def request_bytes(self, path: str, body: str, headers: dict[str, str]) -> bytes:
        content = body.encode()
        lines = [f"POST {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        lines.append(f"Content-Length: {len(content)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + content

    def post(self, path: str, body: str, headers: dict[str, str]) -> tuple[int, bytes]:
        return self.send(self.request_bytes(path, body, headers))

    def send(self, request: bytes) -> tuple[int, bytes]:
        for attempt in range(2):
            try:
                if self.socket is None:
                    self.socket = socket.create_connection(("127.0.0.1", self.port), timeout=120)
                    self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    self.buffer = b""
                self.socket.sendall(request)
                return self._answer()
            except (ConnectionError, _Closed):
                self.close()
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def _read(self) -> None:
        assert self.socket is not None
        chunk = self.socket.recv(65536)
        if not chunk:
            raise _Closed
        self.buffer += chunk

    def _until(self, marker: bytes) -> bytes:
        while (end := self.buffer.find(marker)) < 0:
            self._read()
        found, self.buffer = self.buffer[:end], self.buffer[end + len(marker) :]
        return found

    def _exactly(self, size: int) -> bytes:
        while len(self.buffer) < size:
            self._read()
        found, self.buffer = self.buffer[:size], self.buffer[size:]
        return found

    def _answer(self) -> tuple[int, bytes]:
        head = self._until(b"\r\n\r\n").decode("latin-1").split("\r\n")
        status = int(head[0].split(" ", 2)[1])
        fields = {}
        for line in head[1:]:
            name, _, value = line.partition(":")
            fields[name.strip().lower()] = value.strip()
        if "content-length" in fields:
            content = self._exactly(int(fields["content-length"]))
        elif fields.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while size := int(self._until(b"\r\n").split(b";")[0], 16):
                parts.append(self._exactly(size))
                self._until(b"\r\n")
            self._until(b"\r\n")
            content = b"".join(parts)
        else:
            raise RuntimeError(f"an answer without a length: {head[0]}")
        if fields.get("connection", "").lower() == "close":
            self.close()
        return status, content

    def close(self) -> None:
        if self.socket is not None:
            self.socket.close()
        self.socket, self.buffer = None, b""


class _Closed(Exception):
    """The server closed the connection before the answer was complete."""


def _count_answer(run: Run, lines: int, status: int, content: bytes, seconds: float) -> None:
    answer = json.loads(content) if content.startswith(b"{") else {}
    if status != 201:
        error = answer.get("error") if isinstance(answer, dict) else None
        code = error.get("code", "") if isinstance(error, dict) else ""
        run.errors[f"{status} {code}".strip()] += 1
        return
    _count(run, lines, f"{answer['status']}{'+hold' if answer.get('hold') else ''}", seconds)


def _http_order(connection: _Connection, buyer: Buyer, rng: random.Random, lines: int, run: Run) -> None:
    """One order POSTed to /api/v1/orders."""
    request = connection.request_bytes(ORDERS_PATH, _order_body(buyer, rng, lines), _headers(buyer))
    started = time.perf_counter()
    status, content = connection.send(request)
    _count_answer(run, lines, status, content, time.perf_counter() - started)


def _http_quick_order(connection: _Connection, buyer: Buyer, cart_id: int, text: str) -> tuple[float, int]:
    """A quick order POSTed to /api/v1/carts/{id}/quick-order: (seconds, lines added)."""
    headers = {"Authorization": f"Bearer {buyer.token}", "Content-Type": "application/json"}
    started = time.perf_counter()
    status, content = connection.post(
        f"{CARTS_PATH}/{cart_id}/quick-order", json.dumps({"text": text}), headers
    )
    seconds = time.perf_counter() - started
    if status != 200:
        raise RuntimeError(f"the quick order failed: {status} {content[:300]!r}")
    return seconds, int(json.loads(content)["added"])


def _client(index: int, seconds: float, buyers: list[Buyer], lines: int, port: int | None) -> Run:
    """One client process: orders until the deadline, through HTTP when `port` is given."""
    connections.close_all()  # a forked child opens its own connection
    rng = random.Random(index)
    run = Run()
    connection = _Connection(port) if port is not None else None
    # Requests are built before the clock starts (more than a client can send in the time), so
    # the clients' CPU during the run is little more than sending and reading.
    requests = (
        [
            connection.request_bytes(ORDERS_PATH, _order_body(buyer, rng, lines), _headers(buyer))
            for buyer in (rng.choice(buyers) for _ in range(int(seconds * PREBUILT_PER_SECOND)))
        ]
        if connection is not None
        else []
    )
    deadline = time.perf_counter() + seconds
    try:
        while time.perf_counter() < deadline:
            if connection is None:
                _order(rng.choice(buyers), rng, lines, run)
            elif requests:
                started = time.perf_counter()
                status, content = connection.send(requests.pop())
                _count_answer(run, lines, status, content, time.perf_counter() - started)
            else:
                _http_order(connection, rng.choice(buyers), rng, lines, run)
    finally:
        if connection is not None:
            connection.close()
        connections.close_all()
    return run


def _clients(
    clients: int, seconds: float, buyers: list[Buyer], lines: int, port: int | None
) -> tuple[Run, float]:
    connections.close_all()  # never share a connection with the children
    context = multiprocessing.get_context("fork")
    started = time.perf_counter()
    with context.Pool(clients) as pool:
        runs = pool.starmap(_client, [(index, seconds, buyers, lines, port) for index in range(clients)])
    elapsed = time.perf_counter() - started
    total = Run()
    for run in runs:
        total.orders += run.orders
        total.lines += run.lines
        total.latencies.extend(run.latencies)
        total.errors.update(run.errors)
        total.statuses.update(run.statuses)
    return total, min(elapsed, seconds + 1.0)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_for(port: int, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {log.read_text()[-2000:]}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", ORDERS_PATH)
            connection.getresponse().read()  # 401 without a token: the app answers
            connection.close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within {SERVER_START_SECONDS} s: {log.read_text()[-2000:]}")


def _database_url() -> str:
    """The database this process uses (a test database included), for the server's DATABASE_URL."""
    database = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{database['NAME']}"
    user, password = quote(str(database.get("USER") or "")), quote(str(database.get("PASSWORD") or ""))
    credentials = f"{user}{':' + password if password else ''}@" if user else ""
    host, port = database.get("HOST") or "127.0.0.1", database.get("PORT") or "5432"
    return f"postgres://{credentials}{host}:{port}/{database['NAME']}"


@contextmanager
def serve(*, workers: int, threads: int) -> Iterator[int]:
    """The app served as in production: gunicorn, DEBUG off, on a free local port, against the
    database this process uses; yields the port."""
    port = _free_port()
    env = {
        **os.environ,
        "DEBUG": "0",
        "MERIDIAN_DEMO": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(40),
        "LOG_LEVEL": "ERROR",
        "EMAIL_BACKEND": DUMMY_EMAIL,
        "DATABASE_URL": _database_url(),
    }
    with tempfile.TemporaryDirectory() as directory:
        log = Path(directory) / "gunicorn.log"
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "meridian.wsgi:application",
            f"--bind=127.0.0.1:{port}",
            f"--workers={workers}",
            f"--threads={threads}",
            "--worker-class=gthread",  # keep-alive connections (sync workers close each one)
            "--keep-alive=30",
            "--log-level=warning",
            f"--error-logfile={log}",
        ]
        with log.open("wb") as output:
            server = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
        try:
            _wait_for(port, server, log)
            yield port
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


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


def _queries_per_order(buyer: Buyer, rng: random.Random, lines: int, mode: str) -> tuple[int, Run]:
    """The queries of one order, measured in this process: a whole API request (auth included) in
    HTTP mode, the `place_order` call in service mode."""
    run = Run()
    with CaptureQueriesContext(connection) as captured:
        if mode == SERVICE:
            _order(buyer, rng, lines, run)
        else:
            with override_settings(ALLOWED_HOSTS=["testserver"]):
                response = Client().post(
                    ORDERS_PATH,
                    _order_body(buyer, rng, lines),
                    content_type="application/json",
                    headers={key: value for key, value in _headers(buyer).items() if key != "Content-Type"},
                )
            if response.status_code != 201:
                raise RuntimeError(
                    f"the measured order failed: {response.status_code} {response.content[:300]!r}"
                )
    return len(captured.captured_queries), run


def _with_tokens(buyers: list[Buyer]) -> list[Buyer]:
    """Each buyer with a fresh bearer token of their user (as `POST /auth/token` issues)."""
    users = User.objects.in_bulk([buyer.actor.user_id for buyer in buyers])
    return [
        dataclasses.replace(buyer, token=issue_token(user=users[buyer.actor.user_id])[0]) for buyer in buyers
    ]


def _report_run(report: list[str], run: Run, elapsed: float, label: str) -> float:
    tps = run.orders / elapsed if elapsed else 0.0
    report.append(
        f"{label}: {tps:.1f} orders/s, {run.lines / elapsed:.0f} lines/s,"
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
    return tps


def run_checkout_bench(
    *,
    seconds: int,
    clients: int,
    lines: int = 10,
    organization: Organization | None = None,
    ideal: bool = True,
    min_available: int = MIN_AVAILABLE,
    mode: str = HTTP,
    workers: int = 4,
    threads: int = 1,
    big_orders: int = 20,
) -> list[str]:
    """Measure order placement over HTTP (gunicorn, `workers` x `threads`) or through the service
    (`mode="service"`); return the report as plain lines."""
    if mode not in (HTTP, SERVICE):
        raise InvalidInput.on("mode", f"{HTTP} or {SERVICE}")
    with override_settings(EMAIL_BACKEND=DUMMY_EMAIL):
        return _run(
            seconds=seconds,
            clients=clients,
            lines=lines,
            organization=organization,
            ideal=ideal,
            min_available=min_available,
            mode=mode,
            workers=workers,
            threads=threads,
            big_orders=big_orders,
        )


def _run(
    *,
    seconds: int,
    clients: int,
    lines: int,
    organization: Organization | None,
    ideal: bool,
    min_available: int,
    mode: str,
    workers: int,
    threads: int,
    big_orders: int,
) -> list[str]:
    if connection.vendor == "postgresql":
        # Every run leaves thousands of orders behind; where autovacuum is off or lags (this
        # machine's server runs without it), the credit-exposure sum then plans over every open
        # order of the organization (23 ms instead of 1.4 ms, inside the account's lock). Fresh
        # statistics make runs comparable, as the server's own autovacuum would in production.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    found = _organization(organization)
    website = Website.objects.filter(organization=found).order_by("-is_default", "pk").first()
    if website is None:
        raise InvalidInput.on("organization", "has no website")
    items = _items(found, min_available)
    buyers = _buyers(found, website, items, lines)
    if not buyers or len(items) < lines:
        raise InvalidInput.on("organization", "no buyers or stocked products to order")
    if mode == HTTP:
        buyers = _with_tokens(buyers)
    where = (
        f"POST {ORDERS_PATH} to gunicorn ({workers} workers x {threads} threads, DEBUG off)"
        if mode == HTTP
        else "place_order"
    )
    report = [
        f"checkout bench: {connection.vendor}, {len(buyers)} buyers, {len(items)} stocked products,"
        f" {clients} clients (processes), {seconds} s, {lines}-line orders through {where}"
    ]
    rng = random.Random(7)
    warm = Run()
    for _ in range(3):
        _order(rng.choice(buyers), rng, lines, warm)
    queries, _ = _queries_per_order(buyers[0], rng, lines, mode)
    what = "the whole request, auth included" if mode == HTTP else "place_order"
    report.append(f"queries per order: {queries} ({what}; the same for 1 or 100 lines)")

    big_buyers = [buyer for buyer in buyers if len(buyer.items) >= 100]
    big = Run()
    buyer = buyers[0]
    cart = current_cart(actor=buyer.actor)
    text = "\n".join(f"{item.sku}, {item.step}" for item in (buyer.items * 4)[:1_000])
    if mode == HTTP:
        with serve(workers=workers, threads=threads) as port:
            run, elapsed = _clients(clients, seconds, buyers, lines, port)
            link = _Connection(port)
            for _ in range(big_orders if big_buyers else 0):
                _http_order(link, rng.choice(big_buyers), rng, 100, big)
            quick_seconds, added = _http_quick_order(link, buyer, cart.pk, text)
            link.close()
        where_quick = f"POST {CARTS_PATH}/{{id}}/quick-order"
    else:
        run, elapsed = _clients(clients, seconds, buyers, lines, None)
        for _ in range(big_orders if big_buyers else 0):
            _order(rng.choice(big_buyers), rng, 100, big)
        started = time.perf_counter()
        added = quick_order(actor=buyer.actor, cart=cart, text=text).added
        quick_seconds = time.perf_counter() - started
        where_quick = "quick_order"
    tps = _report_run(report, run, elapsed, "placement")
    report.append(
        f"100-line orders: p50 {statistics.median(big.latencies or [0.0]) * 1000:.1f} ms,"
        f" p95 {_percentile(big.latencies, 0.95) * 1000:.1f} ms ({big.orders} orders, one at a time;"
        f" target p95 <= 400 ms){'; errors: ' + str(dict(big.errors)) if big.errors else ''}"
    )
    clear_cart(actor=buyer.actor, cart=cart)
    report.append(
        f"quick order: 1,000 lines in {quick_seconds * 1000:.0f} ms through {where_quick}"
        f" ({added} added; target <= 2 s)"
    )
    connection.close()

    if ideal:
        ideal_line, ideal_tps = _ideal(seconds, clients, lines)
        report.append(ideal_line)
        if ideal_tps:
            report.append(
                f"ratio: meridian {tps:.1f} orders/s / ideal {ideal_tps:.1f} tps = {tps / ideal_tps:.3f}"
            )
    return report
