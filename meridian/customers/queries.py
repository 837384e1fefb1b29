"""Read paths for accounts, buyers and addresses, always scoped to the Actor."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection, models
from django.db.models import Q, QuerySet

from meridian.core.actor import Actor, ActorKind, BuyerRole, StaffRole
from meridian.core.models import ApiToken, User
from meridian.core.queries import find_live_token
from meridian.customers.errors import AccountNotFound
from meridian.customers.models import Account, Address, BuyerUser, CustomerGroup, PaymentTerms
from meridian.staff.models import StaffMember, Territory
from meridian.tenancy.models import Website
from meridian.tenancy.queries import find_website

EXTERNAL_PREFIX = "ext:"
MAX_DATABASE_ID = 2**63 - 1


def is_database_id(text: str) -> bool:
    """ASCII digits that fit a bigint primary key ("²" and 10**30 are not ids)."""
    return text.isascii() and text.isdigit() and int(text) <= MAX_DATABASE_ID


def _quoted(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _buyer_of(user_id: int) -> BuyerUser | None:
    """The active user's buyer row with the account fields an actor needs (1 statement; hand-written:
    every API request and page runs it, and the ORM's compiling cost more than the database work)."""
    sql = (
        "SELECT b.id, b.user_id, b.account_id, b.is_admin, b.is_buyer, b.is_approver, b.is_viewer,"
        " a.organization_id, a.path, a.customer_group_id, a.branch_id"
        f" FROM {_quoted(BuyerUser)} b INNER JOIN {_quoted(User)} u ON u.id = b.user_id"
        f" INNER JOIN {_quoted(Account)} a ON a.id = b.account_id"
        " WHERE b.user_id = %s AND u.is_active = %s ORDER BY b.id LIMIT 1"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [user_id, True])
        row = cursor.fetchone()
    if row is None:
        return None
    pk, user, account_id, is_admin, is_buyer, is_approver, is_viewer, organization, path, group, branch = row
    buyer = BuyerUser(
        pk=pk,
        user_id=user,
        account_id=account_id,
        is_admin=bool(is_admin),
        is_buyer=bool(is_buyer),
        is_approver=bool(is_approver),
        is_viewer=bool(is_viewer),
    )
    buyer.account = Account(
        pk=account_id, organization_id=organization, path=path, customer_group_id=group, branch_id=branch
    )
    return buyer


def _ancestor_ids(paths: list[str]) -> dict[str, int]:
    """Account ids by path (1 statement, none without paths; hand-written like `_buyer_of`)."""
    if not paths:
        return {}
    sql = f"SELECT a.path, a.id FROM {_quoted(Account)} a WHERE a.path IN ({', '.join(['%s'] * len(paths))})"
    with connection.cursor() as cursor:
        cursor.execute(sql, paths)
        return {str(path): int(pk) for path, pk in cursor.fetchall()}


def build_actor(*, user_id: int, host: str = "", website_id: int | None = None) -> Actor:
    """Resolve who a user acts as: buyer of an account, or staff of an organization (2-4 queries)."""
    buyer = _buyer_of(user_id)
    if buyer is not None:
        account = buyer.account
        ancestors = _ancestor_ids(account.ancestor_paths())
        website = find_website(organization_id=account.organization_id, host=host, website_id=website_id)
        return Actor(
            kind=ActorKind.BUYER,
            user_id=user_id,
            organization_id=account.organization_id,
            website_id=website.pk if website else None,
            account_id=account.pk,
            account_path=account.path,
            account_ancestor_ids=tuple(
                ancestors[path] for path in account.ancestor_paths() if path in ancestors
            ),
            customer_group_id=account.customer_group_id,
            branch_id=account.branch_id,
            buyer_roles=buyer.roles,
        )
    staff = StaffMember.objects.filter(user_id=user_id, user__is_active=True).first()
    if staff is not None:
        website = find_website(organization_id=staff.organization_id, host=host, website_id=website_id)
        return Actor(
            kind=ActorKind.STAFF,
            user_id=user_id,
            organization_id=staff.organization_id,
            website_id=website.pk if website else None,
            staff_id=staff.pk,
            staff_role=StaffRole(staff.role),
            territory_ids=tuple(staff.territories.values_list("pk", flat=True)),
        )
    return Actor(kind=ActorKind.ANONYMOUS, user_id=user_id)


