from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from meridian.core.actor import StaffRole
from meridian.customers.models import Account, CustomerGroup
from meridian.staff.models import StaffMember
from meridian.tenancy.models import Organization
from tests.api.auth_queries import auth_queries
from tests.api.conftest import ClientFor
from tests.customers.factories import AccountFactory, BuyerUserFactory, CustomerGroupFactory
from tests.staff.factories import StaffMemberFactory
from tests.tenancy.factories import OrganizationFactory, WebsiteFactory

JSON = "application/json"


@dataclass
class World:
    org: Organization
    a: Account  # account A, with a child plant
    plant: Account
    b: Account  # another customer of the same seller
    admin: StaffMember


@pytest.fixture
def world() -> World:
    org = OrganizationFactory()
    WebsiteFactory(organization=org)
    a = AccountFactory(organization=org, name="Alpha Holding", external_id="SAP-A")
    plant = AccountFactory(parent=a, name="Alpha Plant")
    b = AccountFactory(organization=org, name="Beta Corp")
    admin = StaffMemberFactory(organization=org, role=StaffRole.ADMIN)
    return World(org=org, a=a, plant=plant, b=b, admin=admin)


def _ids(response: Any) -> list[int]:
    return [item["id"] for item in response.json()["items"]]


@pytest.mark.django_db
def test_staff_list_all_accounts_of_their_organization_with_parent_and_children(
    world: World, client_for: ClientFor
) -> None:
    elsewhere = AccountFactory(name="Gamma Elsewhere")

    response = client_for(world.admin).get("/api/v1/accounts")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert elsewhere.pk not in _ids(response)
    by_id = {item["id"]: item for item in body["items"]}
    assert by_id[world.a.pk]["children"] == [world.plant.pk]
    assert by_id[world.a.pk]["parent"] is None
    assert by_id[world.plant.pk]["parent"] == world.a.pk
    assert by_id[world.plant.pk]["depth"] == 2


@pytest.mark.django_db
def test_list_searches_and_pages(world: World, client_for: ClientFor) -> None:
    client = client_for(world.admin)

    found = client.get("/api/v1/accounts", {"q": "alpha"})
    paged = client.get("/api/v1/accounts", {"limit": 1, "offset": 1})

    assert _ids(found) == [world.a.pk, world.plant.pk]
    assert paged.json()["count"] == 3
    assert _ids(paged) == [world.plant.pk]


@pytest.mark.django_db
def test_buyer_lists_their_subtree_and_sees_no_parent_outside_it(world: World, client_for: ClientFor) -> None:
    buyer = BuyerUserFactory(account=world.plant)

    response = client_for(buyer).get("/api/v1/accounts")

    assert _ids(response) == [world.plant.pk]
    assert response.json()["items"][0]["parent"] is None


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 5])
def test_account_list_query_count_is_flat(
    rows: int, client_for: ClientFor, django_assert_num_queries: Any
) -> None:
    org = OrganizationFactory()
    WebsiteFactory(organization=org)
    holding = AccountFactory(organization=org, name="Holding")
    group = CustomerGroupFactory(organization=org)
    for index in range(rows):
        plant = AccountFactory(parent=holding, name=f"Plant {index}", customer_group=group)
        AccountFactory(parent=plant, name=f"Line {index}")
    client = client_for(StaffMemberFactory(organization=org, role=StaffRole.ADMIN))

    # auth (staff, the token's last use); count, accounts+group+rep+branch, parents, children
    with django_assert_num_queries(auth_queries(staff=True) + 4):
        response = client.get("/api/v1/accounts", {"q": "plant"})

    assert response.json()["count"] == rows
    assert all(
        item["parent"] == holding.pk and len(item["children"]) == 1 for item in response.json()["items"]
    )


@pytest.mark.django_db
def test_get_account_by_id_and_by_external_id(world: World, client_for: ClientFor) -> None:
    client = client_for(world.admin)

    by_id = client.get(f"/api/v1/accounts/{world.a.pk}")
    by_ext = client.get("/api/v1/accounts/ext:SAP-A")

    assert by_id.status_code == 200
    assert by_id.json() == by_ext.json()
    assert by_id.json()["children"] == [world.plant.pk]
    assert by_id.json()["external_id"] == "SAP-A"


