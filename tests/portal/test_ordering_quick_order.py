"""Quick order in the portal: pasted lines, CSV and XLSX uploads; every bad line reported with its
line number and reason while the good ones are added; a fixed number of queries for 1,000 lines."""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from meridian.ordering.models import CartLine
from meridian.ordering.services import current_cart
from tests.ordering.conftest import World
from tests.ordering.factories import xlsx_file
from tests.portal.ordering_helpers import cart_with, login, words

D = Decimal
pytestmark = pytest.mark.django_db


def _cart_quantities(world: World) -> dict[str, Decimal]:
    cart = current_cart(actor=world.buyer_actor)
    return dict(CartLine.objects.filter(cart=cart).values_list("product__sku", "quantity"))


def test_pasted_lines_add_the_good_ones_and_report_each_bad_one_by_line_number(world: World) -> None:
    text = "BOLT-M8, 10\nNO-SUCH-SKU, 5\n\nWASHER-8 15\nhammer 2"

    response = login(world.buyer).post("/quick-order/", {"text": text})

    page = words(response)
    assert response.status_code == 200
    assert "2 lines added to your cart, 2 not added" in page
    assert "Line 2 NO-SUCH-SKU, 5 unknown SKU or part number" in page
    assert "Line 4 WASHER-8 15" in page and "not a multiple of the order increment" in page
    assert _cart_quantities(world) == {"BOLT-M8": D(10), "HAMMER": D(2)}


def test_a_csv_upload_with_a_header(world: World) -> None:
    upload = SimpleUploadedFile("order.csv", b"qty;sku\n24;BOLT-M8\nx;HAMMER\n", content_type="text/csv")

    response = login(world.buyer).post("/quick-order/", {"file": upload})

    page = words(response)
    assert "1 line added to your cart, 1 not added" in page
    assert "Line 3" in page
    assert _cart_quantities(world) == {"BOLT-M8": D(24)}


def test_an_xlsx_upload_reports_sheet_row_numbers(world: World) -> None:
    content = xlsx_file(
        [["SKU", "Quantity", "UOM"], ["BOLT-M8", 2, "BX"], [], ["GHOST-1", 3, None], ["HAMMER", 1.0]]
    )
    upload = SimpleUploadedFile("order.xlsx", content)

    response = login(world.buyer).post("/quick-order/", {"file": upload})

    page = words(response)
    assert "2 lines added to your cart, 1 not added" in page
    assert "Line 4 GHOST-1,3 unknown SKU or part number" in page
    assert _cart_quantities(world) == {"BOLT-M8": D(2), "HAMMER": D(1)}
    assert CartLine.objects.get(product=world.bolt).uom == "BX"


def test_a_file_that_is_not_a_workbook_is_a_form_error_and_adds_nothing(world: World) -> None:
    upload = SimpleUploadedFile("order.xlsx", b"BOLT-M8,10\n")

    response = login(world.buyer).post("/quick-order/", {"file": upload})

    assert "This is not an Excel workbook" in words(response)
    assert _cart_quantities(world) == {}


def test_nothing_given_is_a_form_error(world: World) -> None:
    response = login(world.buyer).post("/quick-order/", {"text": "  "})

    assert "Paste some lines or choose a file." in words(response)


def test_a_viewer_may_not_order(world: World) -> None:
    response = login(world.viewer).post("/quick-order/", {"text": "BOLT-M8, 10"})

    assert response.status_code == 403


def test_a_thousand_lines_take_the_same_queries_as_ten_and_stay_fast(
    world: World, django_assert_num_queries: Any
) -> None:
    cart_with(world, ("BOLT-M8", "10"), ("HAMMER", "1"))  # both runs update the same two lines
    client = login(world.buyer)
    ten = "\n".join(["BOLT-M8, 10"] * 8 + ["HAMMER 1", "NO-SUCH, 1"])
    with CaptureQueriesContext(connection) as small:
        client.post("/quick-order/", {"text": ten})
    thousand = "\n".join(["BOLT-M8, 10"] * 500 + ["HAMMER 1"] * 499 + ["NO-SUCH, 1"])

    started = time.perf_counter()
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.post("/quick-order/", {"text": thousand})
    elapsed = time.perf_counter() - started

    assert "999 lines added to your cart, 1 not added" in words(response)
    assert "Line 1000" in words(response)
    print(f"quick order of 1,000 pasted lines through the portal: {elapsed:.3f} s")
    assert elapsed < 2.0, elapsed  # the target for a 1,000-line quick order
    assert _cart_quantities(world) == {"BOLT-M8": D(5090), "HAMMER": D(501)}
