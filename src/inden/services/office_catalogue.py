"""The back office's product list (search, filters, numbered pages) and product page (stock, queue, sign-ups,
offers, demand and what is arriving), each read in a few set-based queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from inden.clock import as_utc, utcnow
from inden.config import get_settings, shop_today
from inden.db.models import (
    Order,
    OrderLine,
    Product,
    PurchaseOrder,
    PurchaseOrderLine,
    ReplenishmentSuggestion,
    SalesHistory,
    Subscription,
    Supplier,
    SupplierOffer,
)
from inden.db.session import Database
from inden.db.supply import incoming_units
from inden.domain.errors import UnknownSku
from inden.services.products import product_views
from inden.services.schemas import ProductOut

STOCK_FILTERS = ("out", "waiting", "reorder", "unplanned", "signups", "limited", "preorder")
POLICIES = ("allow", "deny", "preorder")


@dataclass(frozen=True)
class ProductRow:
    sku: str
    name: str
    policy: str
    price: Decimal | None
    on_hand: int
    available: int
    backordered: int
    incoming: int
    below_reorder_point: bool
    best_seller: bool


def _filtered(query: Select[Any], *, q: str, stock: str, policy: str) -> Select[Any]:
    if q:
        pattern = f"%{q.lower()}%"
        query = query.where(or_(func.lower(Product.sku).like(pattern), func.lower(Product.name).like(pattern)))
    if policy in POLICIES:
        query = query.where(Product.backorder_policy == policy)
    waiting_line = select(OrderLine.id).where(OrderLine.product_id == Product.id, OrderLine.backordered > 0)
    conditions = {
        "out": Product.on_hand - Product.allocated <= 0,
        "waiting": Product.backordered > 0,
        "reorder": Product.below_reorder_point.is_(True),
        "unplanned": exists(waiting_line.where(func.coalesce(OrderLine.eta_confidence, "") != "scheduled")),
        "signups": exists(select(Subscription.id).where(Subscription.product_id == Product.id,
                                                        Subscription.status == "confirmed")),
        "limited": Product.max_per_customer.is_not(None),
        "preorder": Product.backorder_policy == "preorder",
    }
    if stock in conditions:
        query = query.where(conditions[stock])
    return query


def search_products(db: Database, *, q: str = "", stock: str = "", policy: str = "", offset: int = 0,
                    limit: int = 50) -> tuple[list[ProductRow], int]:
    """One page of products in SKU order matching the search (SKU or name contains `q`) and filters, and how
    many match in all."""
    with db.transaction() as session:
        total = int(session.scalar(_filtered(select(func.count()).select_from(Product), q=q, stock=stock,
                                             policy=policy)) or 0)
        products = session.scalars(_filtered(select(Product), q=q, stock=stock, policy=policy)
                                   .order_by(Product.sku).offset(offset).limit(limit)).all()
        incoming = incoming_units(session, [p.id for p in products])
        return [ProductRow(p.sku, p.name, p.backorder_policy, p.price, p.on_hand, max(p.on_hand - p.allocated, 0),
                           p.backordered, incoming.get(p.id, 0), p.below_reorder_point, p.best_seller)
                for p in products], total


@dataclass(frozen=True)
class QueueEntry:
    position: int
    order_id: int
    customer: str
    units: int
    eta: date | None
    eta_latest: date | None
    scheduled: bool
    since: datetime


@dataclass(frozen=True)
class OfferRow:
    supplier: str
    supplier_name: str
    lead_time_days: int
    min_order_quantity: int
    pack_size: int
    unit_cost: Decimal | None


@dataclass(frozen=True)
class Arrival:
    purchase_order_id: int
    supplier: str
    expected_at: date
    units: int
    status: str


@dataclass(frozen=True)
class ProductPage:
    product: ProductOut
    queue: list[QueueEntry]
    queue_total: int
    sign_ups: dict[str, int]
    offers: list[OfferRow]
    arrivals: list[Arrival]
    demand: list[tuple[date, int]]  # the last 90 shop days, oldest first
    plan: dict[str, Any] | None  # the latest suggestion's figures (reorder point, demand per day, …)
    today: date


def product_page(db: Database, sku: str, *, queue_limit: int = 100, now: datetime | None = None) -> ProductPage:
    """Everything the product page shows. Raises UnknownSku."""
    now = now or utcnow()
    today = shop_today(now)
    with db.transaction() as session:
        product = session.scalar(select(Product).where(Product.sku == sku))
        if product is None:
            raise UnknownSku(sku)
        latest = session.scalars(select(ReplenishmentSuggestion).where(
            ReplenishmentSuggestion.product_id == product.id).order_by(ReplenishmentSuggestion.id.desc()).limit(1)
        ).first()
        return ProductPage(
            product=product_views(session, [product])[0], queue=_queue(session, product.id, queue_limit),
            queue_total=int(session.scalar(select(func.count()).where(
                OrderLine.product_id == product.id, OrderLine.backordered > 0)) or 0),
            sign_ups={status: int(count) for status, count in session.execute(select(
                Subscription.status, func.count()).where(Subscription.product_id == product.id)
                .group_by(Subscription.status))},
            offers=_offers(session, product.id), arrivals=_arrivals(session, product.id),
            demand=_demand(session, product.id, today), plan=dict(latest.figures) if latest else None, today=today)


def _queue(session: Session, product_id: int, limit: int) -> list[QueueEntry]:
    rows = session.execute(
        select(OrderLine.order_id, Order.customer_email, OrderLine.backordered, OrderLine.eta, OrderLine.eta_latest,
               OrderLine.eta_confidence, OrderLine.order_created_at)
        .join(Order, Order.id == OrderLine.order_id)
        .where(OrderLine.product_id == product_id, OrderLine.backordered > 0)
        .order_by(OrderLine.priority.desc(), OrderLine.order_created_at, OrderLine.order_id, OrderLine.id)
        .limit(limit)).all()
    return [QueueEntry(n, r.order_id, r.customer_email, r.backordered, r.eta, r.eta_latest,
                       r.eta_confidence == "scheduled", as_utc(r.order_created_at))
            for n, r in enumerate(rows, start=1)]


def _offers(session: Session, product_id: int) -> list[OfferRow]:
    rows = session.execute(select(Supplier, SupplierOffer).join(SupplierOffer, SupplierOffer.supplier_id == Supplier.id)
                           .where(SupplierOffer.product_id == product_id).order_by(Supplier.code)).all()
    return [OfferRow(s.code, s.name, o.lead_time_days if o.lead_time_days is not None else s.lead_time_days,
                     o.min_order_quantity, o.pack_size, o.unit_cost) for s, o in rows]


def _arrivals(session: Session, product_id: int) -> list[Arrival]:
    rows = session.execute(
        select(PurchaseOrder.id, Supplier.code, PurchaseOrder.expected_at, PurchaseOrderLine.quantity,
               PurchaseOrderLine.received, PurchaseOrder.status)
        .join(PurchaseOrderLine, PurchaseOrderLine.purchase_order_id == PurchaseOrder.id)
        .join(Supplier, Supplier.id == PurchaseOrder.supplier_id)
        .where(PurchaseOrderLine.product_id == product_id, PurchaseOrder.status.in_(("open", "draft")),
               PurchaseOrderLine.quantity > PurchaseOrderLine.received)
        .order_by(PurchaseOrder.expected_at, PurchaseOrder.id)).all()
    return [Arrival(r.id, r.code, r.expected_at, r.quantity - r.received, r.status) for r in rows]


def _demand(session: Session, product_id: int, today: date, days: int = 90) -> list[tuple[date, int]]:
    """Units ordered (inden's orders) or sold (imported history) per shop day."""
    zone = ZoneInfo(get_settings().timezone)
    since = today - timedelta(days=days - 1)
    start = datetime.combine(since, time.min, zone)
    per_day = dict.fromkeys((since + timedelta(days=n) for n in range(days)), 0)
    for moment, quantity in session.execute(select(OrderLine.order_created_at, OrderLine.quantity).where(
            and_(OrderLine.product_id == product_id, OrderLine.order_created_at >= start))):
        shop_date = as_utc(moment).astimezone(zone).date()
        if shop_date in per_day:
            per_day[shop_date] += quantity
    for sold_on, quantity in session.execute(select(SalesHistory.day, SalesHistory.quantity).where(
            SalesHistory.product_id == product_id, SalesHistory.day >= since)):
        if sold_on in per_day:
            per_day[sold_on] += quantity
    return sorted(per_day.items())
