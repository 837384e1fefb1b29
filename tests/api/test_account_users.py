from __future__ import annotations

from typing import Any

import pytest

from meridian.core.actor import BuyerRole, StaffRole
from meridian.core.models import User
from meridian.customers.models import Account, Address, BuyerUser
from tests.api.auth_queries import auth_queries
from tests.api.conftest import ClientFor
from tests.customers.factories import AccountFactory, AddressFactory, BuyerUserFactory
from tests.staff.factories import StaffMemberFactory
from tests.tenancy.factories import OrganizationFactory, WebsiteFactory

JSON = "application/json"


@pytest.fixture
def account() -> Account:
    org = OrganizationFactory()
    WebsiteFactory(organization=org)
    return AccountFactory(organization=org, name="Acme")


@pytest.fixture
def admin(account: Account) -> BuyerUser:
    return BuyerUserFactory(account=account, user__email="admin@acme.example", is_admin=True)


@pytest.mark.django_db
def test_list_users_shows_roles_and_invitation_state(
    account: Account, admin: BuyerUser, client_for: ClientFor
) -> None:
    BuyerUserFactory(
        account=account,
        user__email="viewer@acme.example",
        user__full_name="Vera Viewer",
        user__password=None,
        is_buyer=False,
        is_viewer=True,
    )

    response = client_for(admin).get(f"/api/v1/accounts/{account.pk}/users")

    assert response.status_code == 200
    items = response.json()["items"]
    assert [item["email"] for item in items] == ["admin@acme.example", "viewer@acme.example"]
    assert items[0]["roles"] == ["admin", "buyer"]
    assert items[1] == {
        "id": items[1]["id"],
        "account": account.pk,
        "email": "viewer@acme.example",
        "name": "Vera Viewer",
        "roles": ["viewer"],
        "is_active": True,
        "has_password": False,
    }


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 5])
def test_user_list_query_count_is_flat(
    rows: int, account: Account, client_for: ClientFor, django_assert_num_queries: Any
) -> None:
    BuyerUserFactory.create_batch(rows - 1, account=account)
    client = client_for(BuyerUserFactory(account=account, is_admin=True))

    # auth (a buyer, the token's last use); account; count, buyers+user
    with django_assert_num_queries(auth_queries() + 3):
        response = client.get(f"/api/v1/accounts/{account.pk}/users")

    assert response.json()["count"] == rows


@pytest.mark.django_db
def test_admin_invites_a_user_without_a_password(
    account: Account, admin: BuyerUser, client_for: ClientFor
) -> None:
    response = client_for(admin).post(
        f"/api/v1/accounts/{account.pk}/users",
        {"email": " New.Buyer@Acme.example", "name": "Nina", "roles": ["buyer", "approver"]},
        content_type=JSON,
    )

    assert response.status_code == 201
    body = response.json()
    assert body["email"] == "new.buyer@acme.example"
    assert body["roles"] == ["buyer", "approver"]
    assert body["has_password"] is False
    buyer = BuyerUser.objects.get(user__email="new.buyer@acme.example")
    assert buyer.account_id == account.pk
    assert (buyer.is_buyer, buyer.is_approver, buyer.is_admin) == (True, True, False)


@pytest.mark.django_db
def test_staff_add_a_user_with_a_password(account: Account, client_for: ClientFor) -> None:
    Account.objects.filter(pk=account.pk).update(external_id="SAP-7")
    staff = StaffMemberFactory(organization=account.organization, role=StaffRole.INSIDE_SALES)

    response = client_for(staff).post(
        "/api/v1/accounts/ext:SAP-7/users",
        {"email": "pat@acme.example", "roles": ["admin"], "password": "a-long-enough-secret-42"},
        content_type=JSON,
    )

    assert response.status_code == 201
    assert response.json()["has_password"] is True
    assert User.objects.get(email="pat@acme.example").check_password("a-long-enough-secret-42")


@pytest.mark.django_db
def test_viewer_may_not_add_users(account: Account, client_for: ClientFor) -> None:
    viewer = BuyerUserFactory(account=account, is_buyer=False, is_viewer=True)

    response = client_for(viewer).post(
        f"/api/v1/accounts/{account.pk}/users",
        {"email": "x@acme.example", "roles": ["buyer"]},
        content_type=JSON,
    )

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_allowed"
    assert not User.objects.filter(email="x@acme.example").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "x@acme.example", "roles": ["boss"]}, "roles.0"),
        ({"email": "x@acme.example", "roles": []}, "roles"),
        ({"email": "x@acme.example"}, "roles"),
        ({"email": "not-an-email", "roles": ["buyer"]}, "email"),
        ({"email": "x@acme.example", "roles": ["buyer"], "password": "short"}, "password"),
    ],
    ids=["unknown-role", "no-roles", "missing-roles", "bad-email", "weak-password"],
)
def test_bad_user_input_answers_422_naming_the_field(
    account: Account, admin: BuyerUser, client_for: ClientFor, body: dict[str, Any], field: str
) -> None:
    response = client_for(admin).post(f"/api/v1/accounts/{account.pk}/users", body, content_type=JSON)

    assert response.status_code == 422
    assert list(response.json()["error"]["fields"]) == [field]
    assert BuyerUser.objects.filter(account=account).count() == 1


