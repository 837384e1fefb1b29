"""The checkout setup cache (ordering.cache): shipping methods, bands and tax rules are read once per
process under the ordering stamp, and a write through any path is seen by the very next order."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal as D

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from meridian.ordering import queries
from meridian.ordering.models import OrderingVersion, ShippingMethod, ShippingRateBand, TaxRule
from meridian.ordering.services.configuration import (
    ShippingMethodInput,
    upsert_shipping_method,
    upsert_tax_rule,
)
from tests.ordering.conftest import World
from tests.ordering.factories import ShippingMethodFactory, ShippingRateBandFactory, TaxRuleFactory


def _setup(world: World) -> ShippingMethod:
    method = ShippingMethodFactory(
        website=world.website, code="STD", basis="amount", flat_amount=D("5.00"), currency="USD", position=1
    )
    ShippingRateBandFactory(method=method, min_value=D(0), amount=D("10.00"))
    TaxRuleFactory(organization=world.organization, country="US", region="OH", rate_percent=D(10))
    return method


def _setup_tables_read(captured: CaptureQueriesContext) -> list[str]:
    names = ("ordering_shippingmethod", "ordering_shippingrateband", "ordering_taxrule")
    return [q["sql"] for q in captured.captured_queries if any(name in q["sql"] for name in names)]


@pytest.mark.django_db
def test_a_warm_order_reads_no_shipping_or_tax_setup(world: World) -> None:
    _setup(world)
    first = world.order([(world.bolt, 10)])

    with CaptureQueriesContext(connection) as captured:
        second = world.order([(world.bolt, 10)])

    assert _setup_tables_read(captured) == []
    assert (second.shipping_amount, second.tax_amount) == (first.shipping_amount, first.tax_amount)
    assert (second.shipping_amount, second.tax_amount) == (D(15), D("3.50"))  # 10 % of 20 + 15


def _service_method(world: World, method: ShippingMethod) -> None:
    upsert_shipping_method(
        actor=world.admin_actor,
        website=world.website,
        data=ShippingMethodInput(
            code="STD",
            name="Standard",
            currency="USD",
            basis="amount",
            flat_amount=D(7),
            bands=[(D(0), D(10))],
        ),
    )


def _band_update(world: World, method: ShippingMethod) -> None:
    ShippingRateBand.objects.filter(method=method).update(amount=D(12))


def _method_save(world: World, method: ShippingMethod) -> None:
    method.flat_amount = D(7)
    method.save()  # as in the admin


def _second_method_first(world: World, method: ShippingMethod) -> None:
    ShippingMethodFactory(website=world.website, code="CHEAP", flat_amount=D(2), currency="USD", position=0)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("write", "shipping"),
    [(_service_method, D(17)), (_band_update, D(17)), (_method_save, D(17)), (_second_method_first, D(2))],
)
def test_a_shipping_write_is_seen_by_the_next_order(
    world: World, write: Callable[[World, ShippingMethod], None], shipping: D
) -> None:
    method = _setup(world)
    assert world.order([(world.bolt, 10)]).shipping_amount == D(15)  # warm

    write(world, method)

    assert world.order([(world.bolt, 10)]).shipping_amount == shipping


def _tax_service(world: World) -> None:
    upsert_tax_rule(actor=world.admin_actor, country="US", region="OH", rate_percent=D(20), name="Ohio")


def _tax_update(world: World) -> None:
    TaxRule.objects.filter(organization=world.organization).update(rate_percent=D(20))


def _tax_delete(world: World) -> None:
    TaxRule.objects.filter(organization=world.organization).delete()


def _tax_region_rule(world: World) -> None:
    TaxRuleFactory(organization=world.organization, country="US", region="", rate_percent=D(1))
    TaxRule.objects.filter(organization=world.organization, region="OH").delete()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("write", "tax"),
    [(_tax_service, D(7)), (_tax_update, D(7)), (_tax_delete, D(0)), (_tax_region_rule, D("0.35"))],
)
def test_a_tax_write_is_seen_by_the_next_order(world: World, write: Callable[[World], None], tax: D) -> None:
    _setup(world)
    assert world.order([(world.bolt, 10)]).tax_amount == D("3.50")  # warm

    write(world)

    assert world.order([(world.bolt, 10)]).tax_amount == tax


@pytest.mark.django_db
def test_what_a_rolled_back_write_cached_is_never_served(world: World) -> None:
    method = _setup(world)
    world.order([(world.bolt, 10)])

    with pytest.raises(RuntimeError), transaction.atomic():
        ShippingMethod.objects.filter(pk=method.pk).update(flat_amount=D(99))
        website = queries.get_website(organization_id=world.organization.pk, website_id=world.website.pk)
        rates = queries.shipping_rates(
            website=website, code="", currency="USD", stamp=queries.setup_stamp(website)
        )
        assert rates is not None and rates.flat_amount == D(99)  # cached under the write's stamp
        raise RuntimeError("roll back")

    assert world.order([(world.bolt, 10)]).shipping_amount == D(15)


@pytest.mark.django_db
def test_placing_an_order_leaves_the_stamp_alone(world: World) -> None:
    _setup(world)
    before = OrderingVersion.objects.get(pk=1).version

    world.order([(world.bolt, 10)])

    assert OrderingVersion.objects.get(pk=1).version == before
