from __future__ import annotations

import pytest
from django.contrib import admin
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from meridian.core.actor import StaffRole
from meridian.tenancy.models import Organization
from tests.catalog.factories import CategoryFactory, ProductFactory
from tests.customers.factories import AccountFactory
from tests.staff.factories import StaffMemberFactory

MASTER_DATA_APPS = {"core", "tenancy", "customers", "staff", "catalog"}


def _change_form_data(page: HttpResponse) -> dict[str, object]:
    """What the admin change page would post back unchanged (fields and inline management forms)."""
    form = page.context["adminform"].form
    data: dict[str, object] = {
        name: form[name].value() for name in form.fields if form[name].value() is not None
    }
    for inline in page.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        data.update({management.add_prefix(name): management[name].value() for name in management.fields})
    return data


def _master_data_models() -> list[type]:
    return [model for model in admin.site._registry if model._meta.app_label in MASTER_DATA_APPS]


def test_master_data_is_registered_in_the_admin() -> None:
    names = {f"{model._meta.app_label}.{model.__name__}" for model in _master_data_models()}

    assert {
        "core.User",
        "tenancy.Organization",
        "tenancy.Website",
        "customers.Account",
        "customers.BuyerUser",
        "staff.StaffMember",
        "catalog.Category",
        "catalog.Product",
        "catalog.CustomerPartNumber",
        "catalog.VisibilityRule",
    } <= names


@pytest.mark.django_db
def test_an_admin_opens_every_master_data_list_and_add_page(client: Client, org: Organization) -> None:
    staff = StaffMemberFactory(
        organization=org, role=StaffRole.ADMIN, user__is_staff=True, user__is_superuser=True
    )
    holding = AccountFactory(organization=org, name="Acme Holding")
    AccountFactory(parent=holding, name="Acme Plant")
    tools = CategoryFactory(organization=org, name="Tools", slug="tools")
    ProductFactory(organization=org, category=tools, sku="DR-1")
    client.force_login(staff.user)

    for model in _master_data_models():
        info = (model._meta.app_label, model._meta.model_name)
        changelist = client.get(reverse("admin:{}_{}_changelist".format(*info)))
        assert changelist.status_code == 200, info
        if admin.site._registry[model].has_add_permission(changelist.wsgi_request):
            assert client.get(reverse("admin:{}_{}_add".format(*info))).status_code == 200, info


@pytest.mark.django_db
def test_the_admin_is_closed_to_staff_without_admin_access_and_to_buyers(
    client: Client, org: Organization
) -> None:
    rep = StaffMemberFactory(organization=org, role=StaffRole.SALES_REP, user__is_staff=False)
    client.force_login(rep.user)

    response = client.get("/admin/catalog/product/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.django_db
def test_saving_a_product_in_the_admin_refreshes_what_search_matches(
    client: Client, org: Organization
) -> None:
    staff = StaffMemberFactory(
        organization=org, role=StaffRole.ADMIN, user__is_staff=True, user__is_superuser=True
    )
    product = ProductFactory(organization=org, sku="DR-1", name="Drill")
    client.force_login(staff.user)

    url = f"/admin/catalog/product/{product.pk}/change/"
    data = _change_form_data(client.get(url))
    data["name"] = "Hammer drill"

    response = client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:2000]
    product.refresh_from_db()
    assert product.name == "Hammer drill"
    assert "hammer drill" in product.search_document
