"""Allocation planning and available-to-promise: pure Python on frozen dataclasses.

No ORM, no settings, no clock: the service loads locked stock, calls `plan_allocation`
and applies the plan; `available_to_promise` answers "how many, from where, ships when".
Quantities are Decimals in the product's base unit.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

ZERO = Decimal(0)
WEEKDAYS = frozenset({1, 2, 3, 4, 5})  # ISO: Monday = 1
EARTH_RADIUS_KM = 6371.0088


class Strategy(enum.StrEnum):
    PRIORITY = "priority"
    NEAREST = "nearest"
    FEWEST_SHIPMENTS = "fewest_shipments"


class BackorderPolicy(enum.StrEnum):
    ALLOW = "allow"  # the shortfall is backordered
    PARTIAL = "partial"  # what can be supplied is allocated; the shortfall is cancelled
    DENY = "deny"  # the order is refused unless every line is covered


class WarehouseKind(enum.StrEnum):
    OWN = "own"
    THIRD_PARTY = "3pl"
    DROPSHIP = "dropship"


@dataclass(frozen=True, slots=True)
class Coordinates:
    latitude: float
    longitude: float


def distance_km(a: Coordinates, b: Coordinates) -> float:
    """Great-circle (haversine) distance."""
    lat1, lat2 = math.radians(a.latitude), math.radians(b.latitude)
    dlat = lat2 - lat1
    dlon = math.radians(b.longitude - a.longitude)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


# --- shipping clock -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ShippingClock:
    """When a warehouse ships: days of the week and a daily cutoff, both in its own timezone."""

    timezone: str = "UTC"
    cutoff: time = time(15, 0)
    weekdays: frozenset[int] = WEEKDAYS


def _local(now: datetime, clock: ShippingClock) -> datetime:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(ZoneInfo(clock.timezone))


def ship_date(clock: ShippingClock, now: datetime) -> date:
    """The warehouse's local date on which an order placed at `now` leaves it."""
    if not clock.weekdays:
        raise ValueError("a shipping clock needs at least one weekday")
    local = _local(now, clock)
    day = local.date()
    if day.isoweekday() in clock.weekdays and local.time() < clock.cutoff:
        return day
    day += timedelta(days=1)
    while day.isoweekday() not in clock.weekdays:
        day += timedelta(days=1)
    return day


def ships_today(clock: ShippingClock, now: datetime) -> bool:
    return ship_date(clock, now) == _local(now, clock).date()


def cutoff_at(clock: ShippingClock, day: date) -> datetime:
    """The cutoff on a local date, as an aware UTC datetime."""
    local = datetime.combine(day, clock.cutoff, tzinfo=ZoneInfo(clock.timezone))
    return local.astimezone(UTC)


# --- allocation planning --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WarehouseCandidate:
    warehouse_id: int
    kind: WarehouseKind
    priority: int
    location: Coordinates | None = None
    supplier_id: int | None = None  # drop-ship warehouses: whose stock this is
    clock: ShippingClock = ShippingClock()

    @property
    def holds_own_stock(self) -> bool:
        return self.kind is not WarehouseKind.DROPSHIP


@dataclass(frozen=True, slots=True)
class DropShipOption:
    supplier_id: int
    lead_time_days: int


@dataclass(frozen=True, slots=True)
class LineRequest:
    key: str
    product_id: int
    quantity: Decimal
    policy: BackorderPolicy = BackorderPolicy.DENY


@dataclass(frozen=True, slots=True)
class AllocationRequest:
    lines: Sequence[LineRequest]
    warehouses: Sequence[WarehouseCandidate]
    available: Mapping[tuple[int, int], Decimal]  # (warehouse_id, product_id) -> available
    strategy: Strategy = Strategy.PRIORITY
    ship_to: Coordinates | None = None
    dropship: Mapping[int, Sequence[DropShipOption]] = field(default_factory=dict)  # by product_id


@dataclass(frozen=True, slots=True)
class StockPiece:
    warehouse_id: int
    quantity: Decimal


@dataclass(frozen=True, slots=True)
class DropShipPiece:
    supplier_id: int
    quantity: Decimal
    lead_time_days: int
    warehouse_id: int | None  # the supplier's drop-ship warehouse when it reports stock, else None


@dataclass(frozen=True, slots=True)
class LinePlan:
    key: str
    product_id: int
    requested: Decimal
    pieces: tuple[StockPiece, ...] = ()
    dropship: tuple[DropShipPiece, ...] = ()
    backordered: Decimal = ZERO
    cancelled: Decimal = ZERO
    refused: bool = False
    reasons: tuple[str, ...] = ()

    @property
    def allocated(self) -> Decimal:
        return sum((piece.quantity for piece in self.pieces), ZERO)

    @property
    def dropshipped(self) -> Decimal:
        return sum((piece.quantity for piece in self.dropship), ZERO)

    @property
    def supplied(self) -> Decimal:
        """Covered now: from stock or by a supplier."""
        return self.allocated + self.dropshipped


