"""The transactional outbox: events are rows written in the same transaction as the change that caused them.

The delivery workers (`services.delivery`, `services.webhooks`) claim undelivered rows and send them at least
once; `dedup_key` lets the receiver drop repeats and stops the same logical event from being written twice.
`inden.notify` renders and sends; only this module (and the bulk writers it names) writes the rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from inden.db.models import OutboxEvent, table_of


@dataclass(frozen=True, slots=True)
class Event:
    event_type: str  # an inden.domain.event_types.EventType
    dedup_key: str
    payload: dict[str, Any]


def emit(session: Session, events: Iterable[Event], *, now: datetime) -> int:
    """Write events to the outbox in the caller's transaction; returns how many were written.

    For the few events of one change. Changes that tell thousands of customers at once write their events
    with one INSERT … SELECT instead (db.queue.record_served_events, db.bulk.repeg_queues).
    """
    rows = [
        {"event_type": str(e.event_type), "dedup_key": e.dedup_key, "payload": e.payload, "created_at": now,
         "attempts": 0}
        for e in events
    ]
    if rows:
        session.execute(insert(table_of(OutboxEvent)), rows)
    return len(rows)
