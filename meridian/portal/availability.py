"""Availability as a buyer reads it: the words on product, search and category pages.

The numbers come from `meridian.inventory.queries.availability_for` (one call per page, a fixed
number of queries); this module only phrases them ("600 in stock across 3 warehouses · ships
today if ordered by 3 pm (Chicago time)", "Backorder: expected Dec 4", "Ships from supplier in
5 days"). No prices here: pricing is separate.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from meridian.core.actor import Actor
from meridian.inventory import engine
from meridian.inventory.models import Warehouse
from meridian.inventory.queries import availability_for


class Status(enum.StrEnum):
    IN_STOCK = "in_stock"
    DROPSHIP = "dropship"
    BACKORDER = "backorder"
    OUT_OF_STOCK = "out_of_stock"


@dataclass(frozen=True, slots=True)
class WarehouseLine:
    name: str
    available: Decimal
    ships: str  # "ships today" / "ships Thu, Mar 5"


@dataclass(frozen=True, slots=True)
class AvailabilityText:
    status: Status
    headline: str  # the product page's first line
    detail: str  # its second part ("" when none)
    badge: str  # the compact label on result lists
    badge_note: str  # a second, smaller word on result lists ("" when none)
    warehouses: tuple[WarehouseLine, ...] = ()

    @property
    def tone(self) -> str:
        """The badge's colour class."""
        return {
            Status.IN_STOCK: "ok",
            Status.DROPSHIP: "ok",
            Status.BACKORDER: "warning",
            Status.OUT_OF_STOCK: "danger",
        }[self.status]


def _quantity(value: Decimal) -> str:
    number = format(value.normalize(), "f")
    whole, _, fraction = number.partition(".")
    return f"{int(whole):,}" + (f".{fraction}" if fraction else "")


def _day(value: date) -> str:
    return f"{value:%b} {value.day}"  # "Dec 4"


def _weekday(value: date) -> str:
    return f"{value:%a}, {_day(value)}"  # "Thu, Mar 5"


def _clock(moment: datetime, timezone: str) -> str:
    """3 pm, 3:30 pm, noon — in the warehouse's own time."""
    local = moment.astimezone(ZoneInfo(timezone))
    if (local.hour, local.minute) == (12, 0):
        return "noon"
    hour = local.hour % 12 or 12
    minutes = f":{local.minute:02d}" if local.minute else ""
    return f"{hour}{minutes} {'am' if local.hour < 12 else 'pm'}"


def _zone_name(timezone: str) -> str:
    """America/Chicago -> Chicago, America/Los_Angeles -> Los Angeles."""
    return timezone.rsplit("/", 1)[-1].replace("_", " ")


def phrase(item: engine.ProductAvailability, warehouses: dict[int, Warehouse]) -> AvailabilityText:
    """The words for one product's availability (pure: no queries)."""
    lines = tuple(
        WarehouseLine(
            name=warehouses[row.warehouse_id].name,
            available=row.available,
            ships="ships today" if row.ships_today else f"ships {_weekday(row.ship_date)}",
        )
        for row in item.warehouses
        if row.available > 0
    )
    if item.total_available > 0:
        count = item.warehouses_with_stock
        headline = f"{_quantity(item.total_available)} in stock" + (
            f" across {count} warehouses" if count > 1 else ""
        )
        if item.ships_today and item.order_by is not None:
            zone = next(
                warehouses[row.warehouse_id].timezone
                for row in item.warehouses
                if row.ships_today and row.available > 0 and row.cutoff == item.order_by
            )
            detail = f"ships today if ordered by {_clock(item.order_by, zone)} ({_zone_name(zone)} time)"
            note = "Ships today"
        elif item.ship_date is not None:
            detail = f"ships {_weekday(item.ship_date)}"
            note = f"Ships {item.ship_date:%a}"
        else:
            detail = note = ""
        return AvailabilityText(Status.IN_STOCK, headline, detail, "In stock", note, lines)
    if item.dropship_lead_time_days is not None:
        days = item.dropship_lead_time_days
        when = "in 1 day" if days == 1 else f"in {days} days"
        return AvailabilityText(
            Status.DROPSHIP, f"Ships from supplier {when}", "", f"Ships {when}", "From supplier"
        )
    backorderable = item.backorder_policy is engine.BackorderPolicy.ALLOW
    if item.next_incoming_date is not None:
        expected = _day(item.next_incoming_date)
        if backorderable:
            return AvailabilityText(
                Status.BACKORDER, f"Backorder: expected {expected}", "", "Backorder", f"Expected {expected}"
            )
        return AvailabilityText(
            Status.OUT_OF_STOCK,
            "Out of stock",
            f"expected back {expected}",
            "Out of stock",
            f"Back {expected}",
        )
    if backorderable:
        return AvailabilityText(Status.BACKORDER, "Available on backorder", "", "Backorder", "")
    return AvailabilityText(Status.OUT_OF_STOCK, "Out of stock", "", "Out of stock", "")


def availability_texts(
    *, actor: Actor, product_ids: Sequence[int], now: datetime
) -> dict[int, AvailabilityText]:
    """Availability for a whole page of products, by product id, in a fixed number of queries (3)."""
    if not product_ids:
        return {}
    result = availability_for(actor=actor, product_ids=product_ids, now=now)
    return {product_id: phrase(item, result.warehouses) for product_id, item in result.products.items()}
