from __future__ import annotations

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from meridian.catalog import engine
from meridian.catalog.models import Category, CustomerPartNumber, Product
from meridian.catalog.queries import search_products
from meridian.core.actor import Actor, ActorKind, BuyerRole, StaffRole
from meridian.core.models import User
from meridian.customers.models import Account, Address, BuyerUser
from meridian.customers.queries import build_actor
from meridian.customers.services import AccountFields, create_account
from meridian.demo import reference
from meridian.demo.seed import SeedRefused, find_demo_organization, seed_demo
from meridian.staff.models import StaffMember

NO_PROBLEMS: tuple[list[int], ...] = ([], [], [], [], [])


def snapshot() -> dict[str, list[object]]:
    return {
        "skus": list(Product.objects.order_by("sku").values_list("sku", flat=True)),
        "accounts": list(Account.objects.order_by("path").values_list("path", "name")),
        "buyers": list(BuyerUser.objects.order_by("user__email").values_list("user__email", "account__path")),
        "part_numbers": list(
            CustomerPartNumber.objects.order_by("account__path", "normalized").values_list(
                "account__path", "part_number", "product__sku"
            )
        ),
    }


def row_counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Product, Category, Account, Address, BuyerUser, User, StaffMember, CustomerPartNumber)
    }


def actor_of(email: str) -> Actor:
    return build_actor(user_id=User.objects.get(email=email).pk)


@pytest.mark.django_db
def test_same_seed_gives_the_same_data() -> None:
    seed_demo(profile="small", seed=7)
    first = snapshot()

    seed_demo(profile="small", seed=7, reset=True)

    assert snapshot() == first
    assert len(first["skus"]) == 500
    assert 45 <= len(first["accounts"]) <= 50


@pytest.mark.django_db
def test_another_seed_gives_other_data() -> None:
    seed_demo(profile="tiny", seed=1)
    first = snapshot()

    seed_demo(profile="tiny", seed=2, reset=True)

    assert snapshot()["skus"] != first["skus"]
    assert snapshot()["accounts"] != first["accounts"]


@pytest.mark.django_db
def test_trees_are_valid_and_services_can_grow_them() -> None:
    seed_demo(profile="small")
    back_office = actor_of(reference.DEMO_BACK_OFFICE.email)
    company = Account.objects.get(name=reference.DEMO_ACCOUNT)

    assert Account.objects.find_problems() == NO_PROBLEMS
    assert Category.objects.find_problems() == NO_PROBLEMS
    assert Account.objects.filter(depth=3).exists()
    assert Category.objects.filter(depth=3).exists()
    # treebeard places a new child after the seeded ones: paths and numchild are what it expects.
    child = create_account(actor=back_office, fields=AccountFields(name="Flint Plant"), parent=company)
    assert child.path == company.path + "0003"
    assert Account.objects.find_problems() == NO_PROBLEMS


@pytest.mark.django_db
def test_every_company_has_an_admin_and_defaults_are_set() -> None:
    seed_demo(profile="small")

    companies = Account.objects.filter(depth=1)
    assert companies.count() >= 10
    for company in companies:
        assert BuyerUser.objects.filter(account=company, is_admin=True).exists(), company.name
        assert Address.objects.filter(account=company, is_default_billing=True).count() == 1
        assert Address.objects.filter(account=company, is_default_shipping=True).count() == 1
        assert company.customer_group_id is not None
        assert company.sales_rep_id is not None or company.territory_id is not None


@pytest.mark.django_db
def test_rows_are_what_the_services_would_write() -> None:
    seed_demo(profile="small")

    for product in Product.objects.order_by("pk")[:50]:
        expected = engine.search_document(
            sku=product.sku, name=product.name, description=product.description, attributes=product.attributes
        )
        # The same words: PostgreSQL's jsonb does not keep the attributes' key order.
        assert sorted(product.search_document.split()) == sorted(expected.split())
    for row in CustomerPartNumber.objects.all():
        assert row.normalized == engine.normalize_part_number(row.part_number)
    # One password hash shared by every seeded login: seeding hashes once.
    assert User.objects.values("password").distinct().count() == 1
    assert all(email == email.lower() for email in User.objects.values_list("email", flat=True))


