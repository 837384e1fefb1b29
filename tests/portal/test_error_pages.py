from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.test import Client


@pytest.mark.django_db
def test_unknown_address_renders_our_404_page(client: Client) -> None:
    response = client.get("/no/such/page/")

    assert response.status_code == 404
    assert "find that page" in response.content.decode()


def test_500_page_renders_without_a_request_or_database() -> None:
    html = render_to_string("500.html")

    assert "Something went wrong on our side" in html
    assert "/static/meridian/app.css" in html
