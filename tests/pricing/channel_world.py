"""A seller with live prices, for the channel tests (API, console, portal).

One USD website whose list WEB prices BOLT (1+: 0.50, 100+: 0.45) and HAMMER (25.00); a contract
C-ACME gives Acme Ohio (and its plant) BOLT at 0.40 from list K-ACME. Staff of every role, buyers
of Acme Ohio and of Acme Texas, and a second seller whose list is also called WEB.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from meridian.catalog.models import Category, Product, ProductUnit
from meridian.core.actor import StaffRole
from meridian.customers.models import Account, BuyerUser, CustomerGroup
from meridian.pricing.models import Contract, PriceList
from meridian.staff.models import StaffMember
from meridian.tenancy.models import Organization, Website
from tests.catalog.factories import CategoryFactory, ProductFactory
from tests.customers.factories import AccountFactory, BuyerUserFactory, CustomerGroupFactory
from tests.pricing.factories import (
    ContractFactory,
    PriceAssignmentFactory,
    PriceListEntryFactory,
    PriceListFactory,
)
from tests.staff.factories import StaffMemberFactory
from tests.tenancy.factories import OrganizationFactory, WebsiteFactory

D = Decimal


@dataclass
class PriceWorld:
    org: Organization
    website: Website
    fasteners: Category
    bolt: Product  # EA; BX of 12
    hammer: Product
    gold: CustomerGroup
    parent: Account  # Acme Holding
    child: Account  # Acme Ohio, Gold, contract C-ACME
    grandchild: Account  # Acme Ohio Plant 2
    sibling: Account  # Acme Texas
    web: PriceList
    contract_list: PriceList
    contract: Contract
    admin: StaffMember
    inside_sales: StaffMember
    sales_rep: StaffMember  # assigned to Acme Ohio only
    warehouse: StaffMember
    buyer: BuyerUser  # of Acme Ohio
    sibling_buyer: BuyerUser  # of Acme Texas
    other_org: Organization
    other_admin: StaffMember
    other_account: Account
    other_web: PriceList  # code WEB too

    def staff(self, role: StaffRole) -> StaffMember:
        return StaffMemberFactory(organization=self.org, role=role)


def build_price_world() -> PriceWorld:
    org = OrganizationFactory(name="Northwind Supply")
    website = WebsiteFactory(organization=org, default_currency="USD", is_default=True)
    fasteners = CategoryFactory(organization=org, name="Fasteners", slug="fasteners")
    bolt = ProductFactory(organization=org, sku="BOLT", name="Hex bolt M8", category=fasteners, base_uom="EA")
    ProductUnit.objects.create(product=bolt, code="BX", name="Box", factor=D(12))
    hammer = ProductFactory(
        organization=org, sku="HAMMER", name="Claw hammer", category=fasteners, base_uom="EA"
    )
    gold = CustomerGroupFactory(organization=org, code="GOLD", name="Gold")
    parent = AccountFactory(organization=org, name="Acme Holding", external_id="SAP-1")
    child = AccountFactory(parent=parent, name="Acme Ohio", customer_group=gold, external_id="SAP-2")
    grandchild = AccountFactory(parent=child, name="Acme Ohio Plant 2")
    sibling = AccountFactory(parent=parent, name="Acme Texas")
    web = PriceListFactory(organization=org, code="WEB", name="Web list", currency="USD")
    PriceListEntryFactory(price_list=web, product=bolt, uom="EA", min_quantity=D(1), price=D("0.50"))
    PriceListEntryFactory(price_list=web, product=bolt, uom="EA", min_quantity=D(100), price=D("0.45"))
    PriceListEntryFactory(price_list=web, product=hammer, uom="EA", min_quantity=D(1), price=D("25.00"))
    PriceAssignmentFactory(price_list=web, website=website, priority=100)
    contract_list = PriceListFactory(organization=org, code="K-ACME", name="Acme contract", currency="USD")
    PriceListEntryFactory(
        price_list=contract_list, product=bolt, uom="EA", min_quantity=D(1), price=D("0.40")
    )
    contract = ContractFactory(
        account=child, price_list=contract_list, number="C-ACME", applies_to_children=True
    )
    sales_rep = StaffMemberFactory(organization=org, role=StaffRole.SALES_REP)
    Account.objects.filter(pk=child.pk).update(sales_rep=sales_rep)
    other_org = OrganizationFactory(name="Southwind Supply")
    WebsiteFactory(organization=other_org, default_currency="USD", is_default=True)
    other_account = AccountFactory(organization=other_org, name="Gamma Works")
    other_web = PriceListFactory(organization=other_org, code="WEB", currency="USD")
    return PriceWorld(
        org=org,
        website=website,
        fasteners=fasteners,
        bolt=bolt,
        hammer=hammer,
        gold=gold,
        parent=Account.objects.get(pk=parent.pk),
        child=Account.objects.get(pk=child.pk),
        grandchild=Account.objects.get(pk=grandchild.pk),
        sibling=Account.objects.get(pk=sibling.pk),
        web=web,
        contract_list=contract_list,
        contract=contract,
        admin=StaffMemberFactory(organization=org, role=StaffRole.ADMIN, user__email="ada@northwind.test"),
        inside_sales=StaffMemberFactory(organization=org, role=StaffRole.INSIDE_SALES),
        sales_rep=sales_rep,
        warehouse=StaffMemberFactory(organization=org, role=StaffRole.WAREHOUSE),
        buyer=BuyerUserFactory(account=child, user__email="bob@acme.test", user__full_name="Bob Buyer"),
        sibling_buyer=BuyerUserFactory(account=sibling, user__email="tex@acme.test"),
        other_org=other_org,
        other_admin=StaffMemberFactory(organization=other_org, role=StaffRole.ADMIN),
        other_account=other_account,
        other_web=other_web,
    )