def _outsiders(world: World) -> dict[str, Any]:
    rep = StaffMemberFactory(organization=world.org, role=StaffRole.SALES_REP)
    Account.objects.filter(pk=world.b.pk).update(sales_rep=rep)
    return {
        "buyer of B": BuyerUserFactory(account=world.b, is_admin=True),
        "rep not assigned": rep,
        "staff of another organization": StaffMemberFactory(role=StaffRole.ADMIN),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("suffix", ["", "/users", "/addresses"])
def test_accounts_outside_the_scope_answer_404(world: World, client_for: ClientFor, suffix: str) -> None:
    for who, member in _outsiders(world).items():
        client = client_for(member)

        for reference in (world.a.pk, "ext:SAP-A"):
            response = client.get(f"/api/v1/accounts/{reference}{suffix}")

            assert response.status_code == 404, who
            assert response.json()["error"]["code"] == "account_not_found", who


@pytest.mark.django_db
def test_changes_to_accounts_outside_the_scope_answer_404_and_change_nothing(
    world: World, client_for: ClientFor
) -> None:
    for who, member in _outsiders(world).items():
        client = client_for(member)

        patch = client.patch(f"/api/v1/accounts/{world.a.pk}", {"name": "Hijacked"}, content_type=JSON)
        user = client.post(
            f"/api/v1/accounts/{world.a.pk}/users",
            {"email": "mole@example.com", "roles": ["admin"]},
            content_type=JSON,
        )
        address = client.post(
            f"/api/v1/accounts/{world.a.pk}/addresses",
            {"line1": "1 Fake St", "city": "Nowhere", "country": "US"},
            content_type=JSON,
        )

        assert (patch.status_code, user.status_code, address.status_code) == (404, 404, 404), who
    world.a.refresh_from_db()
    assert world.a.name == "Alpha Holding"
    assert not world.a.users.exists()
    assert not world.a.addresses.exists()


@pytest.mark.django_db
def test_staff_create_an_account_under_a_parent_given_by_external_id(
    world: World, client_for: ClientFor
) -> None:
    group = CustomerGroupFactory(organization=world.org)

    response = client_for(world.admin).post(
        "/api/v1/accounts",
        {
            "name": "Alpha Warehouse",
            "parent": "ext:SAP-A",
            "customer_group": group.pk,
            "credit_limit": "5000.5",
            "currency": "eur",
            "external_id": "SAP-AW",
            "number": "C-100",
        },
        content_type=JSON,
    )

    assert response.status_code == 201
    body = response.json()
    assert body["parent"] == world.a.pk
    assert body["credit_limit"] == "5000.50"
    assert body["currency"] == "EUR"
    assert body["customer_group"] == group.pk
    created = Account.objects.get(pk=body["id"])
    assert created.parent_path == world.a.path
    assert created.credit_limit == Decimal("5000.50")
    assert created.external_id == "SAP-AW"


@pytest.mark.django_db
def test_buyer_may_not_create_accounts(world: World, client_for: ClientFor) -> None:
    buyer = BuyerUserFactory(account=world.a, is_admin=True)

    response = client_for(buyer).post("/api/v1/accounts", {"name": "Shadow Co"}, content_type=JSON)

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_allowed"
    assert not Account.objects.filter(name="Shadow Co").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"number": "C-1"}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "Acme", "credit_limit": "-1.00"}, "credit_limit"),
        ({"name": "Acme", "credit_limit": "12.345"}, "credit_limit"),
        ({"name": "Acme", "credit_limit": "lots"}, "credit_limit"),
        ({"name": "Acme", "currency": "XXX"}, "currency"),
        ({"name": "Acme", "sales_rep": "me"}, "sales_rep"),
        ({"name": "x" * 201}, "name"),
    ],
    ids=[
        "missing-name",
        "blank-name",
        "negative-credit",
        "credit-cents",
        "credit-text",
        "currency",
        "rep",
        "long",
    ],
)
def test_bad_account_input_answers_422_naming_the_field(
    world: World, client_for: ClientFor, body: dict[str, Any], field: str
) -> None:
    response = client_for(world.admin).post("/api/v1/accounts", body, content_type=JSON)

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_input"
    assert list(error["fields"]) == [field]
    assert Account.objects.count() == 3


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["customer_group", "parent"])
def test_references_outside_the_organization_answer_422(
    world: World, client_for: ClientFor, field: str
) -> None:
    foreign = {"customer_group": CustomerGroupFactory(), "parent": AccountFactory()}[field]

    response = client_for(world.admin).post(
        "/api/v1/accounts", {"name": "Acme", field: foreign.pk}, content_type=JSON
    )

    assert response.status_code == 422
    assert list(response.json()["error"]["fields"]) == [field]
    assert not Account.objects.filter(name="Acme").exists()


