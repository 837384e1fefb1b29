"""Promotions and coupons, and coupon redemption for ordering."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone

from meridian.catalog.models import Category, Product
from meridian.core.actor import Actor
from meridian.core.errors import InvalidInput
from meridian.core.money import validate_currency
from meridian.core.services import record_event
from meridian.customers.models import Account, CustomerGroup
from meridian.customers.queries import get_account
from meridian.pricing import queries
from meridian.pricing.errors import (
    CouponAccountLimitReached,
    CouponCodeTaken,
    CouponExhausted,
    CouponNotFound,
)
from meridian.pricing.models import (
    Coupon,
    CouponRedemption,
    Promotion,
)
from meridian.pricing.services._common import (
    audit_change,
    decimal_error,
    require_pricing_editor,
    window_error,
)
from meridian.tenancy.models import Website


@dataclass(frozen=True, slots=True)
class PromotionInput:
    name: str
    kind: Promotion.Kind
    value: Decimal
    stacking: Promotion.Stacking = Promotion.Stacking.STACKABLE
    priority: int = 100
    currency: str = ""
    buy_quantity: Decimal | None = None
    get_quantity: Decimal | None = None
    requires_coupon: bool = False
    website: Website | None = None
    customer_group: CustomerGroup | None = None
    account: Account | None = None
    category: Category | None = None
    product: Product | None = None
    min_quantity: Decimal | None = None
    min_line_amount: Decimal | None = None
    min_order_amount: Decimal | None = None
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None
    is_active: bool = True
    external_id: str = ""

    @classmethod
    def of(cls, promotion: Promotion) -> PromotionInput:
        """A promotion's current values (a change starts from them)."""
        return cls(
            name=promotion.name,
            kind=Promotion.Kind(promotion.kind),
            value=promotion.value,
            stacking=Promotion.Stacking(promotion.stacking),
            priority=promotion.priority,
            currency=promotion.currency,
            buy_quantity=promotion.buy_quantity,
            get_quantity=promotion.get_quantity,
            requires_coupon=promotion.requires_coupon,
            website=promotion.website,
            customer_group=promotion.customer_group,
            account=promotion.account,
            category=promotion.category,
            product=promotion.product,
            min_quantity=promotion.min_quantity,
            min_line_amount=promotion.min_line_amount,
            min_order_amount=promotion.min_order_amount,
            starts_at=promotion.starts_at,
            ends_at=promotion.ends_at,
            is_active=promotion.is_active,
            external_id=promotion.external_id,
        )


