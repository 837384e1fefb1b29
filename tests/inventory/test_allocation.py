"""Allocating orders through the service: strategies, backorder policies, drop-ship, release and shipment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone

from meridian.catalog.models import Product
from meridian.core.errors import InvalidInput
from meridian.core.models import OutboxEvent
from meridian.customers.models import Account
from meridian.inventory import queries, services
from meridian.inventory.errors import InsufficientStock, NothingAllocated, PurchaseOrderTransitionNotAllowed
from meridian.inventory.models import (
    AllocationStrategy,
    BackorderPolicy,
    StockLevel,
    StockMovement,
    SupplierPurchaseOrder,
    Warehouse,
    WarehouseAssignment,
)
from meridian.inventory.queries import reconcile
from meridian.tenancy.models import Organization, Website
from tests.catalog.factories import ProductFactory
from tests.customers.factories import AccountFactory, AddressFactory
from tests.inventory.factories import (
    SupplierFactory,
    SupplierProductFactory,
    WarehouseAssignmentFactory,
    WarehouseFactory,
    receive,
)
from tests.tenancy.factories import BranchFactory, WebsiteFactory

D = Decimal
OrderLine = services.OrderLine


@dataclass
class Shop:
    org: Organization
    website: Website
    account: Account
    chicago: Warehouse  # priority 1, Chicago
    reno: Warehouse  # priority 2, Reno
    newark: Warehouse  # priority 3, a 3PL near New York


@pytest.fixture
def shop() -> Shop:
    website = WebsiteFactory()
    org = website.organization
    chicago = WarehouseFactory(organization=org, code="CHI", latitude=D("41.88"), longitude=D("-87.63"))
    reno = WarehouseFactory(organization=org, code="RNO", latitude=D("39.53"), longitude=D("-119.81"))
    newark = WarehouseFactory(
        organization=org,
        code="NJ",
        kind=Warehouse.Kind.THIRD_PARTY,
        latitude=D("40.74"),
        longitude=D("-74.17"),
    )
    for priority, warehouse in enumerate((chicago, reno, newark), start=1):
        WarehouseAssignmentFactory(warehouse=warehouse, website=website, priority=priority)
    return Shop(org, website, AccountFactory(organization=org), chicago, reno, newark)


def allocate(
    shop: Shop, *lines: OrderLine, reference: str = "SO-1", **kwargs: Any
) -> services.AllocationResult:
    return services.allocate_order(
        organization=shop.org,
        website=shop.website,
        account=kwargs.pop("account", shop.account),
        ship_to=kwargs.pop("ship_to", None),
        lines=list(lines),
        reference=reference,
        **kwargs,
    )


def levels(product: Product) -> dict[str, tuple[Decimal, Decimal]]:
    return {
        level.warehouse.code: (level.on_hand, level.allocated)
        for level in StockLevel.objects.filter(product=product).select_related("warehouse")
    }


def pieces(result: services.AllocationResult, key: str = "1") -> list[tuple[int, Decimal]]:
    line = next(line for line in result.lines if line.key == key)
    return [(piece.warehouse_id, piece.quantity) for piece in line.pieces]


# --- strategies -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_priority_allocates_from_the_first_warehouse_and_writes_ledger_levels_and_an_event(
    shop: Shop,
) -> None:
    product = ProductFactory(organization=shop.org)
    receive(shop.chicago, product, 5)
    receive(shop.reno, product, 10)

    result = allocate(shop, OrderLine("1", product.pk, D(8)), reference="SO-1001", user_id=3)

    assert pieces(result) == [(shop.chicago.pk, D(5)), (shop.reno.pk, D(3))]
    assert levels(product) == {"CHI": (D(5), D(5)), "RNO": (D(10), D(3))}
    movements = StockMovement.objects.filter(kind="allocation").order_by("warehouse_id")
    assert [(m.warehouse_id, m.allocated_delta, m.reference, m.actor_user_id) for m in movements] == [
        (shop.chicago.pk, D(5), "SO-1001", 3),
        (shop.reno.pk, D(3), "SO-1001", 3),
    ]
    event = OutboxEvent.objects.get(event_type="inventory.stock_allocated")
    assert (event.aggregate_type, event.aggregate_id) == ("allocation", "SO-1001")
    assert event.payload["lines"][0]["warehouses"] == [
        {"warehouse_id": shop.chicago.pk, "quantity": "5.000"},
        {"warehouse_id": shop.reno.pk, "quantity": "3.000"},
    ]


@pytest.mark.django_db
def test_nearest_allocates_from_the_warehouse_closest_to_the_ship_to_address(shop: Shop) -> None:
    services.configure_website(website=shop.website, allocation_strategy=AllocationStrategy.NEAREST)
    product = ProductFactory(organization=shop.org)
    for warehouse in (shop.chicago, shop.reno, shop.newark):
        receive(warehouse, product, 10)
    boston = services.ShipTo(latitude=D("42.36"), longitude=D("-71.06"))
    sacramento = services.ShipTo(latitude=D("38.58"), longitude=D("-121.49"))

    east = allocate(shop, OrderLine("1", product.pk, D(2)), reference="SO-1", ship_to=boston)
    west = allocate(shop, OrderLine("1", product.pk, D(2)), reference="SO-2", ship_to=sacramento)

    assert pieces(east) == [(shop.newark.pk, D(2))]
    assert pieces(west) == [(shop.reno.pk, D(2))]


@pytest.mark.django_db
def test_nearest_reads_the_ship_to_addresss_own_coordinates_else_falls_back_to_priority(shop: Shop) -> None:
    services.configure_website(website=shop.website, allocation_strategy=AllocationStrategy.NEAREST)
    product = ProductFactory(organization=shop.org)
    for warehouse in (shop.chicago, shop.reno, shop.newark):
        receive(warehouse, product, 10)
    sacramento = AddressFactory(account=shop.account, latitude=D("38.58"), longitude=D("-121.49"))
    unknown = AddressFactory(account=shop.account)  # no coordinates
    foreign = AddressFactory(latitude=D("38.58"), longitude=D("-121.49"))  # another organization's

    west = allocate(
        shop,
        OrderLine("1", product.pk, D(2)),
        reference="SO-1",
        ship_to=services.ShipTo(address_id=sacramento.pk),
    )
    fallback = allocate(
        shop,
        OrderLine("1", product.pk, D(2)),
        reference="SO-2",
        ship_to=services.ShipTo(address_id=unknown.pk),
    )
    not_ours = allocate(
        shop,
        OrderLine("1", product.pk, D(2)),
        reference="SO-3",
        ship_to=services.ShipTo(address_id=foreign.pk),
    )

    assert pieces(west) == [(shop.reno.pk, D(2))]
    assert pieces(fallback) == [(shop.chicago.pk, D(2))]  # priority 1
    assert pieces(not_ours) == [(shop.chicago.pk, D(2))]


@pytest.mark.django_db
def test_only_nearest_reads_the_address(shop: Shop, django_assert_num_queries: Any) -> None:
    product = ProductFactory(organization=shop.org)
    receive(shop.chicago, product, 10)
    address = AddressFactory(account=shop.account, latitude=D("38.58"), longitude=D("-121.49"))
    ship_to = services.ShipTo(address_id=address.pk)
    allocate(shop, OrderLine("1", product.pk, D(1)), reference="SO-0", ship_to=ship_to)  # caches routing
    writes = 2 if connection.vendor == "postgresql" else 4

    with django_assert_num_queries(writes):  # priority: no address query
        allocate(shop, OrderLine("1", product.pk, D(1)), reference="SO-1", ship_to=ship_to)
    services.configure_website(website=shop.website, allocation_strategy=AllocationStrategy.NEAREST)
    allocate(shop, OrderLine("1", product.pk, D(1)), reference="SO-2", ship_to=ship_to)  # new stamp
    with django_assert_num_queries(writes + 1):  # nearest: + the address's coordinates
        allocate(shop, OrderLine("1", product.pk, D(1)), reference="SO-3", ship_to=ship_to)


@pytest.mark.django_db
def test_fewest_shipments_ships_the_whole_order_from_one_warehouse(shop: Shop) -> None:
    services.configure_website(website=shop.website, allocation_strategy=AllocationStrategy.FEWEST_SHIPMENTS)
    bolt, nut = ProductFactory(organization=shop.org), ProductFactory(organization=shop.org)
    receive(shop.chicago, bolt, 10)
    receive(shop.newark, bolt, 10)
    receive(shop.newark, nut, 10)

    result = allocate(shop, OrderLine("1", bolt.pk, D(3)), OrderLine("2", nut.pk, D(3)))

    assert pieces(result, "1") == [(shop.newark.pk, D(3))]
    assert pieces(result, "2") == [(shop.newark.pk, D(3))]
    assert result.plan.shipments == 1


@pytest.mark.django_db
def test_a_branch_assignment_adds_a_warehouse_and_outranks_the_website_priority(shop: Shop) -> None:
    branch = BranchFactory(organization=shop.org)
    account = AccountFactory(organization=shop.org, branch=branch)
    depot = WarehouseFactory(organization=shop.org, code="DEPOT")
    WarehouseAssignmentFactory(warehouse=depot, branch=branch, priority=0)
    WarehouseAssignmentFactory(
        warehouse=shop.reno, branch=branch, priority=0
    )  # beats RNO's website priority 2
    product = ProductFactory(organization=shop.org)
    for warehouse in (shop.chicago, shop.reno, depot):
        receive(warehouse, product, 1)

    branch_order = allocate(shop, OrderLine("1", product.pk, D(3)), reference="SO-1", account=account)

    assert pieces(branch_order) == [(shop.reno.pk, D(1)), (depot.pk, D(1)), (shop.chicago.pk, D(1))]


@pytest.mark.django_db
def test_inactive_and_unassigned_warehouses_are_not_used(shop: Shop) -> None:
    product = ProductFactory(organization=shop.org)
    unassigned = WarehouseFactory(organization=shop.org)
    receive(unassigned, product, 10)
    receive(shop.chicago, product, 10)
    Warehouse.objects.filter(pk=shop.chicago.pk).update(is_active=False)

    with pytest.raises(InsufficientStock) as excinfo:
        allocate(shop, OrderLine("1", product.pk, D(1)))

    assert excinfo.value.available == D(0)


# --- backorder policies ---------------------------------------------------------------------


@pytest.mark.django_db
def test_deny_refuses_the_whole_order_and_changes_nothing(shop: Shop) -> None:
    enough = ProductFactory(organization=shop.org)
    short = ProductFactory(organization=shop.org, sku="VLV-2")
    receive(shop.chicago, enough, 10)
    receive(shop.chicago, short, 2)
    events = OutboxEvent.objects.count()

    with pytest.raises(InsufficientStock) as excinfo:
        allocate(shop, OrderLine("a", enough.pk, D(5)), OrderLine("b", short.pk, D(3)))

    assert (excinfo.value.sku, excinfo.value.requested, excinfo.value.available) == ("VLV-2", D(3), D(2))
    assert excinfo.value.fields == {"lines.1.quantity": ["requested 3, available 2.000"]}
    assert levels(enough) == {"CHI": (D(10), D(0))}
    assert levels(short) == {"CHI": (D(2), D(0))}
    assert not StockMovement.objects.filter(kind="allocation").exists()
    assert OutboxEvent.objects.count() == events


@pytest.mark.django_db
def test_the_website_default_policy_applies_unless_the_product_has_its_own(shop: Shop) -> None:
    services.configure_website(
        website=shop.website,
        allocation_strategy=AllocationStrategy.PRIORITY,
        default_backorder_policy=BackorderPolicy.ALLOW,
    )
    backorderable = ProductFactory(organization=shop.org)
    partial = ProductFactory(organization=shop.org)
    services.set_product_backorder_policy(product=partial, policy=BackorderPolicy.PARTIAL)
    receive(shop.chicago, backorderable, 2)
    receive(shop.chicago, partial, 2)

    result = allocate(shop, OrderLine("1", backorderable.pk, D(5)), OrderLine("2", partial.pk, D(5)))

    first, second = result.lines
    assert (first.allocated, first.backordered, first.cancelled) == (D(2), D(3), D(0))
    assert (second.allocated, second.backordered, second.cancelled) == (D(2), D(0), D(3))


@pytest.mark.django_db
def test_an_account_override_on_a_parent_applies_to_its_children_and_beats_the_product(shop: Shop) -> None:
    parent = AccountFactory(organization=shop.org)
    child = AccountFactory(parent=parent)
    product = ProductFactory(organization=shop.org)
    services.set_product_backorder_policy(product=product, policy=BackorderPolicy.ALLOW)
    services.set_account_backorder_policy(account=parent, policy=BackorderPolicy.DENY)
    receive(shop.chicago, product, 1)

    with pytest.raises(InsufficientStock):
        allocate(shop, OrderLine("1", product.pk, D(2)), account=child)
    services.set_account_backorder_policy(account=child, policy=BackorderPolicy.PARTIAL)
    result = allocate(shop, OrderLine("1", product.pk, D(2)), account=child)

    assert (result.lines[0].allocated, result.lines[0].cancelled) == (D(1), D(1))


# --- drop-ship ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_line_own_stock_cannot_cover_is_drop_shipped_with_a_supplier_purchase_order(shop: Shop) -> None:
    supplier = SupplierFactory(organization=shop.org, code="ACME")
    pump = ProductFactory(organization=shop.org)
    glove = ProductFactory(organization=shop.org)
    SupplierProductFactory(supplier=supplier, product=pump, supplier_sku="AC-PUMP", lead_time_days=5)
    receive(shop.chicago, pump, 2)
    receive(shop.chicago, glove, 10)
    address = AddressFactory(account=shop.account)

    result = allocate(
        shop,
        OrderLine("1", pump.pk, D(6)),
        OrderLine("2", glove.pk, D(1)),
        reference="SO-77",
        ship_to=services.ShipTo(address_id=address.pk),
    )

    pump_line = result.lines[0]
    assert (pump_line.pieces, pump_line.dropship[0].quantity) == ((), D(6))
    order = SupplierPurchaseOrder.objects.get()
    assert result.purchase_order_ids == {supplier.pk: order.pk}
    assert (order.number, order.reference, order.status) == (f"DS-{order.pk:06d}", "SO-77", "draft")
    assert (order.account_id, order.ship_to_address_id) == (shop.account.pk, address.pk)
    assert order.expected_ship_date == timezone.localdate() + timedelta(days=5)
    assert [(row.product_id, row.supplier_sku, row.line_key, row.quantity) for row in order.lines.all()] == [
        (pump.pk, "AC-PUMP", "1", D(6))
    ]
    assert levels(pump) == {"CHI": (D(2), D(0))}  # own stock untouched
    assert OutboxEvent.objects.filter(event_type="inventory.supplier_purchase_order_created").count() == 1


@pytest.mark.django_db
def test_supplier_stock_is_reserved_then_consumed_when_the_purchase_order_ships(shop: Shop) -> None:
    supplier = SupplierFactory(organization=shop.org)
    supplier_stock = WarehouseFactory(
        organization=shop.org, code="DS", kind=Warehouse.Kind.DROPSHIP, supplier=supplier
    )
    WarehouseAssignmentFactory(warehouse=supplier_stock, website=shop.website, priority=9)
    product = ProductFactory(organization=shop.org)
    SupplierProductFactory(supplier=supplier, product=product)
    receive(supplier_stock, product, 20)

    result = allocate(shop, OrderLine("1", product.pk, D(6)), reference="SO-5")
    order = SupplierPurchaseOrder.objects.get(pk=result.purchase_order_ids[supplier.pk])
    assert levels(product) == {"DS": (D(20), D(6))}
    assert services.ship_allocation(organization=shop.org, reference="SO-5") == []  # not ours to ship

    for status in (SupplierPurchaseOrder.Status.SENT, SupplierPurchaseOrder.Status.SHIPPED):
        services.set_purchase_order_status(organization=shop.org, purchase_order=order, status=status)

    assert levels(product) == {"DS": (D(14), D(0))}
    assert reconcile(organization_id=shop.org.pk) == []
    with pytest.raises(PurchaseOrderTransitionNotAllowed):
        services.set_purchase_order_status(
            organization=shop.org, purchase_order=order, status=SupplierPurchaseOrder.Status.CANCELLED
        )


# --- release and shipment -------------------------------------------------------------------


@pytest.mark.django_db
def test_release_gives_back_what_the_order_holds_and_cancels_its_drop_ship_orders(shop: Shop) -> None:
    supplier = SupplierFactory(organization=shop.org)
    product, dropshipped = ProductFactory(organization=shop.org), ProductFactory(organization=shop.org)
    SupplierProductFactory(supplier=supplier, product=dropshipped)
    receive(shop.chicago, product, 3)
    receive(shop.reno, product, 3)
    allocate(shop, OrderLine("1", product.pk, D(5)), OrderLine("2", dropshipped.pk, D(1)), reference="SO-9")

    released = services.release_allocation(organization=shop.org, reference="SO-9")
    again = services.release_allocation(organization=shop.org, reference="SO-9")

    assert sorted(m.allocated_delta for m in released.movements) == [D(-3), D(-2)]
    assert SupplierPurchaseOrder.objects.get().status == SupplierPurchaseOrder.Status.CANCELLED
    assert (again.movements, again.cancelled_purchase_order_ids) == ([], [])
    assert levels(product) == {"CHI": (D(3), D(0)), "RNO": (D(3), D(0))}
    assert reconcile(organization_id=shop.org.pk) == []


@pytest.mark.django_db
def test_shipment_consumes_on_hand_and_allocated_together(shop: Shop) -> None:
    product = ProductFactory(organization=shop.org)
    receive(shop.chicago, product, 3)
    receive(shop.reno, product, 10)
    allocate(shop, OrderLine("1", product.pk, D(8)), reference="SO-3")

    partial = services.ship_allocation(
        organization=shop.org,
        reference="SO-3",
        lines=[services.ShipmentLine(product_id=product.pk, quantity=D(2), warehouse_id=shop.reno.pk)],
    )
    rest = services.ship_allocation(organization=shop.org, reference="SO-3")

    assert [(m.warehouse_id, m.on_hand_delta, m.allocated_delta) for m in partial] == [
        (shop.reno.pk, D(-2), D(-2))
    ]
    assert sorted((m.warehouse_id, m.on_hand_delta) for m in rest) == [
        (shop.chicago.pk, D(-3)),
        (shop.reno.pk, D(-3)),
    ]
    assert levels(product) == {"CHI": (D(0), D(0)), "RNO": (D(5), D(0))}


@pytest.mark.django_db
def test_shipping_more_than_is_allocated_is_refused_and_changes_nothing(shop: Shop) -> None:
    product = ProductFactory(organization=shop.org, sku="HXB-M8")
    receive(shop.chicago, product, 10)
    allocate(shop, OrderLine("1", product.pk, D(4)), reference="SO-4")

    with pytest.raises(NothingAllocated) as excinfo:
        services.ship_allocation(
            organization=shop.org,
            reference="SO-4",
            lines=[services.ShipmentLine(product_id=product.pk, quantity=D(5))],
        )

    assert (excinfo.value.sku, excinfo.value.allocated, excinfo.value.code) == (
        "HXB-M8",
        D(4),
        "not_allocated",
    )
    assert levels(product) == {"CHI": (D(10), D(4))}
    assert not StockMovement.objects.filter(kind="shipment").exists()


# --- input, transactions, queries -----------------------------------------------------------


@pytest.mark.django_db
def test_bad_order_input_is_invalid(shop: Shop) -> None:
    foreign = ProductFactory()
    product = ProductFactory(organization=shop.org)

    with pytest.raises(InvalidInput) as foreign_product:
        allocate(shop, OrderLine("1", foreign.pk, D(1)))
    with pytest.raises(InvalidInput) as twice:
        allocate(shop, OrderLine("1", product.pk, D(1)), OrderLine("1", product.pk, D(1)))
    with pytest.raises(InvalidInput) as no_reference:
        allocate(shop, OrderLine("1", product.pk, D(1)), reference=" ")

    assert list(foreign_product.value.fields) == ["lines.0.product"]
    assert list(twice.value.fields) == ["lines.1.key"]
    assert list(no_reference.value.fields) == ["reference"]


@pytest.mark.django_db
def test_allocation_joins_the_callers_durable_transaction_and_rolls_back_with_it(shop: Shop) -> None:
    product = ProductFactory(organization=shop.org)
    receive(shop.chicago, product, 10)

    with pytest.raises(RuntimeError, match="order failed later"), transaction.atomic(durable=True):
        allocate(shop, OrderLine("1", product.pk, D(4)))
        raise RuntimeError("order failed later")

    assert levels(product) == {"CHI": (D(10), D(0))}
    assert not StockMovement.objects.filter(kind="allocation").exists()


@pytest.mark.django_db
def test_a_refusal_leaves_the_callers_transaction_usable(shop: Shop) -> None:
    product = ProductFactory(organization=shop.org)
    receive(shop.chicago, product, 1)

    with transaction.atomic(durable=True):
        with pytest.raises(InsufficientStock):
            allocate(shop, OrderLine("1", product.pk, D(2)), reference="SO-1")
        result = allocate(shop, OrderLine("1", product.pk, D(1)), reference="SO-2")

    assert result.lines[0].allocated == D(1)
    assert levels(product) == {"CHI": (D(1), D(1))}


@pytest.mark.django_db
@pytest.mark.parametrize("lines", [1, 10])
def test_allocation_query_count_does_not_grow_with_the_lines(
    shop: Shop, lines: int, django_assert_num_queries: Any
) -> None:
    products = [ProductFactory(organization=shop.org) for _ in range(lines)]
    for product in products:
        receive(shop.chicago, product, 5)
        receive(shop.reno, product, 5)
    order = [OrderLine(str(i), product.pk, D(7)) for i, product in enumerate(products)]
    allocate(shop, OrderLine("warm", products[0].pk, D(1)), reference="SO-0")  # caches the routing

    # lock levels + products (policies, account override, drop-ship) + routing stamp; the levels'
    # UPDATE, the ledger INSERT and the outbox INSERT (one statement on PostgreSQL, three on
    # SQLite). No savepoint inside the caller's transaction, no routing query while the stamp is
    # unchanged.
    with django_assert_num_queries(2 if connection.vendor == "postgresql" else 4):
        allocate(shop, *order)


@pytest.mark.django_db
def test_a_cold_routing_cache_costs_two_queries_more(shop: Shop, django_assert_num_queries: Any) -> None:
    product = ProductFactory(organization=shop.org)
    receive(shop.chicago, product, 5)
    queries.forget_routings()

    # routing stamp, routing; then as warm
    with django_assert_num_queries(4 if connection.vendor == "postgresql" else 6):
        allocate(shop, OrderLine("1", product.pk, D(1)))


@pytest.mark.django_db
def test_a_routing_change_reaches_the_next_allocation_whoever_writes_it(shop: Shop) -> None:
    product = ProductFactory(organization=shop.org)
    receive(shop.chicago, product, 5)
    receive(shop.reno, product, 5)
    first = allocate(shop, OrderLine("1", product.pk, D(1)), reference="SO-1")  # cached: CHI first
    assert [piece.warehouse_id for piece in first.lines[0].pieces] == [shop.chicago.pk]

    # A plain UPDATE, as the admin or a script would make it: no service is told.
    Warehouse.objects.filter(pk=shop.chicago.pk).update(is_active=False)
    second = allocate(shop, OrderLine("1", product.pk, D(1)), reference="SO-2")
    assert [piece.warehouse_id for piece in second.lines[0].pieces] == [shop.reno.pk]

    WarehouseAssignment.objects.filter(warehouse=shop.reno).delete()
    services.assign_warehouse(warehouse=shop.reno, website=shop.website, priority=9)
    Warehouse.objects.filter(pk=shop.chicago.pk).update(is_active=True)
    third = allocate(shop, OrderLine("1", product.pk, D(6)), reference="SO-3")
    assert [(p.warehouse_id, p.quantity) for p in third.lines[0].pieces] == [
        (shop.chicago.pk, D(4)),
        (shop.reno.pk, D(2)),
    ]


@pytest.mark.django_db
def test_a_website_setting_change_reaches_the_next_allocation(shop: Shop) -> None:
    product = ProductFactory(organization=shop.org)
    receive(shop.chicago, product, 1)
    allocate(shop, OrderLine("1", product.pk, D(1)), reference="SO-1")  # caches policy deny

    services.configure_website(
        website=shop.website,
        allocation_strategy=AllocationStrategy.PRIORITY,
        default_backorder_policy=BackorderPolicy.ALLOW,
    )
    result = allocate(shop, OrderLine("1", product.pk, D(3)), reference="SO-2")

    assert result.lines[0].backordered == D(3)
