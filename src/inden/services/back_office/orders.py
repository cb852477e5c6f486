"""The orders pages: search (order id, customer email, SKU, status) with paging, and one order with its lines'
queue positions and ship dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import desc, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from inden.clock import as_utc
from inden.db.models import Order, OrderLine, Product
from inden.db.session import Database
from inden.domain.eta import EtaConfidence
from inden.domain.orders import OrderStatus
from inden.services.back_office.paging import FIRST_PAGE, Paged, Paging
from inden.services.order_views import order_view


@dataclass(frozen=True, slots=True)
class OrderQuery:
    """`search`: an order number (ours or the shop's external id), part of a customer's email, or part of a SKU
    (any case). `waiting`: only orders with units still waiting."""

    search: str = ""
    status: OrderStatus | None = None
    waiting: bool = False
    paging: Paging = FIRST_PAGE


@dataclass(frozen=True, slots=True)
class OrderRow:
    id: int
    external_id: str | None
    customer_email: str
    customer_name: str | None
    status: OrderStatus
    created_at: datetime
    units: int
    waiting: int  # units still waiting
    skus: tuple[str, ...]  # the order's SKUs, first few
    lines: int
    eta: date | None  # when its last waiting unit is promised to ship


SKUS_SHOWN = 3


def _search(needle: str) -> ColumnElement[bool]:
    text_ = needle.strip()
    lowered = text_.lower()
    terms = [Order.external_id == text_,
             func.lower(Order.customer_email).contains(lowered, autoescape=True),
             Order.id.in_(select(OrderLine.order_id).join(Product, Product.id == OrderLine.product_id)
                          .where(func.lower(Product.sku).contains(lowered, autoescape=True)))]
    if text_.lstrip("#").isdigit() and len(text_) < 12:
        terms.append(Order.id == int(text_.lstrip("#")))
    return or_(*terms)


def _conditions(query: OrderQuery) -> list[ColumnElement[bool]]:
    conditions = []
    if query.search.strip():
        conditions.append(_search(query.search))
    if query.status is not None:
        conditions.append(Order.status == query.status.value)
    if query.waiting:
        conditions.append(Order.id.in_(select(OrderLine.order_id).where(OrderLine.backordered > 0)))
    return conditions


def _line_summaries(session: Session, order_ids: list[int]) -> dict[int, tuple[int, int, int, date | None]]:
    if not order_ids:
        return {}
    rows = session.execute(
        select(OrderLine.order_id, func.count(), func.sum(OrderLine.quantity), func.sum(OrderLine.backordered),
               func.max(OrderLine.eta).filter(OrderLine.backordered > 0))
        .where(OrderLine.order_id.in_(order_ids)).group_by(OrderLine.order_id))
    return {oid: (int(n), int(units), int(waiting), eta) for oid, n, units, waiting, eta in rows}


def _skus(session: Session, order_ids: list[int]) -> dict[int, list[str]]:
    skus: dict[int, list[str]] = {oid: [] for oid in order_ids}
    for oid, sku in session.execute(select(OrderLine.order_id, Product.sku)
                                    .join(Product, Product.id == OrderLine.product_id)
                                    .where(OrderLine.order_id.in_(order_ids)).order_by(OrderLine.id)):
        skus[oid].append(sku)
    return skus


def list_orders(db: Database, query: OrderQuery = OrderQuery()) -> Paged[OrderRow]:
    """Orders newest first matching `query`: one page and how many match."""
    conditions = _conditions(query)
    with db.transaction() as session:
        total = session.scalar(select(func.count()).select_from(Order).where(*conditions)) or 0
        orders = list(session.scalars(select(Order).where(*conditions).order_by(desc(Order.id))
                                      .limit(query.paging.limit).offset(query.paging.offset)))
        ids = [o.id for o in orders]
        lines = _line_summaries(session, ids)
        skus = _skus(session, ids) if ids else {}
    items = tuple(
        OrderRow(id=o.id, external_id=o.external_id, customer_email=o.customer_email, customer_name=o.customer_name,
                 status=OrderStatus(o.status), created_at=as_utc(o.created_at), units=lines[o.id][1],
                 waiting=lines[o.id][2], skus=tuple(skus[o.id][:SKUS_SHOWN]), lines=lines[o.id][0],
                 eta=lines[o.id][3])
        for o in orders)
    return Paged(items, total, query.paging.limit, query.paging.offset)


@dataclass(frozen=True, slots=True)
class OrderLineDetail:
    sku: str
    name: str
    quantity: int
    allocated: int
    waiting: int
    shipped: int
    cancelled: int
    position: int | None  # in the SKU's backorder queue while units wait
    eta: date | None
    eta_latest: date | None
    eta_confidence: EtaConfidence | None


@dataclass(frozen=True, slots=True)
class OrderDetail:
    id: int
    external_id: str | None
    status: OrderStatus
    customer_email: str
    customer_name: str | None
    customer_locale: str
    fulfilment: str
    priority: int
    created_at: datetime
    lines: tuple[OrderLineDetail, ...]


def order_detail(db: Database, order_id: int) -> OrderDetail:
    """One order: every line with product name, queue position and ship dates. Raises UnknownOrder."""
    with db.transaction() as session:
        order = order_view(session, order_id)
        names = dict(session.execute(select(Product.sku, Product.name)
                                     .where(Product.sku.in_([line.sku for line in order.lines]))).all())
    return OrderDetail(
        id=order.id, external_id=order.external_id, status=order.status, customer_email=order.customer.email,
        customer_name=order.customer.name, customer_locale=order.customer.locale, fulfilment=order.fulfilment.value,
        priority=order.priority, created_at=order.created_at,
        lines=tuple(OrderLineDetail(sku=line.sku, name=names[line.sku], quantity=line.quantity,
                                    allocated=line.allocated, waiting=line.backordered, shipped=line.shipped,
                                    cancelled=line.cancelled, position=line.position, eta=line.eta,
                                    eta_latest=line.eta_latest,
                                    eta_confidence=EtaConfidence(line.eta_confidence) if line.eta_confidence else None)
                    for line in order.lines))