def _validate_promotion(
    organization_id: int, data: PromotionInput, current_id: int | None = None
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not data.name.strip():
        errors["name"] = ["must not be empty"]
    if data.kind not in Promotion.Kind.values:
        errors["kind"] = [f"one of {sorted(Promotion.Kind.values)}"]
    if data.stacking not in Promotion.Stacking.values:
        errors["stacking"] = [f"one of {sorted(Promotion.Stacking.values)}"]
    if problem := decimal_error(data.value, places=4):
        errors["value"] = [problem]
    elif (
        data.kind in {Promotion.Kind.PERCENT_OFF_LINE, Promotion.Kind.PERCENT_OFF_ORDER} and data.value > 100
    ):
        errors["value"] = ["a percentage between 0 and 100"]
    needs_currency = data.kind in {
        Promotion.Kind.AMOUNT_OFF_LINE,
        Promotion.Kind.AMOUNT_OFF_ORDER,
        Promotion.Kind.FIXED_PRICE,
    } or (data.min_line_amount is not None or data.min_order_amount is not None)
    if data.currency or needs_currency:
        try:
            validate_currency(data.currency)
        except InvalidInput as exc:
            errors["currency"] = [f"{exc.fields['currency'][0]} (required for amounts)"]
    if data.kind == Promotion.Kind.BUY_X_GET_Y:
        for name, value in (("buy_quantity", data.buy_quantity), ("get_quantity", data.get_quantity)):
            if value is None or (
                problem := decimal_error(value, places=3, positive=True, limit=Decimal(10) ** 9)
            ):
                errors[name] = ["must be greater than 0 for buy X get Y"]
    for name, amount, places in (
        ("min_quantity", data.min_quantity, 3),
        ("min_line_amount", data.min_line_amount, 2),
        ("min_order_amount", data.min_order_amount, 2),
    ):
        if amount is not None and (problem := decimal_error(amount, places=places, limit=Decimal(10) ** 9)):
            errors[name] = [problem]
    if problem := window_error(data.starts_at, data.ends_at):
        errors["ends_at"] = [problem]
    elif data.starts_at is not None and data.ends_at is not None and data.starts_at == data.ends_at:
        errors["ends_at"] = ["must be after starts_at"]
    references: tuple[tuple[str, Website | CustomerGroup | Category | Product | None], ...] = (
        ("website", data.website),
        ("customer_group", data.customer_group),
        ("category", data.category),
        ("product", data.product),
    )
    for name, reference in references:
        if reference is not None and reference.organization_id != organization_id:
            errors[name] = ["not found"]
    if (
        data.external_id
        and Promotion.objects.filter(organization_id=organization_id, external_id=data.external_id)
        .exclude(pk=current_id or 0)
        .exists()
    ):
        errors["external_id"] = ["already used"]
    return errors


def _promotion_values(promotion: Promotion) -> dict[str, object]:
    """What the audit compares: every editable value, references by id."""
    return {
        "name": promotion.name,
        "kind": promotion.kind,
        "value": promotion.value,
        "currency": promotion.currency,
        "buy_quantity": promotion.buy_quantity,
        "get_quantity": promotion.get_quantity,
        "stacking": promotion.stacking,
        "priority": promotion.priority,
        "requires_coupon": promotion.requires_coupon,
        "website": promotion.website_id,
        "customer_group": promotion.customer_group_id,
        "account": promotion.account_id,
        "category": promotion.category_id,
        "product": promotion.product_id,
        "min_quantity": promotion.min_quantity,
        "min_line_amount": promotion.min_line_amount,
        "min_order_amount": promotion.min_order_amount,
        "starts_at": promotion.starts_at,
        "ends_at": promotion.ends_at,
        "is_active": promotion.is_active,
        "external_id": promotion.external_id,
    }


def _apply_promotion(promotion: Promotion, data: PromotionInput, account: Account | None) -> None:
    promotion.name = data.name.strip()
    promotion.kind = data.kind
    promotion.value = data.value
    promotion.currency = validate_currency(data.currency) if data.currency else ""
    promotion.buy_quantity = data.buy_quantity
    promotion.get_quantity = data.get_quantity
    promotion.stacking = data.stacking
    promotion.priority = data.priority
    promotion.requires_coupon = data.requires_coupon
    promotion.website = data.website
    promotion.customer_group = data.customer_group
    promotion.account = account
    promotion.category = data.category
    promotion.product = data.product
    promotion.min_quantity = data.min_quantity
    promotion.min_line_amount = data.min_line_amount
    promotion.min_order_amount = data.min_order_amount
    promotion.starts_at = data.starts_at
    promotion.ends_at = data.ends_at
    promotion.is_active = data.is_active
    promotion.external_id = data.external_id


@transaction.atomic
def create_promotion(*, actor: Actor, data: PromotionInput) -> Promotion:
    """A promotion with its conditions; `requires_coupon` ones apply only with one of their coupons."""
    organization_id = require_pricing_editor(actor)
    errors = _validate_promotion(organization_id, data)
    if errors:
        raise InvalidInput("invalid promotion", fields=errors)
    account = get_account(actor=actor, reference=data.account.pk) if data.account is not None else None
    promotion = Promotion(organization_id=organization_id)
    _apply_promotion(promotion, data, account)
    promotion.save()
    audit_change(
        actor=actor,
        organization_id=organization_id,
        action="pricing.promotion.created",
        object_type="promotion",
        object_id=promotion.pk,
        before={},
        after=_promotion_values(promotion),
    )
    record_event(
        organization_id=organization_id,
        aggregate_type="promotion",
        aggregate_id=promotion.pk,
        event_type="pricing.promotion.created",
        payload={"name": promotion.name, "kind": promotion.kind, "value": str(promotion.value)},
    )
    return promotion


@transaction.atomic
def update_promotion(*, actor: Actor, promotion: Promotion, data: PromotionInput) -> Promotion:
    """Replace a promotion's terms and conditions; `is_active=False` ends it while keeping its coupons
    and redemptions (history). Prices follow at the next request. Locks the row; audited
    (`pricing.promotion.changed`, old and new values) with a `pricing.promotion.changed` event."""
    organization_id = require_pricing_editor(actor)
    current = queries.get_promotion(actor=actor, promotion_id=promotion.pk)
    row = Promotion.objects.select_for_update(of=("self",)).get(pk=current.pk)
    errors = _validate_promotion(organization_id, data, row.pk)
    if errors:
        raise InvalidInput("invalid promotion", fields=errors)
    account = get_account(actor=actor, reference=data.account.pk) if data.account is not None else None
    before = _promotion_values(row)
    _apply_promotion(row, data, account)
    row.save()
    if audit_change(
        actor=actor,
        organization_id=organization_id,
        action="pricing.promotion.changed",
        object_type="promotion",
        object_id=row.pk,
        before=before,
        after=_promotion_values(row),
    ):
        record_event(
            organization_id=organization_id,
            aggregate_type="promotion",
            aggregate_id=row.pk,
            event_type="pricing.promotion.changed",
            payload={"name": row.name, "kind": row.kind, "value": str(row.value), "is_active": row.is_active},
        )
    return row


@transaction.atomic
def create_coupon(
    *,
    actor: Actor,
    promotion: Promotion,
    code: str,
    usage_limit: int | None = None,
    per_account_limit: int | None = None,
) -> Coupon:
    """A code for a coupon promotion; codes are unique per organization, case-insensitive."""
    organization_id = require_pricing_editor(actor)
    promotion = queries.get_promotion(actor=actor, promotion_id=promotion.pk)
    normalized = code.strip().upper()
    errors: dict[str, list[str]] = {}
    if not normalized or len(normalized) > 40 or any(ch.isspace() for ch in normalized):
        errors["code"] = ["1 to 40 characters without spaces"]
    if not promotion.requires_coupon:
        errors["promotion"] = ["applies automatically; it takes no coupon"]
    for name, limit in (("usage_limit", usage_limit), ("per_account_limit", per_account_limit)):
        if limit is not None and limit < 1:
            errors[name] = ["must be at least 1"]
    if errors:
        raise InvalidInput("invalid coupon", fields=errors)
    if Coupon.objects.filter(organization_id=organization_id, code=normalized).exists():
        raise CouponCodeTaken(normalized)
    return Coupon.objects.create(
        organization_id=organization_id,
        promotion=promotion,
        code=normalized,
        usage_limit=usage_limit,
        per_account_limit=per_account_limit,
    )


@transaction.atomic
def redeem_coupons(
    *, account: Account, codes: Sequence[str], order_reference: str, now: dt.datetime | None = None
) -> list[CouponRedemption]:
    """Count one use of each coupon for an order, all or nothing, within the total and per-account limits.

    For ordering, inside its transaction: locks the coupons (pk order), so concurrent orders cannot
    exceed a limit. Redeeming the same order again changes nothing (idempotent per order reference).
    Raises CouponNotFound, CouponExhausted or CouponAccountLimitReached.
    """
    normalized = list(dict.fromkeys(code.strip().upper() for code in codes if code.strip()))
    if not normalized:
        return []
    if not order_reference.strip():
        raise InvalidInput.on("order_reference", "must not be empty")
    coupons = queries.lock_coupons(organization_id=account.organization_id, codes=normalized)
    for code in normalized:
        if code not in coupons:
            raise CouponNotFound(code)
    ids = [coupon.pk for coupon in coupons.values()]
    already = set(
        CouponRedemption.objects.filter(coupon_id__in=ids, order_reference=order_reference).values_list(
            "coupon_id", flat=True
        )
    )
    uses = dict(
        CouponRedemption.objects.filter(coupon_id__in=ids, account=account)
        .values("coupon_id")
        .annotate(count=Count("pk"))
        .values_list("coupon_id", "count")
    )
    pending = [coupons[code] for code in normalized if coupons[code].pk not in already]
    for coupon in pending:
        status = queries.coupon_status(coupon, account_uses=uses.get(coupon.pk, 0))
        if status == "account_limit_reached":
            raise CouponAccountLimitReached(coupon.code)
        if status != "usable":
            raise CouponExhausted(coupon.code)
    moment = now or timezone.now()
    redemptions = [
        CouponRedemption(coupon=coupon, account=account, order_reference=order_reference, redeemed_at=moment)
        for coupon in pending
    ]
    if pending:
        Coupon.objects.filter(pk__in=[coupon.pk for coupon in pending]).update(times_used=F("times_used") + 1)
        CouponRedemption.objects.bulk_create(redemptions)
    return redemptions
