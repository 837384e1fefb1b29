"""Pricing write paths: validation, permissions, all-or-nothing bulk upserts, audit and outbox."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from meridian.core.actor import StaffRole
from meridian.core.errors import InvalidInput
from meridian.core.models import OutboxEvent
from meridian.customers.errors import AccountNotFound, NotAllowed
from meridian.pricing.errors import (
    AssignmentExists,
    ContractNumberTaken,
    CouponCodeTaken,
    InvalidPriceRows,
    PriceListCodeTaken,
    PriceListNotFound,
    RowError,
)
from meridian.pricing.models import (
    AccountPricingSettings,
    Coupon,
    PriceAssignment,
    PriceChange,
    PriceList,
    PriceListEntry,
    PriceRule,
    Promotion,
    Strategy,
)
from meridian.pricing.services import (
    ContractInput,
    EntryRow,
    PriceListInput,
    PromotionInput,
    RuleInput,
    assign_price_list,
    create_contract,
    create_coupon,
    create_price_list,
    create_price_rule,
    create_promotion,
    set_assignment_inheritance,
    set_customer_price,
    set_pricing_strategy,
    unassign_price_list,
    update_price_list,
    upsert_price_entries,
)
from tests.actors import actor_for
from tests.customers.factories import AccountFactory, BuyerUserFactory
from tests.pricing.conftest import Shop
from tests.pricing.factories import (
    PriceListEntryFactory,
    PriceListFactory,
    PriceRuleFactory,
    PromotionFactory,
)
from tests.staff.factories import StaffMemberFactory

D = Decimal


@pytest.mark.django_db
def test_create_and_update_a_price_list(shop: Shop) -> None:
    created = create_price_list(
        actor=shop.staff,
        data=PriceListInput(code="BASE-EUR", name="Base EUR", currency="eur", external_id="SAP-1"),
    )
    updated = update_price_list(
        actor=shop.staff,
        price_list=created,
        data=PriceListInput(
            name="Base (EUR)", valid_to=date(2027, 1, 1), present=frozenset({"name", "valid_to"})
        ),
    )

    assert (updated.pk, updated.code, updated.currency, updated.name) == (
        created.pk,
        "BASE-EUR",
        "EUR",
        "Base (EUR)",
    )
    assert PriceList.objects.get(pk=created.pk).valid_to == date(2027, 1, 1)


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        (PriceListInput(code="has space", name="x", currency="USD"), {"code"}),
        (PriceListInput(code="A", name=" ", currency="USD"), {"name"}),
        (PriceListInput(code="A", name="x", currency="ZZZ"), {"currency"}),
        (
            PriceListInput(
                code="A", name="x", currency="USD", valid_from=date(2026, 2, 1), valid_to=date(2026, 1, 1)
            ),
            {"valid_to"},
        ),
    ],
)
@pytest.mark.django_db
def test_create_price_list_names_the_bad_fields_and_writes_nothing(
    shop: Shop, data: PriceListInput, fields: set[str]
) -> None:
    with pytest.raises(InvalidInput) as excinfo:
        create_price_list(actor=shop.staff, data=data)

    assert set(excinfo.value.fields) == fields
    assert PriceList.objects.count() == 0


@pytest.mark.django_db
def test_price_list_codes_are_unique_and_the_currency_stays_while_entries_exist(shop: Shop) -> None:
    price_list = PriceListFactory(organization=shop.organization, code="BASE", currency="USD")
    PriceListEntryFactory(price_list=price_list, product=shop.bolt)

    with pytest.raises(PriceListCodeTaken):
        create_price_list(actor=shop.staff, data=PriceListInput(code="BASE", name="again", currency="USD"))
    with pytest.raises(InvalidInput) as excinfo:
        update_price_list(
            actor=shop.staff,
            price_list=price_list,
            data=PriceListInput(currency="EUR", present=frozenset({"currency"})),
        )

    assert "currency" in excinfo.value.fields
    assert PriceList.objects.get(pk=price_list.pk).currency == "USD"


@pytest.mark.parametrize("role", [StaffRole.SALES_REP, StaffRole.WAREHOUSE, StaffRole.FINANCE])
@pytest.mark.django_db
def test_only_pricing_roles_may_write(shop: Shop, role: StaffRole) -> None:
    actor = actor_for(StaffMemberFactory(organization=shop.organization, role=role))
    price_list = PriceListFactory(organization=shop.organization)

    with pytest.raises(NotAllowed):
        create_price_list(actor=actor, data=PriceListInput(code="X", name="X", currency="USD"))
    with pytest.raises(NotAllowed):
        upsert_price_entries(actor=actor, price_list=price_list, rows=[EntryRow(sku="BOLT", price=D(1))])
    with pytest.raises(NotAllowed):
        upsert_price_entries(
            actor=shop.buyer_actor, price_list=price_list, rows=[EntryRow(sku="BOLT", price=D(1))]
        )

    assert PriceListEntry.objects.count() == 0


@pytest.mark.django_db
def test_another_organizations_price_list_is_not_found(shop: Shop) -> None:
    foreign = PriceListFactory()

    with pytest.raises(PriceListNotFound):
        upsert_price_entries(actor=shop.staff, price_list=foreign, rows=[EntryRow(sku="BOLT", price=D(1))])

    assert PriceListEntry.objects.count() == 0


# --------------------------------------------------------------------------- bulk upsert


@pytest.mark.django_db
def test_upsert_creates_updates_and_leaves_unchanged_rows_by_natural_key(shop: Shop) -> None:
    price_list = PriceListFactory(organization=shop.organization, code="BASE")
    existing = PriceListEntryFactory(
        price_list=price_list, product=shop.bolt, uom="EA", min_quantity=D(1), price=D("1.00")
    )
    PriceListEntryFactory(
        price_list=price_list, product=shop.bolt, uom="EA", min_quantity=D(100), price=D("0.80")
    )

    report = upsert_price_entries(
        actor=shop.staff,
        price_list=price_list,
        rows=[
            EntryRow(sku="BOLT", price=D("1.10")),  # base unit by default, tier 1: update
            EntryRow(sku="BOLT", price=D("0.8"), min_quantity=D(100)),  # same price: unchanged
            EntryRow(sku="BOLT", price=D("11.00"), uom="bx"),  # new unit: create
            EntryRow(sku="HAMMER", price=D("25.5"), min_quantity=D(10)),  # create
            EntryRow(sku="BOLT", price=D("1.20"), valid_from=date(2027, 1, 1)),  # a scheduled change: create
        ],
    )

    assert (report.created, report.updated, report.unchanged) == (3, 1, 1)
    existing.refresh_from_db()
    assert existing.price == D("1.1000")
    assert PriceListEntry.objects.filter(price_list=price_list).count() == 5
    assert {
        (c.product_id, c.uom, c.old_price, c.new_price)
        for c in PriceChange.objects.filter(price_list=price_list)
    } == {
        (shop.bolt.pk, "EA", D("1.0000"), D("1.1000")),
        (shop.bolt.pk, "BX", None, D("11.0000")),
        (shop.hammer.pk, "EA", None, D("25.5000")),
        (shop.bolt.pk, "EA", None, D("1.2000")),
    }
    assert set(PriceChange.objects.values_list("changed_by_id", flat=True)) == {shop.admin.user_id}
    (event,) = OutboxEvent.objects.filter(event_type="pricing.price_list.entries_changed")
    assert event.aggregate_id == str(price_list.pk) and len(event.payload["changes"]) == 4
    assert {"sku": "BOLT", "uom": "EA", "old_price": "1.0000", "new_price": "1.1000"}.items() <= next(
        change for change in event.payload["changes"] if change["old_price"] is not None
    ).items()


@pytest.mark.django_db
def test_an_upsert_with_one_bad_row_applies_nothing_and_reports_every_bad_row(shop: Shop) -> None:
    price_list = PriceListFactory(organization=shop.organization, code="BASE")
    entry = PriceListEntryFactory(price_list=price_list, product=shop.bolt, price=D("1.00"))
    rows = [
        EntryRow(sku="BOLT", price=D("2.00")),
        EntryRow(sku="HAMMER", price=D("-1")),
        EntryRow(sku="NOPE", price=D("1")),
        EntryRow(sku="HAMMER", price=D("1"), uom="PALLET"),
        EntryRow(sku="HAMMER", price=D("1"), min_quantity=D(0)),
        EntryRow(sku="HAMMER", price=D("1.00001")),
        EntryRow(sku="BOLT", price=D("2.50"), min_quantity=D("1.000")),  # duplicates row 1
        EntryRow(sku="HAMMER", price=D("1"), valid_from=date(2026, 2, 1), valid_to=date(2026, 1, 1)),
    ]

    with pytest.raises(InvalidPriceRows) as excinfo:
        upsert_price_entries(actor=shop.staff, price_list=price_list, rows=rows)

    assert excinfo.value.code == "invalid_price_rows"
    assert [(error.row, error.field) for error in excinfo.value.rows] == [
        (2, "price"),
        (3, "sku"),
        (4, "uom"),
        (5, "min_quantity"),
        (6, "price"),
        (7, "sku"),
        (8, "valid_to"),
    ]
    assert isinstance(excinfo.value.rows[0], RowError) and "rows.2.price" in excinfo.value.fields
    entry.refresh_from_db()
    assert entry.price == D("1.0000")
    assert PriceListEntry.objects.count() == 1
    assert PriceChange.objects.count() == 0 and OutboxEvent.objects.count() == 0


@pytest.mark.django_db
def test_an_unchanged_upsert_writes_no_audit_and_no_event(shop: Shop) -> None:
    price_list = PriceListFactory(organization=shop.organization)
    PriceListEntryFactory(price_list=price_list, product=shop.bolt, price=D("1.00"))

    report = upsert_price_entries(
        actor=shop.staff, price_list=price_list, rows=[EntryRow(sku="BOLT", price=D("1"))]
    )

    assert (report.created, report.updated, report.unchanged) == (0, 0, 1)
    assert PriceChange.objects.count() == 0 and OutboxEvent.objects.count() == 0


@pytest.mark.django_db
def test_the_database_refuses_negative_prices_and_zero_quantities(shop: Shop) -> None:
    price_list = PriceListFactory(organization=shop.organization)

    for values in ({"price": D(-1)}, {"min_quantity": D(0)}):
        with pytest.raises(IntegrityError), transaction.atomic():
            PriceListEntry.objects.create(
                price_list=price_list,
                product=shop.bolt,
                uom="EA",
                **{"price": D(1), "min_quantity": D(1), **values},
            )


# --------------------------------------------------------------------------- assignments, contracts, rules


@pytest.mark.django_db
def test_assign_and_unassign_a_price_list(shop: Shop) -> None:
    price_list = PriceListFactory(organization=shop.organization)

    assignment = assign_price_list(
        actor=shop.staff, price_list=price_list, customer_group=shop.gold, priority=5
    )
    with pytest.raises(AssignmentExists):
        assign_price_list(actor=shop.staff, price_list=price_list, customer_group=shop.gold)
    unassign_price_list(actor=shop.staff, assignment=assignment)

    assert PriceAssignment.objects.count() == 0


@pytest.mark.parametrize(
    "targets",
    [{}, {"website": "website", "customer_group": "gold"}],
)
@pytest.mark.django_db
def test_an_assignment_needs_exactly_one_target(shop: Shop, targets: dict[str, str]) -> None:
    price_list = PriceListFactory(organization=shop.organization)

    with pytest.raises(InvalidInput) as excinfo:
        assign_price_list(
            actor=shop.staff, price_list=price_list, **{k: getattr(shop, v) for k, v in targets.items()}
        )  # type: ignore[arg-type]  # targets by name

    assert "target" in excinfo.value.fields
    assert PriceAssignment.objects.count() == 0


@pytest.mark.django_db
def test_assigning_to_an_account_outside_the_scope_is_not_found(shop: Shop) -> None:
    price_list = PriceListFactory(organization=shop.organization)

    with pytest.raises(AccountNotFound):
        assign_price_list(actor=shop.staff, price_list=price_list, account=AccountFactory())

    assert PriceAssignment.objects.count() == 0


@pytest.mark.django_db
def test_settings_services(shop: Shop) -> None:
    set_pricing_strategy(actor=shop.staff, website=shop.website, strategy=Strategy.BEST_PRICE)
    set_assignment_inheritance(
        actor=shop.staff, account=shop.child, inheritance=AccountPricingSettings.Inheritance.INHERIT
    )

    assert shop.website.pricing_settings.strategy == Strategy.BEST_PRICE
    assert AccountPricingSettings.objects.get(account=shop.child).assignment_inheritance == "inherit"


@pytest.mark.django_db
def test_create_contract_and_refuse_a_duplicate_number(shop: Shop) -> None:
    price_list = PriceListFactory(organization=shop.organization)
    data = ContractInput(number="K-1", account=shop.child, price_list=price_list, prices_are_final=True)

    contract = create_contract(actor=shop.staff, data=data)
    with pytest.raises(ContractNumberTaken):
        create_contract(actor=shop.staff, data=data)

    assert contract.prices_are_final and contract.account_id == shop.child.pk
    assert OutboxEvent.objects.filter(event_type="pricing.contract.created").count() == 1


@pytest.mark.django_db
def test_create_price_rules_and_refuse_cycles_and_deep_chains(shop: Shop) -> None:
    a, b, c, e = (PriceListFactory(organization=shop.organization, code=code) for code in "ABCE")
    euros = PriceListFactory(organization=shop.organization, code="EUR", currency="EUR")

    create_price_rule(
        actor=shop.staff,
        price_list=a,
        data=RuleInput(base=PriceRule.Base.PRICE_LIST, base_price_list=b, percent=D(-8)),
    )
    create_price_rule(
        actor=shop.staff, price_list=b, data=RuleInput(base=PriceRule.Base.PRICE_LIST, base_price_list=c)
    )
    refused = {
        "cycle": (c, RuleInput(base=PriceRule.Base.PRICE_LIST, base_price_list=a)),
        "too deep": (c, RuleInput(base=PriceRule.Base.PRICE_LIST, base_price_list=e)),
        "itself": (e, RuleInput(base=PriceRule.Base.PRICE_LIST, base_price_list=e)),
        "currency": (e, RuleInput(base=PriceRule.Base.PRICE_LIST, base_price_list=euros)),
        "missing base": (e, RuleInput(base=PriceRule.Base.PRICE_LIST)),
    }
    for name, (target, data) in refused.items():
        with pytest.raises(InvalidInput) as excinfo:
            create_price_rule(actor=shop.staff, price_list=target, data=data)
        assert "base_price_list" in excinfo.value.fields, name

    assert PriceRule.objects.count() == 2


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (RuleInput(base=PriceRule.Base.COST, multiplier=D(-1)), "multiplier"),
        (RuleInput(base=PriceRule.Base.COST, percent=D(-101)), "percent"),
        (RuleInput(base=PriceRule.Base.COST, rounding="up"), "rounding"),  # type: ignore[arg-type]  # a bad value on purpose
        (
            RuleInput(base=PriceRule.Base.COST, valid_from=date(2026, 2, 1), valid_to=date(2026, 1, 1)),
            "valid_to",
        ),
    ],
)
@pytest.mark.django_db
def test_rule_validation_names_the_field(shop: Shop, data: RuleInput, field: str) -> None:
    with pytest.raises(InvalidInput) as excinfo:
        create_price_rule(
            actor=shop.staff, price_list=PriceListFactory(organization=shop.organization), data=data
        )

    assert field in excinfo.value.fields
    assert PriceRule.objects.count() == 0


@pytest.mark.django_db
def test_rule_with_both_targets_is_refused(shop: Shop) -> None:
    with pytest.raises(InvalidInput) as excinfo:
        create_price_rule(
            actor=shop.staff,
            price_list=PriceListFactory(organization=shop.organization),
            data=RuleInput(base=PriceRule.Base.COST, category=shop.fasteners, product=shop.bolt),
        )

    assert "target" in excinfo.value.fields


@pytest.mark.django_db
def test_set_customer_price_is_audited(shop: Shop) -> None:
    first = set_customer_price(
        actor=shop.staff, account=shop.child, product=shop.bolt, price=D("1.50"), currency="usd"
    )
    second = set_customer_price(
        actor=shop.staff, account=shop.child, product=shop.bolt, price=D("1.40"), currency="USD"
    )

    assert first.pk == second.pk and second.price == D("1.4000")
    assert list(PriceChange.objects.order_by("pk").values_list("kind", "old_price", "new_price")) == [
        ("customer_price", None, D("1.5000")),
        ("customer_price", D("1.5000"), D("1.4000")),
    ]
    assert OutboxEvent.objects.filter(event_type="pricing.customer_price.changed").count() == 2


@pytest.mark.django_db
def test_set_customer_price_checks_the_account_scope_and_the_unit(shop: Shop) -> None:
    rep = actor_for(StaffMemberFactory(organization=shop.organization, role=StaffRole.SALES_MANAGER))

    with pytest.raises(InvalidInput) as excinfo:
        set_customer_price(
            actor=rep, account=shop.child, product=shop.bolt, price=D(1), currency="USD", uom="PALLET"
        )
    with pytest.raises(AccountNotFound):
        set_customer_price(actor=rep, account=AccountFactory(), product=shop.bolt, price=D(1), currency="USD")

    assert "uom" in excinfo.value.fields
    assert PriceChange.objects.count() == 0


# --------------------------------------------------------------------------- promotions and coupons


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        (PromotionInput(name="x", kind=Promotion.Kind.PERCENT_OFF_LINE, value=D(101)), {"value"}),
        (PromotionInput(name="x", kind=Promotion.Kind.AMOUNT_OFF_LINE, value=D(5)), {"currency"}),
        (PromotionInput(name="x", kind=Promotion.Kind.FIXED_PRICE, value=D(5), currency="ZZZ"), {"currency"}),
        (
            PromotionInput(name="x", kind=Promotion.Kind.BUY_X_GET_Y, value=D(0)),
            {"buy_quantity", "get_quantity"},
        ),
        (PromotionInput(name="", kind="nope", value=D(-1)), {"name", "kind", "value"}),  # type: ignore[arg-type]  # bad on purpose
        (
            PromotionInput(
                name="x", kind=Promotion.Kind.PERCENT_OFF_ORDER, value=D(5), min_order_amount=D(100)
            ),
            {"currency"},
        ),
    ],
)
@pytest.mark.django_db
def test_promotion_validation(shop: Shop, data: PromotionInput, fields: set[str]) -> None:
    with pytest.raises(InvalidInput) as excinfo:
        create_promotion(actor=shop.staff, data=data)

    assert set(excinfo.value.fields) == fields
    assert Promotion.objects.count() == 0


@pytest.mark.django_db
def test_create_a_coupon_promotion_and_its_code(shop: Shop) -> None:
    promotion = create_promotion(
        actor=shop.staff,
        data=PromotionInput(
            name="Spring",
            kind=Promotion.Kind.AMOUNT_OFF_ORDER,
            value=D(20),
            currency="USD",
            requires_coupon=True,
        ),
    )

    coupon = create_coupon(
        actor=shop.staff, promotion=promotion, code=" spring20 ", usage_limit=100, per_account_limit=1
    )
    with pytest.raises(CouponCodeTaken):
        create_coupon(actor=shop.staff, promotion=promotion, code="SPRING20")

    assert coupon.code == "SPRING20" and Coupon.objects.count() == 1


@pytest.mark.django_db
def test_an_automatic_promotion_takes_no_coupon(shop: Shop) -> None:
    automatic = PromotionFactory(organization=shop.organization, requires_coupon=False)

    with pytest.raises(InvalidInput) as excinfo:
        create_coupon(actor=shop.staff, promotion=automatic, code="X")

    assert "promotion" in excinfo.value.fields


@pytest.mark.django_db
def test_buyers_cannot_create_promotions(shop: Shop) -> None:
    admin_buyer = actor_for(BuyerUserFactory(account=shop.child, is_admin=True))

    with pytest.raises(NotAllowed):
        create_promotion(
            actor=admin_buyer, data=PromotionInput(name="x", kind=Promotion.Kind.PERCENT_OFF_LINE, value=D(1))
        )


@pytest.mark.django_db
def test_rule_factory_defaults_are_a_cost_rule(shop: Shop) -> None:
    rule = PriceRuleFactory(price_list=PriceListFactory(organization=shop.organization))

    assert rule.base == PriceRule.Base.COST and rule.base_price_list is None
