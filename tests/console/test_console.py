from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth import get_user
from django.test import Client

from meridian.catalog.models import Product
from meridian.customers.models import PaymentTerms
from meridian.staff.models import StaffMember
from meridian.tenancy.models import Organization
from tests.catalog.factories import CategoryFactory, ProductFactory
from tests.customers.factories import AccountFactory, AddressFactory, BuyerUserFactory, CustomerGroupFactory
from tests.staff.factories import PASSWORD


@pytest.mark.django_db
def test_staff_log_in_on_the_console_and_see_the_dashboard(client: Client, manager: StaffMember) -> None:
    login = client.post("/console/login/", {"username": "mia@northwind.test", "password": PASSWORD})
    dashboard = client.get("/console/")

    assert login.status_code == 302
    assert login["Location"] == "/console/"
    assert get_user(client).pk == manager.user_id
    assert dashboard.status_code == 200
    assert "Mia Manager" in dashboard.content.decode()


@pytest.mark.django_db
def test_console_login_is_rate_limited_too(client: Client, manager: StaffMember, settings) -> None:
    settings.LOGIN_RATE = "2/h"
    for _ in range(2):
        client.post("/console/login/", {"username": "mia@northwind.test", "password": "wrong-wrong"})

    response = client.post("/console/login/", {"username": "mia@northwind.test", "password": PASSWORD})

    assert response.status_code == 429
    assert not get_user(client).is_authenticated


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_the_console_login(client: Client) -> None:
    response = client.get("/console/accounts/")

    assert response.status_code == 302
    assert response["Location"] == "/console/login/?next=/console/accounts/"


