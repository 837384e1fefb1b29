"""The console's own prices (with part numbers), rebate statement and inheritance on the account
page, and ending contracts and promotions: what is saved here is what the very next API call
returns."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from meridian.catalog.models import CustomerPartNumber
from meridian.core.models import AuditEntry
from meridian.core.services import issue_token
from meridian.pricing.models import (
    AccountPricingSettings,
    Contract,
    CustomerPrice,
    PriceRule,
    Promotion,
    RebateAccrual,
    RebateProgram,
    WebsitePricingSettings,
)
from meridian.staff.models import StaffMember
from tests.catalog.factories import ProductFactory
from tests.pricing.channel_world import PriceWorld, build_price_world
from tests.pricing.factories import (
    CustomerPriceFactory,
    PromotionFactory,
    RebateProgramFactory,
    RebateTierFactory,
)

D = Decimal
JSON = "application/json"


@pytest.fixture
def world(db: None) -> PriceWorld:
    return build_price_world()


def _client(member: StaffMember) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


def _text(response: Any) -> str:
    return response.content.decode()


def _api_price(world: PriceWorld, sku: str) -> dict[str, Any]:
    """The price the API answers now (a fresh token each call: nothing carried over)."""
    secret, _ = issue_token(user=world.admin.user)
    response = Client(headers={"Authorization": f"Bearer {secret}"}).post(
        "/api/v1/prices/resolve",
        {"account": world.child.pk, "lines": [{"sku": sku, "quantity": "1"}]},
        content_type=JSON,
    )
    line: dict[str, Any] = response.json()["lines"][0]
    return line


def test_an_own_price_saved_on_the_account_page_is_the_next_api_price(world: PriceWorld) -> None:
    client = _client(world.admin)

    saved = client.post(
        f"/console/accounts/{world.child.pk}/customer-prices/",
        {
            "cprice-sku": "HAMMER",
            "cprice-price": "21.50",
            "cprice-currency": "USD",
            "cprice-min_quantity": "1",
            "cprice-part_number": "AC-HM-9",
        },
    )

    assert saved.status_code == 302
    assert saved["Location"] == f"/console/accounts/{world.child.pk}/#pricing"
    line = _api_price(world, "HAMMER")
    assert (line["unit_price"], line["source"]["kind"], line["source"]["part_number"]) == (
        "21.50",
        "customer_price",
        "AC-HM-9",
    )
    page = _text(client.get(f"/console/accounts/{world.child.pk}/"))
    assert "AC-HM-9" in page and "$21.50" in page


def test_an_own_price_for_an_unknown_sku_shows_the_error_and_saves_nothing(world: PriceWorld) -> None:
    response = _client(world.admin).post(
        f"/console/accounts/{world.child.pk}/customer-prices/",
        {"cprice-sku": "NOPE", "cprice-price": "1", "cprice-currency": "USD", "cprice-min_quantity": "1"},
    )

    assert response.status_code == 422
    assert "No product NOPE" in _text(response)
    assert not CustomerPrice.objects.exists() and not CustomerPartNumber.objects.exists()


def test_removing_an_own_price_gives_way_to_the_chain(world: PriceWorld) -> None:
    row = CustomerPriceFactory(account=world.child, product=world.hammer, price=D("20.00"))

    response = _client(world.admin).post(f"/console/customer-prices/{row.pk}/delete/")

    assert response.status_code == 302
    assert _api_price(world, "HAMMER")["unit_price"] == "25.00"


def test_a_sales_rep_sees_own_prices_but_may_not_change_them(world: PriceWorld) -> None:
    row = CustomerPriceFactory(account=world.child, product=world.hammer, price=D("20.00"))
    client = _client(world.sales_rep)

    page = client.get(f"/console/accounts/{world.child.pk}/")
    refused = client.post(f"/console/customer-prices/{row.pk}/delete/")

    assert page.status_code == 200 and "$20.00" in _text(page)
    assert "Set an own price" not in _text(page)
    assert refused.status_code == 403
    assert CustomerPrice.objects.filter(pk=row.pk).exists()


def test_ending_a_contract_on_the_account_page_stops_it_pricing(world: PriceWorld) -> None:
    assert _api_price(world, "BOLT")["source"]["kind"] == "contract"

    response = _client(world.admin).post(f"/console/contracts/{world.contract.pk}/active/")

    assert response.status_code == 302
    assert not Contract.objects.get(pk=world.contract.pk).is_active
    assert _api_price(world, "BOLT")["source"]["kind"] == "website"
    assert AuditEntry.objects.filter(
        action="pricing.contract.changed", object_id=str(world.contract.pk)
    ).exists()


def test_ending_and_reactivating_a_promotion(world: PriceWorld) -> None:
    promotion = PromotionFactory(organization=world.org, kind=Promotion.Kind.PERCENT_OFF_LINE, value=D(10))
    client = _client(world.admin)

    client.post(f"/console/promotions/{promotion.pk}/active/")
    ended = _api_price(world, "HAMMER")["line_total"]
    client.post(f"/console/promotions/{promotion.pk}/active/")

    assert ended == "25.00"
    assert _api_price(world, "HAMMER")["line_total"] == "22.50"
    assert Promotion.objects.get(pk=promotion.pk).is_active


def test_the_inheritance_setting_is_saved_from_the_account_page(world: PriceWorld) -> None:
    response = _client(world.admin).post(
        f"/console/accounts/{world.child.pk}/price-inheritance/",
        {"inherit-assignment_inheritance": "inherit"},
    )

    assert response.status_code == 302
    assert AccountPricingSettings.objects.get(account=world.child).assignment_inheritance == "inherit"


def test_the_account_page_shows_the_rebate_statement(world: PriceWorld) -> None:
    program = RebateProgramFactory(
        organization=world.org,
        code="SPEND-26",
        basis=RebateProgram.Basis.SPEND,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31),
    )
    RebateTierFactory(program=program, threshold=D(0), rate_percent=D(1))
    RebateTierFactory(program=program, threshold=D(1000), rate_percent=D(2))
    RebateAccrual.objects.create(
        organization=world.org,
        program=program,
        account=world.child,
        order_reference="SO-1",
        line_reference="1",
        quantity=D(1),
        line_total=D(400),
        currency="USD",
        basis_amount=D(400),
        rate_percent=D(1),
        amount=D(4),
        accrued_on=date(2026, 3, 1),
    )

    page = _text(_client(world.sales_rep).get(f"/console/accounts/{world.child.pk}/"))

    assert "SPEND-26" in page
    assert "$400.00" in page and "$4.00" in page
    assert "2% from 1000 (600 to go)" in page


def test_a_rule_added_on_the_price_list_page_prices_the_next_api_call(world: PriceWorld) -> None:
    client = _client(world.admin)
    # The web list has no entry for this product: its rule derives the price from cost.
    ProductFactory(organization=world.org, sku="NUT", category=world.fasteners, standard_cost=D("2.00"))

    added = client.post(
        f"/console/prices/{world.web.pk}/rules/",
        {
            "rule-name": "Cost plus",
            "rule-base": "cost",
            "rule-multiplier": "1.25",
            "rule-percent": "0",
            "rule-rounding": "ends_99",
            "rule-priority": "100",
        },
    )

    assert added.status_code == 302
    assert _api_price(world, "NUT")["unit_price"] == "2.99"
    page = _text(client.get(f"/console/prices/{world.web.pk}/"))
    assert "Cost plus" in page and "Up to .99" in page
    rule = PriceRule.objects.get(price_list=world.web)
    removed = client.post(f"/console/price-rules/{rule.pk}/delete/")
    assert removed.status_code == 302
    assert _api_price(world, "NUT")["error"] == "no_price"


def test_a_rule_deriving_a_list_from_itself_shows_the_error(world: PriceWorld) -> None:
    response = _client(world.admin).post(
        f"/console/prices/{world.web.pk}/rules/",
        {
            "rule-base": "price_list",
            "rule-base_price_list": "WEB",
            "rule-multiplier": "1",
            "rule-percent": "-8",
            "rule-rounding": "none",
            "rule-priority": "100",
        },
    )

    assert response.status_code == 422
    assert "cannot derive from itself" in _text(response)
    assert not PriceRule.objects.exists()


def test_the_strategy_is_set_on_the_price_lists_page(world: PriceWorld) -> None:
    client = _client(world.admin)

    page = _text(client.get("/console/prices/"))
    response = client.post(
        "/console/prices/strategy/", {"website": world.website.pk, "strategy": "best_price"}
    )
    refused = _client(world.sales_rep).post(
        "/console/prices/strategy/", {"website": world.website.pk, "strategy": "priority"}
    )

    assert "Resolution strategy" in page
    assert response.status_code == 302
    assert WebsitePricingSettings.objects.get(website=world.website).strategy == "best_price"
    assert refused.status_code == 403
    assert WebsitePricingSettings.objects.get(website=world.website).strategy == "best_price"


def test_a_rebate_program_is_created_and_its_tiers_edited(world: PriceWorld) -> None:
    client = _client(world.admin)
    values = {
        "code": "SPEND-26",
        "name": "Spend 2026",
        "basis": "spend",
        "currency": "USD",
        "period_start": "2026-01-01",
        "period_end": "2026-12-31",
        "tiers": "0 1\n10000 2.5%",
        "customer_group": world.gold.pk,
        "is_active": "on",
    }

    created = client.post("/console/prices/rebates/", values)

    program = RebateProgram.objects.get(code="SPEND-26")
    assert created.status_code == 302 and created["Location"] == f"/console/rebate-programs/{program.pk}/"
    assert sorted(program.tiers.values_list("threshold", "rate_percent")) == [
        (D(0), D(1)),
        (D(10_000), D("2.5")),
    ]
    assert program.customer_group_id == world.gold.pk
    page = _text(client.get(f"/console/rebate-programs/{program.pk}/"))
    assert "2.5% from 10000" in page
    edited = client.post(
        f"/console/rebate-programs/{program.pk}/edit/", {**values, "tiers": "0 1.5", "is_active": ""}
    )
    assert edited.status_code == 302
    program.refresh_from_db()
    assert not program.is_active
    assert list(program.tiers.values_list("threshold", "rate_percent")) == [(D(0), D("1.5"))]
    assert AuditEntry.objects.filter(
        action="pricing.rebate_program.changed", object_id=str(program.pk)
    ).exists()
    assert "SPEND-26" in _text(client.get("/console/prices/rebates/"))


def test_a_rebate_program_with_unreadable_tiers_shows_the_error_and_saves_nothing(world: PriceWorld) -> None:
    response = _client(world.admin).post(
        "/console/prices/rebates/",
        {
            "code": "BAD",
            "name": "Bad",
            "basis": "volume",
            "currency": "USD",
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
            "tiers": "lots of it",
        },
    )

    assert response.status_code == 422
    assert "Line 1" in _text(response)
    assert not RebateProgram.objects.exists()


def test_a_sales_rep_reads_rebate_programs_but_may_not_edit_them(world: PriceWorld) -> None:
    program = RebateProgramFactory(
        organization=world.org, code="VOL", period_start=date(2026, 1, 1), period_end=date(2026, 12, 31)
    )
    client = _client(world.sales_rep)

    page = client.get(f"/console/rebate-programs/{program.pk}/")
    refused = client.post(f"/console/rebate-programs/{program.pk}/edit/", {"code": "X"})

    assert page.status_code == 200 and "Save" not in _text(page)
    assert refused.status_code == 403
    assert RebateProgram.objects.get(pk=program.pk).code == "VOL"
