from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from meridian.catalog.models import Product, ProductUnit, VisibilityRule
from meridian.core.actor import StaffRole
from meridian.customers.models import Account, BuyerUser
from meridian.tenancy.models import Organization
from tests.catalog.factories import (
    CategoryFactory,
    CustomerPartNumberFactory,
    ProductFactory,
    VisibilityRuleFactory,
)
from tests.staff.factories import StaffMemberFactory


@pytest.mark.django_db
def test_home_shows_the_category_tree_and_a_search_box(
    client: Client, org: Organization, buyer: BuyerUser
) -> None:
    fasteners = CategoryFactory(organization=org, name="Fasteners", slug="fasteners")
    CategoryFactory(parent=fasteners, name="Hex bolts", slug="hex-bolts")
    CategoryFactory(organization=org, name="Retired", slug="retired", is_active=False)
    client.force_login(buyer.user)

    response = client.get("/")

    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="/c/fasteners/"' in html and 'href="/c/hex-bolts/"' in html
    assert "Retired" not in html
    assert 'name="q"' in html and 'hx-get="/search/"' in html


@pytest.mark.django_db
def test_staff_opening_the_portal_is_sent_to_the_console(client: Client, org: Organization) -> None:
    staff = StaffMemberFactory(organization=org, role=StaffRole.SALES_MANAGER)
    client.force_login(staff.user)

    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/console/"


@pytest.mark.django_db
def test_category_page_shows_breadcrumbs_subcategories_and_24_products_per_page(
    client: Client, org: Organization, buyer: BuyerUser
) -> None:
    tools = CategoryFactory(organization=org, name="Tools", slug="tools")
    drills = CategoryFactory(parent=tools, name="Drills", slug="drills")
    CategoryFactory(parent=drills, name="Cordless drills", slug="cordless-drills")
    for number in range(25):
        ProductFactory(organization=org, category=drills, name=f"Drill {number:02d}", sku=f"DR-{number:02d}")
    client.force_login(buyer.user)

    first = client.get("/c/drills/")
    second = client.get("/c/drills/?page=2")

    html = first.content.decode()
    assert first.status_code == 200
    assert 'href="/c/tools/">Tools</a>' in html
    assert 'href="/c/cordless-drills/"' in html
    assert "Drill 00" in html and "Drill 23" in html and "Drill 24" not in html
    assert "Page 1 of 2" in html
    assert "Drill 24" in second.content.decode()
    assert "Price on request" in html


@pytest.mark.django_db
def test_unknown_category_answers_404(client: Client, buyer: BuyerUser) -> None:
    client.force_login(buyer.user)

    response = client.get("/c/no-such-thing/")

    assert response.status_code == 404
    assert "find that page" in response.content.decode()


@pytest.mark.django_db
def test_search_finds_the_buyers_own_part_number_and_shows_it_next_to_the_sku(
    client: Client, org: Organization, account: Account, other_account: Account, buyer: BuyerUser
) -> None:
    valve = ProductFactory(organization=org, sku="VLV-100", name="Ball valve 1/2 inch")
    ProductFactory(organization=org, sku="VLV-200", name="Gate valve")
    CustomerPartNumberFactory(account=account, product=valve, part_number="ACME-7781")
    CustomerPartNumberFactory(account=other_account, product=valve, part_number="GLOBEX-1")
    client.force_login(buyer.user)

    own = client.get("/search/", {"q": "acme-7781"})
    foreign = client.get("/search/", {"q": "GLOBEX-1"})

    html = own.content.decode()
    assert own.status_code == 200
    assert "Ball valve 1/2 inch" in html and "VLV-100" in html and "ACME-7781" in html
    assert "Gate valve" not in html
    assert "Ball valve" not in foreign.content.decode()


@pytest.mark.django_db
def test_search_by_name_and_sku(client: Client, org: Organization, buyer: BuyerUser) -> None:
    ProductFactory(organization=org, sku="GLV-NIT-9", name="Nitrile glove")
    ProductFactory(organization=org, sku="HB-M8", name="Hex bolt M8")
    client.force_login(buyer.user)

    by_name = client.get("/search/", {"q": "glove"}).content.decode()
    by_sku = client.get("/search/", {"q": "HB-M8"}).content.decode()

    assert "Nitrile glove" in by_name and "Hex bolt" not in by_name
    assert "Hex bolt M8" in by_sku and "Nitrile glove" not in by_sku


