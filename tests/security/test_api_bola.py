"""The BOLA/IDOR matrix of the API, generated from the OpenAPI schema and the permission matrix.

For every operation that takes an object id, the object is made in account A of organization 1
and the operation is called by each outsider: a buyer of account B (same organization), a sales
rep not assigned to A, and an admin of another organization. Each answer must be exactly the
answer for an id that does not exist (404, or the same 403 a role check gives before any lookup),
carry nothing of A's, and change nothing. Every list, called by the same outsiders, must not
contain A's objects. The in-scope caller is checked too, so a generator bug cannot pass vacuously.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.http import HttpResponse

from meridian.api.permissions import OPERATIONS, OWNER_ONLY_KINDS, Kind, Scope
from meridian.core.actor import BuyerRole, StaffRole
from meridian.customers.models import BuyerUser
from meridian.staff.models import StaffMember
from tests.security import snapshot
from tests.security.figures import add, cover
from tests.security.http import call, error_code, items, leaked_marks
from tests.security.schema import Operation, minimal_body, operations
from tests.security.world import (
    BUYER_OF_OTHER_ORG,
    OUTSIDERS,
    STAFF_OF_OTHER_ORG,
    World,
    fill,
)


@pytest.fixture
def world(shared_world: World, db: None) -> World:
    """The module's shared world (see conftest.shared_world)."""
    return shared_world


ID_FIELD = {Kind.PRODUCT: "sku", Kind.ORDER: "number"}


def _outsiders(operation: Operation) -> tuple[str, ...]:
    """Who is out of scope: for customer data all three outsiders; for master data, the other org."""
    rule = OPERATIONS.get(operation.id)
    if rule is None:
        return OUTSIDERS  # fails in the test, naming the operation
    if rule.lists is not None:
        return OUTSIDERS
    scopes = {kind.scope for kind in rule.params.values()}
    return OUTSIDERS if Scope.ACCOUNT in scopes else (STAFF_OF_OTHER_ORG,)


def _takes_ids(operation: Operation) -> bool:
    rule = OPERATIONS.get(operation.id)
    return bool(operation.path_params or (rule is not None and rule.params))


TARGETS = [op for op in operations() if not op.is_public and (_takes_ids(op) or op.is_list)]
CASES = [(op, outsider) for op in TARGETS for outsider in _outsiders(op)]
ID_TAKING = [op for op in TARGETS if _takes_ids(op)]
LISTS = [op for op in TARGETS if op.is_list]


def role_allowed(operation: Operation, member: BuyerUser | StaffMember) -> bool:
    rule = operation.rule
    if isinstance(member, BuyerUser):
        return any(BuyerRole(role) in rule.buyer_roles for role in member.roles)
    return StaffRole(member.role) in rule.staff_roles


def body_for(operation: Operation, world: World, member: BuyerUser | StaffMember) -> Any:
    if operation.request_schema is None:
        return None
    template = operation.rule.example or minimal_body(operation.request_schema)
    return fill(template, world=world, account=world.own_account(member))


def variants(operation: Operation, world: World, member: BuyerUser | StaffMember) -> Iterator[dict[str, str]]:
    """Ways to name A's object: by id, by `ext:` key, and under the caller's own parent (IDOR)."""
    params = operation.rule.params
    values = {name: world.ref(kind) for name, kind in params.items()}
    yield values
    for name, kind in params.items():
        for alternative in world.alternative_refs(kind):
            yield {**values, name: alternative}
    names = list(params)
    if len(names) > 1 and params[names[0]] is Kind.ACCOUNT and names[0] in operation.path_params:
        yield {**values, names[0]: world.ref(Kind.ACCOUNT, of_account=world.own_account(member))}


def hidden_params(operation: Operation, outsider: str) -> list[str]:
    """The parameters naming an object this outsider may not see (customer data: every outsider;
    master data: only another organization's callers)."""
    other_org = outsider in (STAFF_OF_OTHER_ORG, BUYER_OF_OTHER_ORG)
    return [name for name, kind in operation.rule.params.items() if kind.scope is Scope.ACCOUNT or other_org]


def missing_twin(
    operation: Operation, world: World, values: dict[str, str], hidden: list[str]
) -> dict[str, str]:
    """The same request naming nothing: the hidden objects replaced by references no object has."""
    twin = dict(values)
    for name in hidden:
        kind = operation.rule.params[name]
        if values[name] in (world.ref(kind), *world.alternative_refs(kind)):
            twin[name] = world.missing_ref(kind)
    return twin


def expected_statuses(operation: Operation, member: BuyerUser | StaffMember, hidden: list[str]) -> set[int]:
    """404 for an object in the path; a filter or body field naming one may also be a bad value (422);
    a role that may not call the operation at all may be told so first (403)."""
    statuses = {404} if set(hidden) <= set(operation.path_params) else {404, 422}
    if operation.rule.upsert:
        statuses |= {201}
    if not role_allowed(operation, member):
        statuses |= {403}
    return statuses