@dataclass(frozen=True, slots=True)
class AllocationPlan:
    strategy: Strategy
    lines: tuple[LinePlan, ...]
    reasons: tuple[str, ...] = ()

    @property
    def refused(self) -> tuple[LinePlan, ...]:
        return tuple(line for line in self.lines if line.refused)

    @property
    def warehouse_ids(self) -> tuple[int, ...]:
        """Warehouses that ship stock, in first-use order."""
        seen: dict[int, None] = {}
        for line in self.lines:
            for piece in line.pieces:
                seen.setdefault(piece.warehouse_id, None)
        return tuple(seen)

    @property
    def shipments(self) -> int:
        suppliers = {piece.supplier_id for line in self.lines for piece in line.dropship}
        return len(self.warehouse_ids) + len(suppliers)


def _priority_order(warehouses: Sequence[WarehouseCandidate]) -> list[WarehouseCandidate]:
    return sorted(warehouses, key=lambda w: (w.priority, w.warehouse_id))


def _nearest_order(
    warehouses: Sequence[WarehouseCandidate], ship_to: Coordinates
) -> list[WarehouseCandidate]:
    def key(w: WarehouseCandidate) -> tuple[int, float, int, int]:
        if w.location is None:  # unknown location: after every located warehouse, by priority
            return (1, 0.0, w.priority, w.warehouse_id)
        return (0, distance_km(ship_to, w.location), w.priority, w.warehouse_id)

    return sorted(warehouses, key=key)


def _take_in_order(
    lines: Sequence[LineRequest],
    need: dict[str, Decimal],
    ordered: Sequence[WarehouseCandidate],
    stock: dict[tuple[int, int], Decimal],
    pieces: dict[str, list[StockPiece]],
) -> None:
    """Fill each line from the warehouses in order (priority and nearest strategies)."""
    for line in lines:
        for warehouse in ordered:
            if need[line.key] <= 0:
                break
            _take(line, warehouse.warehouse_id, need, stock, pieces)


def _take(
    line: LineRequest,
    warehouse_id: int,
    need: dict[str, Decimal],
    stock: dict[tuple[int, int], Decimal],
    pieces: dict[str, list[StockPiece]],
) -> Decimal:
    pair = (warehouse_id, line.product_id)
    quantity = min(need[line.key], stock.get(pair, ZERO))
    if quantity > 0:
        stock[pair] -= quantity
        need[line.key] -= quantity
        pieces[line.key].append(StockPiece(warehouse_id, quantity))
    return quantity


def _covers_all(
    warehouse_id: int,
    lines: Sequence[LineRequest],
    need: Mapping[str, Decimal],
    stock: Mapping[tuple[int, int], Decimal],
) -> bool:
    demand: dict[int, Decimal] = {}
    for line in lines:
        demand[line.product_id] = demand.get(line.product_id, ZERO) + need[line.key]
    return all(
        stock.get((warehouse_id, product_id), ZERO) >= quantity for product_id, quantity in demand.items()
    )


def _coverage(
    warehouse_id: int,
    lines: Sequence[LineRequest],
    need: Mapping[str, Decimal],
    stock: Mapping[tuple[int, int], Decimal],
) -> tuple[int, Decimal]:
    """(lines this warehouse could complete, quantity it could ship) against what is still needed."""
    left = dict(stock)
    complete, quantity = 0, ZERO
    for line in lines:
        if need[line.key] <= 0:
            continue
        pair = (warehouse_id, line.product_id)
        take = min(need[line.key], left.get(pair, ZERO))
        if take > 0:
            left[pair] -= take
            quantity += take
            complete += take == need[line.key]
    return complete, quantity


def _take_fewest_shipments(
    lines: Sequence[LineRequest],
    need: dict[str, Decimal],
    ordered: Sequence[WarehouseCandidate],
    stock: dict[tuple[int, int], Decimal],
    pieces: dict[str, list[StockPiece]],
) -> str:
    """One warehouse if one can ship everything; else greedily the warehouse completing most lines."""
    for warehouse in ordered:
        if _covers_all(warehouse.warehouse_id, lines, need, stock):
            for line in lines:
                _take(line, warehouse.warehouse_id, need, stock, pieces)
            return f"fewest_shipments: one warehouse ({warehouse.warehouse_id}) ships every line"
    unused = list(ordered)
    while unused and any(need[line.key] > 0 for line in lines):
        # max() keeps the first of equals, and `unused` is in priority order: ties go to priority.
        scores = [(_coverage(w.warehouse_id, lines, need, stock), index) for index, w in enumerate(unused)]
        (_, quantity), index = max(scores, key=lambda item: (item[0][0], item[0][1], -item[1]))
        if quantity <= 0:
            break
        chosen = unused.pop(index)
        for line in lines:
            if need[line.key] > 0:
                _take(line, chosen.warehouse_id, need, stock, pieces)
    return "fewest_shipments: no single warehouse ships every line; greedy fewest"


