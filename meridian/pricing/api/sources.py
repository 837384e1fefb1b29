"""Customer prices and part numbers, price rules, rebate programs and statements, pricing settings,
the edits of entries, contracts and promotions, and a price list's audit (shared/API.md conventions).

Writes take a pricing editor (staff admin, sales manager, inside sales): anyone else gets 403
`not_allowed`, checked before any lookup. Reads are scoped to the actor: an account, contract or
customer price outside it answers 404. Every change is audited and live at the next request.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import Any

from django.http import HttpRequest
from ninja import Query
from ninja.responses import Status

from meridian.api.auth import actor_of
from meridian.api.pagination import PageParams, paginate
from meridian.api.schemas import Id, Reference, error_responses, is_usable_reference
from meridian.core import queries as core_queries
from meridian.core.actor import Actor
from meridian.core.errors import NotAllowed
from meridian.core.schemas import AuditEntryList, AuditEntryOut
from meridian.customers import queries as customers
from meridian.customers.errors import AccountNotFound
from meridian.customers.models import Account
from meridian.pricing import queries, services
from meridian.pricing.api.lists import (
    _body_account,
    _body_category,
    _body_group,
    _body_price_list,
    _body_product,
    _body_website,
    _contract_out,
    _entry_out,
    _price_list,
    _promotion_out,
    _require_staff,
    promotion_input,
    router,
)
from meridian.pricing.display import unit_amount
from meridian.pricing.models import CustomerPrice, PriceRule, RebateProgram
from meridian.pricing.schemas import ContractOut, EntryOut, PromotionOut
from meridian.pricing.source_schemas import (
    AccountPricingIn,
    AccountPricingOut,
    ContractPatch,
    CustomerPriceFilters,
    CustomerPriceIn,
    CustomerPriceList,
    CustomerPriceOut,
    EntryPatch,
    PriceRuleIn,
    PriceRuleList,
    PriceRuleOut,
    PriceRulePatch,
    PricingStrategiesOut,
    PromotionPatch,
    RebateProgramIn,
    RebateProgramList,
    RebateProgramOut,
    RebateProgramPatch,
    RebateStatementLineOut,
    RebateStatementOut,
    RebateTierOut,
    StatementFilters,
    WebsiteStrategyIn,
    WebsiteStrategyOut,
)


def _account(actor: Actor, reference: str | int) -> Account:
    """An account named in the path: out of scope is 404."""
    if not is_usable_reference(reference):
        raise AccountNotFound(reference)
    return customers.get_account(actor=actor, reference=reference)


# --- entries: edit and remove one ----------------------------------------------------------------


@router.patch(
    "/price-lists/{code}/entries/{entry_id}", response={200: EntryOut, **error_responses(403, 404, 422)}
)
def update_price_entry(request: HttpRequest, code: Reference, entry_id: Id, payload: EntryPatch) -> EntryOut:
    """Change one entry's `price` and `valid_to` (price editors); its key stays. Audited."""
    actor = actor_of(request)
    services.require_pricing_editor(actor)
    entry = queries.get_price_entry(actor=actor, price_list=_price_list(actor, code), entry_id=entry_id)
    sent = payload.model_dump(exclude_unset=True)
    updated = services.update_price_entry(
        actor=actor,
        entry=entry,
        price=sent.get("price", entry.price),
        valid_to=sent.get("valid_to", entry.valid_to),
    )
    return _entry_out(updated, updated.price_list.currency)


@router.delete(
    "/price-lists/{code}/entries/{entry_id}", response={204: None, **error_responses(403, 404, 422)}
)
def delete_price_entry(request: HttpRequest, code: Reference, entry_id: Id) -> Status[None]:
    """Remove one entry (price editors); the chain moves on at the next request. Audited."""
    actor = actor_of(request)
    services.require_pricing_editor(actor)
    price_list = _price_list(actor, code)
    services.delete_price_entries(actor=actor, price_list=price_list, entry_ids=[entry_id])
    return Status(204, None)


# --- customer prices -----------------------------------------------------------------------------


def _customer_price_out(row: CustomerPrice) -> CustomerPriceOut:
    return CustomerPriceOut(
        id=row.pk,
        account=row.account_id,
        sku=row.product.sku,
        part_number=getattr(row, "part_number", None),
        uom=row.uom,
        min_quantity=row.min_quantity,
        price=unit_amount(row.price, row.currency),
        currency=row.currency,
        applies_to_children=row.applies_to_children,
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        updated_at=row.updated_at,
    )


