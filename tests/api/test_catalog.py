from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from meridian.catalog.models import Category, Product, ProductUnit, VisibilityRule
from meridian.core.actor import StaffRole
from meridian.customers.models import Account
from meridian.staff.models import StaffMember
from meridian.tenancy.models import Organization
from tests.api.auth_queries import auth_queries
from tests.api.conftest import ClientFor
from tests.catalog.factories import (
    CategoryFactory,
    CustomerPartNumberFactory,
    ProductFactory,
    VisibilityRuleFactory,
)
from tests.customers.factories import AccountFactory, BuyerUserFactory
from tests.staff.factories import StaffMemberFactory
from tests.tenancy.factories import OrganizationFactory, WebsiteFactory

JSON = "application/json"


@dataclass
class Shop:
    org: Organization
    fasteners: Category
    bolts: Category
    account: Account
    editor: StaffMember


@pytest.fixture
def shop() -> Shop:
    org = OrganizationFactory()
    WebsiteFactory(organization=org)
    fasteners = CategoryFactory(organization=org, name="Fasteners", slug="fasteners")
    bolts = CategoryFactory(parent=fasteners, name="Bolts", slug="bolts", external_id="CAT-B")
    return Shop(
        org=org,
        fasteners=fasteners,
        bolts=bolts,
        account=AccountFactory(organization=org, name="Acme"),
        editor=StaffMemberFactory(organization=org, role=StaffRole.INSIDE_SALES),
    )


def _skus(response: Any) -> list[str]:
    return [item["sku"] for item in response.json()["items"]]


@pytest.mark.django_db
def test_categories_list_as_a_tree_with_parent_ids(shop: Shop, client_for: ClientFor) -> None:
    nuts = CategoryFactory(parent=shop.fasteners, name="Nuts", slug="nuts")

    response = client_for(shop.editor).get("/api/v1/categories")

    assert response.status_code == 200
    assert response.json()["items"] == [
        {
            "id": shop.fasteners.pk,
            "name": "Fasteners",
            "slug": "fasteners",
            "parent": None,
            "depth": 1,
            "external_id": "",
            "is_active": True,
        },
        {
            "id": shop.bolts.pk,
            "name": "Bolts",
            "slug": "bolts",
            "parent": shop.fasteners.pk,
            "depth": 2,
            "external_id": "CAT-B",
            "is_active": True,
        },
        {
            "id": nuts.pk,
            "name": "Nuts",
            "slug": "nuts",
            "parent": shop.fasteners.pk,
            "depth": 2,
            "external_id": "",
            "is_active": True,
        },
    ]


@pytest.mark.django_db
def test_create_category_under_a_parent_given_by_slug(shop: Shop, client_for: ClientFor) -> None:
    response = client_for(shop.editor).post(
        "/api/v1/categories", {"name": "Hex Bolts", "parent": "bolts"}, content_type=JSON
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["slug"], body["parent"], body["depth"]) == ("hex-bolts", shop.bolts.pk, 3)
    assert Category.objects.get(pk=body["id"]).path.startswith(shop.bolts.path)


@pytest.mark.django_db
def test_buyer_may_not_create_categories(shop: Shop, client_for: ClientFor) -> None:
    buyer = BuyerUserFactory(account=shop.account, is_admin=True)

    response = client_for(buyer).post("/api/v1/categories", {"name": "Secret"}, content_type=JSON)

    assert response.status_code == 403
    assert not Category.objects.filter(name="Secret").exists()


@pytest.mark.django_db
def test_unknown_parent_category_answers_422(shop: Shop, client_for: ClientFor) -> None:
    foreign = CategoryFactory(slug="foreign")

    response = client_for(shop.editor).post(
        "/api/v1/categories", {"name": "Orphan", "parent": foreign.pk}, content_type=JSON
    )

    assert response.status_code == 422
    assert list(response.json()["error"]["fields"]) == ["parent"]
    assert not Category.objects.filter(name="Orphan").exists()


PRODUCT = {
    "sku": "HB-M8-40",
    "name": "Hex bolt M8 x 40",
    "description": "Zinc plated",
    "category": "bolts",
    "base_uom": "ea",
    "units": [{"code": "bx", "name": "Box", "factor": "100"}],
    "min_order_quantity": "100",
    "order_increment": 50,
    "attributes": {"thread": "M8", "length_mm": 40},
    "external_id": "ERP-1",
}


