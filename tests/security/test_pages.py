"""The BOLA/IDOR matrix of the portal and console pages, generated from the URL resolver.

Every URL pattern with a converter must be described in `meridian.api.permissions.PAGES` (or be
a capability link, or belong to a namespace checked elsewhere). Each described page is opened,
with every method it answers, by outsiders: on the portal a buyer of account B and a buyer of
another organization, on the console also a sales rep not assigned to A and another
organization's admin. Each gets what a missing id gets (404), sees nothing of A's, and changes
nothing; A's own buyer admin and the seller admin, the controls, get the page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from meridian.api.permissions import (
    CAPABILITY_PAGES,
    CONSOLE,
    PAGES,
    PAGES_CHECKED_ELSEWHERE,
    PORTAL,
    Page,
    Scope,
)
from meridian.customers.models import BuyerUser
from meridian.staff.models import StaffMember
from tests.security import snapshot
from tests.security.figures import add, cover
from tests.security.http import leaked_marks
from tests.security.world import (
    BUYER_OF_OTHER_ACCOUNT,
    BUYER_OF_OTHER_ORG,
    REP_NOT_ASSIGNED,
    STAFF_OF_OTHER_ORG,
    World,
    fill,
)


@pytest.fixture
def world(shared_world: World, db: None) -> World:
    """The module's shared world (see conftest.shared_world)."""
    return shared_world


def _parameters(pattern: URLPattern | URLResolver) -> list[str]:
    route = pattern.pattern
    converters = getattr(route, "converters", None)
    if converters is not None:
        return list(converters)
    return list(re.compile(str(route)).groupindex)


