"""Where prices come from besides list entries: assignments, contracts, rules, customer prices."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from meridian.catalog.models import Category, Product
from meridian.catalog.services import set_part_number
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
    CustomerPriceNotFound,
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
    audit_change,
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
    assignment = PriceAssignment.objects.create(
        organization_id=organization_id,
        price_list=price_list,
        website=website,
        customer_group=customer_group,
        account=account,
        priority=priority,
    )
    audit_change(
        actor=actor,
        organization_id=organization_id,
        action="pricing.price_list.assigned",
        object_type="price_list",
        object_id=price_list.pk,
        before={},
        after=_assignment_values(assignment),
    )
    return assignment


def _assignment_values(assignment: PriceAssignment) -> dict[str, object]:
    """An assignment as the audit of its list records it (its target by id)."""
    return {
        "assignment": assignment.pk,
        "website": assignment.website_id,
        "customer_group": assignment.customer_group_id,
        "account": assignment.account_id,
        "priority": assignment.priority,
    }


@transaction.atomic
def unassign_price_list(*, actor: Actor, assignment: PriceAssignment) -> None:
    """Remove an assignment of the actor's organization; audited on its list
    (`pricing.price_list.unassigned`, with what it was)."""
    organization_id = require_pricing_editor(actor)
    row = (
        PriceAssignment.objects.select_for_update(of=("self",))
        .filter(pk=assignment.pk, organization_id=organization_id)
        .first()
    )
    if row is None:
        return
    before = _assignment_values(row)
    row.delete()
    audit_change(
        actor=actor,
        organization_id=organization_id,
        action="pricing.price_list.unassigned",
        object_type="price_list",
        object_id=row.price_list_id,
        before=before,
        after={},
    )


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

    @classmethod
    def of(cls, contract: Contract) -> ContractInput:
        """A contract's current values (a change starts from them)."""
        return cls(
            number=contract.number,
            account=contract.account,
            price_list=contract.price_list,
            applies_to_children=contract.applies_to_children,
            prices_are_final=contract.prices_are_final,
            valid_from=contract.valid_from,
            valid_to=contract.valid_to,
            priority=contract.priority,
            external_id=contract.external_id,
            terms=contract.terms,
        )


