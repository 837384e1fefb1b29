"""Types and schemas every router shares: ids, references, decimal strings, the error body, pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, TypeAlias

from ninja import Field, Schema
from ninja.params import HeaderEx, P
from pydantic import PlainSerializer, WithJsonSchema

from meridian.core import idempotency

# Ids must fit a signed 64-bit column: larger numbers are bad input (422), not a database crash.
MAX_ID = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]

# Default of PATCH fields that are optional but not nullable: never read, since only the fields sent apply.
NOT_SENT: Any = None

EXTERNAL_PREFIX = "ext:"

# An account or category addressed by id ("12") or by the ERP's key ("ext:SAP-10042").
Reference = Annotated[
    str, Field(min_length=1, max_length=120, pattern=r"^[^\x00]+$", examples=["12", "ext:SAP-10042"])
]


def _decimal_string(value: Decimal) -> str:
    return format(value, "f")  # never exponent notation ("1E+2")


DecimalString = Annotated[
    Decimal,
    PlainSerializer(_decimal_string, return_type=str),
    WithJsonSchema({"type": "string", "format": "decimal", "examples": ["14.20"]}),
]

# Inputs accept a decimal string ("14.20") or a JSON number and must fit their column.
MoneyIn = Annotated[
    Decimal,
    Field(ge=0, max_digits=14, decimal_places=2),
    WithJsonSchema({"type": "string", "format": "decimal", "examples": ["5000.00"]}),
]
QuantityIn = Annotated[
    Decimal,
    Field(max_digits=12, decimal_places=3),
    WithJsonSchema({"type": "string", "format": "decimal", "examples": ["12.5"]}),
]


class ErrorDetail(Schema):
    code: str = Field(description="Stable snake_case code, e.g. `account_not_found`, `invalid_input`.")
    message: str
    fields: dict[str, list[str]] = Field(description="Field path (`lines.0.sku`) -> messages; `{}` if none.")


class ErrorOut(Schema):
    error: ErrorDetail


def error_responses(*statuses: int) -> dict[int, type[ErrorOut]]:
    """Document the error statuses an operation may answer (bodies come from meridian.api.errors)."""
    return dict.fromkeys((401, *statuses), ErrorOut)


def is_usable_reference(reference: str | int) -> bool:
    """False for references no row can have, which the queries would crash on or misread.

    Digit strings beyond a 64-bit id ("²", 30 digits) make the database raise; a bare "ext:" would
    match every row without an external_id.
    """
    text = str(reference)
    if text == EXTERNAL_PREFIX:
        return False
    return not text.isdigit() or (text.isascii() and int(text) <= MAX_ID)


# The `Idempotency-Key` header of every POST a client may retry (API.md): orders, stock movements,
# transfers.
IdempotencyKeyHeader: TypeAlias = HeaderEx[
    str | None,
    P(
        alias=idempotency.HEADER,
        max_length=idempotency.MAX_KEY_LENGTH,
        description=(
            "Retry safely: the same key with the same body answers the first result again (same "
            "status, no second object), the same key with another body 422 `idempotency_key_reused`, "
            "and while the first request is still running 409 `idempotency_key_in_use`. Keys are kept "
            "at least 24 hours."
        ),
    ),
]