@pytest.mark.django_db
def test_search_as_you_type_answers_only_the_results_partial_to_htmx(
    client: Client, org: Organization, buyer: BuyerUser
) -> None:
    ProductFactory(organization=org, sku="GLV-NIT-9", name="Nitrile glove")
    client.force_login(buyer.user)

    response = client.get("/search/", {"q": "glove"}, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "Nitrile glove" in html
    assert "<html" not in html
    assert "HX-Request" in response["Vary"]


@pytest.mark.django_db
def test_product_page_shows_identifiers_units_rules_and_no_invented_price(
    client: Client, org: Organization, account: Account, buyer: BuyerUser
) -> None:
    pipes = CategoryFactory(organization=org, name="Pipes", slug="pipes")
    product = ProductFactory(
        organization=org,
        category=pipes,
        sku="PP-22",
        name="Copper pipe 22 mm",
        description="Half-hard copper tube.",
        attributes={"Diameter": "22 mm", "Material": "Copper"},
        base_uom="M",
        min_order_quantity=Decimal("6.000"),
        order_increment=Decimal("3.000"),
        status=Product.Status.DISCONTINUED,
    )
    ProductUnit.objects.create(product=product, code="BDL", name="Bundle", factor=Decimal("12.000"))
    CustomerPartNumberFactory(account=account, product=product, part_number="ACME-PIPE-22")
    client.force_login(buyer.user)

    response = client.get("/p/PP-22/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Copper pipe 22 mm" in html and "PP-22" in html and "ACME-PIPE-22" in html
    assert "Half-hard copper tube." in html
    assert "Diameter" in html and "22 mm" in html and "Copper" in html
    assert "Bundle of 12 M" in html
    assert "6 M" in html and "3 M" in html
    assert "Discontinued" in html
    assert "Price on request" in html
    assert 'href="/c/pipes/"' in html


@pytest.mark.django_db
def test_product_opened_by_part_number_redirects_to_its_sku(
    client: Client, org: Organization, account: Account, buyer: BuyerUser
) -> None:
    product = ProductFactory(organization=org, sku="PP-22", name="Copper pipe")
    CustomerPartNumberFactory(account=account, product=product, part_number="ACME-PIPE-22")
    client.force_login(buyer.user)

    response = client.get("/p/ACME-PIPE-22/")

    assert response.status_code == 302
    assert response["Location"] == "/p/PP-22/"


@pytest.mark.django_db
def test_hidden_draft_and_unknown_products_answer_404(
    client: Client, org: Organization, account: Account, buyer: BuyerUser
) -> None:
    hidden = ProductFactory(organization=org, sku="HID-1", name="Hidden thing")
    VisibilityRuleFactory(
        organization=org, account=account, product=hidden, effect=VisibilityRule.Effect.EXCLUDE
    )
    ProductFactory(organization=org, sku="DRAFT-1", name="Draft thing", status=Product.Status.DRAFT)
    ProductFactory(sku="FOREIGN-1", name="Another seller's thing")
    client.force_login(buyer.user)

    for sku in ("HID-1", "DRAFT-1", "FOREIGN-1", "NOPE-404"):
        response = client.get(f"/p/{sku}/")
        assert response.status_code == 404, sku
    assert "Hidden thing" not in client.get("/search/", {"q": "hidden"}).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 5])
def test_category_page_query_count_is_flat(
    client: Client,
    org: Organization,
    account: Account,
    buyer: BuyerUser,
    rows: int,
    django_assert_num_queries,
) -> None:
    drills = CategoryFactory(organization=org, name="Drills", slug="drills")
    for number in range(rows):
        product = ProductFactory(organization=org, category=drills, sku=f"DR-{number}")
        CustomerPartNumberFactory(account=account, product=product, part_number=f"ACME-DR-{number}")
    client.force_login(buyer.user)

    # session, user, actor (buyer+account, website), category by slug, visibility rules,
    # page ids+window count, products+category, part numbers, availability (routing: assignments, website settings; product
    # facts; no levels without warehouses), breadcrumbs, subcategories;
    # prices (website+strategy, assignments, contracts, entries+customer prices, promotions)
    with django_assert_num_queries(19):
        response = client.get("/c/drills/")

    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 5])
def test_search_page_query_count_is_flat(
    client: Client,
    org: Organization,
    account: Account,
    buyer: BuyerUser,
    rows: int,
    django_assert_num_queries,
) -> None:
    for number in range(rows):
        product = ProductFactory(organization=org, sku=f"VLV-{number}", name=f"Valve {number}")
        CustomerPartNumberFactory(account=account, product=product, part_number=f"ACME-V-{number}")
    client.force_login(buyer.user)

    # session, user, actor (buyer+account, website), visibility rules,
    # page ids+window count, products+category, part numbers, availability (routing: assignments, website settings; product
    # facts; no levels without warehouses); prices (website+strategy, assignments, contracts, entries+customer prices, promotions)
    with django_assert_num_queries(16):
        response = client.get("/search/", {"q": "valve"})

    assert response.status_code == 200
    assert response.content.decode().count("ACME-V-") == rows
