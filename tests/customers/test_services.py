from __future__ import annotations

from decimal import Decimal

import pytest

from meridian.core.actor import BuyerRole, StaffRole
from meridian.core.errors import InvalidInput
from meridian.customers.errors import (
    AccountNotFound,
    DuplicateExternalId,
    EmailTaken,
    InvalidParent,
    LastAdmin,
    NotAllowed,
)
from meridian.customers.models import Account, Address, BuyerUser
from meridian.customers.services import (
    AccountFields,
    AddressFields,
    add_address,
    add_buyer_user,
    create_account,
    move_account,
    set_buyer_roles,
    update_account,
)
from tests.actors import actor_for
from tests.customers.factories import AccountFactory, AddressFactory, BuyerUserFactory, CustomerGroupFactory
from tests.staff.factories import StaffMemberFactory


@pytest.mark.django_db
def test_staff_creates_child_account_with_terms_in_own_organization() -> None:
    staff = StaffMemberFactory(role=StaffRole.INSIDE_SALES)
    parent = AccountFactory(organization=staff.organization, name="Acme Holding")
    group = CustomerGroupFactory(organization=staff.organization)
    fields = AccountFields(
        name="Acme Plant Ohio",
        external_id="SAP-1",
        customer_group_id=group.pk,
        credit_limit=Decimal("25000.00"),
    )

    child = create_account(actor=actor_for(staff), fields=fields, parent=parent)

    assert child.path.startswith(parent.path) and child.depth == 2
    assert (child.name, child.external_id, child.customer_group_id) == ("Acme Plant Ohio", "SAP-1", group.pk)
    assert child.credit_limit == Decimal("25000.00")


@pytest.mark.django_db
def test_create_account_refuses_foreign_group_and_duplicate_external_id_and_writes_nothing() -> None:
    staff = StaffMemberFactory(role=StaffRole.ADMIN)
    AccountFactory(organization=staff.organization, external_id="SAP-1")
    foreign_group = CustomerGroupFactory()

    with pytest.raises(InvalidInput) as bad_group:
        create_account(
            actor=actor_for(staff), fields=AccountFields(name="X", customer_group_id=foreign_group.pk)
        )
    with pytest.raises(DuplicateExternalId):
        create_account(actor=actor_for(staff), fields=AccountFields(name="Y", external_id="SAP-1"))

    assert "customer_group" in bad_group.value.fields
    assert Account.objects.count() == 1


@pytest.mark.django_db
def test_buyer_and_rep_cannot_create_top_level_accounts() -> None:
    buyer = BuyerUserFactory(is_admin=True)
    rep = StaffMemberFactory(role=StaffRole.SALES_REP, organization=buyer.account.organization)

    with pytest.raises(NotAllowed):
        create_account(actor=actor_for(buyer), fields=AccountFields(name="X"))
    with pytest.raises(NotAllowed):
        create_account(actor=actor_for(rep), fields=AccountFields(name="X"))
    assert Account.objects.count() == 1


@pytest.mark.django_db
def test_update_account_applies_only_present_fields() -> None:
    staff = StaffMemberFactory(role=StaffRole.ADMIN)
    account = AccountFactory(organization=staff.organization, name="Old", number="C-1")

    update_account(
        actor=actor_for(staff), account=account, fields=AccountFields(name="New", present=frozenset({"name"}))
    )

    account.refresh_from_db()
    assert (account.name, account.number) == ("New", "C-1")


@pytest.mark.django_db
def test_move_account_carries_subtree_and_refuses_moving_under_itself() -> None:
    staff = StaffMemberFactory(role=StaffRole.ADMIN)
    a = AccountFactory(organization=staff.organization)
    a_child = AccountFactory(parent=a)
    b = AccountFactory(organization=staff.organization)
    actor = actor_for(staff)

    with pytest.raises(InvalidParent):
        move_account(actor=actor, account=a, new_parent=a_child)
    moved = move_account(actor=actor, account=a, new_parent=b)

    a_child.refresh_from_db()
    assert moved.path.startswith(b.path) and a_child.path.startswith(moved.path)
    assert Account.objects.find_problems() == ([], [], [], [], [])


@pytest.mark.django_db
def test_account_admin_invites_buyer_into_subtree_without_password() -> None:
    admin = BuyerUserFactory(is_admin=True)
    plant = AccountFactory(parent=admin.account)

    invited = add_buyer_user(
        actor=actor_for(admin),
        account=plant,
        email=" New.Buyer@Example.com ",
        full_name="New Buyer",
        roles=["buyer"],
    )

    assert invited.account_id == plant.pk and invited.roles == {BuyerRole.BUYER}
    assert invited.user.email == "new.buyer@example.com"
    assert not invited.user.has_usable_password()


@pytest.mark.django_db
def test_add_buyer_user_refuses_non_admin_other_account_taken_email_and_bad_role() -> None:
    admin = BuyerUserFactory(is_admin=True)
    plain = BuyerUserFactory(account=admin.account, is_admin=False)
    stranger_account = AccountFactory(organization=admin.account.organization)

    with pytest.raises(NotAllowed):
        add_buyer_user(
            actor=actor_for(plain), account=admin.account, email="a@x.com", full_name="A", roles=["buyer"]
        )
    with pytest.raises(AccountNotFound):
        add_buyer_user(
            actor=actor_for(admin), account=stranger_account, email="b@x.com", full_name="B", roles=["buyer"]
        )
    with pytest.raises(EmailTaken):
        add_buyer_user(
            actor=actor_for(admin),
            account=admin.account,
            email=plain.user.email,
            full_name="C",
            roles=["buyer"],
        )
    with pytest.raises(InvalidInput) as bad_role:
        add_buyer_user(
            actor=actor_for(admin), account=admin.account, email="d@x.com", full_name="D", roles=["boss"]
        )

    assert "roles" in bad_role.value.fields
    assert BuyerUser.objects.count() == 2


@pytest.mark.django_db
def test_last_admin_keeps_admin_role() -> None:
    admin = BuyerUserFactory(is_admin=True)

    with pytest.raises(LastAdmin):
        set_buyer_roles(actor=actor_for(admin), buyer=admin, roles=["buyer"])

    admin.refresh_from_db()
    assert admin.is_admin


@pytest.mark.django_db
def test_new_default_shipping_address_replaces_previous_default() -> None:
    admin = BuyerUserFactory(is_admin=True)
    old = AddressFactory(account=admin.account, is_shipping=True, is_default_shipping=True)

    new = add_address(
        actor=actor_for(admin),
        account=admin.account,
        fields=AddressFields(line1="1 Dock Rd", city="Dayton", country="us", is_default_shipping=True),
    )

    old.refresh_from_db()
    assert new.is_default_shipping and new.country == "US"
    assert not old.is_default_shipping


@pytest.mark.django_db
def test_add_address_rejects_bad_country_and_writes_nothing() -> None:
    admin = BuyerUserFactory(is_admin=True)

    with pytest.raises(InvalidInput) as excinfo:
        add_address(
            actor=actor_for(admin),
            account=admin.account,
            fields=AddressFields(line1="1 A St", city="", country="USA"),
        )

    assert set(excinfo.value.fields) == {"city", "country"}
    assert Address.objects.count() == 0
