"""load_products: the products a cart names as the actor may see them, with the chain's part numbers.

On PostgreSQL one hand-written statement reads the visibility rules, decides and finds the part
numbers; it must answer the rows of catalog's `visible_products` (the ORM, and SQLite's path).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from meridian.catalog.models import Product, VisibilityRule
from meridian.catalog.queries import visible_products
from meridian.core.actor import ANONYMOUS, Actor
from meridian.core.errors import NotFound
from meridian.customers.models import Account
from meridian.pricing.queries import PricedAccount, load_cart, load_products, load_scope
from tests.actors import actor_for
from tests.catalog.factories import (
    CategoryFactory,
    CustomerPartNumberFactory,
    ProductFactory,
    VisibilityRuleFactory,
)
from tests.customers.factories import BuyerUserFactory, CustomerGroupFactory
from tests.pricing.conftest import Shop
from tests.staff.factories import StaffMemberFactory
from tests.tenancy.factories import BranchFactory

EXCLUDE, INCLUDE = VisibilityRule.Effect.EXCLUDE, VisibilityRule.Effect.INCLUDE


def _loaded(actor: Actor, shop: Shop, skus: list[str]) -> set[int]:
    return set(load_products(actor=actor, organization_id=shop.organization.pk, skus=skus, with_units=False))


def _visible(actor: Actor, skus: list[str]) -> set[int]:
    return set(visible_products(actor).filter(sku__in=skus).values_list("pk", flat=True))


@pytest.mark.django_db
def test_the_products_loaded_by_sku_are_exactly_the_visible_ones_whatever_the_rules(shop: Shop) -> None:
    organization = shop.organization
    branch = BranchFactory(organization=organization)
    Account.objects.filter(pk=shop.child.pk).update(branch=branch)
    deep = CategoryFactory(parent=shop.fasteners, name="Bolts")
    deeper = CategoryFactory(parent=deep, name="Hex bolts")
    categories = [shop.fasteners, shop.tools, deep, deeper]
    products = [shop.bolt, shop.hammer]
    products += [ProductFactory(organization=organization, category=category) for category in categories * 2]
    products.append(ProductFactory(organization=organization, category=None))
    products.append(ProductFactory(organization=organization, category=deep, status=Product.Status.DRAFT))
    skus = [product.sku for product in products]
    other_group = CustomerGroupFactory(organization=organization)
    scopes: list[dict[str, object]] = [
        {},
        {"website": shop.website},
        {"branch": branch},
        {"customer_group": shop.gold},
        {"customer_group": other_group},
        {"account": shop.parent},
        {"account": shop.child},
        {"account": shop.grandchild},
        {"account": shop.sibling},
    ]
    actors = [
        actor_for(shop.buyer, website_id=shop.website.pk),
        actor_for(BuyerUserFactory(account=shop.grandchild), website_id=shop.website.pk),
        actor_for(BuyerUserFactory(account=shop.sibling)),
    ]
    # A nearer account's rule beats its ancestor's, though the ancestor's excludes at the same target.
    VisibilityRuleFactory(organization=organization, account=shop.parent, effect=EXCLUDE)
    VisibilityRuleFactory(organization=organization, account=shop.child, effect=INCLUDE)
    assert _loaded(actors[0], shop, skus) == _visible(actors[0], skus) == {p.pk for p in products[:-1]}
    generator = random.Random(20261127)

    for _ in range(25):
        VisibilityRule.objects.all().delete()
        for _ in range(generator.randint(1, 7)):
            target = generator.choice(["all", "category", "product"])
            VisibilityRuleFactory(
                organization=organization,
                effect=generator.choice([EXCLUDE, INCLUDE]),
                category=generator.choice(categories) if target == "category" else None,
                product=generator.choice(products) if target == "product" else None,
                **generator.choice(scopes),
            )
        for actor in actors:
            assert _loaded(actor, shop, skus) == _visible(actor, skus)


@pytest.mark.django_db
def test_staff_load_every_product_of_their_organization_and_anonymous_none(shop: Shop) -> None:
    draft = ProductFactory(organization=shop.organization, status=Product.Status.DRAFT)
    foreign = ProductFactory(sku="FOREIGN")
    VisibilityRuleFactory(organization=shop.organization, effect=EXCLUDE)
    other_staff = actor_for(StaffMemberFactory(organization=foreign.organization))
    skus = ["BOLT", "HAMMER", draft.sku, "FOREIGN"]

    assert _loaded(shop.staff, shop, skus) == {shop.bolt.pk, shop.hammer.pk, draft.pk}
    assert _loaded(shop.buyer_actor, shop, skus) == set()
    assert _loaded(other_staff, shop, skus) == {foreign.pk}  # as `visible_products`: the actor's own
    assert _loaded(ANONYMOUS, shop, skus) == set()


@pytest.mark.django_db
def test_each_product_carries_the_part_number_of_the_nearest_account_of_the_chain(shop: Shop) -> None:
    CustomerPartNumberFactory(account=shop.parent, product=shop.bolt, part_number="PARENT-BOLT")
    CustomerPartNumberFactory(account=shop.child, product=shop.bolt, part_number="CHILD-BOLT")
    CustomerPartNumberFactory(account=shop.parent, product=shop.hammer, part_number="PARENT-HAMMER")
    CustomerPartNumberFactory(account=shop.sibling, product=shop.hammer, part_number="SIBLING-HAMMER")
    scope = load_scope(
        organization_id=shop.organization.pk,
        account=PricedAccount.of(shop.child),
        website_id=shop.website.pk,
        currency=None,
    )

    loaded = load_products(
        actor=shop.buyer_actor,
        organization_id=shop.organization.pk,
        skus=["BOLT", "HAMMER"],
        part_numbers_of=scope,
    )
    without = load_products(actor=shop.staff, organization_id=shop.organization.pk, skus=["BOLT"])

    assert {info.sku: info.part_number for info in loaded.values()} == {
        "BOLT": "CHILD-BOLT",
        "HAMMER": "PARENT-HAMMER",
    }
    assert loaded[shop.bolt.pk].units == {"BX": Decimal(12)}
    assert without[shop.bolt.pk].part_number == ""


@pytest.mark.django_db
def test_load_cart_reads_what_load_scope_and_load_products_read(shop: Shop) -> None:
    CustomerPartNumberFactory(account=shop.parent, product=shop.hammer, part_number="PARENT-HAMMER")
    VisibilityRuleFactory(
        organization=shop.organization, account=shop.child, product=shop.bolt, effect=EXCLUDE
    )
    account = PricedAccount.of(shop.child)
    skus = ["BOLT", "HAMMER", "NOPE"]
    moment = datetime(2026, 6, 15, 12, tzinfo=UTC)

    scope, products = load_cart(
        actor=shop.buyer_actor,
        organization_id=shop.organization.pk,
        account=account,
        skus=skus,
        website_id=shop.website.pk,
        currency=None,
        now=moment,
    )
    alone = load_scope(
        organization_id=shop.organization.pk,
        account=account,
        website_id=shop.website.pk,
        currency=None,
        now=moment,
    )

    assert (scope.website.pk, scope.currency, scope.strategy, scope.today) == (
        alone.website.pk,
        alone.currency,
        alone.strategy,
        alone.today,
    )
    assert (scope.version, scope.chain_ids) == (alone.version, alone.chain_ids)
    assert products == load_products(
        actor=shop.buyer_actor, organization_id=shop.organization.pk, skus=skus, part_numbers_of=alone
    )
    assert {info.sku: info.part_number for info in products.values()} == {"HAMMER": "PARENT-HAMMER"}
    with pytest.raises(NotFound):
        load_cart(
            actor=shop.buyer_actor,
            organization_id=shop.organization.pk,
            account=account,
            skus=skus,
            website_id=10**9,
            currency=None,
        )
