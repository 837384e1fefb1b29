"""Transfers, expected receipts, suppliers, warehouse assignments and backorder policies over the API."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from meridian.inventory import services
from meridian.inventory.models import (
    AccountBackorderPolicy,
    BackorderPolicy,
    IncomingStock,
    ProductBackorderPolicy,
    StockMovement,
    Supplier,
    SupplierProduct,
    WarehouseAssignment,
)
from tests.api.auth_queries import auth_queries
from tests.api.conftest import ClientFor
from tests.api.test_inventory import JSON, Stockroom, allocate, build_stockroom, levels
from tests.customers.factories import AccountFactory
from tests.inventory.factories import IncomingStockFactory, SupplierFactory, receive
from tests.tenancy.factories import BranchFactory

D = Decimal


@pytest.fixture
def room() -> Stockroom:
    return build_stockroom()


# --- transfers ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_clerk_transfers_available_stock_and_the_ledger_pairs_the_two_halves(
    room: Stockroom, client_for: ClientFor
) -> None:
    receive(room.chicago, room.valve, 10)
    allocate(room, room.valve, 4)
    client = client_for(room.clerk)
    body = {"source": "CHI", "destination": "RNO", "sku": "VLV-100", "quantity": "5"}

    moved = client.post("/api/v1/stock/transfers", body, content_type=JSON)
    too_much = client.post("/api/v1/stock/transfers", {**body, "quantity": "2"}, content_type=JSON)

    assert moved.status_code == 201, moved.content
    out, into = moved.json()["transfer_out"], moved.json()["transfer_in"]
    assert (out["kind"], out["warehouse"], out["on_hand_delta"]) == ("transfer_out", "CHI", "-5.000")
    assert (into["kind"], into["warehouse"], into["paired_movement"]) == ("transfer_in", "RNO", out["id"])
    assert (too_much.status_code, too_much.json()["error"]["code"]) == (409, "insufficient_stock")
    assert levels(room.org) == [("CHI", "VLV-100", D(5), D(4)), ("RNO", "VLV-100", D(5), D(0))]


@pytest.mark.django_db
def test_a_transfer_retried_with_its_idempotency_key_moves_stock_once(
    room: Stockroom, client_for: ClientFor
) -> None:
    receive(room.chicago, room.valve, 10)
    client = client_for(room.clerk)
    body = {"source": "CHI", "destination": "RNO", "sku": "VLV-100", "quantity": "3"}
    headers = {"Idempotency-Key": "t-1"}

    first = client.post("/api/v1/stock/transfers", body, content_type=JSON, headers=headers)
    again = client.post("/api/v1/stock/transfers", body, content_type=JSON, headers=headers)
    other = client.post(
        "/api/v1/stock/transfers", {**body, "quantity": "1"}, content_type=JSON, headers=headers
    )

    assert (first.status_code, again.status_code, other.status_code) == (201, 201, 422)
    assert again.json() == first.json()
    assert StockMovement.objects.filter(kind="transfer_out").count() == 1


@pytest.mark.django_db
def test_transfers_are_for_stock_editors_of_the_organization_only(
    room: Stockroom, client_for: ClientFor
) -> None:
    receive(room.chicago, room.valve, 10)
    body = {"source": "CHI", "destination": "RNO", "sku": "VLV-100", "quantity": "1"}

    by_rep = client_for(room.rep).post("/api/v1/stock/transfers", body, content_type=JSON)
    by_buyer = client_for(room.buyer).post("/api/v1/stock/transfers", body, content_type=JSON)
    by_other = client_for(room.other_admin).post("/api/v1/stock/transfers", body, content_type=JSON)

    assert (by_rep.status_code, by_buyer.status_code) == (403, 403)
    assert by_other.status_code == 404  # their CHI exists, their RNO does not
    assert levels(room.org) == [("CHI", "VLV-100", D(10), D(0))]


# --- expected receipts ------------------------------------------------------------------------


@pytest.mark.django_db
def test_expected_receipts_are_recorded_listed_and_closed_by_their_receipt(
    room: Stockroom, client_for: ClientFor
) -> None:
    client = client_for(room.clerk)
    IncomingStockFactory(warehouse=room.other_chicago, product=room.other_valve)  # another seller's

    created = client.post(
        "/api/v1/stock/incoming",
        {"warehouse": "CHI", "sku": "VLV-100", "quantity": "40", "expected_date": "2030-03-04"},
        content_type=JSON,
    )
    incoming = IncomingStock.objects.get(pk=created.json()["id"])
    services.record_receipt(
        organization=room.org, warehouse=room.chicago, product=room.valve, quantity=D(40), incoming=incoming
    )
    open_only = client.get("/api/v1/stock/incoming")
    everything = client.get("/api/v1/stock/incoming", {"include_received": "true", "sku": "VLV-100"})
    unknown = client.get("/api/v1/stock/incoming", {"sku": "NOPE"})

    assert created.status_code == 201, created.content
    assert created.json()["expected_date"] == "2030-03-04"
    assert open_only.json() == {"count": 0, "items": []}
    assert everything.json()["count"] == 1
    assert everything.json()["items"][0]["received_at"] is not None
    assert (unknown.status_code, unknown.json()["error"]["fields"]) == (422, {"sku": ["no product NOPE"]})
    assert incoming.expected_date == date(2030, 3, 4)


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 5])
def test_the_incoming_list_takes_two_queries_whatever_the_rows(
    rows: int, room: Stockroom, client_for: ClientFor, django_assert_num_queries: Any
) -> None:
    for _ in range(rows):
        IncomingStockFactory(warehouse=room.chicago, product=room.valve)
    client = client_for(room.clerk)
    client.get("/api/v1/stock/incoming")  # the token's last_used_at is written once

    # auth (staff); count; incoming+warehouse+product
    with django_assert_num_queries(auth_queries(staff=True, last_use=False) + 2):
        response = client.get("/api/v1/stock/incoming")

    assert response.json()["count"] == rows


# --- suppliers --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_warehouse_manager_upserts_a_supplier_and_what_it_drop_ships(
    room: Stockroom, client_for: ClientFor
) -> None:
    client = client_for(room.clerk)
    SupplierFactory(organization=room.other_org, code="ACME")  # the same code at another seller

    created = client.post("/api/v1/suppliers", {"code": "ACME", "name": "Acme Valves"}, content_type=JSON)
    updated = client.post("/api/v1/suppliers", {"code": "ACME", "name": "Acme Valve Co"}, content_type=JSON)
    product = client.put(
        "/api/v1/suppliers/ACME/products/GSK-1",
        {"supplier_sku": "AC-77", "lead_time_days": 5, "can_dropship": True},
        content_type=JSON,
    )
    missing = client.put("/api/v1/suppliers/NOPE/products/GSK-1", {}, content_type=JSON)
    listed = client.get("/api/v1/suppliers")
    availability = client.get("/api/v1/availability", {"skus": "GSK-1"})

    assert (created.status_code, updated.status_code, product.status_code) == (201, 200, 200)
    assert updated.json()["name"] == "Acme Valve Co"
    assert product.json() == {
        "supplier": "ACME",
        "sku": "GSK-1",
        "supplier_sku": "AC-77",
        "lead_time_days": 5,
        "can_dropship": True,
    }
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "supplier_not_found")
    assert [item["code"] for item in listed.json()["items"]] == ["ACME"]
    assert availability.json()["items"][0]["dropship_lead_time_days"] == 5
    assert Supplier.objects.filter(organization=room.org).count() == 1
    assert SupplierProduct.objects.get().supplier.organization_id == room.org.pk


@pytest.mark.django_db
def test_suppliers_are_set_up_by_warehouse_managers_only(room: Stockroom, client_for: ClientFor) -> None:
    body = {"code": "ACME", "name": "Acme Valves"}

    answers = [
        client_for(member).post("/api/v1/suppliers", body, content_type=JSON).status_code
        for member in (room.rep, room.buyer)
    ]

    assert answers == [403, 403]
    assert not Supplier.objects.exists()


# --- warehouse assignments --------------------------------------------------------------------


@pytest.mark.django_db
def test_assignments_are_listed_and_changed_and_allocation_follows_at_once(
    room: Stockroom, client_for: ClientFor
) -> None:
    receive(room.chicago, room.valve, 5)
    receive(room.reno, room.valve, 5)
    allocate(room, room.valve, 1, reference="SO-1")  # CHI first: priority 1, and routing cached
    branch = BranchFactory(organization=room.org)
    client = client_for(room.admin)

    raised = client.post(
        "/api/v1/warehouse-assignments",
        {"warehouse": "RNO", "website": room.website.pk, "priority": 0},
        content_type=JSON,
    )
    for_branch = client.post(
        "/api/v1/warehouse-assignments", {"warehouse": "CHI", "branch": branch.pk}, content_type=JSON
    )
    neither = client.post("/api/v1/warehouse-assignments", {"warehouse": "CHI"}, content_type=JSON)
    foreign_branch = client.post(
        "/api/v1/warehouse-assignments",
        {"warehouse": "CHI", "branch": BranchFactory(organization=room.other_org).pk},
        content_type=JSON,
    )
    allocate(room, room.valve, 1, reference="SO-2")
    listed = client.get("/api/v1/warehouse-assignments")

    assert raised.status_code == 200, raised.content
    assert (raised.json()["warehouse"], raised.json()["priority"]) == ("RNO", 0)
    assert (for_branch.json()["branch"], for_branch.json()["website"]) == (branch.pk, None)
    assert (neither.status_code, neither.json()["error"]["code"]) == (422, "invalid_input")
    assert foreign_branch.status_code == 422
    assert [(i["warehouse"], i["priority"]) for i in listed.json()["items"]] == [
        ("CHI", 1),
        ("CHI", 100),
        ("RNO", 0),
    ]
    assert levels(room.org) == [("CHI", "VLV-100", D(5), D(1)), ("RNO", "VLV-100", D(5), D(1))]
    assert WarehouseAssignment.objects.filter(warehouse__organization=room.other_org).count() == 0


# --- backorder policies -----------------------------------------------------------------------


@pytest.mark.django_db
def test_backorder_policies_per_product_and_account_and_null_removes_them(
    room: Stockroom, client_for: ClientFor
) -> None:
    client = client_for(room.clerk)
    foreign = AccountFactory(organization=room.other_org)

    product = client.put(
        "/api/v1/backorder-policies/products/VLV-100", {"policy": "allow"}, content_type=JSON
    )
    account = client.put(
        f"/api/v1/backorder-policies/accounts/{room.account.pk}", {"policy": "partial"}, content_type=JSON
    )
    not_ours = client.put(
        f"/api/v1/backorder-policies/accounts/{foreign.pk}", {"policy": "partial"}, content_type=JSON
    )
    bad = client.put("/api/v1/backorder-policies/products/VLV-100", {"policy": "maybe"}, content_type=JSON)
    policies = (
        ProductBackorderPolicy.objects.get(product=room.valve).policy,
        AccountBackorderPolicy.objects.get(account=room.account).policy,
    )
    removed = client.put("/api/v1/backorder-policies/products/VLV-100", {"policy": None}, content_type=JSON)

    assert (product.status_code, account.status_code) == (200, 200)
    assert policies == (BackorderPolicy.ALLOW, BackorderPolicy.PARTIAL)
    assert (not_ours.status_code, bad.status_code) == (404, 422)
    assert not AccountBackorderPolicy.objects.filter(account=foreign).exists()
    assert removed.json() == {"policy": None}
    assert not ProductBackorderPolicy.objects.filter(product=room.valve).exists()
