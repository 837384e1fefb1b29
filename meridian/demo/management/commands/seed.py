"""`meridian seed --profile small|medium|large [--seed N] [--reset]`: load the demo distributor."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from meridian.core.errors import DomainError
from meridian.demo import reference
from meridian.demo.seed import DEFAULT_SEED, PROFILES, seed_demo


class Command(BaseCommand):
    help = "Seed the demo distributor (Northwind Industrial Supply): catalog, customers, buyers and staff."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--profile",
            choices=list(PROFILES),
            default="small",
            help="small: ~500 products, ~50 accounts; medium: ~20k / ~2k; large: ~200k / ~20k (tiny: for tests)",
        )
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="same seed, same data (default 42)"
        )
        parser.add_argument(
            "--reset", action="store_true", help="delete the demo organization (and its logins) first"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        profile = options["profile"]
        self.stdout.write(f"Seeding profile {profile!r} with seed {options['seed']}...")
        try:
            report = seed_demo(
                profile=profile,
                seed=options["seed"],
                reset=options["reset"],
                progress=self.stdout.write if options["verbosity"] >= 1 else None,
            )
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {report.counts['products']} products and {report.counts['accounts']} accounts "
                f"in {report.seconds:.1f}s."
            )
        )
        self.stdout.write(f"Demo logins (password {reference.DEMO_PASSWORD!r}):")
        for login in reference.DEMO_LOGINS:
            self.stdout.write(f"  {login.label:<18} {login.email}")
