"""Core's background tasks: thin wrappers around services (eager without a broker)."""

from __future__ import annotations

from celery import shared_task

from meridian.core import idempotency


@shared_task(ignore_result=True)  # type: ignore[untyped-decorator]  # celery ships no type hints
def purge_idempotency_keys() -> int:
    """Delete idempotency keys past their 24 hours; Celery beat runs it hourly (settings)."""
    return idempotency.purge_idempotency_keys()
