from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.core.cache import cache
from django.test import Client

from meridian.core.services import issue_token
from meridian.customers.models import BuyerUser
from meridian.staff.models import StaffMember

ClientFor = Callable[[BuyerUser | StaffMember], Client]


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    # Login throttling counts attempts in the cache; every test starts from zero.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def client_for() -> ClientFor:
    """An API client authenticated with a fresh token of the member's user."""

    def make(member: BuyerUser | StaffMember) -> Client:
        secret, _ = issue_token(user=member.user)
        return Client(headers={"Authorization": f"Bearer {secret}"})

    return make
