"""Categories and products (addressed by SKU, or for a buyer also by their own part number)."""

from __future__ import annotations

import dataclasses

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router
from ninja.responses import Status

from meridian.api.auth import actor_of
from meridian.api.pagination import PageParams, paginate
from meridian.api.schemas import Reference, error_responses, is_usable_reference
from meridian.catalog import queries, services
from meridian.catalog.errors import CategoryNotFound, ProductNotFound
from meridian.catalog.models import Category, Product
from meridian.catalog.schemas import (
    CategoryIn,
    CategoryList,
    CategoryOut,
    CategoryRef,
    ProductBody,
    ProductFilters,
    ProductIn,
    ProductList,
    ProductOut,
    ProductPatch,
    UnitOut,
)
from meridian.core.actor import Actor
from meridian.core.errors import InvalidInput
from meridian.inventory import queries as inventory
from meridian.inventory.schemas import ProductAvailabilityOut
from meridian.pricing import queries as pricing
from meridian.pricing.schemas import ProductPriceOut, product_price_out

router = Router()


def _category(actor: Actor, reference: str | int, *, field: str) -> Category:
    """A category named in a body or filter: an unknown one is a bad value for that field."""
    try:
        if not is_usable_reference(reference):
            raise CategoryNotFound(reference)
        return queries.get_category(actor=actor, reference=reference)
    except CategoryNotFound:
        raise InvalidInput.on(field, f"no category {reference}") from None


def _category_id(actor: Actor, reference: str | int | None) -> int | None:
    return _category(actor, reference, field="category").pk if reference is not None else None


def _product(actor: Actor, reference: str) -> Product:
    """A visible product by SKU or (buyers) own part number, with category and units."""
    if not is_usable_reference(reference):
        raise ProductNotFound(reference)
    return queries.get_product(actor=actor, reference=reference)


def _categories_out(categories: list[Category]) -> list[CategoryOut]:
    parents = queries.category_parent_ids(categories=categories)
    return [
        CategoryOut(
            id=category.pk,
            name=category.name,
            slug=category.slug,
            parent=parents.get(category.path[: -category.steplen]) if category.depth > 1 else None,
            depth=category.depth,
            external_id=category.external_id,
            is_active=category.is_active,
        )
        for category in categories
    ]


def _product_out(
    product: Product,
    part_number: str | None,
    price: ProductPriceOut | None = None,
    availability: ProductAvailabilityOut | None = None,
) -> ProductOut:
    category = product.category
    units = sorted(product.units.all(), key=lambda unit: (unit.factor, unit.code))
    return ProductOut(
        sku=product.sku,
        name=product.name,
        description=product.description,
        category=CategoryRef(id=category.pk, slug=category.slug) if category is not None else None,
        base_uom=product.base_uom,
        units=[UnitOut(code=unit.code, name=unit.name, factor=unit.factor) for unit in units],
        min_order_quantity=product.min_order_quantity,
        order_increment=product.order_increment,
        status=Product.Status(product.status),
        attributes=product.attributes,
        external_id=product.external_id,
        customer_part_number=part_number,
        price=price,
        availability=availability,
        updated_at=product.updated_at,
    )


def _buyer_prices(actor: Actor, products: list[Product]) -> dict[int, ProductPriceOut]:
    """A buyer's live prices for these products (a fixed number of queries); staff get none."""
    if not actor.is_buyer:
        return {}
    prices = pricing.catalog_prices(actor=actor, products=products)
    return {product_id: product_price_out(price) for product_id, price in prices.items()}


def _buyer_availability(actor: Actor, product: Product) -> ProductAvailabilityOut | None:
    """A buyer's live availability of the product (meridian.inventory's read path; 3 queries)."""
    if not actor.is_buyer:
        return None
    result = inventory.availability_for(actor=actor, product_ids=[product.pk], now=timezone.now())
    found = result.products.get(product.pk)
    return ProductAvailabilityOut.of(product.sku, found, result.warehouses) if found else None


def _one_product_out(actor: Actor, reference: str) -> ProductOut:
    product = _product(actor, reference)
    return _product_out(
        product,
        queries.part_numbers_for(actor, [product.pk]).get(product.pk),
        _buyer_prices(actor, [product]).get(product.pk),
        _buyer_availability(actor, product),
    )


