"""The console's pricing editors: edit a contract, a promotion and a price rule, remove one price
list entry, and add an account's own rebate program from the account page. Each goes through the
pricing services (validated as on creation, audited), shows bad input on the form, answers 404 for
another organization's object and 403 to staff who do not edit prices; what is saved is what the
very next API call returns."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from meridian.catalog.models import Product
from meridian.core.models import AuditEntry, OutboxEvent
from meridian.core.services import issue_token
from meridian.pricing.models import (
    Contract,
    PriceChange,
    PriceListEntry,
    PriceRule,
    Promotion,
    RebateProgram,
)
from meridian.staff.models import StaffMember
from tests.catalog.factories import ProductFactory
from tests.pricing.channel_world import PriceWorld, build_price_world
from tests.pricing.factories import (
    ContractFactory,
    PriceListEntryFactory,
    PriceListFactory,
    PriceRuleFactory,
    PromotionFactory,
    RebateProgramFactory,
    RebateTierFactory,
)

D = Decimal
JSON = "application/json"


@pytest.fixture
def world(db: None) -> PriceWorld:
    return build_price_world()


def _client(member: StaffMember, *, csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(member.user)
    return client


def _text(response: Any) -> str:
    return response.content.decode()


def _api_line(world: PriceWorld, sku: str, quantity: str = "1", account: int | None = None) -> dict[str, Any]:
    """The price the API answers now, for Acme Ohio unless told (a fresh token: nothing carried over)."""
    secret, _ = issue_token(user=world.admin.user)
    response = Client(headers={"Authorization": f"Bearer {secret}"}).post(
        "/api/v1/prices/resolve",
        {"account": account or world.child.pk, "lines": [{"sku": sku, "quantity": quantity}]},
        content_type=JSON,
    )
    assert response.status_code == 200, response.content
    line: dict[str, Any] = response.json()["lines"][0]
    return line


# --- contracts ------------------------------------------------------------------------------------


def _contract_form(**values: str) -> dict[str, str]:
    form = {
        "contract-number": "C-ACME",
        "contract-price_list": "K-ACME",
        "contract-priority": "100",
        "contract-applies_to_children": "on",
        "contract-is_active": "on",
    }
    form.update({f"contract-{name}": value for name, value in values.items()})
    return {name: value for name, value in form.items() if value != ""}


def test_the_contract_form_shows_the_current_terms(world: PriceWorld) -> None:
    Contract.objects.filter(pk=world.contract.pk).update(terms="Net 30, freight prepaid", priority=7)

    page = _client(world.admin).get(f"/console/contracts/{world.contract.pk}/edit/")

    assert page.status_code == 200
    text = _text(page)
    assert 'value="C-ACME"' in text and "Net 30, freight prepaid" in text and 'value="7"' in text
    assert '<option value="K-ACME" selected>' in text


def test_a_contract_edited_in_the_console_is_the_next_api_price_and_audited(world: PriceWorld) -> None:
    better = PriceListFactory(organization=world.org, code="K-ACME-2", currency="USD")
    PriceListEntryFactory(price_list=better, product=world.bolt, uom="EA", min_quantity=D(1), price=D("0.35"))
    assert _api_line(world, "BOLT")["unit_price"] == "0.40"

    response = _client(world.admin).post(
        f"/console/contracts/{world.contract.pk}/edit/",
        _contract_form(
            price_list="K-ACME-2",
            prices_are_final="on",
            valid_from="2020-01-01",
            valid_to="2099-12-31",
            terms="Renewed",
        ),
    )

    assert response.status_code == 302
    assert response["Location"] == f"/console/accounts/{world.child.pk}/#pricing"
    line = _api_line(world, "BOLT")
    assert (line["unit_price"], line["source"]["contract"], line["source"]["prices_are_final"]) == (
        "0.35",
        "C-ACME",
        True,
    )
    contract = Contract.objects.get(pk=world.contract.pk)
    assert (contract.valid_from, contract.valid_to, contract.terms) == (
        date(2020, 1, 1),
        date(2099, 12, 31),
        "Renewed",
    )
    entry = AuditEntry.objects.get(action="pricing.contract.changed", object_id=str(world.contract.pk))
    assert entry.actor_user_id == world.admin.user_id
    assert entry.before["price_list"] == world.contract_list.pk and entry.after["price_list"] == better.pk
    assert entry.before["prices_are_final"] is False and entry.after["prices_are_final"] is True
    assert OutboxEvent.objects.filter(event_type="pricing.contract.changed").count() == 1


def test_contract_final_set_in_the_console_stops_promotions_on_its_lines(world: PriceWorld) -> None:
    PromotionFactory(organization=world.org, kind=Promotion.Kind.PERCENT_OFF_LINE, value=D(10))
    assert _api_line(world, "BOLT", "10")["line_total"] == "3.60"

    _client(world.admin).post(
        f"/console/contracts/{world.contract.pk}/edit/", _contract_form(prices_are_final="on")
    )

    assert _api_line(world, "BOLT", "10")["line_total"] == "4.00"


def test_a_contract_without_its_children_stops_pricing_the_plant(world: PriceWorld) -> None:
    assert _api_line(world, "BOLT", account=world.grandchild.pk)["unit_price"] == "0.40"

    _client(world.admin).post(
        f"/console/contracts/{world.contract.pk}/edit/", _contract_form(applies_to_children="")
    )

    assert _api_line(world, "BOLT", account=world.grandchild.pk)["unit_price"] == "0.50"
    assert _api_line(world, "BOLT")["unit_price"] == "0.40"


def test_a_contract_period_ending_before_it_starts_shows_the_error_and_changes_nothing(
    world: PriceWorld,
) -> None:
    response = _client(world.admin).post(
        f"/console/contracts/{world.contract.pk}/edit/",
        _contract_form(valid_from="2026-06-01", valid_to="2026-05-01", terms="Changed"),
    )

    assert response.status_code == 422
    assert "must not be before valid_from" in _text(response)
    contract = Contract.objects.get(pk=world.contract.pk)
    assert (contract.valid_to, contract.terms) == (None, "")
    assert not AuditEntry.objects.filter(action="pricing.contract.changed").exists()


def test_a_contract_number_taken_and_an_unreadable_date_show_on_the_form(world: PriceWorld) -> None:
    ContractFactory(account=world.sibling, price_list=world.contract_list, number="C-TEXAS")
    client = _client(world.admin)

    taken = client.post(f"/console/contracts/{world.contract.pk}/edit/", _contract_form(number="C-TEXAS"))
    unreadable = client.post(
        f"/console/contracts/{world.contract.pk}/edit/", _contract_form(valid_from="next monday")
    )
    unknown_list = client.post(
        f"/console/contracts/{world.contract.pk}/edit/", _contract_form(price_list="NOPE")
    )

    assert taken.status_code == unreadable.status_code == unknown_list.status_code == 422
    assert "C-TEXAS" in _text(taken)
    assert "Enter a valid date." in _text(unreadable)
    assert "Select a valid choice." in _text(unknown_list)
    assert Contract.objects.get(pk=world.contract.pk).number == "C-ACME"


def test_another_organizations_contract_is_a_404_and_non_editors_get_a_403(world: PriceWorld) -> None:
    other = ContractFactory(account=world.other_account, price_list=world.other_web, number="C-GAMMA")

    outside = _client(world.admin).post(f"/console/contracts/{other.pk}/edit/", _contract_form())
    rep_reads = _client(world.sales_rep).get(f"/console/contracts/{world.contract.pk}/edit/")
    rep_writes = _client(world.sales_rep).post(
        f"/console/contracts/{world.contract.pk}/edit/", _contract_form(terms="Rep terms")
    )
    warehouse = _client(world.warehouse).post(
        f"/console/contracts/{world.contract.pk}/edit/", _contract_form(terms="Warehouse terms")
    )

    assert outside.status_code == 404
    assert rep_reads.status_code == rep_writes.status_code == warehouse.status_code == 403
    assert Contract.objects.get(pk=world.contract.pk).terms == ""
    assert Contract.objects.get(pk=other.pk).number == "C-GAMMA"


def test_every_editor_form_refuses_a_post_without_the_csrf_token(world: PriceWorld) -> None:
    rule = PriceRuleFactory(price_list=world.web, base=PriceRule.Base.COST, multiplier=D("1.25"))
    promotion = PromotionFactory(organization=world.org)
    entry = PriceListEntry.objects.filter(price_list=world.web).first()
    assert entry is not None
    client = _client(world.admin, csrf=True)

    answers = [
        client.post(f"/console/contracts/{world.contract.pk}/edit/", _contract_form(terms="x")).status_code,
        client.post(f"/console/promotions/{promotion.pk}/edit/", {"name": "x"}).status_code,
        client.post(f"/console/price-rules/{rule.pk}/edit/", {"rule-multiplier": "2"}).status_code,
        client.post(f"/console/prices/{world.web.pk}/entries/{entry.pk}/delete/").status_code,
        client.post(f"/console/accounts/{world.child.pk}/rebate-programs/", {"rebate-code": "X"}).status_code,
    ]

    assert answers == [403] * 5
    assert Contract.objects.get(pk=world.contract.pk).terms == ""
    assert PriceListEntry.objects.filter(pk=entry.pk).exists()
    assert not RebateProgram.objects.exists()


def test_the_account_page_links_each_contract_to_its_form_for_editors_only(world: PriceWorld) -> None:
    url = f"/console/contracts/{world.contract.pk}/edit/"

    editor = _text(_client(world.inside_sales).get(f"/console/accounts/{world.child.pk}/"))
    rep = _text(_client(world.sales_rep).get(f"/console/accounts/{world.child.pk}/"))

    assert url in editor and url not in rep


# --- promotions -----------------------------------------------------------------------------------


def _promotion_form(**values: str) -> dict[str, str]:
    form = {
        "name": "Spring sale",
        "kind": "percent_off_line",
        "value": "10",
        "stacking": "stackable",
        "priority": "100",
        "is_active": "on",
    }
    form.update(values)
    return {name: value for name, value in form.items() if value != ""}


def test_the_promotion_form_shows_every_current_value(world: PriceWorld) -> None:
    promotion = PromotionFactory(
        organization=world.org,
        name="Bolt deal",
        kind=Promotion.Kind.AMOUNT_OFF_LINE,
        value=D("1.50"),
        currency="USD",
        account=world.child,
        product=world.bolt,
        min_quantity=D(50),
        requires_coupon=True,
    )

    page = _client(world.admin).get(f"/console/promotions/{promotion.pk}/edit/")

    assert page.status_code == 200
    text = _text(page)
    assert 'value="Bolt deal"' in text and 'value="BOLT"' in text and f'value="{world.child.pk}"' in text
    assert '<option value="amount_off_line" selected>' in text and '<option value="USD" selected>' in text
    assert 'name="requires_coupon" id="id_requires_coupon" checked' in text


def test_a_promotion_edited_in_the_console_is_the_next_api_price_and_audited(world: PriceWorld) -> None:
    promotion = PromotionFactory(
        organization=world.org, kind=Promotion.Kind.PERCENT_OFF_LINE, value=D(10), external_id="ERP-P1"
    )
    assert _api_line(world, "HAMMER")["line_total"] == "22.50"

    response = _client(world.admin).post(
        f"/console/promotions/{promotion.pk}/edit/",
        _promotion_form(
            name="Hammer deal",
            kind="amount_off_line",
            value="3",
            currency="USD",
            product="HAMMER",
            account=str(world.parent.pk),
            min_quantity="1",
            starts_at="2020-01-01T00:00",
            ends_at="2099-01-01T00:00",
            stacking="exclusive",
            priority="5",
        ),
    )

    assert response.status_code == 302
    assert response["Location"] == f"/console/promotions/{promotion.pk}/"
    assert _api_line(world, "HAMMER")["line_total"] == "22.00"
    assert _api_line(world, "BOLT", "100")["line_total"] == "40.00"  # the product condition holds
    saved = Promotion.objects.get(pk=promotion.pk)
    assert (saved.kind, saved.stacking, saved.priority, saved.account_id, saved.external_id) == (
        "amount_off_line",
        "exclusive",
        5,
        world.parent.pk,
        "ERP-P1",
    )
    entry = AuditEntry.objects.get(action="pricing.promotion.changed", object_id=str(promotion.pk))
    assert (entry.before["kind"], entry.after["kind"]) == ("percent_off_line", "amount_off_line")
    assert "external_id" not in entry.after
    assert OutboxEvent.objects.filter(event_type="pricing.promotion.changed").count() == 1


def test_a_coupon_requirement_and_a_limit_window_edited_in_the_console(world: PriceWorld) -> None:
    promotion = PromotionFactory(organization=world.org, kind=Promotion.Kind.PERCENT_OFF_LINE, value=D(10))
    client = _client(world.admin)

    client.post(f"/console/promotions/{promotion.pk}/edit/", _promotion_form(requires_coupon="on"))
    needs_coupon = _api_line(world, "HAMMER")["line_total"]
    client.post(
        f"/console/promotions/{promotion.pk}/edit/",
        _promotion_form(starts_at="2001-01-01T00:00", ends_at="2001-02-01T00:00"),
    )

    assert needs_coupon == "25.00"
    assert _api_line(world, "HAMMER")["line_total"] == "25.00"  # its window is over
    assert Promotion.objects.get(pk=promotion.pk).ends_at is not None


@pytest.mark.parametrize(
    ("values", "field_error"),
    [
        ({"value": "150"}, "a percentage between 0 and 100"),
        ({"kind": "amount_off_line", "value": "3"}, "required for amounts"),
        ({"account": "987654"}, "No account 987654 in your scope."),
        ({"product": "NOPE"}, "No product with SKU NOPE."),
        ({"value": "ten"}, "Enter a number."),
        ({"kind": "nothing"}, "Select a valid choice."),
        ({"name": ""}, "This field is required."),
    ],
)
def test_a_bad_promotion_edit_shows_the_error_and_changes_nothing(
    world: PriceWorld, values: dict[str, str], field_error: str
) -> None:
    promotion = PromotionFactory(
        organization=world.org, name="Keep", kind=Promotion.Kind.PERCENT_OFF_LINE, value=D(10)
    )

    response = _client(world.admin).post(
        f"/console/promotions/{promotion.pk}/edit/", _promotion_form(**values)
    )

    assert response.status_code == 422
    assert field_error in _text(response)
    saved = Promotion.objects.get(pk=promotion.pk)
    assert (saved.name, saved.kind, saved.value) == ("Keep", "percent_off_line", D(10))
    assert not AuditEntry.objects.filter(action="pricing.promotion.changed").exists()


def test_an_account_of_another_organization_is_refused_as_a_condition(world: PriceWorld) -> None:
    promotion = PromotionFactory(organization=world.org)

    response = _client(world.admin).post(
        f"/console/promotions/{promotion.pk}/edit/", _promotion_form(account=str(world.other_account.pk))
    )

    assert response.status_code == 422
    assert Promotion.objects.get(pk=promotion.pk).account_id is None


def test_another_organizations_promotion_is_a_404_and_a_rep_gets_a_403(world: PriceWorld) -> None:
    other = PromotionFactory(organization=world.other_org, name="Theirs")
    mine = PromotionFactory(organization=world.org, name="Mine")

    outside = _client(world.admin).post(f"/console/promotions/{other.pk}/edit/", _promotion_form())
    outside_page = _client(world.admin).get(f"/console/promotions/{other.pk}/edit/")
    rep = _client(world.sales_rep).post(f"/console/promotions/{mine.pk}/edit/", _promotion_form())
    rep_page = _client(world.sales_rep).get(f"/console/promotions/{mine.pk}/")

    assert outside.status_code == outside_page.status_code == 404
    assert rep.status_code == 403
    assert f"/console/promotions/{mine.pk}/edit/" not in _text(rep_page)
    assert Promotion.objects.get(pk=other.pk).name == "Theirs"
    assert Promotion.objects.get(pk=mine.pk).name == "Mine"


# --- price rules ----------------------------------------------------------------------------------


def _rule_form(**values: str) -> dict[str, str]:
    form = {
        "rule-name": "Cost plus",
        "rule-base": "cost",
        "rule-multiplier": "1.25",
        "rule-percent": "0",
        "rule-rounding": "ends_99",
        "rule-priority": "100",
        "rule-is_active": "on",
    }
    form.update({f"rule-{name}": value for name, value in values.items()})
    return {name: value for name, value in form.items() if value != ""}


@pytest.fixture
def nut_rule(world: PriceWorld) -> PriceRule:
    """The web list has no entry for NUT: a rule derives its price from cost (2.00 x 1.25 -> 2.99)."""
    ProductFactory(organization=world.org, sku="NUT", category=world.fasteners, standard_cost=D("2.00"))
    return PriceRuleFactory(
        price_list=world.web,
        name="Cost plus",
        base=PriceRule.Base.COST,
        multiplier=D("1.25"),
        rounding=PriceRule.Rounding.ENDS_99,
    )


def test_a_rule_edited_in_the_console_is_the_next_api_price_and_audited(
    world: PriceWorld, nut_rule: PriceRule
) -> None:
    client = _client(world.admin)
    assert _api_line(world, "NUT")["unit_price"] == "2.99"
    form_page = _text(client.get(f"/console/price-rules/{nut_rule.pk}/edit/"))

    response = client.post(
        f"/console/price-rules/{nut_rule.pk}/edit/", _rule_form(multiplier="2", rounding="none", sku="NUT")
    )

    assert 'value="1.2500"' in form_page and '<option value="ends_99" selected>' in form_page
    assert response.status_code == 302
    assert response["Location"] == f"/console/prices/{world.web.pk}/#rules"
    assert _api_line(world, "NUT")["unit_price"] == "4.00"
    entry = AuditEntry.objects.get(action="pricing.price_rule.changed", object_id=str(nut_rule.pk))
    assert (entry.before["rounding"], entry.after["rounding"]) == ("ends_99", "none")
    assert entry.after["product"] == Product.objects.get(sku="NUT").pk


def test_a_rule_paused_in_the_console_stops_deriving(world: PriceWorld, nut_rule: PriceRule) -> None:
    _client(world.admin).post(f"/console/price-rules/{nut_rule.pk}/edit/", _rule_form(is_active=""))

    assert _api_line(world, "NUT")["error"] == "no_price"
    assert not PriceRule.objects.get(pk=nut_rule.pk).is_active


@pytest.mark.parametrize(
    ("values", "error"),
    [
        ({"base": "price_list", "base_price_list": "WEB"}, "cannot derive from itself"),
        ({"sku": "NOPE"}, "No product NOPE."),
        ({"multiplier": "-1"}, "Ensure this value is greater than or equal to 0."),
        ({"valid_from": "2026-06-01", "valid_to": "2026-01-01"}, "must not be before valid_from"),
    ],
)
def test_a_bad_rule_edit_shows_the_error_and_changes_nothing(
    world: PriceWorld, nut_rule: PriceRule, values: dict[str, str], error: str
) -> None:
    response = _client(world.admin).post(f"/console/price-rules/{nut_rule.pk}/edit/", _rule_form(**values))

    assert response.status_code == 422
    assert error in _text(response)
    rule = PriceRule.objects.get(pk=nut_rule.pk)
    assert (rule.base, rule.multiplier, rule.product_id, rule.valid_to) == ("cost", D("1.25"), None, None)
    assert not AuditEntry.objects.filter(action="pricing.price_rule.changed").exists()


def test_another_organizations_rule_is_a_404_and_a_rep_gets_a_403(
    world: PriceWorld, nut_rule: PriceRule
) -> None:
    theirs = PriceRuleFactory(price_list=world.other_web, base=PriceRule.Base.COST, multiplier=D(3))

    outside = _client(world.admin).post(f"/console/price-rules/{theirs.pk}/edit/", _rule_form())
    rep = _client(world.sales_rep).post(
        f"/console/price-rules/{nut_rule.pk}/edit/", _rule_form(multiplier="9")
    )
    list_page = _text(_client(world.sales_rep).get(f"/console/prices/{world.web.pk}/"))

    assert outside.status_code == 404 and rep.status_code == 403
    assert PriceRule.objects.get(pk=theirs.pk).multiplier == D(3)
    assert PriceRule.objects.get(pk=nut_rule.pk).multiplier == D("1.25")
    assert f"/console/price-rules/{nut_rule.pk}/edit/" not in list_page


# --- one price list entry -------------------------------------------------------------------------


def test_removing_one_tier_is_the_next_api_price_and_recorded(world: PriceWorld) -> None:
    tier = PriceListEntry.objects.get(price_list=world.web, product=world.bolt, min_quantity=D(100))
    assert _api_line(world, "BOLT", "100", account=world.sibling.pk)["unit_price"] == "0.45"

    response = _client(world.admin).post(f"/console/prices/{world.web.pk}/entries/{tier.pk}/delete/")

    assert response.status_code == 302
    assert response["Location"].startswith(f"/console/prices/{world.web.pk}/")
    assert _api_line(world, "BOLT", "100", account=world.sibling.pk)["unit_price"] == "0.50"
    change = PriceChange.objects.get(entry_id=tier.pk)
    assert (change.old_price, change.new_price, change.changed_by_id) == (
        D("0.45"),
        None,
        world.admin.user_id,
    )
    assert OutboxEvent.objects.filter(event_type="pricing.price_list.entries_changed").exists()


def test_an_entry_of_another_list_or_organization_is_a_404_and_stays(world: PriceWorld) -> None:
    other_entry = PriceListEntryFactory(
        price_list=world.other_web, product=ProductFactory(organization=world.other_org), price=D(1)
    )
    contract_entry = PriceListEntry.objects.get(price_list=world.contract_list)
    client = _client(world.admin)

    foreign = client.post(f"/console/prices/{world.other_web.pk}/entries/{other_entry.pk}/delete/")
    wrong_list = client.post(f"/console/prices/{world.web.pk}/entries/{contract_entry.pk}/delete/")
    missing = client.post(f"/console/prices/{world.web.pk}/entries/987654/delete/")

    assert foreign.status_code == wrong_list.status_code == missing.status_code == 404
    assert PriceListEntry.objects.filter(pk__in=[other_entry.pk, contract_entry.pk]).count() == 2
    assert not PriceChange.objects.exists()


def test_a_rep_may_not_remove_an_entry_and_sees_no_remove_button(world: PriceWorld) -> None:
    entry = PriceListEntry.objects.filter(price_list=world.web).first()
    assert entry is not None
    client = _client(world.sales_rep)

    refused = client.post(f"/console/prices/{world.web.pk}/entries/{entry.pk}/delete/")
    page = _text(client.get(f"/console/prices/{world.web.pk}/"))
    editor_page = _text(_client(world.admin).get(f"/console/prices/{world.web.pk}/"))

    assert refused.status_code == 403
    assert PriceListEntry.objects.filter(pk=entry.pk).exists()
    delete_url = f"/console/prices/{world.web.pk}/entries/{entry.pk}/delete/"
    assert delete_url not in page and delete_url in editor_page


def test_the_entries_table_costs_the_same_queries_for_one_and_many_rows(
    world: PriceWorld, django_assert_max_num_queries: Any
) -> None:
    client = _client(world.admin)
    client.get(f"/console/prices/{world.contract_list.pk}/")  # warm the session and caches
    with django_assert_max_num_queries(40) as one:
        client.get(f"/console/prices/{world.contract_list.pk}/")
    for number in range(20):
        product = ProductFactory(organization=world.org, sku=f"P{number}")
        PriceListEntryFactory(price_list=world.contract_list, product=product, price=D(1))
    with django_assert_max_num_queries(40) as many:
        client.get(f"/console/prices/{world.contract_list.pk}/")

    assert len(many.captured_queries) == len(one.captured_queries)


# --- an account's own rebate program --------------------------------------------------------------


def _rebate_form(**values: str) -> dict[str, str]:
    form = {
        "rebate-code": "ACME-26",
        "rebate-name": "Acme volume 2026",
        "rebate-basis": "spend",
        "rebate-currency": "USD",
        "rebate-period_start": "2026-01-01",
        "rebate-period_end": "2026-12-31",
        "rebate-tiers": "0 1\n1000 2.5",
    }
    form.update({f"rebate-{name}": value for name, value in values.items()})
    return form


def test_an_account_program_is_created_from_the_account_page(world: PriceWorld) -> None:
    client = _client(world.admin)

    response = client.post(f"/console/accounts/{world.child.pk}/rebate-programs/", _rebate_form())

    program = RebateProgram.objects.get(code="ACME-26")
    assert response.status_code == 302
    assert response["Location"] == f"/console/rebate-programs/{program.pk}/"
    assert (program.account_id, program.customer_group_id, program.is_active) == (world.child.pk, None, True)
    assert [(t.threshold, t.rate_percent) for t in program.tiers.order_by("threshold")] == [
        (D(0), D(1)),
        (D(1000), D("2.5")),
    ]
    assert AuditEntry.objects.filter(
        action="pricing.rebate_program.created", object_id=str(program.pk)
    ).exists()
    account_page = _text(client.get(f"/console/accounts/{world.child.pk}/"))
    assert "ACME-26" in account_page and f"/console/rebate-programs/{program.pk}/" in account_page
    plant_page = _text(client.get(f"/console/accounts/{world.grandchild.pk}/"))
    assert "ACME-26" in plant_page  # Acme Ohio's subtree
    program_page = _text(client.get(f"/console/rebate-programs/{program.pk}/"))
    assert "Acme Ohio" in program_page and 'name="customer_group"' not in program_page


def test_an_account_program_is_not_on_another_accounts_statement(world: PriceWorld) -> None:
    _client(world.admin).post(f"/console/accounts/{world.child.pk}/rebate-programs/", _rebate_form())

    sibling_page = _text(_client(world.admin).get(f"/console/accounts/{world.sibling.pk}/"))

    assert RebateProgram.objects.filter(code="ACME-26", account=world.child).exists()
    assert "ACME-26" not in sibling_page  # Acme Texas (no group) is not in Acme Ohio's subtree


def test_an_account_programs_terms_are_edited_and_it_stays_the_accounts(world: PriceWorld) -> None:
    program = RebateProgramFactory(
        organization=world.org,
        code="ACME-26",
        account=world.child,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31),
    )
    RebateTierFactory(program=program, threshold=D(0), rate_percent=D(1))

    response = _client(world.admin).post(
        f"/console/rebate-programs/{program.pk}/edit/",
        {
            "code": "ACME-26",
            "name": "Renamed",
            "basis": "spend",
            "currency": "USD",
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
            "tiers": "0 3",
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    program.refresh_from_db()
    assert (program.name, program.account_id) == ("Renamed", world.child.pk)
    assert [t.rate_percent for t in program.tiers.all()] == [D(3)]


@pytest.mark.parametrize(
    ("values", "error"),
    [
        ({"tiers": "lots"}, "write &quot;threshold rate&quot;"),
        ({"tiers": "0 1\n0 2"}, "thresholds must differ"),
        ({"tiers": "0 120"}, "between 0 and 100"),
        ({"period_end": "2025-01-01"}, "must not be before period_start"),
        ({"currency": "XYZ"}, "Select a valid choice."),
    ],
)
def test_a_bad_account_program_shows_the_error_on_the_account_page_and_saves_nothing(
    world: PriceWorld, values: dict[str, str], error: str
) -> None:
    response = _client(world.admin).post(
        f"/console/accounts/{world.child.pk}/rebate-programs/", _rebate_form(**values)
    )

    assert response.status_code == 422
    text = _text(response)
    assert error in text and "Acme Ohio" in text
    assert not RebateProgram.objects.exists()


def test_a_code_already_used_shows_on_the_account_page(world: PriceWorld) -> None:
    RebateProgramFactory(
        organization=world.org, code="ACME-26", period_start=date(2026, 1, 1), period_end=date(2026, 12, 31)
    )

    response = _client(world.admin).post(
        f"/console/accounts/{world.child.pk}/rebate-programs/", _rebate_form()
    )

    assert response.status_code == 422
    assert "already used" in _text(response)
    assert RebateProgram.objects.filter(account__isnull=False).count() == 0


def test_another_organizations_account_is_a_404_and_a_rep_gets_a_403(world: PriceWorld) -> None:
    outside = _client(world.admin).post(
        f"/console/accounts/{world.other_account.pk}/rebate-programs/", _rebate_form()
    )
    rep = _client(world.sales_rep).post(
        f"/console/accounts/{world.child.pk}/rebate-programs/", _rebate_form()
    )
    rep_page = _text(_client(world.sales_rep).get(f"/console/accounts/{world.child.pk}/"))

    assert outside.status_code == 404 and rep.status_code == 403
    assert not RebateProgram.objects.exists()
    assert 'name="rebate-code"' not in rep_page
