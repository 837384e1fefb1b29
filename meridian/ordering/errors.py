"""Ordering's domain errors. Each `code` is a stable contract (docs/ordering.md lists them)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from meridian.core.errors import Conflict, Forbidden, NotAllowed, NotFound, RuleViolation


class OrderNotFound(NotFound):
    code = "order_not_found"

    def __init__(self, reference: object) -> None:
        super().__init__(f"order {reference} not found")
        self.reference = reference


class CartNotFound(NotFound):
    code = "cart_not_found"

    def __init__(self, reference: object) -> None:
        super().__init__(f"cart {reference} not found")
        self.reference = reference


class CartLineNotFound(NotFound):
    code = "cart_line_not_found"

    def __init__(self, reference: object) -> None:
        super().__init__(f"cart line {reference} not found")
        self.reference = reference


class AddressNotFound(NotFound):
    """The ship-to address is not one of the ordering account's addresses."""

    code = "address_not_found"

    def __init__(self, reference: object) -> None:
        super().__init__(
            f"address {reference} not found", fields={"ship_to": ["not an address of the account"]}
        )
        self.reference = reference


class InvalidTransition(Conflict):
    """The order's state (or a hold) forbids this step."""

    code = "invalid_transition"

    def __init__(self, *, current: str, target: str, reason: str = "") -> None:
        detail = f": {reason}" if reason else ""
        super().__init__(f"an order that is {current} cannot become {target}{detail}")
        self.current, self.target, self.reason = current, target, reason


class OrderAlreadyDecided(InvalidTransition):
    """An approver decided on an order that is no longer pending approval (someone else was first)."""

    code = "order_already_decided"


class CartChanged(Conflict):
    """The cart was changed (by another session) since the version the caller last saw."""

    code = "cart_changed"

    def __init__(self, *, expected: int, current: int) -> None:
        super().__init__(
            f"the cart changed since you loaded it (version {expected}, now {current}); reload and retry",
            fields={"version": [f"stale: the cart is at version {current}"]},
        )
        self.expected, self.current = expected, current


class CartReadOnly(Forbidden):
    """Visible, but not the actor's to edit (another user's cart, a list shared read-only)."""

    code = "cart_read_only"

    def __init__(self, cart_id: int) -> None:
        super().__init__(f"cart {cart_id} belongs to someone else; you may view it but not change it")
        self.cart_id = cart_id


class NotListOwner(NotAllowed):
    """A shopping list the actor sees (shared with them) but does not own: only its owner (and, for a
    shared list, a seller admin) renames, (un)shares or deletes it. The code is `not_allowed`."""

    def __init__(self, cart_id: int) -> None:
        super().__init__("rename, share or delete a shopping list you do not own")
        self.cart_id = cart_id


class QuantityRuleViolation(RuleViolation):
    """A quantity below the product's minimum or off its increment (both in the base unit)."""

    code = "quantity_rule_violation"

    def __init__(self, *, sku: str, problem: str, field: str = "quantity") -> None:
        super().__init__(f"{sku}: {problem}", fields={field: [problem]})
        self.sku, self.problem = sku, problem


class ProductNotOrderable(RuleViolation):
    code = "product_not_orderable"

    def __init__(self, *, sku: str, status: str, field: str = "sku") -> None:
        super().__init__(f"{sku} is {status} and cannot be ordered", fields={field: [f"product is {status}"]})
        self.sku, self.status = sku, status


class UnknownUnit(RuleViolation):
    code = "unknown_uom"

    def __init__(self, *, sku: str, uom: str, field: str = "uom") -> None:
        super().__init__(f"{sku} is not sold in {uom!r}", fields={field: [f"not a unit of {sku}"]})
        self.sku, self.uom = sku, uom


@dataclass(frozen=True, slots=True)
class LineProblem:
    """One refused line of an order request: its position (from 0), what it asked for, why."""

    index: int
    sku: str
    code: str  # product_not_found, unknown_uom, no_price, product_not_orderable, quantity_rule_violation
    message: str