@pytest.mark.django_db
def test_post_product_creates_then_updates_by_sku(shop: Shop, client_for: ClientFor) -> None:
    client = client_for(shop.editor)

    created = client.post("/api/v1/products", PRODUCT, content_type=JSON)
    updated = client.post(
        "/api/v1/products",
        {**PRODUCT, "name": "Hex bolt M8x40", "units": [{"code": "PK", "factor": "10"}]},
        content_type=JSON,
    )

    assert created.status_code == 201
    body = created.json()
    assert body["category"] == {"id": shop.bolts.pk, "slug": "bolts"}
    assert body["base_uom"] == "EA"
    assert body["units"] == [{"code": "BX", "name": "Box", "factor": "100.000"}]
    assert (body["min_order_quantity"], body["order_increment"]) == ("100.000", "50.000")
    assert body["attributes"] == {"thread": "M8", "length_mm": 40}
    assert (body["price"], body["availability"], body["customer_part_number"]) == (None, None, None)
    assert updated.status_code == 200
    assert updated.json()["units"] == [{"code": "PK", "name": "", "factor": "10.000"}]
    product = Product.objects.get(organization=shop.org, sku="HB-M8-40")
    assert product.name == "Hex bolt M8x40"
    assert list(product.units.values_list("code", flat=True)) == ["PK"]
    assert Product.objects.count() == 1


@pytest.mark.django_db
def test_upsert_without_units_keeps_the_current_units(shop: Shop, client_for: ClientFor) -> None:
    client = client_for(shop.editor)
    client.post("/api/v1/products", PRODUCT, content_type=JSON)
    without_units = {key: value for key, value in PRODUCT.items() if key != "units"}

    response = client.put("/api/v1/products/HB-M8-40", without_units, content_type=JSON)

    assert response.status_code == 200
    assert [unit["code"] for unit in response.json()["units"]] == ["BX"]


@pytest.mark.django_db
def test_put_creates_a_new_sku(shop: Shop, client_for: ClientFor) -> None:
    response = client_for(shop.editor).put(
        "/api/v1/products/NUT-M8", {"name": "Nut M8", "status": "draft"}, content_type=JSON
    )

    assert response.status_code == 201
    assert response.json()["status"] == "draft"
    assert Product.objects.get(sku="NUT-M8").status == Product.Status.DRAFT


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"min_order_quantity": "0"}, "min_order_quantity"),
        ({"order_increment": "0.0001"}, "order_increment"),
        ({"status": "gone"}, "status"),
        ({"category": "no-such-category"}, "category"),
        ({"units": [{"code": "BX", "factor": "-1"}]}, "units.0.factor"),
        ({"units": [{"factor": "2"}]}, "units.0.code"),
        ({"sku": "HB M8"}, "sku"),
        ({"attributes": {"nested": {"a": 1}}}, "attributes.nested"),
    ],
)
def test_bad_product_input_answers_422_and_writes_nothing(
    shop: Shop, client_for: ClientFor, change: dict[str, Any], field: str
) -> None:
    response = client_for(shop.editor).post("/api/v1/products", {**PRODUCT, **change}, content_type=JSON)

    assert response.status_code == 422
    assert list(response.json()["error"]["fields"]) == [field]
    assert not Product.objects.exists()
    assert not ProductUnit.objects.exists()


@pytest.mark.django_db
def test_buyer_may_not_write_products(shop: Shop, client_for: ClientFor) -> None:
    ProductFactory(organization=shop.org, sku="HB-M8-40", name="Hex bolt")
    client = client_for(BuyerUserFactory(account=shop.account, is_admin=True))

    posted = client.post("/api/v1/products", {**PRODUCT, "sku": "NEW-1"}, content_type=JSON)
    patched = client.patch("/api/v1/products/HB-M8-40", {"name": "Cheap bolt"}, content_type=JSON)

    assert (posted.status_code, patched.status_code) == (403, 403)
    assert not Product.objects.filter(sku="NEW-1").exists()
    assert Product.objects.get(sku="HB-M8-40").name == "Hex bolt"


