"""Set-up changes are validated, audited (who changed what from which value) and announced in the
outbox; removing assignments and supplier products; allocation sees the changes."""

from __future__ import annotations

from datetime import time
from decimal import Decimal

import pytest

from meridian.core.errors import InvalidInput
from meridian.core.models import AuditEntry, OutboxEvent
from meridian.inventory import services
from meridian.inventory.models import (
    AccountBackorderPolicy,
    BackorderPolicy,
    ProductBackorderPolicy,
    Supplier,
    SupplierProduct,
    Warehouse,
    WarehouseAssignment,
)
from meridian.inventory.queries import routing
from tests.catalog.factories import ProductFactory
from tests.customers.factories import AccountFactory
from tests.inventory.factories import (
    SupplierFactory,
    SupplierProductFactory,
    WarehouseAssignmentFactory,
    WarehouseFactory,
    receive,
)
from tests.staff.factories import UserFactory
from tests.tenancy.factories import OrganizationFactory, WebsiteFactory

D = Decimal


def audits(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("pk"))


def events(event_type: str) -> list[OutboxEvent]:
    return list(OutboxEvent.objects.filter(event_type=event_type).order_by("pk"))


@pytest.mark.django_db
def test_editing_a_warehouse_audits_the_changed_values_only_and_writes_an_event() -> None:
    org, user = OrganizationFactory(), UserFactory()
    data = services.WarehouseInput(code="CHI", name="Chicago DC", timezone="America/Chicago")
    warehouse, created = services.upsert_warehouse(organization=org, data=data, user_id=user.pk)

    services.upsert_warehouse(
        organization=org,
        data=services.WarehouseInput(
            code="CHI",
            name="Chicago DC",
            timezone="America/Denver",
            cutoff_time=time(16, 30),
            latitude=D("41.81"),
            longitude=D("-87.71"),
        ),
        user_id=user.pk,
    )

    assert created
    first, second = audits("inventory.warehouse_saved")
    assert (first.actor_user_id, first.object_type, first.object_id) == (
        user.pk,
        "warehouse",
        str(warehouse.pk),
    )
    assert second.before == {
        "timezone": "America/Chicago",
        "cutoff_time": "15:00:00",
        "latitude": None,
        "longitude": None,
    }
    assert second.after == {
        "timezone": "America/Denver",
        "cutoff_time": "16:30:00",
        "latitude": "41.810000",
        "longitude": "-87.710000",
    }
    event = events("inventory.warehouse_saved")[-1]
    assert event.payload == {
        "code": "CHI",
        "created": False,
        "changed": ["cutoff_time", "latitude", "longitude", "timezone"],
    }


@pytest.mark.django_db
def test_saving_a_warehouse_unchanged_audits_nothing() -> None:
    org = OrganizationFactory()
    data = services.WarehouseInput(code="RNO", name="Reno DC")
    services.upsert_warehouse(organization=org, data=data)

    services.upsert_warehouse(organization=org, data=data)

    assert len(audits("inventory.warehouse_saved")) == 1
    assert len(events("inventory.warehouse_saved")) == 1


@pytest.mark.django_db
def test_a_supplier_with_bad_fields_is_refused_naming_each_and_nothing_is_written() -> None:
    org = OrganizationFactory()
    SupplierFactory(organization=org, code="ACME", external_id="SAP-1")

    with pytest.raises(InvalidInput) as excinfo:
        services.upsert_supplier(
            organization=org, code="has space", name=" ", email="not-an-email", external_id="SAP-1"
        )

    assert set(excinfo.value.fields) == {"code", "name", "email", "external_id"}
    assert Supplier.objects.filter(organization=org).count() == 1
    assert not audits("inventory.supplier_saved")


