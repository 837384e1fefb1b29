"""Console stock pages: stock levels, the ledger, receipts, adjustments and transfers, expected
receipts, drop-ship purchase orders."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from meridian.catalog.models import Product
from meridian.core.actor import StaffRole
from meridian.inventory import services
from meridian.inventory.models import (
    BackorderPolicy,
    IncomingStock,
    StockLevel,
    StockMovement,
    Supplier,
    SupplierPurchaseOrder,
    Warehouse,
)
from meridian.staff.models import StaffMember
from meridian.tenancy.models import Organization, Website
from tests.catalog.factories import ProductFactory
from tests.customers.factories import AccountFactory, BuyerUserFactory
from tests.inventory.factories import (
    IncomingStockFactory,
    SupplierFactory,
    SupplierProductFactory,
    WarehouseAssignmentFactory,
    WarehouseFactory,
    receive,
)
from tests.staff.factories import StaffMemberFactory
from tests.tenancy.factories import OrganizationFactory, WebsiteFactory

D = Decimal
STOCK_EDITORS = {StaffRole.ADMIN, StaffRole.WAREHOUSE, StaffRole.INSIDE_SALES}


@dataclass
class Depot:
    org: Organization
    website: Website
    chicago: Warehouse
    reno: Warehouse
    valve: Product
    gasket: Product
    clerk: StaffMember


@pytest.fixture
def depot(org: Organization) -> Depot:
    website = Website.objects.get(organization=org)
    chicago = WarehouseFactory(organization=org, code="CHI", name="Chicago DC")
    reno = WarehouseFactory(organization=org, code="RNO", name="Reno DC")
    WarehouseAssignmentFactory(warehouse=chicago, website=website, priority=1)
    return Depot(
        org=org,
        website=website,
        chicago=chicago,
        reno=reno,
        valve=ProductFactory(organization=org, sku="VLV-100", name="Brass ball valve"),
        gasket=ProductFactory(organization=org, sku="GSK-1", name="Rubber gasket"),
        clerk=StaffMemberFactory(organization=org, role=StaffRole.WAREHOUSE, user__full_name="Wes Warehouse"),
    )


def words(response: Any) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def on_hand(warehouse: Warehouse, product: Product) -> Decimal | None:
    level = StockLevel.objects.filter(warehouse=warehouse, product=product).first()
    return level.on_hand if level else None


def csrf_token(client: Client, path: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', client.get(path).content.decode())
    assert match, f"no CSRF token on {path}"
    return match.group(1)


# --- stock levels -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_staff_see_stock_by_product_and_warehouse_and_filter_it(
    client: Client, depot: Depot, rep: StaffMember
) -> None:
    receive(depot.chicago, depot.valve, 40)
    receive(depot.reno, depot.valve, 12)
    receive(depot.chicago, depot.gasket, 500)
    client.force_login(rep.user)

    everything = words(client.get("/console/stock/"))
    by_sku = words(client.get("/console/stock/", {"q": "vlv"}))
    by_name = words(client.get("/console/stock/", {"q": "gasket"}))
    in_reno = words(client.get("/console/stock/", {"warehouse": "RNO"}))

    assert "3 stock levels" in everything
    assert "Brass ball valve VLV-100 CHI Chicago DC 40 0 40" in everything
    assert "2 stock levels" in by_sku and "GSK-1" not in by_sku
    assert "1 stock level" in by_name and "Rubber gasket" in by_name
    assert "1 stock level" in in_reno and "RNO Reno DC 12" in in_reno
    assert "Receive" not in everything and "Adjust" not in everything  # a rep only reads


@pytest.mark.django_db
def test_stock_editors_get_receive_and_adjust_links(client: Client, depot: Depot) -> None:
    receive(depot.chicago, depot.valve, 40)
    client.force_login(depot.clerk.user)

    html = client.get("/console/stock/").content.decode()

    assert 'href="/console/stock/receive/"' in html
    assert 'href="/console/stock/adjust/?warehouse=CHI&amp;sku=VLV-100"' in html


@pytest.mark.django_db
def test_the_console_nav_links_to_stock(client: Client, depot: Depot, rep: StaffMember) -> None:
    client.force_login(rep.user)

    assert 'href="/console/stock/"' in client.get("/console/").content.decode()


@pytest.mark.django_db
def test_stock_of_another_organization_is_never_shown(client: Client, depot: Depot, rep: StaffMember) -> None:
    elsewhere = WarehouseFactory(code="FAR", name="Faraway DC")
    receive(elsewhere, ProductFactory(organization=elsewhere.organization, sku="FAR-1"), 9)
    client.force_login(rep.user)

    page = words(client.get("/console/stock/"))
    filtered = client.get("/console/stock/", {"warehouse": "FAR"})

    assert "FAR-1" not in page and "Faraway" not in page
    assert "FAR-1" not in words(filtered)


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 5])
def test_stock_page_query_count_is_flat(
    client: Client, depot: Depot, rep: StaffMember, rows: int, django_assert_num_queries: Any
) -> None:
    for index in range(rows):
        receive(depot.chicago, ProductFactory(organization=depot.org, sku=f"P-{index}"), 3)
    client.force_login(rep.user)

    # session, user, actor (buyer none, staff, websites, territories); count; levels+warehouse+product;
    # warehouse choices
    with django_assert_num_queries(9):
        response = client.get("/console/stock/")

    assert response.status_code == 200
    assert words(response).count("Chicago DC 3 0 3") == rows


# --- the ledger -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_ledger_lists_newest_first_with_filters(client: Client, depot: Depot, rep: StaffMember) -> None:
    receive(depot.chicago, depot.valve, 40)
    receive(depot.reno, depot.gasket, 8)
    services.adjust_stock(
        organization=depot.org,
        warehouse=depot.chicago,
        product=depot.valve,
        delta=D(-2),
        reason="Damaged in aisle 4",
        reference="INC-7",
    )
    client.force_login(rep.user)
    today = timezone.now().date()

    def shown(**filters: str) -> str:
        response = client.get("/console/stock/movements/", filters)
        assert response.status_code == 200
        return words(response)

    assert "3 movements, newest first" in shown()
    assert shown().index("Damaged in aisle 4") < shown().index("GSK-1")
    assert "1 movement," in shown(kind="adjustment") and "-2" in shown(kind="adjustment")
    assert "1 movement," in shown(warehouse="RNO")
    assert "2 movements," in shown(sku="VLV-100")
    assert "1 movement," in shown(reference="INC-7")
    assert "3 movements," in shown(date_from=today.isoformat(), date_to=today.isoformat())
    assert "No movements match" in shown(date_to=(today - timedelta(days=1)).isoformat())
    assert "No product with SKU NOPE." in shown(sku="NOPE")


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 5])
def test_ledger_page_query_count_is_flat(
    client: Client, depot: Depot, rep: StaffMember, rows: int, django_assert_num_queries: Any
) -> None:
    for index in range(rows):
        receive(depot.reno, ProductFactory(organization=depot.org, sku=f"P-{index}"), 3)
    client.force_login(rep.user)

    # session, user, actor (buyer none, staff, websites, territories); count; movements+warehouse+product;
    # warehouse choices
    with django_assert_num_queries(9):
        response = client.get("/console/stock/movements/")

    assert words(response).count("RNO +3 0 3") == rows


# --- receipts and adjustments -----------------------------------------------------------------


@pytest.mark.django_db
def test_warehouse_staff_receive_stock_with_a_csrf_protected_form(depot: Depot) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(depot.clerk.user)
    form = {"warehouse": "CHI", "sku": "VLV-100", "quantity": "24", "reference": "PO-77", "reason": ""}

    forged = client.post("/console/stock/receive/", form)
    response = client.post(
        "/console/stock/receive/",
        {**form, "csrfmiddlewaretoken": csrf_token(client, "/console/stock/receive/")},
    )

    assert forged.status_code == 403
    assert response.status_code == 302
    assert response["Location"] == "/console/stock/movements/?warehouse=CHI&sku=VLV-100"
    assert on_hand(depot.chicago, depot.valve) == D(24)
    movement = StockMovement.objects.get(organization=depot.org)
    assert (movement.kind, movement.reference, movement.reason) == ("receipt", "PO-77", "Receipt")
    assert movement.actor_user_id == depot.clerk.user_id
    ledger = words(client.get(response["Location"]))
    assert "Receipt recorded: VLV-100 in CHI is now 24 on hand." in ledger


@pytest.mark.django_db
def test_the_adjustment_form_needs_a_reason_and_shows_domain_errors_on_the_form(
    client: Client, depot: Depot
) -> None:
    receive(depot.chicago, depot.valve, 5)
    client.force_login(depot.clerk.user)
    form = {"warehouse": "CHI", "sku": "VLV-100", "delta": "-2"}

    no_reason = client.post("/console/stock/adjust/", form)
    too_much = client.post("/console/stock/adjust/", {**form, "delta": "-6", "reason": "Lost"})
    unknown = client.post("/console/stock/adjust/", {**form, "sku": "NOPE", "reason": "Lost"})
    foreign = client.post("/console/stock/adjust/", {**form, "warehouse": "FAR", "reason": "Lost"})

    assert [r.status_code for r in (no_reason, too_much, unknown, foreign)] == [200, 200, 200, 200]
    assert "This field is required." in words(no_reason)
    assert "VLV-100: requested 6.000, available 5.000" in words(too_much)
    assert "No product with SKU NOPE." in words(unknown)
    assert "Select a valid choice." in words(foreign)
    assert on_hand(depot.chicago, depot.valve) == D(5)
    assert StockMovement.objects.filter(kind=StockMovement.Kind.ADJUSTMENT).count() == 0


@pytest.mark.django_db
def test_an_adjustment_is_recorded_with_its_reason(client: Client, depot: Depot) -> None:
    receive(depot.chicago, depot.valve, 5)
    client.force_login(depot.clerk.user)

    form_page = client.get("/console/stock/adjust/", {"warehouse": "CHI", "sku": "VLV-100"})
    response = client.post(
        "/console/stock/adjust/", {"warehouse": "CHI", "sku": "VLV-100", "delta": "-2", "reason": "Damaged"}
    )

    assert 'value="VLV-100"' in form_page.content.decode()
    assert response.status_code == 302
    assert on_hand(depot.chicago, depot.valve) == D(3)
    adjustment = StockMovement.objects.get(kind=StockMovement.Kind.ADJUSTMENT)
    assert (adjustment.on_hand_delta, adjustment.reason) == (D(-2), "Damaged")


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(StaffRole))
def test_receipts_and_adjustments_by_role(client: Client, depot: Depot, role: StaffRole) -> None:
    member = StaffMemberFactory(organization=depot.org, role=role)
    client.force_login(member.user)

    form = client.get("/console/stock/receive/")
    posted = client.post("/console/stock/receive/", {"warehouse": "CHI", "sku": "VLV-100", "quantity": "1"})
    adjust = client.get("/console/stock/adjust/")

    allowed = role in STOCK_EDITORS
    assert (form.status_code, adjust.status_code) == ((200, 200) if allowed else (403, 403))
    assert posted.status_code == (302 if allowed else 403)
    assert on_hand(depot.chicago, depot.valve) == (D(1) if allowed else None)


@pytest.mark.django_db
def test_buyers_get_404_and_visitors_the_login_on_every_stock_page(client: Client, depot: Depot) -> None:
    receive(depot.chicago, depot.valve, 5)
    paths = [
        "/console/stock/",
        "/console/stock/movements/",
        "/console/stock/receive/",
        "/console/stock/adjust/",
        "/console/purchase-orders/",
    ]

    anonymous = [client.get(path) for path in paths]
    client.force_login(BuyerUserFactory(account=AccountFactory(organization=depot.org), is_admin=True).user)
    as_buyer = [client.get(path) for path in paths]
    posted = client.post("/console/stock/receive/", {"warehouse": "CHI", "sku": "VLV-100", "quantity": "1"})

    assert all(r.status_code == 302 and r["Location"].startswith("/console/login/") for r in anonymous)
    assert all(r.status_code == 404 for r in as_buyer)
    assert all("VLV-100" not in r.content.decode() for r in as_buyer)
    assert posted.status_code == 404
    assert on_hand(depot.chicago, depot.valve) == D(5)


# --- drop-ship purchase orders ----------------------------------------------------------------


def dropship_order(depot: Depot, reference: str = "SO-1") -> SupplierPurchaseOrder:
    """A drop-ship purchase order for 30 gaskets from Acme Valves (who make them to order)."""
    supplier = Supplier.objects.filter(organization=depot.org, code="ACME").first()
    if supplier is None:
        supplier = SupplierFactory(organization=depot.org, code="ACME", name="Acme Valves Inc.")
        SupplierProductFactory(
            supplier=supplier, product=depot.gasket, lead_time_days=4, supplier_sku="AV-GSK"
        )
    result = services.allocate_order(
        organization=depot.org,
        website=depot.website,
        account=AccountFactory(organization=depot.org, name="Globex Corp"),
        ship_to=None,
        lines=[services.OrderLine("1", depot.gasket.pk, D(30))],
        reference=reference,
    )
    return SupplierPurchaseOrder.objects.get(pk=result.purchase_order_ids[supplier.pk])


@pytest.mark.django_db
def test_purchase_orders_list_and_detail(client: Client, depot: Depot, rep: StaffMember) -> None:
    order = dropship_order(depot)
    client.force_login(rep.user)

    listing = words(client.get("/console/purchase-orders/"))
    drafts = words(client.get("/console/purchase-orders/", {"status": "draft"}))
    shipped = words(client.get("/console/purchase-orders/", {"status": "shipped"}))
    detail = client.get(f"/console/purchase-orders/{order.number}/")

    assert f"{order.number} Acme Valves Inc. SO-1 30 \u00d7 GSK-1" in listing
    assert order.number in drafts and order.number not in shipped
    page = words(detail)
    assert "Globex Corp" in page and "AV-GSK" in page and "Draft" in page
    assert "Mark sent" not in page  # a rep reads only


@pytest.mark.django_db
def test_warehouse_staff_move_a_purchase_order_along_its_workflow(client: Client, depot: Depot) -> None:
    order = dropship_order(depot)
    client.force_login(depot.clerk.user)
    url = f"/console/purchase-orders/{order.number}/status/"

    page = words(client.get(f"/console/purchase-orders/{order.number}/"))
    sent = client.post(url, {"status": "sent"})
    confirmed = client.post(url, {"status": "confirmed"})
    shipped = client.post(url, {"status": "shipped"})
    cancel_shipped = client.post(url, {"status": "cancelled"})

    assert "Mark sent" in page and "Cancel order" in page
    assert [r.status_code for r in (sent, confirmed, shipped)] == [302, 302, 302]
    assert cancel_shipped.status_code == 200
    assert "not allowed from shipped" in words(cancel_shipped)
    order.refresh_from_db()
    assert order.status == SupplierPurchaseOrder.Status.SHIPPED


@pytest.mark.django_db
def test_purchase_order_status_needs_a_stock_editor_and_the_same_organization(
    client: Client, depot: Depot, rep: StaffMember
) -> None:
    order = dropship_order(depot)
    outsider_org = OrganizationFactory()
    WebsiteFactory(organization=outsider_org)
    outsider = StaffMemberFactory(organization=outsider_org, role=StaffRole.ADMIN)

    client.force_login(rep.user)
    by_rep = client.post(f"/console/purchase-orders/{order.number}/status/", {"status": "sent"})
    client.force_login(outsider.user)
    by_outsider = client.post(f"/console/purchase-orders/{order.number}/status/", {"status": "sent"})
    seen_by_outsider = client.get(f"/console/purchase-orders/{order.number}/")

    assert (by_rep.status_code, by_outsider.status_code, seen_by_outsider.status_code) == (403, 404, 404)
    order.refresh_from_db()
    assert order.status == SupplierPurchaseOrder.Status.DRAFT


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 5])
def test_purchase_order_list_query_count_is_flat(
    client: Client, depot: Depot, rep: StaffMember, rows: int, django_assert_num_queries: Any
) -> None:
    for index in range(rows):
        dropship_order(depot, reference=f"SO-{index}")
    client.force_login(rep.user)

    # session, user, actor (buyer none, staff, websites, territories); count; orders+supplier;
    # lines+product
    with django_assert_num_queries(9):
        response = client.get("/console/purchase-orders/")

    assert words(response).count("Acme Valves Inc.") == rows


# --- transfers and expected receipts ----------------------------------------------------------

TRANSFER = "/console/stock/transfer/"
INCOMING = "/console/stock/incoming/"


@pytest.mark.django_db
def test_warehouse_staff_transfer_available_stock_and_see_it_in_the_ledger(
    client: Client, depot: Depot
) -> None:
    receive(depot.chicago, depot.valve, 10)
    client.force_login(depot.clerk.user)
    form = {"source": "CHI", "destination": "RNO", "sku": "VLV-100", "quantity": "4", "reason": ""}

    response = client.post(TRANSFER, form)

    assert response.status_code == 302
    assert (on_hand(depot.chicago, depot.valve), on_hand(depot.reno, depot.valve)) == (D(6), D(4))
    out = StockMovement.objects.get(kind="transfer_out")
    assert (out.reason, out.actor_user_id) == ("Transfer", depot.clerk.user_id)
    assert "Transferred 4 of VLV-100 from CHI to RNO." in words(client.get(response["Location"]))


@pytest.mark.django_db
def test_a_transfer_beyond_what_is_available_or_to_the_same_warehouse_shows_on_the_form(
    client: Client, depot: Depot
) -> None:
    receive(depot.chicago, depot.valve, 3)
    client.force_login(depot.clerk.user)
    base = {"source": "CHI", "destination": "RNO", "sku": "VLV-100"}

    too_much = client.post(TRANSFER, {**base, "quantity": "5"})
    same = client.post(TRANSFER, {**base, "destination": "CHI", "quantity": "1"})
    unknown = client.post(TRANSFER, {**base, "sku": "NOPE", "quantity": "1"})
    foreign = client.post(
        TRANSFER,
        {**base, "destination": WarehouseFactory(code="XXX").code, "quantity": "1"},  # another seller's
    )

    assert [r.status_code for r in (too_much, same, unknown, foreign)] == [200, 200, 200, 200]
    assert "requested 5" in words(too_much)
    assert "Choose another warehouse than the source." in words(same)
    assert "No product with SKU NOPE." in words(unknown)
    assert "Select a valid choice" in words(foreign)
    assert not StockMovement.objects.filter(kind="transfer_out").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", [StaffRole.SALES_REP, StaffRole.FINANCE])
def test_transfers_and_adding_expected_receipts_need_a_stock_editor(
    client: Client, depot: Depot, role: StaffRole
) -> None:
    receive(depot.chicago, depot.valve, 10)
    client.force_login(StaffMemberFactory(organization=depot.org, role=role).user)

    page = client.get(TRANSFER)
    posted = client.post(TRANSFER, {"source": "CHI", "destination": "RNO", "sku": "VLV-100", "quantity": "1"})
    incoming = client.get(INCOMING)
    added = client.post(
        INCOMING, {"warehouse": "CHI", "sku": "VLV-100", "quantity": "5", "expected_date": "2030-01-02"}
    )

    assert (page.status_code, posted.status_code, added.status_code) == (403, 403, 403)
    assert incoming.status_code == 200
    assert "Add an expected receipt" not in words(incoming)
    assert on_hand(depot.chicago, depot.valve) == D(10)
    assert not IncomingStock.objects.exists()


@pytest.mark.django_db
def test_expected_receipts_are_listed_soonest_first_and_added(client: Client, depot: Depot) -> None:
    IncomingStockFactory(
        warehouse=depot.reno, product=depot.gasket, expected_date=date(2030, 5, 1), reference="ASN-2"
    )
    IncomingStockFactory(
        warehouse=depot.chicago, product=depot.valve, expected_date=date(2030, 4, 1), reference="ASN-1"
    )
    IncomingStockFactory(reference="ASN-FOREIGN")  # another seller's
    client.force_login(depot.clerk.user)

    added = client.post(
        INCOMING, {"warehouse": "CHI", "sku": "GSK-1", "quantity": "12", "expected_date": "2030-03-01"}
    )
    page = words(client.get(INCOMING))

    assert added.status_code == 302
    assert page.index("ASN-1") < page.index("ASN-2")
    assert page.index("Mar 1, 2030") < page.index("Apr 1, 2030")
    assert "ASN-FOREIGN" not in page
    assert IncomingStock.objects.filter(organization=depot.org).count() == 3


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 5])
def test_the_expected_receipts_page_query_count_is_flat(
    client: Client, depot: Depot, rows: int, django_assert_num_queries: Any
) -> None:
    for _ in range(rows):
        IncomingStockFactory(warehouse=depot.chicago, product=depot.valve)
    client.force_login(depot.clerk.user)
    client.get(INCOMING)

    # session, user, buyer (none), staff, websites, territories; warehouses (form); incoming+warehouse+product
    with django_assert_num_queries(8):
        response = client.get(INCOMING)

    assert response.status_code == 200


@pytest.mark.django_db
def test_buyers_get_404_on_the_transfer_and_expected_receipt_pages(client: Client, depot: Depot) -> None:
    client.force_login(BuyerUserFactory(account=AccountFactory(organization=depot.org), is_admin=True).user)

    assert [client.get(path).status_code for path in (TRANSFER, INCOMING)] == [404, 404]


SETUP = "/console/stock/setup/"


@pytest.mark.django_db
def test_the_setup_page_shows_assignments_suppliers_and_policies_of_the_organization_only(
    client: Client, depot: Depot, rep: StaffMember
) -> None:
    SupplierFactory(organization=depot.org, code="ACME", name="Acme Valves Inc.")
    SupplierFactory(code="FOREIGN", name="Someone else's supplier")
    services.set_product_backorder_policy(product=depot.valve, policy=BackorderPolicy.ALLOW)
    services.set_account_backorder_policy(
        account=AccountFactory(organization=depot.org, name="Globex Corp"), policy=BackorderPolicy.PARTIAL
    )
    client.force_login(rep.user)

    page = words(client.get(SETUP))

    assert "CHI Chicago DC Website" in page
    assert "Acme Valves Inc." in page
    assert "Someone else's supplier" not in page
    assert "Product VLV-100 Allow backorders" in page
    assert "Account Globex Corp (and its children) Ship what is available, cancel the rest" in page


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 5])
def test_the_setup_page_query_count_is_flat(
    client: Client, depot: Depot, rows: int, django_assert_num_queries: Any
) -> None:
    for _ in range(rows):
        SupplierFactory(organization=depot.org)
        product = ProductFactory(organization=depot.org)
        services.set_product_backorder_policy(product=product, policy=BackorderPolicy.DENY)
        services.set_account_backorder_policy(
            account=AccountFactory(organization=depot.org), policy=BackorderPolicy.ALLOW
        )
        WarehouseAssignmentFactory(warehouse=WarehouseFactory(organization=depot.org), website=depot.website)
    client.force_login(depot.clerk.user)
    client.get(SETUP)

    # session, user, buyer (none), staff, websites, territories; warehouses+supplier; suppliers;
    # assignments+warehouse+website+branch; product policies+product; account policies+account;
    # websites, their inventory settings; a warehouse manager's assignment form: websites, branches
    with django_assert_num_queries(15):
        response = client.get(SETUP)

    assert response.status_code == 200


@pytest.mark.django_db
def test_buyers_get_404_on_the_setup_page(client: Client, depot: Depot) -> None:
    client.force_login(BuyerUserFactory(account=AccountFactory(organization=depot.org), is_admin=True).user)

    assert client.get(SETUP).status_code == 404
