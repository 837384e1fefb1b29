"""`meridian bench catalog|pricing|inventory [...]`: benchmarks on the configured database, see bench/README.md."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from meridian.demo.bench import run_catalog_bench
from meridian.demo.seed import DEFAULT_SEED, PROFILES, find_demo_organization, seed_demo
from meridian.inventory.bench import run_inventory_bench
from meridian.ordering.bench import run_checkout_bench
from meridian.pricing.bench import run_pricing_bench


class Command(BaseCommand):
    help = "Measure catalog search and category pages (p50/p95/p99) against a plain-SQL baseline."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "suite", choices=["catalog", "pricing", "inventory", "checkout"], help="what to measure"
        )
        parser.add_argument(
            "--profile",
            choices=list(PROFILES),
            default="medium",
            help="seeded first if the database is empty",
        )
        parser.add_argument("--iterations", type=int, default=300, help="measured calls per measurement")
        parser.add_argument("--warmup", type=int, default=30, help="unmeasured calls first")
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="seed for the data and the samples"
        )
        parser.add_argument("--no-http", action="store_true", help="skip the measurements through HTTP")
        parser.add_argument("--seconds", type=int, default=20, help="inventory: seconds per throughput run")
        parser.add_argument("--clients", type=int, default=8, help="inventory: concurrent clients")
        parser.add_argument("--strict", action="store_true", help="exit with status 1 when a target fails")
        parser.add_argument(
            "--mode",
            choices=["http", "service"],
            default="http",
            help="checkout: POST /api/v1/orders to gunicorn, or call place_order in the clients",
        )
        parser.add_argument("--workers", type=int, default=4, help="checkout over HTTP: gunicorn workers")
        parser.add_argument("--threads", type=int, default=1, help="checkout over HTTP: threads per worker")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["iterations"] < 1:
            raise CommandError("--iterations must be at least 1")
        if options["suite"] != "catalog":
            self._run_domain_bench(options)
            return
        passed = run_catalog_bench(
            profile=options["profile"],
            iterations=options["iterations"],
            warmup=max(0, options["warmup"]),
            seed=options["seed"],
            include_http=not options["no_http"],
            out=self.stdout.write,
        )
        if options["strict"] and not passed:
            raise CommandError("a catalog latency target failed")

    def _run_domain_bench(self, options: dict[str, Any]) -> None:
        if options["suite"] == "checkout":
            if find_demo_organization() is None:
                self.stdout.write(f"No demo data: seeding profile {options['profile']!r} first...")
                seed_demo(profile=options["profile"], seed=options["seed"])
            lines = run_checkout_bench(
                seconds=options["seconds"],
                clients=options["clients"],
                lines=10,
                mode=options["mode"],
                workers=options["workers"],
                threads=options["threads"],
            )
        elif options["suite"] == "inventory":
            # Builds and keeps its own fixture organization; compares against shared/bench/ideal-order.
            lines = run_inventory_bench(seconds=options["seconds"], clients=options["clients"])
        else:
            if find_demo_organization() is None:
                self.stdout.write(f"No demo data: seeding profile {options['profile']!r} first...")
                seed_demo(profile=options["profile"], seed=options["seed"])
            lines = run_pricing_bench(iterations=options["iterations"])
        for line in lines:
            self.stdout.write(line)
