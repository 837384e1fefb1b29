"""The pricing API: price lists, entries (bulk upsert), assignments, contracts, promotions, coupons
and the audit trail. Resolution: test_pricing_resolve.py; a product's price: test_pricing_catalog.py."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from meridian.core.actor import StaffRole
from meridian.pricing.models import (
    Contract,
    Coupon,
    PriceAssignment,
    PriceChange,
    PriceList,
    PriceListEntry,
    Promotion,
)
from tests.api.auth_queries import auth_queries
from tests.api.conftest import ClientFor
from tests.catalog.factories import ProductFactory
from tests.customers.factories import CustomerGroupFactory
from tests.pricing.channel_world import PriceWorld, build_price_world
from tests.pricing.factories import (
    CouponFactory,
    PriceAssignmentFactory,
    PriceListEntryFactory,
    PriceListFactory,
    PromotionFactory,
)

JSON = "application/json"
D = Decimal
# auth (staff, the token's last use)
STAFF_AUTH_QUERIES = auth_queries(staff=True)


@pytest.fixture
def world(db: None) -> PriceWorld:
    return build_price_world()


def _codes(response: Any) -> list[str]:
    return [item["code"] for item in response.json()["items"]]


def _entries(price_list: PriceList) -> list[tuple[str, str, Decimal, Decimal]]:
    return sorted(
        (entry.product.sku, entry.uom, entry.min_quantity, entry.price)
        for entry in PriceListEntry.objects.filter(price_list=price_list).select_related("product")
    )


# --- price lists -------------------------------------------------------------------------------


def test_staff_list_their_organizations_price_lists_with_entry_counts(
    world: PriceWorld, client_for: ClientFor
) -> None:
    response = client_for(world.admin).get("/api/v1/price-lists")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2  # not the other seller's WEB
    assert [(item["code"], item["currency"], item["entry_count"]) for item in body["items"]] == [
        ("K-ACME", "USD", 1),
        ("WEB", "USD", 3),
    ]


def test_price_lists_search_by_code_or_name(world: PriceWorld, client_for: ClientFor) -> None:
    response = client_for(world.sales_rep).get("/api/v1/price-lists", {"q": "acme"})

    assert _codes(response) == ["K-ACME"]


def test_price_lists_need_a_token(world: PriceWorld) -> None:
    response = Client().get("/api/v1/price-lists")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


@pytest.mark.parametrize(
    "path", ["/api/v1/price-lists", "/api/v1/price-lists/WEB", "/api/v1/price-lists/WEB/entries"]
)
def test_buyers_may_not_read_price_lists(world: PriceWorld, client_for: ClientFor, path: str) -> None:
    response = client_for(world.buyer).get(path)

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_allowed"


def test_one_price_list_by_code_id_or_erp_key(world: PriceWorld, client_for: ClientFor) -> None:
    PriceList.objects.filter(pk=world.web.pk).update(external_id="SAP-PL-1")
    client = client_for(world.warehouse)

    answers = [client.get(f"/api/v1/price-lists/{ref}") for ref in ("WEB", str(world.web.pk), "ext:SAP-PL-1")]

    assert [a.status_code for a in answers] == [200, 200, 200]
    assert {a.json()["id"] for a in answers} == {world.web.pk}
    assert answers[0].json()["entry_count"] == 3


@pytest.mark.parametrize("reference", ["K-ACME", "id", "NOPE", "ext:", "99999999999999999999999"])
def test_another_sellers_price_list_answers_404(
    world: PriceWorld, client_for: ClientFor, reference: str
) -> None:
    path = f"/api/v1/price-lists/{world.contract_list.pk if reference == 'id' else reference}"

    response = client_for(world.other_admin).get(path)

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "price_list_not_found"


def test_the_same_code_names_each_sellers_own_list(world: PriceWorld, client_for: ClientFor) -> None:
    response = client_for(world.other_admin).get("/api/v1/price-lists/WEB")

    assert response.json()["id"] == world.other_web.pk


@pytest.mark.parametrize("rows", [1, 5])
def test_price_list_list_query_count_is_flat(
    world: PriceWorld, client_for: ClientFor, rows: int, django_assert_num_queries: Any
) -> None:
    for number in range(rows):
        PriceListFactory(organization=world.org, code=f"EXTRA-{number}")
    client = client_for(world.admin)

    # auth; count; lists with entry counts
    with django_assert_num_queries(STAFF_AUTH_QUERIES + 2):
        response = client.get("/api/v1/price-lists")

    assert response.json()["count"] == rows + 2


def test_price_editors_create_price_lists(world: PriceWorld, client_for: ClientFor) -> None:
    response = client_for(world.inside_sales).post(
        "/api/v1/price-lists",
        {
            "code": "EU-2025",
            "name": "Europe 2025",
            "currency": "eur",
            "valid_from": "2025-01-01",
            "valid_to": "2025-12-31",
            "external_id": "SAP-EU",
        },
        content_type=JSON,
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["code"], body["currency"], body["valid_to"], body["entry_count"]) == (
        "EU-2025",
        "EUR",
        "2025-12-31",
        0,
    )
    assert PriceList.objects.get(pk=body["id"]).organization_id == world.org.pk


@pytest.mark.parametrize("role", [StaffRole.SALES_REP, StaffRole.WAREHOUSE, StaffRole.FINANCE, "buyer"])
def test_only_price_editors_create_price_lists(world: PriceWorld, client_for: ClientFor, role: str) -> None:
    member = world.buyer if role == "buyer" else world.staff(StaffRole(role))

    response = client_for(member).post(
        "/api/v1/price-lists", {"code": "X", "name": "X", "currency": "USD"}, content_type=JSON
    )

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_allowed"
    assert not PriceList.objects.filter(code="X").exists()


def test_a_taken_price_list_code_answers_409(world: PriceWorld, client_for: ClientFor) -> None:
    response = client_for(world.admin).post(
        "/api/v1/price-lists", {"code": "WEB", "name": "Again", "currency": "USD"}, content_type=JSON
    )

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "price_list_code_taken"
    assert PriceList.objects.filter(organization=world.org, code="WEB").count() == 1


def test_bad_price_list_values_answer_422_with_fields(world: PriceWorld, client_for: ClientFor) -> None:
    client = client_for(world.admin)

    domain = client.post(
        "/api/v1/price-lists",
        {
            "code": "BAD CODE",
            "name": "x",
            "currency": "XYZ",
            "valid_from": "2025-02-01",
            "valid_to": "2025-01-01",
        },
        content_type=JSON,
    )
    schema = client.post("/api/v1/price-lists", {"code": "", "currency": "USD"}, content_type=JSON)

    assert domain.status_code == 422
    assert set(domain.json()["error"]["fields"]) == {"code", "currency", "valid_to"}
    assert schema.status_code == 422
    assert set(schema.json()["error"]["fields"]) == {"code", "name"}
    assert PriceList.objects.filter(organization=world.org).count() == 2


def test_patch_changes_only_the_fields_sent(world: PriceWorld, client_for: ClientFor) -> None:
    response = client_for(world.admin).patch(
        "/api/v1/price-lists/WEB", {"name": "Web 2025", "is_active": False}, content_type=JSON
    )

    assert response.status_code == 200
    world.web.refresh_from_db()
    assert (world.web.name, world.web.is_active, world.web.currency) == ("Web 2025", False, "USD")
    assert response.json()["entry_count"] == 3


def test_patch_may_not_change_the_currency_of_a_list_with_entries(
    world: PriceWorld, client_for: ClientFor
) -> None:
    response = client_for(world.admin).patch(
        "/api/v1/price-lists/WEB", {"currency": "EUR"}, content_type=JSON
    )

    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"currency": ["cannot change on a list with entries"]}
    world.web.refresh_from_db()
    assert world.web.currency == "USD"


def test_patch_by_role_and_across_sellers(world: PriceWorld, client_for: ClientFor) -> None:
    by_rep = client_for(world.sales_rep).patch("/api/v1/price-lists/WEB", {"name": "Rep"}, content_type=JSON)
    by_other = client_for(world.other_admin).patch(
        "/api/v1/price-lists/K-ACME", {"name": "Theirs"}, content_type=JSON
    )

    assert (by_rep.status_code, by_other.status_code) == (403, 404)
    world.web.refresh_from_db()
    world.contract_list.refresh_from_db()
    assert (world.web.name, world.contract_list.name) == ("Web list", "Acme contract")


# --- entries -----------------------------------------------------------------------------------


def test_entries_are_listed_by_sku_unit_and_tier_with_paging(
    world: PriceWorld, client_for: ClientFor
) -> None:
    client = client_for(world.sales_rep)

    first = client.get("/api/v1/price-lists/WEB/entries", {"limit": 2})
    bolt = client.get("/api/v1/price-lists/WEB/entries", {"sku": "BOLT"})

    assert first.status_code == 200
    assert first.json()["count"] == 3
    assert first.json()["currency"] == "USD"
    assert [(i["sku"], i["min_quantity"], i["price"]) for i in first.json()["items"]] == [
        ("BOLT", "1", "0.50"),
        ("BOLT", "100", "0.45"),
    ]
    assert bolt.json()["count"] == 2


@pytest.mark.parametrize("rows", [1, 5])
def test_entry_list_query_count_is_flat(
    world: PriceWorld, client_for: ClientFor, rows: int, django_assert_num_queries: Any
) -> None:
    price_list = PriceListFactory(organization=world.org, code="FLAT")
    for number in range(rows):
        PriceListEntryFactory(
            price_list=price_list, product=ProductFactory(organization=world.org, sku=f"F-{number}")
        )
    client = client_for(world.admin)

    # auth; the list (by code), the list (scope check); count; entries+product
    with django_assert_num_queries(STAFF_AUTH_QUERIES + 4):
        response = client.get("/api/v1/price-lists/FLAT/entries")

    assert response.json()["count"] == rows


def test_bulk_upsert_creates_updates_and_reports_counts_with_an_audit(
    world: PriceWorld, client_for: ClientFor
) -> None:
    response = client_for(world.inside_sales).put(
        "/api/v1/price-lists/WEB/entries",
        [
            {"sku": "BOLT", "price": "0.55", "min_quantity": "1", "uom": "EA"},  # changed
            {"sku": "BOLT", "price": "0.45", "min_quantity": 100},  # unchanged (base unit by default)
            {"sku": "BOLT", "price": "5.00", "min_quantity": "1", "uom": "BX"},  # new: a box price
            {"sku": "HAMMER", "price": 24, "valid_from": "2030-01-01"},  # new: a scheduled change
        ],
        content_type=JSON,
    )

    assert response.status_code == 200
    assert response.json() == {"created": 2, "updated": 1, "unchanged": 1}
    assert _entries(world.web) == [
        ("BOLT", "BX", D("1.000"), D("5.0000")),
        ("BOLT", "EA", D("1.000"), D("0.5500")),
        ("BOLT", "EA", D("100.000"), D("0.4500")),
        ("HAMMER", "EA", D("1.000"), D("24.0000")),
        ("HAMMER", "EA", D("1.000"), D("25.0000")),
    ]
    audit = PriceChange.objects.filter(price_list=world.web)
    changes = [(c.product.sku, c.uom, c.old_price, c.new_price, c.changed_by_id) for c in audit]
    assert sorted(changes, key=str) == sorted(
        [
            ("BOLT", "BX", None, D("5.0000"), world.inside_sales.user_id),
            ("HAMMER", "EA", None, D("24.0000"), world.inside_sales.user_id),
            ("BOLT", "EA", D("0.5000"), D("0.5500"), world.inside_sales.user_id),
        ],
        key=str,
    )


def test_bulk_upsert_also_takes_an_object_with_rows(world: PriceWorld, client_for: ClientFor) -> None:
    response = client_for(world.admin).put(
        "/api/v1/price-lists/WEB/entries", {"rows": [{"sku": "HAMMER", "price": "26"}]}, content_type=JSON
    )

    assert response.json() == {"created": 0, "updated": 1, "unchanged": 0}


def test_bulk_upsert_is_all_or_nothing_with_a_report_per_row(
    world: PriceWorld, client_for: ClientFor
) -> None:
    before = _entries(world.web)

    response = client_for(world.admin).put(
        "/api/v1/price-lists/WEB/entries",
        [
            {"sku": "BOLT", "price": "0.60"},  # fine, but not applied
            {"sku": "HAMMER", "price": "cheap"},  # not a number
            {"sku": "NOPE", "price": "1.00"},  # unknown SKU
            {"sku": "HAMMER", "price": "-1", "min_quantity": "0"},  # two problems
            {"sku": "BOLT", "price": "0.61", "uom": "PAL"},  # no such unit
            {"sku": "BOLT", "price": "0.62"},  # the same key as row 0
            {"price": "1"},  # no SKU
        ],
        content_type=JSON,
    )

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_price_rows"
    assert error["fields"] == {
        "rows.1.price": ["Input should be a valid decimal"],
        "rows.2.sku": ["unknown SKU 'NOPE'"],
        "rows.3.min_quantity": ["must be greater than 0"],
        "rows.3.price": ["must not be negative"],
        "rows.4.uom": ["BOLT has no unit PAL"],
        "rows.5.sku": ["same sku, uom, min_quantity and valid_from as row 1"],
        "rows.6.sku": ["Field required"],
    }
    assert [(row["row"], row["field"]) for row in error["rows"]] == [
        (1, "price"),
        (2, "sku"),
        (3, "min_quantity"),
        (3, "price"),
        (4, "uom"),
        (5, "sku"),
        (6, "sku"),
    ]
    assert _entries(world.web) == before
    assert not PriceChange.objects.exists()


@pytest.mark.parametrize("role", [StaffRole.SALES_REP, StaffRole.WAREHOUSE, "buyer"])
def test_only_price_editors_upsert_entries_even_into_unknown_lists(
    world: PriceWorld, client_for: ClientFor, role: str
) -> None:
    client = client_for(world.buyer if role == "buyer" else world.staff(StaffRole(role)))
    before = _entries(world.web)

    known = client.put(
        "/api/v1/price-lists/WEB/entries", [{"sku": "BOLT", "price": "0.01"}], content_type=JSON
    )
    unknown = client.put(
        "/api/v1/price-lists/NOPE/entries", [{"sku": "BOLT", "price": "1"}], content_type=JSON
    )

    assert (known.status_code, unknown.status_code) == (403, 403)
    assert known.json()["error"]["code"] == "not_allowed"
    assert _entries(world.web) == before


def test_upserting_into_another_sellers_list_answers_404(world: PriceWorld, client_for: ClientFor) -> None:
    before = _entries(world.contract_list)

    response = client_for(world.other_admin).put(
        f"/api/v1/price-lists/{world.contract_list.pk}/entries",
        [{"sku": "BOLT", "price": "0.01"}],
        content_type=JSON,
    )

    assert response.status_code == 404
    assert _entries(world.contract_list) == before


# --- assignments -------------------------------------------------------------------------------


def test_assignments_list_with_their_targets(world: PriceWorld, client_for: ClientFor) -> None:
    PriceAssignmentFactory(price_list=world.contract_list, customer_group=world.gold, priority=10)

    response = client_for(world.admin).get("/api/v1/price-assignments")
    by_list = client_for(world.admin).get("/api/v1/price-assignments", {"price_list": "K-ACME"})

    assert response.status_code == 200
    assert [(i["price_list"], i["target"], i["priority"]) for i in response.json()["items"]] == [
        ("K-ACME", "customer_group", 10),
        ("WEB", "website", 100),
    ]
    assert by_list.json()["count"] == 1


def test_a_sales_rep_sees_assignments_to_their_own_accounts_only(
    world: PriceWorld, client_for: ClientFor
) -> None:
    PriceAssignmentFactory(price_list=world.contract_list, account=world.child)
    PriceAssignmentFactory(price_list=world.contract_list, account=world.sibling)

    response = client_for(world.sales_rep).get("/api/v1/price-assignments")
    other_seller = client_for(world.other_admin).get("/api/v1/price-assignments")

    assert {(i["target"], i["account"]) for i in response.json()["items"]} == {
        ("website", None),
        ("account", world.child.pk),
    }
    assert other_seller.json()["count"] == 0


def test_buyers_may_not_read_assignments(world: PriceWorld, client_for: ClientFor) -> None:
    response = client_for(world.buyer).get("/api/v1/price-assignments")

    assert response.status_code == 403


@pytest.mark.parametrize("rows", [1, 5])
def test_assignment_list_query_count_is_flat(
    world: PriceWorld, client_for: ClientFor, rows: int, django_assert_num_queries: Any
) -> None:
    for number in range(rows - 1):
        PriceAssignmentFactory(
            price_list=world.web,
            customer_group=CustomerGroupFactory(organization=world.org, code=f"G{number}"),
        )
    client = client_for(world.admin)

    # auth; count; assignments+list, website, group, account
    with django_assert_num_queries(STAFF_AUTH_QUERIES + 2):
        response = client.get("/api/v1/price-assignments")

    assert response.json()["count"] == rows


def test_assign_a_list_to_a_group_by_code_and_to_an_account_by_erp_key(
    world: PriceWorld, client_for: ClientFor
) -> None:
    client = client_for(world.admin)

    group = client.post(
        "/api/v1/price-assignments",
        {"price_list": "K-ACME", "customer_group": "GOLD", "priority": 5},
        content_type=JSON,
    )
    account = client.post(
        "/api/v1/price-assignments", {"price_list": world.web.pk, "account": "ext:SAP-1"}, content_type=JSON
    )

    assert group.status_code == 201
    assert (group.json()["target"], group.json()["customer_group"], group.json()["priority"]) == (
        "customer_group",
        world.gold.pk,
        5,
    )
    assert account.status_code == 201
    assert (account.json()["target"], account.json()["account"]) == ("account", world.parent.pk)


def test_bad_assignments_answer_422_or_409(world: PriceWorld, client_for: ClientFor) -> None:
    client = client_for(world.admin)
    before = PriceAssignment.objects.count()

    two_targets = client.post(
        "/api/v1/price-assignments",
        {"price_list": "WEB", "website": world.website.pk, "account": world.child.pk},
        content_type=JSON,
    )
    unknown_group = client.post(
        "/api/v1/price-assignments", {"price_list": "WEB", "customer_group": "PLATINUM"}, content_type=JSON
    )
    foreign_account = client.post(
        "/api/v1/price-assignments",
        {"price_list": "WEB", "account": world.other_account.pk},
        content_type=JSON,
    )
    unknown_list = client.post(
        "/api/v1/price-assignments", {"price_list": "NOPE", "website": world.website.pk}, content_type=JSON
    )
    again = client.post(
        "/api/v1/price-assignments", {"price_list": "WEB", "website": world.website.pk}, content_type=JSON
    )

    assert [r.status_code for r in (two_targets, unknown_group, foreign_account, unknown_list)] == [422] * 4
    assert list(two_targets.json()["error"]["fields"]) == ["target"]
    assert list(unknown_group.json()["error"]["fields"]) == ["customer_group"]
    assert list(foreign_account.json()["error"]["fields"]) == ["account"]
    assert list(unknown_list.json()["error"]["fields"]) == ["price_list"]
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "price_assignment_exists"
    assert PriceAssignment.objects.count() == before


def test_only_price_editors_assign(world: PriceWorld, client_for: ClientFor) -> None:
    response = client_for(world.sales_rep).post(
        "/api/v1/price-assignments", {"price_list": "K-ACME", "account": world.child.pk}, content_type=JSON
    )

    assert response.status_code == 403
    assert not PriceAssignment.objects.filter(account=world.child).exists()


def test_delete_an_assignment(world: PriceWorld, client_for: ClientFor) -> None:
    assignment = PriceAssignment.objects.get(price_list=world.web)
    client = client_for(world.admin)

    first = client.delete(f"/api/v1/price-assignments/{assignment.pk}")
    second = client.delete(f"/api/v1/price-assignments/{assignment.pk}")

    assert (first.status_code, second.status_code) == (204, 404)
    assert second.json()["error"]["code"] == "price_assignment_not_found"
    assert not PriceAssignment.objects.filter(pk=assignment.pk).exists()


def test_delete_by_role_and_across_sellers_changes_nothing(world: PriceWorld, client_for: ClientFor) -> None:
    assignment = PriceAssignment.objects.get(price_list=world.web)

    by_rep = client_for(world.sales_rep).delete(f"/api/v1/price-assignments/{assignment.pk}")
    by_other = client_for(world.other_admin).delete(f"/api/v1/price-assignments/{assignment.pk}")

    assert (by_rep.status_code, by_other.status_code) == (403, 404)
    assert PriceAssignment.objects.filter(pk=assignment.pk).exists()


# --- contracts ---------------------------------------------------------------------------------


def _numbers(response: Any) -> list[str]:
    return [item["number"] for item in response.json()["items"]]


def test_contracts_follow_the_callers_scope(world: PriceWorld, client_for: ClientFor) -> None:
    Contract.objects.create(
        organization=world.org, number="C-TEX", account=world.sibling, price_list=world.contract_list
    )

    as_buyer = client_for(world.buyer).get("/api/v1/contracts")
    as_sibling_buyer = client_for(world.sibling_buyer).get("/api/v1/contracts")
    as_rep = client_for(world.sales_rep).get("/api/v1/contracts")
    as_admin = client_for(world.admin).get("/api/v1/contracts")
    as_other_seller = client_for(world.other_admin).get("/api/v1/contracts")

    assert _numbers(as_buyer) == ["C-ACME"]
    assert as_buyer.json()["items"][0]["price_list"] == "K-ACME"
    assert _numbers(as_sibling_buyer) == ["C-TEX"]
    assert _numbers(as_rep) == ["C-ACME"]
    assert sorted(_numbers(as_admin)) == ["C-ACME", "C-TEX"]
    assert _numbers(as_other_seller) == []


def test_contracts_of_an_account_outside_the_scope_answer_404(
    world: PriceWorld, client_for: ClientFor
) -> None:
    response = client_for(world.sibling_buyer).get("/api/v1/contracts", {"account": world.child.pk})

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "account_not_found"


@pytest.mark.parametrize("rows", [1, 5])
def test_contract_list_query_count_is_flat(
    world: PriceWorld, client_for: ClientFor, rows: int, django_assert_num_queries: Any
) -> None:
    for number in range(rows - 1):
        Contract.objects.create(
            organization=world.org, number=f"C-{number}", account=world.grandchild, price_list=world.web
        )
    client = client_for(world.admin)

    # auth; count; contracts+account, price list
    with django_assert_num_queries(STAFF_AUTH_QUERIES + 2):
        response = client.get("/api/v1/contracts")

    assert response.json()["count"] == rows


def test_price_editors_create_contracts(world: PriceWorld, client_for: ClientFor) -> None:
    response = client_for(world.admin).post(
        "/api/v1/contracts",
        {
            "number": "C-2025-7",
            "account": "ext:SAP-1",
            "price_list": "K-ACME",
            "applies_to_children": True,
            "prices_are_final": True,
            "valid_from": "2025-01-01",
            "terms": "Net prices, no promotions.",
        },
        content_type=JSON,
    )

    assert response.status_code == 201
    contract = Contract.objects.get(number="C-2025-7")
    assert (contract.account_id, contract.price_list_id, contract.prices_are_final) == (
        world.parent.pk,
        world.contract_list.pk,
        True,
    )


def test_bad_contracts_answer_409_422_or_403(world: PriceWorld, client_for: ClientFor) -> None:
    body = {"number": "C-ACME", "account": world.child.pk, "price_list": "K-ACME"}

    taken = client_for(world.admin).post("/api/v1/contracts", body, content_type=JSON)
    foreign = client_for(world.admin).post(
        "/api/v1/contracts", {**body, "number": "C-X", "account": world.other_account.pk}, content_type=JSON
    )
    window = client_for(world.admin).post(
        "/api/v1/contracts",
        {**body, "number": "C-Y", "valid_from": "2025-02-01", "valid_to": "2025-01-01"},
        content_type=JSON,
    )
    by_rep = client_for(world.sales_rep).post(
        "/api/v1/contracts", {**body, "number": "C-Z"}, content_type=JSON
    )

    assert (taken.status_code, taken.json()["error"]["code"]) == (409, "contract_number_taken")
    assert (foreign.status_code, list(foreign.json()["error"]["fields"])) == (422, ["account"])
    assert (window.status_code, list(window.json()["error"]["fields"])) == (422, ["valid_to"])
    assert by_rep.status_code == 403
    assert Contract.objects.count() == 1


# --- promotions and coupons --------------------------------------------------------------------


def test_price_editors_create_promotions_with_conditions(world: PriceWorld, client_for: ClientFor) -> None:
    response = client_for(world.admin).post(
        "/api/v1/promotions",
        {
            "name": "Gold fasteners week",
            "kind": "percent_off_line",
            "value": "8",
            "stacking": "exclusive",
            "priority": 10,
            "customer_group": "GOLD",
            "category": "fasteners",
            "product": "HAMMER",
            "min_quantity": "2",
            "starts_at": "2025-01-01T00:00:00Z",
            "ends_at": "2035-01-01T00:00:00Z",
        },
        content_type=JSON,
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["kind"], body["value"], body["stacking"], body["product"], body["customer_group"]) == (
        "percent_off_line",
        "8",
        "exclusive",
        "HAMMER",
        world.gold.pk,
    )
    promotion = Promotion.objects.get(pk=body["id"])
    assert (promotion.category_id, promotion.min_quantity) == (world.fasteners.pk, D("2"))


def test_bad_promotions_answer_422_with_fields(world: PriceWorld, client_for: ClientFor) -> None:
    client = client_for(world.admin)

    domain = client.post(
        "/api/v1/promotions",
        {"name": "Ten off", "kind": "amount_off_order", "value": "10"},
        content_type=JSON,
    )
    unknown_product = client.post(
        "/api/v1/promotions",
        {"name": "x", "kind": "percent_off_line", "value": "5", "product": "NOPE"},
        content_type=JSON,
    )
    schema = client.post(
        "/api/v1/promotions", {"name": "x", "kind": "free_lunch", "value": "1"}, content_type=JSON
    )

    assert (domain.status_code, list(domain.json()["error"]["fields"])) == (422, ["currency"])
    assert (unknown_product.status_code, list(unknown_product.json()["error"]["fields"])) == (
        422,
        ["product"],
    )
    assert (schema.status_code, list(schema.json()["error"]["fields"])) == (422, ["kind"])
    assert not Promotion.objects.exists()


@pytest.mark.parametrize("role", [StaffRole.SALES_REP, StaffRole.FINANCE, "buyer"])
def test_only_price_editors_create_promotions(world: PriceWorld, client_for: ClientFor, role: str) -> None:
    client = client_for(world.buyer if role == "buyer" else world.staff(StaffRole(role)))

    response = client.post(
        "/api/v1/promotions", {"name": "Mine", "kind": "percent_off_line", "value": "50"}, content_type=JSON
    )

    assert response.status_code == 403
    assert not Promotion.objects.exists()


def test_promotions_are_read_by_staff_of_their_seller_only(world: PriceWorld, client_for: ClientFor) -> None:
    promotion = PromotionFactory(organization=world.org, name="Spring", product=world.hammer)
    CouponFactory(
        promotion=PromotionFactory(organization=world.org, name="Coupon deal", requires_coupon=True)
    )

    listed = client_for(world.sales_rep).get("/api/v1/promotions")
    one = client_for(world.sales_rep).get(f"/api/v1/promotions/{promotion.pk}")
    by_buyer = client_for(world.buyer).get("/api/v1/promotions")
    by_other = client_for(world.other_admin).get(f"/api/v1/promotions/{promotion.pk}")

    assert [(i["name"], i["coupon_count"]) for i in listed.json()["items"]] == [
        ("Spring", 0),
        ("Coupon deal", 1),
    ]
    assert (one.status_code, one.json()["product"]) == (200, "HAMMER")
    assert by_buyer.status_code == 403
    assert (by_other.status_code, by_other.json()["error"]["code"]) == (404, "promotion_not_found")


@pytest.mark.parametrize("rows", [1, 5])
def test_promotion_list_query_count_is_flat(
    world: PriceWorld, client_for: ClientFor, rows: int, django_assert_num_queries: Any
) -> None:
    for number in range(rows):
        PromotionFactory(organization=world.org, name=f"P{number}", product=world.bolt)
    client = client_for(world.admin)

    # auth; count; promotions+product with coupon counts
    with django_assert_num_queries(STAFF_AUTH_QUERIES + 2):
        response = client.get("/api/v1/promotions")

    assert response.json()["count"] == rows


def test_coupons_of_a_coupon_promotion(world: PriceWorld, client_for: ClientFor) -> None:
    promotion = PromotionFactory(organization=world.org, requires_coupon=True)
    automatic = PromotionFactory(organization=world.org)
    client = client_for(world.admin)

    created = client.post(
        f"/api/v1/promotions/{promotion.pk}/coupons",
        {"code": "spring10", "usage_limit": 100, "per_account_limit": 1},
        content_type=JSON,
    )
    taken = client.post(f"/api/v1/promotions/{promotion.pk}/coupons", {"code": "SPRING10"}, content_type=JSON)
    not_a_coupon_promotion = client.post(
        f"/api/v1/promotions/{automatic.pk}/coupons", {"code": "AUTO"}, content_type=JSON
    )
    listed = client.get(f"/api/v1/promotions/{promotion.pk}/coupons")
    by_other = client_for(world.other_admin).post(
        f"/api/v1/promotions/{promotion.pk}/coupons", {"code": "THEIRS"}, content_type=JSON
    )

    assert created.status_code == 201
    assert (created.json()["code"], created.json()["times_used"]) == ("SPRING10", 0)
    assert (taken.status_code, taken.json()["error"]["code"]) == (409, "coupon_code_taken")
    assert (not_a_coupon_promotion.status_code, list(not_a_coupon_promotion.json()["error"]["fields"])) == (
        422,
        ["promotion"],
    )
    assert [item["code"] for item in listed.json()["items"]] == ["SPRING10"]
    assert by_other.status_code == 404
    assert list(Coupon.objects.values_list("code", flat=True)) == ["SPRING10"]


# --- the audit trail ---------------------------------------------------------------------------


def test_price_changes_say_who_changed_what_when(world: PriceWorld, client_for: ClientFor) -> None:
    client_for(world.inside_sales).put(
        "/api/v1/price-lists/WEB/entries", [{"sku": "HAMMER", "price": "27.50"}], content_type=JSON
    )

    response = client_for(world.sales_rep).get("/api/v1/price-changes", {"sku": "HAMMER"})
    by_list = client_for(world.admin).get("/api/v1/price-changes", {"price_list": "K-ACME"})
    by_buyer = client_for(world.buyer).get("/api/v1/price-changes")

    assert response.status_code == 200
    [change] = response.json()["items"]
    assert (change["changed_by"], change["price_list"], change["old_price"], change["new_price"]) == (
        world.inside_sales.user.email,
        "WEB",
        "25.0000",
        "27.5000",
    )
    assert by_list.json()["count"] == 0
    assert by_buyer.status_code == 403


def test_price_changes_of_an_unknown_list_answer_422(world: PriceWorld, client_for: ClientFor) -> None:
    response = client_for(world.other_admin).get("/api/v1/price-changes", {"price_list": "K-ACME"})

    assert response.status_code == 422
    assert list(response.json()["error"]["fields"]) == ["price_list"]


@pytest.mark.parametrize("rows", [1, 5])
def test_price_change_list_query_count_is_flat(
    world: PriceWorld, client_for: ClientFor, rows: int, django_assert_num_queries: Any
) -> None:
    editor = client_for(world.admin)
    for number in range(rows):
        editor.put(
            "/api/v1/price-lists/WEB/entries", [{"sku": "HAMMER", "price": f"3{number}"}], content_type=JSON
        )
    client = client_for(world.inside_sales)

    # auth; count; changes+user, list, product, account
    with django_assert_num_queries(STAFF_AUTH_QUERIES + 2):
        response = client.get("/api/v1/price-changes")

    assert response.json()["count"] == rows


@pytest.mark.parametrize("rows", [1, 5])
def test_coupon_list_query_count_is_flat(
    world: PriceWorld, client_for: ClientFor, rows: int, django_assert_num_queries: Any
) -> None:
    promotion = PromotionFactory(organization=world.org, requires_coupon=True)
    for number in range(rows):
        CouponFactory(promotion=promotion, code=f"CODE-{number}")
    client = client_for(world.admin)

    # auth; the promotion, the promotion (scope); count; coupons
    with django_assert_num_queries(STAFF_AUTH_QUERIES + 4):
        response = client.get(f"/api/v1/promotions/{promotion.pk}/coupons")

    assert response.json()["count"] == rows


@pytest.mark.parametrize("role", [StaffRole.SALES_REP, StaffRole.WAREHOUSE, "buyer"])
def test_only_price_editors_add_coupons(world: PriceWorld, client_for: ClientFor, role: str) -> None:
    promotion = PromotionFactory(organization=world.org, requires_coupon=True)
    client = client_for(world.buyer if role == "buyer" else world.staff(StaffRole(role)))

    response = client.post(f"/api/v1/promotions/{promotion.pk}/coupons", {"code": "MINE"}, content_type=JSON)

    assert response.status_code == 403
    assert not Coupon.objects.exists()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/price-lists"),
        ("post", "/api/v1/price-lists"),
        ("get", "/api/v1/price-lists/WEB"),
        ("patch", "/api/v1/price-lists/WEB"),
        ("get", "/api/v1/price-lists/WEB/entries"),
        ("put", "/api/v1/price-lists/WEB/entries"),
        ("get", "/api/v1/price-assignments"),
        ("post", "/api/v1/price-assignments"),
        ("delete", "/api/v1/price-assignments/1"),
        ("get", "/api/v1/contracts"),
        ("post", "/api/v1/contracts"),
        ("get", "/api/v1/promotions"),
        ("post", "/api/v1/promotions"),
        ("get", "/api/v1/promotions/1"),
        ("get", "/api/v1/promotions/1/coupons"),
        ("post", "/api/v1/promotions/1/coupons"),
        ("get", "/api/v1/price-changes"),
        ("post", "/api/v1/prices/resolve"),
    ],
)
def test_every_pricing_endpoint_needs_a_token(world: PriceWorld, method: str, path: str) -> None:
    response = getattr(Client(), method)(path, {}, content_type=JSON)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
