from __future__ import annotations

from typing import Any

import factory

from meridian.catalog import engine
from meridian.catalog.models import Category, CustomerPartNumber, Product, VisibilityRule
from tests.tenancy.factories import OrganizationFactory


class CategoryFactory(factory.django.DjangoModelFactory):
    """Pass `parent=` for a subcategory."""

    class Meta:
        model = Category

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")

    @classmethod
    def _create(
        cls, model_class: type[Category], *args: Any, parent: Category | None = None, **kwargs: Any
    ) -> Category:
        if parent is not None:
            kwargs["organization"] = parent.organization
            return Category.objects.add_child(parent, create_kwargs=kwargs)
        return Category.objects.add_root(create_kwargs=kwargs)


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    organization = factory.SubFactory(OrganizationFactory)
    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    name = factory.Sequence(lambda n: f"Product {n}")
    search_document = factory.LazyAttribute(
        lambda o: engine.search_document(sku=o.sku, name=o.name, description="", attributes={})
    )


class CustomerPartNumberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomerPartNumber

    organization = factory.SelfAttribute("account.organization")
    account = factory.SubFactory("tests.customers.factories.AccountFactory")
    product = factory.SubFactory(ProductFactory, organization=factory.SelfAttribute("..organization"))
    part_number = factory.Sequence(lambda n: f"CPN-{n}")
    normalized = factory.LazyAttribute(lambda o: engine.normalize_part_number(o.part_number))


class VisibilityRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VisibilityRule

    organization = factory.SubFactory(OrganizationFactory)
    effect = VisibilityRule.Effect.EXCLUDE
