from __future__ import annotations

import io
from decimal import Decimal

import factory
from openpyxl import Workbook

from meridian.customers.models import PaymentTerms
from meridian.ordering.models import (
    AccountOrderingSettings,
    BuyerOrderLimit,
    ShippingMethod,
    ShippingRateBand,
    TaxRule,
    WebsiteOrderingSettings,
)
from tests.tenancy.factories import OrganizationFactory


class PaymentTermsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PaymentTerms

    organization = factory.SubFactory(OrganizationFactory)
    code = factory.Sequence(lambda n: f"NET{n}")
    name = factory.Sequence(lambda n: f"Net {n}")
    net_days = 30


class AccountOrderingSettingsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccountOrderingSettings


class BuyerOrderLimitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BuyerOrderLimit


class WebsiteOrderingSettingsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WebsiteOrderingSettings


class ShippingMethodFactory(factory.django.DjangoModelFactory):
    """Pass `website=`; a flat method in the website's currency."""

    class Meta:
        model = ShippingMethod

    organization = factory.SelfAttribute("website.organization")
    code = factory.Sequence(lambda n: f"SHIP{n}")
    name = factory.Sequence(lambda n: f"Shipping {n}")
    currency = "USD"
    flat_amount = Decimal("0")


class ShippingRateBandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ShippingRateBand


class TaxRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TaxRule

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Tax {n}")
    country = "US"
    rate_percent = Decimal("0")


def xlsx_file(rows: list[list[object]]) -> bytes:
    """An Excel workbook whose first sheet holds these rows."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
