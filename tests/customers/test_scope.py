from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from meridian.core.actor import StaffRole
from meridian.customers.errors import AccountNotFound
from meridian.customers.models import Account
from meridian.customers.queries import get_account, list_accounts
from tests.actors import actor_for
from tests.customers.factories import AccountFactory, BuyerUserFactory
from tests.staff.factories import StaffMemberFactory, TerritoryFactory
from tests.tenancy.factories import OrganizationFactory


@pytest.fixture
def tree() -> dict[str, Account]:
    org = OrganizationFactory()
    holding = AccountFactory(organization=org, name="Holding")
    plant = AccountFactory(parent=holding, name="Plant")
    line = AccountFactory(parent=plant, name="Line")
    sister = AccountFactory(parent=holding, name="Sister")
    other = AccountFactory(organization=org, name="Other")
    return {"holding": holding, "plant": plant, "line": line, "sister": sister, "other": other}


@pytest.mark.django_db
def test_buyer_sees_own_account_and_descendants_only(tree: dict[str, Account]) -> None:
    actor = actor_for(BuyerUserFactory(account=tree["plant"]))

    names = [a.name for a in list_accounts(actor=actor)]

    assert names == ["Plant", "Line"]
    with pytest.raises(AccountNotFound):
        get_account(actor=actor, reference=tree["holding"].pk)
    with pytest.raises(AccountNotFound):
        get_account(actor=actor, reference=tree["sister"].pk)


@pytest.mark.django_db
def test_rep_sees_assigned_subtrees_and_territory_accounts(tree: dict[str, Account]) -> None:
    org = tree["holding"].organization
    rep = StaffMemberFactory(organization=org, role=StaffRole.SALES_REP)
    territory = TerritoryFactory(organization=org)
    territory.reps.add(rep)
    Account.objects.filter(pk=tree["plant"].pk).update(sales_rep=rep)
    Account.objects.filter(pk=tree["other"].pk).update(territory=territory)

    names = {a.name for a in list_accounts(actor=actor_for(rep))}

    assert names == {"Plant", "Line", "Other"}


@pytest.mark.django_db
def test_staff_see_their_organization_only(tree: dict[str, Account]) -> None:
    manager = StaffMemberFactory(organization=tree["holding"].organization, role=StaffRole.SALES_MANAGER)
    foreign = StaffMemberFactory(role=StaffRole.ADMIN)

    assert list_accounts(actor=actor_for(manager)).count() == 5
    assert list_accounts(actor=actor_for(foreign)).count() == 0
    with pytest.raises(AccountNotFound):
        get_account(actor=actor_for(foreign), reference=tree["holding"].pk)


@pytest.mark.django_db
def test_account_by_external_id(tree: dict[str, Account]) -> None:
    Account.objects.filter(pk=tree["line"].pk).update(external_id="SAP-10042")
    actor = actor_for(StaffMemberFactory(organization=tree["line"].organization, role=StaffRole.ADMIN))

    assert get_account(actor=actor, reference="ext:SAP-10042").pk == tree["line"].pk


@pytest.mark.django_db
@pytest.mark.parametrize("reference", ["²", str(10**30), "ext:", "12abc", ""])
def test_malformed_references_are_not_found_not_errors(tree: dict[str, Account], reference: str) -> None:
    Account.objects.filter(pk=tree["line"].pk).update(external_id="")
    actor = actor_for(StaffMemberFactory(organization=tree["line"].organization, role=StaffRole.ADMIN))

    with pytest.raises(AccountNotFound):
        get_account(actor=actor, reference=reference)


@pytest.mark.django_db
def test_a_buyers_actor_carries_the_account_chain_roles_and_group(
    tree: dict[str, Account], django_assert_num_queries: Callable[..., Any]
) -> None:
    from meridian.core.actor import ActorKind, BuyerRole
    from meridian.customers.queries import build_actor
    from tests.customers.factories import CustomerGroupFactory

    leaf = tree["line"]
    group = CustomerGroupFactory(organization=leaf.organization)
    Account.objects.filter(pk=leaf.pk).update(customer_group=group)
    buyer = BuyerUserFactory(account=leaf, is_approver=True, is_viewer=False)

    with django_assert_num_queries(3):  # the buyer with its account; ancestors; websites
        actor = build_actor(user_id=buyer.user_id)

    assert actor.kind == ActorKind.BUYER and actor.user_id == buyer.user_id
    assert (actor.organization_id, actor.account_id, actor.account_path) == (
        leaf.organization_id,
        leaf.pk,
        leaf.path,
    )
    assert actor.account_ancestor_ids == (tree["holding"].pk, tree["plant"].pk)  # root first
    assert actor.customer_group_id == group.pk and actor.branch_id == leaf.branch_id
    assert actor.buyer_roles == frozenset({BuyerRole.BUYER, BuyerRole.APPROVER})
    buyer.user.is_active = False
    buyer.user.save()
    assert build_actor(user_id=buyer.user_id).kind == ActorKind.ANONYMOUS
