"""Console inventory set-up editors: warehouses, suppliers and their drop-ship products, warehouse
assignments, backorder policies. Warehouse managers (admin, warehouse) change them; other staff
read them (403 on a change); another organization's object is a 404; forms show their errors."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from meridian.catalog.models import Product
from meridian.core.actor import StaffRole
from meridian.core.models import AuditEntry
from meridian.inventory.models import (
    AccountBackorderPolicy,
    BackorderPolicy,
    ProductBackorderPolicy,
    Supplier,
    SupplierProduct,
    Warehouse,
    WarehouseAssignment,
    WebsiteInventorySettings,
)
from meridian.staff.models import StaffMember
from meridian.tenancy.models import Organization, Website
from tests.catalog.factories import ProductFactory
from tests.customers.factories import AccountFactory, BuyerUserFactory
from tests.inventory.factories import (
    SupplierFactory,
    SupplierProductFactory,
    WarehouseAssignmentFactory,
    WarehouseFactory,
)
from tests.staff.factories import StaffMemberFactory
from tests.tenancy.factories import BranchFactory, WebsiteFactory

SETUP = "/console/stock/setup/"
D = Decimal


@dataclass
class Setup:
    org: Organization
    website: Website
    chicago: Warehouse
    acme: Supplier
    valve: Product
    manager: StaffMember  # warehouse role: may change the set-up


@pytest.fixture
def setup(org: Organization) -> Setup:
    website = Website.objects.get(organization=org)
    chicago = WarehouseFactory(organization=org, code="CHI", name="Chicago DC", timezone="America/Chicago")
    return Setup(
        org=org,
        website=website,
        chicago=chicago,
        acme=SupplierFactory(organization=org, code="ACME", name="Acme Valves Inc."),
        valve=ProductFactory(organization=org, sku="VLV-100", name="Brass ball valve"),
        manager=StaffMemberFactory(
            organization=org, role=StaffRole.WAREHOUSE, user__full_name="Wes Warehouse"
        ),
    )


def words(response: Any) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def signed_in(member: StaffMember, *, csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(member.user)
    return client


WAREHOUSE_FORM = {
    "name": "Chicago Distribution Center",
    "kind": "own",
    "address_line1": "2200 S Halsted St",
    "city": "Chicago",
    "region": "IL",
    "postal_code": "60608",
    "country": "us",
    "latitude": "41.852",
    "longitude": "-87.646",
    "timezone": "America/Chicago",
    "cutoff_time": "16:30",
    "shipping_weekdays": ["1", "2", "3", "4", "5", "6"],
    "is_active": "on",
}


# --- warehouses -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_manager_edits_a_warehouse_cutoff_timezone_address_and_coordinates(setup: Setup) -> None:
    client = signed_in(setup.manager)

    response = client.post(f"{SETUP}warehouses/CHI/", {**WAREHOUSE_FORM, "code": "IGNORED"})

    assert response.status_code == 302
    setup.chicago.refresh_from_db()
    assert setup.chicago.code == "CHI"  # the code names the warehouse: not editable
    assert (setup.chicago.name, setup.chicago.cutoff_time, setup.chicago.shipping_weekdays) == (
        "Chicago Distribution Center",
        time(16, 30),
        "123456",
    )
    assert (setup.chicago.latitude, setup.chicago.longitude, setup.chicago.country) == (
        D("41.852"),
        D("-87.646"),
        "US",
    )
    entry = AuditEntry.objects.get(action="inventory.warehouse_saved", object_id=str(setup.chicago.pk))
    assert entry.actor_user_id == setup.manager.user_id
    page = words(client.get(SETUP))
    assert "Warehouse CHI saved." in page
    assert "CHI Chicago Distribution Center Own Chicago, IL US" in page


@pytest.mark.django_db
def test_a_warehouse_form_with_bad_values_shows_the_errors_and_changes_nothing(setup: Setup) -> None:
    client = signed_in(setup.manager)

    refused = client.post(
        f"{SETUP}warehouses/CHI/", {**WAREHOUSE_FORM, "timezone": "Mars/Olympus", "kind": "dropship"}
    )
    no_days = client.post(f"{SETUP}warehouses/CHI/", {**WAREHOUSE_FORM, "shipping_weekdays": []})

    assert refused.status_code == no_days.status_code == 200
    page = words(refused)
    assert "unknown timezone &#x27;Mars/Olympus&#x27;" in page  # the service's errors, on their fields
    assert "a drop-ship warehouse names its supplier" in page
    assert set(refused.context["form"].errors) == {"timezone", "supplier"}
    assert set(no_days.context["form"].errors) == {"shipping_weekdays"}
    setup.chicago.refresh_from_db()
    assert (setup.chicago.timezone, setup.chicago.kind, setup.chicago.shipping_weekdays) == (
        "America/Chicago",
        "own",
        "12345",
    )
    assert not AuditEntry.objects.filter(action="inventory.warehouse_saved").exists()


@pytest.mark.django_db
def test_a_latitude_out_of_range_is_reported_on_the_field(setup: Setup) -> None:
    response = signed_in(setup.manager).post(f"{SETUP}warehouses/CHI/", {**WAREHOUSE_FORM, "latitude": "95"})

    assert response.status_code == 200
    assert "latitude" in response.context["form"].errors
    setup.chicago.refresh_from_db()
    assert setup.chicago.latitude is None


@pytest.mark.django_db
def test_a_manager_creates_a_drop_ship_warehouse_for_a_supplier(setup: Setup) -> None:
    client = signed_in(setup.manager)

    response = client.post(
        f"{SETUP}warehouses/new/",
        {**WAREHOUSE_FORM, "code": "ACME-DS", "name": "Acme stock", "kind": "dropship", "supplier": "ACME"},
    )

    assert response.status_code == 302
    warehouse = Warehouse.objects.get(organization=setup.org, code="ACME-DS")
    assert (warehouse.kind, warehouse.supplier_id) == ("dropship", setup.acme.pk)


@pytest.mark.django_db
def test_creating_a_warehouse_with_a_code_in_use_is_an_error_not_an_overwrite(setup: Setup) -> None:
    response = signed_in(setup.manager).post(f"{SETUP}warehouses/new/", {**WAREHOUSE_FORM, "code": "CHI"})

    assert response.status_code == 200
    assert "A warehouse CHI exists already." in words(response)
    setup.chicago.refresh_from_db()
    assert setup.chicago.name == "Chicago DC"


@pytest.mark.django_db
def test_another_organizations_warehouse_is_a_404_and_unchanged(setup: Setup) -> None:
    theirs = WarehouseFactory(code="THEIRS", name="Their DC")
    client = signed_in(setup.manager)

    assert client.get(f"{SETUP}warehouses/THEIRS/").status_code == 404
    assert client.post(f"{SETUP}warehouses/THEIRS/", WAREHOUSE_FORM).status_code == 404
    theirs.refresh_from_db()
    assert theirs.name == "Their DC"


# --- roles, CSRF, buyers ------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", [StaffRole.SALES_REP, StaffRole.INSIDE_SALES, StaffRole.FINANCE])
def test_staff_who_are_not_warehouse_managers_read_but_cannot_change(setup: Setup, role: StaffRole) -> None:
    member = StaffMemberFactory(organization=setup.org, role=role)
    assignment = WarehouseAssignmentFactory(warehouse=setup.chicago, website=setup.website, priority=3)
    client = signed_in(member)

    page = client.get(SETUP)
    supplier_page = client.get(f"{SETUP}suppliers/ACME/")
    refused = [
        client.get(f"{SETUP}warehouses/CHI/").status_code,
        client.post(f"{SETUP}warehouses/CHI/", WAREHOUSE_FORM).status_code,
        client.get(f"{SETUP}warehouses/new/").status_code,
        client.post(f"{SETUP}suppliers/new/", {"code": "NEW", "name": "New"}).status_code,
        client.post(f"{SETUP}suppliers/ACME/", {"name": "Renamed"}).status_code,
        client.post(
            f"{SETUP}suppliers/ACME/products/", {"sku": "VLV-100", "lead_time_days": "2"}
        ).status_code,
        client.post(f"{SETUP}assignments/{assignment.pk}/", {"priority": "1"}).status_code,
        client.post(f"{SETUP}assignments/{assignment.pk}/remove/").status_code,
        client.post(
            f"{SETUP}assignments/",
            {"warehouse": "CHI", "ships_for": f"website:{setup.website.pk}", "priority": "1"},
        ).status_code,
        client.post(f"{SETUP}policies/products/", {"sku": "VLV-100", "policy": "allow"}).status_code,
        client.post(
            f"{SETUP}websites/",
            {
                "website": str(setup.website.pk),
                "allocation_strategy": "nearest",
                "default_backorder_policy": "allow",
            },
        ).status_code,
    ]

    assert (page.status_code, supplier_page.status_code) == (200, 200)
    assert "Assign a warehouse" not in words(page) and "New supplier" not in words(page)
    assert "Change a website's allocation" not in words(page)
    assert not WebsiteInventorySettings.objects.filter(website=setup.website).exists()
    assert "Save product" not in words(supplier_page)
    assert refused == [403] * len(refused)
    assert Supplier.objects.filter(organization=setup.org).count() == 1
    assignment.refresh_from_db()
    assert assignment.priority == 3
    assert not ProductBackorderPolicy.objects.exists()


@pytest.mark.django_db
def test_buyers_get_404_on_the_set_up_editors(setup: Setup) -> None:
    buyer = BuyerUserFactory(account=AccountFactory(organization=setup.org), is_admin=True)
    client = Client()
    client.force_login(buyer.user)

    assert client.get(f"{SETUP}suppliers/ACME/").status_code == 404
    assert client.post(f"{SETUP}suppliers/new/", {"code": "NEW", "name": "New"}).status_code == 404
    assert client.post(f"{SETUP}policies/products/", {"sku": "VLV-100", "policy": "allow"}).status_code == 404
    assert not ProductBackorderPolicy.objects.exists()


@pytest.mark.django_db
def test_a_change_without_the_csrf_token_is_refused(setup: Setup) -> None:
    client = signed_in(setup.manager, csrf=True)

    response = client.post(f"{SETUP}policies/products/", {"sku": "VLV-100", "policy": "allow"})

    assert response.status_code == 403
    assert not ProductBackorderPolicy.objects.exists()


@pytest.mark.django_db
def test_every_set_up_form_carries_a_csrf_token(setup: Setup) -> None:
    client = signed_in(setup.manager)
    pages = [SETUP, f"{SETUP}suppliers/ACME/", f"{SETUP}suppliers/new/", f"{SETUP}warehouses/CHI/"]
    WarehouseAssignmentFactory(warehouse=setup.chicago, website=setup.website)

    for url in pages:
        html = client.get(url).content.decode()
        forms = re.findall(r"<form method=\"post\".*?</form>", html, flags=re.S)
        assert forms, url
        assert all("csrfmiddlewaretoken" in form for form in forms), url


# --- suppliers and their products -----------------------------------------------------------------


@pytest.mark.django_db
def test_a_manager_creates_a_supplier_then_adds_a_drop_ship_product_with_lead_time(setup: Setup) -> None:
    client = signed_in(setup.manager)

    created = client.post(
        f"{SETUP}suppliers/new/",
        {"code": "FAST", "name": "Fast Fittings", "email": "po@fast.test", "is_active": "on"},
    )
    added = client.post(
        f"{SETUP}suppliers/FAST/products/",
        {"sku": "VLV-100", "supplier_sku": "FF-9", "lead_time_days": "6", "can_dropship": "on"},
    )

    assert (created.status_code, created["Location"]) == (302, f"{SETUP}suppliers/FAST/")
    assert added.status_code == 302
    row = SupplierProduct.objects.get(supplier__code="FAST", product=setup.valve)
    assert (row.supplier_sku, row.lead_time_days, row.can_dropship) == ("FF-9", 6, True)
    page = words(client.get(f"{SETUP}suppliers/FAST/"))
    assert "VLV-100 Brass ball valve FF-9 6 yes" in page


@pytest.mark.django_db
def test_a_supplier_product_form_with_an_unknown_sku_or_bad_lead_time_shows_errors(setup: Setup) -> None:
    client = signed_in(setup.manager)

    unknown = client.post(f"{SETUP}suppliers/ACME/products/", {"sku": "NOPE", "lead_time_days": "2"})
    negative = client.post(f"{SETUP}suppliers/ACME/products/", {"sku": "VLV-100", "lead_time_days": "-1"})

    assert unknown.status_code == negative.status_code == 422
    assert "No product with SKU NOPE." in words(unknown)
    assert "lead_time_days" in negative.context["product_form"].errors
    assert not SupplierProduct.objects.exists()


@pytest.mark.django_db
def test_another_organizations_product_cannot_be_added_to_a_supplier(setup: Setup) -> None:
    ProductFactory(sku="FOREIGN-1")

    response = signed_in(setup.manager).post(
        f"{SETUP}suppliers/ACME/products/", {"sku": "FOREIGN-1", "lead_time_days": "2"}
    )

    assert response.status_code == 422
    assert "No product with SKU FOREIGN-1." in words(response)
    assert not SupplierProduct.objects.exists()


@pytest.mark.django_db
def test_a_manager_edits_a_supplier_and_removes_a_product(setup: Setup) -> None:
    SupplierProductFactory(supplier=setup.acme, product=setup.valve, can_dropship=True)
    client = signed_in(setup.manager)

    edited = client.post(
        f"{SETUP}suppliers/ACME/", {"name": "Acme Valves LLC", "email": "orders@acme.test", "is_active": "on"}
    )
    removed = client.post(f"{SETUP}suppliers/ACME/products/remove/", {"sku": "VLV-100"})

    assert edited.status_code == removed.status_code == 302
    setup.acme.refresh_from_db()
    assert (setup.acme.name, setup.acme.email) == ("Acme Valves LLC", "orders@acme.test")
    assert not SupplierProduct.objects.filter(supplier=setup.acme).exists()
    assert "ACME no longer sells VLV-100." in words(client.get(f"{SETUP}suppliers/ACME/"))


@pytest.mark.django_db
def test_a_supplier_form_with_a_bad_email_shows_the_error_and_changes_nothing(setup: Setup) -> None:
    response = signed_in(setup.manager).post(f"{SETUP}suppliers/ACME/", {"name": "", "email": "nope"})

    assert response.status_code == 422
    errors = response.context["supplier_form"].errors
    assert "name" in errors
    setup.acme.refresh_from_db()
    assert setup.acme.name == "Acme Valves Inc."


@pytest.mark.django_db
def test_a_bad_supplier_email_is_refused_by_the_service_and_shown(setup: Setup) -> None:
    response = signed_in(setup.manager).post(f"{SETUP}suppliers/ACME/", {"name": "Acme", "email": "nope"})

    assert response.status_code == 422
    assert "not an e-mail address" in words(response)
    setup.acme.refresh_from_db()
    assert setup.acme.email == ""


@pytest.mark.django_db
def test_another_organizations_supplier_is_a_404_for_every_editor(setup: Setup) -> None:
    theirs = SupplierFactory(code="THEIRS", name="Their supplier")
    client = signed_in(setup.manager)

    answers = [
        client.get(f"{SETUP}suppliers/THEIRS/").status_code,
        client.post(f"{SETUP}suppliers/THEIRS/", {"name": "Mine now"}).status_code,
        client.post(
            f"{SETUP}suppliers/THEIRS/products/", {"sku": "VLV-100", "lead_time_days": "1"}
        ).status_code,
        client.post(f"{SETUP}suppliers/THEIRS/products/remove/", {"sku": "VLV-100"}).status_code,
    ]

    assert answers == [404, 404, 404, 404]
    theirs.refresh_from_db()
    assert theirs.name == "Their supplier"
    assert not SupplierProduct.objects.exists()


# --- assignments and policies ------------------------------------------------------------------


@pytest.mark.django_db
def test_a_manager_assigns_a_warehouse_to_a_branch_reprioritizes_and_removes_it(setup: Setup) -> None:
    branch = BranchFactory(organization=setup.org, name="Toronto")
    client = signed_in(setup.manager)

    added = client.post(
        f"{SETUP}assignments/", {"warehouse": "CHI", "ships_for": f"branch:{branch.pk}", "priority": "4"}
    )
    assignment = WarehouseAssignment.objects.get(warehouse=setup.chicago, branch=branch)
    changed = client.post(f"{SETUP}assignments/{assignment.pk}/", {"priority": "2"})
    priority = WarehouseAssignment.objects.get(pk=assignment.pk).priority
    removed = client.post(f"{SETUP}assignments/{assignment.pk}/remove/")

    assert (added.status_code, changed.status_code, removed.status_code) == (302, 302, 302)
    assert priority == 2
    assert not WarehouseAssignment.objects.filter(pk=assignment.pk).exists()
    assert AuditEntry.objects.filter(action__startswith="inventory.warehouse_assignment").count() == 3


@pytest.mark.django_db
def test_an_assignment_form_with_bad_values_shows_the_errors(setup: Setup) -> None:
    other_website = WebsiteFactory()  # another organization's: not a choice

    response = signed_in(setup.manager).post(
        f"{SETUP}assignments/",
        {"warehouse": "NOPE", "ships_for": f"website:{other_website.pk}", "priority": "-1"},
    )

    assert response.status_code == 200
    assert set(response.context["assignment_form"].errors) == {"warehouse", "ships_for", "priority"}
    assert not WarehouseAssignment.objects.exists()


@pytest.mark.django_db
def test_another_organizations_assignment_is_a_404(setup: Setup) -> None:
    theirs = WarehouseAssignmentFactory(warehouse=WarehouseFactory(), website=WebsiteFactory(), priority=9)
    client = signed_in(setup.manager)

    assert client.post(f"{SETUP}assignments/{theirs.pk}/", {"priority": "1"}).status_code == 404
    assert client.post(f"{SETUP}assignments/{theirs.pk}/remove/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.priority == 9


@pytest.mark.django_db
def test_a_bad_priority_is_reported_and_changes_nothing(setup: Setup) -> None:
    assignment = WarehouseAssignmentFactory(warehouse=setup.chicago, website=setup.website, priority=3)

    response = signed_in(setup.manager).post(f"{SETUP}assignments/{assignment.pk}/", {"priority": "soon"})

    assert response.status_code == 422
    assert "Priority of CHI not changed: Enter a whole number." in words(response)
    assignment.refresh_from_db()
    assert assignment.priority == 3


@pytest.mark.django_db
def test_a_manager_sets_and_clears_product_and_account_policies(setup: Setup) -> None:
    account = AccountFactory(organization=setup.org, name="Globex Corp")
    client = signed_in(setup.manager)

    client.post(f"{SETUP}policies/products/", {"sku": "VLV-100", "policy": "partial"})
    client.post(f"{SETUP}policies/accounts/", {"account": str(account.pk), "policy": "allow"})
    page = words(client.get(SETUP))
    client.post(f"{SETUP}policies/products/", {"sku": "VLV-100", "policy": ""})

    assert "Product VLV-100 Ship what is available, cancel the rest" in page
    assert "Account Globex Corp (and its children) Allow backorders" in page
    assert not ProductBackorderPolicy.objects.filter(product=setup.valve).exists()
    assert AccountBackorderPolicy.objects.get(account=account).policy == BackorderPolicy.ALLOW


@pytest.mark.django_db
def test_a_manager_sets_a_websites_allocation_and_default_policy(setup: Setup) -> None:
    client = signed_in(setup.manager)
    before = words(client.get(SETUP))

    response = client.post(
        f"{SETUP}websites/",
        {
            "website": str(setup.website.pk),
            "allocation_strategy": "nearest",
            "default_backorder_policy": "partial",
        },
    )

    assert f"{setup.website.name} Warehouse priority Refuse what cannot be covered" in before  # the defaults
    assert response.status_code == 302
    settings = WebsiteInventorySettings.objects.get(website=setup.website)
    assert (settings.allocation_strategy, settings.default_backorder_policy) == ("nearest", "partial")
    page = words(client.get(SETUP))
    assert f"Allocation of {setup.website.name} saved." in page
    assert (
        f"{setup.website.name} Nearest to the ship-to address Ship what is available, cancel the rest" in page
    )
    entry = AuditEntry.objects.get(action="inventory.website_configured", object_id=str(setup.website.pk))
    assert entry.actor_user_id == setup.manager.user_id
    assert entry.after == {"allocation_strategy": "nearest", "default_backorder_policy": "partial"}


@pytest.mark.django_db
def test_another_organizations_website_or_a_bad_strategy_is_a_form_error_and_changes_nothing(
    setup: Setup,
) -> None:
    foreign = WebsiteFactory()
    client = signed_in(setup.manager)

    other = client.post(
        f"{SETUP}websites/",
        {"website": str(foreign.pk), "allocation_strategy": "nearest", "default_backorder_policy": "allow"},
    )
    bad = client.post(
        f"{SETUP}websites/",
        {
            "website": str(setup.website.pk),
            "allocation_strategy": "cheapest",
            "default_backorder_policy": "allow",
        },
    )

    assert set(other.context["website_settings_form"].errors) == {"website"}
    assert foreign.name not in words(other)
    assert set(bad.context["website_settings_form"].errors) == {"allocation_strategy"}
    assert not WebsiteInventorySettings.objects.exists()


@pytest.mark.django_db
def test_another_organizations_account_or_product_gets_a_form_error_and_no_policy(setup: Setup) -> None:
    foreign_account = AccountFactory(name="Their account")
    ProductFactory(sku="FOREIGN-1")
    client = signed_in(setup.manager)

    account = client.post(
        f"{SETUP}policies/accounts/", {"account": str(foreign_account.pk), "policy": "allow"}
    )
    product = client.post(f"{SETUP}policies/products/", {"sku": "FOREIGN-1", "policy": "allow"})
    bad_choice = client.post(f"{SETUP}policies/products/", {"sku": "VLV-100", "policy": "sometimes"})

    assert f"No account {foreign_account.pk}." in words(account)
    assert "Their account" not in words(account)
    assert "No product with SKU FOREIGN-1." in words(product)
    assert "policy" in bad_choice.context["product_policy_form"].errors
    assert not AccountBackorderPolicy.objects.exists() and not ProductBackorderPolicy.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 5])
def test_the_supplier_page_query_count_is_flat(
    setup: Setup, rows: int, django_assert_num_queries: Any
) -> None:
    for _ in range(rows):
        SupplierProductFactory(supplier=setup.acme, product=ProductFactory(organization=setup.org))
    client = signed_in(setup.manager)
    client.get(f"{SETUP}suppliers/ACME/")

    # session, user, buyer (none), staff, websites, territories; supplier; products+product
    with django_assert_num_queries(8):
        response = client.get(f"{SETUP}suppliers/ACME/")

    assert response.status_code == 200
