"""Re-pegging whole backorder queues in SQL: new ETAs, `eta_changed` events, no Python per line.

The caller turns each SKU's supply into a `PegSchedule` (a few rows: what each place in the queue is
promised, `domain.eta.peg_schedule`). Those rows go into a temporary table; the database then walks every
queue with window functions exactly as `domain.eta.peg_etas` does (running sum of waiting units to find the
promise a line falls on, running maximum of the promises along the queue), keeps the lines whose promise
changed, stores them and writes one `eta_changed` event (old and new dates) per line whose dates moved.
On PostgreSQL that is one statement (data-modifying CTEs); on SQLite three, through a temporary table.
An integration test holds the SQL equal to `peg_etas` on random queues.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from inden.db.models import Timestamp
from inden.db.outbox import EVENTS_CTE, bulk_params, insert_events
from inden.db.queue import queue_order
from inden.domain.eta import PegSchedule
from inden.domain.event_types import EventType


def _schedule_rows(schedules: Mapping[int, PegSchedule]) -> list[tuple[int, int, int, int, date, date, str]]:
    """(product_id, first_unit, last_unit, incoming, eta, eta_latest, confidence): a line falls on the row
    whose first_unit..last_unit holds its key, which `_PEGGED` computes: the position of its last waiting
    unit if supply reaches it, incoming + 1 for `partly`, incoming + 2 for `beyond`."""
    rows = []
    for product_id, schedule in schedules.items():
        incoming = schedule.incoming
        places = [(d.first, d.last, d.promise) for d in schedule.deliveries]
        if schedule.partly is not None:
            places.append((incoming + 1, incoming + 1, schedule.partly))
        places.append((incoming + 2, incoming + 2, schedule.beyond))
        rows += [(product_id, first, last, incoming, p.eta, p.eta_latest, p.confidence.value)
                 for first, last, p in places]
    return rows


def _load_schedules(connection: Connection, schedules: Mapping[int, PegSchedule]) -> None:
    rows = _schedule_rows(schedules)
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(
            "CREATE TEMPORARY TABLE IF NOT EXISTS eta_schedule (product_id int, first_unit int, last_unit int, "
            "incoming int, eta date, eta_latest date, eta_confidence text) ON COMMIT DELETE ROWS")
        connection.exec_driver_sql("DELETE FROM eta_schedule")  # empty unless called twice in a transaction
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor.copy("COPY eta_schedule FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        connection.exec_driver_sql("ANALYZE eta_schedule")  # temp tables have no statistics: plan the join well
        return
    connection.exec_driver_sql(
        "CREATE TEMPORARY TABLE IF NOT EXISTS eta_schedule (product_id INTEGER, first_unit INTEGER, last_unit INTEGER, "
        "incoming INTEGER, eta DATE, eta_latest DATE, eta_confidence VARCHAR(16))")
    # Without it SQLite joins each waiting line to every schedule row.
    connection.exec_driver_sql("CREATE INDEX IF NOT EXISTS eta_schedule_product ON eta_schedule (product_id)")
    connection.exec_driver_sql("DELETE FROM eta_schedule")
    connection.exec_driver_sql(
        "INSERT INTO eta_schedule VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(*row[:4], row[4].isoformat(), row[5].isoformat(), row[6]) for row in rows],
    )


# Every waiting line of the scheduled SKUs with its new promise, where it differs from the stored one
# (`{distinct}` is the dialect's null-safe inequality). `upto` counts the units waiting up to and including
# the line; it also orders the queue in the second window (units waiting are > 0, so it is strictly
# increasing along each queue). The windows carry narrow rows; the stored values are joined back by id.
_PEGGED = """
    queue AS (
        SELECT l.id, l.product_id, l.backordered,
               SUM(l.backordered) OVER (PARTITION BY l.product_id ORDER BY {queue_order}
                                        ROWS UNBOUNDED PRECEDING) AS upto
        FROM order_lines l
        WHERE l.product_id IN (SELECT product_id FROM eta_schedule) AND l.backordered > 0
    ),
    promised AS (
        SELECT q.id, q.product_id, q.upto, s.eta, s.eta_latest, s.eta_confidence
        FROM queue q JOIN eta_schedule s ON s.product_id = q.product_id
         AND CASE WHEN q.upto <= s.incoming THEN q.upto
                  WHEN q.upto - q.backordered < s.incoming THEN s.incoming + 1
                  ELSE s.incoming + 2 END BETWEEN s.first_unit AND s.last_unit
    ),
    pegged AS (
        SELECT id, MAX(eta) OVER w AS eta, MAX(eta_latest) OVER w AS eta_latest, eta_confidence
        FROM promised
        WINDOW w AS (PARTITION BY product_id ORDER BY upto ROWS UNBOUNDED PRECEDING)
    ),
    moved AS (
        SELECT l.id, l.order_id, l.product_id, l.eta AS old_eta, l.eta_latest AS old_latest,
               n.eta AS new_eta, n.eta_latest AS new_latest, n.eta_confidence AS new_confidence
        FROM pegged n JOIN order_lines l ON l.id = n.id
        WHERE l.eta {distinct} n.eta OR l.eta_latest {distinct} n.eta_latest
           OR l.eta_confidence {distinct} n.eta_confidence
    )
