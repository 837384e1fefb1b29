"""Idempotency keys are kept 24 hours, then a periodic job (Celery beat, or cron) purges them."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from meridian import cli
from meridian.celery import app
from meridian.core import tasks
from meridian.core.idempotency import IdempotencyKey


def _key(name: str, age: timedelta) -> IdempotencyKey:
    return IdempotencyKey.objects.create(
        organization_id=1, key=name, request_hash="h", created_at=timezone.now() - age
    )


@pytest.mark.django_db
def test_the_command_purges_keys_older_than_24_hours_only() -> None:
    old = _key("old", timedelta(hours=25))
    fresh = _key("fresh", timedelta(hours=23))
    out = StringIO()

    call_command("purge_idempotency_keys", stdout=out)

    assert list(IdempotencyKey.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert not IdempotencyKey.objects.filter(pk=old.pk).exists()
    assert out.getvalue().startswith("purged 1 idempotency key(s)")


def test_meridian_inventory_purge_keys_runs_the_command(monkeypatch: pytest.MonkeyPatch) -> None:
    # Django's command runner closes the database connections when it ends (the test's too):
    # record what the CLI hands it; the command itself is tested above.
    ran: list[list[str]] = []
    monkeypatch.setattr(cli, "manage", lambda args: ran.append(list(args)) or 0)

    assert cli.main(["inventory", "purge-keys", "--quiet"]) == 0
    assert cli.main(["inventory", "purge"]) == 2  # unknown subcommand: the usage

    assert ran == [["purge_idempotency_keys", "--quiet"]]


@pytest.mark.django_db
def test_celery_beat_runs_the_purge_task_hourly() -> None:
    _key("old", timedelta(hours=30))
    entry = settings.CELERY_BEAT_SCHEDULE["purge-idempotency-keys"]

    assert entry["schedule"] == 3600.0
    assert app.conf.beat_schedule["purge-idempotency-keys"]["task"] == entry["task"]
    app.loader.import_default_modules()  # what a worker does at start: autodiscover tasks.py
    assert entry["task"] in app.tasks  # a typo in the schedule would name no task
    assert tasks.purge_idempotency_keys.name == entry["task"]
    assert app.tasks[entry["task"]].delay().get() == 1  # eager without a broker
    assert not IdempotencyKey.objects.exists()
