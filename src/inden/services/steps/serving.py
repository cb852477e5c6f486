"""Serving the backorder queue with freed or arrived units, in the caller's transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from inden.clock import shop_date
from inden.db.models import OrderLine, Product
from inden.db.order_status import refresh_statuses
from inden.db.queue import record_served_events, serve_queues, served_orders
from inden.db.session import settings_of
from inden.services.steps.etas import is_released


def serve_waiting(session: Session, products: Sequence[Product], *, now: datetime) -> int:
    """Give each product's available units to its waiting backorders, highest priority and oldest first.

    Set-based: one UPDATE serves every queue, one refreshes the served orders' status, one writes a
    `backorder.allocated` event per served line. The products must be locked; call at most once per
    product in a transaction. Returns the number of units allocated.
    """
    today = shop_date(now, settings_of(session).timezone)
    wanting = [p for p in products if p.on_hand > p.allocated and p.backordered > 0 and is_released(p, today)]
    if not wanting:
        return 0
    ids = [p.id for p in wanting]
    session.flush()  # the UPDATE reads on_hand and the lines from the database
    serve_queues(session, ids, now=now)
    total = 0
    for product in wanting:
        # backordered is the sum of the queue (an audited invariant), so the queue took exactly this
        take = min(product.on_hand - product.allocated, product.backordered)
        product.allocated += take
        product.backordered -= take
        total += take
    for obj in list(session.identity_map.values()):
        if isinstance(obj, OrderLine):
            session.expire(obj)  # rows the UPDATE changed behind the ORM's back
    refresh_statuses(session, served_orders())
    record_served_events(session, now=now)
    return total
