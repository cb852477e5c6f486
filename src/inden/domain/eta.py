"""ETA pegging: when will each waiting backorder ship?

Walk the backorder queue in allocation order against incoming supply sorted by expected date: a line's
ETA is the expected date of the supply its last waiting unit falls into (plus the shop's handling days).
Past all incoming supply the ETA is estimated from the lead time. Dates only ever move forward along the
queue, so nobody behind you is promised an earlier date than you.

The rule is split in two so that the database can apply it to 100,000 lines without Python per line:
`peg_schedule` turns one SKU's supply into promises by queue position (a few rows), and the queue takes
the running maximum of the promises its lines fall on (`peg_etas` here, a window function in
`inden.db.bulk`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


class EtaConfidence(StrEnum):
    SCHEDULED = "scheduled"  # pegged to an open purchase order
    ESTIMATED = "estimated"  # beyond all open supply: today + lead time


@dataclass(frozen=True, slots=True)
class Inbound:
    """Units on the way: an open purchase-order line (what is still to be received)."""

    expected_at: date
    quantity: int
    delay_days: int = 0  # how late this supplier likely is (e.g. its 90th-percentile delay), for eta_latest
    purchase_order_id: int | None = None  # where the units come from (None: e.g. stock held for a launch)


@dataclass(frozen=True, slots=True)
class WaitingUnits:
    line_id: int
    waiting: int


@dataclass(frozen=True, slots=True)
class Eta:
    line_id: int
    eta: date
    eta_latest: date
    confidence: EtaConfidence


@dataclass(frozen=True, slots=True)
class Promise:
    """What one place in the queue is promised on its own, handling days and today's floor included;
    a line's ETA is the running maximum of the promises up to its place."""

    eta: date
    eta_latest: date  # never before `eta`
    confidence: EtaConfidence


@dataclass(frozen=True, slots=True)
class Delivery:
    """The promise for lines whose last waiting unit is unit `first`…`last` of the queue (1-based)."""

    first: int
    last: int
    promise: Promise
    purchase_order_id: int | None = None  # the inbound supply these units come on


@dataclass(frozen=True, slots=True)
class PegSchedule:
    """One SKU's supply as promises by queue position.

    A line with units `ahead` of it and `waiting` units of its own falls on: the delivery holding unit
    `ahead + waiting` if supply reaches that far; else `partly` if supply covers some of its units (it
    cannot ship before the last delivery); else `beyond`. A line with nothing waiting falls on `beyond`.
    """

    deliveries: tuple[Delivery, ...]
    partly: Promise | None
    beyond: Promise

    @property
    def incoming(self) -> int:
        """Units on the way in all (the last unit a delivery covers)."""
        return self.deliveries[-1].last if self.deliveries else 0

    def promise(self, *, ahead: int, waiting: int) -> Promise:
        upto = ahead + waiting
        if waiting <= 0 or ahead >= self.incoming:
            return self.beyond
        if upto > self.incoming:
            assert self.partly is not None  # there is supply, so there is a last delivery
            return self.partly
        return next(d.promise for d in self.deliveries if d.first <= upto <= d.last)


def peg_schedule(
    inbound: Iterable[Inbound],
    *,
    today: date,
    lead_time_days: int,
    handling_days: int = 0,
    estimated_delay_days: int = 0,
) -> PegSchedule:
    """Promises by queue position for `inbound` supply (any order); see `peg_etas` for the arguments."""
    supply = sorted((s for s in inbound if s.quantity > 0), key=lambda s: s.expected_at)
    handling = timedelta(days=handling_days)

    def floored(arrives: date, latest: date, confidence: EtaConfidence) -> Promise:
        eta = max(arrives + handling, today)
        return Promise(eta, max(latest + handling, eta), confidence)

    def estimated(after: Inbound | None) -> Promise:
        arrives = today + timedelta(days=lead_time_days)
        if after is not None:  # part of the line rides on the last delivery: it cannot ship before it
            arrives = max(arrives, after.expected_at)
        return floored(arrives, arrives + timedelta(days=estimated_delay_days), EtaConfidence.ESTIMATED)

    deliveries, last = [], 0
    for s in supply:
        promise = floored(max(s.expected_at, today), max(s.expected_at + timedelta(days=s.delay_days), today),
                          EtaConfidence.SCHEDULED)
        deliveries.append(Delivery(last + 1, last + s.quantity, promise, s.purchase_order_id))
        last += s.quantity
    return PegSchedule(tuple(deliveries), estimated(supply[-1]) if supply else None, estimated(None))


def peg_etas(
    queue: Sequence[WaitingUnits],
    inbound: Iterable[Inbound],
    *,
    today: date,
    lead_time_days: int,
    handling_days: int = 0,
    estimated_delay_days: int = 0,
) -> list[Eta]:
    """ETAs for `queue` (waiting lines in allocation order) from `inbound` supply (any order).

    Scheduled dates never fall before today; estimated ones never before the last scheduled one. Both
    `eta` and `eta_latest` are non-decreasing along the queue.
    """
    schedule = peg_schedule(inbound, today=today, lead_time_days=lead_time_days, handling_days=handling_days,
                            estimated_delay_days=estimated_delay_days)
    ahead, floor_eta, floor_latest = 0, today, today
    etas: list[Eta] = []
    for line in queue:
        promise = schedule.promise(ahead=ahead, waiting=line.waiting)
        ahead += max(line.waiting, 0)
        floor_eta, floor_latest = max(floor_eta, promise.eta), max(floor_latest, promise.eta_latest)
        etas.append(Eta(line.line_id, floor_eta, floor_latest, promise.confidence))
    return etas
