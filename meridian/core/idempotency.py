"""Idempotency keys: a client's retry of a write returns the first result instead of writing twice.

The contract (shared/API.md): the same key with the same request returns the first answer (same
status and body); the same key with a different request is refused (422, `idempotency_key_reused`);
a request whose key is still being worked on by another request is refused (409,
`idempotency_key_in_use`). Keys belong to an organization and are kept at least 24 hours.

Use, outside any transaction (the claim must be visible to concurrent requests at once):

    outcome = claim_key(organization_id=..., key=..., request_hash=request_fingerprint(...))
    if isinstance(outcome, StoredResponse): answer outcome.status, outcome.body
    try:
        with transaction.atomic():
            ...the write...
            complete_key(outcome, status=201, body=...)  # committed with the write, or not at all
    except DomainError: complete_key(outcome, status=4xx, body=the error)  # replayed too
    except BaseException: release_key(outcome); raise  # a crash may be retried

A claim whose request died without completing or releasing it (a killed process) is taken over
by a retry after `STALE_AFTER`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models
from django.utils import timezone

from meridian.core.errors import Conflict, InvalidInput, RuleViolation

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
KEEP_FOR = timedelta(hours=24)
STALE_AFTER = timedelta(minutes=10)


class IdempotencyKey(models.Model):
    """One client key of one organization: the request's hash and, once done, its answer."""

    organization_id = models.BigIntegerField()
    key = models.CharField(max_length=MAX_KEY_LENGTH)
    request_hash = models.CharField(max_length=64, help_text="SHA-256 of the operation and its body.")
    response_status = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Null while the first request is still running."
    )
    response_body = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "core"
        constraints = [
            models.UniqueConstraint(fields=["organization_id", "key"], name="idempotency_key_unique")
        ]
        indexes = [models.Index(fields=["created_at"], name="idempotency_created_idx")]

    def __str__(self) -> str:
        return f"{self.organization_id}:{self.key} ({self.response_status or 'running'})"


class IdempotencyKeyInUse(Conflict):
    """Another request with this key is still running."""

    code = "idempotency_key_in_use"

    def __init__(self, key: str) -> None:
        super().__init__(
            f"a request with Idempotency-Key {key!r} is still running; retry when it has finished",
            fields={HEADER: ["in use by a request that is still running"]},
        )
        self.key = key


class IdempotencyKeyReused(RuleViolation):
    """The key was already used for a different request."""

    code = "idempotency_key_reused"

    def __init__(self, key: str) -> None:
        super().__init__(
            f"Idempotency-Key {key!r} was already used for a different request",
            fields={HEADER: ["already used for a different request"]},
        )
        self.key = key


@dataclass(frozen=True, slots=True)
class Claim:
    """This request holds the key: it runs, then completes or releases it."""

    pk: int
    key: str


@dataclass(frozen=True, slots=True)
class StoredResponse:
    """The answer of the first request with this key, to return again."""

    status: int
    body: dict[str, object]


def _canonical(value: object) -> object:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")  # "24", "24.0" and 24 ask the same
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)


def request_fingerprint(operation: str, body: Mapping[str, object]) -> str:
    """A stable hash of what a request asks: the operation and its parsed body.

    Pass the parsed body (`schema.model_dump()`), so that the same request spelled differently
    (key order, `24` or `"24.0"`) has the same fingerprint.
    """
    text = json.dumps([operation, body], sort_keys=True, separators=(",", ":"), default=_canonical)
    return hashlib.sha256(text.encode()).hexdigest()


def check_key(key: str) -> str:
    """The key as sent, or InvalidInput: 1 to 255 printable ASCII characters."""
    if not key or len(key) > MAX_KEY_LENGTH or not all(" " < ch < "\x7f" for ch in key):
        raise InvalidInput.on(HEADER, f"1 to {MAX_KEY_LENGTH} printable ASCII characters without spaces")
    return key


