"""Function-level authorization: every role against every write operation, from the permission matrix.

The caller is in scope (a buyer of account A, staff of organization 1, the sales rep assigned to
A) and sends the matrix's example body, so the only reason to refuse is the role: an allowed role
succeeds (2xx), any other answers 403 with the error body and changes nothing.
"""

from __future__ import annotations

import pytest

from meridian.core.actor import BuyerRole, StaffRole
from tests.security import snapshot
from tests.security.figures import add
from tests.security.http import call, error_code
from tests.security.schema import Operation, minimal_body, operations
from tests.security.world import World, fill, member_with_role


@pytest.fixture
def world(shared_world: World, db: None) -> World:
    """The module's shared world (see conftest.shared_world)."""
    return shared_world


ROLES: list[BuyerRole | StaffRole] = [*BuyerRole, *StaffRole]
WRITES = [op for op in operations() if op.is_write and not op.is_public]
CASES = [(op, role) for op in WRITES for role in ROLES]


def _label(role: BuyerRole | StaffRole) -> str:
    return f"{'buyer' if isinstance(role, BuyerRole) else 'staff'}:{role.value}"


@pytest.mark.django_db
@pytest.mark.parametrize(("operation", "role"), CASES, ids=[f"{op.id}-{_label(role)}" for op, role in CASES])
def test_only_the_roles_the_matrix_allows_may_write(
    operation: Operation, role: BuyerRole | StaffRole, world: World
) -> None:
    rule = operation.rule
    allowed = role in (rule.buyer_roles if isinstance(role, BuyerRole) else rule.staff_roles)
    member = member_with_role(world, role)
    client = world.api_client(member)
    values = {name: world.ref(kind) for name, kind in rule.params.items() if name in operation.path_params}
    body = None
    if operation.request_schema is not None:
        body = fill(
            rule.example or minimal_body(operation.request_schema), world=world, account=world.account_a
        )
    before = snapshot.take()

    response = call(client, operation, values, body)

    if allowed:
        assert 200 <= response.status_code < 300, (
            f"{_label(role)} may call {operation} by the matrix but got {response.status_code} "
            f"{response.content[:300]!r}; if the body is the problem, give the operation an `example`"
        )
    else:
        assert response.status_code == 403, (
            f"{_label(role)}: {response.status_code} {response.content[:300]!r}"
        )
        assert error_code(response) == "not_allowed"
        changes = snapshot.diff(before, snapshot.take())
        assert not changes, snapshot.describe(changes)
    add("authz_checks")
