"""Keeping the outbox small: settled events older than a cut-off are deleted (`inden outbox prune`).

A supplier-wide delay writes tens of thousands of `eta_changed` rows; once emailed (or given up on) and
posted to every webhook, they are only history. An event is kept while any active webhook endpoint has not
acknowledged it, and — unless `unemailed` is set, for shops that send no email — while it waits to be emailed.
An order's `eta_changed` events are also kept while the order is open: they are the date history its buyer's
page shows (`services.shopper`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select

from inden.clock import utcnow
from inden.db.models import Order, OrderLink, OutboxEvent, WebhookEndpoint, order_of_event
from inden.db.session import Database
from inden.domain.event_types import EventType
from inden.services.steps.order_links import CLOSED


def prune_outbox(db: Database, *, older_than: timedelta, unemailed: bool = False,
                 now: datetime | None = None) -> int:
    """Delete settled outbox events created before `now - older_than`; returns how many."""
    now = now or utcnow()
    with db.transaction() as session:
        behind = session.scalar(select(func.min(WebhookEndpoint.next_event_id))
                                .where(WebhookEndpoint.disabled_at.is_(None)))
        condition = OutboxEvent.created_at < now - older_than
        if not unemailed:
            condition &= or_(OutboxEvent.delivered_at.is_not(None), OutboxEvent.failed_at.is_not(None))
        open_orders = select(Order.id).where(Order.status.not_in(CLOSED))
        condition &= ~((OutboxEvent.event_type == EventType.ETA_CHANGED.value) & order_of_event().in_(open_orders))
        if behind is not None:
            condition &= OutboxEvent.id < behind
        return int(session.execute(delete(OutboxEvent).where(condition)).rowcount or 0)  # type: ignore[attr-defined]


def prune_order_links(db: Database, *, now: datetime | None = None) -> int:
    """Delete order-page links that no longer open anything: their order is shipped or cancelled and they were
    minted more than `order_link_days` ago (services.steps.order_links). Returns how many."""
    now = now or utcnow()
    closed = select(Order.id).where(Order.status.in_(CLOSED))
    with db.transaction() as session:
        result = session.execute(delete(OrderLink).where(
            OrderLink.order_id.in_(closed),
            OrderLink.created_at < now - timedelta(days=db.settings.order_link_days)))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
