"""Demo and scale-test pricing on an already seeded catalog and account tree.

A data loader, so it writes with `bulk_create` (no audit rows: nothing was changed by anyone). It
builds a base list per website currency with volume tiers, group lists made of rules, a cost-plus
list, contracts (one account gets the 4-level chain contract -> parent contract -> group list ->
website list that the bench prices), customer prices, three live promotions, a coupon and a rebate
program. Deterministic for a given `rng`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from meridian.catalog.models import Category, Product
from meridian.core.errors import InvalidInput
from meridian.core.money import round_money
from meridian.customers.models import Account, CustomerGroup
from meridian.pricing.errors import PricingAlreadySeeded
from meridian.pricing.models import (
    Contract,
    Coupon,
    CustomerPrice,
    PriceAssignment,
    PriceList,
    PriceListEntry,
    PriceRule,
    Promotion,
    RebateAccrual,
    RebateProgram,
    RebateTier,
    Strategy,
    WebsitePricingSettings,
)
from meridian.tenancy.models import Organization, Website

BATCH_SIZE = 2000
# The bench finds its account through this contract.
CHAIN_CONTRACT_EXTERNAL_ID = "seed:chain"
# Rough rates from USD, for the other websites' base lists.
RATES = {"USD": Decimal(1), "CAD": Decimal("1.36"), "MXN": Decimal("17.10"), "EUR": Decimal("0.92")}


@dataclass(frozen=True, slots=True)
class Share:
    tiered: float  # products with 10+ and 100+ tiers in the base lists
    parent_contract_products: int
    child_contract_products: int
    other_contracts: int
    customer_prices: int


PROFILES = {
    "tiny": Share(0.5, 30, 15, 2, 3),
    "small": Share(0.4, 100, 50, 5, 10),
    "medium": Share(0.4, 1_000, 400, 40, 40),
    "large": Share(0.4, 5_000, 2_000, 200, 100),
}


def _money(value: Decimal, currency: str = "USD") -> Decimal:
    return round_money(value, currency)


@transaction.atomic
def seed_pricing(*, organization: Organization, rng: random.Random, profile: str) -> dict[str, int]:
    """Price lists, rules, contracts, promotions, a coupon and a rebate program; returns counts.

    Raises PricingAlreadySeeded when the organization has price lists, InvalidInput for an unknown
    profile or an organization without websites or products.
    """
    if profile not in PROFILES:
        raise InvalidInput.on("profile", f"unknown profile {profile!r}; choose one of {sorted(PROFILES)}")
    if PriceList.objects.filter(organization=organization).exists():
        raise PricingAlreadySeeded(organization.name)
    share = PROFILES[profile]
    websites = list(Website.objects.filter(organization=organization).order_by("-is_default", "pk"))
    products = list(
        Product.objects.filter(organization=organization, status=Product.Status.ACTIVE)
        .order_by("pk")
        .values_list("pk", "standard_cost", "base_uom")
    )
    if not websites or not products:
        raise InvalidInput.on("organization", "seed websites and products before pricing")
    counts: dict[str, int] = {}
    today = timezone.localdate()

    # Base prices in USD: from the standard cost when there is one.
    base_usd = {
        pk: _money(cost * Decimal(str(round(rng.uniform(1.3, 2.2), 2))))
        if cost
        else _money(Decimal(str(round(rng.uniform(0.5, 400), 2))))
        for pk, cost, _ in products
    }
    base_uom = {pk: uom for pk, _, uom in products}
    tiered = {pk for pk, _, _ in products if rng.random() < share.tiered}

    WebsitePricingSettings.objects.bulk_create(
        [WebsitePricingSettings(website=website, strategy=Strategy.PRIORITY) for website in websites]
    )
    base_lists: dict[str, PriceList] = {}
    entries: list[PriceListEntry] = []
    for currency in dict.fromkeys(website.default_currency for website in websites):
        base = PriceList.objects.create(
            organization=organization,
            code=f"BASE-{currency}",
            name=f"Base prices {currency}",
            currency=currency,
        )
        base_lists[currency] = base
        rate = RATES.get(currency, Decimal(1))
        for pk, price in base_usd.items():
            local = _money(price * rate, currency)
            entries.append(
                PriceListEntry(price_list=base, product_id=pk, uom=base_uom[pk], min_quantity=1, price=local)
            )
            if pk in tiered:
                for minimum, factor in ((10, Decimal("0.95")), (100, Decimal("0.88"))):
                    entries.append(
                        PriceListEntry(
                            price_list=base,
                            product_id=pk,
                            uom=base_uom[pk],
                            min_quantity=minimum,
                            price=_money(local * factor, currency),
                        )
                    )
    PriceAssignment.objects.bulk_create(
        [
            PriceAssignment(
                organization=organization,
                price_list=base_lists[website.default_currency],
                website=website,
                priority=100,
            )
            for website in websites
        ]
    )
    main = websites[0].default_currency
    base = base_lists[main]

    # Group lists made only of rules, plus a cost-plus list ("list B = cost x 1.25 rounded to .99").
    groups = list(CustomerGroup.objects.filter(organization=organization).order_by("code"))
    categories = list(Category.objects.filter(organization=organization, depth=1).order_by("path"))
    cost_plus = PriceList.objects.create(
        organization=organization, code=f"COST-PLUS-{main}", name="Cost plus 25%", currency=main
    )
    rules = [
        PriceRule(
            price_list=cost_plus,
            name="cost x 1.25, .99",
            base=PriceRule.Base.COST,
            multiplier=Decimal("1.25"),
            rounding=PriceRule.Rounding.ENDS_99,
        )
    ]
    assignments: list[PriceAssignment] = []
    group_lists: dict[int, PriceList] = {}
    for index, group in enumerate(groups[:3]):
        group_list = PriceList.objects.create(
            organization=organization, code=f"GRP-{group.code}", name=f"{group.name} prices", currency=main
        )
        group_lists[group.pk] = group_list
        # Rules for two categories only: other products fall through to the website's base list.
        for offset, percent in ((0, Decimal(-8)), (1, Decimal(-3))):
            if len(categories) <= offset:
                continue
            category = categories[(index + offset) % len(categories)]
            rules.append(
                PriceRule(
                    price_list=group_list,
                    name=f"base {percent}% on {category.name}",
                    category=category,
                    base=PriceRule.Base.PRICE_LIST,
                    base_price_list=base,
                    percent=percent,
                    rounding=PriceRule.Rounding.CENTS,
                )
            )
        assignments.append(
            PriceAssignment(
                organization=organization, price_list=group_list, customer_group=group, priority=10
            )
        )
    if groups:
        assignments.append(
            PriceAssignment(
                organization=organization, price_list=cost_plus, customer_group=groups[-1], priority=20
            )
        )
    PriceRule.objects.bulk_create(rules)
    PriceAssignment.objects.bulk_create(assignments)

    # Contracts: the chain account (depth 2, in a group with a list) and its parent, then a few more.
    chain_account = (
        Account.objects.filter(organization=organization, depth=2, customer_group_id__in=list(group_lists))
        .order_by("path")
        .first()
    ) or Account.objects.filter(organization=organization, depth__gte=2).order_by("path").first()
    parent = (
        Account.objects.get(organization=organization, path=chain_account.parent_path)
        if chain_account
        else None
    )
    product_ids = list(base_usd)
    contracts: list[Contract] = []
    if chain_account is not None and parent is not None:
        parent_list = _contract_list(organization, f"CON-{parent.pk}", main)
        child_list = _contract_list(organization, f"CON-{chain_account.pk}", main)
        parent_products = rng.sample(product_ids, min(share.parent_contract_products, len(product_ids)))
        child_products = rng.sample(parent_products, min(share.child_contract_products, len(parent_products)))
        entries.extend(_contract_entries(parent_list, parent_products, base_usd, base_uom, Decimal("0.90")))
        entries.extend(_contract_entries(child_list, child_products, base_usd, base_uom, Decimal("0.85")))
        contracts += [
            Contract(
                organization=organization,
                number=f"K-{parent.pk}",
                account=parent,
                price_list=parent_list,
                applies_to_children=True,
                valid_from=today - timedelta(days=90),
                valid_to=today + timedelta(days=365),
                terms="Corporate agreement for all sites.",
            ),
            Contract(
                organization=organization,
                number=f"K-{chain_account.pk}",
                account=chain_account,
                price_list=child_list,
                valid_from=today - timedelta(days=30),
                valid_to=today + timedelta(days=335),
                external_id=CHAIN_CONTRACT_EXTERNAL_ID,
                terms="Site agreement.",
            ),
        ]
        customer_prices = [
            CustomerPrice(
                organization=organization,
                account=chain_account,
                product_id=pk,
                uom=base_uom[pk],
                min_quantity=1,
                price=_money(base_usd[pk] * Decimal("0.80")),
                currency=main,
            )
            for pk in rng.sample(product_ids, min(share.customer_prices, len(product_ids)))
        ]
        CustomerPrice.objects.bulk_create(customer_prices)
        counts["customer prices"] = len(customer_prices)
    top_level = Account.objects.filter(organization=organization, depth=1).order_by("path")
    if parent is not None:
        top_level = top_level.exclude(pk=parent.pk)
    others = list(top_level[: share.other_contracts])
    for index, account in enumerate(others):
        price_list = _contract_list(organization, f"CON-{account.pk}", main)
        chosen = rng.sample(product_ids, min(max(share.child_contract_products // 4, 5), len(product_ids)))
        entries.extend(_contract_entries(price_list, chosen, base_usd, base_uom, Decimal("0.88")))
        contracts.append(
            Contract(
                organization=organization,
                number=f"K-{account.pk}",
                account=account,
                price_list=price_list,
                applies_to_children=True,
                prices_are_final=index % 3 == 0,
                valid_from=today - timedelta(days=rng.randint(0, 300)),
                valid_to=today + timedelta(days=rng.randint(30, 700)),
            )
        )
    Contract.objects.bulk_create(contracts)
    PriceListEntry.objects.bulk_create(entries, batch_size=BATCH_SIZE)
    counts["price lists"] = PriceList.objects.filter(organization=organization).count()
    counts["price list entries"] = len(entries)
    counts["price rules"] = len(rules)
    counts["contracts"] = len(contracts)

    counts.update(_seed_promotions(organization, rng, main, categories, product_ids, chain_account))
    return counts


def _contract_list(organization: Organization, code: str, currency: str) -> PriceList:
    return PriceList.objects.create(
        organization=organization, code=code, name=f"Contract {code}", currency=currency
    )


def _contract_entries(
    price_list: PriceList,
    product_ids: list[int],
    base_usd: dict[int, Decimal],
    base_uom: dict[int, str],
    factor: Decimal,
) -> list[PriceListEntry]:
    return [
        PriceListEntry(
            price_list=price_list,
            product_id=pk,
            uom=base_uom[pk],
            min_quantity=1,
            price=_money(
                base_usd[pk] * factor * RATES.get(price_list.currency, Decimal(1)), price_list.currency
            ),
        )
        for pk in product_ids
    ]


def _seed_promotions(
    organization: Organization,
    rng: random.Random,
    currency: str,
    categories: list[Category],
    product_ids: list[int],
    chain_account: Account | None,
) -> dict[str, int]:
    now = timezone.now()
    window = {"starts_at": now - timedelta(days=30), "ends_at": now + timedelta(days=365)}
    live = [
        Promotion(
            organization=organization,
            name=f"5% off {categories[0].name}" if categories else "5% off everything",
            kind=Promotion.Kind.PERCENT_OFF_LINE,
            value=Decimal(5),
            category=categories[0] if categories else None,
            priority=10,
            **window,
        ),
        Promotion(
            organization=organization,
            name="Buy 10, get 1 free",
            kind=Promotion.Kind.BUY_X_GET_Y,
            value=Decimal(0),
            buy_quantity=Decimal(10),
            get_quantity=Decimal(1),
            product_id=rng.choice(product_ids),
            priority=20,
            **window,
        ),
        Promotion(
            organization=organization,
            name=f"2% off orders over 1,000 {currency}",
            kind=Promotion.Kind.PERCENT_OFF_ORDER,
            value=Decimal(2),
            currency=currency,
            min_order_amount=Decimal(1000),
            stacking=Promotion.Stacking.EXCLUSIVE,
            priority=30,
            **window,
        ),
    ]
    welcome = Promotion(
        organization=organization,
        name="Welcome: 10% off the first order",
        kind=Promotion.Kind.PERCENT_OFF_ORDER,
        value=Decimal(10),
        requires_coupon=True,
        priority=40,
        **window,
    )
    Promotion.objects.bulk_create([*live, welcome])
    Coupon.objects.create(
        organization=organization, promotion=welcome, code="WELCOME10", usage_limit=1000, per_account_limit=1
    )
    year = date(now.year, 1, 1)
    program = RebateProgram.objects.create(
        organization=organization,
        code=f"SPEND-{now.year}",
        name=f"Annual spend rebate {now.year}",
        basis=RebateProgram.Basis.SPEND,
        currency=currency,
        period_start=year,
        period_end=date(now.year, 12, 31),
        customer_group_id=chain_account.customer_group_id if chain_account else None,
    )
    RebateTier.objects.bulk_create(
        RebateTier(program=program, threshold=Decimal(threshold), rate_percent=Decimal(rate))
        for threshold, rate in ((10_000, 1), (50_000, 2), (100_000, 3))
    )
    return {"promotions": len(live) + 1, "coupons": 1, "rebate programs": 1}


def delete_pricing(*, organization: Organization) -> None:
    """Remove what protects price lists and rebate programs, so deleting the organization cascades."""
    RebateAccrual.objects.filter(organization=organization).delete()
    Contract.objects.filter(organization=organization).delete()
    PriceRule.objects.filter(price_list__organization=organization).delete()
