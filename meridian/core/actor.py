"""The Actor: who is acting, for which organization, account and website.

Every read of customer data takes an Actor and goes through a scoped queryset
(`Account.objects.visible_to(actor)`). An object outside the scope is reported as
NotFound, the same as one that does not exist.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from django.db import models


class ActorKind(enum.StrEnum):
    ANONYMOUS = "anonymous"
    BUYER = "buyer"
    STAFF = "staff"


class BuyerRole(models.TextChoices):
    ADMIN = "admin", "Account admin"
    BUYER = "buyer", "Buyer"
    APPROVER = "approver", "Approver"
    VIEWER = "viewer", "Viewer"


class StaffRole(models.TextChoices):
    SALES_REP = "sales_rep", "Sales rep"
    SALES_MANAGER = "sales_manager", "Sales manager"
    INSIDE_SALES = "inside_sales", "Inside sales"
    WAREHOUSE = "warehouse", "Warehouse"
    FINANCE = "finance", "Finance"
    ADMIN = "admin", "Admin"


@dataclass(frozen=True, slots=True)
class Actor:
    kind: ActorKind
    user_id: int | None = None
    organization_id: int | None = None
    website_id: int | None = None
    # Buyers: their account, its materialized path and its ancestors (root first).
    account_id: int | None = None
    account_path: str = ""
    account_ancestor_ids: tuple[int, ...] = ()
    customer_group_id: int | None = None
    branch_id: int | None = None
    buyer_roles: frozenset[BuyerRole] = field(default_factory=frozenset)
    # Staff.
    staff_id: int | None = None
    staff_role: StaffRole | None = None
    territory_ids: tuple[int, ...] = ()

    @property
    def is_authenticated(self) -> bool:
        return self.kind is not ActorKind.ANONYMOUS

    @property
    def is_buyer(self) -> bool:
        return self.kind is ActorKind.BUYER

    @property
    def is_staff(self) -> bool:
        return self.kind is ActorKind.STAFF

    @property
    def is_sales_rep(self) -> bool:
        return self.is_staff and self.staff_role == StaffRole.SALES_REP

    @property
    def sees_whole_organization(self) -> bool:
        """Staff other than field reps see every account of their organization."""
        return self.is_staff and self.staff_role != StaffRole.SALES_REP

    @property
    def account_chain_ids(self) -> tuple[int, ...]:
        """The buyer's account and its ancestors, root first."""
        if self.account_id is None:
            return ()
        return (*self.account_ancestor_ids, self.account_id)

    def has_buyer_role(self, role: BuyerRole) -> bool:
        return self.is_buyer and role in self.buyer_roles


ANONYMOUS = Actor(kind=ActorKind.ANONYMOUS)
