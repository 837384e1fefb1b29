"""Mass assignment: read-only fields sent to any write operation change nothing that is stored.

Read-only fields are those an operation answers but does not accept (`id`, `depth`, `children`,
`created_at`, `has_password`, ...), plus the columns no body may set (`organization`, `path`,
`numchild`, `search_document`, `account` on a user, `key_hash`, `is_superuser`, ...). Each gets a
hostile value: one that points at another account or organization, or a sentinel nothing
produces. The write must answer 2xx (extras ignored: the API's policy, see docs/security.md) or
422, and no row it added or changed may hold a hostile value.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from meridian.core.actor import BuyerRole, StaffRole
from meridian.core.services import authenticate_token
from tests.security import snapshot
from tests.security.figures import add
from tests.security.http import call
from tests.security.schema import Operation, minimal_body, operations, properties
from tests.security.world import World, fill, member_with_role


@pytest.fixture
def world(shared_world: World, db: None) -> World:
    """The module's shared world (see conftest.shared_world)."""
    return shared_world


SENTINEL_INT = 987_654_321
SENTINEL_TEXT = "massassigned"
SENTINEL_TIME = "2001-02-03T04:05:06Z"
SENTINEL_DATETIME = dt.datetime(2001, 2, 3, 4, 5, 6, tzinfo=dt.UTC)
CHOSEN_SECRET = "mrd_chosen-by-the-caller"

# Columns no request body may set, whatever the schema says.
INTERNAL = [
    "id",
    "pk",
    "organization",
    "organization_id",
    "account",
    "account_id",
    "user",
    "user_id",
    "path",
    "depth",
    "numchild",
    "created_at",
    "updated_at",
    "search_document",
    "normalized",
    "is_superuser",
    "is_staff",
    "key_hash",
    "prefix",
    "secret",
    "kind",
    "revoked_at",
    "last_used_at",
    "date_joined",
    "password",
]

WRITES = [op for op in operations() if op.is_write and op.request_schema is not None and not op.is_public]


def hostile_fields(operation: Operation, world: World) -> dict[str, Any]:
    accepted = set(properties(operation.request_schema))
    answered = properties(operation.response_schema)
    names = [name for name in dict.fromkeys([*answered, *INTERNAL]) if name not in accepted]
    by_name: dict[str, Any] = {
        "organization": world.other_org.pk,
        "organization_id": world.other_org.pk,
        "account": world.account_b.pk,
        "account_id": world.account_b.pk,
        "user": world.buyer_b.user_id,
        "user_id": world.buyer_b.user_id,
        "path": "ZZZZ",
        "depth": 42,
        "numchild": 77,
        "is_superuser": True,
        "is_staff": True,
        "is_active": False,
        "has_password": False,
        "secret": CHOSEN_SECRET,
        "key_hash": "0" * 64,
        "kind": "api_key",
        "password": "chosen-Passw0rd!",
    }
    hostile: dict[str, Any] = {}
    for name in names:
        if name in by_name:
            hostile[name] = by_name[name]
        elif name.endswith("_at") or answered.get(name, {}).get("format") == "date-time":
            hostile[name] = SENTINEL_TIME
        elif answered.get(name, {}).get("type") in ("integer", "number"):
            hostile[name] = SENTINEL_INT
        elif answered.get(name, {}).get("type") == "array":
            hostile[name] = [SENTINEL_INT]
        else:
            hostile[name] = SENTINEL_TEXT
    return hostile


def _writer(operation: Operation, world: World) -> Any:
    rule = operation.rule
    role: BuyerRole | StaffRole | None = next(
        (role for role in StaffRole if role in rule.staff_roles),
        next((role for role in BuyerRole if role in rule.buyer_roles), None),
    )
    assert role is not None, f"{operation}: the matrix lets nobody call it"
    return world.admin if role == StaffRole.ADMIN else member_with_role(world, role)


def _suspicious(change: snapshot.Change, world: World) -> list[str]:
    """The hostile values a row added or changed by the request holds."""
    row = change.after or {}
    found = []
    targeted = {
        "organization_id": world.other_org.pk,
        "account_id": world.account_b.pk,
        "user_id": world.buyer_b.user_id,
        "depth": 42,
        "numchild": 77,
        "path": "ZZZZ",
        "key_hash": "0" * 64,
    }
    for column, value in row.items():
        if (
            targeted.get(column, object()) == value
            or value in (SENTINEL_INT, SENTINEL_DATETIME)
            or (isinstance(value, str) and SENTINEL_TEXT in value.lower())
        ):
            found.append(f"{column}={value!r}")
    if change.model == "core.user" and (row.get("is_superuser") or row.get("is_staff")):
        found.append("is_superuser/is_staff")
    return found


@pytest.mark.django_db
@pytest.mark.parametrize("operation", WRITES, ids=[op.id for op in WRITES])
def test_read_only_fields_in_a_write_change_nothing(operation: Operation, world: World) -> None:
    rule = operation.rule
    writer = _writer(operation, world)
    values = {name: world.ref(kind) for name, kind in rule.params.items() if name in operation.path_params}
    body = fill(rule.example or minimal_body(operation.request_schema), world=world, account=world.account_a)
    assert isinstance(body, dict)
    hostile = hostile_fields(operation, world)
    before = snapshot.take()

    response = call(world.api_client(writer), operation, values, {**body, **hostile})

    assert response.status_code in (200, 201, 204, 422), response.content[:500]
    if response.status_code != 422:
        answer = response.json() if response.content else {}
        for name, value in hostile.items():
            # Booleans may hold the hostile value already; the stored rows are checked below.
            if name in answer and not isinstance(value, bool):
                assert answer[name] != value, f"{operation}: `{name}` was set to {value!r}"
    changes = snapshot.diff(before, snapshot.take())
    suspicious = {f"{c.model}#{c.pk}": found for c in changes if (found := _suspicious(c, world))}
    assert not suspicious, f"{operation} stored hostile values: {suspicious}"
    assert authenticate_token(secret=CHOSEN_SECRET) is None
    add("mass_assignment_operations")


def test_write_schemas_treat_unknown_fields_the_same_way() -> None:
    """Ninja schemas ignore unknown fields (pydantic's default): every write must, none may forbid.

    Forbidding would be stricter; the API documents ignoring, and the test above proves that what is
    ignored is really not stored. If a schema starts forbidding extras, make them all forbid.
    """
    policies = {
        op.id: (op.request_schema or {}).get("additionalProperties", True)
        for op in operations()
        if op.request_schema is not None
    }

    assert set(policies.values()) == {True}, policies
