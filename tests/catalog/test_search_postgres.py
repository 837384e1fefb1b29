from __future__ import annotations

import pytest
from django.db import connection

from meridian.catalog.queries import search_products
from tests.actors import actor_for
from tests.catalog.factories import ProductFactory
from tests.customers.factories import BuyerUserFactory


@pytest.mark.postgres
@pytest.mark.django_db
def test_full_text_search_matches_word_forms_and_ranks_exact_sku_first() -> None:
    buyer = BuyerUserFactory()
    org = buyer.account.organization
    ProductFactory(organization=org, sku="HXB-M8", name="Hex bolt M8, zinc plated")
    ProductFactory(organization=org, sku="CRB-1", name="Carriage bolt 1/4 in")
    ProductFactory(organization=org, sku="NUT-1", name="Hex nut M8")
    actor = actor_for(buyer)

    plural = search_products(actor=actor, query="bolts")
    exact = search_products(actor=actor, query="NUT-1")

    assert {p.sku for p in plural.items} == {"HXB-M8", "CRB-1"}
    assert exact.items[0].sku == "NUT-1"


@pytest.mark.postgres
@pytest.mark.django_db
def test_search_indexes_exist() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "select indexname from pg_indexes where tablename in ('catalog_product', 'customers_account')"
        )
        names = {row[0] for row in cursor.fetchall()}

    assert {
        "catalog_product_search_trgm",
        "catalog_product_search_fts",
        "customers_account_path_pattern",
    } <= names
