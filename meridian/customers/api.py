"""Accounts (addressed by id or `ext:<external_id>`), their buyer users and addresses, customer groups."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router
from ninja.responses import Status

from meridian.api.auth import actor_of
from meridian.api.pagination import PageParams, paginate
from meridian.api.schemas import Id, Reference, error_responses, is_usable_reference
from meridian.core.actor import Actor, BuyerRole
from meridian.core.errors import InvalidInput
from meridian.customers import queries, services
from meridian.customers.errors import AccountNotFound
from meridian.customers.models import Account, BuyerUser
from meridian.customers.schemas import (
    AccountFilters,
    AccountIn,
    AccountList,
    AccountOut,
    AccountPatch,
    AddressIn,
    AddressList,
    AddressOut,
    BuyerUserIn,
    BuyerUserList,
    BuyerUserOut,
    BuyerUserPatch,
    CustomerGroupIn,
    CustomerGroupList,
    CustomerGroupOut,
)

router = Router()


def _account(actor: Actor, reference: str | int) -> Account:
    if not is_usable_reference(reference):
        raise AccountNotFound(reference)
    return queries.get_account(actor=actor, reference=reference)


def _body_account(actor: Actor, reference: str | int, *, field: str) -> Account:
    """An account named in a body: one the actor cannot see is a bad value for that field."""
    try:
        return _account(actor, reference)
    except AccountNotFound:
        raise InvalidInput.on(field, f"no account {reference}") from None


def _accounts_out(actor: Actor, accounts: list[Account]) -> list[AccountOut]:
    """Serialize accounts with their parent and children ids (two queries for the whole list)."""
    parents = queries.parent_ids_by_path(actor=actor, accounts=accounts)
    children = queries.child_ids_by_parent_path(accounts=accounts)
    return [
        AccountOut(
            id=account.pk,
            name=account.name,
            number=account.number,
            external_id=account.external_id,
            parent=parents.get(account.parent_path),
            children=children.get(account.path, []),
            depth=account.depth,
            customer_group=account.customer_group_id,
            payment_terms=account.payment_terms_id,
            credit_limit=account.credit_limit,
            currency=account.currency,
            sales_rep=account.sales_rep_id,
            territory=account.territory_id,
            branch=account.branch_id,
            is_active=account.is_active,
            created_at=account.created_at,
        )
        for account in accounts
    ]


def _account_out(actor: Actor, account: Account) -> AccountOut:
    # Re-read: the row as stored (decimals quantized), in the actor's scope.
    return _accounts_out(actor, [queries.get_account(actor=actor, reference=account.pk)])[0]


def _buyer_out(buyer: BuyerUser) -> BuyerUserOut:
    return BuyerUserOut(
        id=buyer.user_id,
        account=buyer.account_id,
        email=buyer.user.email,
        name=buyer.user.full_name,
        roles=[role for role in BuyerRole if role in buyer.roles],
        is_active=buyer.user.is_active,
        has_password=buyer.user.has_usable_password(),
    )


@router.get("/accounts", response={200: AccountList, **error_responses(422)}, tags=["accounts"])
def list_accounts(request: HttpRequest, filters: Query[AccountFilters]) -> AccountList:
    """List the accounts in your scope, in tree order; `q` searches name, number and external_id."""
    actor = actor_of(request)
    # accounts (+group, rep, branch); parents; children
    count, accounts = paginate(queries.list_accounts(actor=actor, search=filters.q.strip()), filters)
    return AccountList(count=count, items=_accounts_out(actor, accounts))


@router.post("/accounts", response={201: AccountOut, **error_responses(403, 409, 422)}, tags=["accounts"])
def create_account(request: HttpRequest, payload: AccountIn) -> Status[AccountOut]:
    """Create an account at the top level or under `parent` (seller staff only)."""
    actor = actor_of(request)
    parent = _body_account(actor, payload.parent, field="parent") if payload.parent is not None else None
    account = services.create_account(actor=actor, fields=payload.to_fields(), parent=parent)
    return Status(201, _account_out(actor, account))


@router.get("/accounts/{ref}", response={200: AccountOut, **error_responses(404)}, tags=["accounts"])
def get_account(request: HttpRequest, ref: Reference) -> AccountOut:
    """One account by id or `ext:<external_id>`, with its children's ids."""
    actor = actor_of(request)
    return _accounts_out(actor, [_account(actor, ref)])[0]


