"""The outside world's seams for checkout: card payments and tax.

`PaymentProvider` authorizes a card amount before the order's transaction opens (a real gateway is
network I/O, which never happens inside a transaction) and voids it when the order then fails.
`TaxProvider` computes the tax of an order for a ship-to; the default reads the organization's
`TaxRule` table. Real implementations are named by dotted path in the settings
`ORDERING_PAYMENT_PROVIDER` / `ORDERING_TAX_PROVIDER`; without them the defaults below are used.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from meridian.ordering import cache as setup_cache
from meridian.ordering import engine
from meridian.ordering.models import TaxRule


@dataclass(frozen=True, slots=True)
class Authorization:
    is_approved: bool
    authorization_id: str = ""
    decline_reason: str = ""


class PaymentProvider(Protocol):
    def authorize(self, *, amount: Decimal, currency: str, card_token: str, reference: str) -> Authorization:
        """Reserve `amount` on the card; never raises for a decline (is_approved False)."""
        ...

    def void(self, *, authorization_id: str) -> None:
        """Give an authorization back (the order it was for was not placed)."""
        ...


class DemoPaymentProvider:
    """Deterministic, for tests and the demo: approves every card unless its token contains "decline"."""

    voided: list[str]

    def __init__(self) -> None:
        self.voided = []

    def authorize(self, *, amount: Decimal, currency: str, card_token: str, reference: str) -> Authorization:
        if not card_token.strip():
            return Authorization(False, decline_reason="no card token")
        if "decline" in card_token.lower():
            return Authorization(False, decline_reason="card declined by the issuer")
        digest = hashlib.sha256(f"{card_token}|{amount}|{currency}|{reference}".encode()).hexdigest()[:16]
        return Authorization(True, authorization_id=f"demo-{digest}")

    def void(self, *, authorization_id: str) -> None:
        self.voided.append(authorization_id)


@dataclass(frozen=True, slots=True)
class TaxRequest:
    organization_id: int
    currency: str
    country: str
    region: str
    postal_code: str
    goods: Decimal  # the order's goods after promotions
    shipping: Decimal
    is_exempt: bool = False
    setup_stamp: int | None = None  # the ordering stamp read with the website: rules cached under it


@dataclass(frozen=True, slots=True)
class TaxResult:
    amount: Decimal
    rate_percent: Decimal
    jurisdiction: str  # the rule's name, "" when none applies
    rule_id: int | None = None

    def as_json(self) -> dict[str, object]:
        return {
            "amount": str(self.amount),
            "rate_percent": str(self.rate_percent),
            "jurisdiction": self.jurisdiction,
            "rule_id": self.rule_id,
        }


class TaxProvider(Protocol):
    def calculate(self, request: TaxRequest) -> TaxResult: ...


class TableTaxProvider:
    """The organization's TaxRule rows (1 query): the ship-to region's rate, else its country's."""

    def calculate(self, request: TaxRequest) -> TaxResult:
        zero = Decimal(0)
        if request.is_exempt or not request.country:
            return TaxResult(
                engine.tax_amount(None, goods=zero, shipping=zero, currency=request.currency), zero, ""
            )
        rates = _tax_rates(request)
        rate = engine.applicable_tax_rate(rates, country=request.country, region=request.region)
        amount = engine.tax_amount(
            rate, goods=request.goods, shipping=request.shipping, currency=request.currency
        )
        if rate is None:
            return TaxResult(amount, zero, "")
        return TaxResult(amount, rate.rate_percent, rate.name, rate.rule_id)


def _tax_rates(request: TaxRequest) -> tuple[engine.TaxRate, ...]:
    """The organization's rules for the ship-to country (1 query; none when cached under the
    request's ordering stamp, see ordering.cache)."""
    stamp = request.setup_stamp
    key = None if stamp is None else ("tax", stamp, request.organization_id, request.country.upper())
    cached = setup_cache.lookup(key)
    if isinstance(cached, tuple):
        return cached
    rates = tuple(
        engine.TaxRate(pk, name, country, region, rate, applies)
        for pk, name, country, region, rate, applies in TaxRule.objects.filter(
            organization_id=request.organization_id, country__iexact=request.country
        ).values_list("pk", "name", "country", "region", "rate_percent", "applies_to_shipping")
    )
    setup_cache.store(key, rates)
    return rates


def payment_provider() -> PaymentProvider:
    path = getattr(settings, "ORDERING_PAYMENT_PROVIDER", "")
    return import_string(path)() if path else DemoPaymentProvider()


def tax_provider() -> TaxProvider:
    path = getattr(settings, "ORDERING_TAX_PROVIDER", "")
    return import_string(path)() if path else TableTaxProvider()