@pytest.mark.django_db
def test_duplicate_external_id_answers_409(world: World, client_for: ClientFor) -> None:
    response = client_for(world.admin).post(
        "/api/v1/accounts", {"name": "Copy", "external_id": "SAP-A"}, content_type=JSON
    )

    assert response.status_code == 409
    assert response.json()["error"]["fields"] == {"external_id": ["already used"]}
    assert not Account.objects.filter(name="Copy").exists()


@pytest.mark.django_db
def test_patch_changes_only_the_fields_sent(world: World, client_for: ClientFor) -> None:
    Account.objects.filter(pk=world.a.pk).update(number="C-1", credit_limit=Decimal("100.00"), currency="EUR")
    client = client_for(world.admin)

    renamed = client.patch(f"/api/v1/accounts/{world.a.pk}", {"name": "Alpha Group"}, content_type=JSON)
    cleared = client.patch(f"/api/v1/accounts/{world.a.pk}", {"credit_limit": None}, content_type=JSON)

    assert renamed.status_code == 200
    assert renamed.json()["credit_limit"] == "100.00"
    assert cleared.status_code == 200
    world.a.refresh_from_db()
    assert world.a.name == "Alpha Group"
    assert world.a.number == "C-1"
    assert world.a.currency == "EUR"
    assert world.a.external_id == "SAP-A"
    assert world.a.credit_limit is None
    assert cleared.json()["children"] == [world.plant.pk]


@pytest.mark.django_db
def test_patch_refuses_null_for_required_fields_and_changes_nothing(
    world: World, client_for: ClientFor
) -> None:
    response = client_for(world.admin).patch(
        f"/api/v1/accounts/{world.a.pk}", {"name": None, "number": "C-9"}, content_type=JSON
    )

    assert response.status_code == 422
    assert list(response.json()["error"]["fields"]) == ["name"]
    world.a.refresh_from_db()
    assert (world.a.name, world.a.number) == ("Alpha Holding", "")


@pytest.mark.django_db
def test_patch_parent_moves_the_account_and_null_moves_it_to_the_top(
    world: World, client_for: ClientFor
) -> None:
    client = client_for(world.admin)

    moved = client.patch(f"/api/v1/accounts/{world.plant.pk}", {"parent": world.b.pk}, content_type=JSON)
    to_top = client.patch(f"/api/v1/accounts/{world.plant.pk}", {"parent": None}, content_type=JSON)

    assert moved.status_code == 200
    assert moved.json()["parent"] == world.b.pk
    assert to_top.status_code == 200
    assert to_top.json()["parent"] is None
    assert to_top.json()["depth"] == 1
    assert client.get(f"/api/v1/accounts/{world.a.pk}").json()["children"] == []


@pytest.mark.django_db
def test_moving_an_account_under_its_own_child_answers_422_and_changes_nothing(
    world: World, client_for: ClientFor
) -> None:
    response = client_for(world.admin).patch(
        f"/api/v1/accounts/{world.a.pk}", {"name": "Renamed", "parent": world.plant.pk}, content_type=JSON
    )

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_parent"
    world.a.refresh_from_db()
    assert world.a.name == "Alpha Holding"
    assert world.a.depth == 1