@router.get("/customer-prices", response={200: CustomerPriceList, **error_responses(404, 422)})
def list_customer_prices(request: HttpRequest, filters: Query[CustomerPriceFilters]) -> CustomerPriceList:
    """Accounts' own prices (and their part numbers) in your scope, by account and SKU."""
    actor = actor_of(request)
    account = _account(actor, filters.account) if filters.account else None
    # count; customer prices+account, product, part number (subquery)
    count, rows = paginate(
        queries.list_customer_prices(actor=actor, account=account, sku=filters.sku.strip()), filters
    )
    return CustomerPriceList(count=count, items=[_customer_price_out(row) for row in rows])


@router.put("/customer-prices", response={200: CustomerPriceOut, **error_responses(403, 409, 422)})
def upsert_customer_price(request: HttpRequest, payload: CustomerPriceIn) -> CustomerPriceOut:
    """Set an account's own price for a product (price editors), upserted by (account, sku, uom,
    min_quantity, currency, valid_from); `part_number` also gives the account its own code for the
    product. Audited; the first source of the account's chain from the next request on."""
    actor = actor_of(request)
    services.require_pricing_editor(actor)
    row = services.set_customer_price(
        actor=actor,
        account=_body_account(actor, payload.account),
        product=_body_product(actor, payload.sku),
        price=payload.price,
        currency=payload.currency,
        uom=payload.uom,
        min_quantity=payload.min_quantity,
        valid_from=payload.valid_from,
        valid_to=payload.valid_to,
        applies_to_children=payload.applies_to_children,
        part_number=payload.part_number,
    )
    return _customer_price_out(queries.get_customer_price(actor=actor, customer_price_id=row.pk))


@router.delete("/customer-prices/{customer_price_id}", response={204: None, **error_responses(403, 404, 422)})
def delete_customer_price(request: HttpRequest, customer_price_id: Id) -> Status[None]:
    """Remove an account's own price (price editors); audited as a change to none."""
    actor = actor_of(request)
    services.require_pricing_editor(actor)
    row = queries.get_customer_price(actor=actor, customer_price_id=customer_price_id)
    services.delete_customer_price(actor=actor, customer_price=row)
    return Status(204, None)


# --- price rules ---------------------------------------------------------------------------------


def _rule_out(rule: PriceRule) -> PriceRuleOut:
    return PriceRuleOut(
        id=rule.pk,
        price_list=rule.price_list.code,
        name=rule.name,
        base=rule.base,
        base_price_list=rule.base_price_list.code if rule.base_price_list is not None else None,
        multiplier=rule.multiplier,
        percent=rule.percent,
        rounding=rule.rounding,
        category=rule.category_id,
        product=rule.product.sku if rule.product is not None else None,
        priority=rule.priority,
        valid_from=rule.valid_from,
        valid_to=rule.valid_to,
        is_active=rule.is_active,
        created_at=rule.created_at,
    )


_RULE_REFERENCES: dict[str, Callable[[Actor, Any], object]] = {
    "base_price_list": _body_price_list,
    "category": _body_category,
    "product": _body_product,
}


def _rule_input(
    actor: Actor, sent: dict[str, Any], start: Callable[..., services.RuleInput]
) -> services.RuleInput:
    """`start(**values)` with the values sent, references resolved (an unknown one is a bad value)."""
    values = {name: value for name, value in sent.items() if name != "is_active"}
    for name, resolve in _RULE_REFERENCES.items():
        if values.get(name) is not None:
            values[name] = resolve(actor, values[name])
    return start(**values)


@router.get("/price-lists/{code}/rules", response={200: PriceRuleList, **error_responses(403, 404, 422)})
def list_price_rules(request: HttpRequest, code: Reference, page: Query[PageParams]) -> PriceRuleList:
    """The rules that derive a list's prices at resolution time, active first, by priority (staff)."""
    actor = actor_of(request)
    _require_staff(actor, "read price lists")
    # the list (scope); count; rules+list, category, product, base list
    count, rows = paginate(queries.list_price_rules(actor=actor, price_list=_price_list(actor, code)), page)
    return PriceRuleList(count=count, items=[_rule_out(row) for row in rows])


