"""Ordering's pure rules: the order state machine, quantity rules, quick-order parsing, shipping and
tax arithmetic, buyer controls and credit. No ORM, no settings, no clock: time comes in as arguments.

Money is rounded only by `meridian.core.money.round_money` (pure), as in the pricing engine.
"""

from __future__ import annotations

import csv
import enum
import io
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from meridian.core.money import round_money
from meridian.ordering.errors import InvalidTransition

ZERO = Decimal(0)
HUNDRED = Decimal(100)
QUANTITY_LIMIT = Decimal(10) ** 9
QUANTITY_PLACES = 3


# --- the state machine ------------------------------------------------------------------------


class OrderStatus(enum.StrEnum):
    PENDING_APPROVAL = "pending_approval"
    PLACED = "placed"  # every line covered (stock or drop-ship)
    PARTIALLY_ALLOCATED = "partially_allocated"  # some quantity waits on a backorder
    BACKORDERED = "backordered"  # nothing could be allocated yet
    PARTIALLY_SHIPPED = "partially_shipped"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    INVOICED = "invoiced"
    CLOSED = "closed"
    CANCELLED = "cancelled"
    REJECTED = "rejected"  # an approver said no


class Hold(enum.StrEnum):
    NONE = ""
    CREDIT_HOLD = "credit_hold"
    MANUAL_REVIEW = "manual_review"


S = OrderStatus
TRANSITIONS: Mapping[OrderStatus, frozenset[OrderStatus]] = {
    S.PENDING_APPROVAL: frozenset({S.PLACED, S.PARTIALLY_ALLOCATED, S.BACKORDERED, S.REJECTED, S.CANCELLED}),
    S.PLACED: frozenset({S.PARTIALLY_SHIPPED, S.SHIPPED, S.CANCELLED}),
    S.PARTIALLY_ALLOCATED: frozenset({S.PLACED, S.PARTIALLY_SHIPPED, S.CANCELLED}),
    S.BACKORDERED: frozenset({S.PLACED, S.PARTIALLY_ALLOCATED, S.CANCELLED}),
    S.PARTIALLY_SHIPPED: frozenset({S.PARTIALLY_SHIPPED, S.SHIPPED}),
    S.SHIPPED: frozenset({S.DELIVERED, S.INVOICED}),
    S.DELIVERED: frozenset({S.INVOICED}),
    S.INVOICED: frozenset({S.CLOSED}),
    S.CLOSED: frozenset(),
    S.CANCELLED: frozenset(),
    S.REJECTED: frozenset(),
}
# Statuses from which `cancel_order` may run: nothing has left a warehouse yet.
CANCELLABLE: frozenset[OrderStatus] = frozenset(
    {S.PENDING_APPROVAL, S.PLACED, S.PARTIALLY_ALLOCATED, S.BACKORDERED}
)
# Open orders count against the credit limit (after invoicing, receivables do, in billing).
OPEN_STATUSES: frozenset[OrderStatus] = frozenset(
    {
        S.PENDING_APPROVAL,
        S.PLACED,
        S.PARTIALLY_ALLOCATED,
        S.BACKORDERED,
        S.PARTIALLY_SHIPPED,
        S.SHIPPED,
        S.DELIVERED,
    }
)
# Orders that count against a monthly budget: everything not cancelled or rejected.
SPENDING_STATUSES: frozenset[OrderStatus] = frozenset(set(OrderStatus) - {S.CANCELLED, S.REJECTED})
SHIPPING: frozenset[OrderStatus] = frozenset({S.PARTIALLY_SHIPPED, S.SHIPPED})


def allowed_targets(current: OrderStatus) -> frozenset[OrderStatus]:
    return TRANSITIONS[current]


def check_transition(current: str, target: str, *, hold: str = "") -> None:
    """Raise InvalidTransition unless `current -> target` is in the table (and no hold stops shipping)."""
    try:
        source, destination = OrderStatus(current), OrderStatus(target)
    except ValueError:
        raise InvalidTransition(current=current, target=target, reason="unknown status") from None
    if destination not in TRANSITIONS[source]:
        raise InvalidTransition(current=current, target=target)
    if hold and destination in SHIPPING:
        raise InvalidTransition(current=current, target=target, reason=f"the order is on {hold}")


# --- allocation and shipment outcomes ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LineSupply:
    """What inventory did with one line, in base units."""

    requested: Decimal
    supplied: Decimal  # from stock or by a drop-ship supplier
    backordered: Decimal
    cancelled: Decimal  # a `partial` policy reduced the line by this much


