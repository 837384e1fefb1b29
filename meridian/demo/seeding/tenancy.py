"""Organization, websites, branches, customer groups, payment terms, staff and territories."""

from __future__ import annotations

from meridian.core.actor import StaffRole
from meridian.core.models import User
from meridian.customers.models import CustomerGroup, PaymentTerms
from meridian.demo import reference as ref
from meridian.demo.seeding.base import SeederBase, bulk, phone
from meridian.staff.models import StaffMember, Territory
from meridian.tenancy.models import Branch, Website


class TenancySeeding(SeederBase):
    def seed_tenancy(self) -> None:
        specs = ref.WEBSITES[: self.profile.websites]
        websites = bulk(
            Website,
            [
                Website(
                    organization=self.organization,
                    name=spec.name,
                    slug=spec.slug,
                    domain=spec.domain,
                    default_currency=spec.currency,
                    languages=spec.languages,
                    timezone=spec.timezone,
                    is_default=index == 0,
                )
                for index, spec in enumerate(specs)
            ],
        )
        self.websites = {website.slug: website for website in websites}
        self.branch_specs = ref.BRANCHES[: self.profile.branches]
        branches = bulk(
            Branch,
            [
                Branch(
                    organization=self.organization,
                    code=spec.code,
                    name=f"{spec.city} Branch",
                    region=spec.region,
                    external_id=f"BR-{spec.code}",
                )
                for spec in self.branch_specs
            ],
        )
        self.branches = {branch.code: branch for branch in branches}
        self.step("websites", len(websites))
        self.step("branches", len(branches))

    def seed_segments(self) -> None:
        self.groups = {
            group.code: group
            for group in bulk(
                CustomerGroup,
                [
                    CustomerGroup(
                        organization=self.organization, code=code, name=name, external_id=f"CG-{code}"
                    )
                    for code, name, _ in ref.CUSTOMER_GROUPS
                ],
            )
        }
        self.terms = {
            terms.code: terms
            for terms in bulk(
                PaymentTerms,
                [
                    PaymentTerms(organization=self.organization, code=code, name=name, net_days=days)
                    for code, name, days, _ in ref.PAYMENT_TERMS
                ],
            )
        }
        self.step("customer groups", len(self.groups))

    # People

    def seed_staff(self) -> None:
        rng, faker = self.rng("staff"), self.faker("US", "staff")
        profile = self.profile
        roles = [
            *[StaffRole.SALES_MANAGER] * max(1, profile.sales_reps // 8),
            *[StaffRole.INSIDE_SALES] * profile.inside_sales,
            *[StaffRole.WAREHOUSE] * max(1, profile.branches // 2),
            *[StaffRole.FINANCE] * max(1, profile.sales_reps // 10),
            *[StaffRole.SALES_REP] * (profile.sales_reps - 1),
        ]
        people: list[tuple[User, StaffRole, bool]] = []
        for login in (ref.DEMO_BACK_OFFICE, ref.DEMO_SALES_REP):
            self.emails.add(login.email)
            assert login.staff_role is not None
            people.append(
                (self.user(login.email, login.full_name), login.staff_role, login is ref.DEMO_BACK_OFFICE)
            )
        for role in roles:
            first, last = faker.first_name(), faker.last_name()
            people.append(
                (self.user(self.email(first, last, ref.STAFF_DOMAIN), f"{first} {last}"), role, False)
            )
        for user, role, can_use_admin in people:
            # As staff.services.create_staff_member: admin access only when asked, superuser only for admins.
            user.is_staff = can_use_admin
            user.is_superuser = can_use_admin and role == StaffRole.ADMIN
        users = bulk(User, [user for user, _, _ in people])
        members = [
            StaffMember(user=user, organization=self.organization, role=role, phone=phone(rng, "US"))
            for user, (_, role, _) in zip(users, people, strict=True)
        ]
        managers = [member for member in members if member.role == StaffRole.SALES_MANAGER]
        bulk(StaffMember, managers)
        reps = [member for member in members if member.role == StaffRole.SALES_REP]
        for index, rep in enumerate(reps):
            rep.manager = managers[index % len(managers)]
        bulk(StaffMember, [member for member in members if member.role != StaffRole.SALES_MANAGER])
        self.demo_rep = reps[0]
        # Reps work out of branches; territories group a branch's accounts for a team of its reps.
        codes = list(self.branches)
        self.reps_by_branch = {
            code: [rep for i, rep in enumerate(reps) if codes[i % len(codes)] == code] for code in codes
        }
        territories = []
        for index in range(profile.territories):
            code = codes[index % len(codes)]
            focus = ref.TERRITORY_FOCUS[(index // len(codes)) % len(ref.TERRITORY_FOCUS)]
            territories.append(
                Territory(
                    organization=self.organization,
                    code=f"{code}-{index // len(codes) + 1}",
                    name=f"{self.branches[code].region} {focus}",
                )
            )
        bulk(Territory, territories)
        links = []
        self.territories_by_branch: dict[str, list[Territory]] = {code: [] for code in codes}
        for territory in territories:
            code = territory.code.split("-")[0]
            self.territories_by_branch[code].append(territory)
            branch_reps = self.reps_by_branch[code] or reps
            for rep in rng.sample(branch_reps, min(len(branch_reps), rng.randint(1, 2))):
                links.append(Territory.reps.through(territory_id=territory.pk, staffmember_id=rep.pk))
        if territories and not any(link.staffmember_id == self.demo_rep.pk for link in links):
            links.append(
                Territory.reps.through(territory_id=territories[0].pk, staffmember_id=self.demo_rep.pk)
            )
        Territory.reps.through.objects.bulk_create(links)
        self.step("staff", len(members))
        self.step("territories", len(territories))