@dataclass(frozen=True, slots=True)
class TokenHolder:
    """A live API token (not revoked, not expired, its user active) and who its user acts as."""

    token_id: int
    last_used_at: datetime | None
    user: User
    actor: Actor


def find_token_holder(
    *, key_hash: str, now: datetime, host: str = "", website_id: int | None = None
) -> TokenHolder | None:
    """The live token with this hash, its user and the Actor `build_actor` resolves for that user,
    else None. Every API request runs it: 1 statement on PostgreSQL (`_token_holder_sql`), elsewhere
    the token+user, then `build_actor`'s queries."""
    if connection.vendor != "postgresql":
        token = find_live_token(key_hash=key_hash, now=now)
        if token is None:
            return None
        actor = build_actor(user_id=token.user_id, host=host, website_id=website_id)
        return TokenHolder(token_id=token.pk, last_used_at=token.last_used_at, user=token.user, actor=actor)
    sql, user_fields = _token_holder_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, [website_id, host, key_hash, True, now])
        row = cursor.fetchone()
    if row is None:
        return None
    token_id, last_used_at = row[0], row[1]
    user = User.from_db(connection.alias, user_fields, row[2 : 2 + len(user_fields)])
    actor = _actor_from_row(user.pk, row[2 + len(user_fields) :])
    return TokenHolder(token_id=token_id, last_used_at=last_used_at, user=user, actor=actor)


@functools.cache
def _token_holder_sql() -> tuple[str, list[str]]:
    """The statement of `find_token_holder` on PostgreSQL, and the user fields it reads.

    Its row: the token's id and last use, the user's columns, then what `_actor_from_row` reads,
    with the rules of `build_actor`: the buyer row with its account and the account's ancestor ids
    (root first), else the staff row with its territories; and the website `find_website` chooses
    in their organization (the one asked for, else the host's, else the default, else the first).
    Parameters: the website id asked for, the host, the token hash, True, now."""
    user_fields = [field.attname for field in User._meta.concrete_fields]
    user_columns = ", ".join(f"u.{field.column}" for field in User._meta.concrete_fields)
    steplen = Account.steplen
    sql = (
        f"SELECT t.id, t.last_used_at, {user_columns},"
        " b.id, b.account_id, b.is_admin, b.is_buyer, b.is_approver, b.is_viewer,"
        " b.organization_id, b.path, b.customer_group_id, b.branch_id,"
        f" ARRAY(SELECT p.id FROM {_quoted(Account)} p WHERE p.path = ANY(ARRAY("
        f"SELECT substr(b.path, 1, n * {steplen}) FROM generate_series(1, length(b.path) / {steplen} - 1) n"
        ")) ORDER BY length(p.path)),"
        " s.id, s.organization_id, s.role,"
        f" ARRAY(SELECT r.territory_id FROM {_quoted(Territory.reps.through)} r"
        " WHERE r.staffmember_id = s.id ORDER BY r.territory_id),"
        f" (SELECT w.id FROM {_quoted(Website)} w"
        " WHERE w.organization_id = COALESCE(b.organization_id, s.organization_id)"
        " ORDER BY (w.id = %s) IS TRUE DESC, (w.domain = NULLIF(%s, '')) IS TRUE DESC, w.is_default DESC, w.id"
        " LIMIT 1)"
        f" FROM {_quoted(ApiToken)} t INNER JOIN {_quoted(User)} u ON u.id = t.user_id"
        # OFFSET 0 keeps each LATERAL a subquery planned on its own: planning a join order over
        # all five tables cost more than running the statement (planning 0.38 -> 0.26 ms).
        " LEFT JOIN LATERAL (SELECT b.id, b.account_id, b.is_admin, b.is_buyer, b.is_approver, b.is_viewer,"
        " a.organization_id, a.path, a.customer_group_id, a.branch_id"
        f" FROM {_quoted(BuyerUser)} b INNER JOIN {_quoted(Account)} a ON a.id = b.account_id"
        " WHERE b.user_id = u.id OFFSET 0) b ON TRUE"
        " LEFT JOIN LATERAL (SELECT s.id, s.organization_id, s.role"
        f" FROM {_quoted(StaffMember)} s WHERE s.user_id = u.id OFFSET 0) s ON TRUE"
        " WHERE t.key_hash = %s AND t.revoked_at IS NULL AND u.is_active = %s"
        " AND (t.expires_at IS NULL OR t.expires_at > %s)"
    )
    return sql, user_fields


