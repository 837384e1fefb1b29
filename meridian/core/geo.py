"""Coordinates on addresses and warehouses: one validation rule for every app that stores them."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q

MAX_DIGITS, DECIMAL_PLACES = 9, 6  # the DecimalField shape of latitude and longitude columns


def coordinate_errors(latitude: Decimal | None, longitude: Decimal | None) -> dict[str, list[str]]:
    """Field errors for a latitude/longitude pair: both or neither, each within its range."""
    if (latitude is None) != (longitude is None):
        return {"latitude": ["give both latitude and longitude, or neither"]}
    errors: dict[str, list[str]] = {}
    if latitude is not None and not -90 <= latitude <= 90:
        errors["latitude"] = ["between -90 and 90"]
    if longitude is not None and not -180 <= longitude <= 180:
        errors["longitude"] = ["between -180 and 180"]
    return errors


def stored(value: Decimal | None) -> Decimal | None:
    """A coordinate as the column keeps it (6 decimals), so a fresh object reads like a loaded one."""
    return None if value is None else value.quantize(Decimal(1).scaleb(-DECIMAL_PLACES))


def coordinates_valid() -> Q:
    """The check constraint that backs `coordinate_errors` in the database."""
    return Q(latitude__isnull=True, longitude__isnull=True) | Q(
        latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180
    )