def status_after_allocation(lines: Sequence[LineSupply]) -> OrderStatus:
    """placed when nothing waits on a backorder, backordered when nothing was supplied, else partial."""
    waiting = [line for line in lines if line.requested - line.cancelled > 0]
    if not any(line.backordered > 0 for line in waiting):
        return S.PLACED
    if all(line.supplied == 0 for line in waiting):
        return S.BACKORDERED
    return S.PARTIALLY_ALLOCATED


def status_after_shipment(remaining: Iterable[Decimal]) -> OrderStatus:
    """shipped once no line has anything left to ship, else partially shipped."""
    return S.SHIPPED if all(quantity <= 0 for quantity in remaining) else S.PARTIALLY_SHIPPED


# --- quantities -------------------------------------------------------------------------------


def format_quantity(value: Decimal) -> str:
    """12.000 -> "12", 3.780 -> "3.78" (never exponent notation)."""
    text = format(value.normalize(), "f")
    return text


def quantity_input_problem(quantity: Decimal) -> str | None:
    """A quantity a caller sent: positive, finite, at most three decimals, below a billion."""
    if not quantity.is_finite() or quantity <= 0:
        return "must be greater than 0"
    if quantity >= QUANTITY_LIMIT:
        return "must be less than 1,000,000,000"
    exponent = quantity.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -QUANTITY_PLACES:
        return "at most 3 decimals"
    return None


def quantity_problem(
    *,
    quantity: Decimal,
    factor: Decimal,
    minimum: Decimal,
    increment: Decimal,
    base_uom: str,
) -> str | None:
    """Why `quantity` units of `factor` base units each cannot be ordered, or None.

    The rules are in the base unit: at least the minimum order quantity, and a whole multiple of
    the order increment (a box of 12 of a product sold in increments of 6 is fine; of 5 it is not).
    """
    if problem := quantity_input_problem(quantity):
        return problem
    base = quantity * factor
    exponent = base.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -QUANTITY_PLACES:
        return f"{format_quantity(base)} {base_uom} has more than 3 decimals in the base unit"
    if base < minimum:
        return (
            f"{format_quantity(base)} {base_uom} is below the minimum order quantity of "
            f"{format_quantity(minimum)} {base_uom}"
        )
    if increment > 0 and base % increment != 0:
        return (
            f"{format_quantity(base)} {base_uom} is not a multiple of the order increment of "
            f"{format_quantity(increment)} {base_uom}"
        )
    return None


# --- quick order ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ParsedLine:
    """One line of a quick order as typed: where it was, what it says, or why it cannot be read."""

    line_number: int  # 1-based, counting blank and comment lines too
    text: str
    reference: str = ""  # a SKU or the account's part number
    quantity: Decimal | None = None
    uom: str = ""
    error: str = ""


_SPACES = re.compile(r"\s+")
_UNIT = re.compile(r"^[A-Za-z]{1,16}$")
HEADER_NAMES = {
    "reference": {"sku", "item", "reference", "part", "part_number", "part number", "partnumber", "product"},
    "quantity": {"quantity", "qty", "amount"},
    "uom": {"uom", "unit", "units"},
}


def _parse_quantity(text: str) -> Decimal | None:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _line(number: int, text: str, reference: str, quantity_text: str, uom: str) -> ParsedLine:
    reference = reference.strip()
    if not reference:
        return ParsedLine(number, text, error="SKU or part number missing")
    if not quantity_text.strip():
        return ParsedLine(number, text, reference=reference, error="quantity missing")
    quantity = _parse_quantity(quantity_text)
    if quantity is None:
        return ParsedLine(
            number, text, reference=reference, error=f"{quantity_text.strip()!r} is not a quantity"
        )
    if problem := quantity_input_problem(quantity):
        return ParsedLine(number, text, reference=reference, quantity=quantity, error=f"quantity {problem}")
    uom = uom.strip().upper()
    if uom and not _UNIT.match(uom):
        return ParsedLine(
            number, text, reference=reference, quantity=quantity, error=f"{uom!r} is not a unit"
        )
    return ParsedLine(number, text, reference=reference, quantity=quantity, uom=uom)


