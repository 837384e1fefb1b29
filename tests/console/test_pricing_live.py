"""The promise of one live pricing engine: a price staff edit in the console is what the very next
API call for a buyer returns, with no rebuild job in between."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from meridian.core.services import issue_token
from meridian.pricing.models import PriceChange, PriceListEntry
from tests.pricing.channel_world import build_price_world
from tests.staff.factories import PASSWORD

JSON = "application/json"


@pytest.mark.django_db
def test_a_price_edited_in_the_console_is_what_the_very_next_api_call_returns() -> None:
    world = build_price_world()
    hammer = PriceListEntry.objects.get(price_list=world.web, product=world.hammer)
    secret, _ = issue_token(user=world.sibling_buyer.user)
    api = Client(headers={"Authorization": f"Bearer {secret}"})
    resolve = {"account": world.sibling.pk, "lines": [{"sku": "HAMMER", "quantity": 2}]}
    before = api.post("/api/v1/prices/resolve", resolve, content_type=JSON).json()["lines"][0]

    # when: an admin signs in to the console and changes the price in the inline editor, with CSRF
    # checks on, exactly as the browser does (the token from the page, htmx's request header)
    console = Client(enforce_csrf_checks=True)
    console.get("/console/login/")
    signed_in = console.post(
        "/console/login/",
        {
            "username": "ada@northwind.test",
            "password": PASSWORD,
            "csrfmiddlewaretoken": console.cookies["csrftoken"].value,
        },
    )
    page = console.get(f"/console/prices/{world.web.pk}/", {"sku": "HAMMER"})
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    assert signed_in.status_code == 302 and page.status_code == 200 and token is not None
    prefix = f"e{hammer.pk}"
    refused = Client(enforce_csrf_checks=True)
    refused.force_login(world.admin.user)
    forged = refused.post(
        f"/console/prices/{world.web.pk}/entries/", {"entry": hammer.pk, f"{prefix}-price": "1.00"}
    )
    saved = console.post(
        f"/console/prices/{world.web.pk}/entries/",
        {
            "csrfmiddlewaretoken": token.group(1),
            "entry": hammer.pk,
            f"{prefix}-sku": "HAMMER",
            f"{prefix}-uom": "EA",
            f"{prefix}-min_quantity": "1.000",
            f"{prefix}-price": "23.75",
        },
        HTTP_HX_REQUEST="true",
    )

    # then: the very next resolution and the product page of the API show the new price
    after = api.post("/api/v1/prices/resolve", resolve, content_type=JSON).json()["lines"][0]
    product = api.get("/api/v1/products/HAMMER").json()["price"]

    assert forged.status_code == 403  # no CSRF token: refused, nothing changed before the real edit
    assert saved.status_code == 200
    assert "Saved" in saved.content.decode()
    assert (before["unit_price"], before["line_total"]) == ("25.00", "50.00")
    assert (after["unit_price"], after["line_total"], after["source"]["entry_id"]) == (
        "23.75",
        "47.50",
        hammer.pk,
    )
    assert (product["unit_price"], product["source"]["price_list"]) == ("23.75", "WEB")
    change = PriceChange.objects.get(entry_id=hammer.pk)
    assert (change.changed_by_id, str(change.old_price), str(change.new_price)) == (
        world.admin.user_id,
        "25.0000",
        "23.7500",
    )
