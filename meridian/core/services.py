"""Identity and outbox write paths: API tokens (only their SHA-256 is stored), outbox events."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from meridian.core.models import ApiToken, OutboxEvent, User


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def issue_token(
    *, user: User, kind: ApiToken.Kind = ApiToken.Kind.SESSION, name: str = "", ttl: timedelta | None = None
) -> tuple[str, ApiToken]:
    """Create a token and return its secret, which is shown once and never stored."""
    secret = "mrd_" + secrets.token_urlsafe(32)
    if ttl is None and kind == ApiToken.Kind.SESSION:
        ttl = timedelta(hours=settings.API_TOKEN_TTL_HOURS)
    token = ApiToken.objects.create(
        user=user,
        kind=kind,
        name=name,
        prefix=secret[:12],
        key_hash=_hash(secret),
        expires_at=timezone.now() + ttl if ttl else None,
    )
    return secret, token


def authenticate_token(*, secret: str) -> User | None:
    """The active user holding a live token with this secret, or None (one query, one update)."""
    if not secret:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_hash(secret), revoked_at__isnull=True)
        .first()
    )
    now = timezone.now()
    if (
        token is None
        or not token.user.is_active
        or (token.expires_at is not None and token.expires_at <= now)
    ):
        return None
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def revoke_token(*, user: User, token_id: int) -> bool:
    return (
        ApiToken.objects.filter(pk=token_id, user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        > 0
    )


def record_event(
    *,
    organization_id: int,
    aggregate_type: str,
    aggregate_id: str | int,
    event_type: str,
    payload: Mapping[str, object],
) -> OutboxEvent:
    """Write an outbox event; call inside the transaction that makes the change (joins it)."""
    return OutboxEvent.objects.create(
        organization_id=organization_id,
        aggregate_type=aggregate_type,
        aggregate_id=str(aggregate_id),
        event_type=event_type,
        payload=dict(payload),
    )
