"""Request and response schemas of the token and API key endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Self

from ninja import Field, Schema

from meridian.api.schemas import Id
from meridian.core.models import ApiToken


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
