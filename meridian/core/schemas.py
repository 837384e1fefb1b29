"""Request and response schemas of the token endpoint."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema


class TokenIn(Schema):
    username: str = Field(max_length=254, description="The user's email address.")
    password: str = Field(max_length=1024)


class TokenOut(Schema):
    token: str = Field(description="Send as `Authorization: Bearer <token>`; shown once, never stored.")
    expires_at: datetime | None
