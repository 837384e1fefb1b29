"""Staff API keys (hashed at rest, shown once, revocable, admin-only) and the audit log."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from meridian.core.actor import StaffRole
from meridian.core.models import ApiToken, AuditEntry
from meridian.core.services import authenticate_token, record_audit
from tests.security import snapshot
from tests.security.world import World, member_with_role


def _create_key(client: Client, **body: object) -> dict[str, object]:
    response = client.post("/api/v1/api-keys", {"name": "SAP sync", **body}, content_type="application/json")
    assert response.status_code == 201, response.content
    created: dict[str, object] = response.json()
    return created


@pytest.mark.django_db
def test_an_api_key_is_shown_once_stored_only_as_a_hash_and_works_until_revoked(world: World) -> None:
    admin = world.api_client(world.admin)

    created = _create_key(admin)
    secret = str(created["secret"])
    key = ApiToken.objects.get(pk=created["id"])
    key_client = Client(headers={"Authorization": f"Bearer {secret}"})

    assert key.kind == ApiToken.Kind.API_KEY and key.expires_at is None
    assert key.organization_id == world.org.pk and created["user"] == world.admin.user_id
    stored = repr(snapshot.take())
    assert secret not in stored and secret[12:] not in stored  # only the prefix and the SHA-256
    listed = admin.get("/api/v1/api-keys").json()
    assert {item["id"] for item in listed["items"]} == {world.api_key.pk, key.pk}
    assert all("secret" not in item for item in listed["items"]) and secret not in str(listed)
    assert key_client.get("/api/v1/accounts").status_code == 200

    revoked = admin.delete(f"/api/v1/api-keys/{key.pk}")

    assert revoked.status_code == 204
    assert key_client.get("/api/v1/accounts").status_code == 401
    assert admin.delete(f"/api/v1/api-keys/{key.pk}").status_code == 204  # idempotent
    actions = list(
        AuditEntry.objects.filter(object_type="api_key", object_id=str(key.pk)).values_list(
            "action", flat=True
        )
    )
    assert actions == ["api_key.created", "api_key.revoked"]


@pytest.mark.django_db
def test_an_admin_gives_an_integration_a_key_of_a_less_privileged_user(world: World) -> None:
    inside_sales = member_with_role(world, StaffRole.INSIDE_SALES)

    created = _create_key(world.api_client(world.admin), user=inside_sales.user_id)
    key_client = Client(headers={"Authorization": f"Bearer {created['secret']}"})

    assert created["user"] == inside_sales.user_id
    # The key acts as inside sales: it may edit the catalog but not manage keys.
    assert (
        key_client.post("/api/v1/api-keys", {"name": "x"}, content_type="application/json").status_code == 403
    )
    own = world.api_client(inside_sales).get("/api/v1/api-keys").json()
    assert [item["id"] for item in own["items"]] == [created["id"]]


@pytest.mark.django_db
@pytest.mark.parametrize("holder", ["buyer", "other-org-staff", "unknown"])
def test_a_key_cannot_act_as_a_buyer_or_someone_of_another_organization(holder: str, world: World) -> None:
    user_id = {
        "buyer": world.buyer_a.user_id,
        "other-org-staff": world.other_admin.user_id,
        "unknown": 987654,
    }[holder]
    client = world.api_client(world.admin)
    before = snapshot.take()

    response = client.post(
        "/api/v1/api-keys", {"name": "x", "user": user_id}, content_type="application/json"
    )

    assert response.status_code == 422
    assert list(response.json()["error"]["fields"]) == ["user"]
    assert not snapshot.diff(before, snapshot.take())


@pytest.mark.django_db
def test_an_expired_key_stops_working(world: World) -> None:
    expires = timezone.now() + dt.timedelta(hours=1)
    created = _create_key(world.api_client(world.admin), expires_at=expires.isoformat())
    ApiToken.objects.filter(pk=created["id"]).update(expires_at=timezone.now() - dt.timedelta(seconds=1))

    assert authenticate_token(secret=str(created["secret"])) is None


@pytest.mark.django_db
def test_another_organizations_admin_can_neither_see_nor_revoke_a_key(world: World) -> None:
    outsider = world.api_client(world.other_admin)

    listed = outsider.get("/api/v1/api-keys").json()
    response = outsider.delete(f"/api/v1/api-keys/{world.api_key.pk}")

    assert listed["count"] == 0
    assert response.status_code == 404
    world.api_key.refresh_from_db()
    assert world.api_key.revoked_at is None


# --- audit log -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_credit_limit_change_is_audited_with_who_before_and_after(world: World) -> None:
    response = world.api_client(world.admin).patch(
        f"/api/v1/accounts/{world.account_a.pk}", {"credit_limit": "7500.00"}, content_type="application/json"
    )

    assert response.status_code == 200
    entry = AuditEntry.objects.get(action="account.credit_limit_changed")
    assert (entry.organization_id, entry.actor_user_id) == (world.org.pk, world.admin.user_id)
    assert (entry.object_type, entry.object_id) == ("account", str(world.account_a.pk))
    assert Decimal(entry.before["credit_limit"]) == Decimal("5000.00")
    assert Decimal(entry.after["credit_limit"]) == Decimal("7500.00")


@pytest.mark.django_db
def test_an_unchanged_or_refused_credit_limit_leaves_no_entry(world: World) -> None:
    rep = world.api_client(world.rep_a)
    admin = world.api_client(world.admin)
    path = f"/api/v1/accounts/{world.account_a.pk}"

    same = admin.patch(path, {"credit_limit": "5000.00", "name": "Alpha"}, content_type="application/json")
    refused = rep.patch(path, {"credit_limit": "9000.00"}, content_type="application/json")

    assert (same.status_code, refused.status_code) == (200, 403)
    assert not AuditEntry.objects.exclude(pk=world.audit_entry.pk).exists()  # the world's own stays


@pytest.mark.django_db
def test_role_changes_from_the_api_and_the_portal_are_audited(world: World) -> None:
    api = world.api_client(world.admin)
    portal = Client()
    portal.force_login(world.buyer_a.user)
    member = world.member_a

    api.patch(
        f"/api/v1/accounts/{world.account_a.pk}/users/{member.user_id}",
        {"roles": ["approver"]},
        content_type="application/json",
    )
    portal.post(f"/account/{world.account_a.pk}/users/{member.user_id}/roles/", {"roles": ["viewer"]})

    entries = list(AuditEntry.objects.filter(action="buyer.roles_changed").order_by("pk"))
    assert [(e.actor_user_id, e.before["roles"], e.after["roles"]) for e in entries] == [
        (world.admin.user_id, ["buyer"], ["approver"]),
        (world.buyer_a.user_id, ["approver"], ["viewer"]),
    ]
    assert {e.object_id for e in entries} == {str(member.user_id)}


@pytest.mark.django_db
def test_audit_entries_store_amounts_and_times_as_strings(world: World) -> None:
    at = timezone.now()

    entry = record_audit(
        organization_id=world.org.pk,
        actor_user_id=None,
        action="test.recorded",
        object_type="account",
        object_id=world.account_a.pk,
        before={"credit_limit": Decimal("1.50")},
        after={"credit_limit": None, "at": at},
    )

    entry.refresh_from_db()
    assert entry.before == {"credit_limit": "1.50"}
    assert entry.after["at"].startswith(str(at.year))
