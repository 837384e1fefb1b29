from __future__ import annotations

import pytest
from django.contrib.auth import get_user
from django.test import Client

from meridian.core.actor import StaffRole
from meridian.customers.models import BuyerUser
from meridian.tenancy.models import Organization
from tests.staff.factories import PASSWORD, StaffMemberFactory

RATE_LIMITED = "Too many attempts, try again in a minute"


@pytest.mark.django_db
def test_buyer_logs_in_with_email_and_password_and_lands_on_the_catalog(
    client: Client, buyer: BuyerUser
) -> None:
    response = client.post("/login/", {"username": "bob@acme.test", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert get_user(client).pk == buyer.user_id


@pytest.mark.django_db
def test_login_follows_next_within_the_portal(client: Client, buyer: BuyerUser) -> None:
    response = client.post("/login/?next=/account/", {"username": "bob@acme.test", "password": PASSWORD})

    assert response["Location"] == "/account/"


@pytest.mark.django_db
def test_wrong_password_shows_an_error_and_logs_nobody_in(client: Client, buyer: BuyerUser) -> None:
    response = client.post("/login/", {"username": "bob@acme.test", "password": "wrong-password"})

    assert response.status_code == 200
    assert "correct email" in response.content.decode().lower()
    assert not get_user(client).is_authenticated


@pytest.mark.django_db
def test_staff_logging_in_on_the_portal_is_sent_to_the_console(client: Client, org: Organization) -> None:
    StaffMemberFactory(organization=org, role=StaffRole.SALES_REP, user__email="rita@northwind.test")

    response = client.post("/login/", {"username": "rita@northwind.test", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/console/"


@pytest.mark.django_db
def test_login_is_rate_limited_by_ip_with_429(client: Client, buyer: BuyerUser, settings) -> None:
    settings.LOGIN_RATE = "3/h"  # an hour window: the test cannot straddle a window edge
    for attempt in range(3):
        response = client.post("/login/", {"username": f"guess{attempt}@acme.test", "password": "nope-nope"})
        assert response.status_code == 200

    response = client.post("/login/", {"username": "bob@acme.test", "password": PASSWORD})

    assert response.status_code == 429
    assert RATE_LIMITED in response.content.decode()
    assert not get_user(client).is_authenticated  # even the right password is not tried


@pytest.mark.django_db
def test_login_is_rate_limited_by_email_across_ips(client: Client, buyer: BuyerUser, settings) -> None:
    settings.LOGIN_RATE = "3/h"
    for attempt in range(3):
        client.post(
            "/login/", {"username": "bob@acme.test", "password": "nope-nope"}, REMOTE_ADDR=f"10.0.0.{attempt}"
        )

    response = client.post(
        "/login/", {"username": "BOB@acme.test", "password": PASSWORD}, REMOTE_ADDR="10.0.0.99"
    )

    assert response.status_code == 429
    assert RATE_LIMITED in response.content.decode()
    assert not get_user(client).is_authenticated


@pytest.mark.django_db
def test_logout_needs_a_post_and_ends_the_session(client: Client, buyer: BuyerUser) -> None:
    client.force_login(buyer.user)

    response = client.post("/logout/")

    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert not get_user(client).is_authenticated


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/search/?q=bolt", "/c/anything/", "/p/SKU-1/", "/account/"])
def test_every_portal_page_requires_login(client: Client, path: str) -> None:
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


@pytest.mark.django_db
def test_login_page_renders_with_csrf_and_local_assets_only(client: Client) -> None:
    response = client.get("/login/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "csrfmiddlewaretoken" in html
    assert '<script src="/static/django_htmx/htmx-2.min.js" defer></script>' in html
    assert "http://" not in html and "https://" not in html


@pytest.mark.django_db
def test_static_assets_are_served_by_the_app(client: Client) -> None:
    for path in (
        "/static/meridian/app.css",
        "/static/meridian/logo.svg",
        "/static/django_htmx/htmx-2.min.js",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        b"".join(response.streaming_content if response.streaming else [response.content])
