"""Pricing's domain errors. Each `code` is a stable contract (docs/pricing.md lists them)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from meridian.core.errors import Conflict, InvalidInput, NotFound, RuleViolation

# Codes reported per line by a price resolution (the line is left unpriced, the rest are priced).
LINE_PRODUCT_NOT_FOUND = "product_not_found"
LINE_UNKNOWN_UOM = "unknown_uom"
LINE_NO_PRICE = "no_price"


class NoPrice(RuleViolation):
    """No source in the chain prices this product at this quantity, unit and date."""

    code = LINE_NO_PRICE

    def __init__(self, *, sku: str) -> None:
        super().__init__(f"{sku}: no price")
        self.sku = sku


class PriceListNotFound(NotFound):
    code = "price_list_not_found"

    def __init__(self, reference: object) -> None:
        super().__init__(f"price list {reference} not found")
        self.reference = reference


class PromotionNotFound(NotFound):
    code = "promotion_not_found"

    def __init__(self, reference: object) -> None:
        super().__init__(f"promotion {reference} not found")
        self.reference = reference


class PriceAssignmentNotFound(NotFound):
    code = "price_assignment_not_found"

    def __init__(self, reference: object) -> None:
        super().__init__(f"price assignment {reference} not found")
        self.reference = reference


class RebateProgramNotFound(NotFound):
    code = "rebate_program_not_found"

    def __init__(self, reference: object) -> None:
        super().__init__(f"rebate program {reference} not found")
        self.reference = reference


class CouponNotFound(NotFound):
    code = "coupon_not_found"

    def __init__(self, code: str) -> None:
        super().__init__(f"coupon {code!r} not found", fields={"coupon_codes": [f"{code}: unknown"]})
        self.coupon_code = code


class PriceListCodeTaken(Conflict):
    code = "price_list_code_taken"

    def __init__(self, code: str) -> None:
        super().__init__(f"price list code {code!r} is already used", fields={"code": ["already used"]})
        self.price_list_code = code


class ContractNumberTaken(Conflict):
    code = "contract_number_taken"

    def __init__(self, number: str) -> None:
        super().__init__(f"contract number {number!r} is already used", fields={"number": ["already used"]})
        self.number = number


class CouponCodeTaken(Conflict):
    code = "coupon_code_taken"

    def __init__(self, code: str) -> None:
        super().__init__(f"coupon code {code!r} is already used", fields={"code": ["already used"]})
        self.coupon_code = code


class AssignmentExists(Conflict):
    code = "price_assignment_exists"

    def __init__(self) -> None:
        super().__init__(
            "this price list is already assigned to this target", fields={"target": ["assigned"]}
        )


class CouponExhausted(Conflict):
    """The coupon reached its total usage limit, or is no longer active."""

    code = "coupon_exhausted"

    def __init__(self, code: str) -> None:
        super().__init__(
            f"coupon {code!r} can no longer be used", fields={"coupon_codes": [f"{code}: used up"]}
        )
        self.coupon_code = code


class CouponAccountLimitReached(Conflict):
    code = "coupon_account_limit_reached"

    def __init__(self, code: str) -> None:
        super().__init__(
            f"coupon {code!r} was already used as often as one account may",
            fields={"coupon_codes": [f"{code}: limit per account reached"]},
        )
        self.coupon_code = code


@dataclass(frozen=True, slots=True)
class RowError:
    row: int  # 1-based, as a spreadsheet shows it
    field: str
    message: str


class InvalidPriceRows(InvalidInput):
    """A bulk upsert refused as a whole; `rows` says which row and field failed and why."""

    code = "invalid_price_rows"

    def __init__(self, rows: Sequence[RowError]) -> None:
        fields: dict[str, list[str]] = {}
        for error in rows:
            fields.setdefault(f"rows.{error.row}.{error.field}", []).append(error.message)
        super().__init__(f"{len(rows)} row error(s); nothing was applied", fields=fields)
        self.rows = list(rows)


class PricingAlreadySeeded(Conflict):
    code = "pricing_already_seeded"

    def __init__(self, organization: str) -> None:
        super().__init__(f"{organization} already has price lists; seed pricing into a fresh organization")
        self.organization = organization


class ContractNotFound(NotFound):
    code = "contract_not_found"

    def __init__(self, reference: object) -> None:
        super().__init__(f"contract {reference} not found")
        self.reference = reference


class PriceRuleNotFound(NotFound):
    code = "price_rule_not_found"

    def __init__(self, reference: object) -> None:
        super().__init__(f"price rule {reference} not found")
        self.reference = reference


class PriceEntryNotFound(NotFound):
    code = "price_entry_not_found"

    def __init__(self, reference: object) -> None:
        super().__init__(f"price entry {reference} not found")
        self.reference = reference


class CustomerPriceNotFound(NotFound):
    code = "customer_price_not_found"

    def __init__(self, reference: object) -> None:
        super().__init__(f"customer price {reference} not found")
        self.reference = reference
