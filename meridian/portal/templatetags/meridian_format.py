"""Display filters for portal and console templates: quantities, units, roles, attribute values."""

from __future__ import annotations

from decimal import Decimal

from django import template

from meridian.catalog.models import ProductUnit
from meridian.core.actor import BuyerRole
from meridian.customers.models import BuyerUser

register = template.Library()


@register.filter
def quantity(value: Decimal | int | None) -> str:
    """12.000 -> "12", 0.250 -> "0.25", 100 -> "100" (never "1E+2")."""
    if value is None:
        return ""
    return format(Decimal(value).normalize(), "f")


@register.filter
def unit_label(unit: ProductUnit, base_uom: str) -> str:
    """A pack size as a buyer reads it: "Box of 12 EA"."""
    name = unit.name or unit.code
    return f"{name} of {quantity(unit.factor)} {base_uom}"


@register.filter
def role_labels(buyer: BuyerUser) -> str:
    """The buyer's roles in BuyerRole order, e.g. "Account admin, Approver"."""
    roles = buyer.roles
    return ", ".join(role.label for role in BuyerRole if role in roles)


@register.filter
def attribute_value(value: object) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)
