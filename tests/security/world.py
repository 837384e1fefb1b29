"""Two sellers, three customer accounts and someone of every role: the world the security cases run in.

Every object made for account A carries `A_MARK` in its text, and organization 1's master data
carries `ORG_MARK`, so a leak shows up in any response body whatever its shape: a caller outside
A's scope must never receive `A_MARK`, a caller of another organization never `ORG_MARK`.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import quote

from django.test import Client
from django.utils import timezone

from meridian.api.permissions import (
    IN_SCOPE_ACCOUNT,
    IN_SCOPE_CUSTOMER_GROUP,
    IN_SCOPE_PRICE_LIST,
    IN_SCOPE_PRODUCT,
    IN_SCOPE_SECOND_WAREHOUSE,
    IN_SCOPE_WAREHOUSE,
    IN_SCOPE_WEBSITE,
    UNIQUE,
    Kind,
)
from meridian.catalog.models import Category, Product
from meridian.core.actor import BuyerRole, StaffRole
from meridian.core.models import ApiToken, AuditEntry
from meridian.core.services import issue_token
from meridian.customers.models import Account, Address, BuyerUser, CustomerGroup
from meridian.inventory.models import (
    IncomingStock,
    StockMovement,
    Supplier,
    SupplierPurchaseOrder,
    Warehouse,
    WarehouseAssignment,
)
from meridian.ordering.models import Cart, CartLine, Order
from meridian.ordering.services import OrderLineRequest, add_to_cart, create_list, current_cart, place_order
from meridian.pricing.models import (
    Contract,
    Coupon,
    CustomerPrice,
    PriceAssignment,
    PriceChange,
    PriceList,
    PriceListEntry,
    PriceRule,
    Promotion,
    RebateProgram,
    RebateTier,
)
from meridian.staff.models import StaffMember
from meridian.tenancy.models import Organization, Website
from tests.actors import actor_for
from tests.catalog.factories import CategoryFactory, ProductFactory
from tests.customers.factories import AccountFactory, AddressFactory, BuyerUserFactory, CustomerGroupFactory
from tests.inventory.factories import (
    SupplierFactory,
    WarehouseAssignmentFactory,
    WarehouseFactory,
    receive,
)
from tests.ordering.factories import PaymentTermsFactory
from tests.staff.factories import StaffMemberFactory
from tests.tenancy.factories import OrganizationFactory, WebsiteFactory

A_MARK = "alphaleak"
ORG_MARK = "orgoneleak"

# Out-of-scope callers of the BOLA matrix (issue 6): who they are, in words, for test ids.
BUYER_OF_OTHER_ACCOUNT = "buyer-of-B"
REP_NOT_ASSIGNED = "rep-not-assigned"
STAFF_OF_OTHER_ORG = "staff-of-other-org"
BUYER_OF_OTHER_ORG = "buyer-of-other-org"
OUTSIDERS = (BUYER_OF_OTHER_ACCOUNT, REP_NOT_ASSIGNED, STAFF_OF_OTHER_ORG)

_tokens = itertools.count(1)


def unique_token() -> str:
    """A fresh lowercase token (usable in a SKU, a slug, a code or an email's local part)."""
    return f"u{next(_tokens):05d}"


def all_roles(member: BuyerUser) -> BuyerUser:
    member.set_roles(BuyerRole)
    member.save()
    return member


@dataclass
class World:
    org: Organization
    other_org: Organization
    account_a: Account
    account_a_child: Account
    account_b: Account
    account_c: Account  # organization 2
    buyer_a: BuyerUser  # every role, account A
    member_a: BuyerUser  # role buyer only, account A: the object of user_id parameters
    buyer_b: BuyerUser  # every role, account B
    buyer_c: BuyerUser  # every role, account C of organization 2
    rep_a: StaffMember  # assigned to A
    rep_b: StaffMember  # assigned to B only
    admin: StaffMember  # organization 1
    other_admin: StaffMember  # organization 2
    group_a: CustomerGroup
    category: Category
    product: Product
    address_a: Address
    api_key: ApiToken
    warehouse: Warehouse
    movement: StockMovement
    purchase_order: SupplierPurchaseOrder
    price_list: PriceList  # assigned to account A, with an entry and an audit row
    spare_price_list: PriceList  # assigned to no account (IN_SCOPE_PRICE_LIST)
    price_entry: PriceListEntry
    price_assignment: PriceAssignment
    contract: Contract  # on account A
    promotion: Promotion  # a coupon promotion
    coupon: Coupon
    price_change: PriceChange
    order: Order  # placed by buyer_a for account A
    cart: Cart  # a shopping list of buyer_a for account A, shared within A, with one line
    cart_line: CartLine  # its line
    private_cart: Cart  # buyer_a's current cart, with one line: buyer_a's alone (OWNER_ONLY_KINDS)
    private_cart_line: CartLine  # its line
    # pricing: customer prices, rules, rebate programs
    customer_price: CustomerPrice  # account A's own price for the product
    price_rule: PriceRule  # a rule of price_list
    rebate_program: RebateProgram  # for account A's subtree, with one tier
    # inventory
    second_warehouse: Warehouse  # a transfer's destination (IN_SCOPE_SECOND_WAREHOUSE)
    supplier: Supplier
    incoming: IncomingStock
    assignment: WarehouseAssignment  # CHI to the default website
    audit_entry: AuditEntry  # organization 1's: a change of price_list (its name)
    # ordering: lists for what only their owner may do (Kind.OWNED_LIST)
    owned_list: Cart  # member_a's list, shared within A, with one line
    private_list: Cart  # buyer_a's private list, with one line (OWNER_ONLY_KINDS)
    _clients: dict[int, Client] = field(default_factory=dict)

    def outsider(self, name: str) -> BuyerUser | StaffMember:
        return {
            BUYER_OF_OTHER_ACCOUNT: self.buyer_b,
            REP_NOT_ASSIGNED: self.rep_b,
            STAFF_OF_OTHER_ORG: self.other_admin,
            BUYER_OF_OTHER_ORG: self.buyer_c,
        }[name]

    def own_account(self, member: BuyerUser | StaffMember) -> Account:
        """The account a caller legitimately works on (its own, or one assigned to it)."""
        if member in (self.buyer_b, self.rep_b):
            return self.account_b
        if member in (self.other_admin, self.buyer_c):
            return self.account_c
        return self.account_a

    def api_client(self, member: BuyerUser | StaffMember) -> Client:
        """An API client with a bearer token of the member's user.

        The world's own people get theirs when the world is built (it may be shared by a module's
        tests); anyone else a fresh token each time.
        """
        if member.user_id in self._clients:
            return self._clients[member.user_id]
        secret, _ = issue_token(user=member.user)
        return Client(headers={"Authorization": f"Bearer {secret}"})

    def issue_clients(self) -> None:
        for member in (self.buyer_a, self.member_a, self.buyer_b, self.buyer_c, self.rep_a, self.rep_b):
            self._clients[member.user_id] = self.api_client(member)
        for member in (self.admin, self.other_admin):
            self._clients[member.user_id] = self.api_client(member)

    def ref(self, kind: Kind, *, of_account: Account | None = None) -> str:
        """A path value naming the object of `kind` made for account A (or, for accounts, `of_account`)."""
        if kind is Kind.ACCOUNT:
            return str((of_account or self.account_a).pk)
        refs = {
            Kind.BUYER_USER: str(self.member_a.user_id),
            Kind.ADDRESS: str(self.address_a.pk),
            Kind.PRODUCT: self.product.sku,
            Kind.CATEGORY: self.category.slug,
            Kind.CUSTOMER_GROUP: str(self.group_a.pk),
            Kind.API_KEY: str(self.api_key.pk),
            Kind.WAREHOUSE: self.warehouse.code,
            Kind.STOCK_MOVEMENT: str(self.movement.pk),
            Kind.PURCHASE_ORDER: self.purchase_order.number,
            Kind.PRICE_LIST: str(self.price_list.pk),
            Kind.PRICE_ENTRY: str(self.price_entry.pk),
            Kind.PRICE_ASSIGNMENT: str(self.price_assignment.pk),
            Kind.CONTRACT: str(self.contract.pk),
            Kind.PROMOTION: str(self.promotion.pk),
            Kind.COUPON: str(self.coupon.pk),
            Kind.PRICE_CHANGE: str(self.price_change.pk),
            Kind.ORDER: self.order.number,
            Kind.CART: str(self.cart.pk),
            Kind.CART_LINE: str(self.cart_line.pk),
            # pricing
            Kind.CUSTOMER_PRICE: str(self.customer_price.pk),
            Kind.PRICE_RULE: str(self.price_rule.pk),
            Kind.REBATE_PROGRAM: str(self.rebate_program.pk),
            Kind.SUPPLIER: self.supplier.code,
            Kind.INCOMING_STOCK: str(self.incoming.pk),
            Kind.WAREHOUSE_ASSIGNMENT: str(self.assignment.pk),
            Kind.AUDIT_ENTRY: str(self.audit_entry.pk),
            Kind.OWNED_LIST: str(self.owned_list.pk),
        }
        return refs[kind]

    def private_ref(self, kind: Kind) -> str:
        """For a kind of OWNER_ONLY_KINDS: buyer_a's own object instead of the shared one."""
        return {
            Kind.CART: str(self.private_cart.pk),
            Kind.CART_LINE: str(self.private_cart_line.pk),
            Kind.OWNED_LIST: str(self.private_list.pk),
        }[kind]

    def alternative_refs(self, kind: Kind) -> list[str]:
        """Other spellings of the same object's reference (the ERP key of an account)."""
        return [f"ext:{self.account_a.external_id}"] if kind is Kind.ACCOUNT else []

    def missing_ref(self, kind: Kind) -> str:
        """A reference no object has, to compare answers with."""
        return {
            Kind.ACCOUNT: "987654321",
            Kind.BUYER_USER: "987654321",
            Kind.ADDRESS: "987654321",
            Kind.PRODUCT: "NO-SUCH-SKU-1",
            Kind.CATEGORY: "no-such-category",
            Kind.CUSTOMER_GROUP: "987654321",
            Kind.API_KEY: "987654321",
            Kind.WAREHOUSE: "NO-SUCH-WH",
            Kind.STOCK_MOVEMENT: "987654321",
            Kind.PURCHASE_ORDER: "PO-NO-SUCH",
            Kind.PRICE_LIST: "987654321",
            Kind.PRICE_ENTRY: "987654321",
            Kind.PRICE_ASSIGNMENT: "987654321",
            Kind.CONTRACT: "987654321",
            Kind.PROMOTION: "987654321",
            Kind.COUPON: "987654321",
            Kind.PRICE_CHANGE: "987654321",
            Kind.ORDER: "SO-9876543",
            Kind.CART: "987654321",
            Kind.CART_LINE: "987654321",
            # pricing
            Kind.CUSTOMER_PRICE: "987654321",
            Kind.PRICE_RULE: "987654321",
            Kind.REBATE_PROGRAM: "987654321",
            Kind.SUPPLIER: "NO-SUCH-SUPPLIER",
            Kind.INCOMING_STOCK: "987654321",
            Kind.WAREHOUSE_ASSIGNMENT: "987654321",
            Kind.AUDIT_ENTRY: "987654321",
            Kind.OWNED_LIST: "987654321",
        }[kind]

    def identifiers(self, kind: Kind) -> set[object]:
        """Values by which A's (or organization 1's) objects of `kind` appear in a list item."""
        return {
            Kind.ACCOUNT: {self.account_a.pk, self.account_a_child.pk},
            Kind.BUYER_USER: {self.buyer_a.user_id, self.member_a.user_id},
            Kind.ADDRESS: {self.address_a.pk},
            Kind.PRODUCT: {self.product.sku},
            Kind.CATEGORY: {self.category.pk},
            Kind.CUSTOMER_GROUP: {self.group_a.pk},
            Kind.API_KEY: {self.api_key.pk},
            Kind.WAREHOUSE: {self.warehouse.pk},
            Kind.STOCK_MOVEMENT: {self.movement.pk},
            Kind.PURCHASE_ORDER: {self.purchase_order.pk},
            Kind.PRICE_LIST: {self.price_list.pk, self.spare_price_list.pk},
            Kind.PRICE_ENTRY: {self.price_entry.pk},
            Kind.PRICE_ASSIGNMENT: {self.price_assignment.pk},
            Kind.CONTRACT: {self.contract.pk},
            Kind.PROMOTION: {self.promotion.pk},
            Kind.COUPON: {self.coupon.pk},
            Kind.PRICE_CHANGE: {self.price_change.pk},
            Kind.ORDER: {self.order.number},
            Kind.CART: {self.cart.pk},
            Kind.CART_LINE: {self.cart_line.pk},
            # pricing
            Kind.CUSTOMER_PRICE: {self.customer_price.pk},
            Kind.PRICE_RULE: {self.price_rule.pk},
            Kind.REBATE_PROGRAM: {self.rebate_program.pk},
            Kind.SUPPLIER: {self.supplier.pk},
            Kind.INCOMING_STOCK: {self.incoming.pk},
            Kind.WAREHOUSE_ASSIGNMENT: {self.assignment.pk},
            Kind.AUDIT_ENTRY: {self.audit_entry.pk},
            Kind.OWNED_LIST: {self.owned_list.pk},
        }[kind]


def build_world() -> World:
    org = OrganizationFactory(name=f"Northwind {ORG_MARK}")
    website = WebsiteFactory(organization=org, is_default=True)
    other_org = OrganizationFactory(name="Southwind Supply")
    WebsiteFactory(organization=other_org, is_default=True)

    group_a = CustomerGroupFactory(organization=org, code=f"{ORG_MARK}-g", name=f"Gold {ORG_MARK}")
    account_a = AccountFactory(
        organization=org,
        name=f"Alpha {A_MARK} Corp",
        number=f"{A_MARK}-1",
        external_id=f"{A_MARK}-ext",
        customer_group=group_a,
        credit_limit="5000.00",
    )
    account_a_child = AccountFactory(parent=account_a, name=f"Alpha {A_MARK} Plant")
    account_b = AccountFactory(organization=org, name="Beta Industries", external_id="beta-ext")
    account_c = AccountFactory(organization=other_org, name="Gamma Works", external_id="gamma-ext")

    buyer_a = all_roles(BuyerUserFactory(account=account_a, user__email=f"ann.{A_MARK}@alpha.test"))
    member_a = BuyerUserFactory(account=account_a, user__email=f"max.{A_MARK}@alpha.test", is_buyer=True)
    buyer_b = all_roles(BuyerUserFactory(account=account_b, user__email="bea@beta.test"))
    buyer_c = all_roles(BuyerUserFactory(account=account_c, user__email="gus@gamma.test"))

    rep_a = StaffMemberFactory(organization=org, role=StaffRole.SALES_REP, user__email="rita@northwind.test")
    rep_b = StaffMemberFactory(organization=org, role=StaffRole.SALES_REP, user__email="rob@northwind.test")
    Account.objects.filter(pk=account_a.pk).update(sales_rep=rep_a)
    Account.objects.filter(pk=account_b.pk).update(sales_rep=rep_b)
    account_a.refresh_from_db()
    account_b.refresh_from_db()
    admin = StaffMemberFactory(organization=org, role=StaffRole.ADMIN, user__email="ada@northwind.test")
    other_admin = StaffMemberFactory(
        organization=other_org, role=StaffRole.ADMIN, user__email="sam@southwind.test"
    )

    category = CategoryFactory(organization=org, name=f"Valves {ORG_MARK}", slug=f"{ORG_MARK}-valves")
    product = ProductFactory(
        organization=org, sku=f"{ORG_MARK.upper()}-1", name=f"Ball valve {ORG_MARK}", category=category
    )
    address_a = AddressFactory(account=account_a, line1=f"1 {A_MARK} Way", city="Columbus", country="US")
    _, api_key = issue_token(
        user=admin.user, kind=ApiToken.Kind.API_KEY, name=f"ERP {ORG_MARK}", organization_id=org.pk
    )
    warehouse = WarehouseFactory(organization=org, code="CHI", name=f"Chicago {ORG_MARK}")
    movement = receive(warehouse, product, 25)
    assignment = WarehouseAssignmentFactory(warehouse=warehouse, website=website, priority=1)
    second_warehouse = WarehouseFactory(organization=org, code="RNO", name=f"Reno {ORG_MARK}")
    supplier = SupplierFactory(organization=org, code="VALVECO", name=f"Valve maker {ORG_MARK}")
    incoming = IncomingStock.objects.create(
        organization=org,
        warehouse=warehouse,
        product=product,
        quantity=Decimal(10),
        expected_date=timezone.localdate(),
        reference=f"{ORG_MARK}-asn",
    )
    purchase_order = SupplierPurchaseOrder.objects.create(
        organization=org,
        supplier=supplier,
        number="PO-77001",
        reference=f"{A_MARK}-order",
        account=account_a,
    )
    price_list = PriceList.objects.create(
        organization=org, code=f"{ORG_MARK}-PL", name=f"List {ORG_MARK}", currency="USD"
    )
    spare_price_list = PriceList.objects.create(
        organization=org, code=f"{ORG_MARK}-SPARE", name=f"Spare list {ORG_MARK}", currency="USD"
    )
    price_entry = PriceListEntry.objects.create(
        price_list=price_list, product=product, uom=product.base_uom, price="9.5000"
    )
    price_assignment = PriceAssignment.objects.create(
        organization=org, price_list=price_list, account=account_a
    )
    contract = Contract.objects.create(
        organization=org,
        number=f"{A_MARK}-K1",
        account=account_a,
        price_list=price_list,
        terms=f"{A_MARK} terms",
    )
    promotion = Promotion.objects.create(
        organization=org, name=f"Promotion {ORG_MARK}", kind="percent_off_line", value=5, requires_coupon=True
    )
    coupon = Coupon.objects.create(organization=org, promotion=promotion, code=f"{ORG_MARK.upper()}-C")
    price_change = PriceChange.objects.create(
        organization=org,
        kind=PriceChange.Kind.ENTRY,
        changed_by=admin.user,
        changed_at=timezone.now(),
        price_list=price_list,
        entry_id=price_entry.pk,
        product=product,
        uom=price_entry.uom,
        min_quantity=1,
        currency="USD",
        new_price="9.5000",
    )
    Account.objects.filter(pk=account_a.pk).update(
        payment_terms=PaymentTermsFactory(organization=org, code=f"{ORG_MARK.upper()}-NET30")
    )
    account_a.refresh_from_db()
    buyer_actor = actor_for(buyer_a)
    order = place_order(
        actor=buyer_actor,
        channel=Order.Channel.API,
        lines=[OrderLineRequest(sku=product.sku, quantity=Decimal(2))],
        ship_to=address_a.pk,
        po_number=f"{A_MARK}-po",
    )
    # ordering API: shared within A, so its lines are the account's (a private list is its owner's)
    cart = create_list(actor=buyer_actor, name=f"List {A_MARK}", is_shared=True)
    add_to_cart(actor=buyer_actor, cart=cart, reference=product.sku, quantity=Decimal(1))
    cart_line = CartLine.objects.get(cart=cart)
    private_cart = current_cart(actor=buyer_actor)
    add_to_cart(actor=buyer_actor, cart=private_cart, reference=product.sku, quantity=Decimal(1))
    private_cart_line = CartLine.objects.get(cart=private_cart)
    # ordering API: lists only their owner renames, shares or deletes (Kind.OWNED_LIST)
    admin_actor = actor_for(admin)
    owned_list = create_list(actor=admin_actor, name=f"Desk list {A_MARK}", account=account_a, is_shared=True)
    add_to_cart(actor=admin_actor, cart=owned_list, reference=product.sku, quantity=Decimal(1))
    private_list = create_list(actor=buyer_actor, name=f"Private {A_MARK}")
    add_to_cart(actor=buyer_actor, cart=private_list, reference=product.sku, quantity=Decimal(1))
    # pricing: customer prices, rules, rebate programs
    customer_price = CustomerPrice.objects.create(
        organization=org,
        account=account_a,
        product=product,
        uom=product.base_uom,
        price="8.2500",
        currency="USD",
    )
    price_rule = PriceRule.objects.create(
        price_list=price_list, base=PriceRule.Base.COST, multiplier="1.3000"
    )
    rebate_program = RebateProgram.objects.create(
        organization=org,
        code=f"{ORG_MARK}-REB",
        name=f"Rebate {ORG_MARK}",
        basis=RebateProgram.Basis.SPEND,
        currency="USD",
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
        account=account_a,
    )
    RebateTier.objects.create(program=rebate_program, threshold=0, rate_percent=1)
    world = World(
        org=org,
        other_org=other_org,
        account_a=account_a,
        account_a_child=account_a_child,
        account_b=account_b,
        account_c=account_c,
        buyer_a=buyer_a,
        member_a=member_a,
        buyer_b=buyer_b,
        buyer_c=buyer_c,
        rep_a=rep_a,
        rep_b=rep_b,
        admin=admin,
        other_admin=other_admin,
        group_a=group_a,
        category=category,
        product=product,
        address_a=address_a,
        api_key=api_key,
        warehouse=warehouse,
        movement=movement,
        purchase_order=purchase_order,
        price_list=price_list,
        spare_price_list=spare_price_list,
        price_entry=price_entry,
        price_assignment=price_assignment,
        contract=contract,
        promotion=promotion,
        coupon=coupon,
        price_change=price_change,
        order=order,
        cart=cart,
        cart_line=cart_line,
        private_cart=private_cart,
        private_cart_line=private_cart_line,
        customer_price=customer_price,
        price_rule=price_rule,
        rebate_program=rebate_program,
        second_warehouse=second_warehouse,
        supplier=supplier,
        incoming=incoming,
        assignment=assignment,
        audit_entry=AuditEntry.objects.create(
            organization_id=org.pk,
            actor_user_id=admin.user_id,
            action="pricing.price_list.changed",
            object_type="price_list",
            object_id=str(price_list.pk),
            before={"name": "Old list"},
            after={"name": f"List {ORG_MARK}"},
        ),
        owned_list=owned_list,
        private_list=private_list,
    )
    world.issue_clients()
    return world


def member_with_role(world: World, role: BuyerRole | StaffRole) -> BuyerUser | StaffMember:
    """Someone of exactly this role, in scope of account A (a sales rep is assigned to A)."""
    if isinstance(role, BuyerRole):
        member = BuyerUserFactory(account=world.account_a, is_buyer=False)
        member.set_roles({role})
        member.save()
        return member
    member = StaffMemberFactory(organization=world.org, role=role)
    if role == StaffRole.SALES_REP:
        Account.objects.filter(pk=world.account_a.pk).update(sales_rep=member)
    return member


def fill(template: object, *, world: World, account: Account) -> object:
    """The example body with its placeholders replaced (UNIQUE: one fresh token per body)."""
    token = unique_token()

    def replace(value: object) -> object:
        if value == IN_SCOPE_ACCOUNT:
            return account.pk
        if value == IN_SCOPE_WAREHOUSE:
            return world.warehouse.code
        if value == IN_SCOPE_SECOND_WAREHOUSE:
            return world.second_warehouse.code
        if value == IN_SCOPE_WEBSITE:
            return Website.objects.get(organization=world.org, is_default=True).pk
        if value == IN_SCOPE_PRODUCT:
            return world.product.sku
        if value == IN_SCOPE_PRICE_LIST:
            return world.spare_price_list.code
        if value == IN_SCOPE_CUSTOMER_GROUP:
            return world.group_a.pk
        if isinstance(value, str):
            return value.replace(UNIQUE, token)
        if isinstance(value, Mapping):
            return {key: replace(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [replace(item) for item in value]
        return value

    return replace(template)


def path_for(template: str, values: Mapping[str, str]) -> str:
    """`/api/v1/accounts/{ref}` with each parameter quoted (SKUs and `ext:` keys may hold anything)."""
    path = template
    for name, value in values.items():
        path = path.replace("{" + name + "}", quote(value, safe=":"))
    return path
