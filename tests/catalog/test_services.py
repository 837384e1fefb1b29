from __future__ import annotations

from decimal import Decimal

import pytest

from meridian.catalog.errors import PartNumberTaken
from meridian.catalog.models import Product, ProductUnit
from meridian.catalog.queries import search_products
from meridian.catalog.services import (
    ProductInput,
    UnitInput,
    create_category,
    set_part_number,
    upsert_product,
)
from meridian.core.actor import StaffRole
from meridian.core.errors import InvalidInput
from meridian.customers.errors import NotAllowed
from tests.actors import actor_for
from tests.catalog.factories import CategoryFactory, CustomerPartNumberFactory, ProductFactory
from tests.customers.factories import AccountFactory, BuyerUserFactory
from tests.staff.factories import StaffMemberFactory


@pytest.mark.django_db
def test_upsert_product_creates_then_updates_by_sku_with_units() -> None:
    staff = StaffMemberFactory(role=StaffRole.INSIDE_SALES)
    category = CategoryFactory(organization=staff.organization)
    actor = actor_for(staff)
    data = ProductInput(
        sku="HXB-M8X40",
        name="Hex Bolt M8 x 40",
        category_id=category.pk,
        min_order_quantity=Decimal(100),
        order_increment=Decimal(100),
        units=[UnitInput(code="bx", factor=Decimal(100), name="Box of 100")],
    )

    created_product, created = upsert_product(actor=actor, data=data)
    updated_product, created_again = upsert_product(
        actor=actor,
        data=ProductInput(sku="HXB-M8X40", name="Hex Bolt M8 x 40, zinc", category_id=category.pk),
    )

    assert created and not created_again
    assert created_product.pk == updated_product.pk
    assert updated_product.name == "Hex Bolt M8 x 40, zinc"
    assert "hxbm8x40" in updated_product.search_document
    assert list(ProductUnit.objects.filter(product=updated_product).values_list("code", "factor")) == [
        ("BX", Decimal("100.000"))
    ]


@pytest.mark.django_db
def test_upsert_product_reports_every_bad_field_and_writes_nothing() -> None:
    staff = StaffMemberFactory(role=StaffRole.ADMIN)
    foreign_category = CategoryFactory()
    data = ProductInput(
        sku="has space",
        name=" ",
        category_id=foreign_category.pk,
        min_order_quantity=Decimal(0),
        units=[UnitInput(code="BX", factor=Decimal(-1))],
    )

    with pytest.raises(InvalidInput) as excinfo:
        upsert_product(actor=actor_for(staff), data=data)

    assert set(excinfo.value.fields) == {"sku", "name", "category", "min_order_quantity", "units.0.factor"}
    assert Product.objects.count() == 0


@pytest.mark.django_db
def test_buyers_and_warehouse_cannot_change_the_catalog() -> None:
    buyer = BuyerUserFactory(is_admin=True)
    warehouse = StaffMemberFactory(role=StaffRole.WAREHOUSE)

    with pytest.raises(NotAllowed):
        upsert_product(actor=actor_for(buyer), data=ProductInput(sku="A", name="A"))
    with pytest.raises(NotAllowed):
        create_category(actor=actor_for(warehouse), name="Tools")
    assert Product.objects.count() == 0


@pytest.mark.django_db
def test_part_number_is_unique_per_account_and_inherited_by_children() -> None:
    admin = BuyerUserFactory(is_admin=True)
    org = admin.account.organization
    bolt = ProductFactory(organization=org, name="Hex bolt")
    nut = ProductFactory(organization=org, name="Hex nut")
    child_buyer = BuyerUserFactory(account=AccountFactory(parent=admin.account))
    set_part_number(actor=actor_for(admin), account=admin.account, product=bolt, part_number="AC-100")

    with pytest.raises(PartNumberTaken):
        set_part_number(actor=actor_for(admin), account=admin.account, product=nut, part_number="ac 100")
    page = search_products(actor=actor_for(child_buyer), query="AC-100")

    assert [p.pk for p in page.items] == [bolt.pk]


@pytest.mark.django_db
def test_child_accounts_own_part_number_wins_over_parents() -> None:
    parent = AccountFactory()
    child = AccountFactory(parent=parent)
    product = ProductFactory(organization=parent.organization)
    CustomerPartNumberFactory(account=parent, product=product, part_number="PARENT-1")
    CustomerPartNumberFactory(account=child, product=product, part_number="CHILD-1")

    page = search_products(actor=actor_for(BuyerUserFactory(account=child)), query="")

    assert page.part_numbers == {product.pk: "CHILD-1"}


@pytest.mark.django_db
def test_search_query_count_is_flat(django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    buyer = BuyerUserFactory()
    org = buyer.account.organization
    actor = actor_for(buyer)
    for count in (1, 5):
        ProductFactory.create_batch(count, organization=org, name="Gasket")
        # visibility rules, page ids (+window count), products (+category), own part numbers
        with django_assert_num_queries(4):
            page = search_products(actor=actor, query="gasket")
        assert len(page.items) == (1 if count == 1 else 6)