def _contract_errors(
    organization_id: int, data: ContractInput, current: Contract | None
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    number = data.number.strip()
    if not number or len(number) > 40:
        errors["number"] = ["1 to 40 characters"]
    if problem := window_error(data.valid_from, data.valid_to):
        errors["valid_to"] = [problem]
    if data.priority < 0:
        errors["priority"] = ["must not be negative"]
    if data.external_id:
        clash = Contract.objects.filter(organization_id=organization_id, external_id=data.external_id)
        if current is not None:
            clash = clash.exclude(pk=current.pk)
        if clash.exists():
            errors["external_id"] = ["already used"]
    return errors


def _contract_values(contract: Contract) -> dict[str, object]:
    """What the audit compares: every editable value, references by id."""
    return {
        "number": contract.number,
        "account": contract.account_id,
        "price_list": contract.price_list_id,
        "applies_to_children": contract.applies_to_children,
        "prices_are_final": contract.prices_are_final,
        "valid_from": contract.valid_from,
        "valid_to": contract.valid_to,
        "priority": contract.priority,
        "is_active": contract.is_active,
        "external_id": contract.external_id,
        "terms": contract.terms,
    }


@transaction.atomic
def create_contract(*, actor: Actor, data: ContractInput) -> Contract:
    """Bind an account in the actor's scope (optionally its children) to a price list for a period.

    Audited (`pricing.contract.created`)."""
    organization_id = require_pricing_editor(actor)
    account = get_account(actor=actor, reference=data.account.pk)
    price_list = queries.get_price_list(actor=actor, reference=data.price_list.pk)
    errors = _contract_errors(organization_id, data, None)
    if errors:
        raise InvalidInput("invalid contract", fields=errors)
    number = data.number.strip()
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
    audit_change(
        actor=actor,
        organization_id=organization_id,
        action="pricing.contract.created",
        object_type="contract",
        object_id=contract.pk,
        before={},
        after=_contract_values(contract),
    )
    record_event(
        organization_id=organization_id,
        aggregate_type="account",
        aggregate_id=account.pk,
        event_type="pricing.contract.created",
        payload={"contract": contract.number, "price_list": price_list.code, "account_id": account.pk},
    )
    return contract


@transaction.atomic
def update_contract(*, actor: Actor, contract: Contract, data: ContractInput, is_active: bool) -> Contract:
    """Change a contract's terms (its account stays); `is_active=False` ends it while keeping its
    history (orders' traces name it). Locks the row; audited (`pricing.contract.changed`, old and
    new values) with a `pricing.contract.changed` outbox event."""
    organization_id = require_pricing_editor(actor)
    current = queries.get_contract(actor=actor, contract_id=contract.pk)
    row = Contract.objects.select_for_update(of=("self",)).get(pk=current.pk)
    price_list = queries.get_price_list(actor=actor, reference=data.price_list.pk)
    errors = _contract_errors(organization_id, data, row)
    if data.account.pk != row.account_id:
        errors["account"] = ["cannot change: end this contract and create one for the other account"]
    if errors:
        raise InvalidInput("invalid contract", fields=errors)
    number = data.number.strip()
    if Contract.objects.filter(organization_id=organization_id, number=number).exclude(pk=row.pk).exists():
        raise ContractNumberTaken(number)
    before = _contract_values(row)
    row.number = number
    row.price_list = price_list
    row.applies_to_children = data.applies_to_children
    row.prices_are_final = data.prices_are_final
    row.valid_from, row.valid_to = data.valid_from, data.valid_to
    row.priority = data.priority
    row.is_active = is_active
    row.external_id = data.external_id
    row.terms = data.terms
    row.save()
    after = _contract_values(row)
    if audit_change(
        actor=actor,
        organization_id=organization_id,
        action="pricing.contract.changed",
        object_type="contract",
        object_id=row.pk,
        before=before,
        after=after,
    ):
        record_event(
            organization_id=organization_id,
            aggregate_type="account",
            aggregate_id=row.account_id,
            event_type="pricing.contract.changed",
            payload={"contract": row.number, "price_list": price_list.code, "account_id": row.account_id},
        )
    return row


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

    @classmethod
    def of(cls, rule: PriceRule) -> RuleInput:
        """A rule's current values (a change starts from them)."""
        return cls(
            base=PriceRule.Base(rule.base),
            multiplier=rule.multiplier,
            percent=rule.percent,
            rounding=PriceRule.Rounding(rule.rounding),
            base_price_list=rule.base_price_list,
            category=rule.category,
            product=rule.product,
            name=rule.name,
            priority=rule.priority,
            valid_from=rule.valid_from,
            valid_to=rule.valid_to,
        )


def _derivation_errors(organization_id: int, list_id: int, base_id: int, rule_id: int | None = None) -> str:
    """A rule chain is acyclic and at most two lists deep (what resolution loads); `rule_id` is the
    rule being edited, whose current base does not count."""
    edges: dict[int, set[int]] = {}
    others = PriceRule.objects.filter(
        price_list__organization_id=organization_id, is_active=True, base_price_list__isnull=False
    )
    if rule_id is not None:
        others = others.exclude(pk=rule_id)
    for source, target in others.values_list("price_list_id", "base_price_list_id"):
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


def _rule_errors(
    organization_id: int, price_list: PriceList, data: RuleInput, rule_id: int | None
) -> dict[str, list[str]]:
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
        elif problem := _derivation_errors(organization_id, price_list.pk, base.pk, rule_id):
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
    if data.priority < 0:
        errors["priority"] = ["must not be negative"]
    if problem := window_error(data.valid_from, data.valid_to):
        errors["valid_to"] = [problem]
    return errors


def _rule_values(rule: PriceRule) -> dict[str, object]:
    return {
        "price_list": rule.price_list_id,
        "name": rule.name,
        "category": rule.category_id,
        "product": rule.product_id,
        "base": rule.base,
        "base_price_list": rule.base_price_list_id,
        "multiplier": rule.multiplier,
        "percent": rule.percent,
        "rounding": rule.rounding,
        "priority": rule.priority,
        "valid_from": rule.valid_from,
        "valid_to": rule.valid_to,
        "is_active": rule.is_active,
    }


def _apply_rule(rule: PriceRule, data: RuleInput) -> None:
    rule.name = data.name.strip()
    rule.category = data.category
    rule.product = data.product
    rule.base = data.base
    rule.base_price_list = data.base_price_list if data.base == PriceRule.Base.PRICE_LIST else None
    rule.multiplier = data.multiplier
    rule.percent = data.percent
    rule.rounding = data.rounding
    rule.priority = data.priority
    rule.valid_from, rule.valid_to = data.valid_from, data.valid_to


def _audit_rule(
    actor: Actor,
    organization_id: int,
    action: str,
    rule_id: int,
    before: dict[str, object],
    after: dict[str, object],
) -> None:
    audit_change(
        actor=actor,
        organization_id=organization_id,
        action=action,
        object_type="price_rule",
        object_id=rule_id,
        before=before,
        after=after,
    )


@transaction.atomic
def create_price_rule(*, actor: Actor, price_list: PriceList, data: RuleInput) -> PriceRule:
    """Add a rule that derives prices for `price_list` at resolution time (never materialized); audited."""
    organization_id = require_pricing_editor(actor)
    price_list = queries.get_price_list(actor=actor, reference=price_list.pk)
    errors = _rule_errors(organization_id, price_list, data, None)
    if errors:
        raise InvalidInput("invalid price rule", fields=errors)
    rule = PriceRule(price_list=price_list)
    _apply_rule(rule, data)
    rule.save()
    _audit_rule(actor, organization_id, "pricing.price_rule.created", rule.pk, {}, _rule_values(rule))
    return rule


@transaction.atomic
def update_price_rule(*, actor: Actor, rule: PriceRule, data: RuleInput, is_active: bool) -> PriceRule:
    """Replace a rule's terms (its list stays); prices follow at the next request. Locks the row;
    audited (`pricing.price_rule.changed`, old and new values)."""
    organization_id = require_pricing_editor(actor)
    current = queries.get_price_rule(actor=actor, rule_id=rule.pk)
    row = PriceRule.objects.select_for_update(of=("self",)).get(pk=current.pk)
    errors = _rule_errors(organization_id, current.price_list, data, row.pk)
    if errors:
        raise InvalidInput("invalid price rule", fields=errors)
    before = _rule_values(row)
    _apply_rule(row, data)
    row.is_active = is_active
    row.save()
    _audit_rule(actor, organization_id, "pricing.price_rule.changed", row.pk, before, _rule_values(row))
    return row


@transaction.atomic
def delete_price_rule(*, actor: Actor, rule: PriceRule) -> None:
    """Remove a rule; its derived prices disappear at the next request. Audited with its last values."""
    organization_id = require_pricing_editor(actor)
    current = queries.get_price_rule(actor=actor, rule_id=rule.pk)
    row = PriceRule.objects.select_for_update(of=("self",)).get(pk=current.pk)
    before = _rule_values(row)
    rule_id = row.pk
    row.delete()
    _audit_rule(actor, organization_id, "pricing.price_rule.deleted", rule_id, before, {})


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
    part_number: str | None = None,
) -> CustomerPrice:
    """Give an account in scope its own price for a product (the first source of its chain); audited.

    Upserts by (account, product, uom, min_quantity, currency, valid_from). A `part_number` also
    gives the account its own code for the product (catalog's `set_part_number`), in the same
    transaction."""
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
    if part_number is not None and part_number.strip():
        set_part_number(actor=actor, account=account, product=product, part_number=part_number)
    if old != new_price:
        _record_customer_price_change(actor, row, old, new_price)
    return row


