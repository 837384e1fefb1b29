"""The inventory API: warehouses, stock levels (one and bulk), the ledger, roles and scope."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from decimal import Decimal
from typing import Any

import pytest

from meridian.catalog.models import Product
from meridian.core.actor import StaffRole
from meridian.customers.models import Account, BuyerUser
from meridian.inventory import services
from meridian.inventory.models import StockLevel, StockMovement, Warehouse
from meridian.staff.models import StaffMember
from meridian.tenancy.models import Organization, Website
from tests.api.auth_queries import auth_queries
from tests.api.conftest import ClientFor
from tests.catalog.factories import ProductFactory
from tests.customers.factories import AccountFactory, BuyerUserFactory
from tests.inventory.factories import SupplierFactory, WarehouseAssignmentFactory, WarehouseFactory, receive
from tests.staff.factories import StaffMemberFactory
from tests.tenancy.factories import OrganizationFactory, WebsiteFactory

JSON = "application/json"
D = Decimal
STOCK_EDITORS = {StaffRole.ADMIN, StaffRole.WAREHOUSE, StaffRole.INSIDE_SALES}


@dataclass
class Stockroom:
    org: Organization
    website: Website
    chicago: Warehouse
    reno: Warehouse
    valve: Product
    gasket: Product
    admin: StaffMember
    clerk: StaffMember  # warehouse role
    rep: StaffMember
    account: Account
    buyer: BuyerUser
    other_org: Organization
    other_chicago: Warehouse  # same code, another seller
    other_valve: Product  # same SKU, another seller
    other_admin: StaffMember


def build_stockroom() -> Stockroom:
    org = OrganizationFactory(name="Northwind Supply")
    website = WebsiteFactory(organization=org)
    chicago = WarehouseFactory(
        organization=org,
        code="CHI",
        name="Chicago DC",
        timezone="America/Chicago",
        cutoff_time=time(15, 0),
        external_id="WMS-CHI",
    )
    reno = WarehouseFactory(
        organization=org, code="RNO", name="Reno DC", timezone="America/Los_Angeles", cutoff_time=time(14, 0)
    )
    WarehouseAssignmentFactory(warehouse=chicago, website=website, priority=1)
    WarehouseAssignmentFactory(warehouse=reno, website=website, priority=2)
    account = AccountFactory(organization=org, name="Acme Industries")
    other_org = OrganizationFactory(name="Southwind Supply")
    WebsiteFactory(organization=other_org)
    return Stockroom(
        org=org,
        website=website,
        chicago=chicago,
        reno=reno,
        valve=ProductFactory(organization=org, sku="VLV-100", name="Brass ball valve"),
        gasket=ProductFactory(organization=org, sku="GSK-1", name="Gasket"),
        admin=StaffMemberFactory(organization=org, role=StaffRole.ADMIN),
        clerk=StaffMemberFactory(organization=org, role=StaffRole.WAREHOUSE),
        rep=StaffMemberFactory(organization=org, role=StaffRole.SALES_REP),
        account=account,
        buyer=BuyerUserFactory(account=account),
        other_org=other_org,
        other_chicago=WarehouseFactory(organization=other_org, code="CHI", external_id="WMS-CHI"),
        other_valve=ProductFactory(organization=other_org, sku="VLV-100"),
        other_admin=StaffMemberFactory(organization=other_org, role=StaffRole.ADMIN),
    )


@pytest.fixture
def room() -> Stockroom:
    return build_stockroom()


def levels(org: Organization) -> list[tuple[str, str, Decimal, Decimal]]:
    return sorted(
        StockLevel.objects.filter(organization=org).values_list(
            "warehouse__code", "product__sku", "on_hand", "allocated"
        )
    )


def allocate(room: Stockroom, product: Product, quantity: int, reference: str = "SO-1") -> None:
    services.allocate_order(
        organization=room.org,
        website=room.website,
        account=None,
        ship_to=None,
        lines=[services.OrderLine("1", product.pk, D(quantity))],
        reference=reference,
    )


# --- warehouses -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_staff_list_their_warehouses_by_code(room: Stockroom, client_for: ClientFor) -> None:
    response = client_for(room.rep).get("/api/v1/warehouses")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [item["code"] for item in body["items"]] == ["CHI", "RNO"]
    assert body["items"][0] == {
        "id": room.chicago.pk,
        "code": "CHI",
        "name": "Chicago DC",
        "kind": "own",
        "supplier": None,
        "address_line1": "",
        "address_line2": "",
        "city": "",
        "region": "",
        "postal_code": "",
        "country": "",
        "latitude": None,
        "longitude": None,
        "timezone": "America/Chicago",
        "cutoff_time": "15:00",
        "shipping_weekdays": "12345",
        "is_active": True,
        "external_id": "WMS-CHI",
        "created_at": body["items"][0]["created_at"],
    }


@pytest.mark.django_db
def test_warehouses_need_a_token_and_are_not_for_buyers(room: Stockroom, client_for: ClientFor) -> None:
    from django.test import Client

    anonymous = Client().get("/api/v1/warehouses")
    buyer = client_for(room.buyer).get("/api/v1/warehouses")

    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["code"] == "not_authenticated"
    assert buyer.status_code == 403
    assert buyer.json()["error"]["code"] == "not_allowed"


@pytest.mark.django_db
def test_warehouse_manager_creates_then_updates_a_warehouse_by_code(
    room: Stockroom, client_for: ClientFor
) -> None:
    client = client_for(room.clerk)
    body = {
        "code": "EDI",
        "name": "Edison 3PL",
        "kind": "3pl",
        "city": "Edison",
        "country": "us",
        "latitude": "40.518700",
        "longitude": "-74.412100",
        "timezone": "America/New_York",
        "cutoff_time": "16:30",
        "shipping_weekdays": "123456",
        "external_id": "3PL-7",
    }

    created = client.post("/api/v1/warehouses", body, content_type=JSON)
    updated = client.post("/api/v1/warehouses", {**body, "name": "Edison NJ"}, content_type=JSON)

    assert created.status_code == 201, created.content
    assert updated.status_code == 200
    warehouse = Warehouse.objects.get(organization=room.org, code="EDI")
    assert (warehouse.name, warehouse.kind, warehouse.country) == ("Edison NJ", "3pl", "US")
    assert (warehouse.cutoff_time, warehouse.timezone) == (time(16, 30), "America/New_York")
    assert updated.json()["latitude"] == "40.518700"
    assert updated.json()["cutoff_time"] == "16:30"
    assert updated.json()["id"] == created.json()["id"] == warehouse.pk


@pytest.mark.django_db
def test_a_dropship_warehouse_names_its_supplier_by_code(room: Stockroom, client_for: ClientFor) -> None:
    SupplierFactory(organization=room.org, code="ACME-SUP")
    SupplierFactory(organization=room.other_org, code="THEIRS")
    client = client_for(room.admin)

    created = client.post(
        "/api/v1/warehouses",
        {"code": "DS-ACME", "name": "Acme drop-ship", "kind": "dropship", "supplier": "ACME-SUP"},
        content_type=JSON,
    )
    foreign = client.post(
        "/api/v1/warehouses",
        {"code": "DS-X", "name": "X", "kind": "dropship", "supplier": "THEIRS"},
        content_type=JSON,
    )

    assert created.status_code == 201
    assert created.json()["supplier"] == "ACME-SUP"
    assert foreign.status_code == 422
    assert foreign.json()["error"]["fields"] == {"supplier": ["no supplier THEIRS"]}


@pytest.mark.django_db
def test_bad_warehouse_input_answers_422_with_the_fields(room: Stockroom, client_for: ClientFor) -> None:
    client = client_for(room.admin)

    schema = client.post(
        "/api/v1/warehouses",
        {"code": "X1", "name": "X", "kind": "moon", "latitude": "91", "cutoff_time": "25:00"},
        content_type=JSON,
    )
    domain = client.post(
        "/api/v1/warehouses",
        {"code": "123", "name": "X", "timezone": "Mars/Base", "latitude": "10"},
        content_type=JSON,
    )

    assert schema.status_code == 422
    assert set(schema.json()["error"]["fields"]) == {"kind", "latitude", "cutoff_time"}
    assert domain.status_code == 422
    assert set(domain.json()["error"]["fields"]) == {"code", "timezone", "latitude"}
    assert not Warehouse.objects.filter(organization=room.org, name="X").exists()


@pytest.mark.django_db
def test_a_cutoff_with_an_offset_is_refused_the_warehouse_timezone_applies(
    room: Stockroom, client_for: ClientFor
) -> None:
    response = client_for(room.admin).post(
        "/api/v1/warehouses", {"code": "X1", "name": "X", "cutoff_time": "15:00+02:00"}, content_type=JSON
    )

    assert response.status_code == 422
    assert list(response.json()["error"]["fields"]) == ["cutoff_time"]


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(StaffRole))
def test_only_admins_and_warehouse_staff_set_up_warehouses(
    role: StaffRole, room: Stockroom, client_for: ClientFor
) -> None:
    member = StaffMemberFactory(organization=room.org, role=role)

    response = client_for(member).post(
        "/api/v1/warehouses", {"code": "NEW", "name": "New DC"}, content_type=JSON
    )

    allowed = role in {StaffRole.ADMIN, StaffRole.WAREHOUSE}
    assert response.status_code == (201 if allowed else 403), response.content
    assert Warehouse.objects.filter(organization=room.org, code="NEW").exists() is allowed


@pytest.mark.django_db
def test_another_organizations_warehouse_with_the_same_code_is_untouched(
    room: Stockroom, client_for: ClientFor
) -> None:
    response = client_for(room.admin).post(
        "/api/v1/warehouses", {"code": "CHI", "name": "Renamed"}, content_type=JSON
    )

    assert response.status_code == 200
    room.other_chicago.refresh_from_db()
    assert room.other_chicago.name != "Renamed"
    assert response.json()["id"] == room.chicago.pk


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 5])
def test_warehouse_list_query_count_is_flat(
    rows: int, client_for: ClientFor, django_assert_num_queries: Any
) -> None:
    org = OrganizationFactory()
    WebsiteFactory(organization=org)
    supplier = SupplierFactory(organization=org)
    for index in range(rows):
        WarehouseFactory(organization=org, code=f"DS{index}", kind=Warehouse.Kind.DROPSHIP, supplier=supplier)
    client = client_for(StaffMemberFactory(organization=org, role=StaffRole.SALES_MANAGER))

    # auth (staff, the token's last use); count, warehouses+supplier
    with django_assert_num_queries(auth_queries(staff=True) + 2):
        response = client.get("/api/v1/warehouses")

    assert response.json()["count"] == rows
    assert all(item["supplier"] == supplier.code for item in response.json()["items"])


# --- one stock level --------------------------------------------------------------------------


@pytest.mark.django_db
def test_stock_of_one_product_in_one_warehouse_by_code_id_or_external_id(
    room: Stockroom, client_for: ClientFor
) -> None:
    receive(room.chicago, room.valve, 40)
    allocate(room, room.valve, 15)
    client = client_for(room.rep)

    answers = [
        client.get(f"/api/v1/stock/{reference}/VLV-100")
        for reference in ("CHI", str(room.chicago.pk), "ext:WMS-CHI")
    ]
    never_held = client.get("/api/v1/stock/RNO/GSK-1")

    expected = {"warehouse": "CHI", "sku": "VLV-100", "on_hand": "40.000", "allocated": "15.000"}
    assert all(answer.status_code == 200 for answer in answers)
    assert all(answer.json() == {**expected, "available": "25.000"} for answer in answers)
    assert never_held.json() == {
        "warehouse": "RNO",
        "sku": "GSK-1",
        "on_hand": "0.000",
        "allocated": "0.000",
        "available": "0.000",
    }


@pytest.mark.django_db
def test_a_sku_with_a_slash_is_addressable(room: Stockroom, client_for: ClientFor) -> None:
    pipe = ProductFactory(organization=room.org, sku="PIPE-1/2")
    receive(room.chicago, pipe, 6)

    response = client_for(room.rep).get("/api/v1/stock/CHI/PIPE-1/2")

    assert (response.status_code, response.json()["sku"], response.json()["on_hand"]) == (
        200,
        "PIPE-1/2",
        "6.000",
    )


@pytest.mark.django_db
def test_stock_of_another_organization_answers_404_like_a_missing_one(
    room: Stockroom, client_for: ClientFor
) -> None:
    receive(room.other_chicago, room.other_valve, 7)
    client = client_for(room.other_admin)  # their CHI and VLV-100 exist; ours must stay invisible
    ours_only = ProductFactory(organization=room.org, sku="OURS-1")

    by_id = client.get(f"/api/v1/stock/{room.chicago.pk}/VLV-100")
    our_sku = client.get(f"/api/v1/stock/CHI/{ours_only.sku}")
    missing = client.get("/api/v1/stock/987654321/VLV-100")
    theirs = client.get("/api/v1/stock/CHI/VLV-100")

    assert (by_id.status_code, by_id.json()["error"]["code"]) == (404, "warehouse_not_found")
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "warehouse_not_found")
    assert (our_sku.status_code, our_sku.json()["error"]["code"]) == (404, "product_not_found")
    assert theirs.json()["on_hand"] == "7.000"


@pytest.mark.django_db
@pytest.mark.parametrize("reference", ["ext:", "²", "99999999999999999999999999", "ext:nope"])
def test_unusable_warehouse_references_are_not_found(
    reference: str, room: Stockroom, client_for: ClientFor
) -> None:
    response = client_for(room.admin).get(f"/api/v1/stock/{reference}/VLV-100")

    assert response.status_code == 404


@pytest.mark.django_db
def test_buyers_may_not_read_stock_levels(room: Stockroom, client_for: ClientFor) -> None:
    response = client_for(room.buyer).get("/api/v1/stock/CHI/VLV-100")

    assert response.status_code == 403


@pytest.mark.django_db
def test_put_stock_sets_on_hand_through_one_ledger_adjustment(room: Stockroom, client_for: ClientFor) -> None:
    receive(room.chicago, room.valve, 40)

    response = client_for(room.clerk).put(
        "/api/v1/stock/CHI/VLV-100",
        {"on_hand": "37", "reason": "Cycle count", "reference": "CC-9"},
        content_type=JSON,
    )

    assert response.status_code == 200, response.content
    adjustment = StockMovement.objects.get(organization=room.org, kind=StockMovement.Kind.ADJUSTMENT)
    assert response.json() == {
        "warehouse": "CHI",
        "sku": "VLV-100",
        "on_hand": "37.000",
        "allocated": "0.000",
        "available": "37.000",
        "movement": adjustment.pk,
    }
    assert (adjustment.on_hand_delta, adjustment.reason, adjustment.reference) == (
        D(-3),
        "Cycle count",
        "CC-9",
    )
    assert adjustment.actor_user_id == room.clerk.user_id


@pytest.mark.django_db
def test_put_stock_below_what_is_allocated_is_a_conflict_and_changes_nothing(
    room: Stockroom, client_for: ClientFor
) -> None:
    receive(room.chicago, room.valve, 40)
    allocate(room, room.valve, 15)
    before = levels(room.org)

    response = client_for(room.admin).put("/api/v1/stock/CHI/VLV-100", {"on_hand": "10"}, content_type=JSON)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "stock_allocated"
    assert levels(room.org) == before


@pytest.mark.django_db
def test_put_stock_with_bad_input_answers_422_with_the_field(room: Stockroom, client_for: ClientFor) -> None:
    client = client_for(room.admin)

    negative = client.put("/api/v1/stock/CHI/VLV-100", {"on_hand": "-1"}, content_type=JSON)
    too_fine = client.put("/api/v1/stock/CHI/VLV-100", {"on_hand": "1.0001"}, content_type=JSON)
    no_reason = client.put("/api/v1/stock/CHI/VLV-100", {"on_hand": "1", "reason": ""}, content_type=JSON)

    assert [r.status_code for r in (negative, too_fine, no_reason)] == [422, 422, 422]
    assert list(negative.json()["error"]["fields"]) == ["on_hand"]
    assert list(too_fine.json()["error"]["fields"]) == ["on_hand"]
    assert list(no_reason.json()["error"]["fields"]) == ["reason"]
    assert levels(room.org) == []


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(StaffRole))
def test_stock_is_changed_by_admins_warehouse_staff_and_inside_sales_only(
    role: StaffRole, room: Stockroom, client_for: ClientFor
) -> None:
    member = StaffMemberFactory(organization=room.org, role=role)

    response = client_for(member).put("/api/v1/stock/CHI/VLV-100", {"on_hand": "5"}, content_type=JSON)

    allowed = role in STOCK_EDITORS
    assert response.status_code == (200 if allowed else 403), response.content
    assert levels(room.org) == ([("CHI", "VLV-100", D(5), D(0))] if allowed else [])


@pytest.mark.django_db
def test_put_stock_of_another_organization_answers_404_and_changes_nothing(
    room: Stockroom, client_for: ClientFor
) -> None:
    receive(room.chicago, room.valve, 40)

    response = client_for(room.other_admin).put(
        f"/api/v1/stock/{room.chicago.pk}/VLV-100", {"on_hand": "0"}, content_type=JSON
    )

    assert response.status_code == 404
    assert levels(room.org) == [("CHI", "VLV-100", D(40), D(0))]


# --- bulk stock count -------------------------------------------------------------------------


@pytest.mark.django_db
def test_bulk_count_sets_every_row_and_skips_rows_already_counted(
    room: Stockroom, client_for: ClientFor
) -> None:
    receive(room.chicago, room.valve, 40)
    receive(room.reno, room.valve, 10)
    rows = [
        {"warehouse": "CHI", "sku": "VLV-100", "on_hand": "35"},
        {"warehouse": "ext:WMS-CHI", "sku": "GSK-1", "on_hand": 200},
        {"warehouse": str(room.reno.pk), "sku": "VLV-100", "on_hand": "10"},
    ]

    response = client_for(room.clerk).put(
        "/api/v1/stock", {"rows": rows, "reference": "COUNT-2026-03"}, content_type=JSON
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["rows"], body["changed"]) == (3, 2)
    assert [(item["warehouse"], item["sku"], item["on_hand"]) for item in body["items"]] == [
        ("CHI", "VLV-100", "35.000"),
        ("CHI", "GSK-1", "200.000"),
        ("RNO", "VLV-100", "10.000"),
    ]
    assert levels(room.org) == [
        ("CHI", "GSK-1", D(200), D(0)),
        ("CHI", "VLV-100", D(35), D(0)),
        ("RNO", "VLV-100", D(10), D(0)),
    ]
    counted = StockMovement.objects.filter(organization=room.org, reference="COUNT-2026-03")
    assert sorted(counted.values_list("on_hand_delta", flat=True)) == [D(-5), D(200)]
    assert set(counted.values_list("reason", flat=True)) == {"Stock count"}


@pytest.mark.django_db
def test_bulk_count_with_bad_rows_reports_every_row_and_applies_nothing(
    room: Stockroom, client_for: ClientFor
) -> None:
    receive(room.chicago, room.valve, 40)
    allocate(room, room.valve, 30)
    before = levels(room.org)
    movements = StockMovement.objects.count()
    rows = [
        {"warehouse": "CHI", "sku": "GSK-1", "on_hand": "5"},  # fine on its own
        {"warehouse": "NOPE", "sku": "VLV-100", "on_hand": "1"},
        {"warehouse": "CHI", "sku": "NO-SUCH", "on_hand": "-2"},
        {"warehouse": "CHI", "sku": "GSK-1", "on_hand": "6"},  # the same pair as row 0
        {"sku": "VLV-100", "on_hand": "abc"},
    ]

    response = client_for(room.admin).put("/api/v1/stock", {"rows": rows}, content_type=JSON)

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_rows"
    assert [(e["row"], e["field"]) for e in error["rows"]] == [
        (1, "warehouse"),
        (2, "on_hand"),
        (2, "sku"),
        (3, "sku"),
        (4, "warehouse"),
        (4, "on_hand"),
    ]
    assert "rows.1.warehouse" in error["fields"]
    assert levels(room.org) == before
    assert StockMovement.objects.count() == movements


@pytest.mark.django_db
def test_bulk_count_refuses_duplicates_and_counts_below_allocated_and_applies_nothing(
    room: Stockroom, client_for: ClientFor
) -> None:
    receive(room.chicago, room.valve, 40)
    allocate(room, room.valve, 30)
    before = levels(room.org)
    client = client_for(room.admin)

    duplicate = client.put(
        "/api/v1/stock",
        {
            "rows": [
                {"warehouse": "CHI", "sku": "GSK-1", "on_hand": "5"},
                {"warehouse": "ext:WMS-CHI", "sku": "GSK-1", "on_hand": "6"},
            ]
        },
        content_type=JSON,
    )
    below = client.put(
        "/api/v1/stock",
        {
            "rows": [
                {"warehouse": "CHI", "sku": "GSK-1", "on_hand": "5"},
                {"warehouse": "CHI", "sku": "VLV-100", "on_hand": "29"},
            ]
        },
        content_type=JSON,
    )

    assert duplicate.status_code == 422
    assert duplicate.json()["error"]["rows"] == [
        {"row": 1, "field": "sku", "message": "the same warehouse and SKU as row 0"}
    ]
    assert below.status_code == 422
    assert below.json()["error"]["rows"] == [
        {"row": 1, "field": "on_hand", "message": "below the 30.000 allocated"}
    ]
    assert levels(room.org) == before


@pytest.mark.django_db
def test_bulk_count_needs_rows_and_a_stock_editor(room: Stockroom, client_for: ClientFor) -> None:
    row = {"warehouse": "CHI", "sku": "GSK-1", "on_hand": "5"}

    empty = client_for(room.admin).put("/api/v1/stock", {"rows": []}, content_type=JSON)
    by_rep = client_for(room.rep).put("/api/v1/stock", {"rows": [row]}, content_type=JSON)
    by_buyer = client_for(room.buyer).put("/api/v1/stock", {"rows": [row]}, content_type=JSON)

    assert empty.status_code == 422
    assert list(empty.json()["error"]["fields"]) == ["rows"]
    assert (by_rep.status_code, by_buyer.status_code) == (403, 403)
    assert levels(room.org) == []


@pytest.mark.django_db
def test_bulk_count_never_touches_another_organizations_stock(room: Stockroom, client_for: ClientFor) -> None:
    receive(room.other_chicago, room.other_valve, 7)

    response = client_for(room.admin).put(
        "/api/v1/stock",
        {"rows": [{"warehouse": str(room.other_chicago.pk), "sku": "VLV-100", "on_hand": "0"}]},
        content_type=JSON,
    )

    assert response.status_code == 422
    assert response.json()["error"]["rows"][0]["field"] == "warehouse"
    assert levels(room.other_org) == [("CHI", "VLV-100", D(7), D(0))]


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 5])
def test_bulk_count_query_count_is_flat(
    rows: int, room: Stockroom, client_for: ClientFor, django_assert_num_queries: Any
) -> None:
    products = [ProductFactory(organization=room.org, sku=f"BULK-{index}") for index in range(rows)]
    for product in products:
        receive(room.chicago, product, 10)
    client = client_for(room.clerk)
    body = {"rows": [{"warehouse": "CHI", "sku": p.sku, "on_hand": "12"} for p in products]}

    # auth (staff, the token's last use); warehouses; products; organization; savepoint; existing levels;
    # lock levels; update levels; insert movements; outbox event; release savepoint
    with django_assert_num_queries(auth_queries(staff=True) + 10):
        response = client.put("/api/v1/stock", body, content_type=JSON)

    assert response.json()["changed"] == rows


# --- the ledger -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_post_a_receipt_and_an_adjustment_to_the_ledger(room: Stockroom, client_for: ClientFor) -> None:
    client = client_for(room.clerk)

    receipt = client.post(
        "/api/v1/stock/movements",
        {"kind": "receipt", "warehouse": "CHI", "sku": "VLV-100", "quantity": "24", "reference": "PO-77"},
        content_type=JSON,
    )
    adjustment = client.post(
        "/api/v1/stock/movements",
        {"kind": "adjustment", "warehouse": "CHI", "sku": "VLV-100", "quantity": "-2", "reason": "Damaged"},
        content_type=JSON,
    )

    assert receipt.status_code == 201, receipt.content
    assert adjustment.status_code == 201, adjustment.content
    assert {
        key: receipt.json()[key] for key in ("kind", "warehouse", "sku", "on_hand_delta", "reference")
    } == {
        "kind": "receipt",
        "warehouse": "CHI",
        "sku": "VLV-100",
        "on_hand_delta": "24.000",
        "reference": "PO-77",
    }
    assert receipt.json()["reason"] == "Receipt"
    assert (adjustment.json()["on_hand_after"], adjustment.json()["reason"]) == ("22.000", "Damaged")
    assert adjustment.json()["actor_user_id"] == room.clerk.user_id
    assert levels(room.org) == [("CHI", "VLV-100", D(22), D(0))]


@pytest.mark.django_db
def test_movement_input_errors_name_their_fields_and_change_nothing(
    room: Stockroom, client_for: ClientFor
) -> None:
    receive(room.chicago, room.valve, 5)
    client = client_for(room.clerk)

    def post(body: dict[str, object]) -> Any:
        base = {"kind": "adjustment", "warehouse": "CHI", "sku": "VLV-100", "quantity": "-1"}
        return client.post("/api/v1/stock/movements", {**base, **body}, content_type=JSON)

    transfer = post({"kind": "transfer_out", "reason": "x"})
    no_reason = post({})
    zero_receipt = post({"kind": "receipt", "quantity": "0"})
    below_zero = post({"quantity": "-6", "reason": "Lost"})
    unknown_warehouse = post({"warehouse": "NOPE", "reason": "x"})

    assert (transfer.status_code, list(transfer.json()["error"]["fields"])) == (422, ["kind"])
    assert (no_reason.status_code, list(no_reason.json()["error"]["fields"])) == (422, ["reason"])
    assert (zero_receipt.status_code, list(zero_receipt.json()["error"]["fields"])) == (422, ["quantity"])
    assert (below_zero.status_code, below_zero.json()["error"]["code"]) == (409, "insufficient_stock")
    assert (unknown_warehouse.status_code, unknown_warehouse.json()["error"]["code"]) == (
        404,
        "warehouse_not_found",
    )
    assert levels(room.org) == [("CHI", "VLV-100", D(5), D(0))]


@pytest.mark.django_db
def test_movements_are_recorded_by_stock_editors_only_and_never_in_another_organization(
    room: Stockroom, client_for: ClientFor
) -> None:
    body = {"kind": "receipt", "warehouse": str(room.chicago.pk), "sku": "VLV-100", "quantity": "1"}

    by_rep = client_for(room.rep).post("/api/v1/stock/movements", body, content_type=JSON)
    by_buyer = client_for(room.buyer).post("/api/v1/stock/movements", body, content_type=JSON)
    by_outsider = client_for(room.other_admin).post("/api/v1/stock/movements", body, content_type=JSON)

    assert (by_rep.status_code, by_buyer.status_code, by_outsider.status_code) == (403, 403, 404)
    assert StockMovement.objects.count() == 0


@pytest.mark.django_db
def test_a_retry_with_the_same_external_reference_returns_the_first_movement(
    room: Stockroom, client_for: ClientFor
) -> None:
    client = client_for(room.clerk)
    body = {
        "kind": "receipt",
        "warehouse": "CHI",
        "sku": "VLV-100",
        "quantity": "24",
        "external_reference": "ASN-1",
    }

    first = client.post("/api/v1/stock/movements", body, content_type=JSON)
    retry = client.post("/api/v1/stock/movements", body, content_type=JSON)
    different = client.post("/api/v1/stock/movements", {**body, "quantity": "25"}, content_type=JSON)

    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.json() == first.json()
    assert (different.status_code, different.json()["error"]["code"]) == (409, "external_reference_conflict")
    assert levels(room.org) == [("CHI", "VLV-100", D(24), D(0))]


@pytest.mark.django_db
def test_the_ledger_lists_newest_first_with_filters(room: Stockroom, client_for: ClientFor) -> None:
    receive(room.chicago, room.valve, 40)
    receive(room.reno, room.gasket, 8)
    allocate(room, room.valve, 5, reference="SO-42")
    services.adjust_stock(
        organization=room.org,
        warehouse=room.chicago,
        product=room.valve,
        delta=D(-1),
        reason="Damaged",
        external_reference="WMS-ADJ-9",
    )
    receive(room.other_chicago, room.other_valve, 3)
    client = client_for(room.rep)

    def kinds(**filters: str) -> list[str]:
        response = client.get("/api/v1/stock/movements", filters)
        assert response.status_code == 200, response.content
        return [item["kind"] for item in response.json()["items"]]

    assert kinds() == ["adjustment", "allocation", "receipt", "receipt"]
    assert kinds(warehouse="RNO") == ["receipt"]
    assert kinds(sku="VLV-100") == ["adjustment", "allocation", "receipt"]
    assert kinds(kind="allocation") == ["allocation"]
    assert kinds(reference="SO-42") == ["allocation"]
    assert kinds(reference="WMS-ADJ-9") == ["adjustment"]
    assert kinds(since="2999-01-01T00:00:00Z") == []
    assert kinds(until="2000-01-01T00:00:00Z") == []
    page = client.get("/api/v1/stock/movements", {"limit": 2, "offset": 1}).json()
    assert (page["count"], [item["kind"] for item in page["items"]]) == (4, ["allocation", "receipt"])


@pytest.mark.django_db
def test_ledger_filters_naming_nothing_are_bad_input(room: Stockroom, client_for: ClientFor) -> None:
    client = client_for(room.rep)

    warehouse = client.get("/api/v1/stock/movements", {"warehouse": str(room.other_chicago.pk)})
    sku = client.get("/api/v1/stock/movements", {"sku": "NO-SUCH"})
    kind = client.get("/api/v1/stock/movements", {"kind": "teleport"})
    since = client.get("/api/v1/stock/movements", {"since": "yesterday"})

    assert [r.status_code for r in (warehouse, sku, kind, since)] == [422, 422, 422, 422]
    assert [list(r.json()["error"]["fields"]) for r in (warehouse, sku, kind, since)] == [
        ["warehouse"],
        ["sku"],
        ["kind"],
        ["since"],
    ]


@pytest.mark.django_db
def test_buyers_may_not_read_the_ledger(room: Stockroom, client_for: ClientFor) -> None:
    receive(room.chicago, room.valve, 40)

    response = client_for(room.buyer).get("/api/v1/stock/movements")

    assert response.status_code == 403
    assert "VLV-100" not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 5])
def test_ledger_query_count_is_flat(
    rows: int, room: Stockroom, client_for: ClientFor, django_assert_num_queries: Any
) -> None:
    for index in range(rows):
        receive(room.chicago if index % 2 else room.reno, ProductFactory(organization=room.org), 3)
    client = client_for(room.rep)

    # auth (staff, the token's last use); count, movements+warehouse+product
    with django_assert_num_queries(auth_queries(staff=True) + 2):
        response = client.get("/api/v1/stock/movements")

    assert response.json()["count"] == rows
