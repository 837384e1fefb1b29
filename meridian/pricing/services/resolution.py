"""resolve_prices: price a cart for an account, live, in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from meridian.core.actor import Actor
from meridian.core.errors import InvalidInput
from meridian.customers.errors import AccountNotFound
from meridian.customers.models import Account
from meridian.customers.queries import find_account
from meridian.pricing import engine, queries
from meridian.pricing.errors import (
    LINE_PRODUCT_NOT_FOUND,
    LINE_UNKNOWN_UOM,
)
from meridian.pricing.services._common import (
    MAX_RESOLVE_LINES,
    decimal_error,
)

MAX_QUANTITY = Decimal(10) ** 9  # a line's quantity must stay below it


@dataclass(frozen=True, slots=True)
class PriceLineRequest:
    sku: str
    quantity: Decimal
    uom: str | None = None


@dataclass(frozen=True, slots=True)
class PriceResolution:
    """A priced cart: lines in request order (unpriced ones carry `error`), totals, coupon outcomes."""

    account_id: int
    website_id: int
    currency: str
    strategy: engine.Strategy
    lines: tuple[engine.PricedLine, ...]
    subtotal: Decimal
    order_adjustments: tuple[engine.AppliedPromotion, ...]
    total: Decimal
    coupons: tuple[queries.CouponOutcome, ...]

    @property
    def is_complete(self) -> bool:
        return all(line.error is None for line in self.lines)


def _validate_lines(lines: Sequence[PriceLineRequest]) -> None:
    errors: dict[str, list[str]] = {}
    if not lines:
        errors["lines"] = ["at least one line"]
    elif len(lines) > MAX_RESOLVE_LINES:
        errors["lines"] = [f"at most {MAX_RESOLVE_LINES} lines"]
    for index, line in enumerate(lines[:MAX_RESOLVE_LINES]):
        if not line.sku.strip():
            errors[f"lines.{index}.sku"] = ["must not be empty"]
        problem = decimal_error(line.quantity, places=3, positive=True, limit=MAX_QUANTITY)
        if problem:
            errors[f"lines.{index}.quantity"] = [problem]
    if errors:
        raise InvalidInput("invalid lines", fields=errors)


def _is_own_account(actor: Actor, account: Account) -> bool:
    """A buyer acting for exactly this account (ordering prices through `account_view`): the scope
    check (same organization, the account's path under the buyer's) holds by construction."""
    return (
        actor.is_buyer
        and actor.account_id == account.pk
        and actor.organization_id == account.organization_id
        and account.path.startswith(actor.account_path)
    )


def _priced_account(actor: Actor, account: Account | str | int) -> Account:
    """The account to price for, in the actor's scope (else AccountNotFound): the given instance when
    the actor is its own buyer (no query), else read through the actor's scope (1 query)."""
    if isinstance(account, Account) and _is_own_account(actor, account):
        return account
    reference = account.pk if isinstance(account, Account) else account
    found = find_account(actor=actor, reference=reference)  # no joins: only the path matters here
    if found is None:
        raise AccountNotFound(reference)
    return found


def resolve_prices(
    *,
    actor: Actor,
    account: Account | str | int,
    lines: Sequence[PriceLineRequest],
    website_id: int | None = None,
    currency: str | None = None,
    coupon_codes: Sequence[str] = (),
    now: dt.datetime | None = None,
    today: dt.date | None = None,
) -> PriceResolution:
    """Price a cart for an account in the actor's scope (else AccountNotFound), live from the rows.

    A fixed number of queries whatever the number of lines (see docs/pricing.md). Lines that cannot
    be priced carry an error code (product_not_found, unknown_uom, no_price); nothing is written.
    """
    _validate_lines(lines)
    priced_account = _priced_account(actor, account)
    scope, products = queries.load_cart(
        actor=actor,
        organization_id=priced_account.organization_id,
        account=queries.PricedAccount.of(priced_account),
        skus={line.sku.strip() for line in lines},
        website_id=website_id if website_id is not None else actor.website_id,
        currency=currency,
        with_units=any(line.uom for line in lines),  # no unit named: every line is in its base unit
        now=now,
        today=today,
    )
    by_sku = {info.sku: info for info in products.values()}
    engine_lines: list[engine.Line] = []
    failed: dict[int, engine.PricedLine] = {}
    for index, requested in enumerate(lines):
        sku = requested.sku.strip()
        info = by_sku.get(sku)
        line = (
            queries.engine_line(
                key=str(index),
                product=info,
                quantity=requested.quantity,
                uom=requested.uom or "",
                part_number=info.part_number,
            )
            if info is not None
            else None
        )
        if line is None:
            failed[index] = engine.PricedLine(
                key=str(index),
                product_id=info.product_id if info else 0,
                sku=sku,
                quantity=requested.quantity,
                uom=(requested.uom or (info.base_uom if info else "")).upper(),
                unit_price=None,
                list_price=None,
                line_total=None,
                error=LINE_UNKNOWN_UOM if info is not None else LINE_PRODUCT_NOT_FOUND,
            )
        else:
            engine_lines.append(line)
    loaded = queries.load_sources(scope=scope, product_ids=list(products))
    promotions, outcomes = queries.load_promotions(scope=scope, coupon_codes=coupon_codes)
    result = engine.price_cart(
        queries.build_request(
            scope=scope,
            lines=engine_lines,
            loaded=loaded,
            promotions=promotions,
            coupon_codes=[o.code for o in outcomes if o.status == "usable"],
        )
    )
    priced = iter(result.lines)
    ordered = tuple(failed[index] if index in failed else next(priced) for index in range(len(lines)))
    applied = {a.promotion_id for line in result.lines for a in line.discounts}
    applied.update(a.promotion_id for a in result.order_adjustments)
    coupons = tuple(
        queries.CouponOutcome(
            o.code, ("applied" if o.promotion_id in applied else "not_applicable"), o.promotion_id
        )
        if o.status == "usable"
        else o
        for o in outcomes
    )
    return PriceResolution(
        account_id=priced_account.pk,
        website_id=scope.website.pk,
        currency=scope.currency,
        strategy=scope.strategy,
        lines=ordered,
        subtotal=result.subtotal,
        order_adjustments=result.order_adjustments,
        total=result.total,
        coupons=coupons,
    )
