"""Money rules: Decimal amounts with an ISO 4217 currency, rounded half-up in one place."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from meridian.core.errors import InvalidInput

# ISO 4217 codes Meridian accepts, with their minor units.
MINOR_UNITS: dict[str, int] = {
    "AED": 2, "AUD": 2, "BRL": 2, "CAD": 2, "CHF": 2, "CLP": 0, "CNY": 2, "CZK": 2, "DKK": 2,
    "EUR": 2, "GBP": 2, "HKD": 2, "HUF": 2, "IDR": 2, "ILS": 2, "INR": 2, "JPY": 0, "KRW": 0,
    "KWD": 3, "MXN": 2, "MYR": 2, "NOK": 2, "NZD": 2, "PHP": 2, "PLN": 2, "RON": 2, "SAR": 2,
    "SEK": 2, "SGD": 2, "THB": 2, "TRY": 2, "TWD": 2, "USD": 2, "VND": 0, "ZAR": 2,
}  # fmt: skip

CURRENCY_CHOICES = [(code, code) for code in sorted(MINOR_UNITS)]


def validate_currency(code: str, *, field: str = "currency") -> str:
    """Return the upper-cased ISO code or raise InvalidInput naming `field`."""
    normalized = (code or "").strip().upper()
    if normalized not in MINOR_UNITS:
        raise InvalidInput.on(field, f"unknown currency {code!r}")
    return normalized


def round_money(amount: Decimal, currency: str) -> Decimal:
    """Round to the currency's minor unit, half-up: the only place money is rounded."""
    exponent = Decimal(1).scaleb(-MINOR_UNITS[currency])
    return amount.quantize(exponent, rounding=ROUND_HALF_UP)