@router.post("/price-lists/{code}/rules", response={201: PriceRuleOut, **error_responses(403, 404, 422)})
def create_price_rule(request: HttpRequest, code: Reference, payload: PriceRuleIn) -> Status[PriceRuleOut]:
    """Add a rule deriving the list's prices (price editors), e.g. `{"base": "cost", "multiplier":
    "1.25", "rounding": "ends_99"}` or `{"base": "price_list", "base_price_list": "BASE", "percent":
    "-8", "category": "fasteners"}`. Evaluated at resolution time, never stored; audited."""
    actor = actor_of(request)
    services.require_pricing_editor(actor)
    price_list = _price_list(actor, code)
    rule = services.create_price_rule(
        actor=actor, price_list=price_list, data=_rule_input(actor, payload.model_dump(), services.RuleInput)
    )
    return Status(201, _rule_out(queries.get_price_rule(actor=actor, rule_id=rule.pk)))


@router.patch("/price-rules/{rule_id}", response={200: PriceRuleOut, **error_responses(403, 404, 422)})
def update_price_rule(request: HttpRequest, rule_id: Id, payload: PriceRulePatch) -> PriceRuleOut:
    """Change the fields sent (price editors); `is_active: false` pauses the rule. Audited."""
    actor = actor_of(request)
    services.require_pricing_editor(actor)
    rule = queries.get_price_rule(actor=actor, rule_id=rule_id)
    sent = payload.model_dump(exclude_unset=True)
    if sent.get("base") == PriceRule.Base.COST and "base_price_list" not in sent:
        sent["base_price_list"] = None  # a cost base has no base list
    updated = services.update_price_rule(
        actor=actor,
        rule=rule,
        data=_rule_input(actor, sent, partial(replace, services.RuleInput.of(rule))),
        is_active=sent.get("is_active", rule.is_active),
    )
    return _rule_out(queries.get_price_rule(actor=actor, rule_id=updated.pk))


@router.delete("/price-rules/{rule_id}", response={204: None, **error_responses(403, 404, 422)})
def delete_price_rule(request: HttpRequest, rule_id: Id) -> Status[None]:
    """Remove a rule (price editors); its derived prices go at the next request. Audited."""
    actor = actor_of(request)
    services.require_pricing_editor(actor)
    services.delete_price_rule(actor=actor, rule=queries.get_price_rule(actor=actor, rule_id=rule_id))
    return Status(204, None)


# --- contracts and promotions: read one, edit ----------------------------------------------------


@router.get("/contracts/{contract_id}", response={200: ContractOut, **error_responses(404, 422)})
def get_contract(request: HttpRequest, contract_id: Id) -> ContractOut:
    """One contract on an account in your scope (a buyer: their subtree's)."""
    actor = actor_of(request)
    return _contract_out(queries.get_contract(actor=actor, contract_id=contract_id))


@router.patch("/contracts/{contract_id}", response={200: ContractOut, **error_responses(403, 404, 409, 422)})
def update_contract(request: HttpRequest, contract_id: Id, payload: ContractPatch) -> ContractOut:
    """Change the fields sent (price editors); the account stays. `is_active: false` ends the
    contract and keeps its history. Audited."""
    actor = actor_of(request)
    services.require_pricing_editor(actor)
    contract = queries.get_contract(actor=actor, contract_id=contract_id)
    sent = payload.model_dump(exclude_unset=True)
    is_active = sent.pop("is_active", contract.is_active)
    if "price_list" in sent:
        sent["price_list"] = _body_price_list(actor, sent["price_list"])
    updated = services.update_contract(
        actor=actor,
        contract=contract,
        data=replace(services.ContractInput.of(contract), **sent),
        is_active=is_active,
    )
    return _contract_out(queries.get_contract(actor=actor, contract_id=updated.pk))


@router.patch(
    "/promotions/{promotion_id}", response={200: PromotionOut, **error_responses(403, 404, 409, 422)}
)
def update_promotion(request: HttpRequest, promotion_id: Id, payload: PromotionPatch) -> PromotionOut:
    """Change the fields sent (price editors); `is_active: false` ends the promotion and keeps its
    coupons and redemptions. Audited."""
    actor = actor_of(request)
    services.require_pricing_editor(actor)
    promotion = queries.get_promotion(actor=actor, promotion_id=promotion_id)
    current = services.PromotionInput.of(promotion)
    data = promotion_input(actor, payload.model_dump(exclude_unset=True), partial(replace, current))
    services.update_promotion(actor=actor, promotion=promotion, data=data)
    found = queries.get_promotion(actor=actor, promotion_id=promotion.pk)
    return _promotion_out(found, found.coupon_count)  # type: ignore[attr-defined]  # annotated by the query


# --- rebate programs and statements --------------------------------------------------------------


