"""How prices are written for people and clients: pure formatting, no arithmetic on amounts.

Unit prices keep up to four decimals (docs/pricing.md); shown, they drop trailing zeros beyond the
currency's minor unit ("12.4000" -> "12.40", "0.0850" -> "0.085"). Nothing here rounds money: that
is `meridian.core.money.round_money`, at the line total.
"""

from __future__ import annotations

from decimal import Decimal

from meridian.core.money import MINOR_UNITS

SYMBOLS = {"USD": "$", "CAD": "CA$", "AUD": "A$", "EUR": "€", "GBP": "£", "JPY": "¥", "CHF": "CHF "}


def unit_amount(value: Decimal, currency: str) -> str:
    """A unit price as a decimal string with at least the currency's minor digits, never fewer."""
    minor = MINOR_UNITS.get(currency, 2)
    if value.as_tuple().exponent == -minor:  # money as stored ("12.40"): normalizing gives it back
        return format(value, "f")
    normalized = value.normalize()
    exponent = normalized.as_tuple().exponent
    if isinstance(exponent, int) and exponent > -minor:
        # Adding zeros only: quantizing to more digits than the value has loses nothing.
        normalized = normalized.quantize(Decimal(1).scaleb(-minor))
    return format(normalized, "f")


def money_label(value: Decimal, currency: str) -> str:
    """ "$12.40", "€0.085", "SEK 1,250.00": the symbol (or code) and the amount with thousands commas."""
    text = unit_amount(value, currency)
    sign = "-" if text.startswith("-") else ""
    whole, _, fraction = text.lstrip("-").partition(".")
    grouped = f"{int(whole):,}" + (f".{fraction}" if fraction else "")
    symbol = SYMBOLS.get(currency, f"{currency} ")
    return f"{sign}{symbol}{grouped}"


def quantity_text(value: Decimal) -> str:
    """A quantity without trailing zeros: "100.000" -> "100", "0.250" -> "0.25" (never "1E+2")."""
    return format(value.normalize(), "f")
