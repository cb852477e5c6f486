"""The "Hari ini" (today) page: what needs the seller now, each figure with the list filter it links to.

A few aggregate queries over the whole shop (no row per waiting line leaves the database); the at-risk rule is
the product list's (`catalogue.ProductFilter.AT_RISK`), so the tile's count is the list's total.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from inden.clock import as_utc, shop_date, utcnow
from inden.config import Settings
from inden.db.models import (
    UNSCHEDULED,
    OrderLine,
    OutboxEvent,
    Product,
    PurchaseOrder,
    ReplenishmentSuggestion,
    WebhookEndpoint,
)
from inden.db.session import Database
from inden.domain.states import PurchaseOrderStatus, SuggestionStatus
from inden.services.back_office.catalogue import ProductFilter, ProductQuery, product_conditions
from inden.services.back_office.orders import WAITING_ORDERS_COUNT
from inden.services.back_office.purchasing import PurchaseOrderFilter


@dataclass(frozen=True, slots=True)
class Waiting:
    """Customers waiting for backordered units."""

    orders: int
    units: int
    oldest_since: datetime | None  # when the longest-waiting of them ordered


@dataclass(frozen=True, slots=True)
class Tile:
    """One figure of the page and the filter of the list that shows its rows."""

    count: int
    product_filter: ProductFilter | None = None
    purchase_order_filter: PurchaseOrderFilter | None = None


@dataclass(frozen=True, slots=True)
class Deliveries:
    """Messages the shop could not send: emails given up on or retrying, webhook endpoints failing."""

    emails_failed: int
    emails_retrying: int
    webhooks_failing: int  # endpoints retrying after an error
    webhooks_disabled: int  # endpoints stopped after too many failures


@dataclass(frozen=True, slots=True)
class TodayView:
    today: date
    waiting: Waiting
    waiting_products: Tile  # products customers wait for
    unscheduled_units: Tile  # waiting units with no purchase order behind their date (count: units)
    purchase_orders_late: Tile
    purchase_orders_due: Tile  # expected today
    pending_suggestions: Tile
    urgent_suggestions: int  # of them, to expedite
    at_risk: Tile
    below_reorder_point: Tile
    signups: Tile  # products out of stock with shoppers signed up for the restock
    deliveries: Deliveries


def _waiting(session: Session) -> Waiting:
    # Three index reads rather than one pass over every waiting line: the waiting orders from
    # ix_order_lines_waiting_order, units from the products' counters (= the sum of their lines' waiting units),
    # the oldest from ix_order_lines_waiting_since.
    orders = session.scalar(WAITING_ORDERS_COUNT) or 0
    units = session.scalar(select(func.coalesce(func.sum(Product.backordered), 0))) or 0
    oldest = session.scalar(select(func.min(OrderLine.order_created_at)).where(text("backordered > 0")))
    return Waiting(int(orders), int(units), as_utc(oldest) if oldest else None)


def _unscheduled_units(session: Session) -> int:
    return int(session.scalar(select(func.coalesce(func.sum(OrderLine.backordered), 0)).where(text(UNSCHEDULED)))
               or 0)


def _products(session: Session, condition: ProductFilter, *, today: date, settings: Settings) -> int:
    where = product_conditions(ProductQuery(filters=frozenset({condition})), today=today, settings=settings)
    return session.scalar(select(func.count()).select_from(Product).where(*where)) or 0


def _purchase_orders(session: Session, today: date) -> tuple[int, int]:
    late, due = session.execute(
        select(func.count().filter(PurchaseOrder.expected_at < today),
               func.count().filter(PurchaseOrder.expected_at == today))
        .where(PurchaseOrder.status == PurchaseOrderStatus.OPEN.value)).one()
    return int(late), int(due)


def _suggestions(session: Session) -> tuple[int, int]:
    pending, urgent = session.execute(
        select(func.count(), func.count().filter(ReplenishmentSuggestion.expedite.is_(True)))
        .where(ReplenishmentSuggestion.status == SuggestionStatus.PENDING.value)).one()
    return int(pending), int(urgent)


def _deliveries(session: Session) -> Deliveries:
    undelivered = OutboxEvent.delivered_at.is_(None)
    failed, retrying = session.execute(
        select(func.count().filter(OutboxEvent.failed_at.is_not(None)),
               func.count().filter(OutboxEvent.failed_at.is_(None), OutboxEvent.attempts > 0))
        .where(undelivered)).one()
    failing, disabled = session.execute(
        select(func.count().filter(WebhookEndpoint.disabled_at.is_(None), WebhookEndpoint.attempts > 0),
               func.count().filter(WebhookEndpoint.disabled_at.is_not(None)))).one()
    return Deliveries(int(failed), int(retrying), int(failing), int(disabled))


def today_view(db: Database, *, now: datetime | None = None, settings: Settings | None = None) -> TodayView:
    """Everything the "Hari ini" page shows, read in one transaction."""
    settings = settings or db.settings
    today = shop_date(now or utcnow(), settings.timezone)
    with db.transaction() as session:
        late, due = _purchase_orders(session, today)
        pending, urgent = _suggestions(session)

        def products(condition: ProductFilter) -> Tile:
            return Tile(_products(session, condition, today=today, settings=settings), product_filter=condition)

        return TodayView(
            today=today,
            waiting=_waiting(session),
            waiting_products=products(ProductFilter.BACKORDERS),
            unscheduled_units=Tile(_unscheduled_units(session), product_filter=ProductFilter.UNSCHEDULED),
            purchase_orders_late=Tile(late, purchase_order_filter=PurchaseOrderFilter.LATE),
            purchase_orders_due=Tile(due, purchase_order_filter=PurchaseOrderFilter.DUE),
            pending_suggestions=Tile(pending),
            urgent_suggestions=urgent,
            at_risk=products(ProductFilter.AT_RISK),
            below_reorder_point=products(ProductFilter.BELOW_REORDER_POINT),
            signups=products(ProductFilter.SIGNUPS),
            deliveries=_deliveries(session),
        )
