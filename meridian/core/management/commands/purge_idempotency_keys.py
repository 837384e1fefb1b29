"""`meridian inventory purge-keys`: delete idempotency keys kept longer than 24 hours."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from meridian.core.idempotency import KEEP_FOR, purge_idempotency_keys


class Command(BaseCommand):
    help = (
        "Delete the Idempotency-Key records older than 24 hours (orders, stock movements). Celery beat "
        "runs it hourly; without a broker, run this from cron."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--quiet", action="store_true", help="print nothing (for cron)")

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = purge_idempotency_keys()
        if not options["quiet"]:
            self.stdout.write(f"purged {deleted} idempotency key(s) older than {KEEP_FOR}")
