"""Catalog visibility: which rule decides whether an actor sees a product. Pure logic, no ORM.

The most specific rule that matches a product decides. Specificity is first the
rule's scope (organization < website < branch < customer group < account root ... <
the buyer's own account), then its target (everything < a category, deeper
categories beating shallower ones < one product). At equal specificity an exclude
wins. With no matching rule a product is visible.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass

PRODUCT_TARGET_RANK = 10_000


class Scope(enum.IntEnum):
    ORGANIZATION = 0
    WEBSITE = 1
    BRANCH = 2
    CUSTOMER_GROUP = 3
    ACCOUNT = 4  # plus the account's depth in the tree: a child's rule beats its parent's


@dataclass(frozen=True, slots=True)
class Rule:
    """One visibility rule as it applies to one actor."""

    rule_id: int
    scope_rank: int
    include: bool
    category_path: str | None = None  # the category subtree the rule targets
    product_id: int | None = None  # or one product; neither means every product

    @property
    def target_rank(self) -> int:
        if self.product_id is not None:
            return PRODUCT_TARGET_RANK
        if self.category_path is not None:
            return len(self.category_path)
        return 0


@dataclass(frozen=True, slots=True)
class ProductRef:
    product_id: int
    category_path: str | None


def account_scope_rank(depth: int) -> int:
    return int(Scope.ACCOUNT) + depth


def decision_order(rules: Sequence[Rule]) -> list[Rule]:
    """Rules from the most to the least specific; excludes first among equals."""
    return sorted(rules, key=lambda r: (r.scope_rank, r.target_rank, not r.include), reverse=True)


def matches(rule: Rule, product: ProductRef) -> bool:
    if rule.product_id is not None:
        return rule.product_id == product.product_id
    if rule.category_path is not None:
        return product.category_path is not None and product.category_path.startswith(rule.category_path)
    return True


def is_visible(product: ProductRef, rules: Sequence[Rule]) -> bool:
    """The decision for one product; queries.py expresses the same decision in SQL."""
    for rule in decision_order(rules):
        if matches(rule, product):
            return rule.include
    return True


_NON_ALNUM = re.compile(r"[^0-9A-Za-z]+")
_TOKEN = re.compile(r"[0-9A-Za-z]+(?:[.\-/][0-9A-Za-z]+)*")


def normalize_part_number(value: str) -> str:
    """Compare part numbers ignoring case, spaces, dashes and dots ("ab-12.3" == "AB123")."""
    return _NON_ALNUM.sub("", value).upper()


def search_tokens(query: str, *, limit: int = 8) -> list[str]:
    """Lower-cased words of a search query (at most `limit`), keeping SKU-like tokens whole."""
    return [token.lower() for token in _TOKEN.findall(query)][:limit]


def search_document(*, sku: str, name: str, description: str, attributes: dict[str, object]) -> str:
    """The text search matches: SKU (also without separators), name, attribute values, description."""
    values = " ".join(str(value) for value in attributes.values() if isinstance(value, str | int | float))
    parts = [sku, normalize_part_number(sku), name, values, description[:500]]
    return " ".join(part for part in parts if part).lower()