def _dropship_capacity(
    option: DropShipOption,
    product_id: int,
    supplier_warehouses: Mapping[int, int],
    stock: Mapping[tuple[int, int], Decimal],
) -> tuple[int | None, Decimal | None]:
    """(the supplier's warehouse, what it can ship); capacity None when the supplier reports no stock."""
    warehouse_id = supplier_warehouses.get(option.supplier_id)
    if warehouse_id is None:
        return None, None
    return warehouse_id, stock.get((warehouse_id, product_id), ZERO)


def plan_allocation(request: AllocationRequest) -> AllocationPlan:
    """Decide, for every line, which warehouses ship how much, what suppliers drop-ship and what is short.

    1. A line that own stock (own and 3PL warehouses) cannot cover in full goes, whole, to the
       drop-ship supplier with the shortest lead time that can ship all of it.
    2. The other lines take own stock by the strategy.
    3. A shortfall takes what drop-ship suppliers still have, then follows the line's policy:
       allow backorders it, partial cancels it, deny refuses the line (and so the order).
    """
    stock_warehouses = [w for w in request.warehouses if w.holds_own_stock]
    supplier_warehouses: dict[int, int] = {}
    for warehouse in _priority_order([w for w in request.warehouses if not w.holds_own_stock]):
        if warehouse.supplier_id is not None:
            supplier_warehouses.setdefault(warehouse.supplier_id, warehouse.warehouse_id)
    known = {w.warehouse_id for w in request.warehouses}
    stock = {pair: max(quantity, ZERO) for pair, quantity in request.available.items() if pair[0] in known}
    options = {
        product_id: sorted(choices, key=lambda o: (o.lead_time_days, o.supplier_id))
        for product_id, choices in request.dropship.items()
    }

    # 1. Whole lines to a supplier when own stock falls short.
    own_ids = {w.warehouse_id for w in stock_warehouses}
    own_left: dict[int, Decimal] = {}
    for (warehouse_id, product_id), quantity in stock.items():
        if warehouse_id in own_ids:
            own_left[product_id] = own_left.get(product_id, ZERO) + quantity
    need = {line.key: line.quantity for line in request.lines}
    pieces: dict[str, list[StockPiece]] = {line.key: [] for line in request.lines}
    dropship: dict[str, list[DropShipPiece]] = {line.key: [] for line in request.lines}
    reasons: dict[str, list[str]] = {line.key: [] for line in request.lines}
    stock_lines: list[LineRequest] = []
    for line in request.lines:
        own = own_left.get(line.product_id, ZERO)
        if own >= line.quantity:
            own_left[line.product_id] = own - line.quantity
            stock_lines.append(line)
            continue
        for option in options.get(line.product_id, ()):
            source, capacity = _dropship_capacity(option, line.product_id, supplier_warehouses, stock)
            if capacity is None or capacity >= line.quantity:
                if source is not None:
                    stock[(source, line.product_id)] -= line.quantity
                dropship[line.key].append(
                    DropShipPiece(option.supplier_id, line.quantity, option.lead_time_days, source)
                )
                need[line.key] = ZERO
                reasons[line.key].append(
                    f"own stock {own} of {line.quantity}: drop-shipped by supplier {option.supplier_id}"
                    f" ({option.lead_time_days} days)"
                )
                break
        else:
            own_left[line.product_id] = ZERO
            stock_lines.append(line)

    # 2. Own stock by strategy.
    plan_reasons: list[str] = []
    strategy = request.strategy
    if strategy is Strategy.NEAREST and request.ship_to is not None:
        _take_in_order(stock_lines, need, _nearest_order(stock_warehouses, request.ship_to), stock, pieces)
    elif strategy is Strategy.FEWEST_SHIPMENTS:
        ordered = _priority_order(stock_warehouses)
        plan_reasons.append(_take_fewest_shipments(stock_lines, need, ordered, stock, pieces))
    else:
        if strategy is Strategy.NEAREST:
            plan_reasons.append("nearest: no ship-to coordinates, warehouse priority used")
        _take_in_order(stock_lines, need, _priority_order(stock_warehouses), stock, pieces)

    # 3. Shortfall: what suppliers still have, then the policy.
    plans = []
    for line in request.lines:
        short = need[line.key]
        for option in options.get(line.product_id, ()) if short > 0 else ():
            source, capacity = _dropship_capacity(option, line.product_id, supplier_warehouses, stock)
            quantity = short if capacity is None else min(short, capacity)
            if quantity <= 0:
                continue
            if source is not None:
                stock[(source, line.product_id)] -= quantity
            dropship[line.key].append(
                DropShipPiece(option.supplier_id, quantity, option.lead_time_days, source)
            )
            reasons[line.key].append(f"{quantity} drop-shipped by supplier {option.supplier_id}")
            short -= quantity
            if short <= 0:
                break
        backordered = cancelled = ZERO
        refused = False
        if short > 0:
            if line.policy is BackorderPolicy.ALLOW:
                backordered = short
                reasons[line.key].append(f"{short} backordered (policy allow)")
            elif line.policy is BackorderPolicy.PARTIAL:
                cancelled = short
                reasons[line.key].append(f"{short} cancelled (policy partial)")
            else:
                refused = True
                reasons[line.key].append(f"{short} short: refused (policy deny)")
        plans.append(
            LinePlan(
                key=line.key,
                product_id=line.product_id,
                requested=line.quantity,
                pieces=tuple(pieces[line.key]),
                dropship=tuple(dropship[line.key]),
                backordered=backordered,
                cancelled=cancelled,
                refused=refused,
                reasons=tuple(reasons[line.key]),
            )
        )
    return AllocationPlan(strategy=strategy, lines=tuple(plans), reasons=tuple(plan_reasons))


