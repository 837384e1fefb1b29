"""Request and response schemas of the token, API key and audit log endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Self

from ninja import Field, Schema

from meridian.api.pagination import PageParams
from meridian.api.schemas import Id
from meridian.core.models import ApiToken, AuditEntry


class TokenIn(Schema):
    username: str = Field(max_length=254, description="The user's email address.")
    password: str = Field(max_length=1024)


class TokenOut(Schema):
    token: str = Field(description="Send as `Authorization: Bearer <token>`; shown once, never stored.")
    expires_at: datetime | None


class ApiKeyIn(Schema):
    name: str = Field(max_length=100, description="What the key is for, e.g. `SAP nightly sync`.")
    user: Id | None = Field(
        None,
        description="Staff user (of your organization) the key acts as; default: you. "
        "Give integrations a user with the smallest role they need.",
    )
    expires_at: datetime | None = Field(None, description="When the key stops working; never by default.")


class ApiKeyOut(Schema):
    id: int
    name: str
    prefix: str = Field(description="The first characters of the secret, to recognise it.")
    user: int = Field(description="The user the key acts as.")
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None

    @classmethod
    def of(cls, key: ApiToken, **extra: str) -> Self:
        return cls(
            id=key.pk,
            name=key.name,
            prefix=key.prefix,
            user=key.user_id,
            created_at=key.created_at,
            expires_at=key.expires_at,
            revoked_at=key.revoked_at,
            last_used_at=key.last_used_at,
            **extra,
        )


class ApiKeyCreated(ApiKeyOut):
    secret: str = Field(description="Send as `Authorization: Bearer <secret>`; shown once, never stored.")


class ApiKeyList(Schema):
    count: int
    items: list[ApiKeyOut]


class AuditFilters(PageParams):
    object_type: str = Field(
        "", max_length=50, description="e.g. `contract`, `promotion`, `price_list`, `price_rule`, `account`."
    )
    object_id: str = Field("", max_length=64, description="The object's id (with `object_type`).")
    action: str = Field(
        "",
        max_length=80,
        description="Actions starting with this, e.g. `pricing.` or `pricing.contract.changed`.",
    )


class AuditEntryOut(Schema):
    id: int
    at: datetime
    action: str = Field(description="What happened, e.g. `pricing.promotion.changed`.")
    object_type: str
    object_id: str
    user: int | None = Field(description="Who: the user's id; null for a system job.")
    user_email: str | None = Field(description="Who, by email (null for a system job or a removed user).")
    before: dict[str, object] = Field(description="The changed values before (only those that changed).")
    after: dict[str, object] = Field(description="The same values after; `{}` when the object was removed.")

    @classmethod
    def of(cls, entry: AuditEntry) -> Self:
        return cls(
            id=entry.pk,
            at=entry.at,
            action=entry.action,
            object_type=entry.object_type,
            object_id=entry.object_id,
            user=entry.actor_user_id,
            user_email=getattr(entry, "actor_email", None),
            before=entry.before,
            after=entry.after,
        )


class AuditEntryList(Schema):
    count: int
    items: list[AuditEntryOut]