@pytest.mark.django_db
def test_a_buyer_gets_404_everywhere_in_the_console(client: Client, org: Organization) -> None:
    account = AccountFactory(organization=org, name="Acme Industries")
    ProductFactory(organization=org, sku="PP-22")
    buyer = BuyerUserFactory(account=account, is_admin=True)
    client.force_login(buyer.user)

    for path in (
        "/console/",
        "/console/accounts/",
        f"/console/accounts/{account.pk}/",
        "/console/products/",
        "/console/products/PP-22/",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Acme Industries" not in response.content.decode()


@pytest.mark.django_db
def test_a_buyer_logging_in_on_the_console_is_sent_to_the_portal(client: Client, org: Organization) -> None:
    buyer = BuyerUserFactory(account=AccountFactory(organization=org), user__email="bob@acme.test")

    response = client.post(
        "/console/login/?next=/console/", {"username": "bob@acme.test", "password": PASSWORD}
    )

    assert response["Location"] == "/"
    assert get_user(client).pk == buyer.user_id


@pytest.mark.django_db
def test_a_rep_lists_and_opens_only_assigned_accounts(
    client: Client, org: Organization, rep: StaffMember
) -> None:
    mine = AccountFactory(organization=org, name="Acme Industries", sales_rep=rep)
    plant = AccountFactory(parent=mine, name="Acme Plant Ohio")
    theirs = AccountFactory(organization=org, name="Globex Corp")
    client.force_login(rep.user)

    listing = client.get("/console/accounts/").content.decode()

    assert "Acme Industries" in listing and "Acme Plant Ohio" in listing
    assert "Globex Corp" not in listing
    assert client.get(f"/console/accounts/{mine.pk}/").status_code == 200
    assert client.get(f"/console/accounts/{plant.pk}/").status_code == 200
    assert client.get(f"/console/accounts/{theirs.pk}/").status_code == 404


@pytest.mark.django_db
def test_account_search_matches_name_and_number(
    client: Client, org: Organization, manager: StaffMember
) -> None:
    AccountFactory(organization=org, name="Acme Industries", number="C-1001")
    AccountFactory(organization=org, name="Globex Corp", number="C-2002")
    client.force_login(manager.user)

    by_name = client.get("/console/accounts/", {"q": "acme"}).content.decode()
    by_number = client.get("/console/accounts/", {"q": "C-2002"}).content.decode()

    assert "Acme Industries" in by_name and "Globex Corp" not in by_name
    assert "Globex Corp" in by_number and "Acme Industries" not in by_number


@pytest.mark.django_db
def test_accounts_list_pages_by_50(client: Client, org: Organization, manager: StaffMember) -> None:
    for number in range(51):
        AccountFactory(organization=org, name=f"Customer {number:02d}")
    client.force_login(manager.user)

    first = client.get("/console/accounts/").content.decode()
    second = client.get("/console/accounts/", {"page": "2"}).content.decode()

    assert "Customer 49" in first and "Customer 50" not in first
    assert "Page 1 of 2" in first
    assert "Customer 50" in second and "Customer 49" not in second


@pytest.mark.django_db
def test_account_page_shows_tree_people_and_terms(
    client: Client, org: Organization, manager: StaffMember, rep: StaffMember
) -> None:
    holding = AccountFactory(organization=org, name="Acme Holding")
    terms = PaymentTerms.objects.create(organization=org, code="N45", name="Net 45", net_days=45)
    group = CustomerGroupFactory(organization=org, name="Gold")
    acme = AccountFactory(
        parent=holding,
        name="Acme Industries",
        number="C-1001",
        customer_group=group,
        payment_terms=terms,
        credit_limit=Decimal("25000.00"),
        currency="EUR",
        sales_rep=rep,
    )
    AccountFactory(parent=acme, name="Acme Plant Ohio")
    BuyerUserFactory(account=acme, user__email="ada@acme.test", is_admin=True, is_approver=True)
    AddressFactory(account=acme, line1="1 Foundry Road", city="Dayton", country="US")
    client.force_login(manager.user)

    response = client.get(f"/console/accounts/{acme.pk}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert f'<a href="/console/accounts/{holding.pk}/">Acme Holding</a>' in html
    assert "Acme Plant Ohio" in html
    assert "ada@acme.test" in html and "Account admin, Buyer, Approver" in html
    assert "1 Foundry Road" in html
    assert "Gold" in html and "Net 45" in html and "25000.00 EUR" in html and "Rita Rep" in html


@pytest.mark.django_db
def test_staff_see_every_product_including_drafts(
    client: Client, org: Organization, manager: StaffMember
) -> None:
    tools = CategoryFactory(organization=org, name="Tools", slug="tools")
    ProductFactory(
        organization=org, sku="DR-1", name="Cordless drill", category=tools, status=Product.Status.DRAFT
    )
    ProductFactory(organization=org, sku="GL-1", name="Nitrile glove")
    ProductFactory(sku="XX-1", name="Other seller's drill")
    client.force_login(manager.user)

    listing = client.get("/console/products/", {"q": "drill"}).content.decode()
    page = client.get("/console/products/DR-1/")

    assert "Cordless drill" in listing and "Draft" in listing
    assert "Nitrile glove" not in listing and "Other seller" not in listing
    assert page.status_code == 200 and "Cordless drill" in page.content.decode()
    assert client.get("/console/products/XX-1/").status_code == 404


@pytest.mark.django_db
def test_admin_link_only_for_users_who_may_open_the_admin(
    client: Client, manager: StaffMember, rep: StaffMember
) -> None:
    manager.user.is_staff = True
    manager.user.save()

    client.force_login(manager.user)
    with_admin = client.get("/console/").content.decode()
    client.force_login(rep.user)
    without_admin = client.get("/console/").content.decode()

    assert 'href="/admin/"' in with_admin
    assert 'href="/admin/"' not in without_admin


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 5])
def test_accounts_list_query_count_is_flat(
    client: Client, org: Organization, manager: StaffMember, rows: int, django_assert_num_queries
) -> None:
    group = CustomerGroupFactory(organization=org)
    for number in range(rows):
        AccountFactory(organization=org, name=f"Customer {number}", customer_group=group, sales_rep=manager)
    client.force_login(manager.user)

    # session, user, actor (no buyer, staff, website, territories), account count,
    # accounts+group+rep+user+branch
    with django_assert_num_queries(8):
        response = client.get("/console/accounts/")

    assert response.status_code == 200
    assert response.content.decode().count('class="table__primary" href="/console/accounts/') == rows