def parse_pasted_line(number: int, raw: str) -> ParsedLine | None:
    """ "SKU, qty[, uom]", "SKU qty [uom]" or "part<TAB>qty[<TAB>uom]"; None for blank and # lines."""
    text = raw.strip()
    if not text or text.startswith("#"):
        return None
    for separator in ("\t", ",", ";"):
        if separator in text:
            fields = [field.strip() for field in text.split(separator)]
            while len(fields) > 1 and not fields[-1]:
                fields.pop()
            if len(fields) > 3:
                return ParsedLine(number, text, error="expected SKU, quantity and an optional unit")
            return _line(
                number,
                text,
                fields[0],
                fields[1] if len(fields) > 1 else "",
                fields[2] if len(fields) > 2 else "",
            )
    tokens = _SPACES.split(text)
    # "AB 123 5 BX": a trailing unit after a quantity; the reference may itself contain spaces.
    if len(tokens) >= 3 and _UNIT.match(tokens[-1]) and _parse_quantity(tokens[-2]) is not None:
        return _line(number, text, " ".join(tokens[:-2]), tokens[-2], tokens[-1])
    if len(tokens) >= 2 and _parse_quantity(tokens[-1]) is not None:
        return _line(number, text, " ".join(tokens[:-1]), tokens[-1], "")
    return _line(
        number,
        text,
        text if len(tokens) == 1 else " ".join(tokens[:-1]),
        "" if len(tokens) == 1 else tokens[-1],
        "",
    )


def parse_pasted(text: str) -> list[ParsedLine]:
    """Every non-blank line of pasted text, numbered as the user sees them."""
    parsed = (parse_pasted_line(number, raw) for number, raw in enumerate(text.splitlines(), start=1))
    return [line for line in parsed if line is not None]


def _header_columns(row: Sequence[str]) -> dict[str, int] | None:
    names = [cell.strip().lower() for cell in row]
    columns: dict[str, int] = {}
    for index, name in enumerate(names):
        for key, accepted in HEADER_NAMES.items():
            if name in accepted and key not in columns:
                columns[key] = index
    if "reference" in columns and "quantity" in columns:
        return columns
    return None


def _cell(cells: Sequence[str], columns: Mapping[str, int], key: str) -> str:
    index = columns.get(key)
    return cells[index] if index is not None and index < len(cells) else ""


def parse_csv(text: str) -> list[ParsedLine]:
    """CSV (comma, semicolon or tab): columns SKU-or-part-number, quantity, unit; an optional header
    row names them in any order (sku/part_number/reference, quantity/qty, uom/unit)."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = "\t" if "\t" in first else ";" if ";" in first and "," not in first else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    columns = {"reference": 0, "quantity": 1, "uom": 2}
    parsed: list[ParsedLine] = []
    seen_data = False
    for row in reader:
        number = reader.line_num
        cells = [cell.strip() for cell in row]
        if not any(cells) or cells[0].startswith("#"):
            continue
        if not seen_data:
            seen_data = True
            header = _header_columns(cells)
            if header is not None:
                columns = header
                continue

        parsed.append(
            _line(
                number,
                delimiter.join(row),
                _cell(cells, columns, "reference"),
                _cell(cells, columns, "quantity"),
                _cell(cells, columns, "uom"),
            )
        )
    return parsed


# --- shipping and tax -------------------------------------------------------------------------


class ShippingBasis(enum.StrEnum):
    FLAT = "flat"
    WEIGHT = "weight"  # bands by the order's weight (kg)
    AMOUNT = "amount"  # bands by the order's goods total


@dataclass(frozen=True, slots=True)
class RateBand:
    min_value: Decimal  # from this weight or amount on
    amount: Decimal


@dataclass(frozen=True, slots=True)
class ShippingRates:
    code: str
    name: str
    basis: ShippingBasis
    flat_amount: Decimal
    bands: tuple[RateBand, ...] = ()


def shipping_cost(rates: ShippingRates, *, weight: Decimal, goods: Decimal, currency: str) -> Decimal:
    """The flat amount plus the amount of the largest band the weight or goods total reaches."""
    value = (
        weight
        if rates.basis is ShippingBasis.WEIGHT
        else goods
        if rates.basis is ShippingBasis.AMOUNT
        else None
    )
    band_amount = ZERO
    if value is not None:
        reached = [band for band in rates.bands if band.min_value <= value]
        if reached:
            band_amount = max(reached, key=lambda band: band.min_value).amount
    return round_money(rates.flat_amount + band_amount, currency)


@dataclass(frozen=True, slots=True)
class TaxRate:
    rule_id: int
    name: str
    country: str
    region: str  # "" for the whole country
    rate_percent: Decimal
    applies_to_shipping: bool = True


def applicable_tax_rate(rates: Sequence[TaxRate], *, country: str, region: str) -> TaxRate | None:
    """The region's own rate beats the country's; None when no rule covers the ship-to."""
    country, region = country.strip().upper(), region.strip().upper()
    regional = [r for r in rates if r.country.upper() == country and r.region and r.region.upper() == region]
    if regional:
        return min(regional, key=lambda r: r.rule_id)
    national = [r for r in rates if r.country.upper() == country and not r.region]
    return min(national, key=lambda r: r.rule_id) if national else None


def tax_amount(rate: TaxRate | None, *, goods: Decimal, shipping: Decimal, currency: str) -> Decimal:
    if rate is None:
        return round_money(ZERO, currency)
    taxable = goods + (shipping if rate.applies_to_shipping else ZERO)
    return round_money(taxable * rate.rate_percent / HUNDRED, currency)


@dataclass(frozen=True, slots=True)
class Totals:
    subtotal: Decimal  # sum of pricing's line totals
    discount: Decimal  # pricing's order-level promotions
    shipping: Decimal
    tax: Decimal
    total: Decimal

    @property
    def goods(self) -> Decimal:
        return self.subtotal - self.discount


def order_totals(
    *, line_totals: Iterable[Decimal], discount: Decimal, shipping: Decimal, tax: Decimal, currency: str
) -> Totals:
    """Only pricing's line totals, the shipping and the tax make a total; rounded in core.money."""
    subtotal = round_money(sum(line_totals, ZERO), currency)
    discount = round_money(discount, currency)
    total = round_money(subtotal - discount + shipping + tax, currency)
    return Totals(subtotal, discount, round_money(shipping, currency), round_money(tax, currency), total)


