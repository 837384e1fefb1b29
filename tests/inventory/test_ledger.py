"""The stock ledger: every movement kind, levels equal to ledger sums, idempotent retries, reconciliation."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction

from meridian.core.errors import InvalidInput
from meridian.core.models import OutboxEvent
from meridian.inventory import services
from meridian.inventory.errors import ExternalReferenceConflict, InsufficientStock, StockAllocated
from meridian.inventory.models import IncomingStock, StockLevel, StockMovement
from meridian.inventory.queries import find_stock_level, reconcile
from meridian.tenancy.models import Organization
from tests.catalog.factories import ProductFactory
from tests.inventory.factories import (
    IncomingStockFactory,
    WarehouseAssignmentFactory,
    WarehouseFactory,
    receive,
)
from tests.tenancy.factories import OrganizationFactory, WebsiteFactory

D = Decimal


def level_of(warehouse: object, product: object) -> tuple[Decimal, Decimal]:
    level = StockLevel.objects.get(warehouse=warehouse, product=product)
    return level.on_hand, level.allocated


@pytest.mark.django_db
def test_a_receipt_writes_the_movement_the_level_and_an_outbox_event() -> None:
    warehouse = WarehouseFactory(code="CHI")
    product = ProductFactory(organization=warehouse.organization, sku="HXB-M8")

    movement = services.record_receipt(
        organization=warehouse.organization,
        warehouse=warehouse,
        product=product,
        quantity=D("12.5"),
        reference="PO-1",
        user_id=7,
    )

    assert (movement.kind, movement.on_hand_delta, movement.allocated_delta) == ("receipt", D("12.5"), D(0))
    assert (movement.on_hand_after, movement.reference, movement.actor_user_id) == (D("12.5"), "PO-1", 7)
    assert level_of(warehouse, product) == (D("12.5"), D(0))
    event = OutboxEvent.objects.get(event_type="inventory.stock_received")
    assert event.payload["levels"] == [
        {
            "warehouse_id": warehouse.pk,
            "product_id": product.pk,
            "on_hand": "12.500",
            "allocated": "0.000",
            "available": "12.500",
        }
    ]


@pytest.mark.django_db
def test_a_receipt_closes_the_expected_receipt_it_fulfils() -> None:
    incoming = IncomingStockFactory(quantity=D(10))

    services.record_receipt(
        organization=incoming.organization,
        warehouse=incoming.warehouse,
        product=incoming.product,
        quantity=D(10),
        incoming=incoming,
    )

    incoming.refresh_from_db()
    assert incoming.received_at is not None


@pytest.mark.django_db
@pytest.mark.parametrize("quantity", [D(0), D(-1), D("1.0001")])
def test_a_receipt_of_a_bad_quantity_is_invalid_and_writes_nothing(quantity: Decimal) -> None:
    warehouse = WarehouseFactory()
    product = ProductFactory(organization=warehouse.organization)

    with pytest.raises(InvalidInput) as excinfo:
        services.record_receipt(
            organization=warehouse.organization, warehouse=warehouse, product=product, quantity=quantity
        )

    assert "quantity" in excinfo.value.fields
    assert not StockMovement.objects.exists()
    assert not StockLevel.objects.exists()


@pytest.mark.django_db
def test_another_organizations_warehouse_is_invalid() -> None:
    warehouse = WarehouseFactory()
    product = ProductFactory(organization=warehouse.organization)
    other = OrganizationFactory()

    with pytest.raises(InvalidInput) as excinfo:
        services.record_receipt(organization=other, warehouse=warehouse, product=product, quantity=D(1))

    assert excinfo.value.fields == {"warehouse": ["belongs to another organization"]}
    assert not StockMovement.objects.exists()


@pytest.mark.django_db
def test_adjust_stock_needs_a_reason_and_records_it() -> None:
    warehouse = WarehouseFactory()
    product = ProductFactory(organization=warehouse.organization)
    receive(warehouse, product, 10)

    with pytest.raises(InvalidInput):
        services.adjust_stock(
            organization=warehouse.organization, warehouse=warehouse, product=product, delta=D(-2), reason=" "
        )
    movement = services.adjust_stock(
        organization=warehouse.organization,
        warehouse=warehouse,
        product=product,
        delta=D(-2),
        reason="Damaged",
    )

    assert (movement.kind, movement.on_hand_delta, movement.reason) == ("adjustment", D(-2), "Damaged")
    assert level_of(warehouse, product) == (D(8), D(0))


@pytest.mark.django_db
def test_adjust_stock_below_zero_is_refused_and_changes_nothing() -> None:
    warehouse = WarehouseFactory()
    product = ProductFactory(organization=warehouse.organization, sku="GLV-9")
    receive(warehouse, product, 3)

    with pytest.raises(InsufficientStock) as excinfo:
        services.adjust_stock(
            organization=warehouse.organization,
            warehouse=warehouse,
            product=product,
            delta=D(-4),
            reason="Lost",
        )

    assert (excinfo.value.sku, excinfo.value.available, excinfo.value.code) == (
        "GLV-9",
        D(3),
        "insufficient_stock",
    )
    assert level_of(warehouse, product) == (D(3), D(0))
    assert StockMovement.objects.count() == 1


@pytest.mark.django_db
def test_on_hand_never_drops_below_what_is_allocated() -> None:
    website = WebsiteFactory()
    warehouse = WarehouseFactory(organization=website.organization)
    WarehouseAssignmentFactory(warehouse=warehouse, website=website)
    product = ProductFactory(organization=website.organization)
    receive(warehouse, product, 10)
    services.allocate_order(
        organization=website.organization,
        website=website,
        account=None,
        ship_to=None,
        lines=[services.OrderLine("1", product.pk, D(6))],
        reference="SO-1",
    )

    with pytest.raises(StockAllocated) as excinfo:
        services.set_on_hand(
            organization=website.organization, warehouse=warehouse, product=product, on_hand=D(5)
        )

    assert excinfo.value.allocated == D(6)
    assert level_of(warehouse, product) == (D(10), D(6))


@pytest.mark.django_db
def test_set_on_hand_records_the_difference_and_a_zero_movement_when_it_matches() -> None:
    warehouse = WarehouseFactory()
    product = ProductFactory(organization=warehouse.organization)
    receive(warehouse, product, 10)
    org = warehouse.organization

    counted = services.set_on_hand(organization=org, warehouse=warehouse, product=product, on_hand=D(7))
    matched = services.set_on_hand(organization=org, warehouse=warehouse, product=product, on_hand=D(7))
    fresh = services.set_on_hand(
        organization=org, warehouse=WarehouseFactory(organization=org), product=product, on_hand=D(4)
    )

    assert (counted.on_hand_delta, counted.on_hand_after, counted.reason) == (D(-3), D(7), "Stock count")
    assert (matched.on_hand_delta, matched.on_hand_after) == (D(0), D(7))
    assert (fresh.on_hand_delta, fresh.on_hand_after) == (D(4), D(4))
    assert level_of(warehouse, product) == (D(7), D(0))


@pytest.mark.django_db
def test_transfer_moves_available_stock_as_a_paired_out_and_in() -> None:
    source = WarehouseFactory(code="CHI")
    destination = WarehouseFactory(organization=source.organization, code="RNO")
    product = ProductFactory(organization=source.organization)
    receive(source, product, 10)

    out, into = services.transfer_stock(
        organization=source.organization,
        source=source,
        destination=destination,
        product=product,
        quantity=D(4),
    )

    assert (out.kind, out.on_hand_delta, into.kind, into.on_hand_delta) == (
        "transfer_out",
        D(-4),
        "transfer_in",
        D(4),
    )
    assert into.paired_movement_id == out.pk
    assert level_of(source, product) == (D(6), D(0))
    assert level_of(destination, product) == (D(4), D(0))


@pytest.mark.django_db
def test_transfer_beyond_available_is_refused_and_changes_nothing() -> None:
    source = WarehouseFactory()
    destination = WarehouseFactory(organization=source.organization)
    product = ProductFactory(organization=source.organization)
    receive(source, product, 3)

    with pytest.raises(InsufficientStock):
        services.transfer_stock(
            organization=source.organization,
            source=source,
            destination=destination,
            product=product,
            quantity=D(4),
        )
    with pytest.raises(InvalidInput):
        services.transfer_stock(
            organization=source.organization,
            source=source,
            destination=source,
            product=product,
            quantity=D(1),
        )

    assert level_of(source, product) == (D(3), D(0))
    assert (
        find_stock_level(
            organization_id=source.organization_id, warehouse_id=destination.pk, product_id=product.pk
        )
        is None
    )
    assert StockMovement.objects.count() == 1


# --- idempotency ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_receipt_retried_with_the_same_external_reference_is_recorded_once() -> None:
    warehouse = WarehouseFactory()
    product = ProductFactory(organization=warehouse.organization)
    org = warehouse.organization

    first = services.record_receipt(
        organization=org, warehouse=warehouse, product=product, quantity=D(5), external_reference="WMS-881"
    )
    retry = services.record_receipt(
        organization=org, warehouse=warehouse, product=product, quantity=D(5), external_reference="WMS-881"
    )

    assert retry.pk == first.pk
    assert level_of(warehouse, product) == (D(5), D(0))
    assert StockMovement.objects.count() == 1
    assert OutboxEvent.objects.filter(event_type="inventory.stock_received").count() == 1


@pytest.mark.django_db
def test_an_external_reference_reused_for_a_different_movement_conflicts_and_changes_nothing() -> None:
    warehouse = WarehouseFactory()
    other_warehouse = WarehouseFactory(organization=warehouse.organization)
    product = ProductFactory(organization=warehouse.organization)
    org = warehouse.organization
    services.record_receipt(
        organization=org, warehouse=warehouse, product=product, quantity=D(5), external_reference="WMS-881"
    )

    with pytest.raises(ExternalReferenceConflict) as quantity_differs:
        services.record_receipt(
            organization=org,
            warehouse=warehouse,
            product=product,
            quantity=D(6),
            external_reference="WMS-881",
        )
    with pytest.raises(ExternalReferenceConflict):
        services.record_receipt(
            organization=org,
            warehouse=other_warehouse,
            product=product,
            quantity=D(5),
            external_reference="WMS-881",
        )
    with pytest.raises(ExternalReferenceConflict):
        services.adjust_stock(
            organization=org,
            warehouse=warehouse,
            product=product,
            delta=D(5),
            reason="Count",
            external_reference="WMS-881",
        )

    assert quantity_differs.value.code == "external_reference_conflict"
    assert level_of(warehouse, product) == (D(5), D(0))
    assert StockMovement.objects.count() == 1


@pytest.mark.django_db
def test_external_references_are_unique_per_organization_only() -> None:
    mine = WarehouseFactory()
    theirs = WarehouseFactory()
    my_product = ProductFactory(organization=mine.organization)
    their_product = ProductFactory(organization=theirs.organization)

    services.record_receipt(
        organization=mine.organization,
        warehouse=mine,
        product=my_product,
        quantity=D(1),
        external_reference="R-1",
    )
    services.record_receipt(
        organization=theirs.organization,
        warehouse=theirs,
        product=their_product,
        quantity=D(2),
        external_reference="R-1",
    )

    assert StockMovement.objects.count() == 2


@pytest.mark.django_db
def test_set_on_hand_and_transfer_retries_return_the_first_movements() -> None:
    source = WarehouseFactory()
    destination = WarehouseFactory(organization=source.organization)
    product = ProductFactory(organization=source.organization)
    org = source.organization
    receive(source, product, 10)

    counted = services.set_on_hand(
        organization=org, warehouse=source, product=product, on_hand=D(8), external_reference="COUNT-1"
    )
    moved = services.transfer_stock(
        organization=org,
        source=source,
        destination=destination,
        product=product,
        quantity=D(3),
        external_reference="TR-1",
    )
    counted_again = services.set_on_hand(
        organization=org, warehouse=source, product=product, on_hand=D(8), external_reference="COUNT-1"
    )
    moved_again = services.transfer_stock(
        organization=org,
        source=source,
        destination=destination,
        product=product,
        quantity=D(3),
        external_reference="TR-1",
    )

    assert counted_again.pk == counted.pk
    assert [m.pk for m in moved_again] == [m.pk for m in moved]
    assert level_of(source, product) == (D(5), D(0))
    assert level_of(destination, product) == (D(3), D(0))


# --- every kind, and reconciliation ---------------------------------------------------------


@pytest.mark.django_db
def test_every_movement_kind_keeps_levels_equal_to_the_ledger() -> None:
    website = WebsiteFactory()
    org = website.organization
    chicago = WarehouseFactory(organization=org)
    reno = WarehouseFactory(organization=org)
    WarehouseAssignmentFactory(warehouse=chicago, website=website, priority=1)
    product = ProductFactory(organization=org)

    receive(chicago, product, 20)
    services.adjust_stock(organization=org, warehouse=chicago, product=product, delta=D(-1), reason="Damaged")
    services.transfer_stock(
        organization=org, source=chicago, destination=reno, product=product, quantity=D(4)
    )
    order = [services.OrderLine("1", product.pk, D(10))]
    services.allocate_order(
        organization=org, website=website, account=None, ship_to=None, lines=order, reference="SO-1"
    )
    services.ship_allocation(
        organization=org,
        reference="SO-1",
        lines=[services.ShipmentLine(product_id=product.pk, quantity=D(4))],
    )
    services.release_allocation(organization=org, reference="SO-1")

    kinds = set(StockMovement.objects.values_list("kind", flat=True))
    assert kinds == set(StockMovement.Kind.values)
    assert level_of(chicago, product) == (D(11), D(0))
    assert level_of(reno, product) == (D(4), D(0))
    assert reconcile(organization_id=org.pk) == []
    for level in StockLevel.objects.all():
        last = StockMovement.objects.filter(warehouse=level.warehouse, product=level.product).latest("id")
        assert (last.on_hand_after, last.allocated_after) == (level.on_hand, level.allocated)


def _drifted(org: Organization) -> None:
    warehouse = WarehouseFactory(organization=org, code="CHI")
    product = ProductFactory(organization=org, sku="HXB-M8")
    receive(warehouse, product, 10)
    StockLevel.objects.filter(warehouse=warehouse).update(on_hand=D(12))  # behind the ledger's back


@pytest.mark.django_db
def test_reconcile_finds_a_level_that_drifted_from_its_ledger() -> None:
    org = OrganizationFactory()
    _drifted(org)

    [drift] = reconcile(organization_id=org.pk)

    assert (drift.warehouse_code, drift.sku, drift.on_hand, drift.ledger_on_hand) == (
        "CHI",
        "HXB-M8",
        D(12),
        D(10),
    )


@pytest.mark.django_db
def test_reconcile_command_prints_drift_and_exits_non_zero() -> None:
    clean = OrganizationFactory(slug="clean")
    receive(WarehouseFactory(organization=clean), ProductFactory(organization=clean), 5)
    drifted = OrganizationFactory(slug="drifted")
    _drifted(drifted)
    out = StringIO()

    call_command("inventory_reconcile", "--organization", "clean", stdout=out)
    with pytest.raises(SystemExit) as exited:
        call_command("inventory_reconcile", stdout=out, stderr=StringIO())

    assert exited.value.code == 1
    assert "clean: ok" in out.getvalue()
    assert "DRIFT drifted CHI HXB-M8: level on_hand=12.000" in out.getvalue()


@pytest.mark.django_db
def test_the_database_refuses_a_level_that_breaks_an_invariant() -> None:
    warehouse = WarehouseFactory()
    product = ProductFactory(organization=warehouse.organization)
    receive(warehouse, product, 5)

    with pytest.raises(IntegrityError), transaction.atomic():
        StockLevel.objects.filter(warehouse=warehouse).update(allocated=D(6))
    with pytest.raises(IntegrityError), transaction.atomic():
        StockLevel.objects.filter(warehouse=warehouse).update(on_hand=D(-1))

    assert level_of(warehouse, product) == (D(5), D(0))


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_ledger_is_append_only_in_the_database() -> None:
    warehouse = WarehouseFactory()
    product = ProductFactory(organization=warehouse.organization)
    receive(warehouse, product, 5)

    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        StockMovement.objects.update(on_hand_delta=D(6))

    assert StockMovement.objects.get().on_hand_delta == D(5)
    assert IncomingStock.objects.count() == 0