@transaction.atomic
def delete_customer_price(*, actor: Actor, customer_price: CustomerPrice) -> None:
    """Remove an account's own price (the chain moves on at the next request); audited as a change
    from its price to none, with a `pricing.customer_price.changed` event."""
    require_pricing_editor(actor)
    current = queries.get_customer_price(actor=actor, customer_price_id=customer_price.pk)
    row = CustomerPrice.objects.select_for_update(of=("self",)).filter(pk=current.pk).first()
    if row is None:
        raise CustomerPriceNotFound(customer_price.pk)
    row.product = current.product
    CustomerPrice.objects.filter(pk=row.pk).delete()
    _record_customer_price_change(actor, row, row.price, None)


def _record_customer_price_change(
    actor: Actor, row: CustomerPrice, old: Decimal | None, new: Decimal | None
) -> None:
    """The audit row and outbox event of one customer price change (old or new None: created, removed)."""
    PriceChange.objects.create(
        organization_id=row.organization_id,
        kind=PriceChange.Kind.CUSTOMER_PRICE,
        changed_by_id=actor.user_id,
        changed_at=timezone.now(),
        entry_id=row.pk,
        account_id=row.account_id,
        product_id=row.product_id,
        uom=row.uom,
        min_quantity=row.min_quantity,
        currency=row.currency,
        old_price=old,
        new_price=new,
    )
    record_event(
        organization_id=row.organization_id,
        aggregate_type="account",
        aggregate_id=row.account_id,
        event_type="pricing.customer_price.changed",
        payload={
            "sku": row.product.sku,
            "uom": row.uom,
            "min_quantity": str(row.min_quantity),
            "currency": row.currency,
            "old_price": str(old) if old is not None else None,
            "new_price": str(new) if new is not None else None,
        },
    )