"""

# An event only for a line that had a promise and whose dates moved (a confidence alone is no news).
_NEWS = "m.old_eta IS NOT NULL AND (m.old_eta <> m.new_eta OR m.old_latest <> m.new_latest)"
_EVENTS = f"""
    {{cte}} (
        SELECT CAST('{EventType.ETA_CHANGED}' AS VARCHAR(64)) AS event_type,
               :key_prefix || CAST(m.id AS VARCHAR) AS dedup_key, {{payload}} AS payload, m.id AS ord
        FROM {{moved}} m JOIN orders o ON o.id = m.order_id JOIN products p ON p.id = m.product_id
        WHERE """ + _NEWS + """
    )"""

# The event payload: {order_id, sku, old: {eta, eta_latest}, new: {eta, eta_latest, eta_confidence},
# customer: {email, locale}}. SQLite builds it with json_object. PostgreSQL's json_build_object looks up
# every argument's type on every row (~1 s for 80,000 events), so there it is concatenated text with the
# values JSON-encoded by to_json (dates as ISO strings, whatever the DateStyle), checked by the ::json cast of
# db.outbox.insert_events (which also packs 1,000 or more events into one bulk row).
_SQLITE_PAYLOAD = (
    "json_object('order_id', m.order_id, 'sku', p.sku,"
    " 'old', json_object('eta', m.old_eta, 'eta_latest', m.old_latest),"
    " 'new', json_object('eta', m.new_eta, 'eta_latest', m.new_latest, 'eta_confidence', m.new_confidence),"
    " 'customer', json_object('email', o.customer_email, 'locale', o.customer_locale))"
)
_POSTGRESQL_PAYLOAD = """(
        '{"order_id":' || m.order_id || ',"sku":' || to_json(p.sku)
        || ',"old":{"eta":' || to_json(m.old_eta) || ',"eta_latest":' || COALESCE(to_json(m.old_latest)::text, 'null')
        || '},"new":{"eta":' || to_json(m.new_eta) || ',"eta_latest":' || to_json(m.new_latest)
        || ',"eta_confidence":' || to_json(m.new_confidence)
        || '},"customer":{"email":' || to_json(o.customer_email) || ',"locale":' || to_json(o.customer_locale)
        || '}}')"""


# One statement: every CTE reads the same snapshot, so the events see the old dates the UPDATE replaces.
# Concurrency: the caller holds the products' row locks, so no other writer changes these queues meanwhile.
# PostgreSQL runs data-modifying CTEs to completion whether or not they are read; every moved line matches one
# order line (and its order and product by foreign key), so both counts come from `moved`.
_POSTGRESQL = text(
    "WITH" + _PEGGED.format(queue_order=queue_order("l"), distinct="IS DISTINCT FROM") + """,
    stored AS (
        UPDATE order_lines l SET eta = m.new_eta, eta_latest = m.new_latest, eta_confidence = m.new_confidence
        FROM moved m WHERE l.id = m.id
    ),
    """ + _EVENTS.format(cte=EVENTS_CTE["postgresql"], payload=_POSTGRESQL_PAYLOAD, moved="moved") + """,
    written AS (""" + insert_events("postgresql") + """)
    SELECT COUNT(*), COUNT(*) FILTER (WHERE old_eta IS NOT NULL AND (old_eta <> new_eta OR old_latest <> new_latest))
    FROM moved
    """
).bindparams(bindparam("now", type_=Timestamp))

_SQLITE_MOVES = text(
    "INSERT INTO eta_moves WITH" + _PEGGED.format(queue_order=queue_order("l"), distinct="IS NOT")
    + " SELECT * FROM moved"
)
_SQLITE_EVENTS = text(
    "WITH" + _EVENTS.format(cte=EVENTS_CTE["sqlite"], payload=_SQLITE_PAYLOAD, moved="eta_moves")
    + insert_events("sqlite")
).bindparams(bindparam("now", type_=Timestamp))
_SQLITE_NEWS = text("SELECT COUNT(*) FROM eta_moves m WHERE " + _NEWS)
_SQLITE_STORE = text(
    "UPDATE order_lines SET eta = m.new_eta, eta_latest = m.new_latest, eta_confidence = m.new_confidence "
    "FROM eta_moves m WHERE order_lines.id = m.id"
)


def repeg_queues(session: Session, schedules: Mapping[int, PegSchedule], *, now: datetime) -> tuple[int, int]:
    """Re-peg the whole waiting queue of each product in `schedules` (product id -> its supply's schedule).

    Stores every ETA that differs from the stored one and writes an `eta_changed` event with the old and new
    dates for each line that had a promise and whose dates moved. The products must be locked and their
    lines flushed. Returns (lines whose promise changed, events written).
    """
    if not schedules:
        return 0, 0
    connection = session.connection()
    _load_schedules(connection, schedules)
    # One re-peg may move a line's promise, and another in the same transaction (same `now`) move it again:
    # a token per call, not the time, keeps each event's key unique (see the guide's outbox table).
    params = {**bulk_params(session, now), "key_prefix": f"{EventType.ETA_CHANGED}:{uuid.uuid4().hex[:16]}:"}
    if connection.dialect.name == "postgresql":
        changed, written = session.execute(_POSTGRESQL, params).one()
        return int(changed), int(written)
    connection.exec_driver_sql(
        "CREATE TEMPORARY TABLE IF NOT EXISTS eta_moves (id INTEGER, order_id INTEGER, "
        "product_id INTEGER, old_eta DATE, old_latest DATE, new_eta DATE, new_latest DATE, new_confidence TEXT)")
    connection.exec_driver_sql("DELETE FROM eta_moves")
    changed = session.execute(_SQLITE_MOVES).rowcount  # type: ignore[attr-defined]
    session.execute(_SQLITE_EVENTS, params)
    written = session.execute(_SQLITE_NEWS).scalar_one()
    session.execute(_SQLITE_STORE)
    return int(changed or 0), int(written)


# The preview counts what `repeg_queues` would store and announce, from the same `moved` rows and `_NEWS`.
# A promise is later when its date is (or, the date unchanged, its latest date is).
_LATER = "(m.new_eta > m.old_eta OR (m.new_eta = m.old_eta AND m.new_latest > m.old_latest))"
_PREVIEW = """
    SELECT COUNT(*),
           COALESCE(SUM(CASE WHEN {news} THEN 1 ELSE 0 END), 0),
           COALESCE(SUM(CASE WHEN {news} AND {later} THEN 1 ELSE 0 END), 0),
           COALESCE(SUM(CASE WHEN {news} AND NOT {later} THEN 1 ELSE 0 END), 0),
           COUNT(DISTINCT CASE WHEN {news} AND {later} THEN o.customer_email END),
           COUNT(DISTINCT CASE WHEN {news} AND NOT {later} THEN o.customer_email END)
    FROM moved m JOIN orders o ON o.id = m.order_id
"""


@dataclass(frozen=True, slots=True)
class RepegPreview:
    """What a re-peg would do: lines whose promise changes, messages (`eta_changed` events) it would write,
    and of those lines and customers, how many move later and how many earlier."""

    changed: int
    messages: int
    lines_later: int
    lines_earlier: int
    customers_later: int
    customers_earlier: int


def preview_repeg(session: Session, schedules: Mapping[int, PegSchedule]) -> RepegPreview:
    """`repeg_queues` without writing: the same pegging SQL, counted instead of stored."""
    if not schedules:
        return RepegPreview(0, 0, 0, 0, 0, 0)
    connection = session.connection()
    _load_schedules(connection, schedules)
    distinct = "IS DISTINCT FROM" if connection.dialect.name == "postgresql" else "IS NOT"
    query = "WITH" + _PEGGED.format(queue_order=queue_order("l"), distinct=distinct) + _PREVIEW.format(
        news=_NEWS, later=_LATER)
    return RepegPreview(*(int(n) for n in session.execute(text(query)).one()))
