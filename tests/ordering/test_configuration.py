"""Ordering settings services."""

from __future__ import annotations

from decimal import Decimal

import pytest

from meridian.core.errors import InvalidInput, NotAllowed, NotFound
from meridian.core.models import AuditEntry
from meridian.ordering.models import AccountOrderingSettings, ShippingRateBand, TaxRule
from meridian.ordering.services import (
    UNSET,
    ShippingMethodInput,
    configure_account_ordering,
    set_abandoned_cart_hours,
    upsert_shipping_method,
    upsert_tax_rule,
)
from tests.customers.factories import BuyerUserFactory
from tests.ordering.conftest import World

D = Decimal


@pytest.mark.django_db
def test_staff_configure_an_account_and_it_is_audited(world: World) -> None:
    settings = configure_account_ordering(
        actor=world.admin_actor,
        account=world.child,
        requires_po_number=True,
        credit_policy="refuse",
        monthly_budget=D(5000),
    )
    unchanged = configure_account_ordering(
        actor=world.admin_actor, account=world.child.pk, monthly_budget=UNSET
    )
    removed = configure_account_ordering(actor=world.admin_actor, account=world.child.pk, monthly_budget=None)

    assert (settings.requires_po_number, settings.credit_policy) == (True, "refuse")
    assert unchanged.monthly_budget == D(5000)
    assert removed.monthly_budget is None
    entries = AuditEntry.objects.filter(
        action="ordering.account_settings.changed", object_id=str(world.child.pk)
    )
    assert entries.count() == 2
    assert AccountOrderingSettings.objects.filter(account=world.child).count() == 1


@pytest.mark.django_db
def test_buyer_admins_set_only_buyer_side_controls_in_their_subtree(world: World) -> None:
    admin = world.actor(BuyerUserFactory(account=world.parent, is_admin=True))

    configure_account_ordering(
        actor=admin, account=world.child, monthly_budget=D(100), requires_po_number=True
    )
    with pytest.raises(NotAllowed):
        configure_account_ordering(actor=admin, account=world.child, credit_policy="hold")
    with pytest.raises(NotFound):
        configure_account_ordering(actor=admin, account=world.other, monthly_budget=D(1))
    with pytest.raises(NotAllowed):
        configure_account_ordering(actor=world.buyer_actor, account=world.child, monthly_budget=D(1))
    with pytest.raises(NotAllowed):
        configure_account_ordering(actor=world.rep_actor, account=world.child, monthly_budget=D(1))
    with pytest.raises(InvalidInput):
        configure_account_ordering(actor=admin, account=world.child, monthly_budget=D(-1))


@pytest.mark.django_db
def test_shipping_methods_are_validated_and_their_bands_replaced(world: World) -> None:
    data = ShippingMethodInput(
        code="STD", name="Standard", currency="usd", basis="amount", flat_amount=D(5), bands=[(D(0), D(10))]
    )

    upsert_shipping_method(actor=world.admin_actor, website=world.website, data=data)
    method = upsert_shipping_method(
        actor=world.admin_actor,
        website=world.website.pk,
        data=ShippingMethodInput(
            code="STD", name="Standard", currency="USD", basis="amount", bands=[(D(0), D(8)), (D(500), D(0))]
        ),
    )
    with pytest.raises(InvalidInput) as excinfo:
        upsert_shipping_method(
            actor=world.admin_actor,
            website=world.website,
            data=ShippingMethodInput(code="", name="", currency="XXX", basis="flat", bands=[(D(0), D(1))]),
        )
    with pytest.raises(NotAllowed):
        upsert_shipping_method(actor=world.rep_actor, website=world.website, data=data)

    assert method.currency == "USD" and method.flat_amount == D(0)
    assert list(
        ShippingRateBand.objects.filter(method=method)
        .order_by("min_value")
        .values_list("min_value", "amount")
    ) == [
        (D(0), D(8)),
        (D(500), D(0)),
    ]
    assert set(excinfo.value.fields) == {"code", "name", "currency", "bands"}


@pytest.mark.django_db
def test_tax_rules_and_cart_hours(world: World) -> None:
    rule = upsert_tax_rule(
        actor=world.admin_actor, country="us", region="oh", name="Ohio", rate_percent=D("5.75")
    )
    again = upsert_tax_rule(
        actor=world.admin_actor, country="US", region="OH", name="Ohio", rate_percent=D("6")
    )
    settings = set_abandoned_cart_hours(actor=world.admin_actor, website=world.website, hours=6)

    assert rule.pk == again.pk and TaxRule.objects.get(pk=rule.pk).rate_percent == D(6)
    assert settings.abandoned_cart_hours == 6
    with pytest.raises(InvalidInput):
        upsert_tax_rule(actor=world.admin_actor, country="USA", name="x", rate_percent=D(101))
    with pytest.raises(InvalidInput):
        set_abandoned_cart_hours(actor=world.admin_actor, website=world.website, hours=0)
