"""Profiles, the seeder's shared state and small helpers."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from django.contrib.auth.hashers import make_password
from django.db import models
from django.utils.text import slugify
from faker import Faker

from meridian.catalog.models import Category
from meridian.core.models import User
from meridian.customers.models import Account, CustomerGroup, PaymentTerms
from meridian.demo import reference as ref
from meridian.staff.models import StaffMember, Territory
from meridian.tenancy.models import Branch, Organization, Website

BATCH_SIZE = 2000
LOCALES = {"US": "en_US", "CA": "en_CA", "MX": "es_MX"}
Model = TypeVar("Model", bound=models.Model)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Profile:
    name: str
    products: int
    accounts: int
    sales_reps: int
    inside_sales: int
    websites: int
    branches: int
    territories: int
    part_numbers_per_company: tuple[int, int]


PROFILES = {
    "tiny": Profile("tiny", 150, 12, 5, 1, 2, 2, 2, (5, 10)),  # for tests
    "small": Profile("small", 500, 50, 5, 1, 2, 2, 3, (20, 50)),
    "medium": Profile("medium", 20_000, 2_000, 25, 4, 3, 6, 10, (20, 50)),
    "large": Profile("large", 200_000, 20_000, 120, 12, 4, 12, 40, (20, 50)),
}


def batches(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def bulk(model: type[Model], rows: list[Model]) -> list[Model]:
    # Primary keys come back on PostgreSQL and SQLite >= 3.35 (needed for the rows that refer to these).
    return model.objects.bulk_create(rows, batch_size=BATCH_SIZE)  # type: ignore[attr-defined,no-any-return]  # every model has objects


def weighted(rng: random.Random, choices: Sequence[tuple[T, int]]) -> T:
    return rng.choices([value for value, _ in choices], weights=[weight for _, weight in choices])[0]


def phone(rng: random.Random, country: str) -> str:
    # 555-01xx numbers are reserved for fiction.
    if country == "MX":
        return f"+52 81 5550 {rng.randint(1000, 9999)}"
    return f"+1 {rng.randint(201, 989)}-555-01{rng.randint(0, 99):02d}"


@dataclass(slots=True)
class ProductRow:
    pk: int
    category: tuple[str, ...]
    is_active: bool


@dataclass(slots=True)
class Node:
    """An account being planned, with what the seeder needs to know about it afterwards."""

    account: Account
    country: str
    root: int  # index of the company (depth 1) in the node list
    parent: int | None
    city: tuple[str, str, str]  # (city, state or province, postal code prefix)
    excluded: set[tuple[str, ...]] = field(default_factory=set)
    children: list[int] = field(default_factory=list)


class SeederBase:
    """State shared by the seeding steps; each step fills in what the later ones use."""

    organization: Organization
    branch_specs: tuple[ref.BranchSpec, ...]
    websites: dict[str, Website]
    branches: dict[str, Branch]
    groups: dict[str, CustomerGroup]
    terms: dict[str, PaymentTerms]
    demo_rep: StaffMember
    reps_by_branch: dict[str, list[StaffMember]]
    territories_by_branch: dict[str, list[Territory]]
    categories: dict[tuple[str, ...], Category]
    products: list[ProductRow]
    nodes: list[Node]
    demo_nodes: dict[str, int]

    def __init__(self, profile: Profile, seed: int, progress: Callable[[str], None]) -> None:
        self.profile = profile
        self.seed = seed
        self.progress = progress
        self._fakers: dict[tuple[str, str], Faker] = {}
        # One hash for every seeded login keeps seeding fast (Argon2 is slow on purpose).
        self.password = make_password(ref.DEMO_PASSWORD)
        self.emails: set[str] = set()
        self.counts: dict[str, int] = {}
        self.clock = time.perf_counter()

    def rng(self, section: str) -> random.Random:
        # One stream per section: changing one section does not reshuffle the others.
        return random.Random(f"{self.seed}:{section}")

    def faker(self, country: str, section: str) -> Faker:
        """Names and streets for a country (US, CA, MX), seeded per section like `rng`."""
        key = (country, section)
        if key not in self._fakers:
            self._fakers[key] = Faker(LOCALES[country])
            self._fakers[key].seed_instance(f"{self.seed}:{section}")
        return self._fakers[key]

    def step(self, name: str, count: int) -> None:
        self.counts[name] = count
        now = time.perf_counter()
        self.progress(f"  {name:<18} {count:>8}  {now - self.clock:6.2f}s")
        self.clock = now

    # Logins

    def email(self, first: str, last: str, domain: str) -> str:
        local = f"{slugify(first)}.{slugify(last)}".strip(".") or "user"
        candidate, number = f"{local}@{domain}", 1
        while candidate in self.emails:
            number += 1
            candidate = f"{local}{number}@{domain}"
        self.emails.add(candidate)
        return candidate

    def user(self, email: str, full_name: str) -> User:
        # What UserManager.create_user stores: a lower-cased email and a hashed password.
        return User(email=email.lower(), full_name=full_name, password=self.password)
