"""A price list's own changes are audited like the other pricing writes: creation, settings and
assignments (who, when, only the values that changed, from what to what); a refused or empty
change writes nothing. Read back through `core.queries.list_audit_entries`."""

from __future__ import annotations

from datetime import date

import pytest

from meridian.core.errors import InvalidInput, NotAllowed
from meridian.core.models import AuditEntry
from meridian.core.queries import list_audit_entries
from meridian.pricing.errors import PriceListCodeTaken
from meridian.pricing.models import PriceAssignment, PriceList
from meridian.pricing.services import (
    PriceListInput,
    assign_price_list,
    create_price_list,
    unassign_price_list,
    update_price_list,
)
from tests.actors import actor_for
from tests.pricing.channel_world import PriceWorld, build_price_world


@pytest.fixture
def world(db: None) -> PriceWorld:
    return build_price_world()


def _entries(world: PriceWorld, price_list: PriceList) -> list[AuditEntry]:
    return list(
        list_audit_entries(
            actor=actor_for(world.admin), object_type="price_list", object_id=str(price_list.pk)
        )
    )


def test_creating_a_list_records_every_value_and_who(world: PriceWorld) -> None:
    price_list = create_price_list(
        actor=actor_for(world.inside_sales),
        data=PriceListInput(code="EU", name="Europe", currency="EUR", valid_from=date(2026, 1, 1)),
    )

    [entry] = _entries(world, price_list)
    assert (entry.action, entry.actor_user_id) == ("pricing.price_list.created", world.inside_sales.user_id)
    assert entry.before == {}
    assert entry.after == {
        "code": "EU",
        "name": "Europe",
        "currency": "EUR",
        "valid_from": "2026-01-01",
        "valid_to": None,
        "is_active": True,
        "external_id": "",
    }
    assert entry.actor_email == world.inside_sales.user.email  # type: ignore[attr-defined]  # annotated


def test_a_settings_change_records_only_what_changed(world: PriceWorld) -> None:
    update_price_list(
        actor=actor_for(world.admin),
        price_list=world.web,
        data=PriceListInput(
            name="Web list", valid_to=date(2026, 12, 31), present=frozenset({"name", "valid_to"})
        ),
    )

    [entry] = _entries(world, world.web)
    assert entry.action == "pricing.price_list.changed"
    assert (entry.before, entry.after) == ({"valid_to": None}, {"valid_to": "2026-12-31"})


def test_an_unchanged_or_refused_change_records_nothing(world: PriceWorld) -> None:
    actor = actor_for(world.admin)

    update_price_list(
        actor=actor, price_list=world.web, data=PriceListInput(name="Web list", present=frozenset({"name"}))
    )
    with pytest.raises(InvalidInput):
        update_price_list(
            actor=actor,
            price_list=world.web,
            data=PriceListInput(
                valid_from=date(2026, 6, 1),
                valid_to=date(2026, 1, 1),
                present=frozenset({"valid_from", "valid_to"}),
            ),
        )
    with pytest.raises(PriceListCodeTaken):
        update_price_list(
            actor=actor, price_list=world.web, data=PriceListInput(code="K-ACME", present=frozenset({"code"}))
        )
    with pytest.raises(PriceListCodeTaken):
        create_price_list(actor=actor, data=PriceListInput(code="WEB", name="Again", currency="USD"))

    assert not AuditEntry.objects.exists()
    world.web.refresh_from_db()
    assert (world.web.code, world.web.valid_to) == ("WEB", None)


def test_assigning_and_unassigning_are_recorded_on_the_list(world: PriceWorld) -> None:
    actor = actor_for(world.admin)

    assignment = assign_price_list(
        actor=actor, price_list=world.contract_list, account=world.sibling, priority=7
    )
    unassign_price_list(actor=actor, assignment=assignment)

    unassigned, assigned = _entries(world, world.contract_list)
    values = {
        "assignment": assignment.pk,
        "website": None,
        "customer_group": None,
        "account": world.sibling.pk,
        "priority": 7,
    }
    assert (assigned.action, assigned.before, assigned.after) == ("pricing.price_list.assigned", {}, values)
    assert (unassigned.action, unassigned.before, unassigned.after) == (
        "pricing.price_list.unassigned",
        values,
        {},
    )
    assert not PriceAssignment.objects.filter(pk=assignment.pk).exists()


def test_a_sales_rep_may_not_read_the_audit_log(world: PriceWorld) -> None:
    with pytest.raises(NotAllowed):
        list_audit_entries(actor=actor_for(world.sales_rep))
    with pytest.raises(NotAllowed):
        list_audit_entries(actor=actor_for(world.buyer))