@pytest.mark.django_db
def test_a_supplier_product_is_audited_announced_and_removable() -> None:
    org, user = OrganizationFactory(), UserFactory()
    supplier = SupplierFactory(organization=org, code="ACME")
    product = ProductFactory(organization=org, sku="VLV-1")

    row = services.set_supplier_product(
        supplier=supplier,
        product=product,
        supplier_sku="A-1",
        lead_time_days=5,
        can_dropship=True,
        user_id=user.pk,
    )
    services.set_supplier_product(
        supplier=supplier,
        product=product,
        supplier_sku="A-1",
        lead_time_days=9,
        can_dropship=True,
        user_id=user.pk,
    )
    removed = services.remove_supplier_product(supplier=supplier, product=product, user_id=user.pk)
    again = services.remove_supplier_product(supplier=supplier, product=product, user_id=user.pk)

    assert (removed, again) == (True, False)
    assert not SupplierProduct.objects.filter(pk=row.pk).exists()
    saved = audits("inventory.supplier_product_saved")
    assert [(entry.before, entry.after) for entry in saved] == [
        ({}, {"supplier_sku": "A-1", "lead_time_days": 5, "can_dropship": True}),
        ({"lead_time_days": 5}, {"lead_time_days": 9}),
    ]
    (gone,) = audits("inventory.supplier_product_removed")
    assert gone.before == {"supplier_sku": "A-1", "lead_time_days": 9, "can_dropship": True}
    assert [event.payload["product_id"] for event in events("inventory.supplier_product_removed")] == [
        product.pk
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(("lead_time_days", "supplier_sku"), [(-1, ""), (3651, ""), (3, "x" * 65)])
def test_a_supplier_product_with_a_bad_value_is_refused(lead_time_days: int, supplier_sku: str) -> None:
    supplier = SupplierFactory()
    product = ProductFactory(organization=supplier.organization)

    with pytest.raises(InvalidInput):
        services.set_supplier_product(
            supplier=supplier, product=product, supplier_sku=supplier_sku, lead_time_days=lead_time_days
        )

    assert not SupplierProduct.objects.exists()


@pytest.mark.django_db
def test_unassigning_a_warehouse_takes_it_out_of_the_routing_and_is_audited() -> None:
    org, user = OrganizationFactory(), UserFactory()
    website = WebsiteFactory(organization=org)
    chicago = WarehouseFactory(organization=org, code="CHI")
    reno = WarehouseFactory(organization=org, code="RNO")
    WarehouseAssignmentFactory(warehouse=chicago, website=website, priority=1)
    assignment = WarehouseAssignmentFactory(warehouse=reno, website=website, priority=2)

    services.unassign_warehouse(organization=org, assignment=assignment, user_id=user.pk)

    route = routing(organization_id=org.pk, website_id=website.pk, branch_id=None)
    assert [candidate.warehouse_id for candidate in route.candidates] == [chicago.pk]
    (entry,) = audits("inventory.warehouse_assignment_removed")
    assert entry.before == {
        "warehouse_id": reno.pk,
        "website_id": website.pk,
        "branch_id": None,
        "priority": 2,
    }
    assert entry.actor_user_id == user.pk


@pytest.mark.django_db
def test_another_organizations_assignment_is_not_removed() -> None:
    org = OrganizationFactory()
    theirs = WarehouseAssignmentFactory(warehouse=WarehouseFactory(), website=WebsiteFactory())

    services.unassign_warehouse(organization=org, assignment=theirs)

    assert WarehouseAssignment.objects.filter(pk=theirs.pk).exists()
    assert not audits("inventory.warehouse_assignment_removed")


@pytest.mark.django_db
def test_reprioritizing_an_assignment_audits_the_old_and_new_priority() -> None:
    org = OrganizationFactory()
    website = WebsiteFactory(organization=org)
    warehouse = WarehouseFactory(organization=org)
    services.assign_warehouse(warehouse=warehouse, website=website, priority=5)

    services.assign_warehouse(warehouse=warehouse, website=website, priority=1)

    first, second = audits("inventory.warehouse_assignment_saved")
    assert first.before == {}
    assert (second.before["priority"], second.after["priority"]) == (5, 1)
    assert WarehouseAssignment.objects.get(warehouse=warehouse).priority == 1


@pytest.mark.django_db
def test_backorder_policies_are_audited_when_set_changed_and_removed() -> None:
    org = OrganizationFactory()
    product = ProductFactory(organization=org)
    account = AccountFactory(organization=org)

    services.set_product_backorder_policy(product=product, policy=BackorderPolicy.ALLOW)
    services.set_product_backorder_policy(product=product, policy=BackorderPolicy.ALLOW)  # no change
    services.set_product_backorder_policy(product=product, policy=None)
    services.set_account_backorder_policy(account=account, policy=BackorderPolicy.PARTIAL)

    entries = audits("inventory.backorder_policy_changed")
    assert [(e.object_type, e.before, e.after) for e in entries] == [
        ("product", {}, {"policy": "allow"}),
        ("product", {"policy": "allow"}, {}),
        ("account", {}, {"policy": "partial"}),
    ]
    assert not ProductBackorderPolicy.objects.filter(product=product).exists()
    assert AccountBackorderPolicy.objects.get(account=account).policy == BackorderPolicy.PARTIAL
    assert [e.payload["policy"] for e in events("inventory.backorder_policy_changed")] == [
        "allow",
        None,
        "partial",
    ]


@pytest.mark.django_db
def test_a_product_removed_from_a_supplier_is_no_longer_drop_shipped() -> None:
    org = OrganizationFactory()
    website = WebsiteFactory(organization=org)
    own = WarehouseFactory(organization=org, kind=Warehouse.Kind.OWN)
    WarehouseAssignmentFactory(warehouse=own, website=website, priority=1)
    supplier = SupplierFactory(organization=org)
    product = ProductFactory(organization=org)
    receive(own, product, 1)
    SupplierProductFactory(supplier=supplier, product=product, can_dropship=True, lead_time_days=4)
    services.set_product_backorder_policy(product=product, policy=BackorderPolicy.ALLOW)
    services.remove_supplier_product(supplier=supplier, product=product)

    result = services.allocate_order(
        organization=org,
        website=website,
        account=None,
        ship_to=None,
        lines=[services.OrderLine("1", product.pk, D(3))],
        reference="SO-1",
    )

    line = result.lines[0]
    assert (line.allocated, line.backordered, line.dropship) == (D(1), D(2), ())
