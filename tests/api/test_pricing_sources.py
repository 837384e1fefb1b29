"""The pricing API's customer prices, rules, rebate programs and statements, settings, and the
edits of entries, contracts and promotions: each change is what the very next resolution returns."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from meridian.catalog.models import CustomerPartNumber
from meridian.core.models import AuditEntry
from meridian.pricing.models import (
    Contract,
    CustomerPrice,
    PriceChange,
    PriceListEntry,
    PriceRule,
    Promotion,
    RebateAccrual,
    RebateProgram,
    WebsitePricingSettings,
)
from tests.api.conftest import ClientFor
from tests.api.test_pricing import STAFF_AUTH_QUERIES
from tests.pricing.channel_world import PriceWorld, build_price_world
from tests.pricing.factories import (
    CustomerPriceFactory,
    PriceRuleFactory,
    PromotionFactory,
    RebateProgramFactory,
    RebateTierFactory,
)

JSON = "application/json"
D = Decimal


@pytest.fixture
def world(db: None) -> PriceWorld:
    return build_price_world()


def _resolve(client: Client, account: int, sku: str = "HAMMER", quantity: str = "1") -> dict[str, Any]:
    response = client.post(
        "/api/v1/prices/resolve",
        {"account": account, "lines": [{"sku": sku, "quantity": quantity}]},
        content_type=JSON,
    )
    assert response.status_code == 200, response.content
    line: dict[str, Any] = response.json()["lines"][0]
    return line


# --- entries -----------------------------------------------------------------------------------


def test_an_entry_edited_through_the_api_is_the_next_resolution(
    world: PriceWorld, client_for: ClientFor
) -> None:
    client = client_for(world.admin)
    entry = PriceListEntry.objects.get(price_list=world.web, product=world.hammer)

    response = client.patch(
        f"/api/v1/price-lists/WEB/entries/{entry.pk}", {"price": "23.5"}, content_type=JSON
    )

    assert response.status_code == 200, response.content
    assert (response.json()["price"], response.json()["sku"]) == ("23.50", "HAMMER")
    assert _resolve(client, world.child.pk)["unit_price"] == "23.50"
    change = PriceChange.objects.get(entry_id=entry.pk)
    assert (change.old_price, change.new_price) == (D("25.00"), D("23.50"))


def test_an_entry_edit_with_a_negative_price_is_422_and_changes_nothing(
    world: PriceWorld, client_for: ClientFor
) -> None:
    entry = PriceListEntry.objects.get(price_list=world.web, product=world.hammer)

    response = client_for(world.admin).patch(
        f"/api/v1/price-lists/WEB/entries/{entry.pk}", {"price": "-1"}, content_type=JSON
    )

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_input"
    assert "price" in response.json()["error"]["fields"]
    assert PriceListEntry.objects.get(pk=entry.pk).price == D("25.00")


def test_a_deleted_entry_stops_pricing_at_once(world: PriceWorld, client_for: ClientFor) -> None:
    client = client_for(world.inside_sales)
    entry = PriceListEntry.objects.get(price_list=world.web, product=world.hammer)

    response = client.delete(f"/api/v1/price-lists/WEB/entries/{entry.pk}")

    assert response.status_code == 204
    assert _resolve(client, world.child.pk)["error"] == "no_price"


def test_an_entry_of_another_list_is_404_through_this_list(world: PriceWorld, client_for: ClientFor) -> None:
    entry = PriceListEntry.objects.get(price_list=world.contract_list)

    response = client_for(world.admin).delete(f"/api/v1/price-lists/WEB/entries/{entry.pk}")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "price_entry_not_found"
    assert PriceListEntry.objects.filter(pk=entry.pk).exists()


# --- customer prices ---------------------------------------------------------------------------


def test_a_customer_price_with_its_part_number_prices_the_next_call(
    world: PriceWorld, client_for: ClientFor
) -> None:
    client = client_for(world.admin)

    response = client.put(
        "/api/v1/customer-prices",
        {
            "account": "ext:SAP-2",
            "sku": "HAMMER",
            "price": "21.00",
            "currency": "USD",
            "part_number": "AC-HM-1",
        },
        content_type=JSON,
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["account"], body["sku"], body["price"], body["part_number"]) == (
        world.child.pk,
        "HAMMER",
        "21.00",
        "AC-HM-1",
    )
    line = _resolve(client, world.child.pk)
    assert (line["unit_price"], line["source"]["kind"], line["source"]["part_number"]) == (
        "21.00",
        "customer_price",
        "AC-HM-1",
    )
    listed = client.get("/api/v1/customer-prices", {"account": world.child.pk}).json()
    assert [(item["sku"], item["part_number"]) for item in listed["items"]] == [("HAMMER", "AC-HM-1")]


def test_customer_prices_are_scoped_a_buyer_sees_their_own_and_a_rep_not_others(
    world: PriceWorld, client_for: ClientFor
) -> None:
    own = CustomerPriceFactory(account=world.child, product=world.hammer, price=D("20.00"))
    CustomerPriceFactory(account=world.sibling, product=world.hammer, price=D("19.00"))

    buyer = client_for(world.buyer).get("/api/v1/customer-prices").json()
    rep = client_for(world.sales_rep).get("/api/v1/customer-prices").json()
    outsider = client_for(world.sibling_buyer).get("/api/v1/customer-prices", {"account": world.child.pk})

    assert [item["id"] for item in buyer["items"]] == [own.pk]
    assert [item["id"] for item in rep["items"]] == [own.pk]
    assert outsider.status_code == 404


def test_a_sales_rep_may_not_set_a_customer_price(world: PriceWorld, client_for: ClientFor) -> None:
    response = client_for(world.sales_rep).put(
        "/api/v1/customer-prices",
        {"account": world.child.pk, "sku": "HAMMER", "price": "1.00", "currency": "USD"},
        content_type=JSON,
    )

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_allowed"
    assert not CustomerPrice.objects.exists()


def test_a_customer_price_for_an_account_of_another_seller_is_a_bad_value(
    world: PriceWorld, client_for: ClientFor
) -> None:
    response = client_for(world.admin).put(
        "/api/v1/customer-prices",
        {"account": world.other_account.pk, "sku": "HAMMER", "price": "1.00", "currency": "USD"},
        content_type=JSON,
    )

    assert response.status_code == 422
    assert "account" in response.json()["error"]["fields"]
    assert not CustomerPrice.objects.exists() and not CustomerPartNumber.objects.exists()


def test_a_deleted_customer_price_gives_way_to_the_chain(world: PriceWorld, client_for: ClientFor) -> None:
    row = CustomerPriceFactory(account=world.child, product=world.hammer, price=D("20.00"))
    client = client_for(world.admin)
    assert _resolve(client, world.child.pk)["unit_price"] == "20.00"

    response = client.delete(f"/api/v1/customer-prices/{row.pk}")

    assert response.status_code == 204
    assert _resolve(client, world.child.pk)["unit_price"] == "25.00"
    other = client_for(world.other_admin).delete(f"/api/v1/customer-prices/{row.pk}")
    assert other.status_code == 404


@pytest.mark.parametrize("rows", [1, 5])
def test_customer_price_list_query_count_is_flat(
    world: PriceWorld, client_for: ClientFor, rows: int, django_assert_num_queries: Any
) -> None:
    for index in range(rows):
        CustomerPriceFactory(account=world.child, product=world.hammer, min_quantity=D(index + 1))
    client = client_for(world.admin)

    # count; customer prices+account, product, part number (subquery)
    with django_assert_num_queries(STAFF_AUTH_QUERIES + 2):
        response = client.get("/api/v1/customer-prices")

    assert response.json()["count"] == rows


# --- price rules -------------------------------------------------------------------------------


def test_a_rule_created_edited_and_deleted_prices_the_next_call(
    world: PriceWorld, client_for: ClientFor
) -> None:
    client = client_for(world.admin)
    # Gold pays the web list -8% on Fasteners: a list with that rule, assigned to Gold, first.
    gold_list = client.post(
        "/api/v1/price-lists", {"code": "GOLD", "name": "Gold", "currency": "USD"}, content_type=JSON
    )
    assert gold_list.status_code == 201
    assigned = client.post(
        "/api/v1/price-assignments",
        {"price_list": "GOLD", "customer_group": "GOLD", "priority": 1},
        content_type=JSON,
    )
    assert assigned.status_code == 201

    created = client.post(
        "/api/v1/price-lists/GOLD/rules",
        {"base": "price_list", "base_price_list": "WEB", "percent": "-8", "category": "fasteners"},
        content_type=JSON,
    )

    assert created.status_code == 201, created.content
    rule = created.json()
    assert (rule["price_list"], rule["base_price_list"], rule["percent"], rule["category"]) == (
        "GOLD",
        "WEB",
        "-8",
        world.fasteners.pk,
    )
    assert _resolve(client, world.child.pk)["unit_price"] == "23.00"  # 25.00 - 8%
    edited = client.patch(f"/api/v1/price-rules/{rule['id']}", {"percent": "-10"}, content_type=JSON)
    assert edited.status_code == 200, edited.content
    assert _resolve(client, world.child.pk)["unit_price"] == "22.50"
    listed = client.get("/api/v1/price-lists/GOLD/rules").json()
    assert [(item["id"], item["percent"]) for item in listed["items"]] == [(rule["id"], "-10")]
    assert client.delete(f"/api/v1/price-rules/{rule['id']}").status_code == 204
    assert _resolve(client, world.child.pk)["unit_price"] == "25.00"
    actions = list(
        AuditEntry.objects.filter(object_type="price_rule").order_by("pk").values_list("action", flat=True)
    )
    assert actions == [
        "pricing.price_rule.created",
        "pricing.price_rule.changed",
        "pricing.price_rule.deleted",
    ]


def test_a_rule_with_a_bad_base_list_is_422(world: PriceWorld, client_for: ClientFor) -> None:
    response = client_for(world.admin).post(
        "/api/v1/price-lists/WEB/rules", {"base": "price_list", "base_price_list": "WEB"}, content_type=JSON
    )

    assert response.status_code == 422
    assert "base_price_list" in response.json()["error"]["fields"]
    assert not PriceRule.objects.exists()


def test_another_sellers_rule_is_404(world: PriceWorld, client_for: ClientFor) -> None:
    rule = PriceRuleFactory(price_list=world.other_web)

    client = client_for(world.admin)

    assert (
        client.patch(f"/api/v1/price-rules/{rule.pk}", {"percent": "1"}, content_type=JSON).status_code == 404
    )
    assert client.delete(f"/api/v1/price-rules/{rule.pk}").status_code == 404
    assert PriceRule.objects.get(pk=rule.pk).percent == D(0)


# --- contracts and promotions --------------------------------------------------------------------


def test_an_ended_contract_stops_pricing_at_once(world: PriceWorld, client_for: ClientFor) -> None:
    client = client_for(world.admin)
    assert _resolve(client, world.child.pk, sku="BOLT")["source"]["kind"] == "contract"

    response = client.patch(f"/api/v1/contracts/{world.contract.pk}", {"is_active": False}, content_type=JSON)

    assert response.status_code == 200, response.content
    assert (response.json()["is_active"], response.json()["number"]) == (False, "C-ACME")
    line = _resolve(client, world.child.pk, sku="BOLT")
    assert (line["unit_price"], line["source"]["kind"]) == ("0.50", "website")
    audit = AuditEntry.objects.get(action="pricing.contract.changed")
    assert (audit.before, audit.after) == ({"is_active": True}, {"is_active": False})


def test_a_contract_is_read_in_scope_and_edited_only_by_price_editors(
    world: PriceWorld, client_for: ClientFor
) -> None:
    path = f"/api/v1/contracts/{world.contract.pk}"

    assert client_for(world.buyer).get(path).json()["number"] == "C-ACME"
    assert client_for(world.sibling_buyer).get(path).status_code == 404
    refused = client_for(world.sales_rep).patch(path, {"is_active": False}, content_type=JSON)
    assert refused.status_code == 403
    assert Contract.objects.get(pk=world.contract.pk).is_active


def test_a_promotion_edited_then_ended_applies_at_once(world: PriceWorld, client_for: ClientFor) -> None:
    client = client_for(world.admin)
    promotion = PromotionFactory(organization=world.org, kind=Promotion.Kind.PERCENT_OFF_LINE, value=D(10))
    assert _resolve(client, world.child.pk)["line_total"] == "22.50"

    edited = client.patch(f"/api/v1/promotions/{promotion.pk}", {"value": "20"}, content_type=JSON)
    assert edited.status_code == 200, edited.content
    assert (edited.json()["value"], edited.json()["kind"]) == ("20", "percent_off_line")
    assert _resolve(client, world.child.pk)["line_total"] == "20.00"
    ended = client.patch(f"/api/v1/promotions/{promotion.pk}", {"is_active": False}, content_type=JSON)

    assert ended.status_code == 200
    assert _resolve(client, world.child.pk)["line_total"] == "25.00"


def test_a_promotion_edit_to_an_amount_without_currency_is_422(
    world: PriceWorld, client_for: ClientFor
) -> None:
    promotion = PromotionFactory(organization=world.org, kind=Promotion.Kind.PERCENT_OFF_LINE, value=D(10))

    response = client_for(world.admin).patch(
        f"/api/v1/promotions/{promotion.pk}", {"kind": "amount_off_line"}, content_type=JSON
    )

    assert response.status_code == 422
    assert "currency" in response.json()["error"]["fields"]
    assert Promotion.objects.get(pk=promotion.pk).kind == Promotion.Kind.PERCENT_OFF_LINE


# --- rebates -----------------------------------------------------------------------------------


def test_rebate_programs_are_created_edited_and_listed(world: PriceWorld, client_for: ClientFor) -> None:
    client = client_for(world.admin)

    created = client.post(
        "/api/v1/rebate-programs",
        {
            "code": "SPEND-26",
            "name": "Spend 2026",
            "basis": "spend",
            "currency": "USD",
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
            "tiers": [{"threshold": "0", "rate_percent": "1"}, {"threshold": "10000", "rate_percent": "2"}],
            "account": world.parent.pk,
        },
        content_type=JSON,
    )
    assert created.status_code == 201, created.content
    program = created.json()
    edited = client.patch(
        f"/api/v1/rebate-programs/{program['id']}",
        {"tiers": [{"threshold": "0", "rate_percent": "1.5"}]},
        content_type=JSON,
    )

    assert edited.status_code == 200, edited.content
    assert edited.json()["tiers"] == [{"threshold": "0", "rate_percent": "1.5"}]
    assert edited.json()["account"] == world.parent.pk
    listed = client.get("/api/v1/rebate-programs").json()
    assert [item["code"] for item in listed["items"]] == ["SPEND-26"]
    assert client_for(world.buyer).get("/api/v1/rebate-programs").status_code == 403


def test_a_rebate_statement_per_account_and_period(world: PriceWorld, client_for: ClientFor) -> None:
    program = RebateProgramFactory(
        organization=world.org,
        code="SPEND",
        basis=RebateProgram.Basis.SPEND,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31),
        account=world.parent,
    )
    RebateTierFactory(program=program, threshold=D(0), rate_percent=D(1))
    RebateTierFactory(program=program, threshold=D(1000), rate_percent=D(2))
    for day, total in ((date(2026, 2, 1), D(600)), (date(2026, 5, 1), D(300))):
        RebateAccrual.objects.create(
            organization=world.org,
            program=program,
            account=world.child,
            order_reference=f"SO-{day.month}",
            line_reference="1",
            quantity=D(1),
            line_total=total,
            currency="USD",
            basis_amount=total,
            rate_percent=D(1),
            amount=total / 100,
            accrued_on=day,
        )

    whole = client_for(world.buyer).get(f"/api/v1/accounts/{world.child.pk}/rebate-statement")
    spring = client_for(world.admin).get(
        f"/api/v1/accounts/{world.child.pk}/rebate-statement",
        {"period_start": "2026-04-01", "period_end": "2026-06-30"},
    )
    outsider = client_for(world.sibling_buyer).get(f"/api/v1/accounts/{world.child.pk}/rebate-statement")

    assert whole.status_code == 200, whole.content
    (line,) = whole.json()["programs"]
    assert (line["program"], line["spend_to_date"], line["accrued_amount"], line["rate_percent"]) == (
        "SPEND",
        "900.00",
        "9.00",
        "1",
    )
    assert (line["next_threshold"], line["gap_to_next_tier"], line["accrual_count"]) == ("1000", "100", 2)
    assert spring.json()["programs"][0]["spend_to_date"] == "300.00"
    assert outsider.status_code == 404


# --- settings ----------------------------------------------------------------------------------


def test_the_website_strategy_is_read_and_set(world: PriceWorld, client_for: ClientFor) -> None:
    client = client_for(world.admin)

    before = client.get("/api/v1/pricing-strategies").json()
    response = client.put(
        "/api/v1/pricing-strategies",
        {"website": world.website.pk, "strategy": "best_price"},
        content_type=JSON,
    )

    assert before["websites"] == [
        {"website": world.website.pk, "name": world.website.name, "strategy": "priority"}
    ]
    assert response.status_code == 200
    assert WebsitePricingSettings.objects.get(website=world.website).strategy == "best_price"
    # best price: the contract's 0.40 for the bolt still beats the web list's 0.50
    assert _resolve(client, world.child.pk, sku="BOLT")["unit_price"] == "0.40"
    assert client.get("/api/v1/pricing-strategies").json()["websites"][0]["strategy"] == "best_price"
    refused = client_for(world.other_admin).put(
        "/api/v1/pricing-strategies", {"website": world.website.pk, "strategy": "priority"}, content_type=JSON
    )
    assert refused.status_code == 422
    assert WebsitePricingSettings.objects.get(website=world.website).strategy == "best_price"


def test_account_inheritance_is_read_and_set_in_scope(world: PriceWorld, client_for: ClientFor) -> None:
    path = f"/api/v1/accounts/{world.child.pk}/pricing-settings"
    client = client_for(world.admin)

    assert client.get(path).json() == {"account": world.child.pk, "assignment_inheritance": "stop"}
    response = client.put(path, {"assignment_inheritance": "inherit"}, content_type=JSON)

    assert response.json() == {"account": world.child.pk, "assignment_inheritance": "inherit"}
    assert client.get(path).json()["assignment_inheritance"] == "inherit"
    assert client_for(world.other_admin).get(path).status_code == 404
    bad = client.put(path, {"assignment_inheritance": "sometimes"}, content_type=JSON)
    assert bad.status_code == 422
