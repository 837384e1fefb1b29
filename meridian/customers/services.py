"""Write paths for accounts, buyer users, addresses and customer groups."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from meridian.core.actor import Actor, BuyerRole, StaffRole
from meridian.core.errors import InvalidInput
from meridian.core.geo import coordinate_errors, stored
from meridian.core.models import User
from meridian.core.money import validate_currency
from meridian.core.services import record_audit
from meridian.customers import queries
from meridian.customers.errors import DuplicateExternalId, EmailTaken, InvalidParent, LastAdmin, NotAllowed
from meridian.customers.models import Account, Address, BuyerUser, CustomerGroup, PaymentTerms
from meridian.staff.models import StaffMember, Territory
from meridian.tenancy.models import Branch


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = _Unset()

ACCOUNT_EDITORS = {StaffRole.ADMIN, StaffRole.SALES_MANAGER, StaffRole.INSIDE_SALES, StaffRole.SALES_REP}


@dataclass(frozen=True, slots=True)
class AccountFields:
    """Values for an account; on update only the names in `present` are applied."""

    name: str = ""
    number: str = ""
    external_id: str = ""
    customer_group_id: int | None = None
    branch_id: int | None = None
    payment_terms_id: int | None = None
    credit_limit: Decimal | None = None
    currency: str = ""
    sales_rep_id: int | None = None
    territory_id: int | None = None
    is_active: bool = True
    present: frozenset[str] = frozenset()


def _require_account_editor(actor: Actor) -> None:
    if not (actor.is_staff and actor.staff_role in ACCOUNT_EDITORS):
        raise NotAllowed("create or change accounts")


def _validate_account_fields(*, organization_id: int, fields: AccountFields, names: Collection[str]) -> None:
    """Every reference must belong to the organization; each failure names its field."""
    references = {
        "customer_group_id": ("customer_group", CustomerGroup),
        "branch_id": ("branch", Branch),
        "payment_terms_id": ("payment_terms", PaymentTerms),
        "sales_rep_id": ("sales_rep", StaffMember),
        "territory_id": ("territory", Territory),
    }
    errors: dict[str, list[str]] = {}
    for attribute, (field, model) in references.items():
        value = getattr(fields, attribute)
        if attribute in names and value is not None:
            exists = model.objects.filter(pk=value, organization_id=organization_id).exists()  # type: ignore[attr-defined]  # each model has organization
            if not exists:
                errors[field] = [f"no {field.replace('_', ' ')} with id {value}"]
    if "name" in names and not fields.name.strip():
        errors["name"] = ["must not be empty"]
    if "credit_limit" in names and fields.credit_limit is not None and fields.credit_limit < 0:
        errors["credit_limit"] = ["must not be negative"]
    if "currency" in names and fields.currency:
        try:
            validate_currency(fields.currency)
        except InvalidInput as exc:
            errors.update(exc.fields)
    if errors:
        raise InvalidInput("invalid account", fields=errors)


def _external_id_taken(*, organization_id: int, external_id: str, exclude_pk: int | None = None) -> bool:
    if not external_id:
        return False
    queryset = Account.objects.filter(organization_id=organization_id, external_id=external_id)
    if exclude_pk is not None:
        queryset = queryset.exclude(pk=exclude_pk)
    return queryset.exists()


@transaction.atomic
def create_account(*, actor: Actor, fields: AccountFields, parent: Account | None = None) -> Account:
    """Create an account at the root or under `parent` (which must be in the actor's scope)."""
    _require_account_editor(actor)
    assert actor.organization_id is not None
    if parent is None and actor.is_sales_rep:
        raise NotAllowed("create top-level accounts")
    if parent is not None:
        parent = queries.get_account(actor=actor, reference=parent.pk)
    names = fields.present or {f for f in AccountFields.__slots__ if f != "present"}
    _validate_account_fields(organization_id=actor.organization_id, fields=fields, names=names)
    if _external_id_taken(organization_id=actor.organization_id, external_id=fields.external_id):
        raise DuplicateExternalId(fields.external_id)
    values = {
        "organization_id": actor.organization_id,
        "name": fields.name.strip(),
        "number": fields.number,
        "external_id": fields.external_id,
        "customer_group_id": fields.customer_group_id,
        "branch_id": fields.branch_id,
        "payment_terms_id": fields.payment_terms_id,
        "credit_limit": fields.credit_limit,
        "currency": validate_currency(fields.currency) if fields.currency else "USD",
        "sales_rep_id": fields.sales_rep_id,
        "territory_id": fields.territory_id,
        "is_active": fields.is_active,
    }
    if actor.is_sales_rep and fields.sales_rep_id is None and parent is not None:
        values["sales_rep_id"] = parent.sales_rep_id
    if parent is None:
        return Account.objects.add_root(create_kwargs=values)
    return Account.objects.add_child(parent, create_kwargs=values)


@transaction.atomic
def update_account(*, actor: Actor, account: Account, fields: AccountFields) -> Account:
    """Apply the present fields; an account stays in the actor's scope and org."""
    _require_account_editor(actor)
    assert actor.organization_id is not None
    account = queries.get_account(actor=actor, reference=account.pk)
    _validate_account_fields(organization_id=actor.organization_id, fields=fields, names=fields.present)
    if "external_id" in fields.present and _external_id_taken(
        organization_id=actor.organization_id, external_id=fields.external_id, exclude_pk=account.pk
    ):
        raise DuplicateExternalId(fields.external_id)
    if actor.is_sales_rep and fields.present & {"sales_rep_id", "territory_id", "credit_limit"}:
        raise NotAllowed("reassign accounts or change credit limits")
    credit_before = {"credit_limit": account.credit_limit}
    for name in fields.present:
        value = getattr(fields, name)
        if name == "currency":
            value = validate_currency(value)
        if name == "name":
            value = value.strip()
        setattr(account, name, value)
    account.save()
    if "credit_limit" in fields.present and account.credit_limit != credit_before["credit_limit"]:
        record_audit(
            organization_id=account.organization_id,
            actor_user_id=actor.user_id,
            action="account.credit_limit_changed",
            object_type="account",
            object_id=account.pk,
            before=credit_before,
            after={"credit_limit": account.credit_limit},
        )
    return account


@transaction.atomic
def move_account(*, actor: Actor, account: Account, new_parent: Account | None) -> Account:
    """Re-parent an account (with its subtree); never under itself."""
    _require_account_editor(actor)
    if actor.is_sales_rep:
        raise NotAllowed("move accounts")
    account = queries.get_account(actor=actor, reference=account.pk)
    if new_parent is None:
        if account.depth == 1:
            return account
        Account.objects.move(account, Account.objects.get_first_root_node(), "last-sibling")
    else:
        new_parent = queries.get_account(actor=actor, reference=new_parent.pk)
        if new_parent.path.startswith(account.path):
            raise InvalidParent("an account cannot move under itself or its own children")
        Account.objects.move(account, new_parent, "last-child")
    return queries.get_account(actor=actor, reference=account.pk)


@transaction.atomic
def create_customer_group(*, actor: Actor, code: str, name: str, external_id: str = "") -> CustomerGroup:
    if not (actor.is_staff and actor.staff_role in {StaffRole.ADMIN, StaffRole.SALES_MANAGER}):
        raise NotAllowed("create customer groups")
    assert actor.organization_id is not None  # staff always belong to an organization
    errors = {}
    if not code.strip():
        errors["code"] = ["must not be empty"]
    if not name.strip():
        errors["name"] = ["must not be empty"]
    if errors:
        raise InvalidInput("invalid customer group", fields=errors)
    if CustomerGroup.objects.filter(organization_id=actor.organization_id, code=code.strip()).exists():
        raise InvalidInput.on("code", f"{code!r} is already used")
    if (
        external_id
        and CustomerGroup.objects.filter(
            organization_id=actor.organization_id, external_id=external_id
        ).exists()
    ):
        raise DuplicateExternalId(external_id)
    return CustomerGroup.objects.create(
        organization_id=actor.organization_id, code=code.strip(), name=name.strip(), external_id=external_id
    )


def _check_roles(roles: Collection[str]) -> frozenset[BuyerRole]:
    unknown = sorted(set(roles) - set(BuyerRole.values))
    if unknown:
        raise InvalidInput.on("roles", f"unknown roles {unknown}; allowed: {sorted(BuyerRole.values)}")
    if not roles:
        raise InvalidInput.on("roles", "give at least one role")
    return frozenset(BuyerRole(role) for role in roles)


@transaction.atomic
def add_buyer_user(
    *,
    actor: Actor,
    account: Account,
    email: str,
    full_name: str,
    roles: Collection[str],
    password: str | None = None,
) -> BuyerUser:
    """Give a person a login for `account`. Without a password the login waits for an invitation link."""
    if not queries.can_manage_users(actor):
        raise NotAllowed("manage users")
    account = queries.get_account(actor=actor, reference=account.pk)
    chosen = _check_roles(roles)
    normalized = email.strip().lower()
    try:
        validate_email(normalized)
    except ValidationError:
        raise InvalidInput.on("email", "not a valid email address") from None
    if password:
        try:
            validate_password(password)
        except ValidationError as exc:
            raise InvalidInput("weak password", fields={"password": list(exc.messages)}) from None
    if queries.find_user_by_email(email=normalized) is not None:
        raise EmailTaken(normalized)
    try:
        user = User.objects.create_user(normalized, password, full_name=full_name.strip())
    except IntegrityError:  # a concurrent invitation of the same address
        raise EmailTaken(normalized) from None
    buyer = BuyerUser(user=user, account=account)
    buyer.set_roles(chosen)
    buyer.save()
    return buyer


@transaction.atomic
def set_buyer_roles(*, actor: Actor, buyer: BuyerUser, roles: Collection[str]) -> BuyerUser:
    """Change a buyer's roles; the account's last admin keeps admin."""
    if not queries.can_manage_users(actor):
        raise NotAllowed("manage users")
    account = queries.get_account(actor=actor, reference=buyer.account_id)
    buyer = queries.get_account_user(actor=actor, account=account, user_id=buyer.user_id)
    chosen = _check_roles(roles)
    if buyer.is_admin and BuyerRole.ADMIN not in chosen:
        # Lock the admins so two concurrent demotions cannot both pass the check.
        admins = list(
            BuyerUser.objects.select_for_update().filter(account=account, is_admin=True).order_by("pk")
        )
        if len(admins) <= 1:
            raise LastAdmin()
    roles_before = {"roles": sorted(buyer.roles)}
    buyer.set_roles(chosen)
    buyer.save(update_fields=["is_admin", "is_buyer", "is_approver", "is_viewer"])
    if sorted(buyer.roles) != roles_before["roles"]:
        record_audit(
            organization_id=account.organization_id,
            actor_user_id=actor.user_id,
            action="buyer.roles_changed",
            object_type="buyer_user",
            object_id=buyer.user_id,
            before=roles_before,
            after={"roles": sorted(buyer.roles)},
        )
    return buyer


@transaction.atomic
def set_buyer_active(*, actor: Actor, buyer: BuyerUser, is_active: bool) -> BuyerUser:
    if not queries.can_manage_users(actor):
        raise NotAllowed("manage users")
    account = queries.get_account(actor=actor, reference=buyer.account_id)
    buyer = queries.get_account_user(actor=actor, account=account, user_id=buyer.user_id)
    if buyer.user_id == actor.user_id and not is_active:
        raise InvalidInput.on("is_active", "you cannot deactivate yourself")
    User.objects.filter(pk=buyer.user_id).update(is_active=is_active)
    buyer.user.is_active = is_active
    return buyer


@dataclass(frozen=True, slots=True)
class AddressFields:
    line1: str
    city: str
    country: str
    label: str = ""
    company: str = ""
    attention: str = ""
    line2: str = ""
    region: str = ""
    postal_code: str = ""
    phone: str = ""
    is_billing: bool = False
    is_shipping: bool = True
    is_default_billing: bool = False
    is_default_shipping: bool = False
    latitude: Decimal | None = None  # both or neither: where it is, for `nearest` allocation
    longitude: Decimal | None = None


@transaction.atomic
def add_address(*, actor: Actor, account: Account, fields: AddressFields) -> Address:
    """Add an address; making it a default clears the previous default of that kind."""
    if actor.is_buyer and not actor.has_buyer_role(BuyerRole.ADMIN):
        raise NotAllowed("manage addresses")
    if actor.is_staff and actor.staff_role in {StaffRole.WAREHOUSE}:
        raise NotAllowed("manage addresses")
    account = queries.get_account(actor=actor, reference=account.pk)
    errors: dict[str, list[str]] = {}
    for name in ("line1", "city"):
        if not getattr(fields, name).strip():
            errors[name] = ["must not be empty"]
    country = fields.country.strip().upper()
    if len(country) != 2 or not country.isalpha():
        errors["country"] = ["use a two-letter ISO country code"]
    if fields.is_default_billing and not fields.is_billing:
        errors["is_default_billing"] = ["only a billing address can be the default billing address"]
    if fields.is_default_shipping and not fields.is_shipping:
        errors["is_default_shipping"] = ["only a shipping address can be the default shipping address"]
    if not (fields.is_billing or fields.is_shipping):
        errors["is_shipping"] = ["an address is for billing, shipping or both"]
    errors.update(coordinate_errors(fields.latitude, fields.longitude))
    if errors:
        raise InvalidInput("invalid address", fields=errors)
    existing = Address.objects.select_for_update().filter(account=account)
    first_billing = fields.is_billing and not existing.filter(is_billing=True).exists()
    first_shipping = fields.is_shipping and not existing.filter(is_shipping=True).exists()
    default_billing = fields.is_default_billing or first_billing
    default_shipping = fields.is_default_shipping or first_shipping
    if default_billing:
        existing.filter(is_default_billing=True).update(is_default_billing=False)
    if default_shipping:
        existing.filter(is_default_shipping=True).update(is_default_shipping=False)
    return Address.objects.create(
        account=account,
        label=fields.label.strip(),
        company=fields.company.strip(),
        attention=fields.attention.strip(),
        line1=fields.line1.strip(),
        line2=fields.line2.strip(),
        city=fields.city.strip(),
        region=fields.region.strip(),
        postal_code=fields.postal_code.strip(),
        country=country,
        phone=fields.phone.strip(),
        latitude=stored(fields.latitude),
        longitude=stored(fields.longitude),
        is_billing=fields.is_billing,
        is_shipping=fields.is_shipping,
        is_default_billing=default_billing,
        is_default_shipping=default_shipping,
    )


@transaction.atomic
def change_account(
    *, actor: Actor, account: Account, fields: AccountFields, new_parent: Account | _Unset | None = UNSET
) -> Account:
    """Apply the present fields and, unless `new_parent` is UNSET, re-parent (None: to the root); all or nothing."""
    account = update_account(actor=actor, account=account, fields=fields)
    if not isinstance(new_parent, _Unset):
        account = move_account(actor=actor, account=account, new_parent=new_parent)
    return account


@transaction.atomic
def change_buyer_user(
    *, actor: Actor, buyer: BuyerUser, roles: Collection[str] | None = None, is_active: bool | None = None
) -> BuyerUser:
    """Change a buyer's roles and/or active flag together (all or nothing); None leaves a value as it is."""
    if not queries.can_manage_users(actor):
        raise NotAllowed("manage users")
    if roles is not None:
        buyer = set_buyer_roles(actor=actor, buyer=buyer, roles=roles)
    if is_active is not None:
        buyer = set_buyer_active(actor=actor, buyer=buyer, is_active=is_active)
    return buyer
