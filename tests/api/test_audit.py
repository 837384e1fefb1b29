"""The audit log through the API: `GET /audit` (any object, filtered) and `GET /price-lists/{code}/audit`
(the list itself): who changed what, when, from which values to which; organization-scoped, for
staff who see the whole organization, paginated as `{count, items}`."""

from __future__ import annotations

from typing import Any

import pytest

from meridian.core.models import AuditEntry
from meridian.core.services import record_audit
from tests.api.conftest import ClientFor
from tests.api.test_pricing import STAFF_AUTH_QUERIES
from tests.pricing.channel_world import PriceWorld, build_price_world
from tests.pricing.factories import PromotionFactory

JSON = "application/json"


@pytest.fixture
def world(db: None) -> PriceWorld:
    return build_price_world()


def _items(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.content
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def test_a_contract_change_reads_back_as_who_when_and_from_what_to_what(
    world: PriceWorld, client_for: ClientFor
) -> None:
    editor = client_for(world.inside_sales)
    changed = editor.patch(
        f"/api/v1/contracts/{world.contract.pk}",
        {"prices_are_final": True, "terms": "Final prices"},
        content_type=JSON,
    )
    assert changed.status_code == 200, changed.content

    response = client_for(world.admin).get(
        "/api/v1/audit", {"object_type": "contract", "object_id": str(world.contract.pk)}
    )

    assert response.json()["count"] == 1
    [entry] = _items(response)
    assert entry["action"] == "pricing.contract.changed"
    assert (entry["object_type"], entry["object_id"]) == ("contract", str(world.contract.pk))
    assert (entry["user"], entry["user_email"]) == (world.inside_sales.user_id, world.inside_sales.user.email)
    assert entry["before"] == {"prices_are_final": False, "terms": ""}
    assert entry["after"] == {"prices_are_final": True, "terms": "Final prices"}
    assert entry["at"]


def test_the_action_filter_keeps_the_actions_starting_with_it_newest_first(
    world: PriceWorld, client_for: ClientFor
) -> None:
    promotion = PromotionFactory(organization=world.org, name="Spring")
    editor = client_for(world.admin)
    editor.patch(f"/api/v1/promotions/{promotion.pk}", {"name": "Summer"}, content_type=JSON)
    editor.patch(f"/api/v1/contracts/{world.contract.pk}", {"priority": 5}, content_type=JSON)
    record_audit(
        organization_id=world.org.pk,
        actor_user_id=world.admin.user_id,
        action="account.credit_limit_changed",
        object_type="account",
        object_id=world.child.pk,
        before={"credit_limit": "1.00"},
        after={"credit_limit": "2.00"},
    )

    pricing = _items(editor.get("/api/v1/audit", {"action": "pricing."}))
    promotions = _items(editor.get("/api/v1/audit", {"action": "pricing.promotion"}))
    everything = _items(editor.get("/api/v1/audit"))

    assert [item["action"] for item in pricing] == ["pricing.contract.changed", "pricing.promotion.changed"]
    assert [(item["before"], item["after"]) for item in promotions] == [
        ({"name": "Spring"}, {"name": "Summer"})
    ]
    assert len(everything) == 3 and everything[0]["action"] == "account.credit_limit_changed"


def test_pages_are_limit_and_offset_with_the_total(world: PriceWorld, client_for: ClientFor) -> None:
    for number in range(5):
        record_audit(
            organization_id=world.org.pk,
            actor_user_id=None,
            action="pricing.promotion.changed",
            object_type="promotion",
            object_id=number,
            after={"value": str(number)},
        )

    response = client_for(world.admin).get("/api/v1/audit", {"limit": 2, "offset": 1})

    body = response.json()
    assert body["count"] == 5
    assert [item["object_id"] for item in body["items"]] == ["3", "2"]
    assert body["items"][0]["user"] is None and body["items"][0]["user_email"] is None


def test_another_organizations_entries_never_show(world: PriceWorld, client_for: ClientFor) -> None:
    client_for(world.other_admin).patch(
        f"/api/v1/price-lists/{world.other_web.pk}", {"name": "Theirs renamed"}, content_type=JSON
    )
    theirs = AuditEntry.objects.get(organization_id=world.other_org.pk)

    everything = client_for(world.admin).get("/api/v1/audit")
    by_object = client_for(world.admin).get(
        "/api/v1/audit", {"object_type": "price_list", "object_id": theirs.object_id}
    )

    assert everything.json() == {"count": 0, "items": []}
    assert by_object.json() == {"count": 0, "items": []}
    assert client_for(world.other_admin).get("/api/v1/audit").json()["count"] == 1


def test_sales_reps_and_buyers_may_not_read_the_audit_log(world: PriceWorld, client_for: ClientFor) -> None:
    client_for(world.admin).patch(
        f"/api/v1/contracts/{world.contract.pk}", {"priority": 5}, content_type=JSON
    )

    answers = [
        client_for(world.sales_rep).get("/api/v1/audit"),
        client_for(world.buyer).get("/api/v1/audit"),
        client_for(world.sales_rep).get(f"/api/v1/price-lists/{world.web.code}/audit"),
        client_for(world.buyer).get("/api/v1/price-lists/987654/audit"),  # the role before the lookup
    ]

    assert [answer.status_code for answer in answers] == [403] * 4
    assert {answer.json()["error"]["code"] for answer in answers} == {"not_allowed"}
    assert all(b"priority" not in answer.content for answer in answers)


def test_api_key_entries_are_for_admins_only(world: PriceWorld, client_for: ClientFor) -> None:
    created = client_for(world.admin).post("/api/v1/api-keys", {"name": "ERP sync"}, content_type=JSON)
    assert created.status_code == 201

    admin = _items(client_for(world.admin).get("/api/v1/audit", {"object_type": "api_key"}))
    warehouse = client_for(world.warehouse).get("/api/v1/audit", {"object_type": "api_key"})

    assert [item["action"] for item in admin] == ["api_key.created"]
    assert warehouse.json() == {"count": 0, "items": []}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 501}, "limit"),
        ({"offset": -1}, "offset"),
        ({"object_type": "x" * 51}, "object_type"),
        ({"action": "x" * 81}, "action"),
    ],
)
def test_bad_filters_are_a_422_naming_the_field(
    world: PriceWorld, client_for: ClientFor, query: dict[str, object], field: str
) -> None:
    response = client_for(world.admin).get("/api/v1/audit", query)

    assert response.status_code == 422
    assert any(name.endswith(field) for name in response.json()["error"]["fields"])


