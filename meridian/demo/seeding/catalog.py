"""Categories, products and units, visibility rules and customer part numbers."""

from __future__ import annotations

import random
from collections.abc import Iterable
from decimal import Decimal

from django.utils.text import slugify

from meridian.catalog import engine
from meridian.catalog.models import Category, CustomerPartNumber, Product, ProductUnit, VisibilityRule
from meridian.catalog.services import ProductInput, product_values
from meridian.demo.catalog_data import ProductSpec, category_paths, sample_products
from meridian.demo.catalog_data.families import FAMILIES, TOP_CATEGORY_DESCRIPTIONS
from meridian.demo.seeding.base import ProductRow, SeederBase, bulk

PRODUCT_CHUNK = 5000
HAZMAT = ("Hazmat & Chemicals",)
OEM_COMPONENTS = ("OEM Components",)
CIRCUIT_PROTECTION = ("Electrical", "Circuit Protection")
COMPRESSED_GASES = ("Hazmat & Chemicals", "Compressed Gases")
# Categories some buyers cannot see: customer part numbers are only given for products their buyers see.
RESTRICTED = (HAZMAT, OEM_COMPONENTS, CIRCUIT_PROTECTION)


# Plausible unit costs (USD, per base unit) by top category: a bolt is cents, a gearbox hundreds.
COST_RANGES: dict[str, tuple[float, float]] = {
    "Fasteners": (0.04, 2.5),
    "Power Transmission": (8.0, 420.0),
    "Safety & PPE": (0.6, 45.0),
    "Electrical": (1.5, 160.0),
    "Fluid Power": (6.0, 380.0),
    "Abrasives": (0.4, 28.0),
    "Adhesives & Sealants": (3.0, 40.0),
    "Cutting Tools": (4.0, 120.0),
    "Material Handling": (25.0, 900.0),
    "Hazmat & Chemicals": (4.0, 65.0),
    "Janitorial": (1.0, 35.0),
    "Welding": (2.0, 220.0),
    "OEM Components": (3.0, 250.0),
}


