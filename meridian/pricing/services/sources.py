"""Where prices come from besides list entries: assignments, contracts, rules, customer prices."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from meridian.catalog.models import Category, Product
from meridian.core.actor import Actor
from meridian.core.errors import InvalidInput
from meridian.core.money import validate_currency
from meridian.core.services import record_event
from meridian.customers.models import Account, CustomerGroup
from meridian.customers.queries import get_account
from meridian.pricing import engine, queries
from meridian.pricing.errors import (
    AssignmentExists,
    ContractNumberTaken,
)
from meridian.pricing.models import (
    Contract,
    CustomerPrice,
    PriceAssignment,
    PriceChange,
    PriceList,
    PriceRule,
)
from meridian.pricing.services._common import (
    PRICE_STEP,
    QUANTITY_STEP,
    decimal_error,
    require_pricing_editor,
    window_error,
)
from meridian.tenancy.models import Website


@transaction.atomic
def assign_price_list(
    *,
    actor: Actor,
    price_list: PriceList,
    website: Website | None = None,
    customer_group: CustomerGroup | None = None,
    account: Account | None = None,
    priority: int = 100,
) -> PriceAssignment:
    """Assign a list to exactly one target; a lower priority number is tried first."""
    organization_id = require_pricing_editor(actor)
    price_list = queries.get_price_list(actor=actor, reference=price_list.pk)
    targets = [target for target in (website, customer_group, account) if target is not None]
    if len(targets) != 1:
        raise InvalidInput.on("target", "choose exactly one of website, customer group or account")
    if website is not None and website.organization_id != organization_id:
        raise InvalidInput.on("website", "not found")
    if customer_group is not None and customer_group.organization_id != organization_id:
        raise InvalidInput.on("customer_group", "not found")
    if account is not None:
        account = get_account(actor=actor, reference=account.pk)
    if priority < 0:
        raise InvalidInput.on("priority", "must not be negative")
    clash = PriceAssignment.objects.filter(
        price_list=price_list, website=website, customer_group=customer_group, account=account
    )
    if clash.exists():
        raise AssignmentExists()
    return PriceAssignment.objects.create(
        organization_id=organization_id,
        price_list=price_list,
        website=website,
        customer_group=customer_group,
        account=account,
        priority=priority,
    )


@transaction.atomic
def unassign_price_list(*, actor: Actor, assignment: PriceAssignment) -> None:
    organization_id = require_pricing_editor(actor)
    PriceAssignment.objects.filter(pk=assignment.pk, organization_id=organization_id).delete()


@dataclass(frozen=True, slots=True)
class ContractInput:
    number: str
    account: Account
    price_list: PriceList
    applies_to_children: bool = False
    prices_are_final: bool = False
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    priority: int = 100
    external_id: str = ""
    terms: str = ""


@transaction.atomic
def create_contract(*, actor: Actor, data: ContractInput) -> Contract:
    """Bind an account in the actor's scope (optionally its children) to a price list for a period."""
    organization_id = require_pricing_editor(actor)
    account = get_account(actor=actor, reference=data.account.pk)
    price_list = queries.get_price_list(actor=actor, reference=data.price_list.pk)
    errors: dict[str, list[str]] = {}
    number = data.number.strip()
    if not number or len(number) > 40:
        errors["number"] = ["1 to 40 characters"]
    if problem := window_error(data.valid_from, data.valid_to):
        errors["valid_to"] = [problem]
    if data.priority < 0:
        errors["priority"] = ["must not be negative"]
    if (
        data.external_id
        and Contract.objects.filter(organization_id=organization_id, external_id=data.external_id).exists()
    ):
        errors["external_id"] = ["already used"]
    if errors:
        raise InvalidInput("invalid contract", fields=errors)
    if Contract.objects.filter(organization_id=organization_id, number=number).exists():
        raise ContractNumberTaken(number)
    contract = Contract.objects.create(
        organization_id=organization_id,
        number=number,
        account=account,
        price_list=price_list,
        applies_to_children=data.applies_to_children,
        prices_are_final=data.prices_are_final,
        valid_from=data.valid_from,
        valid_to=data.valid_to,
        priority=data.priority,
        external_id=data.external_id,
        terms=data.terms,
    )
    record_event(
        organization_id=organization_id,
        aggregate_type="account",
        aggregate_id=account.pk,
        event_type="pricing.contract.created",
        payload={"contract": contract.number, "price_list": price_list.code, "account_id": account.pk},
    )
    return contract


@dataclass(frozen=True, slots=True)
class RuleInput:
    base: PriceRule.Base
    multiplier: Decimal = Decimal(1)
    percent: Decimal = Decimal(0)
    rounding: PriceRule.Rounding = PriceRule.Rounding.NONE
    base_price_list: PriceList | None = None
    category: Category | None = None
    product: Product | None = None
    name: str = ""
    priority: int = 100
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None


def _derivation_errors(organization_id: int, list_id: int, base_id: int) -> str:
    """A rule chain is acyclic and at most two lists deep (what resolution loads)."""
    edges: dict[int, set[int]] = {}
    for source, target in PriceRule.objects.filter(
        price_list__organization_id=organization_id, is_active=True, base_price_list__isnull=False
    ).values_list("price_list_id", "base_price_list_id"):
        edges.setdefault(source, set()).add(target)
    edges.setdefault(list_id, set()).add(base_id)

    def longest(node: int, trail: tuple[int, ...]) -> int:
        if node in trail:
            raise RecursionError
        return max((1 + longest(nxt, (*trail, node)) for nxt in edges.get(node, ())), default=0)

    try:
        depth = max(longest(node, ()) for node in list(edges))
    except RecursionError:
        return "would make lists derive from each other in a cycle"
    if depth > engine.MAX_RULE_DEPTH:
        return f"would chain more than {engine.MAX_RULE_DEPTH} lists (a rule's base may derive from one more list)"
    return ""


