"""The demo and scale-test data seeder: a realistic distributor of industrial supplies.

Deterministic: the same profile and seed give the same SKUs, accounts and people. It writes rows with
`bulk_create` (it is a data loader) but produces exactly what the services would: valid account and
category trees (path, depth, numchild), one default billing and shipping address per account that has
one, normalized part numbers, and search documents from the catalog's own `product_values`.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, transaction

from meridian.catalog.models import Category, CustomerPartNumber, Product, ProductUnit, VisibilityRule
from meridian.core.errors import Conflict, InvalidInput
from meridian.core.models import User
from meridian.customers.models import Account, Address, BuyerUser
from meridian.demo import reference as ref
from meridian.demo.seeding.base import PROFILES, Profile, batches
from meridian.demo.seeding.catalog import CatalogSeeding
from meridian.demo.seeding.customers import CustomerSeeding
from meridian.demo.seeding.tenancy import TenancySeeding
from meridian.inventory.seed import delete_inventory, seed_inventory
from meridian.ordering.seed import delete_orders, seed_orders
from meridian.pricing.models import (
    Contract,
    CustomerPrice,
    PriceAssignment,
    PriceList,
    PriceListEntry,
    PriceRule,
    Promotion,
)
from meridian.pricing.seed import delete_pricing, seed_pricing
from meridian.staff.models import StaffMember
from meridian.tenancy.models import Organization

DEFAULT_SEED = 42
__all__ = ["DEFAULT_SEED", "PROFILES", "Profile", "SeedRefused", "SeedReport", "seed_demo"]


class SeedRefused(Conflict):
    code = "demo_already_seeded"


@dataclass(frozen=True, slots=True)
class SeedReport:
    profile: str
    seed: int
    organization_id: int
    counts: dict[str, int]
    seconds: float


def find_demo_organization() -> Organization | None:
    return Organization.objects.filter(slug=ref.ORGANIZATION_SLUG).first()


def seed_demo(
    *,
    profile: str,
    seed: int = DEFAULT_SEED,
    reset: bool = False,
    progress: Callable[[str], None] | None = None,
) -> SeedReport:
    """Seed the demo distributor in one transaction; refuses (SeedRefused) if it exists, unless `reset`."""
    if profile not in PROFILES:
        raise InvalidInput.on("profile", f"unknown profile {profile!r}; choose one of {sorted(PROFILES)}")
    existing = find_demo_organization()
    if existing is not None and not reset:
        raise SeedRefused(
            f"the database already holds the demo organization {existing.name!r} ({existing.slug}); "
            "pass --reset to delete it and seed again"
        )
    started = time.perf_counter()
    with transaction.atomic():
        if existing is not None:
            delete_demo_organization(existing)
        taken = sorted(
            User.objects.filter(email__in=[login.email for login in ref.DEMO_LOGINS]).values_list(
                "email", flat=True
            )
        )
        if taken:
            raise SeedRefused(
                f"these demo logins already exist outside the demo organization: {', '.join(taken)}"
            )
        seeder = _Seeder(PROFILES[profile], seed, progress or (lambda message: None))
        counts = seeder.run()
    _analyze()
    # Orders go through place_order, whose transaction is durable: after the seed has committed.
    approver = BuyerUser.objects.select_related("account").get(user__email=ref.DEMO_APPROVER.email)
    counts.update(
        seed_orders(
            organization=seeder.organization,
            rng=random.Random(f"{seed}:orders"),
            profile=profile,
            approval_accounts=[approver.account],
        )
    )
    return SeedReport(
        profile=profile,
        seed=seed,
        organization_id=seeder.organization.pk,
        counts=counts,
        seconds=time.perf_counter() - started,
    )


@transaction.atomic
def delete_demo_organization(organization: Organization) -> None:
    """Delete the organization, everything in it and its people's logins."""
    user_ids = [
        *BuyerUser.objects.filter(account__organization=organization).values_list("user_id", flat=True),
        *StaffMember.objects.filter(organization=organization).values_list("user_id", flat=True),
    ]
    # Leaf tables first, each in one DELETE; the cascade from the organization would load every row.
    delete_orders(organization=organization)
    delete_inventory(organization=organization)
    delete_pricing(organization=organization)
    VisibilityRule.objects.filter(organization=organization).delete()
    CustomerPartNumber.objects.filter(organization=organization).delete()
    ProductUnit.objects.filter(product__organization=organization).delete()
    Address.objects.filter(account__organization=organization).delete()
    BuyerUser.objects.filter(account__organization=organization).delete()
    organization.delete()
    for batch in batches(user_ids, 500):
        User.objects.filter(pk__in=batch).delete()


def _analyze() -> None:
    """Fresh planner statistics: right after a bulk load PostgreSQL would otherwise plan with none."""
    if connection.vendor != "postgresql":
        return
    seeded = (
        Product,
        ProductUnit,
        Category,
        CustomerPartNumber,
        VisibilityRule,
        Account,
        Address,
        BuyerUser,
        User,
        # Pricing: without statistics the resolver's entry lookup plans a scan of whole lists.
        PriceList,
        PriceListEntry,
        PriceAssignment,
        Contract,
        PriceRule,
        CustomerPrice,
        Promotion,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(model._meta.db_table for model in seeded))


class _Seeder(TenancySeeding, CatalogSeeding, CustomerSeeding):
    def run(self) -> dict[str, int]:
        self.organization = Organization.objects.create(
            name=ref.ORGANIZATION_NAME, slug=ref.ORGANIZATION_SLUG, default_currency="USD"
        )
        self.seed_tenancy()
        self.seed_segments()
        self.seed_staff()
        self.seed_categories()
        self.seed_products()
        self.seed_accounts()
        self.seed_addresses()
        self.seed_buyers()
        self.seed_visibility_rules()
        self.seed_part_numbers()
        self.seed_inventory()
        self.seed_pricing()
        return self.counts

    def seed_pricing(self) -> None:
        """Price lists, contracts, promotions and rebates, from the pricing app's own loader."""
        counts = seed_pricing(
            organization=self.organization, rng=self.rng("pricing"), profile=self.profile.name
        )
        for name, count in counts.items():
            self.step(name.replace("_", " "), count)

    def seed_inventory(self) -> None:
        """Warehouses and opening stock, from the inventory app's own loader."""
        counts = seed_inventory(
            organization=self.organization, rng=self.rng("inventory"), profile=self.profile.name
        )
        for name, count in counts.items():
            self.step(name.replace("_", " "), count)