@pytest.mark.django_db
def test_email_with_a_login_answers_409(account: Account, admin: BuyerUser, client_for: ClientFor) -> None:
    response = client_for(admin).post(
        f"/api/v1/accounts/{account.pk}/users",
        {"email": "ADMIN@acme.example", "roles": ["buyer"]},
        content_type=JSON,
    )

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "email_taken"
    assert BuyerUser.objects.filter(account=account).count() == 1


@pytest.mark.django_db
def test_patch_user_changes_roles_and_deactivates(
    account: Account, admin: BuyerUser, client_for: ClientFor
) -> None:
    buyer = BuyerUserFactory(account=account, is_buyer=True)
    client = client_for(admin)
    url = f"/api/v1/accounts/{account.pk}/users/{buyer.user_id}"

    promoted = client.patch(url, {"roles": ["buyer", "approver"]}, content_type=JSON)
    deactivated = client.patch(url, {"is_active": False}, content_type=JSON)

    assert promoted.status_code == 200
    assert promoted.json()["roles"] == ["buyer", "approver"]
    assert deactivated.json()["is_active"] is False
    buyer.refresh_from_db()
    buyer.user.refresh_from_db()
    assert buyer.is_approver
    assert buyer.is_buyer
    assert not buyer.user.is_active


@pytest.mark.django_db
def test_demoting_the_last_admin_answers_409_and_changes_nothing(
    account: Account, admin: BuyerUser, client_for: ClientFor
) -> None:
    staff = StaffMemberFactory(organization=account.organization, role=StaffRole.ADMIN)

    response = client_for(staff).patch(
        f"/api/v1/accounts/{account.pk}/users/{admin.user_id}",
        {"roles": ["buyer"], "is_active": False},
        content_type=JSON,
    )

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "last_admin"
    admin.refresh_from_db()
    admin.user.refresh_from_db()
    assert admin.is_admin
    assert admin.user.is_active


@pytest.mark.django_db
def test_patch_of_a_user_of_another_account_answers_404(
    account: Account, admin: BuyerUser, client_for: ClientFor
) -> None:
    stranger = BuyerUserFactory(account=AccountFactory(organization=account.organization), is_buyer=True)

    response = client_for(admin).patch(
        f"/api/v1/accounts/{account.pk}/users/{stranger.user_id}", {"roles": ["viewer"]}, content_type=JSON
    )

    assert response.status_code == 404
    stranger.refresh_from_db()
    assert stranger.roles == {BuyerRole.BUYER}


@pytest.mark.django_db
def test_addresses_list_and_add(account: Account, admin: BuyerUser, client_for: ClientFor) -> None:
    AddressFactory(
        account=account, line1="1 Old Road", city="Columbus", country="US", is_default_shipping=True
    )
    client = client_for(admin)

    created = client.post(
        f"/api/v1/accounts/{account.pk}/addresses",
        {
            "line1": "2 New Road",
            "city": "Dayton",
            "country": "us",
            "is_billing": True,
            "is_default_shipping": True,
        },
        content_type=JSON,
    )
    listed = client.get(f"/api/v1/accounts/{account.pk}/addresses")

    assert created.status_code == 201
    body = created.json()
    assert (body["country"], body["is_default_shipping"], body["is_default_billing"]) == ("US", True, True)
    assert body["account"] == account.pk
    assert [item["line1"] for item in listed.json()["items"]] == ["2 New Road", "1 Old Road"]
    assert not Address.objects.get(line1="1 Old Road").is_default_shipping


@pytest.mark.django_db
def test_bad_address_answers_422_and_adds_nothing(
    account: Account, admin: BuyerUser, client_for: ClientFor
) -> None:
    response = client_for(admin).post(
        f"/api/v1/accounts/{account.pk}/addresses",
        {"line1": "3 Road", "city": "", "country": "U1"},
        content_type=JSON,
    )

    assert response.status_code == 422
    assert set(response.json()["error"]["fields"]) == {"city", "country"}
    assert not Address.objects.exists()


@pytest.mark.django_db
def test_buyer_without_admin_role_may_not_add_addresses(account: Account, client_for: ClientFor) -> None:
    buyer = BuyerUserFactory(account=account, is_buyer=True)

    response = client_for(buyer).post(
        f"/api/v1/accounts/{account.pk}/addresses",
        {"line1": "3 Road", "city": "Akron", "country": "US"},
        content_type=JSON,
    )

    assert response.status_code == 403
    assert not Address.objects.exists()
