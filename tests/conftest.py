from __future__ import annotations

import os

import pytest
from django.db import connection


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if connection.vendor == "postgresql":
        return
    if os.environ.get("MERIDIAN_REQUIRE_POSTGRES"):
        # CI runs everything on PostgreSQL: a skipped locking or search test would hide a regression.
        raise pytest.UsageError("MERIDIAN_REQUIRE_POSTGRES is set but DATABASE_URL is not PostgreSQL")
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL=postgres://...)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _forget_cached_routings() -> None:
    """Each test starts with inventory's per-process routing cache empty (see forget_routings)."""
    from meridian.inventory.queries import forget_routings

    forget_routings()


@pytest.fixture(autouse=True)
def _forget_cached_price_chains() -> None:
    """Each test starts with pricing's per-process chain cache empty, so query counts are cold ones."""
    from meridian.pricing.queries.cache import forget_chains

    forget_chains()


@pytest.fixture(autouse=True)
def _forget_cached_checkout_setup() -> None:
    """Each test starts with ordering's per-process setup cache (shipping, tax) empty."""
    from meridian.ordering.cache import forget_setup

    forget_setup()
