"""Approving and rejecting orders that wait in `pending_approval`.

A pending order holds no stock: stock is allocated when it is approved (an approval can wait days,
and unapproved orders must not starve everyone else's). Approval therefore checks stock again, under
inventory's locks; a `deny` line that cannot be covered refuses the approval (InsufficientStock)
and the order stays pending. Prices stay those of placement, unless a `partial` policy cancels part
of a line, which is then priced again now. Two approvers deciding at once queue on the order's row
lock; the second finds it decided (OrderAlreadyDecided).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import partial

from django.db import transaction
from django.utils import timezone

from meridian.core.actor import Actor
from meridian.ordering import engine, providers, queries, tasks
from meridian.ordering.errors import NotAnApprover, OrderAlreadyDecided
from meridian.ordering.models import AccountOrderingSettings, Order, OrderLine
from meridian.ordering.policies import ApprovalPolicy, DecisionSubject, approval_policy
from meridian.ordering.services._common import record_change, record_order_event
from meridian.ordering.services.allocation import RepriceFn, accrue_order_rebates, allocate_lines, set_totals
from meridian.ordering.services.checkout import OrderLineRequest, Pricing, price_lines

LINE_FIELDS_AFTER_ALLOCATION = [
    "allocated_quantity",
    "dropship_quantity",
    "backordered_quantity",
    "cancelled_quantity",
    "quantity",
    "uom",
    "uom_factor",
    "base_quantity",
    "unit_price",
    "list_price",
    "line_total",
    "discount_amount",
    "price_source",
]


def _lock_pending(actor: Actor, number: str, policy: ApprovalPolicy | None, target: str) -> Order:
    order = queries.lock_order(actor=actor, number=number)
    subject = DecisionSubject(
        organization_id=order.organization_id,
        account_path=order.account.path,
        placed_by_user_id=order.placed_by_id,
        order_total=order.total,
        currency=order.currency,
    )
    if not (policy or approval_policy()).may_decide(actor=actor, subject=subject):
        if actor.user_id is not None and actor.user_id == order.placed_by_id:
            raise NotAnApprover("you may not approve or reject your own order")
        raise NotAnApprover()
    if order.status != Order.Status.PENDING_APPROVAL:
        raise OrderAlreadyDecided(current=order.status, target=target, reason="it was already decided")
    return order


def _repricer(order: Order, now: dt.datetime, taxes: providers.TaxProvider) -> RepriceFn:
    def reprice(requests: Sequence[OrderLineRequest]) -> Pricing:
        account = order.account
        ancestors = queries.account_ancestors(account=account)
        website = queries.get_website(organization_id=order.organization_id, website_id=order.website_id)
        view = queries.account_view(account=account, ancestors=ancestors, website_id=website.pk)
        settings = AccountOrderingSettings.objects.filter(account_id=account.pk).first()
        return price_lines(
            view=view,
            account=account,
            website=website,
            requests=requests,
            coupon_codes=[
                str(coupon["code"]) for coupon in order.coupons if coupon.get("status") == "applied"
            ],
            now=now,
            shipping=queries.shipping_rates(
                website=website,
                code=order.shipping_method_code,
                currency=order.currency,
                stamp=queries.setup_stamp(website),
            )
            if order.shipping_method_code
            else None,
            ship_to=order.ship_to,
            is_tax_exempt=bool(settings and settings.is_tax_exempt),
            tax_provider=taxes,
        )

    return reprice


def approve_order(
    *,
    actor: Actor,
    number: str,
    reason: str = "",
    policy: ApprovalPolicy | None = None,
    now: dt.datetime | None = None,
    tax_provider: providers.TaxProvider | None = None,
) -> Order:
    """An approver approves a pending order: it is allocated now and becomes placed (or partially
    allocated, or backordered). Durable transaction; locks the order. Raises OrderNotFound (out of
    scope), NotAnApprover, OrderAlreadyDecided, InsufficientStock (the order stays pending)."""
    moment = now or timezone.now()
    with transaction.atomic(durable=True):
        order = _lock_pending(actor, number, policy, Order.Status.PLACED)
        lines = list(
            OrderLine.objects.filter(order_id=order.pk).select_related("product").order_by("line_number")
        )
        repriced = allocate_lines(
            order=order,
            account=order.account,
            lines=lines,
            base_uoms={line.product_id: line.product.base_uom.upper() for line in lines},
            reprice=_repricer(order, moment, tax_provider or providers.tax_provider()),
        )
        if repriced is not None:
            set_totals(order, repriced)
            order.priced_at = moment
        engine.check_transition(Order.Status.PENDING_APPROVAL, order.status)
        OrderLine.objects.bulk_update(lines, LINE_FIELDS_AFTER_ALLOCATION)
        order.decided_by_id, order.decided_at, order.updated_at = actor.user_id, moment, moment
        order.save()
        record_change(
            order=order,
            from_status=Order.Status.PENDING_APPROVAL,
            to_status=order.status,
            actor=actor,
            reason=f"approved{': ' + reason if reason else ''}",
        )
        record_order_event(
            order=order,
            event_type="order.approved",
            payload={"approved_by_user_id": actor.user_id, "total": str(order.total)},
        )
        accrue_order_rebates(order, lines, moment)
        transaction.on_commit(partial(tasks.send_order_email.delay, order.pk, "decided"), robust=True)
    return order


@transaction.atomic
def reject_order(
    *, actor: Actor, number: str, reason: str = "", policy: ApprovalPolicy | None = None
) -> Order:
    """An approver rejects a pending order (it held no stock). Locks the order. Raises OrderNotFound,
    NotAnApprover, OrderAlreadyDecided."""
    order = _lock_pending(actor, number, policy, Order.Status.REJECTED)
    engine.check_transition(order.status, Order.Status.REJECTED)
    moment = timezone.now()
    order.status = Order.Status.REJECTED
    order.decided_by_id, order.decided_at, order.updated_at = actor.user_id, moment, moment
    order.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    record_change(
        order=order,
        from_status=Order.Status.PENDING_APPROVAL,
        to_status=Order.Status.REJECTED,
        actor=actor,
        reason=f"rejected{': ' + reason if reason else ''}",
    )
    record_order_event(
        order=order,
        event_type="order.rejected",
        payload={"rejected_by_user_id": actor.user_id, "reason": reason},
    )
    transaction.on_commit(partial(tasks.send_order_email.delay, order.pk, "decided"), robust=True)
    return order
