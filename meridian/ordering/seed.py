"""Demo ordering: settings, shipping rate tables, tax rules, and an order history placed through the
one pipeline (`place_order`), so the demo shows real orders with real prices, allocations, approvals,
shipments and cancellations.

Unlike the catalog loaders this goes through the services, so it must run OUTSIDE any transaction
(place_order is durable): call it after the demo seed's transaction has committed. Deterministic
for a given `rng` and database (orders are dated over the last 90 days).
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from meridian.catalog.models import Product
from meridian.core.actor import Actor, StaffRole
from meridian.core.errors import Conflict, DomainError, InvalidInput
from meridian.customers.models import Account, BuyerUser
from meridian.customers.queries import build_actor
from meridian.inventory.models import StockLevel, Warehouse
from meridian.ordering.errors import InvalidOrderLines
from meridian.ordering.models import (
    AccountOrderingSettings,
    BuyerOrderLimit,
    Cart,
    CartLine,
    Order,
    OrderLine,
    OrderStatusChange,
    ShippingMethod,
    ShippingRateBand,
    TaxRule,
    WebsiteOrderingSettings,
)
from meridian.ordering.services import (
    OrderLineRequest,
    add_lines,
    approve_order,
    cancel_order,
    current_cart,
    mark_abandoned_carts,
    place_order,
    ship_order,
    transition_order,
)
from meridian.ordering.services.carts import LineInput
from meridian.staff.models import StaffMember
from meridian.tenancy.models import Organization, Website

D = Decimal


@dataclass(frozen=True, slots=True)
class Volume:
    orders: int
    abandoned_carts: int


PROFILES = {
    "tiny": Volume(12, 2),
    "small": Volume(40, 4),
    "medium": Volume(200, 20),
    "large": Volume(400, 40),
}
# Illustrative sales-tax rates for the demo's ship-to regions (not tax advice).
TAX_RULES = (
    ("US", "", "United States (no state tax)", "0"),
    ("US", "IL", "Illinois", "6.25"),
    ("US", "WI", "Wisconsin", "5.0"),
    ("US", "IN", "Indiana", "7.0"),
    ("US", "MI", "Michigan", "6.0"),
    ("US", "OH", "Ohio", "5.75"),
    ("US", "TX", "Texas", "6.25"),
    ("US", "CA", "California", "7.25"),
    ("US", "NY", "New York", "4.0"),
    ("US", "GA", "Georgia", "4.0"),
    ("US", "PA", "Pennsylvania", "6.0"),
    ("CA", "ON", "Ontario HST", "13.0"),
    ("CA", "QC", "Quebec GST+QST", "14.975"),
    ("CA", "", "Canada GST", "5.0"),
    ("MX", "", "Mexico IVA", "16.0"),
)
PAST_DAYS = 90


class OrderingAlreadySeeded(Conflict):
    code = "ordering_already_seeded"

    def __init__(self, organization: str) -> None:
        super().__init__(f"{organization} already has orders or shipping methods")


def seed_ordering_settings(*, organization: Organization) -> dict[str, int]:
    """Shipping rate tables per website, tax rules, abandoned-cart hours (one transaction)."""
    with transaction.atomic():
        websites = list(Website.objects.filter(organization=organization).order_by("pk"))
        methods = 0
        for website in websites:
            WebsiteOrderingSettings.objects.update_or_create(
                website=website, defaults={"abandoned_cart_hours": 24}
            )
            currency = website.default_currency
            standard = ShippingMethod.objects.create(
                organization=organization,
                website=website,
                code="STD",
                name="Standard ground (free from 500)",
                basis=ShippingMethod.Basis.AMOUNT,
                currency=currency,
                position=1,
            )
            ShippingRateBand.objects.bulk_create(
                [
                    ShippingRateBand(method=standard, min_value=D(0), amount=D("12.50")),
                    ShippingRateBand(method=standard, min_value=D(250), amount=D("7.50")),
                    ShippingRateBand(method=standard, min_value=D(500), amount=D(0)),
                ]
            )
            ShippingMethod.objects.create(
                organization=organization,
                website=website,
                code="EXP",
                name="Express next day",
                basis=ShippingMethod.Basis.FLAT,
                flat_amount=D("35.00"),
                currency=currency,
                position=2,
            )
            freight = ShippingMethod.objects.create(
                organization=organization,
                website=website,
                code="FRT",
                name="LTL freight",
                basis=ShippingMethod.Basis.WEIGHT,
                flat_amount=D("20.00"),
                currency=currency,
                position=3,
            )
            ShippingRateBand.objects.bulk_create(
                [
                    ShippingRateBand(method=freight, min_value=D(0), amount=D("25.00")),
                    ShippingRateBand(method=freight, min_value=D(50), amount=D("60.00")),
                    ShippingRateBand(method=freight, min_value=D(200), amount=D("120.00")),
                ]
            )
            methods += 3
        TaxRule.objects.bulk_create(
            [
                TaxRule(
                    organization=organization, country=country, region=region, name=name, rate_percent=D(rate)
                )
                for country, region, name, rate in TAX_RULES
            ]
        )
    return {"shipping_methods": methods, "tax_rules": len(TAX_RULES)}


def _buyer_controls(
    organization: Organization, rng: random.Random, approval_accounts: Sequence[Account]
) -> dict[str, int]:
    """A few accounts require PO numbers or allow one-time addresses. Accounts with approvers (those
    given, else about one in six) get a monthly budget and their buyers an order limit, so the demo
    has approvals to show."""
    approver_paths = sorted(
        set(
            BuyerUser.objects.filter(account__organization=organization, is_approver=True).values_list(
                "account__path", flat=True
            )
        )
    )
    if approval_accounts:
        controlled_paths = [account.path for account in approval_accounts]
    else:
        controlled_paths = [path for path in approver_paths if rng.random() < 0.15]
    accounts = list(
        Account.objects.filter(organization=organization).order_by("path").values_list("pk", "path")
    )
    settings = []
    for pk, path in accounts:
        controlled = any(path.startswith(prefix) for prefix in controlled_paths)
        requires_po = controlled or rng.random() < 0.2
        one_time = rng.random() < 0.15
        if requires_po or one_time:
            settings.append(
                AccountOrderingSettings(
                    account_id=pk,
                    requires_po_number=requires_po,
                    allows_one_time_address=one_time,
                    monthly_budget=D(25_000) if controlled else None,
                )
            )
    AccountOrderingSettings.objects.bulk_create(settings)
    buyers = list(
        BuyerUser.objects.filter(
            account__organization=organization, is_buyer=True, is_approver=False, is_admin=False
        ).values_list("pk", "account__path")
    )
    limits = [
        BuyerOrderLimit(buyer_id=pk, order_limit=D(2_500))
        for pk, path in buyers
        if any(path.startswith(prefix) for prefix in controlled_paths)
    ]
    BuyerOrderLimit.objects.bulk_create(limits)
    return {"ordering_settings": len(settings), "buyer_limits": len(limits)}


@dataclass(frozen=True, slots=True)
class _Item:
    sku: str
    step: Decimal  # an orderable quantity: the minimum rounded up to the increment


def _items(organization: Organization, limit: int) -> list[_Item]:
    """Active products with stock to spare in an own warehouse, with an orderable base quantity."""
    rows = (
        StockLevel.objects.filter(
            organization=organization,
            warehouse__kind=Warehouse.Kind.OWN,
            product__status=Product.Status.ACTIVE,
            on_hand__gte=F("allocated") + 200,
        )
        .order_by("product_id")
        .values_list("product__sku", "product__min_order_quantity", "product__order_increment")
        .distinct()[:limit]
    )
    items = []
    for sku, minimum, increment in rows:
        steps = math.ceil(minimum / increment) if increment > 0 else 1
        items.append(_Item(sku, (increment * steps).quantize(D("0.001"))))
    return items


def _placers(organization: Organization, website: Website) -> list[tuple[Actor, Account | None]]:
    buyers = list(
        BuyerUser.objects.filter(account__organization=organization, is_buyer=True, user__is_active=True)
        .order_by("pk")
        .values_list("user_id", flat=True)[:60]
    )
    placers: list[tuple[Actor, Account | None]] = [
        (build_actor(user_id=user_id, website_id=website.pk), None) for user_id in buyers
    ]
    for rep in StaffMember.objects.filter(organization=organization, role=StaffRole.SALES_REP).order_by("pk")[
        :5
    ]:
        account = Account.objects.filter(sales_rep=rep, is_active=True).order_by("pk").first()
        if account is not None:
            placers.append((build_actor(user_id=rep.user_id, website_id=website.pk), account))
    return placers


def _staff(organization: Organization, role: StaffRole, website: Website) -> Actor | None:
    member = StaffMember.objects.filter(organization=organization, role=role).order_by("pk").first()
    return build_actor(user_id=member.user_id, website_id=website.pk) if member is not None else None


def _place(
    actor: Actor, account: Account | None, lines: list[OrderLineRequest], rng: random.Random, when: datetime
) -> Order | None:
    """Place, dropping lines the account cannot order (hidden, unpriced) and retrying once."""
    for _ in range(2):
        try:
            return place_order(
                actor=actor,
                account=account,
                lines=lines,
                channel="rep" if actor.is_staff else rng.choice(["portal", "portal", "portal", "api"]),
                po_number=f"PO-{rng.randint(10_000, 99_999)}",
                shipping_method=rng.choice(["STD", "STD", "STD", "EXP"]),
                now=when,
            )
        except InvalidOrderLines as exc:
            bad = {problem.index for problem in exc.problems}
            lines = [line for index, line in enumerate(lines) if index not in bad]
            if not lines:
                return None
        except DomainError:
            return None
    return None


def seed_orders(
    *,
    organization: Organization,
    rng: random.Random,
    profile: str,
    approval_accounts: Sequence[Account] = (),
) -> dict[str, int]:
    """Ordering settings and an order history through place_order; returns counts.

    `approval_accounts` (e.g. the demo approver's account) get budgets and buyer limits; without
    them about one in six accounts with approvers does. Must run outside any transaction. Raises OrderingAlreadySeeded when the organization has orders
    or shipping methods, InvalidInput for an unknown profile.
    """
    if profile not in PROFILES:
        raise InvalidInput.on("profile", f"unknown profile {profile!r}; choose one of {sorted(PROFILES)}")
    if (
        Order.objects.filter(organization=organization).exists()
        or ShippingMethod.objects.filter(organization=organization).exists()
    ):
        raise OrderingAlreadySeeded(organization.name)
    volume = PROFILES[profile]
    counts = seed_ordering_settings(organization=organization)
    with transaction.atomic():
        counts.update(_buyer_controls(organization, rng, approval_accounts))
    website = Website.objects.filter(organization=organization).order_by("-is_default", "pk").first()
    if website is None:
        raise InvalidInput.on("organization", "has no website")
    items = _items(organization, 400)
    placers = _placers(organization, website)
    warehouse = _staff(organization, StaffRole.WAREHOUSE, website) or _staff(
        organization, StaffRole.ADMIN, website
    )
    admin = _staff(organization, StaffRole.ADMIN, website)
    if not items or not placers:
        return {**counts, "orders": 0}
    now = timezone.now()
    placed: list[tuple[Order, Actor, int]] = []
    for _ in range(volume.orders):
        actor, account = rng.choice(placers)
        chosen = rng.sample(items, min(len(items), rng.randint(1, 8)))
        lines = [OrderLineRequest(item.sku, item.step * rng.randint(1, 4)) for item in chosen]
        age = rng.randint(0, PAST_DAYS)
        order = _place(actor, account, lines, rng, now - timedelta(days=age, minutes=rng.randint(0, 600)))
        if order is not None:
            placed.append((order, actor, age))
    shipped = cancelled = approved = 0
    for order, actor, age in placed:
        try:
            if order.status == Order.Status.PENDING_APPROVAL and age > 3:
                approver = BuyerUser.objects.filter(
                    account__path__in=[*order.account.ancestor_paths(), order.account.path], is_approver=True
                ).first()
                if approver is not None:
                    approve_order(
                        actor=build_actor(user_id=approver.user_id, website_id=website.pk),
                        number=order.number,
                    )
                    approved += 1
                continue
            if rng.random() < 0.08:
                cancel_order(actor=actor, number=order.number, reason="no longer needed")
                cancelled += 1
            elif age > 7 and warehouse is not None and order.status == Order.Status.PLACED and not order.hold:
                ship_order(actor=warehouse, number=order.number)
                shipped += 1
                if age > 14 and admin is not None:
                    transition_order(actor=admin, number=order.number, to_status=Order.Status.DELIVERED)
                    if age > 30:
                        transition_order(actor=admin, number=order.number, to_status=Order.Status.INVOICED)
        except DomainError:
            continue
    counts.update(
        orders=len(placed), orders_approved=approved, orders_shipped=shipped, orders_cancelled=cancelled
    )
    counts["abandoned_carts"] = _abandoned_carts(organization, placers, items, rng, volume.abandoned_carts)
    return counts


def _abandoned_carts(
    organization: Organization,
    placers: Sequence[tuple[Actor, Account | None]],
    items: Sequence[_Item],
    rng: random.Random,
    count: int,
) -> int:
    buyers = [actor for actor, _ in placers if actor.is_buyer]
    for actor in rng.sample(buyers, min(count, len(buyers))):
        cart = current_cart(actor=actor)
        chosen = rng.sample(list(items), min(len(items), 3))
        add_lines(actor=actor, cart=cart, lines=[LineInput(item.sku, item.step) for item in chosen])
        Cart.objects.filter(pk=cart.pk).update(
            updated_at=timezone.now() - timedelta(hours=rng.randint(30, 300))
        )
    return mark_abandoned_carts(organization=organization)


@transaction.atomic
def delete_orders(*, organization: Organization) -> None:
    """Remove the organization's ordering rows, leaf tables first (orders protect their products)."""
    OrderStatusChange.objects.filter(order__organization=organization).delete()
    OrderLine.objects.filter(order__organization=organization).delete()
    Order.objects.filter(organization=organization).delete()
    CartLine.objects.filter(cart__organization=organization).delete()
    Cart.objects.filter(organization=organization).delete()
    BuyerOrderLimit.objects.filter(buyer__account__organization=organization).delete()
    AccountOrderingSettings.objects.filter(account__organization=organization).delete()
    ShippingRateBand.objects.filter(method__organization=organization).delete()
    ShippingMethod.objects.filter(organization=organization).delete()
    TaxRule.objects.filter(organization=organization).delete()
    WebsiteOrderingSettings.objects.filter(website__organization=organization).delete()
