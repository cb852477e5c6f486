"""ETA pegging: when will each waiting backorder ship?

Walk the backorder queue in allocation order against incoming supply sorted by expected date: a line's
ETA is the expected date of the supply its last waiting unit falls into (plus the shop's handling days).
Past all incoming supply the ETA is estimated from the lead time. Dates only ever move forward along the
queue, so nobody behind you is promised an earlier date than you.
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
    supply = sorted((s for s in inbound if s.quantity > 0), key=lambda s: s.expected_at)
    handling = timedelta(days=handling_days)
    index, left = 0, supply[0].quantity if supply else 0
    floor_eta = floor_latest = today
    etas: list[Eta] = []
    for line in queue:
        need, pegged = line.waiting, None
        while need > 0 and index < len(supply):
            taken = min(need, left)
            need, left, pegged = need - taken, left - taken, supply[index]
            if left == 0:
                index += 1
                left = supply[index].quantity if index < len(supply) else 0
        if need == 0 and pegged is not None:
            arrives = max(pegged.expected_at, today)
            latest = max(pegged.expected_at + timedelta(days=pegged.delay_days), today)
            confidence = EtaConfidence.SCHEDULED
        else:
            arrives = today + timedelta(days=lead_time_days)
            if pegged is not None:  # part of the line rides on the last delivery: it cannot ship before it
                arrives = max(arrives, pegged.expected_at)
            latest = arrives + timedelta(days=estimated_delay_days)
            confidence = EtaConfidence.ESTIMATED
        floor_eta = max(floor_eta, arrives + handling)
        floor_latest = max(floor_latest, latest + handling, floor_eta)
        etas.append(Eta(line.line_id, floor_eta, floor_latest, confidence))
    return etas
