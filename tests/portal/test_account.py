from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user
from django.test import Client

from meridian.core.models import User
from meridian.customers.models import Account, Address, BuyerUser
from meridian.tenancy.models import Organization
from tests.customers.factories import AccountFactory, AddressFactory, BuyerUserFactory

INVITATION = re.compile(r'value="(http://testserver/invite/[^"]+/)"')


@pytest.mark.django_db
def test_my_account_opens_the_buyers_own_account(client: Client, account: Account, buyer: BuyerUser) -> None:
    client.force_login(buyer.user)

    response = client.get("/account/")

    assert response.status_code == 302
    assert response["Location"] == f"/account/{account.pk}/"


@pytest.mark.django_db
def test_account_page_shows_children_users_and_addresses_read_only_for_a_non_admin(
    client: Client, account: Account, buyer: BuyerUser, account_admin: BuyerUser
) -> None:
    plant = AccountFactory(parent=account, name="Acme Plant Ohio")
    AddressFactory(account=account, line1="1 Foundry Road", city="Dayton", country="US")
    client.force_login(buyer.user)

    response = client.get(f"/account/{account.pk}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Acme Industries" in html
    assert f'href="/account/{plant.pk}/"' in html
    assert "ada@acme.test" in html and "Account admin" in html
    assert "1 Foundry Road" in html and "Dayton" in html
    assert "Invite a user" not in html and "Add an address" not in html


@pytest.mark.django_db
def test_child_account_page_has_breadcrumbs_to_the_buyers_account(
    client: Client, account: Account, buyer: BuyerUser
) -> None:
    plant = AccountFactory(parent=account, name="Acme Plant Ohio")
    client.force_login(buyer.user)

    response = client.get(f"/account/{plant.pk}/")

    assert response.status_code == 200
    assert f'<a href="/account/{account.pk}/">Acme Industries</a>' in response.content.decode()


@pytest.mark.django_db
def test_another_accounts_page_and_users_answer_404(
    client: Client, account: Account, other_account: Account, account_admin: BuyerUser
) -> None:
    parent = AccountFactory(organization=account.organization, name="Acme Parent")
    stranger = BuyerUserFactory(account=other_account, is_admin=True, is_buyer=True)
    client.force_login(account_admin.user)

    assert client.get(f"/account/{other_account.pk}/").status_code == 404
    assert client.get(f"/account/{parent.pk}/").status_code == 404
    assert client.get(f"/account/{other_account.pk}/users/{stranger.user_id}/").status_code == 404
    # The stranger's user id under our own account id is not ours either.
    assert client.get(f"/account/{account.pk}/users/{stranger.user_id}/").status_code == 404
    response = client.post(f"/account/{account.pk}/users/{stranger.user_id}/roles/", {"roles": ["viewer"]})
    assert response.status_code == 404
    response = client.post(
        f"/account/{other_account.pk}/users/invite/",
        {"email": "x@globex.test", "full_name": "X", "roles": ["buyer"]},
    )
    assert response.status_code == 404
    stranger.refresh_from_db()
    assert stranger.is_admin and not stranger.is_viewer
    assert not User.objects.filter(email="x@globex.test").exists()


@pytest.mark.django_db
def test_admin_invites_a_user_who_sets_a_password_from_the_link(
    client: Client, account: Account, account_admin: BuyerUser
) -> None:
    client.force_login(account_admin.user)

    response = client.post(
        f"/account/{account.pk}/users/invite/",
        {"email": "Carol@Acme.test", "full_name": "Carol Approver", "roles": ["buyer", "approver"]},
        follow=True,
    )

    invited = BuyerUser.objects.select_related("user").get(user__email="carol@acme.test")
    assert invited.account_id == account.pk
    assert invited.is_buyer and invited.is_approver and not invited.is_admin
    assert not invited.user.has_usable_password()
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == f"/account/{account.pk}/users/{invited.user_id}/"
    link = INVITATION.search(html)
    assert link is not None

    guest = Client()
    step = guest.get(link.group(1))
    assert step.status_code == 302  # the token moves into the session, out of the URL
    form = guest.get(step["Location"])
    assert "Set your password" in form.content.decode()
    done = guest.post(
        step["Location"], {"new_password1": "a-long-new-secret-7", "new_password2": "a-long-new-secret-7"}
    )

    assert done.status_code == 302
    assert done["Location"] == "/"
    assert get_user(guest).pk == invited.user_id
    assert guest.get(link.group(1)).status_code == 200  # used once: the old link now shows "no longer works"
    assert "no longer works" in guest.get(link.group(1)).content.decode()


@pytest.mark.django_db
def test_invite_with_a_taken_email_shows_a_form_error_and_creates_nothing(
    client: Client, account: Account, account_admin: BuyerUser, buyer: BuyerUser
) -> None:
    client.force_login(account_admin.user)
    before = User.objects.count()

    response = client.post(
        f"/account/{account.pk}/users/invite/",
        {"email": "bob@acme.test", "full_name": "Bob Again", "roles": ["buyer"]},
    )

    assert response.status_code == 200
    assert "already has a login" in response.content.decode()
    assert User.objects.count() == before


@pytest.mark.django_db
def test_admin_changes_roles_and_deactivates_a_user(
    client: Client, account: Account, account_admin: BuyerUser, buyer: BuyerUser
) -> None:
    client.force_login(account_admin.user)

    roles = client.post(
        f"/account/{account.pk}/users/{buyer.user_id}/roles/", {"roles": ["approver", "viewer"]}
    )
    active = client.post(f"/account/{account.pk}/users/{buyer.user_id}/active/", {"is_active": "false"})

    assert roles.status_code == 302 and active.status_code == 302
    buyer.refresh_from_db()
    buyer.user.refresh_from_db()
    assert buyer.is_approver and buyer.is_viewer and not buyer.is_buyer and not buyer.is_admin
    assert not buyer.user.is_active


@pytest.mark.django_db
def test_the_last_admin_cannot_drop_admin_and_sees_why(
    client: Client, account: Account, account_admin: BuyerUser
) -> None:
    client.force_login(account_admin.user)

    response = client.post(
        f"/account/{account.pk}/users/{account_admin.user_id}/roles/", {"roles": ["buyer"]}
    )

    assert response.status_code == 200
    assert "the last admin keeps admin" in response.content.decode()
    account_admin.refresh_from_db()
    assert account_admin.is_admin


@pytest.mark.django_db
def test_roles_form_needs_a_role(
    client: Client, account: Account, account_admin: BuyerUser, buyer: BuyerUser
) -> None:
    client.force_login(account_admin.user)

    response = client.post(f"/account/{account.pk}/users/{buyer.user_id}/roles/", {})

    assert response.status_code == 200
    assert "Choose at least one role." in response.content.decode()
    buyer.refresh_from_db()
    assert buyer.is_buyer


@pytest.mark.django_db
def test_a_non_admin_cannot_invite_change_roles_or_deactivate(
    client: Client, account: Account, account_admin: BuyerUser, buyer: BuyerUser
) -> None:
    client.force_login(buyer.user)
    users_before = User.objects.count()

    invite_page = client.get(f"/account/{account.pk}/users/invite/")
    invite = client.post(
        f"/account/{account.pk}/users/invite/",
        {"email": "eve@acme.test", "full_name": "Eve", "roles": ["admin"]},
    )
    roles = client.post(f"/account/{account.pk}/users/{buyer.user_id}/roles/", {"roles": ["admin"]})
    active = client.post(
        f"/account/{account.pk}/users/{account_admin.user_id}/active/", {"is_active": "false"}
    )
    user_page = client.get(f"/account/{account.pk}/users/{account_admin.user_id}/")

    assert invite_page.status_code == 403
    assert invite.status_code == 403
    assert roles.status_code == 403
    assert active.status_code == 403
    assert User.objects.count() == users_before
    buyer.refresh_from_db()
    account_admin.user.refresh_from_db()
    assert not buyer.is_admin
    assert account_admin.user.is_active
    assert user_page.status_code == 200
    assert "Save roles" not in user_page.content.decode()


@pytest.mark.django_db
def test_admin_cannot_deactivate_themselves(
    client: Client, account: Account, account_admin: BuyerUser
) -> None:
    client.force_login(account_admin.user)

    response = client.post(
        f"/account/{account.pk}/users/{account_admin.user_id}/active/", {"is_active": "false"}
    )

    assert response.status_code == 200
    assert "you cannot deactivate yourself" in response.content.decode()
    account_admin.user.refresh_from_db()
    assert account_admin.user.is_active


@pytest.mark.django_db
def test_admin_adds_an_address_and_errors_come_back_on_the_form(
    client: Client, account: Account, account_admin: BuyerUser
) -> None:
    client.force_login(account_admin.user)
    url = f"/account/{account.pk}/addresses/new/"

    bad = client.post(url, {"line1": "9 Dock St", "city": "Toledo", "country": "U1", "is_shipping": "on"})
    good = client.post(
        url, {"label": "Dock", "line1": "9 Dock St", "city": "Toledo", "country": "us", "is_shipping": "on"}
    )

    assert bad.status_code == 200
    assert "use a two-letter ISO country code" in bad.content.decode()
    assert good.status_code == 302
    address = Address.objects.get(account=account)
    assert (address.label, address.line1, address.country, address.is_default_shipping) == (
        "Dock",
        "9 Dock St",
        "US",
        True,
    )


@pytest.mark.django_db
def test_admin_adds_an_address_with_coordinates_both_or_neither(
    client: Client, account: Account, account_admin: BuyerUser
) -> None:
    client.force_login(account_admin.user)
    url = f"/account/{account.pk}/addresses/new/"
    base = {"line1": "9 Dock St", "city": "Toledo", "country": "US", "is_shipping": "on"}

    half = client.post(url, {**base, "latitude": "41.66"})
    good = client.post(url, {**base, "latitude": "41.66", "longitude": "-83.56"})

    assert half.status_code == 200
    assert "give both latitude and longitude, or neither" in half.content.decode()
    assert good.status_code == 302
    address = Address.objects.get(account=account)
    assert (address.latitude, address.longitude) == (Decimal("41.660000"), Decimal("-83.560000"))


@pytest.mark.django_db
def test_a_non_admin_cannot_add_an_address(client: Client, account: Account, buyer: BuyerUser) -> None:
    client.force_login(buyer.user)

    response = client.post(
        f"/account/{account.pk}/addresses/new/", {"line1": "9 Dock St", "city": "Toledo", "country": "US"}
    )

    assert response.status_code == 403
    assert not Address.objects.filter(account=account).exists()


@pytest.mark.django_db
def test_a_login_without_an_account_or_staff_role_gets_403(client: Client, org: Organization) -> None:
    user = User.objects.create_user("nobody@example.test", "a-long-password-1")
    client.force_login(user)

    response = client.get("/")

    assert response.status_code == 403
    assert "not linked to a customer account" in response.content.decode()