@functools.cache
def _buyer_roles(is_admin: bool, is_buyer: bool, is_approver: bool, is_viewer: bool) -> frozenset[BuyerRole]:
    """`BuyerUser.roles` for these flags (16 combinations, each built once)."""
    return BuyerUser(is_admin=is_admin, is_buyer=is_buyer, is_approver=is_approver, is_viewer=is_viewer).roles


def _actor_from_row(user_id: int, row: Sequence[Any]) -> Actor:
    """The Actor of a `_token_holder_sql` row's actor columns (a buyer, else staff, else anonymous)."""
    (
        buyer_id,
        account_id,
        is_admin,
        is_buyer,
        is_approver,
        is_viewer,
        organization_id,
        path,
        customer_group_id,
        branch_id,
        ancestor_ids,
        staff_id,
        staff_organization_id,
        staff_role,
        territory_ids,
        website_id,
    ) = row
    if buyer_id is not None:
        return Actor(
            kind=ActorKind.BUYER,
            user_id=user_id,
            organization_id=organization_id,
            website_id=website_id,
            account_id=account_id,
            account_path=path,
            account_ancestor_ids=tuple(ancestor_ids),
            customer_group_id=customer_group_id,
            branch_id=branch_id,
            buyer_roles=_buyer_roles(bool(is_admin), bool(is_buyer), bool(is_approver), bool(is_viewer)),
        )
    if staff_id is not None:
        return Actor(
            kind=ActorKind.STAFF,
            user_id=user_id,
            organization_id=staff_organization_id,
            website_id=website_id,
            staff_id=staff_id,
            staff_role=StaffRole(staff_role),
            territory_ids=tuple(territory_ids),
        )
    return Actor(kind=ActorKind.ANONYMOUS, user_id=user_id)


def account_reference(reference: str | int) -> tuple[str, str | int] | None:
    """The column and value an account reference names: ("external_id", x) for `ext:<x>`, ("id", n)
    for a database id; None for a reference no account can have (a bare `ext:`, other text)."""
    text = str(reference)
    if text.startswith(EXTERNAL_PREFIX):
        external_id = text[len(EXTERNAL_PREFIX) :]
        return ("external_id", external_id) if external_id else None
    return ("id", int(text)) if is_database_id(text) else None


def filter_by_reference(queryset: QuerySet[Account], reference: str | int) -> QuerySet[Account]:
    """The accounts of `queryset` that `reference` (id or `ext:<external_id>`) names (none or one)."""
    named = account_reference(reference)
    return queryset.filter(**{named[0]: named[1]}) if named is not None else queryset.none()


def get_account(*, actor: Actor, reference: str | int) -> Account:
    """One account by id or `ext:<external_id>`; outside the actor's scope raises AccountNotFound."""
    queryset = Account.objects.visible_to(actor).select_related(
        "customer_group", "branch", "payment_terms", "sales_rep__user", "territory"
    )
    account = filter_by_reference(queryset, reference).first()
    if account is None:
        raise AccountNotFound(reference)
    return account


def find_account(*, actor: Actor, reference: str | int) -> Account | None:
    return filter_by_reference(Account.objects.visible_to(actor), reference).first()