def _upsert(actor: Actor, *, sku: str, payload: ProductBody) -> Status[ProductOut]:
    data = payload.to_input(sku=sku, category_id=_category_id(actor, payload.category))
    product, created = services.upsert_product(actor=actor, data=data)
    return Status(201 if created else 200, _one_product_out(actor, product.sku))


@router.get("/categories", response={200: CategoryList, **error_responses(422)}, tags=["catalog"])
def list_categories(request: HttpRequest, page: Query[PageParams]) -> CategoryList:
    """The category tree in tree order, each with its parent's id and depth (buyers: active ones)."""
    # categories; parents
    count, categories = paginate(queries.list_categories(actor=actor_of(request)), page)
    return CategoryList(count=count, items=_categories_out(categories))


@router.post("/categories", response={201: CategoryOut, **error_responses(403, 422)}, tags=["catalog"])
def create_category(request: HttpRequest, payload: CategoryIn) -> Status[CategoryOut]:
    """Create a category at the top or under `parent` (catalog editors)."""
    actor = actor_of(request)
    parent = _category(actor, payload.parent, field="parent") if payload.parent is not None else None
    category = services.create_category(
        actor=actor, name=payload.name, parent=parent, slug=payload.slug, external_id=payload.external_id
    )
    return Status(201, _categories_out([category])[0])


@router.get("/products", response={200: ProductList, **error_responses(422)}, tags=["catalog"])
def list_products(request: HttpRequest, filters: Query[ProductFilters]) -> ProductList:
    """Search products: `q` matches name, SKU and your part numbers; buyers see only what is visible to them."""
    actor = actor_of(request)
    category = _category(actor, filters.category, field="category") if filters.category else None
    if actor.is_buyer:
        # visibility rules; count; products+category; own part numbers; units
        page = queries.search_products(
            actor=actor, query=filters.q, category=category, limit=filters.limit, offset=filters.offset
        )
        count, products, part_numbers = page.count, page.items, page.part_numbers
    else:
        # count; products+category; units
        count, products = paginate(
            queries.list_products(actor=actor, query=filters.q.strip(), category=category), filters
        )
        part_numbers = {}
    queries.load_units(products)
    # buyers' prices: website+strategy, products, assignments, contracts, rules (when lists apply),
    # entries+customer prices, promotions
    prices = _buyer_prices(actor, products)
    return ProductList(
        count=count,
        items=[
            _product_out(product, part_numbers.get(product.pk), prices.get(product.pk))
            for product in products
        ],
    )


@router.post(
    "/products",
    response={200: ProductOut, 201: ProductOut, **error_responses(403, 409, 422)},
    tags=["catalog"],
)
def upsert_product(request: HttpRequest, payload: ProductIn) -> Status[ProductOut]:
    """Create or update the product with this SKU: 201 when created, 200 when updated."""
    return _upsert(actor_of(request), sku=payload.sku, payload=payload)


@router.get("/products/{sku}", response={200: ProductOut, **error_responses(404)}, tags=["catalog"])
def get_product(request: HttpRequest, sku: Reference) -> ProductOut:
    """One product by SKU, or for a buyer by their own part number; a buyer's includes their `price`
    and `availability`."""
    return _one_product_out(actor_of(request), sku)


@router.put(
    "/products/{sku}",
    response={200: ProductOut, 201: ProductOut, **error_responses(403, 409, 422)},
    tags=["catalog"],
)
def replace_product(request: HttpRequest, sku: Reference, payload: ProductBody) -> Status[ProductOut]:
    """Replace the product's fields (creating it if the SKU is new); omitted `units` are kept."""
    return _upsert(actor_of(request), sku=sku, payload=payload)


@router.patch(
    "/products/{sku}", response={200: ProductOut, **error_responses(403, 404, 409, 422)}, tags=["catalog"]
)
def update_product(request: HttpRequest, sku: Reference, payload: ProductPatch) -> ProductOut:
    """Change only the fields sent."""
    actor = actor_of(request)
    product = _product(actor, sku)
    current = services.ProductInput(
        sku=product.sku,
        name=product.name,
        description=product.description,
        category_id=product.category_id,
        base_uom=product.base_uom,
        min_order_quantity=product.min_order_quantity,
        order_increment=product.order_increment,
        status=product.status,
        attributes=dict(product.attributes),
        external_id=product.external_id,
    )
    changes = payload.changes(category_id=_category_id(actor, payload.category))
    product, _ = services.upsert_product(actor=actor, data=dataclasses.replace(current, **changes))
    return _one_product_out(actor, product.sku)
