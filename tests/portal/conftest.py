from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache

from meridian.customers.models import Account, BuyerUser
from meridian.tenancy.models import Organization
from tests.customers.factories import AccountFactory, BuyerUserFactory
from tests.ordering.conftest import World as OrderingWorld
from tests.ordering.conftest import build_world as build_ordering_world
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
def account(org: Organization) -> Account:
    return AccountFactory(organization=org, name="Acme Industries")


@pytest.fixture
def other_account(org: Organization) -> Account:
    return AccountFactory(organization=org, name="Globex Corp")


@pytest.fixture
def buyer(account: Account) -> BuyerUser:
    return BuyerUserFactory(
        account=account,
        user__email="bob@acme.test",
        user__full_name="Bob Buyer",
        is_admin=False,
        is_buyer=True,
    )


@pytest.fixture
def account_admin(account: Account) -> BuyerUser:
    return BuyerUserFactory(
        account=account,
        user__email="ada@acme.test",
        user__full_name="Ada Admin",
        is_admin=True,
        is_buyer=True,
    )


@pytest.fixture
def world(db: None) -> OrderingWorld:
    """Ordering's test world (tests/ordering/conftest.py): priced, stocked products and an account tree."""
    return build_ordering_world()
