"""Quick order (pasted text, CSV) and reorder."""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection

from meridian.catalog import engine as catalog_engine
from meridian.catalog.models import Product
from meridian.core.errors import NotFound
from meridian.ordering import queries
from meridian.ordering.errors import CartChanged, QuickOrderTooLarge
from meridian.ordering.models import Cart, CartLine
from meridian.ordering.services import (
    UnsupportedFileType,
    add_to_cart,
    create_list,
    current_cart,
    quick_order,
    quick_order_upload,
    reorder,
)
from meridian.pricing.models import PriceListEntry
from tests.catalog.factories import CustomerPartNumberFactory
from tests.ordering.conftest import World
from tests.ordering.factories import xlsx_file

D = Decimal


def lines_of(cart: Cart) -> list[tuple[str, Decimal, str]]:
    return [(line.product.sku, line.quantity, line.uom) for line in queries.cart_lines(cart=cart)]


@pytest.mark.django_db
def test_quick_order_adds_the_good_lines_and_reports_every_line_by_number(world: World) -> None:
    CustomerPartNumberFactory(account=world.child, product=world.hammer, part_number="ACME-HAM-1")
    actor = world.buyer_actor
    cart = current_cart(actor=actor)
    text = "BOLT-M8, 24\nUNKNOWN-SKU 3\n\nacme-ham-1\t2\nbolt-m8 1 BX\nWASHER-8, 15\nBOLT-M8\n"

    report = quick_order(actor=actor, cart=cart, text=text)

    assert [(line.line_number, line.status, line.code, line.reason) for line in report.lines] == [
        (1, "added", "", ""),
        (2, "error", "product_not_found", "unknown SKU or part number"),
        (4, "added", "", ""),
        (5, "added", "", ""),
        (6, "error", "quantity_rule_violation", "15 EA is not a multiple of the order increment of 10 EA"),
        (7, "error", "unreadable_line", "quantity missing"),
    ]
    assert report.lines[1].input == "UNKNOWN-SKU 3"
    assert report.added == 3 and len(report.errors) == 3
    assert lines_of(cart) == [("BOLT-M8", D(24), "EA"), ("HAMMER", D(2), "EA"), ("BOLT-M8", D(1), "BX")]


@pytest.mark.django_db
def test_a_stale_quick_order_adds_nothing(world: World) -> None:
    actor = world.buyer_actor
    cart = current_cart(actor=actor)

    with pytest.raises(CartChanged):
        quick_order(actor=actor, cart=cart, text="BOLT-M8 1", expected_version=cart.version + 1)

    assert lines_of(cart) == []


def _catalog(world: World, count: int) -> list[str]:
    products = Product.objects.bulk_create(
        [
            Product(
                organization=world.organization,
                sku=f"QO-{n:05d}",
                name=f"Quick {n}",
                search_document=catalog_engine.search_document(
                    sku=f"QO-{n:05d}", name="q", description="", attributes={}
                ),
            )
            for n in range(count)
        ]
    )
    PriceListEntry.objects.bulk_create(
        [
            PriceListEntry(price_list=world.price_list, product=product, uom="EA", min_quantity=1, price=D(1))
            for product in products
        ]
    )
    return [product.sku for product in products]


@pytest.mark.django_db
@pytest.mark.parametrize("count", [10, 1_000])
def test_quick_order_of_1000_lines_runs_a_fixed_number_of_queries(
    world: World, count: int, django_assert_num_queries: Callable[..., Any]
) -> None:
    skus = _catalog(world, 1_000)
    actor = world.buyer_actor
    cart = current_cart(actor=actor)
    text = "\n".join(f"{sku}, {1 + n % 3}" for n, sku in enumerate(skus[:count]))

    # (savepoints: quick_order, add_lines) cart lock, ancestors, part numbers, visibility rules,
    # products, units, cart lines, one insert, the version update. SQLite's driver limit of 999
    # parameters splits the one insert into batches; PostgreSQL writes it in one statement.
    fields = [field for field in CartLine._meta.concrete_fields if not field.primary_key]
    batch = connection.ops.bulk_batch_size(fields, [None] * count) or count
    with django_assert_num_queries(13 + math.ceil(count / batch) - 1):
        report = quick_order(actor=actor, cart=cart, text=text)

    assert report.added == count
    assert len(queries.cart_lines(cart=cart)) == count


