"""Catalog write paths: products (upsert by SKU), categories, part numbers, visibility rules."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils.text import slugify

from meridian.catalog import engine, queries
from meridian.catalog.errors import PartNumberTaken
from meridian.catalog.models import Category, CustomerPartNumber, Product, ProductUnit, VisibilityRule
from meridian.core.actor import Actor, BuyerRole, StaffRole
from meridian.core.errors import InvalidInput
from meridian.customers import queries as customer_queries
from meridian.customers.errors import NotAllowed
from meridian.customers.models import Account, CustomerGroup
from meridian.tenancy.models import Branch, Website

CATALOG_EDITORS = {StaffRole.ADMIN, StaffRole.SALES_MANAGER, StaffRole.INSIDE_SALES}


def _require_catalog_editor(actor: Actor) -> int:
    if not (actor.is_staff and actor.staff_role in CATALOG_EDITORS) or actor.organization_id is None:
        raise NotAllowed("change the catalog")
    return actor.organization_id


@dataclass(frozen=True, slots=True)
class UnitInput:
    code: str
    factor: Decimal
    name: str = ""


@dataclass(frozen=True, slots=True)
class ProductInput:
    sku: str
    name: str
    description: str = ""
    category_id: int | None = None
    base_uom: str = "EA"
    min_order_quantity: Decimal = Decimal(1)
    order_increment: Decimal = Decimal(1)
    status: str = Product.Status.ACTIVE
    attributes: dict[str, str | int | float | bool | None] = field(default_factory=dict)
    external_id: str = ""
    units: Sequence[UnitInput] | None = None  # None keeps the current units


def _validate_product(organization_id: int, data: ProductInput) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not data.sku.strip() or len(data.sku.strip()) > 64 or any(ch.isspace() for ch in data.sku.strip()):
        errors["sku"] = ["1 to 64 characters without spaces"]
    if not data.name.strip():
        errors["name"] = ["must not be empty"]
    if data.min_order_quantity <= 0:
        errors["min_order_quantity"] = ["must be greater than 0"]
    if data.order_increment <= 0:
        errors["order_increment"] = ["must be greater than 0"]
    if data.status not in Product.Status.values:
        errors["status"] = [f"one of {sorted(Product.Status.values)}"]
    if not data.base_uom.strip():
        errors["base_uom"] = ["must not be empty"]
    if (
        data.category_id is not None
        and not Category.objects.filter(pk=data.category_id, organization_id=organization_id).exists()
    ):
        errors["category"] = [f"no category with id {data.category_id}"]
    seen: set[str] = set()
    for index, unit in enumerate(data.units or ()):
        code = unit.code.strip().upper()
        if not code:
            errors[f"units.{index}.code"] = ["must not be empty"]
        elif code in seen or code == data.base_uom.strip().upper():
            errors[f"units.{index}.code"] = [f"unit {code} is listed twice"]
        seen.add(code)
        if unit.factor <= 0:
            errors[f"units.{index}.factor"] = ["must be greater than 0"]
    if data.external_id and (
        Product.objects.filter(organization_id=organization_id, external_id=data.external_id)
        .exclude(sku=data.sku.strip())
        .exists()
    ):
        errors["external_id"] = ["already used by another product"]
    return errors


def product_values(data: ProductInput) -> dict[str, object]:
    """Column values for a product (shared by the upsert and the bulk seed)."""
    sku = data.sku.strip()
    return {
        "name": data.name.strip(),
        "description": data.description,
        "category_id": data.category_id,
        "base_uom": data.base_uom.strip().upper(),
        "min_order_quantity": data.min_order_quantity,
        "order_increment": data.order_increment,
        "status": data.status,
        "attributes": dict(data.attributes),
        "external_id": data.external_id,
        "search_document": engine.search_document(
            sku=sku, name=data.name, description=data.description, attributes=dict(data.attributes)
        ),
    }


@transaction.atomic
def upsert_product(*, actor: Actor, data: ProductInput) -> tuple[Product, bool]:
    """Create or update the product with this SKU; returns (product, created)."""
    organization_id = _require_catalog_editor(actor)
    errors = _validate_product(organization_id, data)
    if errors:
        raise InvalidInput("invalid product", fields=errors)
    product, created = Product.objects.update_or_create(
        organization_id=organization_id, sku=data.sku.strip(), defaults=product_values(data)
    )
    if data.units is not None:
        ProductUnit.objects.filter(product=product).delete()
        ProductUnit.objects.bulk_create(
            ProductUnit(product=product, code=unit.code.strip().upper(), name=unit.name, factor=unit.factor)
            for unit in data.units
        )
    return product, created


@transaction.atomic
def create_category(
    *, actor: Actor, name: str, parent: Category | None = None, slug: str = "", external_id: str = ""
) -> Category:
    organization_id = _require_catalog_editor(actor)
    slug = slugify(slug or name)
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = ["must not be empty"]
    if not slug:
        errors["slug"] = ["must contain letters or digits"]
    elif Category.objects.filter(organization_id=organization_id, slug=slug).exists():
        errors["slug"] = [f"{slug!r} is already used"]
    if (
        external_id
        and Category.objects.filter(organization_id=organization_id, external_id=external_id).exists()
    ):
        errors["external_id"] = ["already used"]
    if errors:
        raise InvalidInput("invalid category", fields=errors)
    values = {
        "organization_id": organization_id,
        "name": name.strip(),
        "slug": slug,
        "external_id": external_id,
    }
    if parent is None:
        return Category.objects.add_root(create_kwargs=values)
    parent = queries.get_category(actor=actor, reference=parent.pk)
    return Category.objects.add_child(parent, create_kwargs=values)


@transaction.atomic
def set_part_number(
    *, actor: Actor, account: Account, product: Product, part_number: str
) -> CustomerPartNumber:
    """Give `account` its own code for `product` (account admins and staff)."""
    if actor.is_buyer and not actor.has_buyer_role(BuyerRole.ADMIN):
        raise NotAllowed("manage part numbers")
    account = customer_queries.get_account(actor=actor, reference=account.pk)
    normalized = engine.normalize_part_number(part_number)
    if not normalized:
        raise InvalidInput.on("part_number", "must contain letters or digits")
    clash = CustomerPartNumber.objects.filter(account=account, normalized=normalized).exclude(product=product)
    if clash.exists():
        raise PartNumberTaken(part_number)
    row, _ = CustomerPartNumber.objects.update_or_create(
        account=account,
        product=product,
        defaults={
            "organization_id": account.organization_id,
            "part_number": part_number.strip(),
            "normalized": normalized,
        },
    )
    return row


@dataclass(frozen=True, slots=True)
class VisibilityScope:
    website: Website | None = None
    branch: Branch | None = None
    customer_group: CustomerGroup | None = None
    account: Account | None = None


@transaction.atomic
def add_visibility_rule(
    *,
    actor: Actor,
    include: bool,
    scope: VisibilityScope,
    category: Category | None = None,
    product: Product | None = None,
    note: str = "",
) -> VisibilityRule:
    """Include or exclude a category subtree / a product / everything for one scope."""
    organization_id = _require_catalog_editor(actor)
    chosen = [value for value in (scope.website, scope.branch, scope.customer_group, scope.account) if value]
    if len(chosen) > 1:
        raise InvalidInput.on("scope", "choose one of website, branch, customer group or account")
    if category is not None and product is not None:
        raise InvalidInput.on("target", "choose a category or a product, not both")
    for value in (*chosen, category, product):
        if value is not None and value.organization_id != organization_id:
            raise InvalidInput.on("scope", "belongs to another organization")
    return VisibilityRule.objects.create(
        organization_id=organization_id,
        website=scope.website,
        branch=scope.branch,
        customer_group=scope.customer_group,
        account=scope.account,
        category=category,
        product=product,
        effect=VisibilityRule.Effect.INCLUDE if include else VisibilityRule.Effect.EXCLUDE,
        note=note,
    )