@router.patch(
    "/accounts/{ref}", response={200: AccountOut, **error_responses(403, 404, 409, 422)}, tags=["accounts"]
)
def update_account(request: HttpRequest, ref: Reference, payload: AccountPatch) -> AccountOut:
    """Change the fields sent (only those); `parent` moves the account with its subtree."""
    actor = actor_of(request)
    account = _account(actor, ref)
    fields = payload.to_fields()
    if payload.moves:
        new_parent = (
            _body_account(actor, payload.parent, field="parent") if payload.parent is not None else None
        )
        account = services.change_account(actor=actor, account=account, fields=fields, new_parent=new_parent)
    else:
        account = services.change_account(actor=actor, account=account, fields=fields)
    return _account_out(actor, account)


@router.get(
    "/accounts/{ref}/users", response={200: BuyerUserList, **error_responses(404, 422)}, tags=["accounts"]
)
def list_account_users(request: HttpRequest, ref: Reference, page: Query[PageParams]) -> BuyerUserList:
    """The account's buyer users with their roles, by email."""
    actor = actor_of(request)
    account = _account(actor, ref)
    # account; buyers+user
    count, buyers = paginate(queries.list_account_users(actor=actor, account=account), page)
    return BuyerUserList(count=count, items=[_buyer_out(buyer) for buyer in buyers])


@router.post(
    "/accounts/{ref}/users",
    response={201: BuyerUserOut, **error_responses(403, 404, 409, 422)},
    tags=["accounts"],
)
def add_account_user(request: HttpRequest, ref: Reference, payload: BuyerUserIn) -> Status[BuyerUserOut]:
    """Give a person a login for the account; without `password` the login waits for an invitation."""
    actor = actor_of(request)
    buyer = services.add_buyer_user(
        actor=actor,
        account=_account(actor, ref),
        email=payload.email,
        full_name=payload.name,
        roles=[role.value for role in payload.roles],
        password=payload.password,
    )
    return Status(201, _buyer_out(buyer))


@router.patch(
    "/accounts/{ref}/users/{user_id}",
    response={200: BuyerUserOut, **error_responses(403, 404, 409, 422)},
    tags=["accounts"],
)
def update_account_user(
    request: HttpRequest, ref: Reference, user_id: Id, payload: BuyerUserPatch
) -> BuyerUserOut:
    """Change a buyer's roles and/or whether their login is active (only the fields sent)."""
    actor = actor_of(request)
    account = _account(actor, ref)
    buyer = queries.get_account_user(actor=actor, account=account, user_id=user_id)
    sent = payload.model_fields_set
    buyer = services.change_buyer_user(
        actor=actor,
        buyer=buyer,
        roles=[role.value for role in payload.roles] if "roles" in sent else None,
        is_active=payload.is_active if "is_active" in sent else None,
    )
    return _buyer_out(buyer)


@router.get(
    "/accounts/{ref}/addresses", response={200: AddressList, **error_responses(404, 422)}, tags=["accounts"]
)
def list_account_addresses(request: HttpRequest, ref: Reference, page: Query[PageParams]) -> AddressList:
    """The account's billing and shipping addresses, defaults first."""
    actor = actor_of(request)
    account = _account(actor, ref)
    # account; addresses
    count, addresses = paginate(queries.list_addresses(actor=actor, account=account), page)
    return AddressList.model_validate({"count": count, "items": addresses})


@router.post(
    "/accounts/{ref}/addresses",
    response={201: AddressOut, **error_responses(403, 404, 422)},
    tags=["accounts"],
)
def add_account_address(request: HttpRequest, ref: Reference, payload: AddressIn) -> Status[AddressOut]:
    """Add an address; a new default replaces the previous default of its kind."""
    actor = actor_of(request)
    address = services.add_address(actor=actor, account=_account(actor, ref), fields=payload.to_fields())
    return Status(201, AddressOut.model_validate(address))


@router.get(
    "/customer-groups", response={200: CustomerGroupList, **error_responses(422)}, tags=["customer groups"]
)
def list_customer_groups(request: HttpRequest, page: Query[PageParams]) -> CustomerGroupList:
    """Customer groups (segments); a buyer sees only their account's group."""
    # groups
    count, groups = paginate(queries.list_customer_groups(actor=actor_of(request)), page)
    return CustomerGroupList(count=count, items=[CustomerGroupOut.model_validate(group) for group in groups])


@router.post(
    "/customer-groups",
    response={201: CustomerGroupOut, **error_responses(403, 422)},
    tags=["customer groups"],
)
def create_customer_group(request: HttpRequest, payload: CustomerGroupIn) -> Status[CustomerGroupOut]:
    """Create a customer group (admins and sales managers)."""
    group = services.create_customer_group(
        actor=actor_of(request), code=payload.code, name=payload.name, external_id=payload.external_id
    )
    return Status(201, CustomerGroupOut.model_validate(group))