@pytest.mark.django_db
def test_patch_product_changes_only_the_fields_sent(shop: Shop, client_for: ClientFor) -> None:
    client = client_for(shop.editor)
    client.post("/api/v1/products", PRODUCT, content_type=JSON)

    response = client.patch(
        "/api/v1/products/HB-M8-40", {"name": "Hex bolt (zinc)", "category": None}, content_type=JSON
    )

    assert response.status_code == 200
    product = Product.objects.get(sku="HB-M8-40")
    assert product.name == "Hex bolt (zinc)"
    assert product.category is None
    assert product.description == "Zinc plated"
    assert product.min_order_quantity == Decimal("100")
    assert product.external_id == "ERP-1"
    assert product.attributes == {"thread": "M8", "length_mm": 40}
    assert list(product.units.values_list("code", flat=True)) == ["BX"]


@pytest.mark.django_db
def test_patch_of_an_unknown_sku_answers_404(shop: Shop, client_for: ClientFor) -> None:
    response = client_for(shop.editor).patch("/api/v1/products/NOPE", {"name": "x"}, content_type=JSON)

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "product_not_found"
    assert not Product.objects.exists()


@pytest.mark.django_db
def test_buyer_finds_product_by_own_part_number_in_search_and_by_path(
    shop: Shop, client_for: ClientFor
) -> None:
    bolt = ProductFactory(organization=shop.org, sku="HB-M8-40", name="Hex bolt M8 x 40")
    ProductFactory(organization=shop.org, sku="NUT-M8", name="Hex nut M8")
    CustomerPartNumberFactory(account=shop.account, product=bolt, part_number="ACME-4711")
    client = client_for(BuyerUserFactory(account=shop.account))

    found = client.get("/api/v1/products", {"q": "acme-4711"})
    by_path = client.get("/api/v1/products/ACME4711")

    assert _skus(found) == ["HB-M8-40"]
    assert found.json()["items"][0]["customer_part_number"] == "ACME-4711"
    assert by_path.status_code == 200
    assert by_path.json()["sku"] == "HB-M8-40"
    assert by_path.json()["customer_part_number"] == "ACME-4711"
    # Nothing prices it: the buyer's price says so (tests/api/test_pricing_catalog.py covers prices);
    # no warehouse holds it (tests/api/test_inventory_availability.py covers availability).
    assert (by_path.json()["price"]["error"], by_path.json()["availability"]["total_available"]) == (
        "no_price",
        "0.000",
    )


@pytest.mark.django_db
def test_another_accounts_part_number_answers_404(shop: Shop, client_for: ClientFor) -> None:
    bolt = ProductFactory(organization=shop.org, sku="HB-M8-40")
    other = AccountFactory(organization=shop.org, name="Other")
    CustomerPartNumberFactory(account=other, product=bolt, part_number="ZZ-9000")
    client = client_for(BuyerUserFactory(account=shop.account))

    by_path = client.get("/api/v1/products/ZZ-9000")
    searched = client.get("/api/v1/products", {"q": "ZZ-9000"})

    assert by_path.status_code == 404
    assert by_path.json()["error"]["code"] == "product_not_found"
    assert searched.json()["count"] == 0


@pytest.mark.django_db
def test_products_of_another_organization_answer_404(shop: Shop, client_for: ClientFor) -> None:
    ProductFactory(sku="ELSEWHERE-1")

    for member in (BuyerUserFactory(account=shop.account), shop.editor):
        response = client_for(member).get("/api/v1/products/ELSEWHERE-1")

        assert response.status_code == 404


@pytest.mark.django_db
def test_buyer_listing_applies_visibility_and_hides_drafts(shop: Shop, client_for: ClientFor) -> None:
    ProductFactory(organization=shop.org, sku="BOLT-1", name="Bolt", category=shop.bolts)
    ProductFactory(organization=shop.org, sku="GLOVE-1", name="Glove")
    ProductFactory(organization=shop.org, sku="DRAFT-1", name="Draft", status=Product.Status.DRAFT)
    VisibilityRuleFactory(
        organization=shop.org,
        account=shop.account,
        category=shop.fasteners,
        effect=VisibilityRule.Effect.EXCLUDE,
    )
    buyer_client = client_for(BuyerUserFactory(account=shop.account))

    buyer_list = buyer_client.get("/api/v1/products")
    hidden = buyer_client.get("/api/v1/products/BOLT-1")
    staff_list = client_for(shop.editor).get("/api/v1/products")

    assert _skus(buyer_list) == ["GLOVE-1"]
    assert buyer_list.json()["count"] == 1
    assert hidden.status_code == 404
    assert _skus(staff_list) == ["BOLT-1", "DRAFT-1", "GLOVE-1"]


