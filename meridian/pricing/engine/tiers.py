"""Tier tables: what one list says about one product (stored entries, else rule-derived), and the
resolver that walks the chain for a line."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_FLOOR, Decimal

from meridian.core.money import MINOR_UNITS, round_money
from meridian.pricing.engine.types import (
    HUNDRED,
    MAX_RULE_DEPTH,
    ONE,
    Entry,
    Line,
    PriceList,
    PricingRequest,
    Rounding,
    Rule,
    RuleBase,
    Source,
    SourceKind,
    Strategy,
    in_window,
)


def round_price(amount: Decimal, rounding: Rounding, currency: str) -> Decimal:
    """A rule's price ending. `.99`/`.95` round *up* to the next such ending (margins never shrink);
    they need a currency with two minor digits, others round to the minor unit."""
    if rounding is Rounding.NONE:
        return amount
    if rounding is Rounding.CENTS or MINOR_UNITS.get(currency) != 2:
        return round_money(amount, currency)
    ending = Decimal("0.99") if rounding is Rounding.ENDS_99 else Decimal("0.95")
    candidate = amount.to_integral_value(rounding=ROUND_FLOOR) + ending
    return candidate if candidate >= amount else candidate + ONE


def derive_price(base: Decimal, rule: Rule, currency: str) -> Decimal:
    return round_price(base * rule.multiplier * (ONE + rule.percent / HUNDRED), rule.rounding, currency)


@dataclass(slots=True)  # internal and hot: a plain slots class builds fastest
class _Tier:
    min_quantity: Decimal
    price: Decimal  # the lowest price of this tier and all smaller ones
    entry_id: int | None
    rule_id: int | None
    base_entry_id: int | None


# uom -> (sorted min quantities, tiers): a bisect finds the tier a quantity reaches.
_Table = dict[str, tuple[list[Decimal], list[_Tier]]]


@dataclass(slots=True)
class Hit:
    unit_price: Decimal
    tier: _Tier
    uom: str
    converted: bool


def _freeze(raw: Mapping[str, list[_Tier]]) -> _Table:
    """Sort tiers and carry the lowest price forward: a larger quantity never raises the price."""
    table: _Table = {}
    for uom, tiers in raw.items():
        tiers.sort(key=lambda tier: tier.min_quantity)
        carried: list[_Tier] = []
        for tier in tiers:
            if carried and carried[-1].price < tier.price:
                best = carried[-1]
                tier = _Tier(tier.min_quantity, best.price, best.entry_id, best.rule_id, best.base_entry_id)
            carried.append(tier)
        table[uom] = ([tier.min_quantity for tier in carried], carried)
    return table


def _stored_table(entries: Sequence[Entry]) -> _Table:
    """One tier per (uom, min_quantity); overlapping windows: the latest `valid_from` wins, then the newest row."""
    if len(entries) == 1:
        only = entries[0]
        return {
            only.uom: ([only.min_quantity], [_Tier(only.min_quantity, only.price, only.entry_id, None, None)])
        }
    chosen: dict[tuple[str, Decimal], Entry] = {}
    for entry in entries:
        key = (entry.uom, entry.min_quantity)
        current = chosen.get(key)
        if current is None or (entry.valid_from or date.min, entry.entry_id) > (
            current.valid_from or date.min,
            current.entry_id,
        ):
            chosen[key] = entry
    raw: dict[str, list[_Tier]] = {}
    for entry in chosen.values():
        raw.setdefault(entry.uom, []).append(
            _Tier(entry.min_quantity, entry.price, entry.entry_id, None, None)
        )
    return _freeze(raw)


def _reach(table: _Table, uom: str, quantity: Decimal) -> _Tier | None:
    found = table.get(uom)
    if found is None:
        return None
    index = bisect_right(found[0], quantity) - 1
    return found[1][index] if index >= 0 else None


def lookup(table: _Table, line: Line, quantity: Decimal) -> Hit | None:
    """An entry in the requested unit wins; otherwise a base-unit entry converts."""
    if not table:
        return None
    tier = _reach(table, line.uom, quantity)
    if tier is not None:
        return Hit(tier.price, tier, line.uom, False)
    if line.uom != line.base_uom:
        tier = _reach(table, line.base_uom, quantity * line.uom_factor)
        if tier is not None:
            return Hit(tier.price * line.uom_factor, tier, line.base_uom, True)
    return None


_EMPTY: _Table = {}  # shared: never written to
_NO_ENTRIES: dict[int, list[Entry]] = {}


class Resolver:
    """Indexes the request once; caches each (list, product) table for every line that needs it."""

    def __init__(self, request: PricingRequest) -> None:
        self.request = request
        self.currency = request.currency
        self.today = request.today
        self.first_wins = request.strategy is Strategy.PRIORITY
        self._entries: dict[int, dict[int, list[Entry]]] = {}
        self._rules: dict[int, list[Rule]] = {}
        self._tables: dict[tuple[int, int, int], _Table] = {}
        self._list_prices: dict[tuple[int, str], Decimal | None] = {}
        lists = [source.price_list for source in request.sources] + list(request.base_lists.values())
        for price_list in lists:
            if id(price_list) in self._entries:
                continue
            by_product: dict[int, list[Entry]] = {}
            today = self.today
            for entry in price_list.entries:
                if (entry.valid_from is None or entry.valid_from <= today) and (
                    entry.valid_to is None or today <= entry.valid_to
                ):
                    by_product.setdefault(entry.product_id, []).append(entry)
            self._entries[id(price_list)] = by_product
            self._rules[id(price_list)] = sorted(
                (rule for rule in price_list.rules if in_window(self.today, rule.valid_from, rule.valid_to)),
                key=lambda rule: (-rule.specificity, rule.priority, rule.rule_id),
            )
        # Windows, activity and currency do not depend on the line: decide them once.
        self.sources = [
            source
            for source in request.sources
            if in_window(self.today, source.valid_from, source.valid_to) and self.usable(source.price_list)
        ]
        self.website_sources = [source for source in self.sources if source.kind is SourceKind.WEBSITE]

    def usable(self, price_list: PriceList) -> bool:
        return (
            price_list.is_active
            and price_list.currency == self.currency
            and in_window(self.today, price_list.valid_from, price_list.valid_to)
        )

    def table(self, price_list: PriceList, line: Line, depth: int = 0) -> _Table:
        """The list's tiers for the product: its stored entries, else what its rules derive."""
        list_key = id(price_list)
        key = (list_key, line.product_id, depth)
        table = self._tables.get(key)
        if table is None:
            stored = self._entries.get(list_key, _NO_ENTRIES).get(line.product_id)
            if stored:
                table = _stored_table(stored)
            elif self._rules.get(list_key):
                table = self._derive(price_list, line, depth)
            else:
                table = _EMPTY  # neither an entry nor a rule: most lists for most products
            self._tables[key] = table
        return table

    def _derive(self, price_list: PriceList, line: Line, depth: int) -> _Table:
        for rule in self._rules.get(id(price_list), ()):
            if rule.targets(line):
                break
        else:
            return _EMPTY
        if rule.base is RuleBase.COST:
            if line.standard_cost is None or line.cost_currency != price_list.currency:
                return {}
            price = derive_price(line.standard_cost, rule, price_list.currency)
            return _freeze({line.base_uom: [_Tier(ONE, price, None, rule.rule_id, None)]})
        base = self.request.base_lists.get(rule.base_list_id) if rule.base_list_id is not None else None
        if (
            base is None
            or depth >= MAX_RULE_DEPTH
            or not self.usable(base)
            or base.currency != price_list.currency
        ):
            return {}
        raw: dict[str, list[_Tier]] = {}
        for uom, (_, tiers) in self.table(base, line, depth + 1).items():
            raw[uom] = [
                _Tier(
                    tier.min_quantity,
                    derive_price(tier.price, rule, price_list.currency),
                    None,
                    rule.rule_id,
                    tier.entry_id if tier.rule_id is None else tier.base_entry_id,
                )
                for tier in tiers
            ]
        return _freeze(raw)

    def best(self, line: Line, quantity: Decimal) -> tuple[Source, Hit] | None:
        """Priority: the first source that prices the line. Best price: the lowest (earliest on ties)."""
        winner: tuple[Source, Hit] | None = None
        for source in self.sources:
            hit = lookup(self.table(source.price_list, line), line, quantity)
            if hit is None:
                continue
            if self.first_wins:
                return source, hit
            if winner is None or hit.unit_price < winner[1].unit_price:
                winner = (source, hit)
        return winner

    def list_price(self, line: Line) -> Decimal | None:
        key = (line.product_id, line.uom)
        if key not in self._list_prices:
            hits = (lookup(self.table(s.price_list, line), line, ONE) for s in self.website_sources)
            self._list_prices[key] = next((hit.unit_price for hit in hits if hit is not None), None)
        return self._list_prices[key]
