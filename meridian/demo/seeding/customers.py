"""The account trees (companies, sites, departments), their addresses and buyer logins."""

from __future__ import annotations

import random
from decimal import Decimal

from django.utils.text import slugify
from faker import Faker

from meridian.core.actor import BuyerRole
from meridian.core.models import User
from meridian.customers.models import Account, Address, BuyerUser
from meridian.demo import reference as ref
from meridian.demo.seeding.base import Node, SeederBase, bulk, phone, weighted

DASH = " \N{EN DASH} "  # between a company and its site: "Acme Corp \N{EN DASH} Toledo Plant"


class CustomerSeeding(SeederBase):
    def seed_accounts(self) -> None:
        rng = self.rng("accounts")
        self.nodes: list[Node] = []
        self.roots = 0
        while len(self.nodes) < self.profile.accounts:
            if self.roots == 0:
                self._plan_demo_company()
            else:
                self._plan_company(rng, self.roots + 1, self.profile.accounts - len(self.nodes))
        for index, node in enumerate(self.nodes):
            node.account.number = f"C{100_001 + index}"
            node.account.external_id = f"ERP-{100_001 + index}"
            node.account.numchild = len(node.children)
        bulk(Account, [node.account for node in self.nodes])
        self.step("accounts", len(self.nodes))

    def _company(
        self, *, name: str, country: str, branch: str, group: str, terms: str, credit_limit: int
    ) -> Account:
        return Account(
            organization=self.organization,
            name=name,
            customer_group=self.groups[group],
            branch=self.branches[branch],
            payment_terms=self.terms[terms],
            credit_limit=Decimal(credit_limit),
            currency=ref.CURRENCY_BY_COUNTRY[country],
        )

    def _add_node(
        self, account: Account, *, parent: int | None, country: str, city: tuple[str, str, str]
    ) -> int:
        index = len(self.nodes)
        if parent is None:
            self.roots += 1
            account.path = Account._get_path(None, 1, self.roots)
            account.depth, root = 1, index
        else:
            above = self.nodes[parent]
            above.children.append(index)
            account.path = Account._get_path(above.account.path, above.account.depth + 1, len(above.children))
            account.depth, root = above.account.depth + 1, above.root
        self.nodes.append(Node(account=account, country=country, root=root, parent=parent, city=city))
        return index

    def _child(self, parent: int, name: str) -> Account:
        above = self.nodes[parent].account
        # Sites inherit the company's segment, branch, terms and currency; the rep assignment covers them.
        return Account(
            organization=self.organization,
            name=name,
            customer_group=above.customer_group,
            branch=above.branch,
            payment_terms=above.payment_terms,
            currency=above.currency,
        )

    def _plan_demo_company(self) -> None:
        chicago = self.branch_specs[0]
        detroit_city, toledo_city = chicago.cities[5], chicago.cities[6]
        company = self._company(
            name=ref.DEMO_ACCOUNT,
            country="US",
            branch=chicago.code,
            group="OEM",
            terms="NET30",
            credit_limit=250_000,
        )
        company.sales_rep = self.demo_rep
        root = self._add_node(company, parent=None, country="US", city=detroit_city)
        detroit = self._add_node(
            self._child(root, f"{ref.DEMO_ACCOUNT_SHORT}{DASH}Detroit Plant"),
            parent=root,
            country="US",
            city=detroit_city,
        )
        for department in ("Maintenance", "Tool Crib"):
            self._add_node(
                self._child(detroit, f"{ref.DEMO_ACCOUNT_SHORT}{DASH}Detroit {department}"),
                parent=detroit,
                country="US",
                city=detroit_city,
            )
        self._add_node(
            self._child(root, f"{ref.DEMO_ACCOUNT_SHORT}{DASH}Toledo Plant"),
            parent=root,
            country="US",
            city=toledo_city,
        )
        self.demo_nodes = {"company": root, "plant": detroit}

    def _plan_company(self, rng: random.Random, number: int, room: int) -> None:
        spec = rng.choices(
            self.branch_specs, weights=[6 if i == 0 else 3 for i in range(len(self.branch_specs))]
        )[0]
        country = spec.country
        faker = self.faker(country, "accounts")
        if rng.random() < 0.3:
            name = faker.company()
        else:
            name = f"{faker.last_name()} {rng.choice(ref.INDUSTRIES)} {rng.choice(ref.COMPANY_SUFFIXES[country])}"
        short = _without_legal_suffix(name)
        company = self._company(
            name=name,
            country=country,
            branch=spec.code,
            group=weighted(rng, [(code, share) for code, _, share in ref.CUSTOMER_GROUPS]),
            terms=weighted(rng, [(code, share) for code, _, _, share in ref.PAYMENT_TERMS]),
            credit_limit=rng.choice(ref.CREDIT_LIMITS),
        )
        territories = self.territories_by_branch.get(spec.code, [])
        if territories and rng.random() < 0.35:
            company.territory = rng.choice(territories)
        else:
            company.sales_rep = rng.choice(self.reps_by_branch.get(spec.code) or [self.demo_rep])
        # Number 2 is always a multi-site company: the bench and tests want some depth everywhere.
        shape = 0.9 if number == 2 else rng.random()
        sites = 0 if shape < 0.55 else rng.randint(1, 2) if shape < 0.85 else rng.randint(2, 3)
        sites = min(sites, room - 1)
        root = self._add_node(company, parent=None, country=country, city=rng.choice(spec.cities))
        for _ in range(sites):
            if len(self.nodes) - root >= room:
                break
            city = rng.choice(spec.cities)
            site = self._child(root, f"{short}{DASH}{city[0]} {rng.choice(ref.SITE_KINDS)}")
            if rng.random() < 0.4:
                site.credit_limit = Decimal(rng.choice(ref.SITE_CREDIT_LIMITS))
            if rng.random() < 0.15:
                site.sales_rep = rng.choice(self.reps_by_branch.get(spec.code) or [self.demo_rep])
            site_index = self._add_node(site, parent=root, country=country, city=city)
            departments = rng.randint(1, 2) if shape >= 0.85 else 0
            for department in rng.sample(ref.DEPARTMENTS, departments):
                if len(self.nodes) - root >= room:
                    break
                self._add_node(
                    self._child(site_index, f"{short}{DASH}{city[0]} {department}"),
                    parent=site_index,
                    country=country,
                    city=city,
                )

    def seed_addresses(self) -> None:
        rng = self.rng("addresses")
        rows = []
        for node in self.nodes:
            account, faker = node.account, self.faker(node.country, "addresses")
            if node.parent is None:
                rows.append(
                    self._address(
                        rng, faker, node, "Headquarters", billing=True, shipping=False, default=True
                    )
                )
                rows.append(
                    self._address(
                        rng, faker, node, "Main Receiving", billing=False, shipping=True, default=True
                    )
                )
                if rng.random() < 0.3:
                    rows.append(
                        self._address(
                            rng, faker, node, "Yard Gate 2", billing=False, shipping=True, default=False
                        )
                    )
            elif account.depth == 2 or rng.random() < 0.3:
                rows.append(
                    self._address(
                        rng, faker, node, "Receiving Dock", billing=False, shipping=True, default=True
                    )
                )
        bulk(Address, rows)
        self.step("addresses", len(rows))

    def _address(
        self,
        rng: random.Random,
        faker: Faker,
        node: Node,
        label: str,
        *,
        billing: bool,
        shipping: bool,
        default: bool,
    ) -> Address:
        city, region, postal = node.city
        if node.country == "CA":
            postal = f"{postal} {rng.randint(1, 9)}{rng.choice('ABCEGHJKLMNPRSTVXY')}{rng.randint(1, 9)}"
        elif node.country == "MX":
            postal = f"{postal}{rng.randint(0, 999):03d}"
        else:
            postal = f"{postal}{rng.randint(0, 99):02d}"
        # As customers.services.add_address: an account's first billing/shipping address is its default.
        return Address(
            account=node.account,
            label=label,
            company=node.account.name,
            attention=faker.name() if rng.random() < 0.5 else "",
            line1=f"{rng.randint(100, 9999)} {faker.last_name()} {rng.choice(ref.STREET_TYPES)}",
            city=city,
            region=region,
            postal_code=postal,
            country=node.country,
            phone=phone(rng, node.country),
            is_billing=billing,
            is_shipping=shipping,
            is_default_billing=billing and default,
            is_default_shipping=shipping and default,
        )

    def seed_buyers(self) -> None:
        rng = self.rng("buyers")
        planned: list[tuple[User, Account, frozenset[BuyerRole], str, str]] = []
        demo = {
            self.demo_nodes["company"]: (ref.DEMO_ACCOUNT_ADMIN, ref.DEMO_APPROVER),
            self.demo_nodes["plant"]: (ref.DEMO_BUYER,),
        }
        for index, node in enumerate(self.nodes):
            country, faker = node.country, self.faker(node.country, "buyers")
            domain = f"{slugify(self.nodes[node.root].account.name)[:40].strip('-')}.test"
            for login in demo.get(index, ()):
                self.emails.add(login.email)
                user = self.user(login.email, login.full_name)
                planned.append((user, node.account, login.buyer_roles, login.job_title, phone(rng, country)))
            if node.parent is None:
                count = rng.randint(4, 7)
            elif node.account.depth == 2:
                count = rng.randint(1, 4)
            else:
                count = rng.randint(1, 2)
            for position in range(count):
                if position == 0 and node.parent is None and index not in demo:
                    roles = frozenset({BuyerRole.ADMIN, BuyerRole.BUYER})  # every company has an admin
                elif position == 0 and rng.random() < 0.15:
                    roles = frozenset({BuyerRole.ADMIN, BuyerRole.BUYER})
                else:
                    draw = rng.random()
                    if draw < 0.2:
                        roles = frozenset({BuyerRole.APPROVER, BuyerRole.BUYER})
                    elif draw < 0.3:
                        roles = frozenset({BuyerRole.VIEWER})
                    else:
                        roles = frozenset({BuyerRole.BUYER})
                main_role = next(
                    role
                    for role in (BuyerRole.ADMIN, BuyerRole.APPROVER, BuyerRole.VIEWER, BuyerRole.BUYER)
                    if role in roles
                )
                first, last = faker.first_name(), faker.last_name()
                user = self.user(self.email(first, last, domain), f"{first} {last}")
                planned.append(
                    (user, node.account, roles, rng.choice(ref.JOB_TITLES[main_role]), phone(rng, country))
                )
        users = bulk(User, [user for user, *_ in planned])
        buyers = []
        for user, (_, account, roles, title, number) in zip(users, planned, strict=True):
            buyer = BuyerUser(user=user, account=account, job_title=title, phone=number)
            buyer.set_roles(roles)
            buyers.append(buyer)
        bulk(BuyerUser, buyers)
        self.step("buyers", len(buyers))


LEGAL_SUFFIXES = ("S.A. de C.V.", "Inc.", "Inc", "LLC", "Co.", "Corp.", "Ltd.", "Ltd", "PLC")


def _without_legal_suffix(name: str) -> str:
    for suffix in LEGAL_SUFFIXES:
        if name.endswith(" " + suffix):
            return name[: -len(suffix) - 1].rstrip(",")
    return name
