"""The products pages: the list (search, filters, paging) and one product's page (stock, queue, offers, history).

Every list is a handful of set-based queries whatever the page size: the page of products, its total, and one
grouped query each for incoming units; nothing per row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Date, Select, and_, case, exists, func, literal, or_, select, text
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from inden.clock import as_utc, shop_date, utcnow
from inden.config import Settings
from inden.db.models import (
    UNSCHEDULED,
    Order,
    OrderLine,
    Product,
    ReplenishmentSuggestion,
    StockMovement,
    Subscription,
    Supplier,
    SupplierOffer,
    Timestamp,
)
from inden.db.queue import queue_order
from inden.db.session import Database
from inden.db.supply import incoming_units
from inden.domain.analytics import RISKY
from inden.domain.eta import EtaConfidence
from inden.domain.labels import Label, LabelFacts, product_labels
from inden.domain.ledger import MovementKind
from inden.domain.policy import BackorderPolicy, LimitBasis, ProductRules
from inden.domain.states import SubscriptionStatus, SuggestionStatus
from inden.services.back_office.paging import FIRST_PAGE, Paged, Paging
from inden.services.schemas.products import StockOut
from inden.services.steps.lookup import find_product, stock_views

# sign-ups that will hear about a restock (once confirmed)
WAITING_SIGNUPS = (SubscriptionStatus.PENDING.value, SubscriptionStatus.CONFIRMED.value)


class ProductFilter(StrEnum):
    """The product list's filters (the "Hari ini" tiles link to them)."""

    OUT_OF_STOCK = "out_of_stock"  # nothing to sell now
    BACKORDERS = "backorders"  # customers are waiting
    UNSCHEDULED = "unscheduled"  # units wait with no purchase order behind their date
    AT_RISK = "at_risk"  # at/below the reorder point, a risky suggestion, or unscheduled waiting units
    BELOW_REORDER_POINT = "below_reorder_point"
    SIGNUPS = "signups"  # shoppers signed up for a restock while nothing is available


@dataclass(frozen=True, slots=True)
class ProductQuery:
    """What the product list shows: `search` matches SKU or name (any case), filters combine with AND."""

    search: str = ""
    filters: frozenset[ProductFilter] = frozenset()
    policy: BackorderPolicy | None = None
    label: Label | None = None
    paging: Paging = FIRST_PAGE


@dataclass(frozen=True, slots=True)
class ProductRow:
    sku: str
    name: str
    policy: BackorderPolicy
    on_hand: int
    available: int  # sellable now: on hand not promised to an order (0 for a pre-order before its release)
    waiting: int  # units customers wait for
    incoming: int  # units still to come on open purchase orders
    labels: tuple[Label, ...]
    below_reorder_point: bool
    price: Decimal | None


def has_unscheduled_units() -> ColumnElement[bool]:
    """The product has waiting units no purchase order backs: an EXISTS probe of ix_order_lines_unscheduled
    (the predicate is the index's own text, so SQLite uses it)."""
    return exists(select(literal(1)).select_from(OrderLine).where(OrderLine.product_id == Product.id,
                                                                   text(UNSCHEDULED)))


def risky_products() -> Select[Any]:
    """Products whose pending suggestion's stock-out risk is at least RISKY."""
    return select(ReplenishmentSuggestion.product_id).where(
        ReplenishmentSuggestion.status == SuggestionStatus.PENDING.value,
        ReplenishmentSuggestion.figures["risk"].as_float() >= RISKY)


def _signup_products() -> Select[Any]:
    return select(Subscription.product_id).where(Subscription.status.in_(WAITING_SIGNUPS)).distinct()


def available_units(today: date) -> ColumnElement[int]:
    """Units sellable now, in SQL: on hand not promised, none for a pre-order before its release."""
    unreleased = and_(Product.backorder_policy == BackorderPolicy.PREORDER.value, Product.release_at > today)
    return case((unreleased, 0), (Product.on_hand > Product.allocated, Product.on_hand - Product.allocated),
                else_=0)


def _filter(condition: ProductFilter, *, today: date) -> ColumnElement[bool]:
    if condition is ProductFilter.OUT_OF_STOCK:
        return available_units(today) <= 0
    if condition is ProductFilter.BACKORDERS:
        return Product.backordered > 0
    if condition is ProductFilter.UNSCHEDULED:
        return has_unscheduled_units()
    if condition is ProductFilter.BELOW_REORDER_POINT:
        return Product.below_reorder_point.is_(True)
    if condition is ProductFilter.SIGNUPS:
        return and_(available_units(today) <= 0, Product.id.in_(_signup_products()))
    return or_(Product.below_reorder_point.is_(True), Product.id.in_(risky_products()), has_unscheduled_units())


