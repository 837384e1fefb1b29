from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest

from meridian.catalog.models import Category, Product, ProductUnit
from meridian.core.actor import Actor, StaffRole
from meridian.customers.models import Account, BuyerUser, CustomerGroup
from meridian.staff.models import StaffMember
from meridian.tenancy.models import Organization, Website
from tests.actors import actor_for
from tests.catalog.factories import CategoryFactory, ProductFactory
from tests.customers.factories import AccountFactory, BuyerUserFactory, CustomerGroupFactory
from tests.staff.factories import StaffMemberFactory
from tests.tenancy.factories import OrganizationFactory, WebsiteFactory


@dataclass
class Shop:
    """A seller with one USD website, a Fasteners category, two products and a three-level account tree."""

    organization: Organization
    website: Website
    fasteners: Category
    tools: Category
    bolt: Product  # EA, also sold by the box of 12 (BX)
    hammer: Product
    gold: CustomerGroup
    parent: Account
    child: Account  # in Gold
    grandchild: Account
    sibling: Account
    admin: StaffMember
    buyer: BuyerUser  # a buyer of `child`

    @property
    def staff(self) -> Actor:
        return actor_for(self.admin, website_id=self.website.pk)

    @property
    def buyer_actor(self) -> Actor:
        return actor_for(self.buyer, website_id=self.website.pk)

    def product(self, sku: str, *, category: Category | None = None, cost: str | None = None) -> Product:
        return ProductFactory(
            organization=self.organization,
            sku=sku,
            category=category or self.fasteners,
            standard_cost=Decimal(cost) if cost is not None else None,
        )


@pytest.fixture
def shop(db: None) -> Shop:
    organization = OrganizationFactory()
    website = WebsiteFactory(organization=organization, default_currency="USD", is_default=True)
    fasteners = CategoryFactory(organization=organization, name="Fasteners", slug="fasteners")
    tools = CategoryFactory(organization=organization, name="Tools", slug="tools")
    bolt = ProductFactory(
        organization=organization, sku="BOLT", category=fasteners, standard_cost=Decimal("4.00")
    )
    ProductUnit.objects.create(product=bolt, code="BX", factor=Decimal(12))
    hammer = ProductFactory(
        organization=organization, sku="HAMMER", category=tools, standard_cost=Decimal("20.00")
    )
    gold = CustomerGroupFactory(organization=organization, code="GOLD", name="Gold")
    parent = AccountFactory(organization=organization, name="Acme Holding")
    child = AccountFactory(parent=parent, name="Acme Ohio", customer_group=gold)
    grandchild = AccountFactory(parent=child, name="Acme Ohio Plant 2", customer_group=gold)
    sibling = AccountFactory(parent=parent, name="Acme Texas")
    admin = StaffMemberFactory(organization=organization, role=StaffRole.ADMIN)
    buyer = BuyerUserFactory(account=child)
    return Shop(
        organization=organization,
        website=website,
        fasteners=fasteners,
        tools=tools,
        bolt=bolt,
        hammer=hammer,
        gold=gold,
        parent=Account.objects.get(pk=parent.pk),
        child=Account.objects.get(pk=child.pk),
        grandchild=Account.objects.get(pk=grandchild.pk),
        sibling=Account.objects.get(pk=sibling.pk),
        admin=admin,
        buyer=buyer,
    )
