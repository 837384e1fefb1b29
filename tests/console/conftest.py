from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.test import Client

from meridian.core.actor import StaffRole
from meridian.staff.models import StaffMember
from meridian.tenancy.models import Organization
from tests.ordering.conftest import World, build_world
from tests.staff.factories import StaffMemberFactory
from tests.tenancy.factories import OrganizationFactory, WebsiteFactory


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    """The login throttle counts in the cache: every test starts with no attempts."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def org() -> Organization:
    organization = OrganizationFactory(name="Northwind Supply")
    WebsiteFactory(organization=organization, is_default=True)
    return organization


@pytest.fixture
def manager(org: Organization) -> StaffMember:
    return StaffMemberFactory(
        organization=org,
        role=StaffRole.SALES_MANAGER,
        user__email="mia@northwind.test",
        user__full_name="Mia Manager",
    )


@pytest.fixture
def rep(org: Organization) -> StaffMember:
    return StaffMemberFactory(
        organization=org,
        role=StaffRole.SALES_REP,
        user__email="rita@northwind.test",
        user__full_name="Rita Rep",
    )


@pytest.fixture
def world(db: None) -> World:
    """The ordering tests' world (tests/ordering/conftest.py): products, prices, stock, accounts, reps."""
    return build_world()


def login(member: StaffMember) -> Client:
    client = Client()
    client.force_login(member.user)
    return client
