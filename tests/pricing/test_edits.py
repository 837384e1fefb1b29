"""Editing and removing prices and their sources: every change is live at the next resolution and
audited (who, when, from what to what); refusals change nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from meridian.catalog.models import CustomerPartNumber
from meridian.core.actor import StaffRole
from meridian.core.errors import InvalidInput
from meridian.core.models import AuditEntry, OutboxEvent
from meridian.customers.errors import NotAllowed
from meridian.pricing.errors import ContractNotFound, PriceEntryNotFound
from meridian.pricing.models import (
    Contract,
    CustomerPrice,
    PriceChange,
    PriceListEntry,
    PriceRule,
    Promotion,
    RebateAccrual,
    RebateProgram,
    Strategy,
)
from meridian.pricing.services import (
    ContractInput,
    PriceLineRequest,
    PromotionInput,
    RebateProgramInput,
    RuleInput,
    delete_customer_price,
    delete_price_entries,
    delete_price_rule,
    resolve_prices,
    set_customer_price,
    set_pricing_strategy,
    update_contract,
    update_price_entry,
    update_price_rule,
    update_promotion,
    update_rebate_program,
)
from tests.actors import actor_for
from tests.customers.factories import AccountFactory
from tests.pricing.conftest import Shop
from tests.pricing.factories import (
    ContractFactory,
    CustomerPriceFactory,
    PriceAssignmentFactory,
    PriceListEntryFactory,
    PriceListFactory,
    PriceRuleFactory,
    PromotionFactory,
    RebateProgramFactory,
    RebateTierFactory,
)
from tests.staff.factories import StaffMemberFactory

D = Decimal


def _bolt_price(shop: Shop, quantity: str = "1") -> tuple[Decimal | None, Decimal | None, str]:
    """(unit price, line total, source kind) of the bolt for `child`, resolved now."""
    line = resolve_prices(
        actor=shop.staff, account=shop.child, lines=[PriceLineRequest(sku="BOLT", quantity=D(quantity))]
    ).lines[0]
    return line.unit_price, line.line_total, line.source.kind.value if line.source else ""


def _website_list(shop: Shop, price: str = "10.00") -> PriceListEntry:
    price_list = PriceListFactory(organization=shop.organization, code="WEB", currency="USD")
    PriceAssignmentFactory(price_list=price_list, website=shop.website)
    return PriceListEntryFactory(price_list=price_list, product=shop.bolt, uom="EA", price=D(price))


def _audits(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("pk"))


@pytest.mark.django_db
def test_an_edited_entry_price_is_the_next_resolution_and_is_audited(shop: Shop) -> None:
    entry = _website_list(shop, "10.00")
    assert _bolt_price(shop)[0] == D("10.00")

    updated = update_price_entry(actor=shop.staff, entry=entry, price=D("8.50"), valid_to=date(2030, 1, 1))

    assert (updated.price, updated.valid_to) == (D("8.50"), date(2030, 1, 1))
    assert _bolt_price(shop)[0] == D("8.50")
    change = PriceChange.objects.get(entry_id=entry.pk)
    assert (change.old_price, change.new_price, change.changed_by_id) == (
        D("10.00"),
        D("8.50"),
        shop.admin.user_id,
    )


@pytest.mark.django_db
def test_an_entry_edit_with_a_bad_price_names_the_field_and_changes_nothing(shop: Shop) -> None:
    entry = _website_list(shop, "10.00")

    with pytest.raises(InvalidInput) as excinfo:
        update_price_entry(actor=shop.staff, entry=entry, price=D("-1"), valid_to=None)

    assert set(excinfo.value.fields) == {"price"}
    assert PriceListEntry.objects.get(pk=entry.pk).price == D("10.00")
    assert not PriceChange.objects.exists()


@pytest.mark.django_db
def test_deleted_entries_stop_pricing_at_once_and_are_audited_as_removed(shop: Shop) -> None:
    entry = _website_list(shop, "10.00")

    removed = delete_price_entries(actor=shop.staff, price_list=entry.price_list, entry_ids=[entry.pk])

    assert removed == 1
    line = resolve_prices(
        actor=shop.staff, account=shop.child, lines=[PriceLineRequest(sku="BOLT", quantity=D(1))]
    ).lines[0]
    assert line.error == "no_price"
    change = PriceChange.objects.get(entry_id=entry.pk)
    assert (change.old_price, change.new_price) == (D("10.00"), None)
    event = OutboxEvent.objects.get(event_type="pricing.price_list.entries_changed")
    assert event.payload["changes"][0]["new_price"] is None


@pytest.mark.django_db
def test_deleting_an_entry_of_another_list_removes_nothing(shop: Shop) -> None:
    entry = _website_list(shop, "10.00")
    other = PriceListEntryFactory(
        price_list=PriceListFactory(organization=shop.organization), product=shop.bolt, uom="EA"
    )

    with pytest.raises(PriceEntryNotFound):
        delete_price_entries(actor=shop.staff, price_list=entry.price_list, entry_ids=[entry.pk, other.pk])

    assert PriceListEntry.objects.filter(pk__in=[entry.pk, other.pk]).count() == 2
    assert not PriceChange.objects.exists()


@pytest.mark.django_db
def test_a_customer_price_with_a_part_number_then_removed(shop: Shop) -> None:
    _website_list(shop, "10.00")

    row = set_customer_price(
        actor=shop.staff,
        account=shop.child,
        product=shop.bolt,
        price=D("7.25"),
        currency="USD",
        part_number="ACME-B-1",
    )

    assert _bolt_price(shop)[:1] == (D("7.25"),)
    assert CustomerPartNumber.objects.get(account=shop.child, product=shop.bolt).part_number == "ACME-B-1"
    line = resolve_prices(
        actor=shop.staff, account=shop.child, lines=[PriceLineRequest(sku="BOLT", quantity=D(1))]
    ).lines[0]
    assert line.source is not None and line.source.part_number == "ACME-B-1"

    delete_customer_price(actor=shop.staff, customer_price=row)

    assert not CustomerPrice.objects.filter(pk=row.pk).exists()
    assert _bolt_price(shop)[0] == D("10.00")
    removal = PriceChange.objects.filter(entry_id=row.pk).order_by("pk").last()
    assert removal is not None and (removal.old_price, removal.new_price) == (D("7.25"), None)


@pytest.mark.django_db
def test_a_sales_rep_may_not_remove_a_customer_price(shop: Shop) -> None:
    row = CustomerPriceFactory(account=shop.child, product=shop.bolt, price=D("7.00"))
    rep = actor_for(StaffMemberFactory(organization=shop.organization, role=StaffRole.SALES_REP))

    with pytest.raises(NotAllowed):
        delete_customer_price(actor=rep, customer_price=row)

    assert CustomerPrice.objects.filter(pk=row.pk).exists()


def _contract_input(contract: Contract, **changes: object) -> ContractInput:
    values: dict[str, object] = {
        "number": contract.number,
        "account": contract.account,
        "price_list": contract.price_list,
        "applies_to_children": contract.applies_to_children,
        "prices_are_final": contract.prices_are_final,
        "valid_from": contract.valid_from,
        "valid_to": contract.valid_to,
        "priority": contract.priority,
        "external_id": contract.external_id,
        "terms": contract.terms,
    }
    values.update(changes)
    return ContractInput(**values)  # type: ignore[arg-type]  # the keys are ContractInput's fields


@pytest.mark.django_db
def test_a_deactivated_contract_stops_pricing_at_once_and_the_change_is_audited(shop: Shop) -> None:
    _website_list(shop, "10.00")
    contract_list = PriceListFactory(organization=shop.organization, code="K", currency="USD")
    PriceListEntryFactory(price_list=contract_list, product=shop.bolt, uom="EA", price=D("6.00"))
    contract = ContractFactory(account=shop.child, price_list=contract_list, number="K-1")
    assert _bolt_price(shop) == (D("6.00"), D("6.00"), "contract")

    update_contract(
        actor=shop.staff, contract=contract, data=_contract_input(contract, terms="ended"), is_active=False
    )

    assert _bolt_price(shop) == (D("10.00"), D("10.00"), "website")
    (audit,) = _audits("pricing.contract.changed")
    assert (audit.actor_user_id, audit.object_id) == (shop.admin.user_id, str(contract.pk))
    assert audit.before == {"is_active": True, "terms": ""}
    assert audit.after == {"is_active": False, "terms": "ended"}
    assert OutboxEvent.objects.filter(event_type="pricing.contract.changed").count() == 1


@pytest.mark.django_db
def test_a_contract_keeps_its_account_and_out_of_scope_is_not_found(shop: Shop) -> None:
    contract = ContractFactory(account=shop.child, number="K-1")

    with pytest.raises(InvalidInput) as excinfo:
        update_contract(
            actor=shop.staff,
            contract=contract,
            data=_contract_input(contract, account=shop.sibling),
            is_active=True,
        )

    assert set(excinfo.value.fields) == {"account"}
    assert Contract.objects.get(pk=contract.pk).account_id == shop.child.pk
    foreign = ContractFactory(account=AccountFactory(), number="K-2")
    with pytest.raises(ContractNotFound):
        update_contract(actor=shop.staff, contract=foreign, data=_contract_input(foreign), is_active=False)
    assert Contract.objects.get(pk=foreign.pk).is_active
    assert not _audits("pricing.contract.changed")


def _promotion_input(promotion: Promotion, **changes: object) -> PromotionInput:
    values: dict[str, object] = {
        "name": promotion.name,
        "kind": promotion.kind,
        "value": promotion.value,
        "stacking": promotion.stacking,
        "priority": promotion.priority,
        "currency": promotion.currency,
        "is_active": promotion.is_active,
    }
    values.update(changes)
    return PromotionInput(**values)  # type: ignore[arg-type]  # the keys are PromotionInput's fields


@pytest.mark.django_db
def test_an_edited_then_ended_promotion_applies_at_once_and_is_audited(shop: Shop) -> None:
    _website_list(shop, "10.00")
    promotion = PromotionFactory(
        organization=shop.organization, kind=Promotion.Kind.PERCENT_OFF_LINE, value=D(10)
    )
    assert _bolt_price(shop)[1] == D("9.00")

    update_promotion(actor=shop.staff, promotion=promotion, data=_promotion_input(promotion, value=D(20)))
    assert _bolt_price(shop)[1] == D("8.00")
    update_promotion(
        actor=shop.staff, promotion=promotion, data=_promotion_input(promotion, value=D(20), is_active=False)
    )

    assert _bolt_price(shop)[1] == D("10.00")
    first, second = _audits("pricing.promotion.changed")
    assert (first.before, first.after) == ({"value": "10.0000"}, {"value": "20"})
    assert (second.before, second.after) == ({"is_active": True}, {"is_active": False})


@pytest.mark.django_db
def test_an_invalid_promotion_edit_changes_nothing(shop: Shop) -> None:
    promotion = PromotionFactory(organization=shop.organization, value=D(10))

    with pytest.raises(InvalidInput) as excinfo:
        update_promotion(
            actor=shop.staff, promotion=promotion, data=_promotion_input(promotion, value=D(150))
        )

    assert set(excinfo.value.fields) == {"value"}
    assert Promotion.objects.get(pk=promotion.pk).value == D(10)
    assert not _audits("pricing.promotion.changed")


@pytest.mark.django_db
def test_an_edited_then_deleted_rule_changes_derived_prices_at_once(shop: Shop) -> None:
    price_list = PriceListFactory(organization=shop.organization, code="COST", currency="USD")
    PriceAssignmentFactory(price_list=price_list, website=shop.website)
    rule = PriceRuleFactory(price_list=price_list, base=PriceRule.Base.COST, multiplier=D("1.5"))
    assert _bolt_price(shop)[0] == D("6.0000")  # cost 4.00 x 1.5

    update_price_rule(
        actor=shop.staff,
        rule=rule,
        data=RuleInput(base=PriceRule.Base.COST, multiplier=D("1.25"), rounding=PriceRule.Rounding.ENDS_99),
        is_active=True,
    )
    assert _bolt_price(shop)[0] == D("5.99")
    delete_price_rule(actor=shop.staff, rule=rule)

    assert _bolt_price(shop)[0] is None
    (changed,) = _audits("pricing.price_rule.changed")
    assert changed.before == {"multiplier": "1.5000", "rounding": "none"}
    assert changed.after == {"multiplier": "1.25", "rounding": "ends_99"}
    (deleted,) = _audits("pricing.price_rule.deleted")
    assert deleted.after == {} and deleted.before["base"] == "cost"


@pytest.mark.django_db
def test_a_rule_edit_may_not_make_lists_derive_from_each_other(shop: Shop) -> None:
    first = PriceListFactory(organization=shop.organization, currency="USD")
    second = PriceListFactory(organization=shop.organization, currency="USD")
    PriceRuleFactory(price_list=first, base=PriceRule.Base.PRICE_LIST, base_price_list=second)
    rule = PriceRuleFactory(price_list=second, base=PriceRule.Base.COST)

    with pytest.raises(InvalidInput) as excinfo:
        update_price_rule(
            actor=shop.staff,
            rule=rule,
            data=RuleInput(base=PriceRule.Base.PRICE_LIST, base_price_list=first),
            is_active=True,
        )

    assert "base_price_list" in excinfo.value.fields
    assert PriceRule.objects.get(pk=rule.pk).base == PriceRule.Base.COST


@pytest.mark.django_db
def test_a_rebate_program_edit_replaces_its_tiers_but_not_its_basis_once_accrued(shop: Shop) -> None:
    program = RebateProgramFactory(
        organization=shop.organization,
        basis=RebateProgram.Basis.SPEND,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31),
    )
    RebateTierFactory(program=program, threshold=D(0), rate_percent=D(1))
    data = RebateProgramInput(
        code=program.code,
        name="Spend 2026",
        basis=RebateProgram.Basis.SPEND,
        currency="USD",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31),
        tiers=[(D(0), D(1)), (D(10_000), D("2.5"))],
    )

    update_rebate_program(actor=shop.staff, program=program, data=data, is_active=True)

    assert sorted(program.tiers.values_list("threshold", "rate_percent")) == [
        (D(0), D(1)),
        (D(10_000), D("2.5")),
    ]
    (audit,) = _audits("pricing.rebate_program.changed")
    assert audit.after["tiers"] == [["0", "1"], ["10000", "2.5"]]
    RebateAccrual.objects.create(
        organization=shop.organization,
        program=program,
        account=shop.child,
        order_reference="SO-1",
        line_reference="1",
        quantity=D(1),
        line_total=D(100),
        currency="USD",
        basis_amount=D(100),
        rate_percent=D(1),
        amount=D(1),
        accrued_on=date(2026, 3, 1),
    )
    with pytest.raises(InvalidInput) as excinfo:
        update_rebate_program(
            actor=shop.staff,
            program=program,
            data=RebateProgramInput(
                code=data.code,
                name=data.name,
                basis=RebateProgram.Basis.VOLUME,
                currency="USD",
                period_start=data.period_start,
                period_end=data.period_end,
                tiers=data.tiers,
            ),
            is_active=True,
        )
    assert set(excinfo.value.fields) == {"basis"}
    assert RebateProgram.objects.get(pk=program.pk).basis == RebateProgram.Basis.SPEND


@pytest.mark.django_db
def test_a_strategy_change_is_audited_from_the_default(shop: Shop) -> None:
    set_pricing_strategy(actor=shop.staff, website=shop.website, strategy=Strategy.BEST_PRICE)

    (audit,) = _audits("pricing.website_strategy.changed")
    assert (audit.before, audit.after) == ({"strategy": "priority"}, {"strategy": "best_price"})
