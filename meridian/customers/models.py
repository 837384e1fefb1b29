"""Customer accounts (a tree of any depth), groups, buyer users and addresses."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.lookups import StartsWith
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from meridian.core.actor import Actor, BuyerRole
from meridian.core.geo import coordinates_valid
from meridian.core.money import CURRENCY_CHOICES
from meridian.staff.models import StaffMember, Territory
from meridian.tenancy.models import Branch, Organization

if TYPE_CHECKING:
    from collections.abc import Iterable


class CustomerGroup(models.Model):
    """A segment of accounts (e.g. Gold, OEM, Contractors) that prices and assortments target."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="customer_groups")
    code = models.CharField(max_length=32)
    name = models.CharField(max_length=200)
    external_id = models.CharField(max_length=100, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="customer_group_code_unique"),
            models.UniqueConstraint(
                fields=["organization", "external_id"],
                condition=~Q(external_id=""),
                name="customer_group_ext_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PaymentTerms(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="payment_terms")
    code = models.CharField(max_length=32)
    name = models.CharField(max_length=100)
    net_days = models.PositiveIntegerField(default=30)

    class Meta:
        verbose_name_plural = "payment terms"
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="payment_terms_code_unique")
        ]

    def __str__(self) -> str:
        return self.name


class AccountQuerySet(MP_NodeQuerySet["Account"]):
    def visible_to(self, actor: Actor) -> AccountQuerySet:
        """Accounts the actor may see: a buyer their subtree, a rep their assigned subtrees, staff their org."""
        if not actor.is_authenticated or actor.organization_id is None:
            return self.none()
        in_org = self.filter(organization_id=actor.organization_id)
        if actor.is_buyer:
            return in_org.filter(path__startswith=actor.account_path)
        if actor.sees_whole_organization:
            return in_org
        if actor.is_sales_rep:
            # An assignment covers the account's whole subtree.
            return in_org.filter(Exists(_assigned_ancestors(actor, actor.organization_id)))
        return self.none()


def _assigned_ancestors(actor: Actor, organization_id: int) -> models.QuerySet[Account]:
    """Accounts assigned to the rep whose path is a prefix of the outer account's path."""
    return (
        Account.objects.filter(organization_id=organization_id)
        .filter(Q(sales_rep_id=actor.staff_id) | Q(territory_id__in=list(actor.territory_ids)))
        .filter(StartsWith(OuterRef("path"), models.F("path")))
    )


class AccountManager(MP_NodeManager["Account"]):
    def get_queryset(self) -> AccountQuerySet:
        # treebeard's manager hard-codes its own queryset class; keep ours (and its path order).
        return AccountQuerySet(self.model, using=self._db).order_by("path")

    def visible_to(self, actor: Actor) -> AccountQuerySet:
        return self.get_queryset().visible_to(actor)


class Account(MP_Node):
    """A customer company. Children are subsidiaries, plants or departments."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="accounts")
    name = models.CharField(max_length=200)
    number = models.CharField(max_length=40, blank=True, help_text="The seller's customer number.")
    external_id = models.CharField(max_length=100, blank=True)
    customer_group = models.ForeignKey(CustomerGroup, null=True, blank=True, on_delete=models.SET_NULL)
    branch = models.ForeignKey(Branch, null=True, blank=True, on_delete=models.SET_NULL)
    payment_terms = models.ForeignKey(PaymentTerms, null=True, blank=True, on_delete=models.SET_NULL)
    credit_limit = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default="USD")
    sales_rep = models.ForeignKey(
        StaffMember, null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_accounts"
    )
    territory = models.ForeignKey(
        Territory, null=True, blank=True, on_delete=models.SET_NULL, related_name="accounts"
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[AccountManager] = AccountManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "external_id"],
                condition=~Q(external_id=""),
                name="account_ext_unique",
            ),
            models.CheckConstraint(
                condition=Q(credit_limit__gte=0), name="account_credit_limit_non_negative"
            ),
        ]
        indexes = [models.Index(fields=["organization", "name"], name="account_org_name_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def parent_path(self) -> str:
        return self.path[: -self.steplen] if self.depth > 1 else ""

    def ancestor_paths(self) -> list[str]:
        """Paths of the ancestors, root first (no query: derived from the materialized path)."""
        return [self.path[:end] for end in range(self.steplen, len(self.path), self.steplen)]


class BuyerUser(models.Model):
    """A person who buys for an account. Roles combine (an admin may also approve)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="buyer")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="users")
    is_admin = models.BooleanField(default=False)
    is_buyer = models.BooleanField(default=True)
    is_approver = models.BooleanField(default=False)
    is_viewer = models.BooleanField(default=False)
    job_title = models.CharField(max_length=100, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.user} @ {self.account_id}"

    @property
    def roles(self) -> frozenset[BuyerRole]:
        flags = {
            BuyerRole.ADMIN: self.is_admin,
            BuyerRole.BUYER: self.is_buyer,
            BuyerRole.APPROVER: self.is_approver,
            BuyerRole.VIEWER: self.is_viewer,
        }
        return frozenset(role for role, on in flags.items() if on)

    def set_roles(self, roles: Iterable[BuyerRole]) -> None:
        chosen = set(roles)
        self.is_admin = BuyerRole.ADMIN in chosen
        self.is_buyer = BuyerRole.BUYER in chosen
        self.is_approver = BuyerRole.APPROVER in chosen
        self.is_viewer = BuyerRole.VIEWER in chosen


class Address(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="addresses")
    label = models.CharField(max_length=100, blank=True)
    company = models.CharField(max_length=200, blank=True)
    attention = models.CharField(max_length=200, blank=True)
    line1 = models.CharField(max_length=200)
    line2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100)
    region = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2")
    phone = models.CharField(max_length=40, blank=True)
    # Where it is, for the `nearest` allocation strategy (inventory); both or neither.
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    is_billing = models.BooleanField(default=False)
    is_shipping = models.BooleanField(default=True)
    is_default_billing = models.BooleanField(default=False)
    is_default_shipping = models.BooleanField(default=False)
    external_id = models.CharField(max_length=100, blank=True)

    class Meta:
        verbose_name_plural = "addresses"
        constraints = [
            models.UniqueConstraint(
                fields=["account"], condition=Q(is_default_billing=True), name="address_one_default_billing"
            ),
            models.UniqueConstraint(
                fields=["account"], condition=Q(is_default_shipping=True), name="address_one_default_shipping"
            ),
            models.CheckConstraint(
                condition=Q(is_default_billing=False) | Q(is_billing=True),
                name="address_default_billing_is_billing",
            ),
            models.CheckConstraint(
                condition=Q(is_default_shipping=False) | Q(is_shipping=True),
                name="address_default_shipping_is_shipping",
            ),
            models.CheckConstraint(condition=coordinates_valid(), name="address_coordinates_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.line1}, {self.city}"
