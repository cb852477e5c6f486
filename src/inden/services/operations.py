"""What an operator watches (GET /metrics, GET /readyz): figures read from the database at scrape time, so
every server process reports the same shop whichever one Prometheus reaches."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, text

from inden.clock import as_utc, utcnow
from inden.db import migrate
from inden.db.models import LostDemand, Order, OutboxEvent, Product, WebhookEndpoint
from inden.db.session import Database


@dataclass(frozen=True, slots=True)
class ShopFigures:
    orders: int  # orders taken, ever
    refused_units: int  # lost demand: units of refused orders, ever
    units_waiting: int  # backordered units now
    outbox_pending: int  # events neither delivered by email nor given up on
    outbox_lag_seconds: float  # age of the oldest of those (0 when none)
    email_failures: int  # events given up on after the last attempt
    webhooks_failing: int  # endpoints whose last attempt failed (backing off)
    webhooks_disabled: int


def shop_figures(db: Database, *, now: datetime | None = None) -> ShopFigures:
    now = now or utcnow()
    with db.transaction() as session:
        pending = (OutboxEvent.delivered_at.is_(None)) & (OutboxEvent.failed_at.is_(None))
        oldest = session.scalar(select(func.min(OutboxEvent.created_at)).where(pending))
        return ShopFigures(
            orders=session.scalar(select(func.count()).select_from(Order)) or 0,
            refused_units=session.scalar(select(func.coalesce(func.sum(LostDemand.quantity), 0))) or 0,
            units_waiting=session.scalar(select(func.coalesce(func.sum(Product.backordered), 0))) or 0,
            outbox_pending=session.scalar(select(func.count()).select_from(OutboxEvent).where(pending)) or 0,
            outbox_lag_seconds=max((now - as_utc(oldest)).total_seconds(), 0.0) if oldest else 0.0,
            email_failures=session.scalar(select(func.count()).select_from(OutboxEvent)
                                          .where(OutboxEvent.failed_at.is_not(None))) or 0,
            webhooks_failing=session.scalar(select(func.count()).select_from(WebhookEndpoint).where(
                WebhookEndpoint.attempts > 0, WebhookEndpoint.disabled_at.is_(None))) or 0,
            webhooks_disabled=session.scalar(select(func.count()).select_from(WebhookEndpoint)
                                             .where(WebhookEndpoint.disabled_at.is_not(None))) or 0,
        )


def readiness(db: Database) -> str | None:
    """None when the database answers and its schema is at the code's head revision; else what is wrong."""
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        if not migrate.is_up_to_date(db.engine):
            return "the database schema is not at the code's revision: run `inden db upgrade`"
    except Exception as error:  # noqa: BLE001 - any failure to reach the database means not ready
        return f"the database is unreachable ({type(error).__name__})"
    return None