@pytest.mark.django_db
def test_quick_order_limit(world: World) -> None:
    cart = current_cart(actor=world.buyer_actor)

    with pytest.raises(QuickOrderTooLarge):
        quick_order(actor=world.buyer_actor, cart=cart, text="BOLT-M8 1\n" * 5_001)


@pytest.mark.django_db
def test_csv_upload_with_header(world: World) -> None:
    actor = world.buyer_actor
    cart = current_cart(actor=actor)
    content = b"sku,quantity,uom\nBOLT-M8,2,BX\nNOPE,1,\nWASHER-8,20,\n"

    report = quick_order_upload(
        actor=actor, cart=cart, filename="order.CSV", content=b"\xef\xbb\xbf" + content
    )

    assert [(line.line_number, line.status) for line in report.lines] == [
        (2, "added"),
        (3, "error"),
        (4, "added"),
    ]
    assert lines_of(cart) == [("BOLT-M8", D(2), "BX"), ("WASHER-8", D(20), "EA")]


@pytest.mark.django_db
def test_an_xlsx_upload_is_read_from_its_first_sheet_with_the_sheets_row_numbers(world: World) -> None:
    cart = current_cart(actor=world.buyer_actor)
    content = xlsx_file([["sku", "quantity"], ["BOLT-M8", 12], [], ["NOPE", 1], ["HAMMER", 1.0]])

    report = quick_order_upload(actor=world.buyer_actor, cart=cart, filename="Order.XLSX", content=content)

    assert report.added == 2
    assert [(line.line_number, line.code) for line in report.errors] == [(4, "product_not_found")]
    with pytest.raises(UnsupportedFileType, match="xls"):
        quick_order_upload(actor=world.buyer_actor, cart=cart, filename="order.xls", content=content)


@pytest.mark.django_db
def test_xlsx_and_binary_uploads_are_refused(world: World) -> None:
    cart = current_cart(actor=world.buyer_actor)

    with pytest.raises(UnsupportedFileType, match="XLSX"):
        quick_order_upload(actor=world.buyer_actor, cart=cart, filename="order.xlsx", content=b"PK\x03\x04")
    with pytest.raises(UnsupportedFileType, match="UTF-8"):
        quick_order_upload(actor=world.buyer_actor, cart=cart, filename="order.csv", content=b"\xff\xfe\x00B")


@pytest.mark.django_db
def test_reorder_prices_again_and_reports_what_changed(world: World) -> None:
    past = world.order([(world.bolt, 10), (world.washer, 20), (world.hammer, 1)])
    PriceListEntry.objects.filter(price_list=world.price_list, product=world.bolt, min_quantity=1).update(
        price=D("2.50")
    )
    world.washer.status = Product.Status.DISCONTINUED
    world.washer.save()

    report = reorder(actor=world.buyer_actor, order_number=past.number)

    assert [(line.line_number, line.status, line.code) for line in report.lines] == [
        (1, "added", ""),
        (2, "error", "product_not_orderable"),
        (3, "added", ""),
    ]
    assert [
        (c.sku, c.previous_unit_price, c.current_unit_price, c.has_changed) for c in report.price_changes
    ] == [
        ("BOLT-M8", D("2.00"), D("2.50"), True),
        ("HAMMER", D("18.00"), D("18.00"), False),
    ]
    assert [change.percent for change in report.changed] == [D("25.00")]
    assert report.currency == "USD"
    assert lines_of(report.cart) == [("BOLT-M8", D(10), "EA"), ("HAMMER", D(1), "EA")]


@pytest.mark.django_db
def test_reorder_from_a_list_has_no_previous_prices(world: World) -> None:
    listed = create_list(actor=world.buyer_actor, name="Weekly")
    add_to_cart(actor=world.buyer_actor, cart=listed, reference="BOLT-M8", quantity=D(3))

    report = reorder(actor=world.buyer_actor, list_id=listed.pk)

    assert [(c.sku, c.previous_unit_price, c.current_unit_price) for c in report.price_changes] == [
        ("BOLT-M8", None, D("2.00"))
    ]


@pytest.mark.django_db
def test_reorder_of_another_accounts_order_is_not_found(world: World) -> None:
    past = world.order()

    with pytest.raises(NotFound):
        reorder(actor=world.actor(world.other_buyer), order_number=past.number)