@transaction.atomic
def create_price_rule(*, actor: Actor, price_list: PriceList, data: RuleInput) -> PriceRule:
    """Add a rule that derives prices for `price_list` at resolution time (never materialized)."""
    organization_id = require_pricing_editor(actor)
    price_list = queries.get_price_list(actor=actor, reference=price_list.pk)
    errors: dict[str, list[str]] = {}
    if data.base not in PriceRule.Base.values:
        errors["base"] = [f"one of {sorted(PriceRule.Base.values)}"]
    if data.rounding not in PriceRule.Rounding.values:
        errors["rounding"] = [f"one of {sorted(PriceRule.Rounding.values)}"]
    if data.base == PriceRule.Base.PRICE_LIST:
        base = data.base_price_list
        if base is None or base.organization_id != organization_id:
            errors["base_price_list"] = ["required for a price-list base"]
        elif base.pk == price_list.pk:
            errors["base_price_list"] = ["a list cannot derive from itself"]
        elif base.currency != price_list.currency:
            errors["base_price_list"] = [f"must be in {price_list.currency}"]
        elif problem := _derivation_errors(organization_id, price_list.pk, base.pk):
            errors["base_price_list"] = [problem]
    elif data.base_price_list is not None:
        errors["base_price_list"] = ["only for a price-list base"]
    if data.category is not None and data.product is not None:
        errors["target"] = ["choose a category or a product, not both"]
    for name, value in (("category", data.category), ("product", data.product)):
        if value is not None and value.organization_id != organization_id:
            errors[name] = ["not found"]
    if problem := decimal_error(data.multiplier, places=4, limit=Decimal(10) ** 6):
        errors["multiplier"] = [problem]
    if not data.percent.is_finite() or data.percent < -100 or data.percent > 1000:
        errors["percent"] = ["between -100 and 1000"]
    if problem := window_error(data.valid_from, data.valid_to):
        errors["valid_to"] = [problem]
    if errors:
        raise InvalidInput("invalid price rule", fields=errors)
    return PriceRule.objects.create(
        price_list=price_list,
        name=data.name.strip(),
        category=data.category,
        product=data.product,
        base=data.base,
        base_price_list=data.base_price_list if data.base == PriceRule.Base.PRICE_LIST else None,
        multiplier=data.multiplier,
        percent=data.percent,
        rounding=data.rounding,
        priority=data.priority,
        valid_from=data.valid_from,
        valid_to=data.valid_to,
    )


@transaction.atomic
def set_customer_price(
    *,
    actor: Actor,
    account: Account,
    product: Product,
    price: Decimal,
    currency: str,
    uom: str = "",
    min_quantity: Decimal = Decimal(1),
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
    applies_to_children: bool = False,
) -> CustomerPrice:
    """Give an account in scope its own price for a product (the first source of its chain); audited."""
    organization_id = require_pricing_editor(actor)
    account = get_account(actor=actor, reference=account.pk)
    errors: dict[str, list[str]] = {}
    if product.organization_id != organization_id:
        errors["product"] = ["not found"]
    units = {
        product.base_uom.upper(),
        *(code.upper() for code in product.units.values_list("code", flat=True)),
    }
    code = (uom or product.base_uom).strip().upper()
    if code not in units:
        errors["uom"] = [f"one of {sorted(units)}"]
    if problem := decimal_error(price, places=4):
        errors["price"] = [problem]
    if problem := decimal_error(min_quantity, places=3, positive=True, limit=Decimal(10) ** 9):
        errors["min_quantity"] = [problem]
    if problem := window_error(valid_from, valid_to):
        errors["valid_to"] = [problem]
    try:
        currency = validate_currency(currency)
    except InvalidInput as exc:
        errors.update(exc.fields)
    if errors:
        raise InvalidInput("invalid customer price", fields=errors)
    key = {
        "account": account,
        "product": product,
        "uom": code,
        "min_quantity": min_quantity.quantize(QUANTITY_STEP),
        "currency": currency,
        "valid_from": valid_from,
    }
    row = CustomerPrice.objects.select_for_update(of=("self",)).filter(**key).first()
    old = row.price if row is not None else None
    new_price = price.quantize(PRICE_STEP)
    if row is None:
        row = CustomerPrice.objects.create(
            organization_id=organization_id,
            price=new_price,
            valid_to=valid_to,
            applies_to_children=applies_to_children,
            **key,
        )
    else:
        row.price, row.valid_to, row.applies_to_children = new_price, valid_to, applies_to_children
        row.save(update_fields=["price", "valid_to", "applies_to_children", "updated_at"])
    if old != new_price:
        now = timezone.now()
        PriceChange.objects.create(
            organization_id=organization_id,
            kind=PriceChange.Kind.CUSTOMER_PRICE,
            changed_by_id=actor.user_id,
            changed_at=now,
            entry_id=row.pk,
            account=account,
            product=product,
            uom=code,
            min_quantity=row.min_quantity,
            currency=currency,
            old_price=old,
            new_price=new_price,
        )
        record_event(
            organization_id=organization_id,
            aggregate_type="account",
            aggregate_id=account.pk,
            event_type="pricing.customer_price.changed",
            payload={
                "sku": product.sku,
                "uom": code,
                "min_quantity": str(row.min_quantity),
                "currency": currency,
                "old_price": str(old) if old is not None else None,
                "new_price": str(new_price),
            },
        )
    return row