# --- buyer controls and credit ----------------------------------------------------------------


class ApprovalReason(enum.StrEnum):
    ORDER_LIMIT = "order_limit"
    MONTHLY_BUDGET = "monthly_budget"


@dataclass(frozen=True, slots=True)
class BuyerControls:
    order_total: Decimal
    buyer_order_limit: Decimal | None  # the placing buyer's own limit per order
    monthly_budget: Decimal | None  # the account's budget per calendar month
    spent_this_month: Decimal  # the account's orders this month, not cancelled or rejected


def approval_reasons(controls: BuyerControls) -> tuple[ApprovalReason, ...]:
    """Why the order must wait for an approver (empty: it need not)."""
    reasons: list[ApprovalReason] = []
    if controls.buyer_order_limit is not None and controls.order_total > controls.buyer_order_limit:
        reasons.append(ApprovalReason.ORDER_LIMIT)
    if (
        controls.monthly_budget is not None
        and controls.spent_this_month + controls.order_total > controls.monthly_budget
    ):
        reasons.append(ApprovalReason.MONTHLY_BUDGET)
    return tuple(reasons)


def exceeds_credit(*, limit: Decimal | None, open_total: Decimal, order_total: Decimal) -> bool:
    """Open orders' totals plus this order must stay within the limit (no limit: unlimited)."""
    return limit is not None and open_total + order_total > limit


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month_start(day: date) -> date:
    return date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)


# --- reorder ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PriceChange:
    """A reordered line's unit price then and now (None: unknown then, or not priceable now)."""

    sku: str
    uom: str
    quantity: Decimal
    previous_unit_price: Decimal | None
    current_unit_price: Decimal | None

    @property
    def difference(self) -> Decimal | None:
        if self.previous_unit_price is None or self.current_unit_price is None:
            return None
        return self.current_unit_price - self.previous_unit_price

    @property
    def has_changed(self) -> bool:
        difference = self.difference
        return difference is not None and difference != 0

    @property
    def percent(self) -> Decimal | None:
        difference = self.difference
        if difference is None or not self.previous_unit_price:
            return None
        return (difference * HUNDRED / self.previous_unit_price).quantize(Decimal("0.01"))


def merge_quantities(pairs: Iterable[tuple[tuple[int, str], Decimal]]) -> dict[tuple[int, str], Decimal]:
    """Sum quantities per (product id, unit), keeping first-seen order: one cart line per pair."""
    merged: dict[tuple[int, str], Decimal] = {}
    for key, quantity in pairs:
        merged[key] = merged.get(key, ZERO) + quantity
    return merged


def unique(values: Collection[str]) -> list[str]:
    return list(dict.fromkeys(values))
