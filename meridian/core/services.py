"""Identity, outbox and audit write paths: API tokens and keys (only their SHA-256 is stored),
outbox events, audit entries."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from meridian.core import queries
from meridian.core.actor import Actor, StaffRole
from meridian.core.errors import InvalidInput, NotAllowed
from meridian.core.middleware import resolver
from meridian.core.models import ApiToken, AuditEntry, OutboxEvent, User

# A token's last use is written at most this often (one UPDATE, not one per request).
LAST_USE_RESOLUTION = timedelta(minutes=5)


def token_key_hash(secret: str) -> str:
    """What the token table stores of a secret (its SHA-256), and looks tokens up by."""
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def issue_token(
    *,
    user: User,
    kind: ApiToken.Kind = ApiToken.Kind.SESSION,
    name: str = "",
    ttl: timedelta | None = None,
    organization_id: int | None = None,
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
        key_hash=token_key_hash(secret),
        expires_at=timezone.now() + ttl if ttl else None,
        organization_id=organization_id,
    )
    return secret, token


def authenticate_token(*, secret: str) -> User | None:
    """The active user holding a live token with this secret, or None (one query, one update)."""
    if not secret:
        return None
    now = timezone.now()
    token = queries.find_live_token(key_hash=token_key_hash(secret), now=now)
    if token is None:
        return None
    record_token_use(token_id=token.pk, last_used_at=token.last_used_at, now=now)
    return token.user


def record_token_use(*, token_id: int, last_used_at: datetime | None, now: datetime) -> None:
    """Write that a live token was used `now`, unless its last use is recent (at most one UPDATE)."""
    if last_used_at is None or now - last_used_at > LAST_USE_RESOLUTION:
        ApiToken.objects.filter(pk=token_id).update(last_used_at=now)


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


def outbox_insert_sql(
    *,
    organization_id: int,
    aggregate_type: str,
    aggregate_id: str | int,
    event_type: str,
    payload: Mapping[str, object],
    created_at: datetime,
) -> tuple[str, list[int | str | datetime]]:
    """The row `record_event` writes, as one PostgreSQL INSERT and its parameters, for a hot path
    that folds it into a statement of its own (inventory's allocation) instead of a round trip.
    The text is the same for every call, so a caller may prepare it; `payload` must be JSON-safe."""
    table = connection.ops.quote_name(OutboxEvent._meta.db_table)
    sql = (
        f"INSERT INTO {table} (organization_id, aggregate_type, aggregate_id, event_type, payload,"
        " created_at, published_at)"
        " VALUES (%s::bigint, %s::text, %s::text, %s::text, %s::jsonb, %s::timestamptz, NULL)"
    )
    return sql, [
        organization_id,
        aggregate_type,
        str(aggregate_id),
        event_type,
        json.dumps(dict(payload)),
        created_at,
    ]


def record_audit(
    *,
    organization_id: int,
    actor_user_id: int | None,
    action: str,
    object_type: str,
    object_id: str | int,
    before: Mapping[str, object] | None = None,
    after: Mapping[str, object] | None = None,
) -> AuditEntry:
    """Append an audit entry; call inside the transaction that makes the change (joins it).

    `before`/`after` hold only the changed values; Decimals and datetimes are stored as strings.
    """
    return AuditEntry.objects.create(
        organization_id=organization_id,
        actor_user_id=actor_user_id,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        before=dict(before or {}),
        after=dict(after or {}),
    )


def _require_key_admin(actor: Actor) -> int:
    if not (actor.is_staff and actor.staff_role == StaffRole.ADMIN) or actor.organization_id is None:
        raise NotAllowed("manage API keys")
    return actor.organization_id


@transaction.atomic
def create_api_key(
    *, actor: Actor, name: str, user_id: int | None = None, expires_at: datetime | None = None
) -> tuple[str, ApiToken]:
    """Issue a long-lived key acting as `user_id` (a staff user of the admin's organization; default
    the admin). Returns the secret, shown once: only its SHA-256 is stored. Audited."""
    organization_id = _require_key_admin(actor)
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = ["must not be empty"]
    now = timezone.now()
    if expires_at is not None and expires_at <= now:
        errors["expires_at"] = ["must be in the future"]
    holder_id = actor.user_id if user_id is None else user_id
    holder = resolver()(user_id=holder_id) if holder_id is not None else None
    if holder is None or not holder.is_staff or holder.organization_id != organization_id:
        # Buyers, other organizations' staff and unknown ids look the same.
        errors["user"] = [f"no staff user {holder_id} in your organization"]
    if errors:
        raise InvalidInput("invalid API key", fields=errors)
    assert holder_id is not None  # resolved to a staff member above
    user = User.objects.get(pk=holder_id)
    secret, key = issue_token(
        user=user,
        kind=ApiToken.Kind.API_KEY,
        name=name.strip(),
        ttl=expires_at - now if expires_at is not None else None,
        organization_id=organization_id,
    )
    record_audit(
        organization_id=organization_id,
        actor_user_id=actor.user_id,
        action="api_key.created",
        object_type="api_key",
        object_id=key.pk,
        after={"name": key.name, "user_id": key.user_id, "prefix": key.prefix, "expires_at": key.expires_at},
    )
    return secret, key


@transaction.atomic
def revoke_api_key(*, actor: Actor, key_id: int) -> ApiToken:
    """Revoke an API key of the admin's organization (idempotent); it stops working at once. Audited."""
    organization_id = _require_key_admin(actor)
    key = queries.get_api_key(actor=actor, key_id=key_id)
    if revoke_token(user=key.user, token_id=key.pk):
        record_audit(
            organization_id=organization_id,
            actor_user_id=actor.user_id,
            action="api_key.revoked",
            object_type="api_key",
            object_id=key.pk,
            before={"revoked_at": None},
            after={"revoked_at": timezone.now()},
        )
    key.refresh_from_db()
    return key
