"""The demo distributor's assortment, as product families that expand into realistic products.

A family is one leaf category's line of products (hex bolts, ball bearings, ...): templates for the
SKU, name, description and attributes, and dimensions (sizes, finishes, brands) whose combinations
are the possible products. The seeder samples combinations, so ~500 products (small) and ~200,000
(large) come from the same data. Pure Python: no ORM.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

HOUSE_BRAND = "Northwind Pro"


@dataclass(frozen=True, slots=True)
class Dim:
    """One dimension of a family: each option fills one or more template fields."""

    options: tuple[dict[str, str], ...]

    def __len__(self) -> int:
        return len(self.options)


def opts(key: str, *values: str) -> Dim:
    """A dimension filling one field: opts("grit", "36", "60")."""
    return Dim(tuple({key: value} for value in values))


def words(text: str) -> list[str]:
    """Options written as one space-separated string: words("M6 M8 M10")."""
    return text.split()


def rows(keys: str, *values: Sequence[str]) -> Dim:
    """A dimension filling several fields: rows("code,label", ("ZN", "Zinc Plated"), ...)."""
    names = keys.split(",")
    for row in values:
        if len(row) != len(names):
            raise ValueError(f"{row!r} does not match {keys!r}")
    return Dim(tuple(dict(zip(names, row, strict=True)) for row in values))


def brands(*entries: str) -> Dim:
    """Brands as "Name:CODE". Fills `brand`, the SKU suffix `bc` ("-CODE") and the name prefix `bp`.

    The house brand has neither suffix nor prefix, so its SKUs read "HXB-M8X40-ZN".
    """
    options = []
    for entry in entries:
        name, _, code = entry.partition(":")
        if name == HOUSE_BRAND:
            options.append({"brand": name, "bc": "", "bp": ""})
        else:
            options.append({"brand": name, "bc": f"-{code}", "bp": f"{name} "})
    return Dim(tuple(options))


@dataclass(frozen=True, slots=True)
class UnitSpec:
    """An alternative unit; a factor template that renders empty means the product has no such unit."""

    code: str
    name: str
    factor: str


BOX = (UnitSpec("BX", "Box of {box}", "{box}"),)
PACK = (UnitSpec("PK", "Pack of {pack}", "{pack}"),)


@dataclass(frozen=True, slots=True)
class Family:
    path: tuple[str, ...]  # category names, root first; the last one holds the products
    sku: str
    name: str
    description: str
    dims: tuple[Dim, ...]
    attributes: tuple[tuple[str, str], ...] = ()
    base_uom: str = "EA"
    units: tuple[UnitSpec, ...] = ()
    min_order_quantity: str = "1"
    order_increment: str = "1"

    @property
    def space(self) -> int:
        """How many distinct products the family can make."""
        return math.prod(len(dim) for dim in self.dims)

    def values(self, index: int) -> dict[str, str]:
        """The template fields of combination `index` (mixed-radix over the dimensions)."""
        values: dict[str, str] = {}
        for dim in reversed(self.dims):
            index, position = divmod(index, len(dim))
            values.update(dim.options[position])
        return values


@dataclass(frozen=True, slots=True)
class ProductSpec:
    sku: str
    name: str
    description: str
    category_path: tuple[str, ...]
    attributes: dict[str, str]
    base_uom: str
    units: tuple[tuple[str, str, Decimal], ...]
    min_order_quantity: Decimal
    order_increment: Decimal


def _clean(text: str) -> str:
    return " ".join(text.split()).replace(" ,", ",")


def render(family: Family, index: int) -> ProductSpec:
    values = family.values(index)
    attributes = {key: _clean(template.format(**values)) for key, template in family.attributes}
    attributes["brand"] = values.get("brand", HOUSE_BRAND)
    units = []
    for unit in family.units:
        factor = unit.factor.format(**values)
        if factor:
            units.append((unit.code, _clean(unit.name.format(**values)), Decimal(factor)))
    return ProductSpec(
        sku=family.sku.format(**values).upper().replace(" ", ""),
        name=_clean(family.name.format(**values)),
        description=_clean(family.description.format(**values)),
        category_path=family.path,
        attributes={key: value for key, value in attributes.items() if value},
        base_uom=family.base_uom,
        units=tuple(units),
        min_order_quantity=Decimal(family.min_order_quantity.format(**values)),
        order_increment=Decimal(family.order_increment.format(**values)),
    )


def allocate(total: int, spaces: Sequence[int]) -> list[int]:
    """Split `total` products over families, ~ the square root of each family's size, capped by it.

    The square root keeps a small catalog varied (every family gets some) while a large one still
    fills the big families (cutting tools, fasteners) the way real distributor catalogs do.
    """
    if total > sum(spaces):
        raise ValueError(f"the demo assortment has only {sum(spaces)} products, asked for {total}")
    counts = [0] * len(spaces)
    remaining = total
    while remaining > 0:
        open_ = [i for i, space in enumerate(spaces) if counts[i] < space]
        weights = {i: math.sqrt(spaces[i]) for i in open_}
        scale = remaining / sum(weights.values())
        shares = {i: min(spaces[i] - counts[i], weights[i] * scale) for i in open_}
        granted = {i: math.floor(share) for i, share in shares.items()}
        leftover = remaining - sum(granted.values())
        if leftover > 0:
            # Largest fractions first, ties by family order: deterministic.
            by_fraction = sorted(open_, key=lambda i: (-(shares[i] - granted[i]), i))
            for i in by_fraction:
                if leftover == 0:
                    break
                if counts[i] + granted[i] < spaces[i]:
                    granted[i] += 1
                    leftover -= 1
        for i, amount in granted.items():
            counts[i] += amount
        remaining = total - sum(counts)
    return counts


def category_paths(families: Iterable[Family]) -> list[tuple[str, ...]]:
    """Every category (and its ancestors) in first-seen order."""
    seen: dict[tuple[str, ...], None] = {}
    for family in families:
        for end in range(1, len(family.path) + 1):
            seen.setdefault(family.path[:end], None)
    return list(seen)


def sample_products(*, total: int, rng: random.Random, families: Sequence[Family]) -> Iterator[ProductSpec]:
    """`total` distinct products sampled from the families, in family order (lazily: large is 200k)."""
    counts = allocate(total, [family.space for family in families])
    skus: set[str] = set()
    for family, count in zip(families, counts, strict=True):
        for index in sorted(rng.sample(range(family.space), count)):
            spec = render(family, index)
            if spec.sku in skus:
                raise ValueError(f"{spec.sku} is made twice: make the family's SKU template unique")
            skus.add(spec.sku)
            yield spec
