"""Price rules, customer prices, rebate programs, contracts and pricing settings, for staff screens
and the API; every read scoped to the actor."""

from __future__ import annotations

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery

from meridian.catalog.models import CustomerPartNumber
from meridian.core.actor import Actor
from meridian.customers.models import Account
from meridian.pricing.errors import (
    ContractNotFound,
    CustomerPriceNotFound,
    PriceEntryNotFound,
    PriceRuleNotFound,
    RebateProgramNotFound,
)
from meridian.pricing.models import (
    AccountPricingSettings,
    Contract,
    CustomerPrice,
    PriceList,
    PriceListEntry,
    PriceRule,
    RebateProgram,
    RebateTier,
    Strategy,
)
from meridian.pricing.queries.lists import get_price_list, list_contracts
from meridian.tenancy.models import Website


def get_contract(*, actor: Actor, contract_id: int) -> Contract:
    """One contract on an account in the actor's scope, else ContractNotFound."""
    found = list_contracts(actor=actor).filter(pk=contract_id).first()
    if found is None:
        raise ContractNotFound(contract_id)
    return found


def get_price_entry(*, actor: Actor, price_list: PriceList, entry_id: int) -> PriceListEntry:
    """One entry of a list the actor may read (staff), with its product, else PriceEntryNotFound."""
    price_list = get_price_list(actor=actor, reference=price_list.pk)
    found = (
        PriceListEntry.objects.filter(price_list=price_list, pk=entry_id).select_related("product").first()
    )
    if found is None:
        raise PriceEntryNotFound(entry_id)
    return found


def list_price_rules(*, actor: Actor, price_list: PriceList) -> QuerySet[PriceRule]:
    """A list's rules by priority, with their targets and base list (one query; staff)."""
    price_list = get_price_list(actor=actor, reference=price_list.pk)
    return (
        PriceRule.objects.filter(price_list=price_list)
        .select_related("price_list", "category", "product", "base_price_list")
        .order_by("-is_active", "priority", "pk")
    )


def get_price_rule(*, actor: Actor, rule_id: int) -> PriceRule:
    """One rule of a list of the actor's organization (staff), else PriceRuleNotFound."""
    if not actor.is_staff or actor.organization_id is None:
        raise PriceRuleNotFound(rule_id)
    found = (
        PriceRule.objects.filter(pk=rule_id, price_list__organization_id=actor.organization_id)
        .select_related("price_list", "category", "product", "base_price_list")
        .first()
    )
    if found is None:
        raise PriceRuleNotFound(rule_id)
    return found


def list_customer_prices(
    *, actor: Actor, account: Account | None = None, sku: str = ""
) -> QuerySet[CustomerPrice]:
    """Customer prices of accounts in the actor's scope (an account's own, when given), with the
    account's part number for the product (one query)."""
    if actor.organization_id is None:
        return CustomerPrice.objects.none()
    visible = Account.objects.visible_to(actor)
    if account is not None:
        visible = visible.filter(pk=account.pk)
    part_number = CustomerPartNumber.objects.filter(
        account_id=OuterRef("account_id"), product_id=OuterRef("product_id")
    ).values("part_number")[:1]
    queryset = (
        CustomerPrice.objects.filter(organization_id=actor.organization_id, account__in=visible)
        .select_related("account", "product")
        .annotate(part_number=Subquery(part_number))
    )
    if sku:
        queryset = queryset.filter(product__sku=sku)
    return queryset.order_by("account__path", "product__sku", "uom", "min_quantity", "valid_from", "pk")


def get_customer_price(*, actor: Actor, customer_price_id: int) -> CustomerPrice:
    """One customer price on an account in the actor's scope, else CustomerPriceNotFound."""
    found = list_customer_prices(actor=actor).filter(pk=customer_price_id).first()
    if found is None:
        raise CustomerPriceNotFound(customer_price_id)
    return found


def list_rebate_programs(*, actor: Actor) -> QuerySet[RebateProgram]:
    """Staff: rebate programs by code with their tiers (two queries); one scoped to an account only
    when that account is in the actor's scope."""
    if not actor.is_staff or actor.organization_id is None:
        return RebateProgram.objects.none()
    queryset = RebateProgram.objects.filter(organization_id=actor.organization_id)
    if not actor.sees_whole_organization:
        queryset = queryset.filter(Q(account__isnull=True) | Q(account__in=Account.objects.visible_to(actor)))
    return (
        queryset.select_related("customer_group", "account")
        .prefetch_related(Prefetch("tiers", queryset=RebateTier.objects.order_by("threshold")))
        .order_by("-is_active", "code", "pk")
    )


def get_rebate_program(*, actor: Actor, program_id: int) -> RebateProgram:
    found = list_rebate_programs(actor=actor).filter(pk=program_id).first()
    if found is None:
        raise RebateProgramNotFound(program_id)
    return found


def website_strategies(*, actor: Actor) -> list[tuple[Website, Strategy]]:
    """Staff: every website of the organization with its resolution strategy (one query)."""
    if not actor.is_staff or actor.organization_id is None:
        return []
    websites = (
        Website.objects.filter(organization_id=actor.organization_id)
        .select_related("pricing_settings")
        .order_by("-is_default", "pk")
    )
    return [(website, _strategy_of(website)) for website in websites]


def _strategy_of(website: Website) -> Strategy:
    settings = getattr(website, "pricing_settings", None)
    return Strategy(settings.strategy) if settings is not None else Strategy.PRIORITY


def assignment_inheritance(*, account: Account) -> AccountPricingSettings.Inheritance:
    """The account's setting (`stop` without a row); the caller has checked the account's scope."""
    row = AccountPricingSettings.objects.filter(account=account).first()
    return (
        AccountPricingSettings.Inheritance(row.assignment_inheritance)
        if row is not None
        else AccountPricingSettings.Inheritance.STOP
    )
