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

from sqlalchemy import insert, text
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


POSITION_LOCK = 0x696E_6465  # PostgreSQL advisory lock id ("inde") held while positions are given and read
_ASSIGN = text("""
    UPDATE outbox SET position = numbered.position
    FROM (SELECT id, (SELECT COALESCE(MAX(position), 0) FROM outbox) + ROW_NUMBER() OVER (ORDER BY id) AS position
          FROM outbox WHERE position IS NULL ORDER BY id LIMIT :limit) AS numbered
    WHERE outbox.id = numbered.id
""")


def assign_positions(session: Session, *, limit: int = 10_000) -> int:
    """Give committed events without a position the next positions (in id order among them); returns how many.

    Ids come from a sequence when a row is written, not when its transaction commits, so on PostgreSQL an
    event with a lower id can become visible after one with a higher id: a reader that moved a cursor by id
    would skip it. Positions are given only to rows already committed (the only ones this statement sees),
    and only under one lock taken for the rest of the caller's transaction (an advisory lock on PostgreSQL;
    SQLite has one writer at a time), so positions grow in commit order and a reader holding the lock sees
    every position below the largest. Call it first in the transaction that then reads by position.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:lock)"), {"lock": POSITION_LOCK})
    return int(session.execute(_ASSIGN, {"limit": limit}).rowcount or 0)  # type: ignore[attr-defined]
