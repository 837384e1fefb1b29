"""Rebate tiers: the tier a basis reaches, the next one, what a line earns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from meridian.core.money import round_money
from meridian.pricing.engine.types import (
    HUNDRED,
    ZERO,
)


@dataclass(frozen=True, slots=True)
class RebateTier:
    threshold: Decimal
    rate_percent: Decimal


def rebate_tier_reached(basis: Decimal, tiers: Sequence[RebateTier]) -> RebateTier | None:
    reached = [tier for tier in tiers if tier.threshold <= basis]
    return max(reached, key=lambda tier: tier.threshold) if reached else None


def next_rebate_tier(basis: Decimal, tiers: Sequence[RebateTier]) -> RebateTier | None:
    ahead = [tier for tier in tiers if tier.threshold > basis]
    return min(ahead, key=lambda tier: tier.threshold) if ahead else None


def rebate_for_line(
    *,
    basis_before: Decimal,
    line_basis: Decimal,
    line_total: Decimal,
    tiers: Sequence[RebateTier],
    currency: str,
) -> tuple[Decimal, Decimal]:
    """(rate, amount) a line earns: the rate of the tier reached with the line included, on its total."""
    tier = rebate_tier_reached(basis_before + line_basis, tiers)
    rate = tier.rate_percent if tier is not None else ZERO
    return rate, round_money(line_total * rate / HUNDRED, currency)
