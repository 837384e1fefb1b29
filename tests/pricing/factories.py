from __future__ import annotations

from decimal import Decimal

import factory

from meridian.pricing.models import (
    AccountPricingSettings,
    Contract,
    Coupon,
    CustomerPrice,
    PriceAssignment,
    PriceList,
    PriceListEntry,
    PriceRule,
    Promotion,
    RebateProgram,
    RebateTier,
    WebsitePricingSettings,
)
from tests.tenancy.factories import OrganizationFactory


class PriceListFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PriceList

    organization = factory.SubFactory(OrganizationFactory)
    code = factory.Sequence(lambda n: f"PL-{n}")
    name = factory.Sequence(lambda n: f"Price list {n}")
    currency = "USD"


class PriceListEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PriceListEntry

    price_list = factory.SubFactory(PriceListFactory)
    product = factory.SubFactory(
        "tests.catalog.factories.ProductFactory",
        organization=factory.SelfAttribute("..price_list.organization"),
    )
    uom = "EA"
    min_quantity = Decimal(1)
    price = Decimal("10.00")


class PriceAssignmentFactory(factory.django.DjangoModelFactory):
    """Pass exactly one of website=, customer_group=, account=."""

    class Meta:
        model = PriceAssignment

    price_list = factory.SubFactory(PriceListFactory)
    organization = factory.SelfAttribute("price_list.organization")
    priority = 100


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contract

    account = factory.SubFactory("tests.customers.factories.AccountFactory")
    organization = factory.SelfAttribute("account.organization")
    price_list = factory.SubFactory(
        PriceListFactory, organization=factory.SelfAttribute("..account.organization")
    )
    number = factory.Sequence(lambda n: f"C-{n:05d}")


class PriceRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PriceRule

    price_list = factory.SubFactory(PriceListFactory)
    base = PriceRule.Base.COST


class CustomerPriceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomerPrice

    account = factory.SubFactory("tests.customers.factories.AccountFactory")
    organization = factory.SelfAttribute("account.organization")
    product = factory.SubFactory(
        "tests.catalog.factories.ProductFactory", organization=factory.SelfAttribute("..account.organization")
    )
    uom = "EA"
    min_quantity = Decimal(1)
    currency = "USD"
    price = Decimal("9.00")


class PromotionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Promotion

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Promotion {n}")
    kind = Promotion.Kind.PERCENT_OFF_LINE
    value = Decimal(5)


class CouponFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Coupon

    promotion = factory.SubFactory(PromotionFactory, requires_coupon=True)
    organization = factory.SelfAttribute("promotion.organization")
    code = factory.Sequence(lambda n: f"CODE{n}")


class RebateProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RebateProgram

    organization = factory.SubFactory(OrganizationFactory)
    code = factory.Sequence(lambda n: f"REB-{n}")
    name = factory.Sequence(lambda n: f"Rebate {n}")
    basis = RebateProgram.Basis.SPEND
    currency = "USD"


class RebateTierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RebateTier

    program = factory.SubFactory(RebateProgramFactory)


class WebsitePricingSettingsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WebsitePricingSettings


class AccountPricingSettingsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccountPricingSettings
