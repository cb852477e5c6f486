"""The orders pages: search (order id, customer email, SKU, status) with paging, and one order with its lines'
queue positions and ship dates."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, desc, func, select, text, union
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from inden.clock import as_utc
from inden.db.models import Order, OrderLine, Product
from inden.db.search import orders_with_customer_like
from inden.db.session import Database
from inden.domain.eta import EtaConfidence
from inden.domain.orders import OrderStatus
from inden.services.back_office.paging import FIRST_PAGE, Paged, Paging
from inden.services.order_views import order_view
from inden.services.schemas.orders import OrderChoiceOut


@dataclass(frozen=True, slots=True)
class OrderQuery:
    """`search`: an order number (ours or the shop's external id), a customer's email or name or part of it, or
    a SKU or part of one (any case; see `_search`). `waiting`: only orders with units still waiting."""

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


# An order waits exactly when one of its lines does (`db.order_status`: backordered and partially backordered
# orders always have a waiting line, a partially shipped one may, the others never). Read through the waiting
# lines' own index, not the orders' status: no index names `status` (models.Order).
WAITING_ORDER_IDS = select(OrderLine.order_id).where(text("backordered > 0"))
WAITING_ORDERS_COUNT = select(func.count(func.distinct(OrderLine.order_id))).where(text("backordered > 0"))


def waiting_orders() -> ColumnElement[bool]:
    """Orders with units still waiting."""
    return Order.id.in_(WAITING_ORDER_IDS)


def _search(session: Session, needle: str) -> tuple[ColumnElement[bool], bool]:
    """What the search box means: `123` or `#123` an order number (ours or the shop's), a whole email address
    that customer's orders, a SKU (any case) the orders with it; anything else a part of a customer's email or
    name (a trigram index, inden.db.search), or of a SKU. The first three find few orders; the last may find
    many (then True)."""
    text_ = needle.strip()
    lowered, number = text_.lower(), text_.lstrip("#")
    if number.isdigit() and len(number) < 12:
        # A UNION, not an OR: SQLite's statistics see external_id as mostly NULL and would scan every order.
        return Order.id.in_(select(Order.id).where(Order.id == int(number))
                            .union(select(Order.id).where(Order.external_id == text_))), False
    if re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", text_):
        return func.lower(Order.customer_email) == lowered, False
    product_id = session.scalar(select(Product.id).where(func.lower(Product.sku) == lowered).limit(1))
    if product_id is not None:
        return Order.id.in_(select(OrderLine.order_id).where(OrderLine.product_id == product_id)), False
    skus = select(Product.id).where(func.lower(Product.sku).contains(lowered, autoescape=True))
    return Order.id.in_(union(*orders_with_customer_like(session, text_),
                              select(Order.id).where(Order.external_id == text_),
                              select(OrderLine.order_id).where(OrderLine.product_id.in_(skus)))), True


def _conditions(session: Session, query: OrderQuery) -> tuple[list[ColumnElement[bool]], bool]:
    """The WHERE terms of `query`, and whether they read every order."""
    conditions, scans = [], False
    if query.search.strip():
        condition, scans = _search(session, query.search)
        conditions.append(condition)
    if query.status is not None:
        conditions.append(Order.status == query.status.value)
    if query.waiting:
        conditions.append(waiting_orders())
    return conditions, scans


def _page(session: Session, conditions: list[ColumnElement[bool]], paging: Paging, *, scans: bool,
          count: Select[int] | None = None) -> tuple[list[Order], int]:
    """One page of orders newest first, and how many match (`count` when the caller knows a cheaper way). A search
    that reads every order counts in the same pass (a window over the matches) rather than reading them all
    twice."""
    query = (select(Order).where(*conditions).order_by(desc(Order.id)).limit(paging.limit)
             .offset(paging.offset))
    if scans:
        rows = session.execute(query.add_columns(func.count().over())).all()
        if rows or paging.offset == 0:
            return [row[0] for row in rows], rows[0][1] if rows else 0
    total = session.scalar(count if count is not None else select(func.count()).select_from(Order)
                           .where(*conditions)) or 0
    return list(session.scalars(query)), total


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
    with db.transaction() as session:
        conditions, scans = _conditions(session, query)
        only_waiting = query.waiting and query.status is None and not query.search.strip()
        # Waiting orders alone are counted from their waiting lines' index (an order waits when a line does).
        orders, total = _page(session, conditions, query.paging, scans=scans,
                              count=WAITING_ORDERS_COUNT if only_waiting else None)
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
    choices: tuple[OrderChoiceOut, ...] = ()  # the buyer's answers from their order page, oldest first


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
                    for line in order.lines),
        choices=tuple(order.choices))