@pytest.mark.django_db
def test_category_filter_includes_subcategories(shop: Shop, client_for: ClientFor) -> None:
    ProductFactory(organization=shop.org, sku="BOLT-1", name="Bolt", category=shop.bolts)
    ProductFactory(organization=shop.org, sku="GLOVE-1", name="Glove")
    client = client_for(BuyerUserFactory(account=shop.account))

    by_slug = client.get("/api/v1/products", {"category": "fasteners"})
    by_id = client.get("/api/v1/products", {"category": shop.bolts.pk})
    unknown = client.get("/api/v1/products", {"category": "no-such"})

    assert _skus(by_slug) == ["BOLT-1"]
    assert _skus(by_id) == ["BOLT-1"]
    assert unknown.status_code == 422
    assert list(unknown.json()["error"]["fields"]) == ["category"]


def _catalog(org: Organization, rows: int, account: Account) -> None:
    category = CategoryFactory(organization=org)
    for index in range(rows):
        product = ProductFactory(organization=org, category=category, name=f"Bolt {index}")
        ProductUnit.objects.create(product=product, code="BX", factor=Decimal(10))
        CustomerPartNumberFactory(account=account, product=product, part_number=f"P-{index}")


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 5])
def test_buyer_product_list_query_count_is_flat(
    rows: int, shop: Shop, client_for: ClientFor, django_assert_num_queries: Any
) -> None:
    _catalog(shop.org, rows, shop.account)
    VisibilityRuleFactory(organization=shop.org, account=shop.account, category=shop.fasteners)
    client = client_for(BuyerUserFactory(account=shop.account))

    # auth (a buyer, the token's last use); visibility rules;
    # page ids+window count, products+category, own part numbers, units;
    # prices: website+strategy, assignments, contracts, entries+customer prices, promotions
    # (no list applies, so no rules to load)
    with django_assert_num_queries(auth_queries() + 10):
        response = client.get("/api/v1/products", {"q": "bolt"})

    assert response.json()["count"] == rows
    assert all(item["units"] and item["customer_part_number"] for item in response.json()["items"])


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 5])
def test_staff_product_list_query_count_is_flat(
    rows: int, shop: Shop, client_for: ClientFor, django_assert_num_queries: Any
) -> None:
    _catalog(shop.org, rows, shop.account)
    client: Client = client_for(shop.editor)

    # auth (staff, the token's last use); count, products+category, units
    with django_assert_num_queries(auth_queries(staff=True) + 3):
        response = client.get("/api/v1/products")

    assert response.json()["count"] == rows
    assert all(item["units"] for item in response.json()["items"])


@pytest.mark.django_db
def test_catalog_of_another_organization_is_invisible_and_unchangeable(
    shop: Shop, client_for: ClientFor
) -> None:
    foreign_category = CategoryFactory(name="Foreign", slug="foreign")
    ProductFactory(organization=foreign_category.organization, sku="ELSEWHERE-1", name="Foreign bolt")
    client = client_for(shop.editor)

    categories = client.get("/api/v1/categories")
    products = client.get("/api/v1/products")
    patched = client.patch("/api/v1/products/ELSEWHERE-1", {"name": "Mine now"}, content_type=JSON)

    assert foreign_category.pk not in [item["id"] for item in categories.json()["items"]]
    assert "ELSEWHERE-1" not in _skus(products)
    assert patched.status_code == 404
    assert Product.objects.get(sku="ELSEWHERE-1").name == "Foreign bolt"


@pytest.mark.django_db
def test_website_header_selects_the_storefront_whose_visibility_applies(
    shop: Shop, client_for: ClientFor
) -> None:
    trade = WebsiteFactory(organization=shop.org, is_default=False, name="Trade")
    ProductFactory(organization=shop.org, sku="BOLT-1", name="Bolt", category=shop.bolts)
    VisibilityRuleFactory(organization=shop.org, website=trade, category=shop.fasteners)
    client = client_for(BuyerUserFactory(account=shop.account))

    default_site = client.get("/api/v1/products")
    trade_site = client.get("/api/v1/products", headers={"X-Website": str(trade.pk)})

    assert _skus(default_site) == ["BOLT-1"]
    assert _skus(trade_site) == []
