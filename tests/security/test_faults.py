"""Fault injection: a database error at any statement of a write leaves nothing partial behind.

Each use case runs once to count its statements, then once per statement with that statement
failing before and after it reaches the database. Every time the error reaches the caller, and
the whole database (outbox events and audit entries included) is as before.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import transaction

from meridian.catalog.models import Product
from meridian.catalog.services import ProductInput, UnitInput, upsert_product
from meridian.core.actor import BuyerRole
from meridian.core.models import AuditEntry, OutboxEvent
from meridian.customers.models import Account
from meridian.customers.services import AccountFields, create_account, set_buyer_roles, update_account
from tests.actors import actor_for
from tests.security.faults import (
    InjectedFault,
    assert_every_fault_leaves_nothing,
    failing_statement,
    recording,
)
from tests.security.figures import add
from tests.security.world import World


def _use_cases(world: World) -> dict[str, Callable[[], object]]:
    admin = actor_for(world.admin)
    buyer_admin = actor_for(world.buyer_a)
    fields = AccountFields(
        name="Alpha Plant 2", external_id="alpha-plant-2", credit_limit=Decimal("1000.00"), currency="EUR"
    )
    product = ProductInput(
        sku=world.product.sku,
        name="Ball valve, brass",
        units=[UnitInput(code="BX", factor=Decimal(12)), UnitInput(code="CS", factor=Decimal(144))],
    )
    return {
        "create_account": lambda: create_account(actor=admin, fields=fields, parent=world.account_a),
        "credit_limit_change": lambda: update_account(
            actor=admin,
            account=world.account_a,
            fields=AccountFields(credit_limit=Decimal("9000.00"), present=frozenset({"credit_limit"})),
        ),
        "upsert_product_with_units": lambda: upsert_product(actor=admin, data=product),
        "role_change": lambda: set_buyer_roles(
            actor=buyer_admin, buyer=world.member_a, roles=[BuyerRole.APPROVER.value]
        ),
    }


USE_CASES = ["create_account", "credit_limit_change", "upsert_product_with_units", "role_change"]


@pytest.mark.django_db
@pytest.mark.parametrize("name", USE_CASES)
def test_a_fault_at_any_statement_leaves_nothing_partial(name: str, world: World) -> None:
    use_case = _use_cases(world)[name]
    with recording() as statements:
        use_case()
    assert statements, "the dry run ran no SQL"

    assert_every_fault_leaves_nothing(use_case, statements)


@pytest.mark.django_db
def test_the_audit_entry_is_written_with_the_change_or_not_at_all(world: World) -> None:
    change = _use_cases(world)["credit_limit_change"]

    with (
        pytest.raises(InjectedFault),
        failing_statement(1, after=True, match=r'INSERT INTO "core_auditentry"'),
    ):
        change()

    world.account_a.refresh_from_db()
    assert world.account_a.credit_limit == Decimal("5000.00")
    assert not AuditEntry.objects.exclude(pk=world.audit_entry.pk).exists()  # the world's own stays
    change()
    assert AuditEntry.objects.exclude(pk=world.audit_entry.pk).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_fault_in_a_committing_transaction_rolls_all_of_it_back(
    world: World, django_capture_on_commit_callbacks: Callable[..., object]
) -> None:
    """Outside the test's own transaction: the service's atomic block is the real one."""
    use_cases = _use_cases(world)
    with recording(rollback=False) as statements, transaction.atomic():
        use_cases["create_account"]()
        transaction.set_rollback(True)
    accounts, products = Account.objects.count(), Product.objects.count()
    events, entries = OutboxEvent.objects.count(), AuditEntry.objects.count()

    for n in (1, len(statements) // 2, len(statements)):
        with pytest.raises(InjectedFault), failing_statement(n, after=True):
            use_cases["create_account"]()
        add("faults_injected")
    # The product row is updated, its units written, then the connection "drops".
    with (
        pytest.raises(InjectedFault),
        failing_statement(1, after=True, match='INSERT INTO "catalog_productunit"'),
    ):
        use_cases["upsert_product_with_units"]()
    add("faults_injected")

    assert (Account.objects.count(), Product.objects.count()) == (accounts, products)
    assert not Account.objects.filter(external_id="alpha-plant-2").exists()
    assert (OutboxEvent.objects.count(), AuditEntry.objects.count()) == (events, entries)
    assert world.product.units.count() == 0
    assert Product.objects.get(pk=world.product.pk).name == world.product.name
    account_a = Account.objects.get(pk=world.account_a.pk)
    assert account_a.numchild == 1  # treebeard's child count on the parent was rolled back too
