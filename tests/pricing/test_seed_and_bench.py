"""seed_pricing on a small factory-built catalog, and the bench on what it seeded."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from meridian.core.actor import StaffRole
from meridian.core.errors import InvalidInput
from meridian.customers.models import Account
from meridian.pricing.bench import run_pricing_bench
from meridian.pricing.engine import SourceKind
from meridian.pricing.errors import PricingAlreadySeeded
from meridian.pricing.models import Contract, Coupon, PriceList, Promotion, RebateProgram
from meridian.pricing.seed import CHAIN_CONTRACT_EXTERNAL_ID, seed_pricing
from meridian.pricing.services import PriceLineRequest, resolve_prices
from meridian.tenancy.models import Organization
from tests.actors import actor_for
from tests.catalog.factories import CategoryFactory, ProductFactory
from tests.customers.factories import AccountFactory, CustomerGroupFactory
from tests.staff.factories import StaffMemberFactory
from tests.tenancy.factories import OrganizationFactory, WebsiteFactory


def _seeded_catalog() -> Organization:
    organization = OrganizationFactory()
    WebsiteFactory(organization=organization, slug="us", default_currency="USD", is_default=True)
    WebsiteFactory(organization=organization, slug="ca", default_currency="CAD", is_default=False)
    gold = CustomerGroupFactory(organization=organization, code="GOLD")
    CustomerGroupFactory(organization=organization, code="STD")
    categories = [
        CategoryFactory(organization=organization, slug=slug) for slug in ("fasteners", "safety", "tools")
    ]
    for index in range(60):
        ProductFactory(
            organization=organization,
            sku=f"S{index:03d}",
            category=categories[index % 3],
            standard_cost=Decimal(index + 1) if index % 4 else None,
        )
    for company in range(3):
        root = AccountFactory(organization=organization, customer_group=gold)
        site = AccountFactory(parent=root, customer_group=gold)
        AccountFactory(parent=site, customer_group=gold)
        del company
    return organization


@pytest.mark.django_db
def test_seed_pricing_builds_a_four_level_chain_that_resolves() -> None:
    organization = _seeded_catalog()

    counts = seed_pricing(organization=organization, rng=random.Random(7), profile="tiny")

    assert set(
        PriceList.objects.filter(organization=organization, code__startswith="BASE-").values_list(
            "code", flat=True
        )
    ) == {
        "BASE-USD",
        "BASE-CAD",
    }
    assert counts["price list entries"] > 60 and counts["contracts"] >= 2
    assert Promotion.objects.filter(organization=organization, requires_coupon=False).count() == 3
    assert Coupon.objects.filter(organization=organization).count() == 1
    assert RebateProgram.objects.filter(organization=organization).count() == 1
    chain = Contract.objects.get(external_id=CHAIN_CONTRACT_EXTERNAL_ID)
    account = Account.objects.get(pk=chain.account_id)
    assert account.depth == 2
    staff = actor_for(StaffMemberFactory(organization=organization, role=StaffRole.ADMIN))

    result = resolve_prices(
        actor=staff,
        account=account,
        lines=[PriceLineRequest(sku=f"S{index:03d}", quantity=Decimal(1)) for index in range(60)],
    )

    assert result.is_complete
    assert {line.source.kind for line in result.lines if line.source} >= {
        SourceKind.CONTRACT,
        SourceKind.GROUP,
        SourceKind.WEBSITE,
    }
    assert {line.source.contract_id for line in result.lines if line.source and line.source.contract_id} >= {
        chain.pk
    }
    parent_contracts = Contract.objects.filter(account__path=account.parent_path, applies_to_children=True)
    assert parent_contracts.exists()


@pytest.mark.django_db
def test_seed_pricing_refuses_twice_and_unknown_profiles() -> None:
    organization = _seeded_catalog()
    seed_pricing(organization=organization, rng=random.Random(1), profile="tiny")

    with pytest.raises(PricingAlreadySeeded):
        seed_pricing(organization=organization, rng=random.Random(1), profile="tiny")
    with pytest.raises(InvalidInput):
        seed_pricing(organization=OrganizationFactory(), rng=random.Random(1), profile="huge")


@pytest.mark.django_db
def test_the_bench_reports_each_scenario_with_constant_queries() -> None:
    seed_pricing(organization=_seeded_catalog(), rng=random.Random(3), profile="tiny")

    report = run_pricing_bench(iterations=2)

    text = "\n".join(report)
    for scenario in ("200-line cart", "48-product page", "2,000-line cart", "engine only"):
        assert scenario in text
    assert "(constant)" in text


@pytest.mark.django_db
def test_the_bench_needs_seeded_pricing() -> None:
    with pytest.raises(InvalidInput):
        run_pricing_bench(iterations=1)
