"""`POST /prices/resolve` (shared/API.md): live prices with their source, for an account in scope."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from meridian.pricing.models import Promotion
from tests.api.auth_queries import auth_queries
from tests.api.conftest import ClientFor
from tests.catalog.factories import ProductFactory
from tests.pricing.channel_world import PriceWorld, build_price_world
from tests.pricing.factories import (
    CouponFactory,
    PriceAssignmentFactory,
    PriceListEntryFactory,
    PriceListFactory,
    PromotionFactory,
)

JSON = "application/json"
D = Decimal
PATH = "/api/v1/prices/resolve"


@pytest.fixture
def world(db: None) -> PriceWorld:
    return build_price_world()


def _resolve(client: Client, body: dict[str, Any]) -> Any:
    return client.post(PATH, body, content_type=JSON)


def test_a_buyer_resolves_their_own_prices_with_the_source_of_each(
    world: PriceWorld, client_for: ClientFor
) -> None:
    response = _resolve(
        client_for(world.buyer),
        {
            "account": world.child.pk,
            "lines": [{"sku": "BOLT", "quantity": "150"}, {"sku": "HAMMER", "quantity": 2}],
        },
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["account"], body["website"], body["currency"], body["strategy"]) == (
        world.child.pk,
        world.website.pk,
        "USD",
        "priority",
    )
    bolt, hammer = body["lines"]
    # The contract beats the website list; the list price is the website list's at this quantity.
    assert (bolt["sku"], bolt["quantity"], bolt["uom"]) == ("BOLT", "150", "EA")
    assert (bolt["unit_price"], bolt["list_price"], bolt["line_total"], bolt["error"]) == (
        "0.40",
        "0.50",
        "60.00",
        None,
    )
    assert bolt["source"] == {
        "kind": "contract",
        "price_list": "K-ACME",
        "price_list_id": world.contract_list.pk,
        "entry_id": world.contract_list.entries.get().pk,
        "rule_id": None,
        "base_entry_id": None,
        "tier": {"min_quantity": "1", "uom": "EA"},
        "converted_from_base_uom": False,
        "contract": "C-ACME",
        "contract_id": world.contract.pk,
        "prices_are_final": False,
        "part_number": None,
        "promotions": [],
    }
    assert (
        hammer["unit_price"],
        hammer["line_total"],
        hammer["source"]["kind"],
        hammer["source"]["price_list"],
    ) == (
        "25.00",
        "50.00",
        "website",
        "WEB",
    )
    assert (body["subtotal"], body["total"], body["is_complete"]) == ("110.00", "110.00", True)


def test_volume_tiers_and_units_for_a_customer_without_a_contract(
    world: PriceWorld, client_for: ClientFor
) -> None:
    response = _resolve(
        client_for(world.sibling_buyer),
        {
            "account": world.sibling.pk,
            "lines": [
                {"sku": "BOLT", "quantity": "99"},
                {"sku": "BOLT", "quantity": "100"},
                {"sku": "BOLT", "quantity": "9", "uom": "BX"},  # 108 EA: the 100+ tier, x12
            ],
        },
    )

    lines = response.json()["lines"]
    assert [(line["unit_price"], line["line_total"]) for line in lines] == [
        ("0.50", "49.50"),
        ("0.45", "45.00"),
        ("5.40", "48.60"),
    ]
    assert lines[2]["source"]["tier"] == {"min_quantity": "100", "uom": "EA"}
    assert lines[2]["source"]["converted_from_base_uom"] is True


def test_lines_that_cannot_be_priced_carry_a_code_and_stay_out_of_the_total(
    world: PriceWorld, client_for: ClientFor
) -> None:
    ProductFactory(organization=world.org, sku="UNPRICED")

    response = _resolve(
        client_for(world.buyer),
        {
            "account": world.child.pk,
            "lines": [
                {"sku": "HAMMER", "quantity": 1},
                {"sku": "NO-SUCH-SKU", "quantity": 1},
                {"sku": "UNPRICED", "quantity": 1},
                {"sku": "HAMMER", "quantity": 1, "uom": "PALLET"},
            ],
        },
    )

    assert response.status_code == 200
    body = response.json()
    assert [
        (line["sku"], line["error"], line["unit_price"], line["line_total"]) for line in body["lines"]
    ] == [
        ("HAMMER", None, "25.00", "25.00"),
        ("NO-SUCH-SKU", "product_not_found", None, None),
        ("UNPRICED", "no_price", None, None),
        ("HAMMER", "unknown_uom", None, None),
    ]
    assert (body["total"], body["is_complete"]) == ("25.00", False)


def test_a_buyer_prices_their_account_subtree_and_nothing_else(
    world: PriceWorld, client_for: ClientFor
) -> None:
    client = client_for(world.buyer)
    lines = [{"sku": "BOLT", "quantity": 1}]

    plant = _resolve(client, {"account": world.grandchild.pk, "lines": lines})
    parent = _resolve(client, {"account": world.parent.pk, "lines": lines})
    sibling = _resolve(client, {"account": world.sibling.pk, "lines": lines})
    by_erp_key = _resolve(client, {"account": "ext:SAP-1", "lines": lines})
    other_seller = _resolve(client, {"account": world.other_account.pk, "lines": lines})

    assert plant.status_code == 200
    assert plant.json()["lines"][0]["source"]["contract"] == "C-ACME"  # applies to children
    for response in (parent, sibling, by_erp_key, other_seller):
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "account_not_found"


def test_a_sales_rep_prices_their_accounts_only(world: PriceWorld, client_for: ClientFor) -> None:
    client = client_for(world.sales_rep)
    lines = [{"sku": "BOLT", "quantity": 1}]

    own = _resolve(client, {"account": "ext:SAP-2", "lines": lines})
    not_theirs = _resolve(client, {"account": world.sibling.pk, "lines": lines})

    assert own.json()["lines"][0]["unit_price"] == "0.40"
    assert not_theirs.status_code == 404


@pytest.mark.parametrize("member", ["admin", "warehouse", "other_admin"])
def test_staff_price_any_account_of_their_own_seller(
    world: PriceWorld, client_for: ClientFor, member: str
) -> None:
    response = _resolve(
        client_for(getattr(world, member)),
        {"account": world.sibling.pk, "lines": [{"sku": "BOLT", "quantity": 1}]},
    )

    if member == "other_admin":
        assert response.status_code == 404
    else:
        assert response.json()["lines"][0]["unit_price"] == "0.50"


def test_resolve_needs_a_token(world: PriceWorld) -> None:
    response = _resolve(Client(), {"account": world.child.pk, "lines": [{"sku": "BOLT", "quantity": 1}]})

    assert response.status_code == 401


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"lines": [{"sku": "BOLT", "quantity": "-1"}]}, ["lines.0.quantity"]),
        ({"lines": [{"sku": "BOLT", "quantity": "ten"}]}, ["lines.0.quantity"]),
        ({"lines": [{"sku": "BOLT"}]}, ["lines.0.quantity"]),
        ({"lines": []}, ["lines"]),
        ({"lines": [{"sku": "BOLT", "quantity": 1}], "currency": "XYZ"}, ["currency"]),
        ({"lines": [{"sku": "BOLT", "quantity": 1}], "website": 987654}, ["website"]),
        ({"lines": [{"sku": " ", "quantity": 1}]}, ["lines.0.sku"]),
    ],
)
def test_bad_input_answers_422_with_the_field(
    world: PriceWorld, client_for: ClientFor, body: dict[str, Any], fields: list[str]
) -> None:
    response = _resolve(client_for(world.buyer), {"account": world.child.pk, **body})

    assert response.status_code == 422
    assert list(response.json()["error"]["fields"]) == fields


def test_a_coupon_unlocks_its_promotion_and_every_code_gets_a_status(
    world: PriceWorld, client_for: ClientFor
) -> None:
    promotion = PromotionFactory(
        organization=world.org,
        name="Hammer time",
        kind=Promotion.Kind.PERCENT_OFF_LINE,
        value=D(10),
        product=world.hammer,
        requires_coupon=True,
    )
    CouponFactory(promotion=promotion, code="HAMMER10")

    response = _resolve(
        client_for(world.buyer),
        {
            "account": world.child.pk,
            "lines": [{"sku": "HAMMER", "quantity": 2}],
            "coupons": ["hammer10", "NOPE"],
        },
    )

    body = response.json()
    [line] = body["lines"]
    assert (line["unit_price"], line["line_total"]) == ("25.00", "45.00")
    assert line["discounts"] == [
        {
            "id": promotion.pk,
            "name": "Hammer time",
            "kind": "percent_off_line",
            "amount": "5.00",
            "coupon": "HAMMER10",
            "free_quantity": None,
        }
    ]
    assert line["source"]["promotions"] == line["discounts"]
    assert body["coupons"] == [
        {"code": "HAMMER10", "status": "applied"},
        {"code": "NOPE", "status": "unknown"},
    ]


def test_another_currency_uses_the_lists_in_that_currency(world: PriceWorld, client_for: ClientFor) -> None:
    euros = PriceListFactory(organization=world.org, code="WEB-EUR", currency="EUR")
    PriceListEntryFactory(price_list=euros, product=world.hammer, price=D("23.0000"))
    PriceAssignmentFactory(price_list=euros, website=world.website)

    response = _resolve(
        client_for(world.sibling_buyer),
        {"account": world.sibling.pk, "currency": "eur", "lines": [{"sku": "HAMMER", "quantity": 1}]},
    )

    body = response.json()
    assert (body["currency"], body["lines"][0]["unit_price"], body["lines"][0]["source"]["price_list"]) == (
        "EUR",
        "23.00",
        "WEB-EUR",
    )


def test_a_unit_price_keeps_its_precision_beyond_cents(world: PriceWorld, client_for: ClientFor) -> None:
    PriceListEntryFactory(
        price_list=world.web, product=world.hammer, min_quantity=D(1000), price=D("24.1250")
    )

    response = _resolve(
        client_for(world.sibling_buyer),
        {"account": world.sibling.pk, "lines": [{"sku": "HAMMER", "quantity": 1000}]},
    )

    line = response.json()["lines"][0]
    assert (line["unit_price"], line["line_total"]) == ("24.125", "24125.00")


@pytest.mark.parametrize("rows", [1, 5])
def test_resolve_query_count_is_flat(
    world: PriceWorld, client_for: ClientFor, rows: int, django_assert_num_queries: Any
) -> None:
    lines = []
    for number in range(rows):
        product = ProductFactory(organization=world.org, sku=f"R-{number}", category=world.fasteners)
        PriceListEntryFactory(price_list=world.web, product=product, price=D("2.00"))
        lines.append({"sku": product.sku, "quantity": 3})
    client = client_for(world.buyer)

    # auth (a buyer whose account has ancestors, the token's last use); resolve_prices: 10 for a buyer
    # (docs/pricing.md: account, website+strategy, visibility rules, products, part numbers,
    # assignments, contracts, rules, entries+customer prices, promotions); on PostgreSQL the
    # website, the visibility rules, the products and the part numbers are one statement: 7
    with django_assert_num_queries(
        auth_queries(ancestors=True) + (7 if connection.vendor == "postgresql" else 10)
    ):
        response = _resolve(client, {"account": world.child.pk, "lines": lines})

    assert [line["line_total"] for line in response.json()["lines"]] == ["6.00"] * rows


def test_prices_are_live_the_next_call_sees_a_change(world: PriceWorld, client_for: ClientFor) -> None:
    buyer, editor = client_for(world.sibling_buyer), client_for(world.admin)
    body = {"account": world.sibling.pk, "lines": [{"sku": "HAMMER", "quantity": 1}]}
    before = _resolve(buyer, body).json()["lines"][0]["unit_price"]

    editor.put("/api/v1/price-lists/WEB/entries", [{"sku": "HAMMER", "price": "19.99"}], content_type=JSON)
    after = _resolve(buyer, body).json()["lines"][0]["unit_price"]

    assert (before, after) == ("25.00", "19.99")
