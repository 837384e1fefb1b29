"""`?limit=&offset=` for every list: the page answers `{"count": N, "items": [...]}`."""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, QuerySet
from ninja import Field, Schema

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
MAX_OFFSET = 2**31 - 1  # beyond this the database rejects OFFSET: bad input, not a 500

M = TypeVar("M", bound=Model)


class PageParams(Schema):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"At most {MAX_LIMIT}.")
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


def paginate(queryset: QuerySet[M], page: PageParams) -> tuple[int, list[M]]:
    """The total and one page of rows (two queries: the count, then the rows)."""
    count = queryset.count()
    return count, list(queryset[page.offset : page.offset + page.limit])
