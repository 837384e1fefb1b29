"""Request and response schemas of accounts, buyer users, addresses and customer groups."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from meridian.api.pagination import PageParams
from meridian.api.schemas import NOT_SENT, DecimalString, Id, MoneyIn, Reference
from meridian.core.actor import BuyerRole
from meridian.customers.models import Address
from meridian.customers.services import AccountFields, AddressFields

# Body names that differ from AccountFields' attribute names.
ACCOUNT_FIELD_NAMES = {
    "customer_group": "customer_group_id",
    "branch": "branch_id",
    "payment_terms": "payment_terms_id",
    "sales_rep": "sales_rep_id",
    "territory": "territory_id",
}


def _account_fields(values: dict[str, Any], *, present: bool) -> AccountFields:
    attributes = {ACCOUNT_FIELD_NAMES.get(name, name): value for name, value in values.items()}
    attributes.pop("parent", None)  # a move, not a field: see services.change_account
    return AccountFields(**attributes, present=frozenset(attributes) if present else frozenset())


class AccountFilters(PageParams):
    q: str = Field("", max_length=200, description="Part of the name, or the exact number or external_id.")


class AccountIn(Schema):
    name: str = Field(max_length=200)
    parent: Id | Reference | None = Field(None, description="Parent account: id or `ext:<external_id>`.")
    number: str = Field("", max_length=40)
    external_id: str = Field("", max_length=100)
    customer_group: Id | None = None
    payment_terms: Id | None = None
    credit_limit: MoneyIn | None = None
    currency: str = Field("", max_length=10, description="ISO 4217 code; USD when omitted.")
    sales_rep: Id | None = Field(None, description="Staff member id.")
    territory: Id | None = None
    branch: Id | None = None
    is_active: bool = True

    def to_fields(self) -> AccountFields:
        return _account_fields(self.model_dump(), present=False)


class AccountPatch(Schema):
    """Only the fields sent are changed; `"parent": null` moves the account to the top level."""

    name: str = Field(NOT_SENT, max_length=200)
    parent: Id | Reference | None = None
    number: str = Field(NOT_SENT, max_length=40)
    external_id: str = Field(NOT_SENT, max_length=100)
    customer_group: Id | None = None
    payment_terms: Id | None = None
    credit_limit: MoneyIn | None = None
    currency: str = Field(NOT_SENT, max_length=10)
    sales_rep: Id | None = None
    territory: Id | None = None
    branch: Id | None = None
    is_active: bool = Field(NOT_SENT)

    def to_fields(self) -> AccountFields:
        return _account_fields(self.model_dump(exclude_unset=True), present=True)

    @property
    def moves(self) -> bool:
        return "parent" in self.model_fields_set


class AccountOut(Schema):
    id: int
    name: str
    number: str
    external_id: str
    parent: int | None = Field(description="The parent's id; null at the top or when outside your scope.")
    children: list[int]
    depth: int
    customer_group: int | None
    payment_terms: int | None
    credit_limit: DecimalString | None
    currency: str
    sales_rep: int | None
    territory: int | None
    branch: int | None
    is_active: bool
    created_at: datetime


class AccountList(Schema):
    count: int
    items: list[AccountOut]


class BuyerUserIn(Schema):
    email: str = Field(max_length=254)
    name: str = Field("", max_length=200)
    roles: list[BuyerRole] = Field(min_length=1)
    password: str | None = Field(
        None, max_length=1024, description="Omit to create the login waiting for an invitation link."
    )


class BuyerUserPatch(Schema):
    roles: list[BuyerRole] = Field(NOT_SENT, min_length=1)
    is_active: bool = Field(NOT_SENT)


class BuyerUserOut(Schema):
    id: int = Field(description="The user id (used in /accounts/{ref}/users/{user_id}).")
    account: int
    email: str
    name: str
    roles: list[BuyerRole]
    is_active: bool
    has_password: bool = Field(description="False while the invitation is not accepted.")


class BuyerUserList(Schema):
    count: int
    items: list[BuyerUserOut]


class AddressIn(Schema):
    line1: str = Field(max_length=200)
    city: str = Field(max_length=100)
    country: str = Field(max_length=2, description="ISO 3166-1 alpha-2, e.g. US.")
    label: str = Field("", max_length=100)
    company: str = Field("", max_length=200)
    attention: str = Field("", max_length=200)
    line2: str = Field("", max_length=200)
    region: str = Field("", max_length=100)
    postal_code: str = Field("", max_length=20)
    phone: str = Field("", max_length=40)
    is_billing: bool = False
    is_shipping: bool = True
    is_default_billing: bool = False
    is_default_shipping: bool = False
    latitude: Decimal | None = Field(
        None,
        ge=-90,
        le=90,
        max_digits=9,
        decimal_places=6,
        description="With `longitude` (both or neither): where it is, for the `nearest` allocation strategy.",
    )
    longitude: Decimal | None = Field(None, ge=-180, le=180, max_digits=9, decimal_places=6)

    def to_fields(self) -> AddressFields:
        return AddressFields(**self.model_dump())


class AddressOut(Schema):
    id: int
    account: int
    label: str
    company: str
    attention: str
    line1: str
    line2: str
    city: str
    region: str
    postal_code: str
    country: str
    phone: str
    latitude: DecimalString | None
    longitude: DecimalString | None
    is_billing: bool
    is_shipping: bool
    is_default_billing: bool
    is_default_shipping: bool
    external_id: str

    @staticmethod
    def resolve_account(address: Address) -> int:
        return address.account_id


class AddressList(Schema):
    count: int
    items: list[AddressOut]


class CustomerGroupIn(Schema):
    code: str = Field(max_length=32)
    name: str = Field(max_length=200)
    external_id: str = Field("", max_length=100)


class CustomerGroupOut(Schema):
    id: int
    code: str
    name: str
    external_id: str


class CustomerGroupList(Schema):
    count: int
    items: list[CustomerGroupOut]
