"""The transactional outbox: events are rows written in the same transaction as the change that caused them.

A delivery worker (a later issue) claims undelivered rows and sends them at least once; `dedup_key` lets the
receiver drop repeats and stops the same logical event from being written twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from inden.db.models import OutboxEvent


@dataclass(frozen=True, slots=True)
class Event:
    event_type: str
    dedup_key: str
    payload: dict[str, Any]


def emit(session: Session, events: Iterable[Event], *, now: datetime) -> int:
    """Write events to the outbox in the caller's transaction; returns how many were written.

    For the few events of one change. Changes that tell thousands of customers at once write their events
    with one INSERT … SELECT instead (db.queue.record_served_events, db.bulk.repeg_queues).
    """
    rows = [
        {"event_type": e.event_type, "dedup_key": e.dedup_key, "payload": e.payload, "created_at": now,
         "attempts": 0}
        for e in events
    ]
    if rows:
        session.execute(insert(OutboxEvent.__table__), rows)
    return len(rows)