@pytest.mark.django_db
def test_demo_logins_authenticate_and_act_with_their_roles() -> None:
    seed_demo(profile="small")

    for login in reference.DEMO_LOGINS:
        user = authenticate(username=login.email, password=reference.DEMO_PASSWORD)
        assert user is not None, login.email
        actor = build_actor(user_id=user.pk)
        if login.staff_role is not None:
            assert actor.kind is ActorKind.STAFF
            assert actor.staff_role == login.staff_role
        else:
            assert actor.kind is ActorKind.BUYER
            assert actor.buyer_roles == login.buyer_roles
    buyer = actor_of(reference.DEMO_BUYER.email)
    assert len(buyer.account_chain_ids) == 2  # a plant under the demo company
    assert actor_of(reference.DEMO_ACCOUNT_ADMIN.email).has_buyer_role(BuyerRole.ADMIN)
    assert actor_of(reference.DEMO_SALES_REP.email).staff_role == StaffRole.SALES_REP
    assert User.objects.get(email=reference.DEMO_BACK_OFFICE.email).is_superuser


@pytest.mark.django_db
def test_part_numbers_are_searchable_by_their_buyers() -> None:
    seed_demo(profile="small")
    buyers = [
        actor_of(reference.DEMO_BUYER.email),
        *(
            build_actor(user_id=buyer.user_id)
            for buyer in BuyerUser.objects.filter(account__depth=3).order_by("pk")[:5]
        ),
    ]

    for actor in buyers:
        rows = CustomerPartNumber.objects.filter(account_id__in=list(actor.account_chain_ids)).order_by("pk")
        assert rows.exists()
        for row in rows[:8]:
            loosely_typed = row.part_number.lower().replace("-", " ")
            for query in (row.part_number, loosely_typed):
                page = search_products(actor=actor, query=query, limit=24)
                assert row.product_id in [product.pk for product in page.items], query
                assert page.part_numbers[row.product_id]


@pytest.mark.django_db
def test_visibility_rules_shape_what_buyers_see() -> None:
    seed_demo(profile="small")
    hazmat = Category.objects.get(name="Hazmat & Chemicals")
    oem = Category.objects.get(name="OEM Components")
    plant_buyer = actor_of(reference.DEMO_BUYER.email)
    company_admin = actor_of(reference.DEMO_ACCOUNT_ADMIN.email)
    standard = BuyerUser.objects.filter(account__customer_group__code="STD").order_by("pk")[0]
    standard_buyer = build_actor(user_id=standard.user_id)

    assert search_products(actor=plant_buyer, category=hazmat).count == 0  # the plant excludes hazmat
    assert search_products(actor=company_admin, category=hazmat).count > 0
    assert search_products(actor=plant_buyer, category=oem).count > 0  # the OEM group includes it
    assert search_products(actor=standard_buyer, category=oem).count == 0


@pytest.mark.django_db
def test_seeding_again_without_reset_refuses_and_changes_nothing() -> None:
    seed_demo(profile="tiny")
    before = row_counts()
    organization = find_demo_organization()

    with pytest.raises(SeedRefused):
        seed_demo(profile="tiny")
    with pytest.raises(CommandError, match="--reset"):
        call_command("seed", profile="tiny", verbosity=0)

    assert row_counts() == before
    assert find_demo_organization() == organization


@pytest.mark.django_db
def test_reset_removes_the_previous_logins() -> None:
    seed_demo(profile="tiny")
    before = row_counts()

    call_command("seed", profile="tiny", reset=True, verbosity=0)

    assert row_counts() == before
    assert User.objects.filter(email=reference.DEMO_BUYER.email).count() == 1
