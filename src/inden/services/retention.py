"""Keeping the outbox small: settled events older than a cut-off are deleted (`inden outbox prune`).

A supplier-wide delay writes tens of thousands of `eta_changed` rows; once emailed (or given up on) and
posted to every webhook, they are only history. An event is kept while any webhook endpoint — disabled ones
too, which resume where they stopped when enabled (remove an endpoint to release what it holds) — has not
acknowledged it (or before a webhook round gave it its position), and — unless `unemailed` is set, for shops
that send no email — while it waits to be emailed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select

from inden.clock import utcnow
from inden.db.models import OutboxEvent, WebhookEndpoint
from inden.db.session import Database


def prune_outbox(db: Database, *, older_than: timedelta, unemailed: bool = False,
                 now: datetime | None = None) -> int:
    """Delete settled outbox events created before `now - older_than`; returns how many."""
    now = now or utcnow()
    with db.transaction() as session:
        behind = session.scalar(select(func.min(WebhookEndpoint.next_position)))
        condition = OutboxEvent.created_at < now - older_than
        if not unemailed:
            condition &= or_(OutboxEvent.delivered_at.is_not(None), OutboxEvent.failed_at.is_not(None))
        if behind is not None:
            condition &= OutboxEvent.position.is_not(None) & (OutboxEvent.position < behind)
        return int(session.execute(delete(OutboxEvent).where(condition)).rowcount or 0)  # type: ignore[attr-defined]
