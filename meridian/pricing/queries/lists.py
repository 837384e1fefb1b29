"""Price lists, entries, assignments, contracts, promotions and the audit trail, for staff screens."""

from __future__ import annotations

from django.db.models import (
    Count,
    Q,
    QuerySet,
)

from meridian.catalog.models import Product
from meridian.core.actor import Actor
from meridian.customers.models import Account
from meridian.pricing.errors import PriceAssignmentNotFound, PriceListNotFound, PromotionNotFound
from meridian.pricing.models import (
    Contract,
    Coupon,
    PriceAssignment,
    PriceChange,
    PriceList,
    PriceListEntry,
    Promotion,
)

EXTERNAL_PREFIX = "ext:"


def get_price_list(*, actor: Actor, reference: str | int) -> PriceList:
    """A price list by id (an int), or by code, `ext:<external_id>` or id (a str); staff only, else
    PriceListNotFound."""
    if not actor.is_staff or actor.organization_id is None:
        raise PriceListNotFound(reference)
    queryset = PriceList.objects.filter(organization_id=actor.organization_id)
    text = str(reference)
    if isinstance(reference, int):
        found = queryset.filter(pk=reference).first()
    elif text.startswith(EXTERNAL_PREFIX):
        found = queryset.filter(external_id=text[len(EXTERNAL_PREFIX) :]).first()
    else:
        found = queryset.filter(code=text).first()
        if found is None and text.isdigit():
            found = queryset.filter(pk=int(text)).first()
    if found is None:
        raise PriceListNotFound(reference)
    return found


def list_price_lists(*, actor: Actor) -> QuerySet[PriceList]:
    """Staff: the organization's price lists by code, with entry counts (one query)."""
    if not actor.is_staff or actor.organization_id is None:
        return PriceList.objects.none()
    return (
        PriceList.objects.filter(organization_id=actor.organization_id)
        .annotate(entry_count=Count("entries"))
        .order_by("code")
    )


def list_price_entries(*, actor: Actor, price_list: PriceList, sku: str = "") -> QuerySet[PriceListEntry]:
    """A list's entries by SKU, unit and tier, with their product (one query)."""
    price_list = get_price_list(actor=actor, reference=price_list.pk)
    queryset = PriceListEntry.objects.filter(price_list=price_list).select_related("product")
    if sku:
        queryset = queryset.filter(product__sku=sku)
    return queryset.order_by("product__sku", "uom", "min_quantity", "valid_from", "pk")


def list_price_assignments(
    *, actor: Actor, price_list: PriceList | None = None, account: Account | None = None
) -> QuerySet[PriceAssignment]:
    """Staff: assignments with their list and target (one query); those to an account only when the
    account is in the actor's scope (a sales rep sees website and group assignments, and their
    accounts')."""
    if not actor.is_staff or actor.organization_id is None:
        return PriceAssignment.objects.none()
    queryset = PriceAssignment.objects.filter(organization_id=actor.organization_id).select_related(
        "price_list", "website", "customer_group", "account"
    )
    if not actor.sees_whole_organization:
        queryset = queryset.filter(Q(account__isnull=True) | Q(account__in=Account.objects.visible_to(actor)))
    if price_list is not None:
        queryset = queryset.filter(price_list_id=price_list.pk)
    if account is not None:
        queryset = queryset.filter(account_id=account.pk)
    return queryset.order_by("price_list__code", "priority", "pk")


def get_price_assignment(*, actor: Actor, assignment_id: int) -> PriceAssignment:
    """One assignment in the actor's scope (as `list_price_assignments`), else PriceAssignmentNotFound."""
    found = list_price_assignments(actor=actor).filter(pk=assignment_id).first()
    if found is None:
        raise PriceAssignmentNotFound(assignment_id)
    return found


def list_contracts(*, actor: Actor, account: Account | None = None) -> QuerySet[Contract]:
    """Contracts on accounts in the actor's scope (an account's own, when given)."""
    if actor.organization_id is None:
        return Contract.objects.none()
    visible = Account.objects.visible_to(actor)
    if account is not None:
        visible = visible.filter(pk=account.pk)
    return (
        Contract.objects.filter(organization_id=actor.organization_id, account__in=visible)
        .select_related("account", "price_list")
        .order_by("account__path", "priority", "pk")
    )


def list_promotions(*, actor: Actor) -> QuerySet[Promotion]:
    """Staff: promotions (+product), active first, by priority, with coupon counts (one query); one conditioned
    on an account only when that account is in the actor's scope."""
    if not actor.is_staff or actor.organization_id is None:
        return Promotion.objects.none()
    queryset = Promotion.objects.filter(organization_id=actor.organization_id)
    if not actor.sees_whole_organization:
        queryset = queryset.filter(Q(account__isnull=True) | Q(account__in=Account.objects.visible_to(actor)))
    return (
        queryset.select_related("product")
        .annotate(coupon_count=Count("coupons"))
        .order_by("-is_active", "priority", "pk")
    )


def get_promotion(*, actor: Actor, promotion_id: int) -> Promotion:
    found = list_promotions(actor=actor).filter(pk=promotion_id).first()
    if found is None:
        raise PromotionNotFound(promotion_id)
    return found


def list_coupons(*, actor: Actor, promotion: Promotion) -> QuerySet[Coupon]:
    """A promotion's coupons by code (one query); the promotion must be in the actor's scope."""
    promotion = get_promotion(actor=actor, promotion_id=promotion.pk)
    return Coupon.objects.filter(promotion=promotion).order_by("code", "pk")


def list_price_changes(
    *, actor: Actor, price_list: PriceList | None = None, product: Product | None = None
) -> QuerySet[PriceChange]:
    """The audit trail, newest first, with who and what (one query); a customer price's change only
    when its account is in the actor's scope."""
    if not actor.is_staff or actor.organization_id is None:
        return PriceChange.objects.none()
    queryset = PriceChange.objects.filter(organization_id=actor.organization_id).select_related(
        "changed_by", "price_list", "product", "account"
    )
    if not actor.sees_whole_organization:
        queryset = queryset.filter(Q(account__isnull=True) | Q(account__in=Account.objects.visible_to(actor)))
    if price_list is not None:
        queryset = queryset.filter(price_list_id=price_list.pk)
    if product is not None:
        queryset = queryset.filter(product_id=product.pk)
    return queryset.order_by("-changed_at", "-pk")