def assert_no_leak(
    response: HttpResponse, member: BuyerUser | StaffMember, world: World, sent: list[Any]
) -> None:
    same_org = world.own_account(member).organization_id == world.org.pk
    leaked = leaked_marks(response.content, same_organization=same_org, sent=sent)
    assert not leaked, f"{response.status_code} leaks {leaked}: {response.content[:500]!r}"


@pytest.mark.django_db
@pytest.mark.parametrize(("operation", "outsider"), CASES, ids=[f"{op.id}-{who}" for op, who in CASES])
def test_outsider_is_answered_as_if_the_object_did_not_exist(
    operation: Operation, outsider: str, world: World
) -> None:
    rule = operation.rule
    member = world.outsider(outsider)
    client = world.api_client(member)
    before = snapshot.take()

    hidden = hidden_params(operation, outsider)
    for values in variants(operation, world, member) if rule.params else [{}]:
        body = body_for(operation, world, member)
        response = call(client, operation, values, body)
        add("bola_api_requests")
        assert_no_leak(response, member, world, [values, body])
        if hidden:
            twin = call(
                client,
                operation,
                missing_twin(operation, world, values, hidden),
                body_for(operation, world, member),
            )
            add("bola_api_requests")
            assert (response.status_code, error_code(response)) == (twin.status_code, error_code(twin)), (
                f"{operation} {values}: {response.status_code} {response.content[:300]!r} differs from a "
                f"missing id's {twin.status_code} {twin.content[:300]!r}"
            )
            assert response.status_code in expected_statuses(operation, member, hidden), response.content
        elif response.status_code == 200 and rule.lists is not None:
            listed = world.identifiers(rule.lists)
            if rule.lists.scope is Scope.ACCOUNT or outsider == STAFF_OF_OTHER_ORG:
                field = ID_FIELD.get(rule.lists, "id")
                shown = {item[field] for item in items(response)}
                assert not shown & listed, f"{operation} lists {shown & listed} to {outsider}"

    changes = snapshot.diff(before, snapshot.take())
    if rule.upsert:
        # A new key made an object in the caller's own organization; nothing existing changed.
        assert all(change.kind == "added" for change in changes), snapshot.describe(changes)
        assert all((change.after or {}).get("organization_id") != world.org.pk for change in changes)
    else:
        assert not changes, snapshot.describe(changes)
    add("bola_api_cases")
    cover("bola_api_operations", operation.id)


@pytest.mark.django_db
@pytest.mark.parametrize("operation", ID_TAKING, ids=[op.id for op in ID_TAKING])
def test_the_in_scope_caller_reaches_the_same_object(operation: Operation, world: World) -> None:
    """The control: the same request by A's seller admin succeeds, so the 404s above mean something."""
    values = {name: world.ref(kind) for name, kind in operation.rule.params.items()}

    response = call(world.api_client(world.admin), operation, values, body_for(operation, world, world.admin))

    assert 200 <= response.status_code < 300, response.content


@pytest.mark.django_db
@pytest.mark.parametrize("operation", LISTS, ids=[op.id for op in LISTS])
def test_the_in_scope_caller_sees_the_listed_objects(operation: Operation, world: World) -> None:
    listed = operation.rule.lists
    assert listed is not None
    values = {name: world.ref(kind) for name, kind in operation.rule.params.items()}

    response = call(world.api_client(world.admin), operation, values)

    assert response.status_code == 200, response.content
    shown = {item[ID_FIELD.get(listed, "id")] for item in items(response)}
    assert shown & world.identifiers(listed), f"{operation}: the admin should see A's {listed} objects"


# --- objects of one user (OWNER_ONLY_KINDS): a colleague and the seller's staff are outsiders too ---

OWNED = [op for op in ID_TAKING if OWNER_ONLY_KINDS & set(op.rule.params.values())]


def _private_values(operation: Operation, world: World) -> dict[str, str]:
    return {
        name: world.private_ref(kind) if kind in OWNER_ONLY_KINDS else world.ref(kind)
        for name, kind in operation.rule.params.items()
    }


@pytest.mark.django_db
@pytest.mark.parametrize("operation", OWNED, ids=[op.id for op in OWNED])
def test_a_users_own_object_is_theirs_alone(operation: Operation, world: World) -> None:
    values = _private_values(operation, world)
    for member in (world.member_a, world.rep_a, world.admin):
        client = world.api_client(member)
        before = snapshot.take()

        response = call(client, operation, values, body_for(operation, world, member))
        twin = call(
            client,
            operation,
            {
                name: world.missing_ref(kind) if kind in OWNER_ONLY_KINDS else values[name]
                for name, kind in operation.rule.params.items()
            },
            body_for(operation, world, member),
        )

        add("bola_api_requests", 2)
        assert response.status_code == 404, (member, response.content)
        assert (response.status_code, error_code(response)) == (twin.status_code, error_code(twin))
        assert_no_leak(response, member, world, [values])
        changes = snapshot.diff(before, snapshot.take())
        assert not changes, snapshot.describe(changes)

    owner = call(
        world.api_client(world.buyer_a), operation, values, body_for(operation, world, world.buyer_a)
    )
    assert 200 <= owner.status_code < 300, owner.content  # the control: its owner reaches it
    cover("bola_api_operations", operation.id)