class CatalogSeeding(SeederBase):
    def seed_categories(self) -> None:
        paths = category_paths(FAMILIES)
        children: dict[tuple[str, ...], int] = {}
        for path in paths:
            parent = path[:-1]
            children[parent] = children.get(parent, 0) + 1
        position: dict[tuple[str, ...], int] = {}
        materialized: dict[tuple[str, ...], str] = {}
        slugs: set[str] = set()
        rows: list[Category] = []
        for path in paths:
            parent = path[:-1]
            position[parent] = position.get(parent, 0) + 1
            materialized[path] = Category._get_path(materialized.get(parent), len(path), position[parent])
            slug = slugify(path[-1])
            if slug in slugs:
                slug = slugify(" ".join(path))
            slugs.add(slug)
            rows.append(
                Category(
                    organization=self.organization,
                    name=path[-1],
                    slug=slug,
                    description=TOP_CATEGORY_DESCRIPTIONS.get(path[-1], "") if len(path) == 1 else "",
                    external_id=f"CAT-{len(rows) + 1:04d}",
                    path=materialized[path],
                    depth=len(path),
                    numchild=children.get(path, 0),
                )
            )
        self.categories = dict(zip(paths, bulk(Category, rows), strict=True))
        self.step("categories", len(rows))

    def seed_products(self) -> None:
        rng = self.rng("products")
        cost_rng = self.rng("costs")  # its own stream, so adding costs did not change the products
        specs = sample_products(total=self.profile.products, rng=rng, families=FAMILIES)
        self.products: list[ProductRow] = []
        units = 0
        chunk: list[tuple[Product, ProductSpec]] = []
        for spec in specs:
            draw = rng.random()
            status = (
                Product.Status.DISCONTINUED
                if draw < 0.02
                else Product.Status.DRAFT
                if draw < 0.025
                else Product.Status.ACTIVE
            )
            data = ProductInput(
                sku=spec.sku,
                name=spec.name,
                description=spec.description,
                category_id=self.categories[spec.category_path].pk,
                base_uom=spec.base_uom,
                min_order_quantity=spec.min_order_quantity,
                order_increment=spec.order_increment,
                status=status,
                attributes=dict(spec.attributes),
                external_id=f"{100_000 + len(self.products) + len(chunk)}",
            )
            product = Product(organization=self.organization, sku=data.sku.strip(), **product_values(data))
            low, high = COST_RANGES.get(spec.category_path[0], (2.0, 150.0))
            product.standard_cost = Decimal(str(round(cost_rng.uniform(low, high), 2)))
            chunk.append((product, spec))
            if len(chunk) == PRODUCT_CHUNK:
                units += self._save_products(chunk)
                chunk = []
        units += self._save_products(chunk)
        self.step("products", len(self.products))
        self.step("product units", units)

    def _save_products(self, chunk: list[tuple[Product, ProductSpec]]) -> int:
        saved = bulk(Product, [product for product, _ in chunk])
        units = [
            ProductUnit(product=product, code=code, name=name, factor=factor)
            for product, (_, spec) in zip(saved, chunk, strict=True)
            for code, name, factor in spec.units
        ]
        bulk(ProductUnit, units)
        self.products.extend(
            ProductRow(product.pk, spec.category_path, product.status == Product.Status.ACTIVE)
            for product, (_, spec) in zip(saved, chunk, strict=True)
        )
        return len(units)

    def seed_visibility_rules(self) -> None:
        rng = self.rng("visibility")
        rules = [
            self._rule(OEM_COMPONENTS, include=False, note="Made-to-print parts: OEM accounts only"),
            self._rule(
                OEM_COMPONENTS, include=True, customer_group=self.groups["OEM"], note="OEM production parts"
            ),
        ]
        if "ca" in self.websites:
            rules.append(
                self._rule(
                    CIRCUIT_PROTECTION,
                    include=False,
                    website=self.websites["ca"],
                    note="UL-listed range; CSA range pending",
                )
            )
        if "mx" in self.websites:
            rules.append(
                self._rule(
                    HAZMAT,
                    include=False,
                    website=self.websites["mx"],
                    note="No cross-border hazmat shipments",
                )
            )
        if "TOR" in self.branches:
            rules.append(
                self._rule(
                    COMPRESSED_GASES,
                    include=False,
                    branch=self.branches["TOR"],
                    note="Cylinders are not stocked in Toronto",
                )
            )
        plant = self.demo_nodes["plant"]
        rules.append(
            self._account_rule(
                plant, HAZMAT, include=False, note="Plant safety policy: no hazardous materials"
            )
        )
        second_levels = [
            path
            for path in self.categories
            if len(path) == 2 and path[0] not in (HAZMAT[0], OEM_COMPONENTS[0])
        ]
        companies = [
            index
            for index, node in enumerate(self.nodes)
            if node.parent is None and index != self.demo_nodes["company"]
        ]
        for position, index in enumerate(companies):
            draw = rng.random()
            if position == 0 or draw < 0.03:
                rules.append(
                    self._account_rule(
                        index, HAZMAT, include=False, note="Customer policy: no hazmat on site"
                    )
                )
            elif draw < 0.05:
                category = rng.choice(second_levels)
                rules.append(
                    self._account_rule(
                        index, category, include=False, note="Sourced under the customer's tooling contract"
                    )
                )
            elif draw < 0.07 and self.nodes[index].account.customer_group_id != self.groups["OEM"].pk:
                rules.append(
                    self._account_rule(
                        index,
                        ("OEM Components", "Shoulder Screws"),
                        include=True,
                        note="Approved spare parts",
                    )
                )
        bulk(VisibilityRule, rules)
        self.step("visibility rules", len(rules))

    def _rule(self, path: tuple[str, ...], *, include: bool, note: str, **scope: object) -> VisibilityRule:
        effect = VisibilityRule.Effect.INCLUDE if include else VisibilityRule.Effect.EXCLUDE
        return VisibilityRule(
            organization=self.organization, category=self.categories[path], effect=effect, note=note, **scope
        )

    def _account_rule(self, index: int, path: tuple[str, ...], *, include: bool, note: str) -> VisibilityRule:
        if not include:
            self.nodes[index].excluded.add(path)
        return self._rule(path, include=include, account=self.nodes[index].account, note=note)

    def _hidden_for(self, index: int) -> list[tuple[str, ...]]:
        """Categories some of this account's buyers may not see (its own and its ancestors' exclusions)."""
        node, hidden = self.nodes[index], list(RESTRICTED)
        if self.nodes[node.root].account.customer_group_id == self.groups["OEM"].pk:
            hidden.remove(OEM_COMPONENTS)
        while True:
            hidden.extend(node.excluded)
            if node.parent is None:
                return hidden
            node = self.nodes[node.parent]

    def seed_part_numbers(self) -> None:
        rng = self.rng("part-numbers")
        low, high = self.profile.part_numbers_per_company
        rows = []
        for index, node in enumerate(self.nodes):
            if node.parent is None:
                count = rng.randint(low, high)
            elif rng.random() < 0.2:
                count = rng.randint(3, 10)
            else:
                continue
            hidden = self._hidden_for(index)
            style = rng.randrange(4)
            initials = "".join(
                word[0] for word in self.nodes[node.root].account.name.split() if word[:1].isalpha()
            )[:3].upper()
            seen: set[str] = set()
            for product in self._pick_products(rng, count, hidden):
                part_number = _part_number(rng, style, initials or "CP")
                normalized = engine.normalize_part_number(part_number)
                if normalized in seen:
                    continue
                seen.add(normalized)
                rows.append(
                    CustomerPartNumber(
                        organization=self.organization,
                        account=node.account,
                        product_id=product.pk,
                        part_number=part_number,
                        normalized=normalized,
                    )
                )
        bulk(CustomerPartNumber, rows)
        self.step("part numbers", len(rows))

    def _pick_products(
        self, rng: random.Random, count: int, hidden: Iterable[tuple[str, ...]]
    ) -> list[ProductRow]:
        hidden = list(hidden)
        chosen: dict[int, ProductRow] = {}
        for _ in range(count * 20):
            if len(chosen) == count:
                break
            product = self.products[rng.randrange(len(self.products))]
            if product.is_active and not any(product.category[: len(path)] == path for path in hidden):
                chosen.setdefault(product.pk, product)
        return list(chosen.values())


def _part_number(rng: random.Random, style: int, initials: str) -> str:
    if style == 0:
        return f"{initials}-{rng.randint(10000, 99999)}"
    if style == 1:
        return f"{rng.randint(100, 999)}-{rng.randint(1000, 9999)}-{rng.choice('ABCDE')}"
    if style == 2:
        return f"MRO{rng.randint(100000, 999999)}"
    return f"{initials}{rng.randint(1000, 9999)}.{rng.randint(1, 99):02d}"
