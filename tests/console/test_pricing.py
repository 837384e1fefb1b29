"""The console's pricing pages: price lists and entries (inline editing, CSV import with a dry run),
assignments, contracts on the account page, promotions and coupons, the simulator, the audit."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from meridian.core.actor import StaffRole
from meridian.pricing.models import (
    Contract,
    Coupon,
    PriceAssignment,
    PriceChange,
    PriceList,
    PriceListEntry,
    Promotion,
)
from meridian.staff.models import StaffMember
from tests.catalog.factories import ProductFactory
from tests.pricing.channel_world import PriceWorld, build_price_world
from tests.pricing.factories import (
    PriceListEntryFactory,
    PriceListFactory,
    PromotionFactory,
)

D = Decimal
# session, user, and the actor: buyer (none), staff member, websites, territories
STAFF_PAGE_QUERIES = 6


@pytest.fixture
def world(db: None) -> PriceWorld:
    return build_price_world()


def _client(member: StaffMember) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


def _text(response: Any) -> str:
    return response.content.decode()


def _entries(world: PriceWorld) -> list[tuple[str, str, Decimal, Decimal]]:
    return sorted(
        (entry.product.sku, entry.uom, entry.min_quantity, entry.price)
        for entry in PriceListEntry.objects.filter(price_list=world.web).select_related("product")
    )


def _inline(entry: PriceListEntry, price: str) -> dict[str, object]:
    prefix = f"e{entry.pk}"
    return {
        "entry": entry.pk,
        f"{prefix}-sku": entry.product.sku,
        f"{prefix}-uom": entry.uom,
        f"{prefix}-min_quantity": str(entry.min_quantity),
        f"{prefix}-price": price,
    }


# --- who may see and do what -------------------------------------------------------------------


def test_the_pricing_pages_are_for_staff(world: PriceWorld) -> None:
    buyer = Client()
    buyer.force_login(world.buyer.user)
    paths = [
        "/console/prices/",
        f"/console/prices/{world.web.pk}/",
        "/console/prices/simulate/",
        "/console/prices/changes/",
        "/console/promotions/",
    ]

    anonymous = Client().get(paths[0])

    assert (anonymous.status_code, anonymous["Location"]) == (302, "/console/login/?next=/console/prices/")
    assert [buyer.get(path).status_code for path in paths] == [404] * len(paths)


def test_every_staff_member_reads_prices_but_only_editors_see_the_editors(world: PriceWorld) -> None:
    as_rep = _client(world.sales_rep).get(f"/console/prices/{world.web.pk}/")
    as_admin = _client(world.admin).get(f"/console/prices/{world.web.pk}/")

    assert as_rep.status_code == as_admin.status_code == 200
    assert "$0.45" in _text(as_rep) and "inline-price" not in _text(as_rep)
    assert "inline-price" in _text(as_admin) and "Import CSV" in _text(as_admin)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/console/prices/new/"),
        ("post", "/console/prices/new/"),
        ("get", "/console/prices/{web}/import/"),
        ("post", "/console/prices/{web}/entries/"),
        ("post", "/console/prices/{web}/edit/"),
        ("post", "/console/prices/{web}/assign/"),
        ("get", "/console/promotions/new/"),
        ("post", "/console/accounts/{child}/contracts/"),
        ("post", "/console/accounts/{child}/price-lists/"),
    ],
)
@pytest.mark.parametrize("role", [StaffRole.SALES_REP, StaffRole.WAREHOUSE, StaffRole.FINANCE])
def test_only_price_editors_change_prices(world: PriceWorld, role: StaffRole, method: str, path: str) -> None:
    member = world.sales_rep if role == StaffRole.SALES_REP else world.staff(role)
    before = (
        _entries(world),
        PriceList.objects.count(),
        Contract.objects.count(),
        PriceAssignment.objects.count(),
    )

    response = getattr(_client(member), method)(
        path.format(web=world.web.pk, child=world.child.pk), {"name": "x", "code": "X", "currency": "USD"}
    )

    assert response.status_code == 403
    after = (
        _entries(world),
        PriceList.objects.count(),
        Contract.objects.count(),
        PriceAssignment.objects.count(),
    )
    assert after == before


def test_another_sellers_price_list_is_not_found(world: PriceWorld) -> None:
    response = _client(world.other_admin).get(f"/console/prices/{world.web.pk}/")
    edit = _client(world.other_admin).post(
        f"/console/prices/{world.web.pk}/entries/", {"sku": "BOLT", "price": "0"}
    )

    assert (response.status_code, edit.status_code) == (404, 404)
    assert PriceListEntry.objects.filter(price_list=world.web, price=0).count() == 0


# --- price lists and entries -------------------------------------------------------------------


@pytest.mark.parametrize("rows", [1, 5])
def test_the_price_list_index_query_count_is_flat(
    world: PriceWorld, rows: int, django_assert_num_queries: Any
) -> None:
    for number in range(rows):
        PriceListFactory(organization=world.org, code=f"L-{number}")
    client = _client(world.admin)

    # actor; count; lists with entry counts; websites+strategy
    with django_assert_num_queries(STAFF_PAGE_QUERIES + 3):
        response = client.get("/console/prices/")

    assert f"{rows + 2} price lists" in _text(response)


@pytest.mark.parametrize("rows", [1, 5])
def test_the_price_list_page_query_count_is_flat(
    world: PriceWorld, rows: int, django_assert_num_queries: Any
) -> None:
    price_list = PriceListFactory(organization=world.org, code="FLAT")
    for number in range(rows):
        PriceListEntryFactory(
            price_list=price_list, product=ProductFactory(organization=world.org, sku=f"F-{number}")
        )
    client = _client(world.admin)

    # actor; the list; the list (scope), count, entries+product; assignments; contracts+account;
    # the assignment form's websites and groups; the list (scope), rules+list, category, product,
    # base list; the rule form's lists and categories
    with django_assert_num_queries(STAFF_PAGE_QUERIES + 12):
        response = client.get(f"/console/prices/{price_list.pk}/")

    assert _text(response).count('class="inline-price"') == rows


def test_create_a_price_list(world: PriceWorld) -> None:
    response = _client(world.inside_sales).post(
        "/console/prices/new/", {"code": "EU", "name": "Europe", "currency": "EUR", "is_active": "on"}
    )

    price_list = PriceList.objects.get(organization=world.org, code="EU")
    assert response.status_code == 302
    assert response["Location"] == f"/console/prices/{price_list.pk}/"
    assert (price_list.currency, price_list.is_active) == ("EUR", True)


def test_a_taken_code_shows_on_the_form(world: PriceWorld) -> None:
    response = _client(world.admin).post(
        "/console/prices/new/", {"code": "WEB", "name": "Again", "currency": "USD"}
    )

    assert response.status_code == 200
    assert "already used" in _text(response)
    assert PriceList.objects.filter(organization=world.org).count() == 2


def test_edit_the_settings_of_a_list(world: PriceWorld) -> None:
    response = _client(world.admin).post(
        f"/console/prices/{world.web.pk}/edit/", {"name": "Web 2026", "valid_from": "2026-01-01"}
    )

    world.web.refresh_from_db()
    assert response.status_code == 302
    assert (world.web.name, str(world.web.valid_from), world.web.is_active) == (
        "Web 2026",
        "2026-01-01",
        False,
    )


def test_inline_editing_a_price_answers_the_row_and_audits_the_change(world: PriceWorld) -> None:
    entry = PriceListEntry.objects.get(price_list=world.web, product=world.hammer)

    response = _client(world.admin).post(
        f"/console/prices/{world.web.pk}/entries/", _inline(entry, "24.50"), HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    row = _text(response)
    assert row.lstrip().startswith(f'<tr id="entry-{entry.pk}"') and "Saved" in row and 'value="24.50"' in row
    entry.refresh_from_db()
    assert entry.price == D("24.5000")
    change = PriceChange.objects.get()
    assert (change.old_price, change.new_price, change.changed_by_id) == (
        D("25"),
        D("24.5"),
        world.admin.user_id,
    )


def test_a_bad_inline_price_answers_the_row_with_the_error_and_changes_nothing(world: PriceWorld) -> None:
    entry = PriceListEntry.objects.get(price_list=world.web, product=world.hammer)

    response = _client(world.admin).post(
        f"/console/prices/{world.web.pk}/entries/", _inline(entry, "-3"), HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 422
    assert 'role="alert"' in _text(response) and "Saved" not in _text(response)
    entry.refresh_from_db()
    assert entry.price == D("25.0000")
    assert not PriceChange.objects.exists()


def test_add_a_volume_tier_without_javascript(world: PriceWorld) -> None:
    response = _client(world.admin).post(
        f"/console/prices/{world.web.pk}/entries/",
        {"sku": "HAMMER", "uom": "", "min_quantity": "10", "price": "22"},
    )

    assert response.status_code == 302
    assert response["Location"] == f"/console/prices/{world.web.pk}/?sku=HAMMER"
    assert ("HAMMER", "EA", D("10.000"), D("22.0000")) in _entries(world)


def test_adding_an_unknown_sku_shows_the_error_on_the_form(world: PriceWorld) -> None:
    before = _entries(world)

    response = _client(world.admin).post(
        f"/console/prices/{world.web.pk}/entries/", {"sku": "NOPE", "min_quantity": "1", "price": "1"}
    )

    assert response.status_code == 422
    assert "unknown SKU" in _text(response)
    assert _entries(world) == before


# --- CSV import --------------------------------------------------------------------------------

GOOD_CSV = "sku,price,min_quantity,uom\nBOLT,0.55,1,EA\nBOLT,0.45,100,EA\nHAMMER,26.00,1,\nBOLT,5.00,1,BX\n"
BAD_CSV = "sku,price,min_quantity\nBOLT,0.55,1\nHAMMER,twenty,1\nNOPE,1.00,1\nBOLT,0.60,1\n"


def test_the_import_dry_run_shows_what_would_change_and_changes_nothing(world: PriceWorld) -> None:
    before = _entries(world)

    response = _client(world.admin).post(f"/console/prices/{world.web.pk}/import/", {"text": GOOD_CSV})

    text = _text(response)
    assert response.status_code == 200
    assert "Dry run: 1 new, 2 changed, 1 unchanged" in text
    assert "$0.50 → <strong>$0.55</strong>" in text and "$25.00 → <strong>$26.00</strong>" in text
    assert "Apply 3 changes" in text
    assert _entries(world) == before


def test_the_import_dry_run_lists_every_row_error_by_line(world: PriceWorld) -> None:
    before = _entries(world)

    response = _client(world.admin).post(f"/console/prices/{world.web.pk}/import/", {"text": BAD_CSV})

    text = _text(response)
    assert "3 problems: nothing was applied" in text
    for line, problem in ((3, "&#x27;twenty&#x27; is not a number"), (4, "unknown SKU"), (5, "same sku")):
        assert f'<td data-label="Line" class="num">{line}</td>' in text
        assert problem in text
    assert "Apply" not in text
    assert _entries(world) == before


def test_apply_imports_all_rows_from_an_uploaded_file(world: PriceWorld) -> None:
    client = _client(world.admin)
    dry_run = client.post(
        f"/console/prices/{world.web.pk}/import/",
        {"file": SimpleUploadedFile("prices.csv", GOOD_CSV.encode("utf-8-sig"), content_type="text/csv")},
    )
    applied = client.post(f"/console/prices/{world.web.pk}/import/", {"text": GOOD_CSV, "apply": "1"})

    assert "Apply 3 changes" in _text(dry_run)
    assert applied.status_code == 302
    assert _entries(world) == [
        ("BOLT", "BX", D("1.000"), D("5.0000")),
        ("BOLT", "EA", D("1.000"), D("0.5500")),
        ("BOLT", "EA", D("100.000"), D("0.4500")),
        ("HAMMER", "EA", D("1.000"), D("26.0000")),
    ]
    assert PriceChange.objects.count() == 3


def test_apply_refuses_rows_that_turned_bad_and_applies_nothing(world: PriceWorld) -> None:
    response = _client(world.admin).post(
        f"/console/prices/{world.web.pk}/import/", {"text": BAD_CSV, "apply": "1"}
    )

    assert "nothing was applied" in _text(response)
    assert not PriceChange.objects.exists()


def test_a_csv_without_the_required_columns_says_so(world: PriceWorld) -> None:
    response = _client(world.admin).post(
        f"/console/prices/{world.web.pk}/import/", {"text": "code,amount\nA,1\n"}
    )

    assert "missing column" in _text(response)


# --- assignments and the account page ----------------------------------------------------------


def test_assign_a_list_to_a_group_and_remove_it(world: PriceWorld) -> None:
    client = _client(world.admin)

    assigned = client.post(
        f"/console/prices/{world.web.pk}/assign/", {"customer_group": world.gold.pk, "priority": 5}
    )
    assignment = PriceAssignment.objects.get(customer_group=world.gold)
    removed = client.post(f"/console/price-assignments/{assignment.pk}/delete/")

    assert (assigned.status_code, removed.status_code) == (302, 302)
    assert assignment.priority == 5
    assert not PriceAssignment.objects.filter(pk=assignment.pk).exists()


def test_an_assignment_needs_exactly_one_target(world: PriceWorld) -> None:
    response = _client(world.admin).post(
        f"/console/prices/{world.web.pk}/assign/",
        {"website": world.website.pk, "customer_group": world.gold.pk, "priority": 5},
    )

    assert response.status_code == 422
    assert "one of them" in _text(response)
    assert PriceAssignment.objects.count() == 1


def test_the_account_page_shows_contracts_and_lets_editors_add_one(world: PriceWorld) -> None:
    client = _client(world.admin)

    page = client.get(f"/console/accounts/{world.child.pk}/")
    created = client.post(
        f"/console/accounts/{world.child.pk}/contracts/",
        {
            "contract-number": "C-2026",
            "contract-price_list": "WEB",
            "contract-priority": 50,
            "contract-prices_are_final": "on",
            "contract-valid_from": "2026-01-01",
        },
    )

    assert "C-ACME" in _text(page) and "Add a contract" in _text(page)
    assert created.status_code == 302
    assert created["Location"] == f"/console/accounts/{world.child.pk}/#pricing"
    contract = Contract.objects.get(number="C-2026")
    assert (contract.account_id, contract.price_list_id, contract.prices_are_final, contract.priority) == (
        world.child.pk,
        world.web.pk,
        True,
        50,
    )


def test_a_taken_contract_number_shows_on_the_account_page(world: PriceWorld) -> None:
    response = _client(world.admin).post(
        f"/console/accounts/{world.child.pk}/contracts/",
        {"contract-number": "C-ACME", "contract-price_list": "WEB", "contract-priority": 100},
    )

    assert response.status_code == 422
    assert "already used" in _text(response)
    assert Contract.objects.count() == 1


def test_assign_a_price_list_to_an_account(world: PriceWorld) -> None:
    response = _client(world.admin).post(
        f"/console/accounts/{world.sibling.pk}/price-lists/",
        {"assign-price_list": "K-ACME", "assign-priority": 10},
    )

    assert response.status_code == 302
    assert PriceAssignment.objects.filter(account=world.sibling, price_list=world.contract_list).exists()


def test_a_rep_sees_their_accounts_contracts_without_the_forms_and_not_other_accounts(
    world: PriceWorld,
) -> None:
    client = _client(world.sales_rep)

    own = client.get(f"/console/accounts/{world.child.pk}/")
    other = client.get(f"/console/accounts/{world.sibling.pk}/")

    assert "C-ACME" in _text(own) and "Add a contract" not in _text(own)
    assert other.status_code == 404


# --- promotions --------------------------------------------------------------------------------


def test_create_a_promotion_with_conditions_and_a_coupon(world: PriceWorld) -> None:
    client = _client(world.admin)

    created = client.post(
        "/console/promotions/new/",
        {
            "name": "Gold hammer deal",
            "kind": "amount_off_line",
            "value": "2.50",
            "currency": "USD",
            "stacking": "stackable",
            "priority": 20,
            "requires_coupon": "on",
            "customer_group": world.gold.pk,
            "account": "ext:SAP-1",
            "product": "HAMMER",
            "min_quantity": "2",
            "is_active": "on",
        },
    )
    promotion = Promotion.objects.get(name="Gold hammer deal")
    coupon = client.post(
        f"/console/promotions/{promotion.pk}/coupons/", {"code": "gold25", "usage_limit": 10}
    )
    page = client.get(f"/console/promotions/{promotion.pk}/")

    assert created.status_code == 302
    assert (
        promotion.account_id,
        promotion.product_id,
        promotion.customer_group_id,
        promotion.min_quantity,
    ) == (
        world.parent.pk,
        world.hammer.pk,
        world.gold.pk,
        D("2"),
    )
    assert coupon.status_code == 302
    assert Coupon.objects.get().code == "GOLD25"
    assert "GOLD25" in _text(page)


def test_a_promotion_form_reports_unknown_references_and_domain_errors(world: PriceWorld) -> None:
    response = _client(world.admin).post(
        "/console/promotions/new/",
        {
            "name": "Broken",
            "kind": "amount_off_order",
            "value": "5",
            "stacking": "stackable",
            "priority": 1,
            "product": "NOPE",
        },
    )

    assert response.status_code == 200
    assert "No product with SKU NOPE" in _text(response)
    assert not Promotion.objects.exists()


@pytest.mark.parametrize("rows", [1, 5])
def test_the_promotion_list_query_count_is_flat(
    world: PriceWorld, rows: int, django_assert_num_queries: Any
) -> None:
    for number in range(rows):
        PromotionFactory(organization=world.org, name=f"Deal {number}", product=world.bolt)
    client = _client(world.admin)

    # actor; count; promotions+product with coupon counts
    with django_assert_num_queries(STAFF_PAGE_QUERIES + 2):
        response = client.get("/console/promotions/")

    assert _text(response).count("Deal ") == rows


# --- the simulator -----------------------------------------------------------------------------


def test_the_simulator_shows_every_price_with_its_trace(world: PriceWorld) -> None:
    response = _client(world.admin).get(
        "/console/prices/simulate/",
        {"account": f"{world.child.pk} · Acme Ohio", "lines": "BOLT 150\nHAMMER 2\nBOLT 1 BX\nGHOST 1"},
        HTTP_HX_REQUEST="true",
    )

    text = _text(response)
    assert response.status_code == 200
    assert "<html" not in text  # the htmx partial
    assert "Contract <strong>C-ACME</strong>" in text and "Website list" in text
    assert "$60.00" in text and "$50.00" in text and "$4.80" in text
    assert "converted from the base unit" in text
    assert 'data-error="product_not_found"' in text
    assert '<dd data-testid="simulation-total">$114.80</dd>' in text


def test_a_rep_simulates_only_their_own_accounts(world: PriceWorld) -> None:
    client = _client(world.sales_rep)

    own = client.get("/console/prices/simulate/", {"account": world.child.pk, "lines": "BOLT 1"})
    other = client.get("/console/prices/simulate/", {"account": world.sibling.pk, "lines": "BOLT 1"})

    assert "C-ACME" in _text(own)
    assert other.status_code == 200
    assert f"No account {world.sibling.pk} in your scope" in _text(other)
    assert "simulation-total" not in _text(other)


def test_the_simulator_reports_unreadable_lines(world: PriceWorld) -> None:
    response = _client(world.admin).get(
        "/console/prices/simulate/", {"account": world.child.pk, "lines": "BOLT lots"}
    )

    assert "&#x27;lots&#x27; is not a quantity" in _text(response)


# --- the audit ---------------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [1, 5])
def test_the_price_changes_page_shows_who_when_old_and_new(
    world: PriceWorld, rows: int, django_assert_num_queries: Any
) -> None:
    entry = PriceListEntry.objects.get(price_list=world.web, product=world.hammer)
    editor = _client(world.inside_sales)
    for number in range(rows):
        editor.post(
            f"/console/prices/{world.web.pk}/entries/",
            _inline(entry, f"3{number}.00"),
            HTTP_HX_REQUEST="true",
        )
    client = _client(world.sales_rep)

    # actor; the filter's price lists; count; changes+user, list, product, account
    with django_assert_num_queries(STAFF_PAGE_QUERIES + 3):
        response = client.get("/console/prices/changes/", {"sku": "HAMMER"})

    text = _text(response)
    assert f"{rows} change" in text
    assert "$25.00 → <strong>$30.00</strong>" in text
    assert world.inside_sales.user.full_name in text
