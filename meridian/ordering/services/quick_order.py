"""Quick order (pasted lines or an uploaded CSV or XLSX) and reorder from a past order or a list."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from meridian.core.actor import Actor
from meridian.core.errors import InvalidInput, RuleViolation
from meridian.ordering import engine, queries, spreadsheets
from meridian.ordering.errors import QuickOrderTooLarge
from meridian.ordering.models import Cart
from meridian.ordering.services.carts import LineInput, add_lines, current_cart
from meridian.pricing.services import PriceLineRequest, resolve_prices

MAX_QUICK_ORDER_LINES = 5_000
CSV_EXTENSIONS = (".csv", ".txt", ".tsv")


class UnsupportedFileType(RuleViolation):
    code = "unsupported_file_type"

    def __init__(self, filename: str, hint: str) -> None:
        super().__init__(f"{filename}: {hint}", fields={"file": [hint]})
        self.filename = filename


@dataclass(frozen=True, slots=True)
class QuickOrderLine:
    """One reported line: where it was (1-based, as the user numbered it), what it said, the outcome."""

    line_number: int
    input: str
    status: str  # "added" or "error"
    reason: str = ""
    code: str = ""
    sku: str = ""
    quantity: Decimal | None = None
    uom: str = ""


@dataclass(frozen=True, slots=True)
class QuickOrderReport:
    cart: Cart
    lines: tuple[QuickOrderLine, ...]

    @property
    def added(self) -> int:
        return sum(1 for line in self.lines if line.status == "added")

    @property
    def errors(self) -> tuple[QuickOrderLine, ...]:
        return tuple(line for line in self.lines if line.status == "error")


def _report(
    cart: Cart | int, actor: Actor, parsed: Sequence[engine.ParsedLine], expected_version: int | None
) -> QuickOrderReport:
    if len(parsed) > MAX_QUICK_ORDER_LINES:
        raise QuickOrderTooLarge(lines=len(parsed), limit=MAX_QUICK_ORDER_LINES)
    readable = [line for line in parsed if not line.error]
    result = add_lines(
        actor=actor,
        cart=cart,
        lines=[LineInput(line.reference, line.quantity or Decimal(0), line.uom) for line in readable],
        expected_version=expected_version,
    )
    outcomes = {readable[outcome.index].line_number: outcome for outcome in result.outcomes}
    lines: list[QuickOrderLine] = []
    for line in parsed:
        if line.error:
            lines.append(QuickOrderLine(line.line_number, line.text, "error", line.error, "unreadable_line"))
            continue
        outcome = outcomes[line.line_number]
        lines.append(
            QuickOrderLine(
                line_number=line.line_number,
                input=line.text,
                status="added" if outcome.is_added else "error",
                reason=outcome.reason,
                code=outcome.code,
                sku=outcome.sku,
                quantity=line.quantity,
                uom=outcome.uom,
            )
        )
    return QuickOrderReport(cart=result.cart, lines=tuple(lines))


@transaction.atomic
def quick_order(
    *, actor: Actor, cart: Cart | int, text: str, expected_version: int | None = None
) -> QuickOrderReport:
    """Add pasted lines ("SKU, qty", "SKU qty", "part-number<TAB>qty", each with an optional unit) to a
    cart or list. Every line is reported by its line number: added, or the reason it was not; the good
    ones are added. A fixed number of queries whatever the number of lines (at most 5,000)."""
    return _report(cart, actor, engine.parse_pasted(text), expected_version)


@transaction.atomic
def quick_order_upload(
    *, actor: Actor, cart: Cart | int, filename: str, content: bytes, expected_version: int | None = None
) -> QuickOrderReport:
    """As `quick_order`, from an uploaded CSV (UTF-8, comma, semicolon or tab separated, optional
    header) or an Excel workbook (.xlsx: its first sheet, line numbers are the sheet's row numbers).
    Anything else, or a file that cannot be read, is `unsupported_file_type` on `file`."""
    name = filename.strip().lower()
    if name.endswith(".xlsx"):
        try:
            text = spreadsheets.xlsx_as_csv(content, max_rows=MAX_QUICK_ORDER_LINES + 1)
        except spreadsheets.SpreadsheetError as exc:
            raise UnsupportedFileType(filename, str(exc)) from None
    elif name.endswith(CSV_EXTENSIONS):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise UnsupportedFileType(filename, "the file is not UTF-8 text") from None
    else:
        raise UnsupportedFileType(
            filename, "upload a .csv or .xlsx file (an old .xls: save the sheet as CSV)"
        )
    return _report(cart, actor, engine.parse_csv(text), expected_version)


# --- reorder ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReorderReport:
    cart: Cart
    currency: str
    lines: tuple[QuickOrderLine, ...]  # line_number: the source line's number (orders) or position
    price_changes: tuple[engine.PriceChange, ...]  # every added line, then and now

    @property
    def changed(self) -> tuple[engine.PriceChange, ...]:
        return tuple(change for change in self.price_changes if change.has_changed)


@transaction.atomic
def reorder(
    *,
    actor: Actor,
    order_number: str | None = None,
    list_id: int | None = None,
    cart: Cart | int | None = None,
    expected_version: int | None = None,
) -> ReorderReport:
    """Put a past order's (or a list's) lines into the actor's current cart for that account, priced
    again now through pricing; report each line's unit price then (orders) and now. Lines that can no
    longer be ordered are reported with the reason, the others are added. `expected_version` guards
    the target cart as `add_lines` does."""
    if (order_number is None) == (list_id is None):
        raise InvalidInput.on("source", "give an order number or a list id")
    previous: dict[tuple[int, str], Decimal] = {}
    if order_number is not None:
        order = queries.get_order(actor=actor, number=order_number)
        account_id = order.account_id
        source = [
            (line.line_number, line.product_id, line.sku, line.requested_quantity, line.uom)
            for line in order.lines.order_by("line_number")
        ]
        previous = queries.previous_unit_prices(order=order)
    else:
        assert list_id is not None
        listed = queries.get_cart(actor=actor, cart_id=list_id)
        account_id = listed.account_id
        source = [
            (position, line.product_id, line.product.sku, line.quantity, line.uom)
            for position, line in enumerate(queries.cart_lines(cart=listed), start=1)
        ]
    target = cart if cart is not None else current_cart(actor=actor, account=account_id)
    result = add_lines(
        actor=actor,
        cart=target,
        lines=[LineInput(sku, quantity, uom) for _, _, sku, quantity, uom in source],
        expected_version=expected_version,
    )
    lines = tuple(
        QuickOrderLine(
            line_number=source[outcome.index][0],
            input=f"{source[outcome.index][2]} {engine.format_quantity(source[outcome.index][3])} {source[outcome.index][4]}",
            status="added" if outcome.is_added else "error",
            reason=outcome.reason,
            code=outcome.code,
            sku=outcome.sku,
            quantity=outcome.quantity,
            uom=outcome.uom,
        )
        for outcome in result.outcomes
    )
    added = [source[outcome.index] for outcome in result.outcomes if outcome.is_added]
    changes: list[engine.PriceChange] = []
    currency = ""
    if added:
        ancestors = queries.account_ancestors(account=result.cart.account)
        view = queries.account_view(
            account=result.cart.account,
            ancestors=ancestors,
            website_id=result.cart.website_id or actor.website_id,
        )
        priced = resolve_prices(
            actor=view,
            account=result.cart.account,
            lines=[
                PriceLineRequest(sku=sku, quantity=quantity, uom=uom) for _, _, sku, quantity, uom in added
            ],
            website_id=result.cart.website_id or actor.website_id,
        )
        currency = priced.currency
        for (_, product_id, sku, quantity, uom), line in zip(added, priced.lines, strict=True):
            changes.append(
                engine.PriceChange(
                    sku=sku,
                    uom=line.uom or uom,
                    quantity=quantity,
                    previous_unit_price=previous.get((product_id, uom)),
                    current_unit_price=line.unit_price,
                )
            )
    return ReorderReport(cart=result.cart, currency=currency, lines=lines, price_changes=tuple(changes))