def list_accounts(*, actor: Actor, search: str = "", parent: Account | None = None) -> QuerySet[Account]:
    """Accounts in scope, with the relations a list shows (one query)."""
    queryset = Account.objects.visible_to(actor).select_related("customer_group", "sales_rep__user", "branch")
    if search:
        queryset = queryset.filter(
            Q(name__icontains=search) | Q(number__iexact=search) | Q(external_id__iexact=search)
        )
    if parent is not None:
        queryset = queryset.filter(path__startswith=parent.path, depth=parent.depth + 1)
    return queryset.order_by("path")


def list_subtree(*, actor: Actor, account: Account) -> QuerySet[Account]:
    """The account and all its descendants that the actor may see, in tree order."""
    return Account.objects.visible_to(actor).filter(path__startswith=account.path).order_by("path")


def child_ids_by_parent_path(*, accounts: list[Account]) -> dict[str, list[int]]:
    """Direct children's ids for each account, keyed by the parent's path (one query)."""
    if not accounts:
        return {}
    paths = [a.path for a in accounts]
    query = Q()
    for account in accounts:
        query |= Q(path__startswith=account.path, depth=account.depth + 1)
    result: dict[str, list[int]] = {path: [] for path in paths}
    for pk, path in Account.objects.filter(query).order_by("path").values_list("pk", "path"):
        parent = path[: -Account.steplen]
        if parent in result:
            result[parent].append(pk)
    return result


def list_account_users(*, actor: Actor, account: Account) -> QuerySet[BuyerUser]:
    visible = Account.objects.visible_to(actor).filter(pk=account.pk)
    return BuyerUser.objects.filter(account__in=visible).select_related("user").order_by("user__email")


def get_account_user(*, actor: Actor, account: Account, user_id: int) -> BuyerUser:
    buyer = list_account_users(actor=actor, account=account).filter(user_id=user_id).first()
    if buyer is None:
        raise AccountNotFound(f"{account.pk}/users/{user_id}")
    return buyer


def list_addresses(*, actor: Actor, account: Account) -> QuerySet[Address]:
    visible = Account.objects.visible_to(actor).filter(pk=account.pk)
    return Address.objects.filter(account__in=visible).order_by(
        "-is_default_shipping", "-is_default_billing", "pk"
    )


def list_customer_groups(*, actor: Actor) -> QuerySet[CustomerGroup]:
    if actor.organization_id is None:
        return CustomerGroup.objects.none()
    queryset = CustomerGroup.objects.filter(organization_id=actor.organization_id)
    if actor.is_buyer:
        # A buyer sees only their own account's group.
        queryset = queryset.filter(pk=actor.customer_group_id) if actor.customer_group_id else queryset.none()
    return queryset.order_by("name")


def list_payment_terms(*, organization_id: int) -> QuerySet[PaymentTerms]:
    return PaymentTerms.objects.filter(organization_id=organization_id).order_by("net_days")


def find_user_by_email(*, email: str) -> User | None:
    return User.objects.filter(email__iexact=email.strip()).first()


def account_admins(*, account: Account) -> QuerySet[BuyerUser]:
    return BuyerUser.objects.filter(account=account, is_admin=True)


def can_manage_users(actor: Actor) -> bool:
    """Account admins manage their subtree's users; staff other than warehouse and finance too."""
    if actor.is_buyer:
        return actor.has_buyer_role(BuyerRole.ADMIN)
    return actor.is_staff and actor.staff_role not in {StaffRole.WAREHOUSE, StaffRole.FINANCE}


def list_ancestors(*, actor: Actor, account: Account) -> QuerySet[Account]:
    """The account's ancestors that the actor may see, root first (one query; no query for a root)."""
    return Account.objects.visible_to(actor).filter(path__in=account.ancestor_paths()).order_by("path")


def parent_ids_by_path(*, actor: Actor, accounts: list[Account]) -> dict[str, int]:
    """Ids of the accounts' parents that the actor may see, keyed by the parent's path (at most one query)."""
    paths = sorted({account.parent_path for account in accounts if account.depth > 1})
    if not paths:
        return {}
    return dict(Account.objects.visible_to(actor).filter(path__in=paths).values_list("path", "pk"))
