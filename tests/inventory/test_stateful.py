"""Random sequences of receipts, adjustments, counts, allocations, releases, shipments and transfers.

A hypothesis state machine drives the real services against the database and checks, after
every step, that no level is negative or over-allocated, that every level equals what its
ledger sums to, and that what each order holds adds up to what the levels say is allocated.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db.models import Sum
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from meridian.core.errors import Conflict
from meridian.inventory import services
from meridian.inventory.models import BackorderPolicy, StockLevel, StockMovement
from meridian.inventory.queries import reconcile
from tests.catalog.factories import ProductFactory
from tests.inventory.factories import WarehouseAssignmentFactory, WarehouseFactory
from tests.tenancy.factories import WebsiteFactory

D = Decimal
WAREHOUSES = st.integers(min_value=0, max_value=2)
PRODUCTS = st.integers(min_value=0, max_value=2)
POLICIES = st.sampled_from([BackorderPolicy.ALLOW, BackorderPolicy.PARTIAL, BackorderPolicy.DENY])


class InventoryMachine(RuleBasedStateMachine):
    orders = Bundle("orders")

    def __init__(self) -> None:
        super().__init__()
        self.website = WebsiteFactory()
        self.org = self.website.organization
        self.warehouses = [WarehouseFactory(organization=self.org) for _ in range(3)]
        for priority, warehouse in enumerate(self.warehouses[:2]):  # the third only receives and transfers
            WarehouseAssignmentFactory(warehouse=warehouse, website=self.website, priority=priority)
        self.products = [ProductFactory(organization=self.org) for _ in range(3)]
        self.counter = 0

    @initialize()
    def opening_stock(self) -> None:
        for warehouse in self.warehouses[:2]:
            for product in self.products:
                services.record_receipt(
                    organization=self.org, warehouse=warehouse, product=product, quantity=D(15)
                )

    def snapshot(self) -> dict[tuple[int, int], tuple[Decimal, Decimal]]:
        return {
            (level.warehouse_id, level.product_id): (level.on_hand, level.allocated)
            for level in StockLevel.objects.filter(organization=self.org)
        }

    def refused_without_change(
        self, error: Conflict, before: dict[tuple[int, int], tuple[Decimal, Decimal]]
    ) -> None:
        assert error.code in {"insufficient_stock", "stock_allocated", "not_allocated"}
        assert {pair: values for pair, values in self.snapshot().items() if values != (0, 0)} == {
            pair: values for pair, values in before.items() if values != (0, 0)
        }

    @rule(warehouse=WAREHOUSES, product=PRODUCTS, quantity=st.integers(min_value=1, max_value=30))
    def receive(self, warehouse: int, product: int, quantity: int) -> None:
        services.record_receipt(
            organization=self.org,
            warehouse=self.warehouses[warehouse],
            product=self.products[product],
            quantity=D(quantity),
        )

    @rule(warehouse=WAREHOUSES, product=PRODUCTS, delta=st.integers(min_value=-15, max_value=15).filter(bool))
    def adjust(self, warehouse: int, product: int, delta: int) -> None:
        before = self.snapshot()
        try:
            services.adjust_stock(
                organization=self.org,
                warehouse=self.warehouses[warehouse],
                product=self.products[product],
                delta=D(delta),
                reason="Cycle count",
            )
        except Conflict as error:
            self.refused_without_change(error, before)

    @rule(warehouse=WAREHOUSES, product=PRODUCTS, on_hand=st.integers(min_value=0, max_value=30))
    def count(self, warehouse: int, product: int, on_hand: int) -> None:
        before = self.snapshot()
        try:
            services.set_on_hand(
                organization=self.org,
                warehouse=self.warehouses[warehouse],
                product=self.products[product],
                on_hand=D(on_hand),
            )
        except Conflict as error:
            self.refused_without_change(error, before)

    @rule(
        source=WAREHOUSES,
        destination=WAREHOUSES,
        product=PRODUCTS,
        quantity=st.integers(min_value=1, max_value=10),
    )
    def transfer(self, source: int, destination: int, product: int, quantity: int) -> None:
        if source == destination:
            return
        before = self.snapshot()
        try:
            services.transfer_stock(
                organization=self.org,
                source=self.warehouses[source],
                destination=self.warehouses[destination],
                product=self.products[product],
                quantity=D(quantity),
            )
        except Conflict as error:
            self.refused_without_change(error, before)

    @rule(
        target=orders,
        lines=st.lists(
            st.tuples(PRODUCTS, st.integers(min_value=1, max_value=8)),
            min_size=1,
            max_size=4,
            unique_by=lambda t: t[0],
        ),
        policy=POLICIES,
    )
    def allocate(self, lines: list[tuple[int, int]], policy: BackorderPolicy) -> str:
        self.counter += 1
        reference = f"SO-{self.counter}"
        for product, _ in lines:
            services.set_product_backorder_policy(product=self.products[product], policy=policy)
        before = self.snapshot()
        try:
            result = services.allocate_order(
                organization=self.org,
                website=self.website,
                account=None,
                ship_to=None,
                lines=[
                    services.OrderLine(str(i), self.products[p].pk, D(q)) for i, (p, q) in enumerate(lines)
                ],
                reference=reference,
            )
        except Conflict as error:
            self.refused_without_change(error, before)
            return reference
        for line in result.lines:
            assert line.allocated + line.backordered + line.cancelled == line.requested
        return reference

    @rule(reference=consumes(orders))
    def release(self, reference: str) -> None:
        services.release_allocation(organization=self.org, reference=reference)

    @rule(
        reference=orders,
        product=PRODUCTS,
        quantity=st.integers(min_value=1, max_value=6),
        everything=st.sampled_from([True, True, False]),
    )
    def ship(self, reference: str, product: int, quantity: int, everything: bool) -> None:
        before = self.snapshot()
        lines = None if everything else [services.ShipmentLine(self.products[product].pk, D(quantity))]
        try:
            services.ship_allocation(organization=self.org, reference=reference, lines=lines)
        except Conflict as error:
            self.refused_without_change(error, before)

    @invariant()
    def levels_are_valid(self) -> None:
        for on_hand, allocated in self.snapshot().values():
            assert on_hand >= 0
            assert 0 <= allocated <= on_hand

    @invariant()
    def levels_equal_the_ledger(self) -> None:
        assert reconcile(organization_id=self.org.pk) == []

    @invariant()
    def orders_hold_what_levels_call_allocated(self) -> None:
        held = (
            StockMovement.objects.filter(
                organization=self.org, kind__in=["allocation", "release", "shipment"]
            )
            .values_list("warehouse_id", "product_id")
            .annotate(total=Sum("allocated_delta"))
            .order_by()
        )
        by_pair = {(w, p): total for w, p, total in held if total}
        assert by_pair == {pair: allocated for pair, (_, allocated) in self.snapshot().items() if allocated}


@pytest.mark.django_db
def test_random_stock_operations_keep_every_invariant() -> None:
    run_state_machine_as_test(
        InventoryMachine,
        settings=settings(
            max_examples=30,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