# --- available to promise -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WarehouseAvailability:
    warehouse_id: int
    available: Decimal
    ships_today: bool
    ship_date: date  # the warehouse's local date
    cutoff: datetime  # the cutoff on `ship_date`, aware UTC


@dataclass(frozen=True, slots=True)
class ProductAvailability:
    product_id: int
    total_available: Decimal  # own and 3PL warehouses
    warehouses: tuple[WarehouseAvailability, ...]
    ships_today: bool
    ship_date: date | None  # earliest date a warehouse with stock ships; None without stock
    order_by: datetime | None  # order before this (UTC) to ship today
    next_incoming_date: date | None
    dropship_lead_time_days: int | None
    backorder_policy: BackorderPolicy

    @property
    def warehouses_with_stock(self) -> int:
        return sum(1 for w in self.warehouses if w.available > 0)


@dataclass(frozen=True, slots=True)
class Departure:
    """When an order placed now leaves one warehouse."""

    warehouse_id: int
    ships_today: bool
    ship_date: date  # the warehouse's local date
    cutoff: datetime  # the cutoff on `ship_date`, aware UTC


def departures(warehouses: Sequence[WarehouseCandidate], now: datetime) -> tuple[Departure, ...]:
    """Own and 3PL warehouses in priority order with their departure (computed once for a whole page)."""
    result = []
    for warehouse in _priority_order([w for w in warehouses if w.holds_own_stock]):
        day = ship_date(warehouse.clock, now)
        result.append(
            Departure(
                warehouse_id=warehouse.warehouse_id,
                ships_today=day == _local(now, warehouse.clock).date(),
                ship_date=day,
                cutoff=cutoff_at(warehouse.clock, day),
            )
        )
    return tuple(result)


def available_to_promise(
    *,
    product_id: int,
    departures: Sequence[Departure],
    available: Mapping[int, Decimal],
    today: date,
    incoming_dates: Sequence[date] = (),
    dropship_lead_times: Sequence[int] = (),
    policy: BackorderPolicy = BackorderPolicy.DENY,
) -> ProductAvailability:
    """How much of a product can be promised now, from which warehouses, shipping when.

    `departures` come from `departures()` (own and 3PL warehouses: a drop-ship warehouse is a
    supplier's stock and counts toward the drop-ship promise, not the total); `available` is by
    warehouse id; `today` is the UTC date, for expected receipts.
    """
    rows = [
        WarehouseAvailability(
            warehouse_id=departure.warehouse_id,
            available=max(available.get(departure.warehouse_id, ZERO), ZERO),
            ships_today=departure.ships_today,
            ship_date=departure.ship_date,
            cutoff=departure.cutoff,
        )
        for departure in departures
    ]
    stocked = [row for row in rows if row.available > 0]
    today_rows = [row for row in stocked if row.ships_today]
    upcoming = [day for day in incoming_dates if day >= today]
    return ProductAvailability(
        product_id=product_id,
        total_available=sum((row.available for row in rows), ZERO),
        warehouses=tuple(rows),
        ships_today=bool(today_rows),
        ship_date=min((row.ship_date for row in stocked), default=None),
        order_by=max((row.cutoff for row in today_rows), default=None),
        next_incoming_date=min(upcoming, default=None),
        dropship_lead_time_days=min(dropship_lead_times, default=None),
        backorder_policy=policy,
    )
