"""Ordering settings: per account (PO required, one-time addresses, credit policy, budget, tax
exemption), per buyer (order limit), per website (abandoned-cart hours, shipping rate tables) and per
organization (tax rules).

Seller staff who manage prices and accounts (admin, sales manager, inside sales) change all of them;
a buyer account admin changes the buyer-side controls (budget, PO requirement, buyers' order limits)
of the accounts in their subtree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from meridian.core.actor import Actor, BuyerRole
from meridian.core.errors import InvalidInput, NotAllowed
from meridian.core.money import validate_currency
from meridian.core.services import record_audit
from meridian.customers.models import Account, BuyerUser
from meridian.ordering import queries
from meridian.ordering.models import (
    AccountOrderingSettings,
    BuyerOrderLimit,
    ShippingMethod,
    ShippingRateBand,
    TaxRule,
    WebsiteOrderingSettings,
)
from meridian.ordering.services._common import SETTINGS_EDITORS, require_staff
from meridian.tenancy.models import Website

MAX_AMOUNT = Decimal(10) ** 12


class _Unset:
    pass


UNSET = _Unset()


def _is_buyer_admin(actor: Actor) -> bool:
    return actor.has_buyer_role(BuyerRole.ADMIN)


def _amount(field: str, value: Decimal | None) -> Decimal | None:
    if value is None:
        return None
    if not value.is_finite() or value < 0 or value >= MAX_AMOUNT:
        raise InvalidInput.on(field, "a non-negative amount")
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -4 and value != value.quantize(Decimal("0.0001")):
        raise InvalidInput.on(field, "at most 4 decimals")
    return value


@transaction.atomic
def configure_account_ordering(
    *,
    actor: Actor,
    account: Account | int | str,
    requires_po_number: bool | None = None,
    allows_one_time_address: bool | None = None,
    credit_policy: str | None = None,
    monthly_budget: Decimal | _Unset | None = UNSET,
    is_tax_exempt: bool | None = None,
) -> AccountOrderingSettings:
    """Change what is given (None/UNSET: unchanged; `monthly_budget=None` removes the budget). Audited."""
    if not ((actor.is_staff and actor.staff_role in SETTINGS_EDITORS) or _is_buyer_admin(actor)):
        raise NotAllowed("change ordering settings")
    seller_only = (allows_one_time_address, credit_policy, is_tax_exempt)
    if actor.is_buyer and any(value is not None for value in seller_only):
        raise NotAllowed("change the account's credit, tax or address rules")
    target = queries.get_orderable_account(actor=actor, reference=account)
    settings, _ = AccountOrderingSettings.objects.select_for_update().get_or_create(account=target)
    before = {
        "requires_po_number": settings.requires_po_number,
        "allows_one_time_address": settings.allows_one_time_address,
        "credit_policy": settings.credit_policy,
        "monthly_budget": settings.monthly_budget,
        "is_tax_exempt": settings.is_tax_exempt,
    }
    if requires_po_number is not None:
        settings.requires_po_number = requires_po_number
    if allows_one_time_address is not None:
        settings.allows_one_time_address = allows_one_time_address
    if credit_policy is not None:
        if credit_policy not in AccountOrderingSettings.CreditPolicy.values:
            raise InvalidInput.on(
                "credit_policy", f"one of {sorted(AccountOrderingSettings.CreditPolicy.values)}"
            )
        settings.credit_policy = credit_policy
    if not isinstance(monthly_budget, _Unset):
        settings.monthly_budget = _amount("monthly_budget", monthly_budget)
    if is_tax_exempt is not None:
        settings.is_tax_exempt = is_tax_exempt
    settings.save()
    after = {
        "requires_po_number": settings.requires_po_number,
        "allows_one_time_address": settings.allows_one_time_address,
        "credit_policy": settings.credit_policy,
        "monthly_budget": settings.monthly_budget,
        "is_tax_exempt": settings.is_tax_exempt,
    }
    changed = [key for key in after if after[key] != before[key]]
    if changed:
        record_audit(
            organization_id=target.organization_id,
            actor_user_id=actor.user_id,
            action="ordering.account_settings.changed",
            object_type="account",
            object_id=target.pk,
            before={key: before[key] for key in changed},
            after={key: after[key] for key in changed},
        )
    return settings


@transaction.atomic
def set_buyer_order_limit(
    *, actor: Actor, buyer: BuyerUser, order_limit: Decimal | None
) -> BuyerOrderLimit | None:
    """A buyer's limit per order (None removes it); orders over it wait for an approver. Audited."""
    if not ((actor.is_staff and actor.staff_role in SETTINGS_EDITORS) or _is_buyer_admin(actor)):
        raise NotAllowed("set order limits")
    account = queries.get_orderable_account(actor=actor, reference=buyer.account_id)
    limit = _amount("order_limit", order_limit)
    existing = BuyerOrderLimit.objects.filter(buyer=buyer).first()
    before = existing.order_limit if existing is not None else None
    result: BuyerOrderLimit | None
    if limit is None:
        BuyerOrderLimit.objects.filter(buyer=buyer).delete()
        result = None
    else:
        result, _ = BuyerOrderLimit.objects.update_or_create(buyer=buyer, defaults={"order_limit": limit})
    if before != limit:
        record_audit(
            organization_id=account.organization_id,
            actor_user_id=actor.user_id,
            action="ordering.buyer_limit.changed",
            object_type="buyer_user",
            object_id=buyer.pk,
            before={"order_limit": before},
            after={"order_limit": limit},
        )
    return result


