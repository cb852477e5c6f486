"""The backorder queue in SQL: serving it set-based, its consequences, and reading positions.

Allocation order is priority DESC, order_created_at, order_id, id (see `inden.domain.allocation`). The SQL
here computes the same allocation as `domain.allocation.allocate`; an integration test holds them equal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, Select, bindparam, select, text
from sqlalchemy.orm import Session

from inden.db.models import OrderLine, Timestamp
from inden.db.outbox import EVENTS_CTE, bulk_params, insert_events
from inden.domain.event_types import EventType

QUEUE_COLUMNS = (OrderLine.priority.desc(), OrderLine.order_created_at, OrderLine.order_id, OrderLine.id)


def queue_order(alias: str) -> str:
    """ORDER BY terms of allocation order for order_lines under `alias` (the same keys as QUEUE_COLUMNS)."""
    return f"{alias}.priority DESC, {alias}.order_created_at, {alias}.order_id, {alias}.id"


# Serving many SKUs' queues takes two statements. Each SKU offers its available units (on_hand - allocated);
# `ahead` is the number of units waiting in front of a line, and a line gets min(its waiting units,
# available - ahead) while that is positive. Those lines and their units go into the temporary table
# `served_lines`, which the UPDATE, the status refresh and the events then read: a served line carries no
# indexed mark of its serving (the UPDATE writes one index entry fewer per line). The caller holds the products'
# locks, so nothing else changes these queues meanwhile. `+s.id` (a no-op) keeps SQLite, which has no statistics
# of a temporary table, from reading every order line to look each up in `served_lines`: it reads
# `served_lines` and finds each line by its key, so serving one line costs one line, not the whole table.
_SERVED_LINES = {
    "postgresql": "CREATE TEMPORARY TABLE IF NOT EXISTS served_lines (id int PRIMARY KEY, order_id int, take int) "
                  "ON COMMIT DELETE ROWS",
    "sqlite": "CREATE TEMPORARY TABLE IF NOT EXISTS served_lines (id INTEGER PRIMARY KEY, order_id INTEGER, "
              "take INTEGER)",
}
_SERVE = text(
    f"""
    INSERT INTO served_lines (id, order_id, take)
    SELECT id, order_id, CASE WHEN backordered < units - ahead THEN backordered ELSE units - ahead END
    FROM (
        SELECT l.id, l.order_id, l.backordered, p.on_hand - p.allocated AS units,
               SUM(l.backordered) OVER (PARTITION BY l.product_id ORDER BY {queue_order("l")}
                                        ROWS UNBOUNDED PRECEDING) - l.backordered AS ahead
        FROM order_lines l JOIN products p ON p.id = l.product_id
        WHERE l.product_id IN :product_ids AND l.backordered > 0
    ) AS waiting
    WHERE ahead < units
    """
).bindparams(bindparam("product_ids", expanding=True))
_ALLOCATE = text(
    """
    UPDATE order_lines
    SET allocated = order_lines.allocated + s.take, backordered = order_lines.backordered - s.take, served_at = :now
    FROM served_lines s
    WHERE order_lines.id = +s.id
    """
).bindparams(bindparam("now", type_=Timestamp))


def serve_queues(session: Session, product_ids: Sequence[int], *, now: datetime) -> None:
    """Allocate each SKU's available units to its waiting lines in allocation order.

    The caller must hold the products' locks, have flushed their `on_hand`, and move the same totals
    (min(available, backordered) per SKU) into the products' counters. Until the transaction ends (or the next
    call), `served_lines` names the lines served and their units: `served_orders`, `record_served_events`.
    """
    connection = session.connection()
    connection.exec_driver_sql(_SERVED_LINES[connection.dialect.name])
    connection.exec_driver_sql("DELETE FROM served_lines")  # empty unless served twice in a transaction
    if product_ids:
        session.execute(_SERVE, {"product_ids": list(product_ids)})
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql("ANALYZE served_lines")  # a temporary table has no statistics until then
        session.execute(_ALLOCATE, {"now": now})


_SERVED_ORDERS = text("SELECT DISTINCT order_id FROM served_lines").columns(order_id=Integer)


def served_orders() -> Select[int]:
    """The ids of the orders that the last `serve_queues` call served."""
    return select(_SERVED_ORDERS.subquery().c.order_id)


# One `backorder.allocated` event per served line: {order_id, sku, allocated, waiting, status, customer: {email,
# locale}}. On PostgreSQL concatenated text (json_build_object resolves every argument's type on every row), checked
# by the ::json cast of db.outbox.insert_events, which also packs 1,000 or more events into one bulk row.
_SERVED_PAYLOAD = {
    "postgresql": """'{"order_id":' || l.order_id || ',"sku":' || to_json(p.sku) || ',"allocated":' || l.allocated
        || ',"waiting":' || l.backordered || ',"status":' || to_json(o.status) || ',"customer":{"email":'
        || to_json(o.customer_email) || ',"locale":' || to_json(o.customer_locale) || '}}'""",
    "sqlite": """json_object('order_id', l.order_id, 'sku', p.sku, 'allocated', l.allocated,
        'waiting', l.backordered, 'status', o.status,
        'customer', json_object('email', o.customer_email, 'locale', o.customer_locale))""",
}
_SERVED_EVENTS = {dialect: text(f"""
    WITH {EVENTS_CTE[dialect]} (
        SELECT CAST('{EventType.BACKORDER_ALLOCATED}' AS VARCHAR(64)) AS event_type,
               '{EventType.BACKORDER_ALLOCATED}:' || CAST(l.id AS VARCHAR) || ':' || CAST(l.backordered AS VARCHAR)
               AS dedup_key, {payload} AS payload, s.id AS ord
        FROM served_lines s JOIN order_lines l ON l.id = +s.id JOIN orders o ON o.id = l.order_id
             JOIN products p ON p.id = l.product_id
    )""" + insert_events(dialect)).bindparams(bindparam("now", type_=Timestamp))
    for dialect, payload in _SERVED_PAYLOAD.items()}


def record_served_events(session: Session, *, now: datetime) -> None:
    """Write one `backorder.allocated` outbox event per line served by the last `serve_queues` (INSERT … SELECT).

    The dedup key is (line, units still waiting): a line's waiting units only ever fall, so it names one
    serving exactly. Run after the orders' statuses are refreshed, so the payload carries the new status.
    """
    statement = _SERVED_EVENTS[session.get_bind().dialect.name]
    session.execute(statement, bulk_params(session, now))


_POSITION = text(
    """
    SELECT COUNT(*) FROM order_lines q
    WHERE q.product_id = :product_id AND q.backordered > 0
      AND (q.priority > :priority
           OR (q.priority = :priority AND (q.order_created_at < :created_at
               OR (q.order_created_at = :created_at AND (q.order_id < :order_id
                   OR (q.order_id = :order_id AND q.id <= :line_id))))))
    """
).bindparams(bindparam("created_at", type_=Timestamp))


@dataclass(frozen=True, slots=True)
class QueueKey:
    line_id: int
    order_id: int
    product_id: int
    priority: int
    order_created_at: datetime


def queue_positions(session: Session, lines: Sequence[QueueKey]) -> dict[int, int]:
    """1-based place of each waiting line in its SKU's queue (only lines that are waiting)."""
    return {
        line.line_id: session.execute(
            _POSITION,
            {"product_id": line.product_id, "priority": line.priority, "created_at": line.order_created_at,
             "order_id": line.order_id, "line_id": line.line_id},
        ).scalar_one()
        for line in lines
    }
