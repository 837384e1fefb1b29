"""Row locks for the services (call inside a transaction; iterating takes the lock)."""

from __future__ import annotations

from collections.abc import Collection

from django.db import connection

from meridian.pricing.errors import PriceListNotFound
from meridian.pricing.models import (
    Coupon,
    PriceList,
    PriceListEntry,
)


def lock_coupons(*, organization_id: int, codes: Collection[str]) -> dict[str, Coupon]:
    """Lock the coupons in pk order so concurrent redemptions cannot deadlock."""
    rows = Coupon.objects.filter(organization_id=organization_id, code__in=list(codes)).order_by("pk")
    return {row.code: row for row in rows.select_for_update(of=("self",))}


INT4 = 2**31  # pg_advisory_xact_lock(int4, int4)


def lock_rebate_bases(*, keys: Collection[tuple[int, int]]) -> None:
    """Lock the (program id, account id) bases an accrual adds to, in key order, until the end of the
    transaction: the basis to date of one account under one program is read and extended one
    transaction at a time, while other accounts (and other programs) accrue in parallel.

    No row stands for a basis (it is the sum of the account's accruals), so PostgreSQL's transaction
    advisory locks name it: one statement per key (an order usually has one account and few programs).
    Ids beyond int4 wrap, which can only make two bases share a lock. SQLite has one writer at a time
    already: nothing to lock.
    """
    if connection.vendor != "postgresql" or not keys:
        return
    with connection.cursor() as cursor:
        for program_id, account_id in sorted(keys):
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [program_id % INT4, account_id % INT4])


def lock_price_entries(*, price_list: PriceList, product_ids: Collection[int]) -> list[PriceListEntry]:
    """Lock the list's entries for these products in pk order before an upsert rewrites them."""
    rows = (
        PriceListEntry.objects.filter(price_list=price_list, product_id__in=list(product_ids))
        .order_by("pk")
        .select_for_update(of=("self",))
    )
    return list(rows)


def lock_price_list(*, price_list_id: int) -> PriceList:
    """Lock one price list row (serializes bulk upserts into it)."""
    row = PriceList.objects.filter(pk=price_list_id).select_for_update(of=("self",)).first()
    if row is None:
        raise PriceListNotFound(price_list_id)
    return row
