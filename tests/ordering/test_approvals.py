"""Buyer controls: order limits, monthly budgets, approvals."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from meridian.core.errors import NotFound
from meridian.core.models import OutboxEvent
from meridian.inventory.errors import InsufficientStock
from meridian.inventory.models import BackorderPolicy, StockLevel
from meridian.inventory.services import set_product_backorder_policy
from meridian.ordering import queries
from meridian.ordering.errors import NotAnApprover, OrderAlreadyDecided
from meridian.ordering.models import Order, OrderStatusChange
from meridian.ordering.policies import ApprovalContext
from meridian.ordering.services import approve_order, cancel_order, reject_order, set_buyer_order_limit
from meridian.pricing.models import RebateAccrual
from tests.catalog.factories import ProductFactory
from tests.customers.factories import BuyerUserFactory
from tests.inventory.factories import receive
from tests.ordering.conftest import World
from tests.ordering.factories import AccountOrderingSettingsFactory, BuyerOrderLimitFactory
from tests.pricing.factories import PriceListEntryFactory, RebateProgramFactory, RebateTierFactory

D = Decimal


def allocated(world: World) -> Decimal:
    return StockLevel.objects.get(warehouse=world.warehouse, product=world.bolt).allocated


@pytest.mark.django_db
def test_over_the_buyers_limit_the_order_waits_for_approval_holding_no_stock(
    world: World, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    BuyerOrderLimitFactory(buyer=world.buyer, order_limit=D(50))

    within = world.order([(world.bolt, 25)])  # 50.00
    with django_capture_on_commit_callbacks(execute=True):
        over = world.order([(world.bolt, 26)])  # 52.00

    assert within.status == Order.Status.PLACED
    assert (over.status, over.approval_reasons) == (Order.Status.PENDING_APPROVAL, ["order_limit"])
    assert allocated(world) == D(25)
    assert over.lines.get().allocated_quantity == D(0)
    assert OutboxEvent.objects.filter(aggregate_id=over.number).get().event_type == "order.pending_approval"
    assert {tuple(message.to) for message in mail.outbox} == {
        (world.buyer.user.email,),
        (world.approver.user.email,),
    }


@pytest.mark.django_db
def test_the_monthly_budget_counts_the_accounts_orders_this_month_a_reps_included(world: World) -> None:
    AccountOrderingSettingsFactory(account=world.child, monthly_budget=D(100))
    world.order([(world.bolt, 30)], actor=world.rep_actor, account=world.child)  # 60.00
    last_month = world.order([(world.bolt, 40)], now=timezone.now() - timedelta(days=40))
    cancel_order(actor=world.buyer_actor, number=world.order([(world.bolt, 40)]).number)  # cancelled: 0

    within = world.order([(world.bolt, 20)])  # 60 + 40 = 100
    over = world.order([(world.bolt, 1)], actor=world.rep_actor, account=world.child)

    assert last_month.status == Order.Status.PLACED
    assert within.status == Order.Status.PLACED
    assert (over.status, over.approval_reasons) == (Order.Status.PENDING_APPROVAL, ["monthly_budget"])


@pytest.mark.django_db
def test_a_reps_order_ignores_buyer_limits(world: World) -> None:
    BuyerOrderLimitFactory(buyer=world.buyer, order_limit=D(1))

    order = world.order([(world.bolt, 10)], actor=world.rep_actor, account=world.child)

    assert order.status == Order.Status.PLACED


@pytest.mark.django_db
def test_approval_allocates_then_and_is_recorded(
    world: World, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    BuyerOrderLimitFactory(buyer=world.buyer, order_limit=D(10))
    today = timezone.now().date()
    program = RebateProgramFactory(
        organization=world.organization,
        period_start=today - timedelta(days=1),
        period_end=today + timedelta(days=9),
    )
    RebateTierFactory(program=program, threshold=D(0), rate_percent=D(1))
    pending = world.order([(world.bolt, 50)])
    assert not RebateAccrual.objects.filter(order_reference=pending.number).exists()

    with django_capture_on_commit_callbacks(execute=True):
        approved = approve_order(actor=world.actor(world.approver), number=pending.number, reason="ok for Q3")

    assert approved.status == Order.Status.PLACED
    assert approved.decided_by_id == world.approver.user_id
    assert allocated(world) == D(50)
    assert approved.lines.get().allocated_quantity == D(50)
    assert approved.total == D("100.00")  # the price of placement
    history = list(
        OrderStatusChange.objects.filter(order=approved).order_by("pk").values_list("to_status", "reason")
    )
    assert history == [
        ("pending_approval", "waiting for approval: order_limit"),
        ("placed", "approved: ok for Q3"),
    ]
    assert OutboxEvent.objects.filter(aggregate_id=approved.number, event_type="order.approved").count() == 1
    assert RebateAccrual.objects.filter(order_reference=approved.number).count() == 1
    assert mail.outbox[-1].to == [world.buyer.user.email] and "approved" in mail.outbox[-1].subject


@pytest.mark.django_db
def test_approval_rechecks_stock_and_the_order_stays_pending_when_it_is_gone(world: World) -> None:
    BuyerOrderLimitFactory(buyer=world.buyer, order_limit=D(10))
    pending = world.order([(world.hammer, 4)])
    world.order([(world.hammer, 3)], actor=world.rep_actor, account=world.child)  # takes 3 of the 5

    with pytest.raises(InsufficientStock):
        approve_order(actor=world.actor(world.approver), number=pending.number)

    pending.refresh_from_db()
    assert pending.status == Order.Status.PENDING_APPROVAL


@pytest.mark.django_db
def test_reject(world: World) -> None:
    BuyerOrderLimitFactory(buyer=world.buyer, order_limit=D(10))
    pending = world.order([(world.bolt, 50)])

    rejected = reject_order(actor=world.actor(world.approver), number=pending.number, reason="over budget")

    assert rejected.status == Order.Status.REJECTED
    assert allocated(world) == D(0)
    assert OutboxEvent.objects.filter(aggregate_id=pending.number, event_type="order.rejected").count() == 1
    with pytest.raises(OrderAlreadyDecided) as excinfo:
        approve_order(actor=world.actor(world.approver), number=pending.number)
    assert excinfo.value.code == "order_already_decided"


@pytest.mark.django_db
def test_only_approvers_of_the_account_or_its_ancestors_decide_and_never_on_their_own_order(
    world: World,
) -> None:
    BuyerOrderLimitFactory(buyer=world.buyer, order_limit=D(10))
    sibling_approver = BuyerUserFactory(account=world.sibling, is_buyer=True, is_approver=True)
    child_approver = BuyerUserFactory(account=world.child, is_buyer=True, is_approver=True)
    pending = world.order([(world.bolt, 50)])

    with pytest.raises(NotAnApprover):
        approve_order(actor=world.buyer_actor, number=pending.number)
    with pytest.raises(NotAnApprover):
        approve_order(actor=world.rep_actor, number=pending.number)
    with pytest.raises(NotFound):
        approve_order(actor=world.actor(sibling_approver), number=pending.number)
    assert [o.number for o in queries.approvals_inbox(actor=world.actor(child_approver))] == [pending.number]
    assert [o.number for o in queries.approvals_inbox(actor=world.actor(world.approver))] == [pending.number]
    assert list(queries.approvals_inbox(actor=world.buyer_actor)) == []

    BuyerOrderLimitFactory(buyer=child_approver, order_limit=D(1))
    own = world.order([(world.bolt, 5)], actor=world.actor(child_approver))
    with pytest.raises(NotAnApprover, match="your own order"):
        approve_order(actor=world.actor(child_approver), number=own.number)
    assert own.number not in [o.number for o in queries.approvals_inbox(actor=world.actor(child_approver))]
    assert approve_order(actor=world.actor(world.approver), number=own.number).status == Order.Status.PLACED


@pytest.mark.django_db
def test_account_admins_set_their_buyers_limits(world: World) -> None:
    admin = BuyerUserFactory(account=world.parent, is_admin=True)

    set_buyer_order_limit(actor=world.actor(admin), buyer=world.buyer, order_limit=D(5))
    pending = world.order([(world.bolt, 3)])

    assert pending.status == Order.Status.PENDING_APPROVAL
    with pytest.raises(NotFound):
        set_buyer_order_limit(actor=world.actor(admin), buyer=world.other_buyer, order_limit=D(5))


@pytest.mark.django_db
def test_a_custom_policy_plugs_in(world: World) -> None:
    class EverythingOnFriday:
        def review(self, context: ApprovalContext) -> tuple[str, ...]:
            return ("workflow:friday",) if context.order_total > 0 else ()

        def may_decide(self, *, actor: Any, subject: Any) -> bool:
            return bool(actor.is_staff)

    policy = EverythingOnFriday()

    order = world.order(policy=policy)
    approved = approve_order(actor=world.admin_actor, number=order.number, policy=policy)

    assert order.approval_reasons == ["workflow:friday"]
    assert approved.status == Order.Status.PLACED


@pytest.mark.django_db
def test_a_line_cut_short_at_approval_is_priced_again(world: World) -> None:
    scarce = ProductFactory(organization=world.organization, sku="SCARCE")
    PriceListEntryFactory(price_list=world.price_list, product=scarce, price=D("2.00"))
    PriceListEntryFactory(price_list=world.price_list, product=scarce, min_quantity=D(100), price=D("1.50"))
    receive(world.warehouse, scarce, 80)
    set_product_backorder_policy(product=scarce, policy=BackorderPolicy.PARTIAL)
    BuyerOrderLimitFactory(buyer=world.buyer, order_limit=D(1))
    pending = world.order([(scarce, 120)])
    assert pending.total == D("180.00")

    approved = approve_order(actor=world.actor(world.approver), number=pending.number)

    line = approved.lines.get()
    assert (line.requested_quantity, line.quantity, line.cancelled_quantity) == (D(120), D(80), D(40))
    assert (line.unit_price, line.line_total, approved.total) == (D("2.00"), D("160.00"), D("160.00"))
    approved.refresh_from_db()
    assert approved.total == D("160.00")