@pytest.mark.django_db
def test_rep_may_not_change_credit_limits_and_nothing_changes(world: World, client_for: ClientFor) -> None:
    rep = StaffMemberFactory(organization=world.org, role=StaffRole.SALES_REP)
    Account.objects.filter(pk=world.a.pk).update(sales_rep=rep)

    response = client_for(rep).patch(
        f"/api/v1/accounts/{world.a.pk}", {"name": "Renamed", "credit_limit": "1000000"}, content_type=JSON
    )

    assert response.status_code == 403
    world.a.refresh_from_db()
    assert world.a.name == "Alpha Holding"
    assert world.a.credit_limit is None


@pytest.mark.django_db
def test_customer_groups_list_and_create(world: World, client_for: ClientFor) -> None:
    gold = CustomerGroupFactory(organization=world.org, code="GOLD", name="Gold")
    CustomerGroupFactory(organization=world.org, code="OEM", name="OEM")
    CustomerGroupFactory(code="FOREIGN", name="Foreign")
    Account.objects.filter(pk=world.a.pk).update(customer_group=gold)
    client = client_for(world.admin)

    created = client.post(
        "/api/v1/customer-groups", {"code": "CONTR", "name": "Contractors"}, content_type=JSON
    )
    staff_view = client.get("/api/v1/customer-groups")
    buyer_view = client_for(BuyerUserFactory(account=world.a)).get("/api/v1/customer-groups")

    assert created.status_code == 201
    assert created.json()["code"] == "CONTR"
    assert [item["code"] for item in staff_view.json()["items"]] == ["CONTR", "GOLD", "OEM"]
    assert [item["code"] for item in buyer_view.json()["items"]] == ["GOLD"]


@pytest.mark.django_db
def test_buyer_may_not_create_customer_groups(world: World, client_for: ClientFor) -> None:
    client = client_for(BuyerUserFactory(account=world.a, is_admin=True))

    response = client.post("/api/v1/customer-groups", {"code": "VIP", "name": "VIP"}, content_type=JSON)

    assert response.status_code == 403
    assert not CustomerGroup.objects.filter(code="VIP").exists()


@pytest.mark.django_db
def test_duplicate_customer_group_code_answers_422(world: World, client_for: ClientFor) -> None:
    CustomerGroupFactory(organization=world.org, code="GOLD", name="Gold")

    response = client_for(world.admin).post(
        "/api/v1/customer-groups", {"code": "GOLD", "name": "Gold again"}, content_type=JSON
    )

    assert response.status_code == 422
    assert list(response.json()["error"]["fields"]) == ["code"]
    assert CustomerGroup.objects.filter(organization=world.org).count() == 1


@pytest.mark.django_db
def test_duplicate_customer_group_external_id_answers_409_not_500(
    world: World, client_for: ClientFor
) -> None:
    CustomerGroupFactory(organization=world.org, code="GOLD", name="Gold", external_id="G-1")

    response = client_for(world.admin).post(
        "/api/v1/customer-groups",
        {"code": "SILVER", "name": "Silver", "external_id": "G-1"},
        content_type=JSON,
    )

    assert response.status_code == 409
    assert not CustomerGroup.objects.filter(code="SILVER").exists()


@pytest.mark.django_db
def test_an_address_keeps_its_coordinates_both_or_neither(world: World, client_for: ClientFor) -> None:
    client = client_for(world.admin)
    url = f"/api/v1/accounts/{world.a.pk}/addresses"
    base = {"line1": "1 Dock St", "city": "Sacramento", "country": "US"}

    located = client.post(url, {**base, "latitude": "38.58", "longitude": "-121.49"}, content_type=JSON)
    plain = client.post(url, base, content_type=JSON)
    half = client.post(url, {**base, "latitude": "38.58"}, content_type=JSON)
    out_of_range = client.post(url, {**base, "latitude": "91", "longitude": "0"}, content_type=JSON)

    assert located.status_code == 201, located.content
    assert (located.json()["latitude"], located.json()["longitude"]) == ("38.580000", "-121.490000")
    assert (plain.json()["latitude"], plain.json()["longitude"]) == (None, None)
    assert (half.status_code, half.json()["error"]["fields"]) == (
        422,
        {"latitude": ["give both latitude and longitude, or neither"]},
    )
    assert out_of_range.status_code == 422
    assert "latitude" in str(out_of_range.json()["error"]["fields"])
    assert world.a.addresses.count() == 2