def _website(actor: Actor, website: Website | int) -> Website:
    organization_id = require_staff(actor, SETTINGS_EDITORS, "change ordering settings")
    found = Website.objects.filter(
        organization_id=organization_id, pk=website.pk if isinstance(website, Website) else website
    ).first()
    if found is None:
        raise InvalidInput.on("website", "not found")
    return found


@transaction.atomic
def set_abandoned_cart_hours(*, actor: Actor, website: Website | int, hours: int) -> WebsiteOrderingSettings:
    found = _website(actor, website)
    if hours < 1 or hours > 24 * 365:
        raise InvalidInput.on("hours", "between 1 and 8760")
    settings, _ = WebsiteOrderingSettings.objects.update_or_create(
        website=found, defaults={"abandoned_cart_hours": hours}
    )
    return settings


@dataclass(frozen=True, slots=True)
class ShippingMethodInput:
    code: str
    name: str
    currency: str
    basis: str = ShippingMethod.Basis.FLAT
    flat_amount: Decimal = Decimal(0)
    bands: Sequence[tuple[Decimal, Decimal]] = ()  # (from weight or amount, amount)
    position: int = 0
    is_active: bool = True


@transaction.atomic
def upsert_shipping_method(
    *, actor: Actor, website: Website | int, data: ShippingMethodInput
) -> ShippingMethod:
    """Create or replace a website's rate table by code (its bands are replaced as a whole)."""
    found = _website(actor, website)
    errors: dict[str, list[str]] = {}
    code = data.code.strip()
    if not code or len(code) > 32:
        errors["code"] = ["1 to 32 characters"]
    if not data.name.strip():
        errors["name"] = ["must not be empty"]
    if data.basis not in ShippingMethod.Basis.values:
        errors["basis"] = [f"one of {sorted(ShippingMethod.Basis.values)}"]
    try:
        currency = validate_currency(data.currency)
    except InvalidInput as exc:
        errors.update(exc.fields)
        currency = ""
    try:
        _amount("flat_amount", data.flat_amount)
        for index, (minimum, amount) in enumerate(data.bands):
            _amount(f"bands.{index}.min_value", minimum)
            _amount(f"bands.{index}.amount", amount)
    except InvalidInput as exc:
        errors.update(exc.fields)
    minimums = [minimum for minimum, _ in data.bands]
    if len(set(minimums)) != len(minimums):
        errors["bands"] = ["each band needs its own starting value"]
    if data.bands and data.basis == ShippingMethod.Basis.FLAT:
        errors["bands"] = ["a flat method has no bands"]
    if errors:
        raise InvalidInput("invalid shipping method", fields=errors)
    method, _ = ShippingMethod.objects.update_or_create(
        website=found,
        code=code,
        defaults={
            "organization_id": found.organization_id,
            "name": data.name.strip(),
            "basis": data.basis,
            "flat_amount": data.flat_amount,
            "currency": currency,
            "position": data.position,
            "is_active": data.is_active,
        },
    )
    ShippingRateBand.objects.filter(method=method).delete()
    ShippingRateBand.objects.bulk_create(
        [ShippingRateBand(method=method, min_value=minimum, amount=amount) for minimum, amount in data.bands]
    )
    return method


@transaction.atomic
def upsert_tax_rule(
    *,
    actor: Actor,
    country: str,
    rate_percent: Decimal,
    name: str,
    region: str = "",
    applies_to_shipping: bool = True,
) -> TaxRule:
    """The default tax provider's table: a rate per ship-to country, or per region of it."""
    organization_id = require_staff(actor, SETTINGS_EDITORS, "change tax rules")
    code = country.strip().upper()
    errors: dict[str, list[str]] = {}
    if len(code) != 2 or not code.isalpha():
        errors["country"] = ["an ISO 3166-1 alpha-2 code"]
    if not rate_percent.is_finite() or rate_percent < 0 or rate_percent > 100:
        errors["rate_percent"] = ["between 0 and 100"]
    if not name.strip():
        errors["name"] = ["must not be empty"]
    if errors:
        raise InvalidInput("invalid tax rule", fields=errors)
    rule, _ = TaxRule.objects.update_or_create(
        organization_id=organization_id,
        country=code,
        region=region.strip().upper(),
        defaults={
            "name": name.strip(),
            "rate_percent": rate_percent,
            "applies_to_shipping": applies_to_shipping,
        },
    )
    return rule