def claim_key(
    *, organization_id: int, key: str, request_hash: str, now: datetime | None = None
) -> Claim | StoredResponse:
    """Claim `key` for this request, or return the first request's stored answer.

    The claim is committed at once (call this outside a transaction), so a concurrent request
    with the same key finds it. Raises IdempotencyKeyReused when the key was used for another
    request, IdempotencyKeyInUse while the first request runs.
    """
    key = check_key(key)
    now = now or timezone.now()
    for _ in range(2):  # a row released between our insert and our read: try the insert again
        claimed = _insert_unless_held(
            organization_id=organization_id, key=key, request_hash=request_hash, now=now
        )
        if claimed is not None:
            return Claim(pk=claimed, key=key)
        existing = IdempotencyKey.objects.filter(organization_id=organization_id, key=key).first()
        if existing is None:
            continue
        if existing.request_hash != request_hash:
            raise IdempotencyKeyReused(key)
        if existing.response_status is not None:
            return StoredResponse(status=existing.response_status, body=existing.response_body or {})
        if existing.created_at < now - STALE_AFTER and _take_over(existing, now):
            return Claim(pk=existing.pk, key=key)
        raise IdempotencyKeyInUse(key)
    raise IdempotencyKeyInUse(key)


def _insert_unless_held(*, organization_id: int, key: str, request_hash: str, now: datetime) -> int | None:
    """Insert the key's row unless the key is held; the new row's id, or None.

    One statement (`INSERT ... ON CONFLICT DO NOTHING RETURNING`, PostgreSQL and SQLite 3.35+): outside
    a transaction it commits at once, without a transaction block around it or an IntegrityError to
    recover from (a claim used to take BEGIN, INSERT and COMMIT)."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(name) for name in ("organization_id", "key", "request_hash", "created_at"))
    table = quote(IdempotencyKey._meta.db_table)
    conflict = f"{quote('organization_id')}, {quote('key')}"
    field = IdempotencyKey._meta.get_field("created_at")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s) "
            f"ON CONFLICT ({conflict}) DO NOTHING RETURNING {quote('id')}",
            [organization_id, key, request_hash, field.get_db_prep_value(now, connection)],
        )
        row = cursor.fetchone()
    return int(row[0]) if row is not None else None


def _take_over(row: IdempotencyKey, now: datetime) -> bool:
    """Compare-and-set: only one of several retries of a dead request gets the claim."""
    taken = IdempotencyKey.objects.filter(
        pk=row.pk, response_status__isnull=True, created_at=row.created_at
    ).update(created_at=now)
    return taken == 1


def complete_key(claim: Claim, *, status: int, body: Mapping[str, object]) -> None:
    """Store the answer; inside the write's transaction it is committed with the write."""
    IdempotencyKey.objects.filter(pk=claim.pk).update(
        response_status=status, response_body=dict(body), completed_at=timezone.now()
    )


def complete_key_sql() -> str:
    """`complete_key` as one PostgreSQL UPDATE (parameters: `complete_key_params`), for a hot path that
    folds it into a statement of its own (placement's rows); the text is the same for every call."""
    table = connection.ops.quote_name(IdempotencyKey._meta.db_table)
    return (
        f"UPDATE {table} SET response_status = %s::integer, response_body = %s::jsonb,"
        " completed_at = %s::timestamptz WHERE id = %s::bigint"
    )


def complete_key_params(claim: Claim, *, status: int, body: Mapping[str, object]) -> list[object]:
    return [status, json.dumps(dict(body), cls=DjangoJSONEncoder), timezone.now(), claim.pk]


def release_key(claim: Claim) -> None:
    """Give the key up after an unexpected failure, so that a retry runs the request again."""
    IdempotencyKey.objects.filter(pk=claim.pk, response_status__isnull=True).delete()


def purge_idempotency_keys(*, now: datetime | None = None) -> int:
    """Delete keys older than KEEP_FOR (24 hours); returns how many. For a periodic job."""
    cutoff = (now or timezone.now()) - KEEP_FOR
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
