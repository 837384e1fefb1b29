"""Row locks for the services (call inside a transaction; iterating takes the lock)."""

from __future__ import annotations

from collections.abc import Collection

from meridian.pricing.errors import PriceListNotFound
from meridian.pricing.models import (
    Coupon,
    PriceList,
    PriceListEntry,
    RebateProgram,
)


def lock_coupons(*, organization_id: int, codes: Collection[str]) -> dict[str, Coupon]:
    """Lock the coupons in pk order so concurrent redemptions cannot deadlock."""
    rows = Coupon.objects.filter(organization_id=organization_id, code__in=list(codes)).order_by("pk")
    return {row.code: row for row in rows.select_for_update(of=("self",))}


def lock_rebate_programs(*, program_ids: Collection[int]) -> list[RebateProgram]:
    """Lock programs in pk order: accruals of one program are computed one transaction at a time."""
    rows = (
        RebateProgram.objects.filter(pk__in=list(program_ids)).order_by("pk").select_for_update(of=("self",))
    )
    return list(rows)


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
