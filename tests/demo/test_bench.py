from __future__ import annotations

import random
import re
from io import StringIO

import pytest
from django.core.management import call_command

from meridian.demo.bench import run_catalog_bench
from meridian.demo.catalog_data import allocate, render, sample_products
from meridian.demo.catalog_data.families import FAMILIES


def test_allocation_fills_the_total_and_respects_each_family_size() -> None:
    spaces = [3, 10, 1000]

    counts = allocate(500, spaces)

    assert sum(counts) == 500
    assert counts[0] == 3
    assert all(count <= space for count, space in zip(counts, spaces, strict=True))
    with pytest.raises(ValueError):
        allocate(2000, spaces)


def test_the_assortment_can_make_a_large_catalog_with_readable_products() -> None:
    bolt = render(FAMILIES[0], 0)
    sample = list(sample_products(total=2000, rng=random.Random(1), families=FAMILIES))

    assert sum(family.space for family in FAMILIES) >= 200_000  # the large profile
    assert bolt.sku == "HXB-M4X16-ZN"
    assert bolt.name == "Hex Bolt M4 x 16 mm, Zinc Plated, Class 8.8"
    assert bolt.attributes["brand"] == "Northwind Pro"
    assert len({spec.sku for spec in sample}) == 2000
    assert {spec.base_uom for spec in sample} >= {"EA", "M", "KG", "L", "PR"}


@pytest.mark.django_db
def test_catalog_bench_measures_and_its_baseline_agrees() -> None:
    lines: list[str] = []

    passed = run_catalog_bench(
        profile="tiny", iterations=5, warmup=1, seed=3, include_http=True, out=lines.append
    )

    text = "\n".join(lines)
    agreed = re.search(r"baseline returns Meridian's page and count for (\d+)/(\d+) samples", text)
    assert agreed and agreed.group(1) == agreed.group(2), text
    for name in (
        "catalog.search",
        "catalog.category.top",
        "catalog.category.second",
        "baseline.search (plain SQL)",
    ):
        assert re.search(
            rf"^{re.escape(name)}\s+p50=[\d.]+ms p95=[\d.]+ms p99=[\d.]+ms n=5 rows=\d+$", text, re.M
        ), name
    assert re.search(r"^http\.search\s+p50=", text, re.M) or "http: skipped" in text
    assert ("overall: PASS" in text) == passed


@pytest.mark.django_db
def test_bench_command_seeds_an_empty_database_first() -> None:
    output = StringIO()

    call_command(
        "bench",
        "catalog",
        "--profile",
        "tiny",
        "--iterations",
        "2",
        "--warmup",
        "0",
        "--no-http",
        stdout=output,
    )

    text = output.getvalue()
    assert "No demo data: seeding profile 'tiny' first" in text
    assert re.search(r"^catalog\.search\s+p50=.* n=2 rows=\d+$", text, re.M)
    assert "http.search" not in text
