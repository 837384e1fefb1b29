"""`POST /carts/{id}/quick-order`: pasted text or a CSV/XLSX file (base64) into a cart; good lines are
added, every line is reported by its number; a bad file is 422 on `file`."""

from __future__ import annotations

import base64
import math
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from meridian.ordering import queries
from meridian.ordering.models import Cart, CartLine
from meridian.ordering.services import current_cart
from tests.api import test_carts
from tests.api.auth_queries import auth_queries
from tests.api.conftest import ClientFor
from tests.api.test_carts import CARTS, JSON, error
from tests.ordering.conftest import World
from tests.ordering.factories import xlsx_file
from tests.ordering.test_quick_order import _catalog

world = test_carts.world  # the ordering world of tests/ordering/conftest.py


def _file(name: str, content: bytes) -> dict[str, str]:
    return {"filename": name, "content": base64.b64encode(content).decode()}


def _cart_lines(cart_id: int) -> list[tuple[str, str, str]]:
    cart = Cart.objects.get(pk=cart_id)
    return [
        (line.product.sku, f"{line.quantity.normalize():f}", line.uom)
        for line in queries.cart_lines(cart=cart)
    ]


def test_pasted_lines_add_the_good_ones_and_report_every_line(world: World, client_for: ClientFor) -> None:
    text = "BOLT-M8, 2, BX\n\nNOPE 3\n# a comment\nWASHER-8, 15\nHAMMER\tone\nWASHER-8 20"

    response = client_for(world.buyer).post(f"{CARTS}/current/quick-order", {"text": text}, content_type=JSON)

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["added"], body["errors"]) == (2, 3)
    assert [(line["line_number"], line["status"], line["code"]) for line in body["lines"]] == [
        (1, "added", ""),
        (3, "error", "product_not_found"),
        (5, "error", "quantity_rule_violation"),
        (6, "error", "unreadable_line"),
        (7, "added", ""),
    ]
    assert body["lines"][0]["input"] == "BOLT-M8, 2, BX"
    assert "increment" in body["lines"][2]["reason"]
    assert [(line["sku"], line["quantity"], line["uom"]) for line in body["cart"]["lines"]] == [
        ("BOLT-M8", "2", "BX"),
        ("WASHER-8", "20", "EA"),
    ]
    assert _cart_lines(body["cart"]["id"]) == [("BOLT-M8", "2", "BX"), ("WASHER-8", "20", "EA")]


def test_a_csv_and_an_xlsx_file_are_read(world: World, client_for: ClientFor) -> None:
    client = client_for(world.buyer)
    csv = b"\xef\xbb\xbfsku;qty;unit\nBOLT-M8;3;\nNOPE;1;\n"
    sheet = xlsx_file([["sku", "quantity"], ["HAMMER", 1], [], ["NOPE", 1]])

    from_csv = client.post(
        f"{CARTS}/current/quick-order", {"file": _file("order.csv", csv)}, content_type=JSON
    )
    from_xlsx = client.post(
        f"{CARTS}/current/quick-order", {"file": _file("Order.XLSX", sheet)}, content_type=JSON
    )

    assert from_csv.status_code == 200, from_csv.content
    assert [(line["line_number"], line["status"]) for line in from_csv.json()["lines"]] == [
        (2, "added"),
        (3, "error"),
    ]
    assert from_xlsx.status_code == 200, from_xlsx.content
    assert [(line["line_number"], line["status"]) for line in from_xlsx.json()["lines"]] == [
        (2, "added"),
        (4, "error"),
    ]
    assert _cart_lines(from_xlsx.json()["cart"]["id"]) == [("BOLT-M8", "3", "EA"), ("HAMMER", "1", "EA")]


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"file": _file("order.xls", b"\xd0\xcf\x11\xe0")}, "unsupported_file_type", "file"),
        ({"file": _file("order.xlsx", b"PK\x03\x04 not a workbook")}, "unsupported_file_type", "file"),
        ({"file": _file("order.csv", b"\xff\xfe\x00B")}, "unsupported_file_type", "file"),
        ({"file": {"filename": "order.csv", "content": "%%% not base64"}}, "invalid_input", "file.content"),
        ({"text": "BOLT-M8 1", "file": _file("order.csv", b"BOLT-M8,1")}, "invalid_input", None),
        ({}, "invalid_input", None),
        ({"text": "BOLT-M8 1\n" * 5_001}, "quick_order_too_large", "text"),
    ],
    ids=["xls", "broken-xlsx", "not-utf8", "not-base64", "text-and-file", "nothing", "too-many-lines"],
)
def test_a_bad_request_is_422_naming_the_field_and_adds_nothing(
    world: World, client_for: ClientFor, body: dict[str, Any], code: str, field: str | None
) -> None:
    cart = current_cart(actor=world.buyer_actor)

    response = client_for(world.buyer).post(f"{CARTS}/{cart.pk}/quick-order", body, content_type=JSON)

    assert error(response) == (422, code)
    if field is not None:
        assert field in response.json()["error"]["fields"], response.json()
    assert not CartLine.objects.filter(cart=cart).exists()


def test_a_stale_version_adds_nothing(world: World, client_for: ClientFor) -> None:
    cart = current_cart(actor=world.buyer_actor)

    response = client_for(world.buyer).post(
        f"{CARTS}/{cart.pk}/quick-order",
        {"text": "BOLT-M8 1", "expected_version": cart.version + 5},
        content_type=JSON,
    )

    assert error(response) == (409, "cart_changed")
    assert not CartLine.objects.filter(cart=cart).exists()


def test_a_viewer_may_not_and_another_accounts_cart_is_404(world: World, client_for: ClientFor) -> None:
    cart = current_cart(actor=world.buyer_actor)

    viewer = client_for(world.viewer).post(
        f"{CARTS}/current/quick-order", {"text": "BOLT-M8 1"}, content_type=JSON
    )
    outsider = client_for(world.other_buyer).post(
        f"{CARTS}/{cart.pk}/quick-order", {"text": "BOLT-M8 1"}, content_type=JSON
    )

    assert error(viewer) == (403, "not_allowed")
    assert error(outsider) == (404, "cart_not_found")
    assert not CartLine.objects.filter(cart=cart).exists()


@pytest.mark.parametrize("count", [10, 1_000])
def test_1000_lines_run_a_fixed_number_of_queries_fast(
    world: World, client_for: ClientFor, count: int, django_assert_num_queries: Callable[..., Any]
) -> None:
    skus = _catalog(world, 1_000)
    cart = current_cart(actor=world.buyer_actor)
    client = client_for(world.buyer)
    text = "\n".join(f"{sku}, {1 + n % 3}" for n, sku in enumerate(skus[:count]))
    fields = [field for field in CartLine._meta.concrete_fields if not field.primary_key]
    batch = connection.ops.bulk_batch_size(fields, [None] * count) or count

    # auth (a buyer whose account has ancestors, the token's last use); quick_order's 13 (savepoints, cart lock,
    # ancestors, part numbers, visibility, products, units, cart lines, insert, version); the
    # answer's cart lines
    started = time.perf_counter()
    with django_assert_num_queries(auth_queries(ancestors=True) + 13 + math.ceil(count / batch) - 1 + 1):
        response = client.post(f"{CARTS}/{cart.pk}/quick-order", {"text": text}, content_type=JSON)
    elapsed = time.perf_counter() - started

    assert response.status_code == 200, response.content[:300]
    assert (response.json()["added"], len(response.json()["cart"]["lines"])) == (count, count)
    assert elapsed < 2.0  # the target for 1,000 lines