def url_map(
    patterns: list[Any] | None = None, namespace: str = "", inherited: tuple[str, ...] = ()
) -> Iterator[tuple[str, str, tuple[str, ...]]]:
    """(namespace, "namespace:name", parameter names) for every named URL pattern."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        params = (*inherited, *_parameters(pattern))
        if isinstance(pattern, URLResolver):
            inner = ":".join(part for part in (namespace, pattern.namespace or "") if part)
            yield from url_map(pattern.url_patterns, inner, params)
        else:
            name = f"{namespace}:{pattern.name}" if namespace else str(pattern.name)
            yield namespace, name, params


TAKING_IDS = sorted({(ns, name, params) for ns, name, params in url_map() if params})


def test_every_page_that_takes_an_id_is_described() -> None:
    undescribed = []
    for namespace, name, params in TAKING_IDS:
        if namespace.split(":")[0] in PAGES_CHECKED_ELSEWHERE or name in CAPABILITY_PAGES:
            continue
        page = PAGES.get(name)
        if page is None:
            undescribed.append(f"{name} {params}")
        else:
            assert set(page.params) == set(params), (
                f"{name}: the matrix says {set(page.params)}, the URL {params}"
            )

    assert not undescribed, f"describe these pages in meridian/api/permissions.py PAGES: {undescribed}"


def test_the_page_matrix_names_only_existing_pages() -> None:
    names = {name for _, name, _ in TAKING_IDS}

    assert not (set(PAGES) | set(CAPABILITY_PAGES)) - names


def _outsiders(page: Page) -> tuple[str, ...]:
    customer_data = any(kind.scope is Scope.ACCOUNT for kind in page.params.values())
    if page.channel == PORTAL:
        return (BUYER_OF_OTHER_ACCOUNT, BUYER_OF_OTHER_ORG) if customer_data else (BUYER_OF_OTHER_ORG,)
    if customer_data:
        return (BUYER_OF_OTHER_ACCOUNT, REP_NOT_ASSIGNED, STAFF_OF_OTHER_ORG)
    return (BUYER_OF_OTHER_ACCOUNT, STAFF_OF_OTHER_ORG)


CASES = [
    (name, outsider, method)
    for name, page in PAGES.items()
    for outsider in _outsiders(page)
    for method in sorted(page.methods)
]


def _login(member: BuyerUser | StaffMember) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


def _open(client: Client, name: str, method: str, values: dict[str, str], world: World, member: Any) -> Any:
    url = reverse(name, kwargs=values)
    if method == "GET":
        return client.get(url)
    return client.post(url, fill(PAGES[name].form or {}, world=world, account=world.own_account(member)))


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "outsider", "method"), CASES, ids=[f"{n}-{o}-{m}" for n, o, m in CASES])
def test_outsider_gets_the_missing_page(name: str, outsider: str, method: str, world: World) -> None:
    page = PAGES[name]
    member = world.outsider(outsider)
    client = _login(member)
    values = {param: world.ref(kind) for param, kind in page.params.items()}
    missing = {param: world.missing_ref(kind) for param, kind in page.params.items()}
    before = snapshot.take()

    response = _open(client, name, method, values, world, member)
    twin = _open(client, name, method, missing, world, member)

    assert response.status_code == twin.status_code == 404, (response.status_code, twin.status_code)
    same_org = world.own_account(member).organization_id == world.org.pk
    leaked = leaked_marks(response.content, same_organization=same_org, sent=list(values.values()))
    assert not leaked, f"{name} leaks {leaked} to {outsider}"
    changes = snapshot.diff(before, snapshot.take())
    assert not changes, snapshot.describe(changes)
    add("bola_page_cases")
    cover("bola_pages", name)


CONTROLS = [(name, method) for name, page in PAGES.items() for method in sorted(page.methods)]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "method"), CONTROLS, ids=[f"{n}-{m}" for n, m in CONTROLS])
def test_the_in_scope_user_gets_the_page(name: str, method: str, world: World) -> None:
    page = PAGES[name]
    member = world.buyer_a if page.channel == PORTAL else world.admin
    values = {param: world.ref(kind) for param, kind in page.params.items()}

    response = _open(_login(member), name, method, values, world, member)

    assert response.status_code in ((200,) if method == "GET" else (200, 302)), response.status_code
    if method == "POST":
        assert not response.context or not _form_errors(response), _form_errors(response)


def _form_errors(response: Any) -> dict[str, Any]:
    errors = {}
    for context in response.context or []:
        for value in context.flatten().values():
            if hasattr(value, "errors") and hasattr(value, "is_bound") and value.is_bound and value.errors:
                errors.update(value.errors)
    return errors


@pytest.mark.django_db
@pytest.mark.parametrize("who", [BUYER_OF_OTHER_ACCOUNT, REP_NOT_ASSIGNED])
def test_the_django_admin_turns_away_buyers_and_staff_without_admin_access(who: str, world: World) -> None:
    member = world.outsider(who)

    response = _login(member).get(f"/admin/customers/account/{world.account_a.pk}/change/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.django_db
def test_a_forged_or_used_invitation_link_shows_no_form_and_sets_no_password(world: World) -> None:
    invited = world.member_a.user
    invited.set_unusable_password()
    invited.save()
    uidb64 = urlsafe_base64_encode(force_bytes(invited.pk))
    forged = reverse("portal:invite", kwargs={"uidb64": uidb64, "token": "set-password"})
    other_token = default_token_generator.make_token(world.buyer_b.user)
    stolen = reverse("portal:invite", kwargs={"uidb64": uidb64, "token": other_token})

    for url in (forged, stolen):
        response = Client().post(
            url, {"new_password1": "Str0ng-pass-phrase", "new_password2": "Str0ng-pass-phrase"}
        )
        assert response.status_code == 200
        assert b"new_password1" not in response.content
    invited.refresh_from_db()
    assert not invited.has_usable_password()


def test_every_namespace_skipped_here_is_one_the_url_map_has() -> None:
    namespaces = {namespace.split(":")[0] for namespace, _, _ in url_map() if namespace}

    assert set(PAGES_CHECKED_ELSEWHERE) <= namespaces
    assert {page.channel for page in PAGES.values()} <= {PORTAL, CONSOLE}
