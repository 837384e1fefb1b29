"""The allocation planner and available-to-promise, without a database."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest

from meridian.inventory.engine import (
    AllocationRequest,
    BackorderPolicy,
    Coordinates,
    DropShipOption,
    DropShipPiece,
    LineRequest,
    ShippingClock,
    StockPiece,
    Strategy,
    WarehouseCandidate,
    WarehouseKind,
    available_to_promise,
    cutoff_at,
    departures,
    distance_km,
    plan_allocation,
    ship_date,
    ships_today,
)

D = Decimal
CHICAGO = Coordinates(41.88, -87.63)
RENO = Coordinates(39.53, -119.81)
NEWARK = Coordinates(40.74, -74.17)


def own(warehouse_id: int, priority: int, location: Coordinates | None = None) -> WarehouseCandidate:
    return WarehouseCandidate(
        warehouse_id=warehouse_id, kind=WarehouseKind.OWN, priority=priority, location=location
    )


def line(
    key: str, product_id: int, quantity: int, policy: BackorderPolicy = BackorderPolicy.DENY
) -> LineRequest:
    return LineRequest(key=key, product_id=product_id, quantity=D(quantity), policy=policy)


# --- strategies -----------------------------------------------------------------------------


def test_priority_fills_from_the_lowest_priority_number_first_and_splits_when_short() -> None:
    request = AllocationRequest(
        lines=[line("1", 100, 8)],
        warehouses=[own(1, priority=20), own(2, priority=10)],
        available={(1, 100): D(10), (2, 100): D(5)},
        strategy=Strategy.PRIORITY,
    )

    plan = plan_allocation(request)

    assert plan.lines[0].pieces == (StockPiece(2, D(5)), StockPiece(1, D(3)))
    assert not plan.refused


def test_nearest_takes_the_closest_warehouse_to_the_ship_to_point() -> None:
    request = AllocationRequest(
        lines=[line("1", 100, 4)],
        warehouses=[own(1, 1, CHICAGO), own(2, 2, RENO), own(3, 3, NEWARK)],
        available={(1, 100): D(10), (2, 100): D(10), (3, 100): D(10)},
        strategy=Strategy.NEAREST,
        ship_to=Coordinates(40.71, -74.01),  # New York
    )

    plan = plan_allocation(request)

    assert plan.lines[0].pieces == (StockPiece(3, D(4)),)


def test_nearest_puts_warehouses_without_coordinates_last() -> None:
    request = AllocationRequest(
        lines=[line("1", 100, 4)],
        warehouses=[own(1, 1), own(2, 2, RENO)],
        available={(1, 100): D(10), (2, 100): D(10)},
        strategy=Strategy.NEAREST,
        ship_to=Coordinates(40.71, -74.01),
    )

    assert plan_allocation(request).lines[0].pieces == (StockPiece(2, D(4)),)


def test_nearest_without_ship_to_coordinates_falls_back_to_priority() -> None:
    request = AllocationRequest(
        lines=[line("1", 100, 4)],
        warehouses=[own(1, 2, CHICAGO), own(2, 1, RENO)],
        available={(1, 100): D(10), (2, 100): D(10)},
        strategy=Strategy.NEAREST,
        ship_to=None,
    )

    plan = plan_allocation(request)

    assert plan.lines[0].pieces == (StockPiece(2, D(4)),)
    assert "no ship-to coordinates" in plan.reasons[0]


def test_fewest_shipments_prefers_one_warehouse_that_ships_every_line_over_priority() -> None:
    # Priority would take line 1 from warehouse 1 and line 2 from warehouse 2: two shipments.
    request = AllocationRequest(
        lines=[line("1", 100, 5), line("2", 200, 5)],
        warehouses=[own(1, 1), own(2, 2)],
        available={(1, 100): D(5), (2, 100): D(5), (2, 200): D(5)},
        strategy=Strategy.FEWEST_SHIPMENTS,
    )

    plan = plan_allocation(request)

    assert [row.pieces for row in plan.lines] == [(StockPiece(2, D(5)),), (StockPiece(2, D(5)),)]
    assert plan.shipments == 1


def test_fewest_shipments_without_a_single_warehouse_picks_greedily_the_fewest() -> None:
    # Priority order would ship from all four warehouses; warehouse 3 completes three lines.
    request = AllocationRequest(
        lines=[line("1", 100, 2), line("2", 200, 2), line("3", 300, 2), line("4", 400, 2)],
        warehouses=[own(1, 1), own(2, 2), own(3, 3), own(4, 4)],
        available={
            (1, 100): D(2),
            (2, 200): D(2),
            (3, 100): D(2),
            (3, 200): D(2),
            (3, 300): D(2),
            (4, 400): D(2),
        },
        strategy=Strategy.FEWEST_SHIPMENTS,
    )

    plan = plan_allocation(request)

    assert {row.key: row.pieces for row in plan.lines} == {
        "1": (StockPiece(3, D(2)),),
        "2": (StockPiece(3, D(2)),),
        "3": (StockPiece(3, D(2)),),
        "4": (StockPiece(4, D(2)),),
    }
    assert plan.shipments == 2
    assert "greedy" in plan.reasons[0]


def test_two_lines_of_one_product_share_the_same_stock() -> None:
    request = AllocationRequest(
        lines=[line("1", 100, 4), line("2", 100, 4, BackorderPolicy.ALLOW)],
        warehouses=[own(1, 1)],
        available={(1, 100): D(6)},
    )

    plan = plan_allocation(request)

    assert plan.lines[0].allocated == D(4)
    assert (plan.lines[1].allocated, plan.lines[1].backordered) == (D(2), D(2))


# --- backorder policies ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("policy", "allocated", "backordered", "cancelled", "refused"),
    [
        (BackorderPolicy.ALLOW, D(3), D(7), D(0), False),
        (BackorderPolicy.PARTIAL, D(3), D(0), D(7), False),
        (BackorderPolicy.DENY, D(3), D(0), D(0), True),
    ],
)
def test_backorder_policy_decides_the_shortfall(
    policy: BackorderPolicy, allocated: Decimal, backordered: Decimal, cancelled: Decimal, refused: bool
) -> None:
    request = AllocationRequest(
        lines=[line("1", 100, 10, policy)], warehouses=[own(1, 1)], available={(1, 100): D(3)}
    )

    result = plan_allocation(request).lines[0]

    assert (result.allocated, result.backordered, result.cancelled, result.refused) == (
        allocated,
        backordered,
        cancelled,
        refused,
    )
    assert result.reasons


def test_a_refused_line_refuses_the_plan_but_other_lines_stay_planned() -> None:
    request = AllocationRequest(
        lines=[line("1", 100, 2), line("2", 200, 5)],
        warehouses=[own(1, 1)],
        available={(1, 100): D(2), (1, 200): D(1)},
    )

    plan = plan_allocation(request)

    assert [row.key for row in plan.refused] == ["2"]
    assert plan.lines[0].allocated == D(2)


# --- drop-ship ------------------------------------------------------------------------------


def test_a_line_own_stock_cannot_cover_goes_whole_to_the_fastest_supplier() -> None:
    request = AllocationRequest(
        lines=[line("1", 100, 10)],
        warehouses=[own(1, 1)],
        available={(1, 100): D(4)},
        dropship={
            100: [
                DropShipOption(supplier_id=8, lead_time_days=7),
                DropShipOption(supplier_id=9, lead_time_days=2),
            ]
        },
    )

    result = plan_allocation(request).lines[0]

    assert result.pieces == ()
    assert result.dropship == (
        DropShipPiece(supplier_id=9, quantity=D(10), lead_time_days=2, warehouse_id=None),
    )
    assert not result.refused


def test_a_supplier_reporting_stock_ships_at_most_that_and_the_rest_follows_the_policy() -> None:
    supplier_stock = WarehouseCandidate(
        warehouse_id=5, kind=WarehouseKind.DROPSHIP, priority=9, supplier_id=9
    )
    request = AllocationRequest(
        lines=[line("1", 100, 10, BackorderPolicy.ALLOW)],
        warehouses=[own(1, 1), supplier_stock],
        available={(1, 100): D(4), (5, 100): D(3)},
        dropship={100: [DropShipOption(supplier_id=9, lead_time_days=2)]},
    )

    result = plan_allocation(request).lines[0]

    assert result.pieces == (StockPiece(1, D(4)),)
    assert result.dropship == (DropShipPiece(9, D(3), 2, warehouse_id=5),)
    assert result.backordered == D(3)


def test_drop_ship_warehouses_are_never_used_as_own_stock() -> None:
    supplier_stock = WarehouseCandidate(
        warehouse_id=5, kind=WarehouseKind.DROPSHIP, priority=0, supplier_id=9
    )
    request = AllocationRequest(
        lines=[line("1", 100, 2, BackorderPolicy.ALLOW)],
        warehouses=[supplier_stock],
        available={(5, 100): D(50)},
    )

    result = plan_allocation(request).lines[0]

    assert (result.pieces, result.dropship, result.backordered) == ((), (), D(2))


# --- the shipping clock ---------------------------------------------------------------------

CHICAGO_CLOCK = ShippingClock(timezone="America/Chicago", cutoff=time(15, 0))
BERLIN_CLOCK = ShippingClock(timezone="Europe/Berlin", cutoff=time(15, 0))


def test_cutoff_is_read_in_each_warehouses_own_timezone() -> None:
    # Wednesday 2026-03-04 18:00 UTC: 12:00 in Chicago (before its 15:00), 19:00 in Berlin (after).
    now = datetime(2026, 3, 4, 18, 0, tzinfo=UTC)

    assert ships_today(CHICAGO_CLOCK, now)
    assert not ships_today(BERLIN_CLOCK, now)
    assert ship_date(BERLIN_CLOCK, now) == date(2026, 3, 5)
    assert cutoff_at(CHICAGO_CLOCK, date(2026, 3, 4)) == datetime(2026, 3, 4, 21, 0, tzinfo=UTC)
    assert cutoff_at(BERLIN_CLOCK, date(2026, 3, 5)) == datetime(2026, 3, 5, 14, 0, tzinfo=UTC)


def test_the_local_date_can_differ_from_the_utc_date() -> None:
    # Thursday 03:00 UTC is still Wednesday 21:00 in Chicago: after the cutoff, so Thursday.
    now = datetime(2026, 3, 5, 3, 0, tzinfo=UTC)

    assert ship_date(CHICAGO_CLOCK, now) == date(2026, 3, 5)
    assert not ships_today(CHICAGO_CLOCK, now)


def test_after_friday_cutoff_the_next_ship_date_is_monday() -> None:
    friday_evening = datetime(2026, 3, 6, 22, 0, tzinfo=UTC)  # 16:00 in Chicago

    assert ship_date(CHICAGO_CLOCK, friday_evening) == date(2026, 3, 9)


def test_cutoff_follows_daylight_saving_time() -> None:
    # Chicago moves to CDT on 2026-03-08: 15:00 local is 21:00 UTC before, 20:00 UTC after.
    assert cutoff_at(CHICAGO_CLOCK, date(2026, 3, 6)).hour == 21
    assert cutoff_at(CHICAGO_CLOCK, date(2026, 3, 9)).hour == 20


def test_a_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        ships_today(CHICAGO_CLOCK, datetime(2026, 3, 4, 12, 0))


def test_distance_is_great_circle_kilometres() -> None:
    assert 2_650 < distance_km(CHICAGO, RENO) < 2_750  # about 1,680 miles


# --- available to promise -------------------------------------------------------------------


def test_available_to_promise_totals_own_stock_and_says_which_warehouse_ships_today() -> None:
    chicago = WarehouseCandidate(1, WarehouseKind.OWN, 1, clock=CHICAGO_CLOCK)
    berlin = WarehouseCandidate(2, WarehouseKind.THIRD_PARTY, 2, clock=BERLIN_CLOCK)
    supplier = WarehouseCandidate(3, WarehouseKind.DROPSHIP, 3, supplier_id=9)
    now = datetime(2026, 3, 4, 18, 0, tzinfo=UTC)

    result = available_to_promise(
        product_id=100,
        departures=departures([berlin, chicago, supplier], now),
        available={1: D(40), 2: D(60), 3: D(1000)},
        today=now.date(),
        incoming_dates=[date(2026, 3, 20), date(2026, 3, 1), date(2026, 3, 10)],
        dropship_lead_times=[5, 3],
        policy=BackorderPolicy.ALLOW,
    )

    assert result.total_available == D(100)
    assert [w.warehouse_id for w in result.warehouses] == [1, 2]
    assert result.ships_today
    assert result.order_by == datetime(2026, 3, 4, 21, 0, tzinfo=UTC)
    assert result.ship_date == date(2026, 3, 4)
    assert result.next_incoming_date == date(2026, 3, 10)  # the overdue one is no promise
    assert result.dropship_lead_time_days == 3
    assert result.warehouses_with_stock == 2


def test_available_to_promise_without_stock_in_an_open_warehouse_does_not_ship_today() -> None:
    chicago = WarehouseCandidate(1, WarehouseKind.OWN, 1, clock=CHICAGO_CLOCK)
    berlin = WarehouseCandidate(2, WarehouseKind.OWN, 2, clock=BERLIN_CLOCK)
    now = datetime(2026, 3, 4, 18, 0, tzinfo=UTC)

    result = available_to_promise(
        product_id=100, departures=departures([chicago, berlin], now), available={2: D(5)}, today=now.date()
    )

    assert not result.ships_today
    assert result.order_by is None
    assert result.ship_date == date(2026, 3, 5)