@pytest.mark.parametrize("rows", [1, 5])
def test_the_audit_list_costs_the_same_queries_for_one_and_many_rows(
    world: PriceWorld, client_for: ClientFor, rows: int, django_assert_num_queries: Any
) -> None:
    for number in range(rows):
        record_audit(
            organization_id=world.org.pk,
            actor_user_id=world.admin.user_id,
            action="pricing.price_rule.changed",
            object_type="price_rule",
            object_id=number,
            after={"priority": number},
        )
    client = client_for(world.admin)

    # auth; count; entries + user email (a subquery)
    with django_assert_num_queries(STAFF_AUTH_QUERIES + 2):
        response = client.get("/api/v1/audit")

    assert response.json()["count"] == rows


# --- a price list's own audit ----------------------------------------------------------------------


def test_a_price_lists_audit_shows_its_creation_settings_and_assignments(
    world: PriceWorld, client_for: ClientFor
) -> None:
    editor = client_for(world.admin)
    created = editor.post(
        "/api/v1/price-lists", {"code": "EU", "name": "Europe", "currency": "EUR"}, content_type=JSON
    )
    assert created.status_code == 201, created.content
    editor.patch("/api/v1/price-lists/EU", {"name": "Europe 2026", "is_active": False}, content_type=JSON)
    assigned = editor.post(
        "/api/v1/price-assignments",
        {"price_list": "EU", "customer_group": world.gold.pk, "priority": 20},
        content_type=JSON,
    )
    assert assigned.status_code == 201, assigned.content
    editor.delete(f"/api/v1/price-assignments/{assigned.json()['id']}")

    response = client_for(world.inside_sales).get("/api/v1/price-lists/EU/audit")

    items = _items(response)
    assert [item["action"] for item in items] == [
        "pricing.price_list.unassigned",
        "pricing.price_list.assigned",
        "pricing.price_list.changed",
        "pricing.price_list.created",
    ]
    assignment = {
        "assignment": assigned.json()["id"],
        "website": None,
        "customer_group": world.gold.pk,
        "account": None,
        "priority": 20,
    }
    assert (items[0]["before"], items[0]["after"]) == (assignment, {})
    assert (items[1]["before"], items[1]["after"]) == ({}, assignment)
    assert items[2]["before"] == {"name": "Europe", "is_active": True}
    assert items[2]["after"] == {"name": "Europe 2026", "is_active": False}
    assert items[3]["after"]["code"] == "EU" and items[3]["after"]["currency"] == "EUR"
    assert {item["user_email"] for item in items} == {world.admin.user.email}
    ids = {item["id"] for item in items}
    generic = _items(client_for(world.admin).get("/api/v1/audit", {"object_type": "price_list"}))
    assert ids <= {item["id"] for item in generic}


def test_another_organizations_list_is_a_404_and_its_name_is_not_ours(
    world: PriceWorld, client_for: ClientFor
) -> None:
    client_for(world.other_admin).patch(
        f"/api/v1/price-lists/{world.other_web.pk}", {"name": "Theirs"}, content_type=JSON
    )

    by_id = client_for(world.admin).get(f"/api/v1/price-lists/{world.other_web.pk}/audit")
    missing = client_for(world.admin).get("/api/v1/price-lists/987654/audit")
    ours = client_for(world.admin).get("/api/v1/price-lists/WEB/audit")  # our own WEB: no changes

    assert by_id.status_code == missing.status_code == 404
    assert by_id.json()["error"]["code"] == missing.json()["error"]["code"] == "price_list_not_found"
    assert ours.json() == {"count": 0, "items": []}
