"""Behaviour every endpoint shares: error bodies, unreadable input, unknown paths, OpenAPI."""

from __future__ import annotations

import pytest
from django.test import Client

from meridian.core.actor import StaffRole
from meridian.customers.models import Account
from tests.api.conftest import ClientFor
from tests.customers.factories import AccountFactory
from tests.staff.factories import StaffMemberFactory


@pytest.fixture
def admin_client(client_for: ClientFor) -> Client:
    return client_for(StaffMemberFactory(role=StaffRole.ADMIN))


@pytest.mark.django_db
def test_malformed_json_answers_400_and_creates_nothing(admin_client: Client) -> None:
    response = admin_client.post("/api/v1/accounts", '{"name": "Acme",', content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed_json"
    assert Account.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("body", ['{"name": NaN}', "\xff\xfe"], ids=["nan", "not-utf8"])
def test_json_python_would_accept_but_others_do_not_answers_400(admin_client: Client, body: str) -> None:
    response = admin_client.post("/api/v1/accounts", body.encode("latin-1"), content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed_json"


@pytest.mark.django_db
def test_a_json_array_instead_of_an_object_answers_422(admin_client: Client) -> None:
    response = admin_client.post("/api/v1/accounts", "[1, 2]", content_type="application/json")

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_input"
    assert Account.objects.count() == 0


@pytest.mark.django_db
def test_nul_characters_answer_422_naming_the_field(admin_client: Client) -> None:
    response = admin_client.post("/api/v1/accounts", {"name": "Ac\x00me"}, content_type="application/json")
    in_query = admin_client.get("/api/v1/accounts", {"q": "a\x00"})
    in_path = admin_client.get("/api/v1/accounts/ext:a%00b")

    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"name": ["contains a NUL character"]}
    assert in_query.status_code == 422
    assert in_query.json()["error"]["fields"] == {"q": ["contains a NUL character"]}
    assert in_path.status_code == 422
    assert Account.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("reference", ["99999999999999999999999", "²", "0", "ext:"])
def test_ids_no_row_can_have_answer_404(client_for: ClientFor, reference: str) -> None:
    admin = StaffMemberFactory(role=StaffRole.ADMIN)
    AccountFactory(organization=admin.organization, external_id="")

    response = client_for(admin).get(f"/api/v1/accounts/{reference}")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "account_not_found"


@pytest.mark.django_db
def test_huge_ids_in_a_body_answer_422(admin_client: Client) -> None:
    response = admin_client.post(
        "/api/v1/accounts", {"name": "Acme", "customer_group": 2**70}, content_type="application/json"
    )

    assert response.status_code == 422
    assert list(response.json()["error"]["fields"]) == ["customer_group"]
    assert Account.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["limit=1000", "limit=0", "offset=-1", "limit=ten"])
def test_out_of_range_pages_answer_422(admin_client: Client, query: str) -> None:
    response = admin_client.get(f"/api/v1/accounts?{query}")

    assert response.status_code == 422
    body = response.json()["error"]
    assert body["code"] == "invalid_input"
    assert list(body["fields"]) == [query.split("=")[0]]


@pytest.mark.django_db
def test_unknown_paths_answer_404_in_the_error_body(admin_client: Client) -> None:
    for path in ("/api/v1/nothing-here", "/api/v1/accounts/1/nothing", "/api/v1/accounts/"):
        response = admin_client.get(path)

        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"


def test_openapi_schema_and_docs_are_served() -> None:
    schema = Client().get("/api/v1/openapi.json")
    docs = Client().get("/api/v1/docs")

    assert schema.status_code == 200
    operations = [operation for path in schema.json()["paths"].values() for operation in path.values()]
    assert {"issue_api_token", "list_accounts", "upsert_product", "get_product"} <= {
        operation["operationId"] for operation in operations
    }
    assert all(operation.get("description") for operation in operations)
    assert docs.status_code == 200
