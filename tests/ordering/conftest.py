from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import pytest

from meridian.catalog.models import Product, ProductUnit
from meridian.core.actor import Actor, StaffRole
from meridian.customers.models import Account, Address, BuyerUser, PaymentTerms
from meridian.inventory.models import Warehouse
from meridian.ordering.models import Order
from meridian.ordering.services import OrderLineRequest, place_order
from meridian.pricing.models import PriceList
from meridian.staff.models import StaffMember
from meridian.tenancy.models import Organization, Website
from tests.actors import actor_for
from tests.catalog.factories import ProductFactory
from tests.customers.factories import AccountFactory, AddressFactory, BuyerUserFactory
from tests.inventory.factories import WarehouseAssignmentFactory, WarehouseFactory, receive
from tests.ordering.factories import PaymentTermsFactory
from tests.pricing.factories import (
    CustomerPriceFactory,
    PriceAssignmentFactory,
    PriceListEntryFactory,
    PriceListFactory,
)
from tests.staff.factories import StaffMemberFactory
from tests.tenancy.factories import OrganizationFactory, WebsiteFactory

D = Decimal


@dataclass
class World:
    """A seller with one USD website and warehouse, a price list, four products and an account tree.

    bolt: EA, also BX of 12; 2.00 each, 1.80 from 100; 10,000 in stock.
    washer: minimum 10, increment 10; 0.10; 10,000 in stock.
    hammer: 20.00 on the list, 18.00 for `child` (a customer price); 5 in stock.
    gloves: no price anywhere; 100 in stock.
    Accounts: parent > child (the buyer's, net 30, one US/OH address) and parent > sibling; `other`
    is another customer. The approver sits on `parent`; the rep is assigned `child`.
    """

    organization: Organization
    website: Website
    warehouse: Warehouse
    price_list: PriceList
    bolt: Product
    washer: Product
    hammer: Product
    gloves: Product
    parent: Account
    child: Account
    sibling: Account
    other: Account
    terms: PaymentTerms
    address: Address
    buyer: BuyerUser
    approver: BuyerUser
    viewer: BuyerUser
    other_buyer: BuyerUser
    rep: StaffMember
    other_rep: StaffMember
    admin: StaffMember
    warehouse_staff: StaffMember

    def actor(self, member: BuyerUser | StaffMember) -> Actor:
        return actor_for(member, website_id=self.website.pk)

    @property
    def buyer_actor(self) -> Actor:
        return self.actor(self.buyer)

    @property
    def rep_actor(self) -> Actor:
        return self.actor(self.rep)

    @property
    def admin_actor(self) -> Actor:
        return self.actor(self.admin)

    def order(
        self,
        lines: Sequence[tuple[Product | str, int | str]] | None = None,
        *,
        actor: Actor | None = None,
        account: Account | None = None,
        **kwargs: object,
    ) -> Order:
        """Place an order through the pipeline (default: the buyer, 10 bolts)."""
        requests = [
            OrderLineRequest(sku=item.sku if isinstance(item, Product) else item, quantity=D(quantity))
            for item, quantity in (lines or [(self.bolt, 10)])
        ]
        who = actor or self.buyer_actor
        return place_order(
            actor=who,
            account=account or (self.child if who.is_staff else None),
            lines=requests,
            channel=kwargs.pop("channel", "rep" if who.is_staff else "portal"),  # type: ignore[arg-type]
            **kwargs,  # type: ignore[arg-type]
        )


def build_world() -> World:
    organization = OrganizationFactory()
    website = WebsiteFactory(organization=organization, default_currency="USD", timezone="UTC")
    warehouse = WarehouseFactory(organization=organization, code="MAIN")
    WarehouseAssignmentFactory(warehouse=warehouse, website=website, priority=1)
    bolt = ProductFactory(organization=organization, sku="BOLT-M8", name="Hex bolt M8")
    ProductUnit.objects.create(product=bolt, code="BX", factor=D(12))
    washer = ProductFactory(
        organization=organization, sku="WASHER-8", min_order_quantity=D(10), order_increment=D(10)
    )
    hammer = ProductFactory(organization=organization, sku="HAMMER", attributes={"weight_kg": "1.5"})
    gloves = ProductFactory(organization=organization, sku="GLOVES")
    price_list = PriceListFactory(organization=organization, code="WEB", currency="USD")
    PriceAssignmentFactory(price_list=price_list, website=website, priority=10)
    PriceListEntryFactory(price_list=price_list, product=bolt, price=D("2.00"))
    PriceListEntryFactory(price_list=price_list, product=bolt, min_quantity=D(100), price=D("1.80"))
    PriceListEntryFactory(price_list=price_list, product=washer, price=D("0.10"))
    PriceListEntryFactory(price_list=price_list, product=hammer, price=D("20.00"))
    terms = PaymentTermsFactory(organization=organization, code="NET30", net_days=30)
    parent = AccountFactory(organization=organization, name="Acme Holding")
    child = AccountFactory(parent=parent, name="Acme Ohio", payment_terms=terms)
    sibling = AccountFactory(parent=parent, name="Acme Texas", payment_terms=terms)
    other = AccountFactory(organization=organization, name="Globex", payment_terms=terms)
    CustomerPriceFactory(account=child, product=hammer, price=D("18.00"))
    address = AddressFactory(
        account=child, line1="1 Main St", city="Columbus", region="OH", country="US", is_default_shipping=True
    )
    AddressFactory(account=sibling, city="Austin", region="TX", country="US", is_default_shipping=True)
    AddressFactory(account=other, city="Springfield", region="IL", country="US", is_default_shipping=True)
    buyer = BuyerUserFactory(account=child, is_buyer=True)
    approver = BuyerUserFactory(account=parent, is_buyer=True, is_approver=True)
    viewer = BuyerUserFactory(account=child, is_buyer=False, is_viewer=True)
    other_buyer = BuyerUserFactory(account=other, is_buyer=True)
    rep = StaffMemberFactory(organization=organization, role=StaffRole.SALES_REP)
    other_rep = StaffMemberFactory(organization=organization, role=StaffRole.SALES_REP)
    Account.objects.filter(pk=child.pk).update(sales_rep=rep)
    child.refresh_from_db()
    admin = StaffMemberFactory(organization=organization, role=StaffRole.ADMIN)
    warehouse_staff = StaffMemberFactory(organization=organization, role=StaffRole.WAREHOUSE)
    receive(warehouse, bolt, 10_000)
    receive(warehouse, washer, 10_000)
    receive(warehouse, hammer, 5)
    receive(warehouse, gloves, 100)
    return World(
        organization=organization,
        website=website,
        warehouse=warehouse,
        price_list=price_list,
        bolt=bolt,
        washer=washer,
        hammer=hammer,
        gloves=gloves,
        parent=parent,
        child=child,
        sibling=sibling,
        other=other,
        terms=terms,
        address=address,
        buyer=buyer,
        approver=approver,
        viewer=viewer,
        other_buyer=other_buyer,
        rep=rep,
        other_rep=other_rep,
        admin=admin,
        warehouse_staff=warehouse_staff,
    )


@pytest.fixture
def world(db: None) -> World:
    return build_world()
