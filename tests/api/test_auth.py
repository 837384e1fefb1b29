from __future__ import annotations

from datetime import timedelta

import pytest
from django.http import HttpResponse
from django.test import Client
from django.utils import timezone
from pytest_django.fixtures import Settings

from meridian.core.actor import StaffRole
from meridian.core.models import ApiToken
from meridian.core.services import issue_token
from tests.api.conftest import ClientFor
from tests.customers.factories import AccountFactory, BuyerUserFactory
from tests.staff.factories import PASSWORD, StaffMemberFactory, UserFactory

TOKEN_URL = "/api/v1/auth/token"


def login(client: Client, username: str, password: str) -> HttpResponse:
    return client.post(
        TOKEN_URL, {"username": username, "password": password}, content_type="application/json"
    )


@pytest.mark.django_db
def test_token_for_right_password_opens_the_api() -> None:
    buyer = BuyerUserFactory(user__email="ann@example.com", account=AccountFactory(name="Acme"))

    response = login(Client(), "Ann@Example.com ", PASSWORD)

    assert response.status_code == 200
    body = response.json()
    assert body["token"].startswith("mrd_")
    assert body["expires_at"] is not None
    accounts = Client(headers={"Authorization": f"Bearer {body['token']}"}).get("/api/v1/accounts")
    assert accounts.status_code == 200
    assert [item["id"] for item in accounts.json()["items"]] == [buyer.account_id]


@pytest.mark.django_db
def test_wrong_password_answers_401_and_issues_no_token() -> None:
    BuyerUserFactory(user__email="ann@example.com")

    response = login(Client(), "ann@example.com", "not-the-password")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_credentials"
    assert ApiToken.objects.count() == 0


@pytest.mark.django_db
def test_inactive_user_gets_no_token() -> None:
    BuyerUserFactory(user__email="gone@example.com", user__is_active=False)

    response = login(Client(), "gone@example.com", PASSWORD)

    assert response.status_code == 401
    assert ApiToken.objects.count() == 0


@pytest.mark.django_db
def test_too_many_logins_answer_429_even_with_the_right_password(settings: Settings) -> None:
    settings.LOGIN_RATE = "3/m"
    BuyerUserFactory(user__email="ann@example.com")
    client = Client()
    for _ in range(3):
        assert login(client, "ann@example.com", "guess").status_code == 401

    response = login(client, "ann@example.com", PASSWORD)

    assert response.status_code == 429
    assert response.json()["error"]["code"] == "rate_limited"
    assert ApiToken.objects.count() == 0
    # The limit is per username and IP: another username from the same IP still logs in.
    BuyerUserFactory(user__email="bob@example.com")
    assert login(client, "bob@example.com", PASSWORD).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Bearer mrd_not-a-real-token", "Token abc", "Basic YW5uOnB3"],
    ids=["missing", "empty", "unknown", "other-scheme", "basic"],
)
def test_requests_without_a_valid_token_answer_401(header: str | None) -> None:
    AccountFactory(name="Acme")
    client = Client(headers={"Authorization": header} if header else {})

    response = client.get("/api/v1/accounts")

    assert response.status_code == 401
    assert response.json() == {
        "error": {"code": "not_authenticated", "message": "Unauthorized", "fields": {}}
    }


@pytest.mark.django_db
def test_expired_and_revoked_tokens_answer_401() -> None:
    buyer = BuyerUserFactory()
    expired, _ = issue_token(user=buyer.user, ttl=timedelta(hours=1))
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    revoked, token = issue_token(user=buyer.user)
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())

    for secret in (expired, revoked):
        response = Client(headers={"Authorization": f"Bearer {secret}"}).get("/api/v1/accounts")

        assert response.status_code == 401
        assert response.json()["error"]["code"] == "not_authenticated"


@pytest.mark.django_db
def test_token_of_a_deactivated_user_stops_working(client_for: ClientFor) -> None:
    buyer = BuyerUserFactory()
    client = client_for(buyer)
    buyer.user.is_active = False
    buyer.user.save()

    response = client.get("/api/v1/accounts")

    assert response.status_code == 401


@pytest.mark.django_db
def test_user_who_is_neither_buyer_nor_staff_answers_403() -> None:
    user = UserFactory()
    secret, _ = issue_token(user=user)

    response = Client(headers={"Authorization": f"Bearer {secret}"}).get("/api/v1/accounts")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "no_api_access"


@pytest.mark.django_db
def test_api_key_of_staff_works_with_the_same_header() -> None:
    staff = StaffMemberFactory(role=StaffRole.ADMIN)
    secret, _ = issue_token(user=staff.user, kind=ApiToken.Kind.API_KEY, name="ERP")

    response = Client(headers={"Authorization": f"Bearer {secret}"}).get("/api/v1/accounts")

    assert response.status_code == 200


@pytest.mark.django_db
def test_bad_website_header_answers_422(client_for: ClientFor) -> None:
    client = client_for(BuyerUserFactory())

    response = client.get("/api/v1/accounts", headers={"X-Website": "shop"})

    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"X-Website": ["must be a website id"]}
