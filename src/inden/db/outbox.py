"""The transactional outbox: events are rows written in the same transaction as the change that caused them.

The delivery workers (`services.delivery`, `services.webhooks`) claim undelivered rows and send them at least
once; `dedup_key` lets the receiver drop repeats and stops the same logical event from being written twice.
`inden.notify` renders and sends; only this module (and the bulk writers it names) writes the rows.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.orm import Session

from inden.db.models import OutboxEvent, table_of
from inden.db.session import settings_of


@dataclass(frozen=True, slots=True)
class Event:
    event_type: str  # an inden.domain.event_types.EventType
    dedup_key: str
    payload: dict[str, Any]


def emit(session: Session, events: Iterable[Event], *, now: datetime) -> int:
    """Write events to the outbox in the caller's transaction; returns how many were written.

    For the few events of one change. Changes that tell thousands of customers at once write their events
    with one INSERT … SELECT instead (`insert_events`: db.queue, db.bulk, db.waves).
    """
    rows = [
        {"event_type": str(e.event_type), "dedup_key": e.dedup_key, "payload": e.payload, "created_at": now,
         "attempts": 0}
        for e in events
    ]
    if rows:
        session.execute(insert(table_of(OutboxEvent)), rows)
    return len(rows)


# --- bulk events ------------------------------------------------------------------------------------------
#
# A stock-in serving 100,000 waiting lines, a supplier's delay re-dating 80,000 promises or a back-in-stock wave
# of 100,000 sign-ups would write 100,000 outbox rows — heap and five index entries each — inside the transaction
# that holds the products' locks (~1 s on PostgreSQL). From `Settings.outbox_bulk_from` events on (1,000), such a
# change writes ONE `bulk` row instead, its events as a JSON array (`{"events": [{"t": type, "k": dedup key, "p":
# payload}, …]}`, built by the database, ~0.1–0.3 s), and the next reader of the outbox expands it into one row
# per event (`expand_bulk`, run by the webhook and email workers before they read) with the same keys and
# payloads, in a later, short transaction of its own. Nothing else reads a `bulk` row: it is never positioned,
# emailed or shown as an event. Smaller changes write their rows at once, readable in the transaction that made
# them.

BULK = "bulk"  # the event_type of a row holding many events; not an EventType: no receiver ever sees it


# How a statement names its `events` for `insert_events`. SQLite would materialise a CTE read three times (count,
# rows, bulk); computing it where it is read is faster there (~15 % of a 100,000-sign-up wave).
EVENTS_CTE = {"postgresql": "events AS", "sqlite": "events AS NOT MATERIALIZED"}


def insert_events(dialect: str, *, conflict: bool = False) -> str:
    """SQL that writes the events of a relation named `events` (columns event_type, dedup_key, payload — JSON
    text — and ord, their order) to the outbox: one row each, or one `bulk` row holding them all when there are
    at least `:bulk_from`. Parameters: `:now`, `:bulk_key` (the bulk row's unique key), `:bulk_from`. The
    caller defines `events` (a CTE of its statement, named with EVENTS_CTE); `conflict`: drop events whose key
    exists.

    Used inside a PostgreSQL data-modifying CTE or as a statement of its own."""
    if dialect == "postgresql":
        payload = "e.payload::json"
        packed = ("""('{"events":[' || string_agg('{"t":' || to_json(e.event_type) || ',"k":' || to_json(e.dedup_key)"""
                  """ || ',"p":' || e.payload || '}', ',' ORDER BY e.ord) || ']}')::json AS events, COUNT(*) AS n"""
                  """ FROM events e""")
    else:
        payload = "e.payload"
        packed = ("""'{"events":[' || group_concat(item, ',') || ']}' AS events, COUNT(*) AS n FROM (SELECT"""
                  """ '{"t":' || json_quote(e.event_type) || ',"k":' || json_quote(e.dedup_key)"""
                  """ || ',"p":' || e.payload || '}' AS item FROM events e ORDER BY e.ord)""")
    return f"""
        INSERT INTO outbox (event_type, dedup_key, payload, created_at, attempts)
        SELECT * FROM (
            SELECT e.event_type, e.dedup_key, {payload}, :now, 0 FROM events e
            WHERE (SELECT COUNT(*) FROM events) < :bulk_from
            UNION ALL
            SELECT '{BULK}', :bulk_key, packed.events, :now, 0 FROM (SELECT {packed}) AS packed
            WHERE packed.n >= :bulk_from
        ) AS written WHERE true{" ON CONFLICT (dedup_key) DO NOTHING" if conflict else ""}
    """


_EXPAND = {
    "postgresql": text(f"""
        WITH bulk AS (DELETE FROM outbox WHERE event_type = '{BULK}' RETURNING id, payload, created_at)
        INSERT INTO outbox (event_type, dedup_key, payload, created_at, attempts, seq)
        SELECT x.e->>'t', x.e->>'k', x.e->'p', b.created_at, 0, b.id
        FROM bulk b CROSS JOIN LATERAL json_array_elements(b.payload->'events') WITH ORDINALITY AS x(e, i)
        ORDER BY b.id, x.i
        ON CONFLICT (dedup_key) DO NOTHING
    """),
    "sqlite": text(f"""
        INSERT INTO outbox (event_type, dedup_key, payload, created_at, attempts, seq)
        SELECT json_extract(x.value, '$.t'), json_extract(x.value, '$.k'), json_extract(x.value, '$.p'),
               b.created_at, 0, b.id
        FROM outbox b, json_each(b.payload, '$.events') x WHERE b.event_type = '{BULK}'
        ORDER BY b.id, x.key
        ON CONFLICT (dedup_key) DO NOTHING
    """),
}


def bulk_params(session: Session, now: datetime) -> dict[str, Any]:
    """The parameters `insert_events` needs besides the caller's own (`Settings.outbox_bulk_from`)."""
    return {"now": now, "bulk_key": f"{BULK}:{uuid.uuid4().hex}", "bulk_from": settings_of(session).outbox_bulk_from}


def expand_bulk(session: Session) -> int:
    """Turn every committed `bulk` row into its events (one row each, same keys, created when the bulk row
    was, `seq` = its id so that positions keep its place) and delete it; returns how many events were written.
    Serialised with position assignment (the same lock), so no event is positioned ahead of a bulk row that
    committed before it (`assign_positions`)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:lock)"), {"lock": POSITION_LOCK})
        return int(session.execute(_EXPAND[dialect]).rowcount or 0)  # type: ignore[attr-defined]
    if session.scalar(text(f"SELECT 1 FROM outbox WHERE event_type = '{BULK}' LIMIT 1")) is None:
        return 0
    written = int(session.execute(_EXPAND[dialect]).rowcount or 0)  # type: ignore[attr-defined]
    session.execute(text(f"DELETE FROM outbox WHERE event_type = '{BULK}'"))
    return written


POSITION_LOCK = 0x696E_6465  # PostgreSQL advisory lock id ("inde") held while positions are given and read
# Expanded events sort at their bulk row's id (`seq`); a bulk row that committed after `expand_bulk` ran holds
# back every event with a later id until it is expanded too.
_ASSIGN = text(f"""
    UPDATE outbox SET position = numbered.position
    FROM (SELECT id, (SELECT COALESCE(MAX(position), 0) FROM outbox)
                     + ROW_NUMBER() OVER (ORDER BY COALESCE(seq, id), id) AS position
          FROM outbox
          WHERE position IS NULL AND event_type <> '{BULK}'
            AND COALESCE(seq, id) < COALESCE((SELECT MIN(id) FROM outbox WHERE event_type = '{BULK}'), {2**62})
          ORDER BY COALESCE(seq, id), id LIMIT :limit) AS numbered
    WHERE outbox.id = numbered.id
""")


POSITION_BATCH = 10_000  # events positioned by one `assign_positions` call at most


def assign_positions(session: Session, *, limit: int = POSITION_BATCH) -> int:
    """Give committed events without a position the next positions (in id order among them); returns how many.

    Ids come from a sequence when a row is written, not when its transaction commits, so on PostgreSQL an
    event with a lower id can become visible after one with a higher id: a reader that moved a cursor by id
    would skip it. Positions are given only to rows already committed (the only ones this statement sees),
    and only under one lock taken for the rest of the caller's transaction (an advisory lock on PostgreSQL;
    SQLite has one writer at a time), so positions grow in commit order and a reader holding the lock sees
    every position below the largest. Call it first in the transaction that then reads by position. Bulk rows
    are expanded first (`expand_bulk`), in the same transaction.
    """
    expand_bulk(session)  # on PostgreSQL this takes the lock
    return int(session.execute(_ASSIGN, {"limit": limit}).rowcount or 0)  # type: ignore[attr-defined]