def _program_out(program: RebateProgram) -> RebateProgramOut:
    return RebateProgramOut(
        id=program.pk,
        code=program.code,
        name=program.name,
        basis=program.basis,
        currency=program.currency,
        period_start=program.period_start,
        period_end=program.period_end,
        customer_group=program.customer_group_id,
        account=program.account_id,
        is_active=program.is_active,
        tiers=[
            RebateTierOut(threshold=tier.threshold, rate_percent=tier.rate_percent)
            for tier in program.tiers.all()
        ],
        created_at=program.created_at,
    )


def _program_input(actor: Actor, values: dict[str, Any]) -> services.RebateProgramInput:
    group, account = values.get("customer_group"), values.get("account")
    return services.RebateProgramInput(
        code=values["code"],
        name=values["name"],
        basis=values["basis"],
        currency=values["currency"],
        period_start=values["period_start"],
        period_end=values["period_end"],
        tiers=[(tier["threshold"], tier["rate_percent"]) for tier in values["tiers"]],
        customer_group=_body_group(actor, group) if group is not None else None,
        account=_body_account(actor, account) if account is not None else None,
    )


@router.get("/rebate-programs", response={200: RebateProgramList, **error_responses(403, 422)})
def list_rebate_programs(request: HttpRequest, page: Query[PageParams]) -> RebateProgramList:
    """Rebate programs with their tiers, active first, by code (staff)."""
    actor = actor_of(request)
    _require_staff(actor, "read rebate programs")
    # count; programs+group, account; tiers
    count, rows = paginate(queries.list_rebate_programs(actor=actor), page)
    return RebateProgramList(count=count, items=[_program_out(row) for row in rows])


@router.post("/rebate-programs", response={201: RebateProgramOut, **error_responses(403, 422)})
def create_rebate_program(request: HttpRequest, payload: RebateProgramIn) -> Status[RebateProgramOut]:
    """A program: volume (base units) or spend per account over a period earns a rate by tier
    (price editors). Scope: every account, a customer group, or an account with its subtree."""
    actor = actor_of(request)
    services.require_pricing_editor(actor)
    program = services.create_rebate_program(actor=actor, data=_program_input(actor, payload.model_dump()))
    return Status(201, _program_out(queries.get_rebate_program(actor=actor, program_id=program.pk)))


@router.get(
    "/rebate-programs/{program_id}", response={200: RebateProgramOut, **error_responses(403, 404, 422)}
)
def get_rebate_program(request: HttpRequest, program_id: Id) -> RebateProgramOut:
    """One rebate program with its tiers (staff)."""
    actor = actor_of(request)
    _require_staff(actor, "read rebate programs")
    return _program_out(queries.get_rebate_program(actor=actor, program_id=program_id))


@router.patch(
    "/rebate-programs/{program_id}", response={200: RebateProgramOut, **error_responses(403, 404, 422)}
)
def update_rebate_program(
    request: HttpRequest, program_id: Id, payload: RebateProgramPatch
) -> RebateProgramOut:
    """Change the fields sent (price editors); `tiers` replaces every tier (recorded accruals stay);
    `is_active: false` ends the program. Audited."""
    actor = actor_of(request)
    services.require_pricing_editor(actor)
    program = queries.get_rebate_program(actor=actor, program_id=program_id)
    current = {
        "code": program.code,
        "name": program.name,
        "basis": program.basis,
        "currency": program.currency,
        "period_start": program.period_start,
        "period_end": program.period_end,
        "tiers": [{"threshold": t.threshold, "rate_percent": t.rate_percent} for t in program.tiers.all()],
        "customer_group": program.customer_group_id,
        "account": program.account_id,
        "is_active": program.is_active,
    }
    values = {**current, **payload.model_dump(exclude_unset=True)}
    services.update_rebate_program(
        actor=actor, program=program, data=_program_input(actor, values), is_active=values["is_active"]
    )
    return _program_out(queries.get_rebate_program(actor=actor, program_id=program.pk))


