"""Ordering's background tasks: thin wrappers around notifications (eager without a broker)."""

from __future__ import annotations

from celery import shared_task

from meridian.ordering import notifications


@shared_task(ignore_result=True)  # type: ignore[untyped-decorator]  # celery ships no type hints
def send_order_email(order_id: int, event: str) -> None:
    """`event`: placed (or waiting for approval), decided (approved or rejected), cancelled."""
    notifications.send_order_email(order_id=order_id, event=event)
