"""find_token_holder: the token, its user and the user's Actor, resolved as build_actor resolves it
(one statement on PostgreSQL, the token then build_actor elsewhere)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from meridian.core.actor import ActorKind, StaffRole
from meridian.core.models import ApiToken
from meridian.core.services import issue_token, token_key_hash
from meridian.customers.models import Account
from meridian.customers.queries import build_actor, find_token_holder
from tests.customers.factories import AccountFactory, BuyerUserFactory, CustomerGroupFactory
from tests.staff.factories import StaffMemberFactory, TerritoryFactory, UserFactory
from tests.tenancy.factories import OrganizationFactory, WebsiteFactory

ON_POSTGRESQL = connection.vendor == "postgresql"


@pytest.fixture
def leaf() -> Account:
    org = OrganizationFactory()
    holding = AccountFactory(organization=org, name="Holding")
    plant = AccountFactory(parent=holding, name="Plant")
    return AccountFactory(parent=plant, name="Line")  # type: ignore[no-any-return]  # factory_boy is untyped


def _hash_of(user: Any) -> str:
    secret, _ = issue_token(user=user)
    return token_key_hash(secret)


def _websites(organization: Any) -> dict[str, Any]:
    return {
        "default": WebsiteFactory(organization=organization, is_default=True, domain=""),
        "ca": WebsiteFactory(organization=organization, is_default=False, domain="ca.example.test"),
        "mx": WebsiteFactory(organization=organization, is_default=False, domain="mx.example.test"),
        "foreign": WebsiteFactory(is_default=True, domain="foreign.example.test"),
    }


@pytest.mark.django_db
def test_a_buyers_token_resolves_the_actor_build_actor_resolves(
    leaf: Account, django_assert_num_queries: Callable[..., Any]
) -> None:
    group = CustomerGroupFactory(organization=leaf.organization)
    Account.objects.filter(pk=leaf.pk).update(customer_group=group)
    buyer = BuyerUserFactory(account=leaf, is_approver=True, is_admin=True)
    websites = _websites(leaf.organization)
    key_hash = _hash_of(buyer.user)

    # PostgreSQL: the token, its user, the buyer, account, ancestors and website in one statement;
    # elsewhere the token+user, then the buyer with its account, ancestors, websites
    with django_assert_num_queries(1 if ON_POSTGRESQL else 4):
        holder = find_token_holder(key_hash=key_hash, now=timezone.now())

    assert holder is not None and holder.user == buyer.user and holder.user.email == buyer.user.email
    assert holder.actor == build_actor(user_id=buyer.user_id)
    ancestors = Account.objects.filter(path__in=leaf.ancestor_paths()).order_by("depth")
    assert holder.actor.kind == ActorKind.BUYER
    assert holder.actor.account_ancestor_ids == tuple(ancestors.values_list("pk", flat=True))  # root first
    assert len(holder.actor.account_ancestor_ids) == 2
    assert holder.actor.website_id == websites["default"].pk
    for host, website_id, expected in [
        ("ca.example.test", None, "ca"),
        ("mx.example.test", websites["ca"].pk, "ca"),  # the id asked for wins over the host
        ("", websites["mx"].pk, "mx"),
        ("unknown.example.test", None, "default"),
        ("foreign.example.test", websites["foreign"].pk, "default"),  # never another organization's
    ]:
        holder = find_token_holder(key_hash=key_hash, now=timezone.now(), host=host, website_id=website_id)
        assert holder is not None
        assert holder.actor == build_actor(user_id=buyer.user_id, host=host, website_id=website_id)
        assert holder.actor.website_id == websites[expected].pk, (host, website_id)


@pytest.mark.django_db
def test_a_staff_token_resolves_the_actor_with_its_territories() -> None:
    rep = StaffMemberFactory(role=StaffRole.SALES_REP)
    for _ in range(2):
        TerritoryFactory(organization=rep.organization).reps.add(rep)
    websites = _websites(rep.organization)

    holder = find_token_holder(key_hash=_hash_of(rep.user), now=timezone.now(), host="mx.example.test")

    assert holder is not None and holder.user == rep.user
    assert holder.actor == build_actor(user_id=rep.user_id, host="mx.example.test")
    assert holder.actor.kind == ActorKind.STAFF and holder.actor.staff_role == StaffRole.SALES_REP
    assert sorted(holder.actor.territory_ids) == sorted(rep.territories.values_list("pk", flat=True))
    assert len(holder.actor.territory_ids) == 2 and holder.actor.website_id == websites["mx"].pk


@pytest.mark.django_db
def test_a_user_neither_buyer_nor_staff_holds_the_token_as_anonymous() -> None:
    user = UserFactory()

    holder = find_token_holder(key_hash=_hash_of(user), now=timezone.now())

    assert holder is not None and holder.actor.kind == ActorKind.ANONYMOUS and holder.actor.user_id == user.pk


@pytest.mark.django_db
def test_revoked_expired_and_inactive_users_tokens_are_not_found(leaf: Account) -> None:
    buyer = BuyerUserFactory(account=leaf)
    now = timezone.now()
    revoked, expired, live = (issue_token(user=buyer.user) for _ in range(3))
    ApiToken.objects.filter(pk=revoked[1].pk).update(revoked_at=now)
    ApiToken.objects.filter(pk=expired[1].pk).update(expires_at=now)

    assert find_token_holder(key_hash=token_key_hash(revoked[0]), now=now) is None
    assert find_token_holder(key_hash=token_key_hash(expired[0]), now=now) is None  # expires at now
    assert find_token_holder(key_hash=token_key_hash("mrd_guess"), now=now) is None
    holder = find_token_holder(key_hash=token_key_hash(live[0]), now=now)
    assert holder is not None and holder.token_id == live[1].pk and holder.last_used_at is None
    buyer.user.is_active = False
    buyer.user.save()
    assert find_token_holder(key_hash=token_key_hash(live[0]), now=now) is None
    assert find_token_holder(key_hash=token_key_hash(live[0]), now=now - timedelta(days=1)) is None
