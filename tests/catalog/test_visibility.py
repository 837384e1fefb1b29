from __future__ import annotations

import pytest

from meridian.catalog import engine
from meridian.catalog.errors import ProductNotFound
from meridian.catalog.models import VisibilityRule
from meridian.catalog.queries import get_product, search_products, visible_products
from tests.actors import actor_for
from tests.catalog.factories import (
    CategoryFactory,
    CustomerPartNumberFactory,
    ProductFactory,
    VisibilityRuleFactory,
)
from tests.customers.factories import AccountFactory, BuyerUserFactory, CustomerGroupFactory
from tests.tenancy.factories import OrganizationFactory, WebsiteFactory

EXCLUDE, INCLUDE = VisibilityRule.Effect.EXCLUDE, VisibilityRule.Effect.INCLUDE


def test_most_specific_rule_decides() -> None:
    product = engine.ProductRef(product_id=7, category_path="00010002")
    website_excludes_category = engine.Rule(1, engine.Scope.WEBSITE, include=False, category_path="0001")
    account_includes_product = engine.Rule(2, engine.account_scope_rank(1), include=True, product_id=7)

    assert not engine.is_visible(product, [website_excludes_category])
    assert engine.is_visible(product, [website_excludes_category, account_includes_product])


def test_deeper_category_beats_shallower_at_the_same_scope_and_exclude_wins_ties() -> None:
    product = engine.ProductRef(product_id=7, category_path="00010002")
    exclude_all = engine.Rule(1, engine.account_scope_rank(1), include=False)
    include_sub = engine.Rule(2, engine.account_scope_rank(1), include=True, category_path="00010002")
    tie_exclude = engine.Rule(3, engine.account_scope_rank(1), include=False, category_path="00010002")

    assert engine.is_visible(product, [exclude_all, include_sub])
    assert not engine.is_visible(product, [exclude_all, include_sub, tie_exclude])
    assert not engine.is_visible(engine.ProductRef(8, "0003"), [exclude_all, include_sub])


def test_normalize_part_number_ignores_case_and_separators() -> None:
    assert engine.normalize_part_number(" ab-12.3 x") == "AB123X"


@pytest.mark.django_db
def test_account_rule_is_inherited_by_children_and_child_rule_overrides() -> None:
    org = OrganizationFactory()
    WebsiteFactory(organization=org)
    fasteners = CategoryFactory(organization=org, name="Fasteners")
    bolts = CategoryFactory(parent=fasteners, name="Bolts")
    bolt = ProductFactory(organization=org, category=bolts, name="Hex bolt")
    glove = ProductFactory(organization=org, name="Nitrile glove")
    parent = AccountFactory(organization=org)
    child = AccountFactory(parent=parent)
    grandchild = AccountFactory(parent=child)
    VisibilityRuleFactory(organization=org, account=parent, category=fasteners, effect=EXCLUDE)
    VisibilityRuleFactory(organization=org, account=grandchild, product=bolt, effect=INCLUDE)

    child_actor = actor_for(BuyerUserFactory(account=child))
    grandchild_actor = actor_for(BuyerUserFactory(account=grandchild))

    assert set(visible_products(child_actor)) == {glove}
    assert set(visible_products(grandchild_actor)) == {bolt, glove}


@pytest.mark.django_db
def test_group_and_website_rules_apply_and_hidden_product_answers_not_found() -> None:
    org = OrganizationFactory()
    website = WebsiteFactory(organization=org)
    group = CustomerGroupFactory(organization=org)
    hazmat = CategoryFactory(organization=org, name="Hazmat")
    solvent = ProductFactory(organization=org, category=hazmat, sku="SOLV-1")
    VisibilityRuleFactory(organization=org, website=website, category=hazmat, effect=EXCLUDE)
    VisibilityRuleFactory(organization=org, customer_group=group, category=hazmat, effect=INCLUDE)
    plain = actor_for(BuyerUserFactory(account=AccountFactory(organization=org)))
    licensed = actor_for(BuyerUserFactory(account=AccountFactory(organization=org, customer_group=group)))

    with pytest.raises(ProductNotFound):
        get_product(actor=plain, reference="SOLV-1")
    assert get_product(actor=licensed, reference="SOLV-1") == solvent


@pytest.mark.django_db
def test_search_finds_product_by_own_part_number_but_not_by_another_accounts() -> None:
    org = OrganizationFactory()
    WebsiteFactory(organization=org)
    product = ProductFactory(organization=org, sku="HB-M8-40", name="Hex bolt M8 x 40")
    mine, other = AccountFactory(organization=org), AccountFactory(organization=org)
    CustomerPartNumberFactory(account=mine, product=product, part_number="ACME-4711")
    CustomerPartNumberFactory(account=other, product=product, part_number="ZZ-9000")
    actor = actor_for(BuyerUserFactory(account=mine))

    page = search_products(actor=actor, query="acme 4711")
    foreign = search_products(actor=actor, query="ZZ-9000")

    assert [p.sku for p in page.items] == ["HB-M8-40"]
    assert page.part_numbers == {product.pk: "ACME-4711"}
    assert foreign.count == 0
    assert get_product(actor=actor, reference="acme4711") == product