def _label_filter(label: Label, *, today: date, settings: Settings) -> ColumnElement[bool]:
    """The SQL form of `domain.labels.product_labels` for one label."""
    if label is Label.BEST_SELLER:
        return Product.best_seller.is_(True)
    if label is Label.LIMITED:
        return or_(Product.max_per_customer.is_not(None),
                   and_(Product.backorder_policy == BackorderPolicy.PREORDER.value,
                        Product.backorder_limit_basis == LimitBasis.FIXED.value, Product.backorder_limit.is_not(None)))
    # restocked_at is a moment and the rule compares shop dates: the cut-off is the window's first midnight
    first_day = today - timedelta(days=settings.restock_days - 1)
    since = datetime.combine(first_day, time.min, tzinfo=ZoneInfo(settings.timezone))
    return and_(available_units(today) > 0, Product.restocked_at >= since)


def _search(text_: str) -> ColumnElement[bool]:
    needle = text_.strip().lower()
    return or_(func.lower(Product.sku).contains(needle, autoescape=True),
               func.lower(Product.name).contains(needle, autoescape=True))


def product_conditions(query: ProductQuery, *, today: date, settings: Settings) -> list[ColumnElement[bool]]:
    """The WHERE terms of a product query (shared by the list and the CSV download)."""
    conditions = [_filter(f, today=today) for f in sorted(query.filters)]
    if query.search.strip():
        conditions.append(_search(query.search))
    if query.policy is not None:
        conditions.append(Product.backorder_policy == query.policy.value)
    if query.label is not None:
        conditions.append(_label_filter(query.label, today=today, settings=settings))
    return conditions


def _labels(product: Product, *, available: int, today: date, settings: Settings) -> tuple[Label, ...]:
    rules = ProductRules(product.sku, BackorderPolicy(product.backorder_policy), product.backorder_limit,
                         LimitBasis(product.backorder_limit_basis), max_per_customer=product.max_per_customer)
    zone = ZoneInfo(settings.timezone)
    restocked = as_utc(product.restocked_at).astimezone(zone).date() if product.restocked_at else None
    facts = LabelFacts(available, restocked, product.best_seller)
    return tuple(product_labels(rules, facts, today=today, restock_days=settings.restock_days))


def _rows(session: Session, products: list[Product], *, today: date, settings: Settings) -> list[ProductRow]:
    incoming = incoming_units(session, [p.id for p in products])
    rows = []
    for p in products:
        unreleased = p.backorder_policy == BackorderPolicy.PREORDER.value and p.release_at is not None \
            and p.release_at > today
        available = 0 if unreleased else max(p.on_hand - p.allocated, 0)
        rows.append(ProductRow(
            sku=p.sku, name=p.name, policy=BackorderPolicy(p.backorder_policy), on_hand=p.on_hand,
            available=available, waiting=p.backordered, incoming=incoming.get(p.id, 0),
            labels=_labels(p, available=available, today=today, settings=settings),
            below_reorder_point=p.below_reorder_point, price=p.price))
    return rows


def list_products(db: Database, query: ProductQuery = ProductQuery(), *, now: datetime | None = None,
                  settings: Settings | None = None) -> Paged[ProductRow]:
    """Products in SKU order matching `query`, one page of them, and how many match in all."""
    settings = settings or db.settings
    today = shop_date(now or utcnow(), settings.timezone)
    conditions = product_conditions(query, today=today, settings=settings)
    with db.transaction() as session:
        total = session.scalar(select(func.count()).select_from(Product).where(*conditions)) or 0
        products = list(session.scalars(select(Product).where(*conditions).order_by(Product.sku)
                                        .limit(query.paging.limit).offset(query.paging.offset)))
        rows = _rows(session, products, today=today, settings=settings)
    return Paged(tuple(rows), total, query.paging.limit, query.paging.offset)


# --- one product ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QueueEntry:
    """One waiting line in a product's backorder queue."""

    position: int  # 1-based, allocation order
    order_id: int
    customer_email: str
    customer_name: str | None
    units: int
    eta: date | None
    eta_latest: date | None
    eta_confidence: EtaConfidence | None
    waiting_since: datetime


@dataclass(frozen=True, slots=True)
class OfferRow:
    supplier_code: str
    supplier_name: str
    lead_time_days: int
    min_order_quantity: int
    pack_size: int
    unit_cost: Decimal | None
    currency: str


