"""Console pages for customer prices and part numbers, assignment inheritance, editing and ending
contracts and promotions (on the account and promotion pages), price rules (add, edit, remove on the
price list page), removing one price list entry, each website's strategy (on the price lists page),
rebate programs and their tiers (an account's own from its account page). Price editors change
them; everything goes through the pricing services the API uses, audited, live at the next
request. A page's object out of the actor's scope is a 404 before the role's 403."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from meridian.catalog import queries as catalog
from meridian.catalog.errors import ProductNotFound
from meridian.console.price_forms import (
    ContractEditForm,
    CustomerPriceForm,
    InheritanceForm,
    PromotionForm,
    RebateProgramForm,
    RuleEditForm,
    StrategyForm,
    account_rebate_form,
)
from meridian.console.prices import (
    account_page_with,
    price_list_page_with,
    promotion_form_for,
    promotion_input,
    rule_form_for,
)
from meridian.console.pricing_context import can_edit_prices
from meridian.core.actor import Actor
from meridian.core.errors import Conflict, RuleViolation
from meridian.customers import queries as customers
from meridian.portal.ui import actor_of, add_domain_error, staff_required
from meridian.pricing import queries, services
from meridian.pricing.models import Contract, PriceRule, RebateProgram


def _pricing_section(account_id: int) -> str:
    return f"{reverse('console:account', args=[account_id])}#pricing"


@require_POST
@staff_required
def set_customer_price(request: HttpRequest, account_id: int) -> HttpResponse:
    actor = actor_of(request)
    account = customers.get_account(actor=actor, reference=account_id)  # 404 before the role's 403
    services.require_pricing_editor(actor)
    form = CustomerPriceForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            product = catalog.get_product(actor=actor, reference=data["sku"])
        except ProductNotFound:
            form.add_error("sku", f"No product {data['sku']}.")
        else:
            try:
                services.set_customer_price(
                    actor=actor,
                    account=account,
                    product=product,
                    price=data["price"],
                    currency=data["currency"],
                    uom=data["uom"],
                    min_quantity=data["min_quantity"],
                    valid_from=data["valid_from"],
                    valid_to=data["valid_to"],
                    applies_to_children=data["applies_to_children"],
                    part_number=data["part_number"] or None,
                )
            except (Conflict, RuleViolation) as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, f"{account.name} now pays its own price for {product.sku}.")
                return redirect(_pricing_section(account.pk))
    return account_page_with(request, account, customer_price_form=form)


@require_POST
@staff_required
def delete_customer_price(request: HttpRequest, customer_price_id: int) -> HttpResponse:
    actor = actor_of(request)
    row = queries.get_customer_price(actor=actor, customer_price_id=customer_price_id)
    services.require_pricing_editor(actor)
    services.delete_customer_price(actor=actor, customer_price=row)
    messages.success(request, f"The own price for {row.product.sku} is removed.")
    return redirect(_pricing_section(row.account_id))


@require_POST
@staff_required
def set_assignment_inheritance(request: HttpRequest, account_id: int) -> HttpResponse:
    actor = actor_of(request)
    account = customers.get_account(actor=actor, reference=account_id)  # 404 before the role's 403
    services.require_pricing_editor(actor)
    form = InheritanceForm(request.POST)
    if form.is_valid():
        services.set_assignment_inheritance(
            actor=actor, account=account, inheritance=form.cleaned_data["assignment_inheritance"]
        )
        messages.success(request, "Price list inheritance saved.")
    else:
        messages.error(request, "Choose inherit or stop.")
    return redirect(_pricing_section(account.pk))


@require_POST
@staff_required
def toggle_contract(request: HttpRequest, contract_id: int) -> HttpResponse:
    """End an active contract, or reactivate an ended one (its history stays either way)."""
    actor = actor_of(request)
    contract = queries.get_contract(actor=actor, contract_id=contract_id)
    services.require_pricing_editor(actor)
    try:
        services.update_contract(
            actor=actor,
            contract=contract,
            data=services.ContractInput.of(contract),
            is_active=not contract.is_active,
        )
    except (Conflict, RuleViolation) as exc:
        messages.error(request, str(exc))
    else:
        state = "reactivated" if not contract.is_active else "ended"
        messages.success(request, f"Contract {contract.number} is {state}.")
    return redirect(_pricing_section(contract.account_id))


@require_POST
@staff_required
def toggle_promotion(request: HttpRequest, promotion_id: int) -> HttpResponse:
    """End an active promotion, or reactivate an ended one (coupons and redemptions stay)."""
    actor = actor_of(request)
    promotion = queries.get_promotion(actor=actor, promotion_id=promotion_id)
    services.require_pricing_editor(actor)
    current = services.PromotionInput.of(promotion)
    try:
        services.update_promotion(
            actor=actor, promotion=promotion, data=replace(current, is_active=not current.is_active)
        )
    except (Conflict, RuleViolation) as exc:
        messages.error(request, str(exc))
    else:
        state = "reactivated" if not current.is_active else "ended"
        messages.success(request, f"{promotion.name} is {state}.")
    return redirect("console:promotion", promotion_id=promotion.pk)


# --- editing contracts and promotions ----------------------------------------------------------


def _contract_form(actor: Actor, contract: Contract, data: QueryDict | None = None) -> ContractEditForm:
    form = ContractEditForm(
        data,
        price_lists=queries.list_price_lists(actor=actor),
    )
    form.initial = {
        "number": contract.number,
        "price_list": contract.price_list,
        "valid_from": contract.valid_from,
        "valid_to": contract.valid_to,
        "priority": contract.priority,
        "applies_to_children": contract.applies_to_children,
        "prices_are_final": contract.prices_are_final,
        "terms": contract.terms,
        "is_active": contract.is_active,
    }
    return form


@staff_required
def edit_contract(request: HttpRequest, contract_id: int) -> HttpResponse:
    """A contract's price list, period, priority and terms (contract-final, its children); its
    account stays. Through `update_contract`: validated as on creation, audited, an outbox event."""
    actor = actor_of(request)
    contract = queries.get_contract(actor=actor, contract_id=contract_id)  # 404 before the role's 403
    services.require_pricing_editor(actor)
    form = _contract_form(actor, contract, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_contract(
                actor=actor,
                contract=contract,
                data=form.to_input(account=contract.account, external_id=contract.external_id),
                is_active=data["is_active"],
            )
        except (Conflict, RuleViolation) as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"Contract {data['number']} is saved.")
            return redirect(_pricing_section(contract.account_id))
    context = {"contract": contract, "form": form}
    status = 422 if form.is_bound else 200
    return render(request, "console/prices/contract_form.html", context, status=status)


@staff_required
def edit_promotion(request: HttpRequest, promotion_id: int) -> HttpResponse:
    """Every value of the create form: kind, amounts, conditions, window, coupon requirement,
    stacking. Through `update_promotion`: validated as on creation, audited, an outbox event."""
    actor = actor_of(request)
    promotion = queries.get_promotion(actor=actor, promotion_id=promotion_id)  # 404 before the 403
    services.require_pricing_editor(actor)
    form: PromotionForm = promotion_form_for(
        actor,
        request.POST if request.method == "POST" else None,
        initial=PromotionForm.initial_of(promotion),
    )
    if request.method == "POST" and form.is_valid():
        data = promotion_input(actor, form, services.PromotionInput.of(promotion))
        if data is not None:
            try:
                services.update_promotion(actor=actor, promotion=promotion, data=data)
            except (Conflict, RuleViolation) as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, f"Promotion “{data.name}” is saved.")
                return redirect("console:promotion", promotion_id=promotion.pk)
    context = {"form": form, "promotion": promotion}
    status = 422 if form.is_bound else 200
    return render(request, "console/prices/promotion_form.html", context, status=status)


# --- rules on the price list page, the strategy on the price lists page ------------------------


@require_POST
@staff_required
def create_price_rule(request: HttpRequest, price_list_id: int) -> HttpResponse:
    actor = actor_of(request)
    price_list = queries.get_price_list(actor=actor, reference=price_list_id)  # 404 before the role's 403
    services.require_pricing_editor(actor)
    form = rule_form_for(actor, request.POST)
    rule_input = _rule_input(actor, form) if form.is_valid() else None
    if rule_input is not None:
        try:
            services.create_price_rule(actor=actor, price_list=price_list, data=rule_input)
        except (Conflict, RuleViolation) as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"The rule now derives prices for {price_list.code}.")
            return redirect(f"{reverse('console:price_list', args=[price_list.pk])}#rules")
    return price_list_page_with(request, price_list, form)


@require_POST
@staff_required
def delete_price_rule(request: HttpRequest, rule_id: int) -> HttpResponse:
    actor = actor_of(request)
    rule = queries.get_price_rule(actor=actor, rule_id=rule_id)
    services.require_pricing_editor(actor)
    services.delete_price_rule(actor=actor, rule=rule)
    messages.success(request, f"The rule is removed from {rule.price_list.code}.")
    return redirect(f"{reverse('console:price_list', args=[rule.price_list_id])}#rules")


def _rule_input(actor: Actor, form: forms.Form) -> services.RuleInput | None:
    """A valid rule form's values for the services, its SKU looked up in the actor's catalog; None
    (and the error on `sku`) when there is no such product."""
    data = form.cleaned_data
    product = None
    if data["sku"]:
        try:
            product = catalog.get_product(actor=actor, reference=data["sku"])
        except ProductNotFound:
            form.add_error("sku", f"No product {data['sku']}.")
            return None
    return services.RuleInput(
        base=data["base"],
        multiplier=data["multiplier"],
        percent=data["percent"],
        rounding=data["rounding"],
        base_price_list=data["base_price_list"],
        category=data["category"],
        product=product,
        name=data["name"],
        priority=data["priority"],
        valid_from=data["valid_from"],
        valid_to=data["valid_to"],
    )


def _rule_form(actor: Actor, rule: PriceRule, data: QueryDict | None = None) -> RuleEditForm:
    form = RuleEditForm(
        data,
        price_lists=queries.list_price_lists(actor=actor),
        categories=catalog.list_categories(actor=actor),
    )
    form.initial = {
        "name": rule.name,
        "base": rule.base,
        "base_price_list": rule.base_price_list,
        "multiplier": rule.multiplier,
        "percent": rule.percent,
        "rounding": rule.rounding,
        "category": rule.category,
        "sku": rule.product.sku if rule.product is not None else "",
        "priority": rule.priority,
        "valid_from": rule.valid_from,
        "valid_to": rule.valid_to,
        "is_active": rule.is_active,
    }
    return form


@staff_required
def edit_price_rule(request: HttpRequest, rule_id: int) -> HttpResponse:
    """A rule's base, formula, rounding, target, priority and window; its list stays. Through
    `update_price_rule`: the same checks as adding one (no derivation cycle), audited."""
    actor = actor_of(request)
    rule = queries.get_price_rule(actor=actor, rule_id=rule_id)  # 404 before the role's 403
    services.require_pricing_editor(actor)
    form = _rule_form(actor, rule, request.POST if request.method == "POST" else None)
    rule_input = _rule_input(actor, form) if request.method == "POST" and form.is_valid() else None
    if rule_input is not None:
        try:
            services.update_price_rule(
                actor=actor, rule=rule, data=rule_input, is_active=form.cleaned_data["is_active"]
            )
        except (Conflict, RuleViolation) as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"The rule of {rule.price_list.code} is saved.")
            return redirect(f"{reverse('console:price_list', args=[rule.price_list_id])}#rules")
    context = {"rule": rule, "form": form}
    status = 422 if form.is_bound else 200
    return render(request, "console/prices/rule_form.html", context, status=status)


@require_POST
@staff_required
def delete_price_entry(request: HttpRequest, price_list_id: int, entry_id: int) -> HttpResponse:
    """Remove one entry (a tier, or a product's only price) through `delete_price_entries`: the list
    locked, a PriceChange from its price to none and the list's outbox event."""
    actor = actor_of(request)
    price_list = queries.get_price_list(actor=actor, reference=price_list_id)  # 404 before the 403
    entry = queries.get_price_entry(actor=actor, price_list=price_list, entry_id=entry_id)
    services.require_pricing_editor(actor)
    services.delete_price_entries(actor=actor, price_list=price_list, entry_ids=[entry.pk])
    messages.success(
        request,
        f"{entry.product.sku} from {entry.min_quantity.normalize():f} {entry.uom} is removed from "
        f"{price_list.code}.",
    )
    return redirect(f"{reverse('console:price_list', args=[price_list.pk])}#entries-heading")


@require_POST
@staff_required
def set_pricing_strategy(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    services.require_pricing_editor(actor)
    form = StrategyForm(request.POST)
    if form.is_valid():
        websites = {website.pk: website for website, _ in queries.website_strategies(actor=actor)}
        website = websites.get(form.cleaned_data["website"])
        if website is not None:
            services.set_pricing_strategy(
                actor=actor, website=website, strategy=form.cleaned_data["strategy"]
            )
            messages.success(
                request, f"{website.name} now resolves prices by {form.cleaned_data['strategy']}."
            )
            return redirect("console:price_lists")
    messages.error(request, "Choose a website of yours and a strategy.")
    return redirect("console:price_lists")


# --- rebate programs ---------------------------------------------------------------------------


def _program_input(data: dict[str, Any]) -> services.RebateProgramInput:
    return services.RebateProgramInput(
        code=data["code"],
        name=data["name"],
        basis=data["basis"],
        currency=data["currency"],
        period_start=data["period_start"],
        period_end=data["period_end"],
        tiers=data["tiers"],
        customer_group=data.get("customer_group"),  # not on an account's own program's form
    )


@staff_required
def rebate_programs(request: HttpRequest) -> HttpResponse:
    """Every rebate program with its tiers; price editors add one here."""
    actor = actor_of(request)
    editor = can_edit_prices(actor)
    groups = customers.list_customer_groups(actor=actor)
    form = RebateProgramForm(groups=groups)
    status = 200
    if request.method == "POST":
        services.require_pricing_editor(actor)
        form = RebateProgramForm(request.POST, groups=groups)
        if form.is_valid():
            try:
                program = services.create_rebate_program(actor=actor, data=_program_input(form.cleaned_data))
            except (Conflict, RuleViolation) as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, f"Rebate program {program.code} is set up.")
                return redirect("console:rebate_program", program_id=program.pk)
        status = 422
    context = {
        # programs+group, account; tiers
        "programs": list(queries.list_rebate_programs(actor=actor)),
        "form": form if editor else None,
        "can_edit_prices": editor,
    }
    return render(request, "console/prices/rebates.html", context, status=status)


def _program_page(
    request: HttpRequest, program: RebateProgram, form: RebateProgramForm | None, status: int = 200
) -> HttpResponse:
    actor = actor_of(request)
    editor = can_edit_prices(actor)
    if form is None and editor:
        form = RebateProgramForm(
            groups=customers.list_customer_groups(actor=actor),
            for_account=program.account_id is not None,
            initial={
                "code": program.code,
                "name": program.name,
                "basis": program.basis,
                "currency": program.currency,
                "period_start": program.period_start,
                "period_end": program.period_end,
                "tiers": RebateProgramForm.tiers_text(program),
                "customer_group": program.customer_group_id,
                "is_active": program.is_active,
            },
        )
    context = {"program": program, "form": form, "can_edit_prices": editor}
    return render(request, "console/prices/rebate_program.html", context, status=status)


@staff_required
def rebate_program(request: HttpRequest, program_id: int) -> HttpResponse:
    program = queries.get_rebate_program(actor=actor_of(request), program_id=program_id)
    return _program_page(request, program, None)


@require_POST
@staff_required
def edit_rebate_program(request: HttpRequest, program_id: int) -> HttpResponse:
    actor = actor_of(request)
    program = queries.get_rebate_program(actor=actor, program_id=program_id)  # 404 before the role's 403
    services.require_pricing_editor(actor)
    form = RebateProgramForm(
        request.POST,
        groups=customers.list_customer_groups(actor=actor),
        for_account=program.account_id is not None,
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.update_rebate_program(
                actor=actor,
                program=program,
                data=replace(_program_input(data), account=program.account),
                is_active=data["is_active"],
            )
        except (Conflict, RuleViolation) as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"Rebate program {data['code']} is saved.")
            return redirect("console:rebate_program", program_id=program.pk)
    return _program_page(request, program, form, status=422)


@require_POST
@staff_required
def create_account_rebate_program(request: HttpRequest, account_id: int) -> HttpResponse:
    """A rebate program whose scope is this account and its subtree (`create_rebate_program`)."""
    actor = actor_of(request)
    account = customers.get_account(actor=actor, reference=account_id)  # 404 before the role's 403
    services.require_pricing_editor(actor)
    form = account_rebate_form(request.POST)
    if form.is_valid():
        try:
            program = services.create_rebate_program(
                actor=actor, data=replace(_program_input(form.cleaned_data), account=account)
            )
        except (Conflict, RuleViolation) as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"Rebate program {program.code} now runs for {account.name}.")
            return redirect("console:rebate_program", program_id=program.pk)
    return account_page_with(request, account, rebate_form=form)
