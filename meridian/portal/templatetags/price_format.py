"""Prices in portal and console templates: `{{ amount|money:currency }}` -> "$12.40"; a page's
price of one product: `{{ prices|price_for:product.pk }}`."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from django import template

from meridian.pricing.display import money_label, unit_amount
from meridian.pricing.queries import ProductPrice

register = template.Library()


@register.filter
def money(value: Decimal | None, currency: str) -> str:
    """An amount with its currency's symbol ("$12.40", "€0.085"); "" for none."""
    if value is None:
        return ""
    return money_label(value, currency)


@register.filter
def amount(value: Decimal | None, currency: str) -> str:
    """The bare decimal ("12.40"), at least the currency's minor digits; "" for none."""
    if value is None:
        return ""
    return unit_amount(value, currency)


@register.filter
def price_for(prices: Mapping[int, ProductPrice] | None, product_id: int) -> ProductPrice | None:
    """A page's price of one product: `{{ prices|price_for:product.pk }}` (None when unpriced)."""
    return prices.get(product_id) if prices else None