@dataclass(frozen=True, slots=True)
class Adjustment:
    """A stock movement made by hand (a count, damage, a return) with the reason given."""

    delta: int
    reason: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ProductDetail:
    sku: str
    name: str
    policy: BackorderPolicy
    backorder_limit: int | None
    backorder_limit_basis: LimitBasis
    release_at: date | None
    max_per_customer: int | None
    lead_time_days: int
    price: Decimal | None
    stock: StockOut
    labels: tuple[Label, ...]
    below_reorder_point: bool
    waiting_orders: int
    signups: int  # shoppers signed up for a restock (pending confirmation or confirmed)
    queue: Paged[QueueEntry]
    offers: tuple[OfferRow, ...]
    adjustments: tuple[Adjustment, ...]  # the latest first


_QUEUE = f"""
    SELECT position, order_id, backordered, order_created_at, eta, eta_latest, eta_confidence FROM (
        SELECT l.order_id, l.backordered, l.order_created_at, l.eta, l.eta_latest, l.eta_confidence,
               ROW_NUMBER() OVER (ORDER BY {queue_order("l")}) AS position
        FROM order_lines l WHERE l.product_id = :product_id AND l.backordered > 0
    ) queue
    WHERE position > :offset AND position <= :offset + :limit
    ORDER BY position
"""


def _queue(session: Session, product_id: int, waiting_orders: int, paging: Paging) -> Paged[QueueEntry]:
    rows = session.execute(
        text(_QUEUE).columns(order_created_at=Timestamp, eta=Date, eta_latest=Date),
        {"product_id": product_id, "offset": paging.offset, "limit": paging.limit}).all()
    customers = dict(
        (oid, (email, name)) for oid, email, name in session.execute(
            select(Order.id, Order.customer_email, Order.customer_name).where(Order.id.in_([r.order_id for r in rows])))
    ) if rows else {}
    items = tuple(
        QueueEntry(position=r.position, order_id=r.order_id, customer_email=customers[r.order_id][0],
                   customer_name=customers[r.order_id][1], units=r.backordered, eta=r.eta,
                   eta_latest=r.eta_latest,
                   eta_confidence=EtaConfidence(r.eta_confidence) if r.eta_confidence else None,
                   waiting_since=as_utc(r.order_created_at))
        for r in rows)
    return Paged(items, waiting_orders, paging.limit, paging.offset)


def _offers(session: Session, product_id: int) -> tuple[OfferRow, ...]:
    rows = session.execute(
        select(Supplier.code, Supplier.name, func.coalesce(SupplierOffer.lead_time_days, Supplier.lead_time_days),
               SupplierOffer.min_order_quantity, SupplierOffer.pack_size, SupplierOffer.unit_cost,
               SupplierOffer.currency)
        .join(Supplier, Supplier.id == SupplierOffer.supplier_id).where(SupplierOffer.product_id == product_id)
        .order_by(Supplier.code))
    return tuple(OfferRow(*row) for row in rows)


def _adjustments(session: Session, product_id: int, *, limit: int) -> tuple[Adjustment, ...]:
    rows = session.execute(
        select(StockMovement.delta, StockMovement.reason, StockMovement.created_at)
        .where(StockMovement.product_id == product_id, StockMovement.kind == MovementKind.ADJUSTMENT.value)
        .order_by(StockMovement.seq.desc()).limit(limit))
    return tuple(Adjustment(delta, reason, as_utc(created)) for delta, reason, created in rows)


def product_detail(db: Database, sku: str, *, queue: Paging = FIRST_PAGE, adjustments: int = 10,
                   now: datetime | None = None, settings: Settings | None = None) -> ProductDetail:
    """One product's page: its figures, a page of its backorder queue, offers and latest adjustments.

    Raises UnknownSku.
    """
    settings = settings or db.settings
    today = shop_date(now or utcnow(), settings.timezone)
    with db.transaction() as session:
        product = find_product(session, sku)
        stock = stock_views(session, [product])[product.sku]
        row = _rows(session, [product], today=today, settings=settings)[0]
        waiting_orders = session.scalar(select(func.count()).select_from(OrderLine).where(
            OrderLine.product_id == product.id, OrderLine.backordered > 0)) or 0
        signups = session.scalar(select(func.count()).select_from(Subscription).where(
            Subscription.product_id == product.id, Subscription.status.in_(WAITING_SIGNUPS))) or 0
        return ProductDetail(
            sku=product.sku, name=product.name, policy=row.policy, backorder_limit=product.backorder_limit,
            backorder_limit_basis=LimitBasis(product.backorder_limit_basis), release_at=product.release_at,
            max_per_customer=product.max_per_customer, lead_time_days=product.lead_time_days, price=product.price,
            stock=stock.model_copy(update={"available": row.available}), labels=row.labels,
            below_reorder_point=product.below_reorder_point, waiting_orders=waiting_orders, signups=signups,
            queue=_queue(session, product.id, waiting_orders, queue), offers=_offers(session, product.id),
            adjustments=_adjustments(session, product.id, limit=adjustments))
