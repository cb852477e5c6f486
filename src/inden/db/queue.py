"""The backorder queue in SQL: serving it set-based, and reading positions.

Allocation order is priority DESC, order_created_at, order_id, id (see `inden.domain.allocation`). The SQL
here computes the same allocation as `domain.allocation.allocate`; an integration test holds them equal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from inden.db.models import Timestamp

QUEUE_ORDER = "priority DESC, order_created_at, order_id, id"

# One statement serves the whole queue. `ahead` is the number of waiting units in front of a line; a line
# gets min(its waiting units, units - ahead) when units - ahead > 0. The product row is locked by the caller,
# so nothing else changes this SKU's queue while the statement runs.
_SERVE = text(
    f"""
    WITH waiting AS (
        SELECT id, backordered,
               SUM(backordered) OVER (ORDER BY {QUEUE_ORDER} ROWS UNBOUNDED PRECEDING) - backordered AS ahead
        FROM order_lines
        WHERE product_id = :product_id AND backordered > 0
    ),
    served AS (
        SELECT id, CASE WHEN backordered < :units - ahead THEN backordered ELSE :units - ahead END AS take
        FROM waiting
        WHERE ahead < :units
    )
    UPDATE order_lines
    SET allocated = order_lines.allocated + served.take,
        backordered = order_lines.backordered - served.take
    FROM served
    WHERE order_lines.id = served.id
    RETURNING order_lines.id, order_lines.order_id, order_lines.allocated, order_lines.backordered
    """
)


@dataclass(frozen=True, slots=True)
class ServedLine:
    line_id: int
    order_id: int
    allocated: int  # the line's allocated units after serving
    backordered: int  # the line's units still waiting after serving


def serve_queue(session: Session, product_id: int, *, units: int) -> list[ServedLine]:
    """Allocate up to `units` to the SKU's waiting lines in allocation order (one UPDATE statement).

    The caller must hold the product's lock and move the same total into the product's `allocated`.
    """
    if units <= 0:
        return []
    rows = session.execute(_SERVE, {"product_id": product_id, "units": units}).all()
    return [ServedLine(r.id, r.order_id, r.allocated, r.backordered) for r in rows]


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
