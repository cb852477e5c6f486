"""Read models of the back office's pages that the shared services do not give yet (the Today page's counts).

Each is a few aggregate queries; `services.back_office` supersedes them as it grows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from inden.clock import as_utc, utcnow
from inden.config import shop_today
from inden.db.models import (
    OrderLine,
    OutboxEvent,
    Product,
    PurchaseOrder,
    ReplenishmentSuggestion,
    Subscription,
    WebhookEndpoint,
)
from inden.db.session import Database


@dataclass(frozen=True)
class TodayFigures:
    """What needs the seller now (see the Today page)."""

    waiting_orders: int
    waiting_units: int
    oldest_wait: datetime | None
    unplanned_units: int  # waiting units whose date comes from a lead time, not from a purchase order
    unplanned_products: int
    late_purchase_orders: int  # open and expected before today
    due_purchase_orders: int  # open and expected today … in 3 days
    pending_suggestions: int
    below_reorder_point: int
    out_of_stock: int
    failed_emails: int
    failing_webhooks: int
    waiting_sign_ups: int
    today: date


def today_figures(db: Database, *, now: datetime | None = None) -> TodayFigures:
    now = now or utcnow()
    today = shop_today(now)
    with db.transaction() as session:
        orders, units, oldest = session.execute(
            select(func.count(distinct(OrderLine.order_id)), func.coalesce(func.sum(OrderLine.backordered), 0),
                   func.min(OrderLine.order_created_at)).where(OrderLine.backordered > 0)).one()
        unplanned_units, unplanned_products = session.execute(
            select(func.coalesce(func.sum(OrderLine.backordered), 0), func.count(distinct(OrderLine.product_id)))
            .where(OrderLine.backordered > 0, func.coalesce(OrderLine.eta_confidence, "") != "scheduled")).one()
        return TodayFigures(
            waiting_orders=int(orders), waiting_units=int(units), oldest_wait=as_utc(oldest) if oldest else None,
            unplanned_units=int(unplanned_units), unplanned_products=int(unplanned_products),
            late_purchase_orders=_count(session, select(func.count()).where(
                PurchaseOrder.status == "open", PurchaseOrder.expected_at < today)),
            due_purchase_orders=_count(session, select(func.count()).where(
                PurchaseOrder.status == "open", PurchaseOrder.expected_at >= today,
                PurchaseOrder.expected_at <= today + timedelta(days=3))),
            pending_suggestions=_count(session, select(func.count()).where(
                ReplenishmentSuggestion.status == "pending")),
            below_reorder_point=_count(session, select(func.count()).where(Product.below_reorder_point.is_(True))),
            out_of_stock=_count(session, select(func.count()).where(Product.on_hand - Product.allocated <= 0)),
            failed_emails=_count(session, select(func.count()).where(OutboxEvent.failed_at.is_not(None),
                                                                      OutboxEvent.delivered_at.is_(None))),
            failing_webhooks=_count(session, select(func.count()).where(
                (WebhookEndpoint.disabled_at.is_not(None)) | (WebhookEndpoint.attempts > 0))),
            waiting_sign_ups=_count(session, select(func.count()).where(Subscription.status == "confirmed")),
            today=today,
        )


def _count(session: Session, query: object) -> int:
    return int(session.scalar(query) or 0)  # type: ignore[call-overload]
