"""The category page's hand-written browse query (catalog.queries._browse_page) answers exactly what
the ORM's `visible_products` answers: the same products, in the same order, with the same total."""

from __future__ import annotations

import pytest
from django.db.models import Count, Window

from meridian.catalog.models import Category, Product, VisibilityRule
from meridian.catalog.queries import search_products, visible_products
from meridian.core.actor import Actor
from tests.catalog.factories import CategoryFactory, VisibilityRuleFactory
from tests.pricing.conftest import Shop


def _orm_page(actor: Actor, category: Category | None, limit: int, offset: int) -> tuple[list[int], int]:
    queryset = visible_products(actor)
    if category is not None:
        queryset = queryset.filter(category__path__startswith=category.path)
    rows = list(
        queryset.annotate(total=Window(Count("*")))
        .order_by("name", "pk")
        .values_list("pk", "total")[offset : offset + limit]
    )
    return [pk for pk, _ in rows], (rows[0][1] if rows else queryset.count())


@pytest.fixture
def catalog(shop: Shop) -> Shop:
    """Fasteners (with a Hazmat subcategory) and Tools; a draft; rules of every kind for the buyer."""
    hazmat = CategoryFactory(
        organization=shop.organization, parent=shop.fasteners, name="Hazmat", slug="hazmat"
    )
    names = ["bolt b", "Bolt a", "nut", "washer", "anchor", "Anchor"]  # ties and case: the order is the DB's
    for index, name in enumerate(names):
        product = shop.product(f"F{index}", category=hazmat if index % 2 else shop.fasteners)
        Product.objects.filter(pk=product.pk).update(name=name)
    for index in range(4):
        shop.product(f"T{index}", category=shop.tools)
    draft = shop.product("DRAFT", category=shop.fasteners)
    Product.objects.filter(pk=draft.pk).update(status=Product.Status.DRAFT)
    exclude, include = VisibilityRule.Effect.EXCLUDE, VisibilityRule.Effect.INCLUDE
    VisibilityRuleFactory(organization=shop.organization, category=hazmat, effect=exclude)
    VisibilityRuleFactory(
        organization=shop.organization,
        account=shop.child,
        effect=include,
        product=Product.objects.get(sku="F1"),
    )
    VisibilityRuleFactory(
        organization=shop.organization,
        customer_group=shop.gold,
        effect=exclude,
        product=Product.objects.get(sku="T2"),
    )
    VisibilityRuleFactory(
        organization=shop.organization, website=shop.website, effect=include, category=shop.tools
    )
    return shop


@pytest.mark.parametrize(("limit", "offset"), [(3, 0), (3, 3), (48, 0), (2, 40)])
@pytest.mark.parametrize("whose", ["buyer", "staff"])
@pytest.mark.parametrize("where", [None, "fasteners", "tools"])
@pytest.mark.django_db
def test_a_category_page_is_the_orm_page(
    catalog: Shop, whose: str, where: str | None, limit: int, offset: int
) -> None:
    actor = catalog.buyer_actor if whose == "buyer" else catalog.staff
    category = getattr(catalog, where) if where else None

    page = search_products(actor=actor, category=category, limit=limit, offset=offset)

    assert ([product.pk for product in page.items], page.count) == _orm_page(actor, category, limit, offset)


@pytest.mark.django_db
def test_the_buyer_sees_what_the_rules_decide(catalog: Shop) -> None:
    page = search_products(actor=catalog.buyer_actor, limit=48)

    # Hazmat is excluded but for F1 (the account's own include); T2 is excluded for Gold; no draft.
    assert sorted(product.sku for product in page.items) == [
        "BOLT",
        "F0",
        "F1",
        "F2",
        "F4",
        "HAMMER",
        "T0",
        "T1",
        "T3",
    ]
    assert page.count == 9