@router.get(
    "/accounts/{ref}/rebate-statement", response={200: RebateStatementOut, **error_responses(404, 422)}
)
def get_rebate_statement(
    request: HttpRequest, ref: Reference, filters: Query[StatementFilters]
) -> RebateStatementOut:
    """Per program that holds the account: basis and spend to date, the tier reached and its rate,
    the accrued amount and the gap to the next tier, optionally within `period_start`..`period_end`
    (everyone, for an account in their scope)."""
    actor = actor_of(request)
    account = _account(actor, ref)
    statements = queries.rebate_statement(
        actor=actor, account=account, period_start=filters.period_start, period_end=filters.period_end
    )
    return RebateStatementOut(
        account=account.pk,
        programs=[
            RebateStatementLineOut(
                program=line.program_code,
                program_id=line.program_id,
                basis=line.basis,
                currency=line.currency,
                period_start=line.period_start,
                period_end=line.period_end,
                basis_to_date=line.basis_to_date,
                spend_to_date=unit_amount(line.spend_to_date, line.currency),
                tier_threshold=line.tier_threshold,
                rate_percent=line.rate_percent,
                accrued_amount=unit_amount(line.accrued_amount, line.currency),
                next_threshold=line.next_threshold,
                next_rate_percent=line.next_rate_percent,
                gap_to_next_tier=line.gap_to_next_tier,
                accrual_count=line.accrual_count,
            )
            for line in statements
        ],
    )


# --- settings ------------------------------------------------------------------------------------


@router.get("/pricing-strategies", response={200: PricingStrategiesOut, **error_responses(403, 422)})
def list_pricing_strategies(request: HttpRequest) -> PricingStrategiesOut:
    """Each website's resolution strategy: `priority` (the first source in the chain that prices a
    product) or `best_price` (the lowest across the chain) (staff)."""
    actor = actor_of(request)
    _require_staff(actor, "read pricing settings")
    rows = queries.website_strategies(actor=actor)
    return PricingStrategiesOut(
        websites=[
            WebsiteStrategyOut(website=website.pk, name=website.name, strategy=strategy.value)
            for website, strategy in rows
        ],
    )


@router.put("/pricing-strategies", response={200: WebsiteStrategyOut, **error_responses(403, 422)})
def set_pricing_strategy(request: HttpRequest, payload: WebsiteStrategyIn) -> WebsiteStrategyOut:
    """Set a website's strategy (price editors); prices follow at the next request. Audited."""
    actor = actor_of(request)
    services.require_pricing_editor(actor)
    website = _body_website(actor, payload.website)
    row = services.set_pricing_strategy(actor=actor, website=website, strategy=payload.strategy)
    return WebsiteStrategyOut(website=website.pk, name=website.name, strategy=row.strategy)


@router.get(
    "/accounts/{ref}/pricing-settings", response={200: AccountPricingOut, **error_responses(403, 404, 422)}
)
def get_account_pricing(request: HttpRequest, ref: Reference) -> AccountPricingOut:
    """Whether the account, when it has its own price list assignments, also inherits its parent's
    (staff, for an account in their scope)."""
    actor = actor_of(request)
    _require_staff(actor, "read pricing settings")
    account = _account(actor, ref)
    inheritance = queries.assignment_inheritance(account=account)
    return AccountPricingOut(account=account.pk, assignment_inheritance=inheritance.value)


@router.put(
    "/accounts/{ref}/pricing-settings", response={200: AccountPricingOut, **error_responses(403, 404, 422)}
)
def set_account_pricing(request: HttpRequest, ref: Reference, payload: AccountPricingIn) -> AccountPricingOut:
    """Set `assignment_inheritance` (price editors): `inherit` or `stop`. Audited."""
    actor = actor_of(request)
    services.require_pricing_editor(actor)
    account = _account(actor, ref)
    row = services.set_assignment_inheritance(
        actor=actor, account=account, inheritance=payload.assignment_inheritance
    )
    return AccountPricingOut(account=account.pk, assignment_inheritance=row.assignment_inheritance)


# --- a price list's audit ----------------------------------------------------------------------


@router.get("/price-lists/{code}/audit", response={200: AuditEntryList, **error_responses(403, 404, 422)})
def list_price_list_audit(request: HttpRequest, code: Reference, page: Query[PageParams]) -> AuditEntryList:
    """Who changed the list itself (created, settings, assigned, unassigned), when, from what to
    what; newest first. Its stored prices' changes are `/price-changes?price_list=`, its rules'
    `/audit?object_type=price_rule`. Staff who see the whole organization (not sales reps)."""
    actor = actor_of(request)
    if not actor.sees_whole_organization:  # the role before any lookup
        raise NotAllowed("read the audit log")
    price_list = _price_list(actor, code)
    entries = core_queries.list_audit_entries(
        actor=actor, object_type="price_list", object_id=str(price_list.pk)
    )
    # count; entries+user email (a subquery)
    count, rows = paginate(entries, page)
    return AuditEntryList(count=count, items=[AuditEntryOut.of(row) for row in rows])