class InvalidOrderLines(RuleViolation):
    """Some lines cannot be ordered; `problems` (and `fields`, `lines.<n>.sku`) name each one."""

    code = "invalid_order_lines"

    def __init__(self, problems: Sequence[LineProblem]) -> None:
        listed = "; ".join(f"line {p.index + 1} ({p.sku}): {p.message}" for p in problems[:10])
        more = f"; and {len(problems) - 10} more" if len(problems) > 10 else ""
        fields: dict[str, list[str]] = {}
        for problem in problems:
            fields.setdefault(f"lines.{problem.index}.sku", []).append(f"{problem.code}: {problem.message}")
        super().__init__(f"{len(problems)} line(s) cannot be ordered: {listed}{more}", fields=fields)
        self.problems = tuple(problems)


class PoNumberRequired(RuleViolation):
    code = "po_number_required"

    def __init__(self) -> None:
        super().__init__("this account requires a PO number", fields={"po_number": ["required"]})


class OneTimeAddressNotAllowed(RuleViolation):
    code = "one_time_address_not_allowed"

    def __init__(self) -> None:
        super().__init__(
            "this account ships only to its saved addresses",
            fields={"ship_to": ["choose one of the account's addresses"]},
        )


class PaymentTermsUnavailable(RuleViolation):
    code = "payment_terms_unavailable"

    def __init__(self) -> None:
        super().__init__(
            "this account has no payment terms; pay by card", fields={"payment": ["no payment terms"]}
        )


class PaymentDeclined(Conflict):
    code = "payment_declined"

    def __init__(self, reason: str) -> None:
        super().__init__(f"the card payment was declined: {reason}", fields={"payment": [reason]})
        self.reason = reason


class CreditLimitExceeded(Conflict):
    """Terms orders: open orders plus this one exceed the credit limit (policy `refuse`)."""

    code = "credit_limit_exceeded"

    def __init__(self, *, limit: Decimal, exposure: Decimal, currency: str) -> None:
        super().__init__(
            f"open orders and this order come to {exposure} {currency}, over the credit limit of {limit} {currency}",
            fields={"payment": ["over the credit limit"]},
        )
        self.limit, self.exposure, self.currency = limit, exposure, currency


class CouponNotUsable(RuleViolation):
    code = "coupon_not_usable"

    def __init__(self, outcomes: Mapping[str, str]) -> None:
        listed = ", ".join(f"{code} ({status})" for code, status in outcomes.items())
        super().__init__(
            f"coupon(s) cannot be used: {listed}",
            fields={f"coupon_codes.{code}": [status] for code, status in outcomes.items()},
        )
        self.outcomes = dict(outcomes)


class UnknownShippingMethod(RuleViolation):
    code = "unknown_shipping_method"

    def __init__(self, code: str) -> None:
        super().__init__(
            f"no shipping method {code!r} on this website", fields={"shipping_method": ["unknown"]}
        )
        self.method_code = code


class AccountInactive(RuleViolation):
    code = "account_inactive"

    def __init__(self, account_id: int) -> None:
        super().__init__(f"account {account_id} is inactive and cannot order")
        self.account_id = account_id


class NothingAvailable(Conflict):
    """Every line was cancelled by its `partial` backorder policy: there is nothing to order."""

    code = "nothing_available"

    def __init__(self) -> None:
        super().__init__(
            "none of the requested products can be supplied", fields={"lines": ["none available"]}
        )


class NotAnApprover(Forbidden):
    code = "not_an_approver"

    def __init__(self, reason: str = "only an approver of the account (or of a parent) may decide") -> None:
        super().__init__(reason)


class QuickOrderTooLarge(RuleViolation):
    code = "quick_order_too_large"

    def __init__(self, *, lines: int, limit: int) -> None:
        super().__init__(
            f"{lines} lines; a quick order takes at most {limit}", fields={"text": [f"at most {limit} lines"]}
        )
        self.lines, self.limit = lines, limit
