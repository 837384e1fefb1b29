"""`meridian inventory reconcile`: prove every stock level equals what its ledger sums to."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from meridian.inventory.queries import reconcile
from meridian.tenancy.models import Organization


class Command(BaseCommand):
    help = "Compare every stock level with the sum of its ledger movements; exit 1 on any drift."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--organization", help="Organization slug (default: every organization).")

    def handle(self, *args: Any, **options: Any) -> None:
        organizations = Organization.objects.order_by("slug")
        if options["organization"]:
            organizations = organizations.filter(slug=options["organization"])
            if not organizations.exists():
                raise CommandError(f"no organization with slug {options['organization']!r}")
        drifted = 0
        for organization in organizations:
            drifts = reconcile(organization_id=organization.pk)
            for drift in drifts:
                self.stdout.write(f"DRIFT {organization.slug} {drift}")
            drifted += len(drifts)
            self.stdout.write(f"{organization.slug}: {'ok' if not drifts else f'{len(drifts)} drift(s)'}")
        if drifted:
            self.stderr.write(f"{drifted} stock level(s) differ from the ledger")
            raise SystemExit(1)
