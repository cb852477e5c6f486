"""The back office's order list: search by order number, customer email or SKU, filter by status, numbered
pages; and the product names an order page shows beside its SKUs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, or_, select

from inden.clock import as_utc
from inden.db.models import Order, OrderLine, Product
from inden.db.session import Database

STATUS_FILTERS = {
    "waiting": ("backordered", "partially_backordered"),
    "to_ship": ("allocated",),
    "partly_shipped": ("partially_shipped",),
    "shipped": ("shipped",),
    "cancelled": ("cancelled",),
}


@dataclass(frozen=True)
class OrderRow:
    id: int
    external_id: str | None
    customer: str
    status: str
    priority: int
    units: int
    waiting: int
    reserved: int
    created_at: datetime


def _filtered(query: Select[Any], *, q: str, status: str) -> Select[Any]:
    if status in STATUS_FILTERS:
        query = query.where(Order.status.in_(STATUS_FILTERS[status]))
    q = q.strip().lstrip("#")
    if q.isdigit():
        query = query.where(or_(Order.id == int(q), Order.external_id == q))
    elif "@" in q:
        query = query.where(func.lower(Order.customer_email).like(f"%{q.lower()}%"))
    elif q:
        by_sku = select(OrderLine.order_id).join(Product, Product.id == OrderLine.product_id).where(
            func.lower(Product.sku) == q.lower())
        query = query.where(or_(Order.id.in_(by_sku), Order.external_id == q))
    return query


def search_orders(db: Database, *, q: str = "", status: str = "", offset: int = 0, limit: int = 50
                  ) -> tuple[list[OrderRow], int]:
    """Orders newest first matching the search (a number: order id; with @: email; else a SKU or the shop's
    own order number) and status filter, one page of them, and how many match in all."""
    with db.transaction() as session:
        total = int(session.scalar(_filtered(select(func.count()).select_from(Order), q=q, status=status)) or 0)
        orders = session.scalars(_filtered(select(Order), q=q, status=status).order_by(Order.id.desc())
                                 .offset(offset).limit(limit)).all()
        sums = {row[0]: row[1:] for row in session.execute(
            select(OrderLine.order_id, func.sum(OrderLine.quantity), func.sum(OrderLine.backordered),
                   func.sum(OrderLine.allocated))
            .where(OrderLine.order_id.in_([o.id for o in orders])).group_by(OrderLine.order_id))}
        rows = []
        for o in orders:
            units, waiting, reserved = (int(v or 0) for v in sums.get(o.id, (0, 0, 0)))
            rows.append(OrderRow(o.id, o.external_id, o.customer_email, o.status, o.priority, units, waiting,
                                 reserved, as_utc(o.created_at)))
        return rows, total


def product_names(db: Database, skus: Sequence[str]) -> dict[str, str]:
    """Names to show beside SKUs."""
    if not skus:
        return {}
    with db.transaction() as session:
        return {sku: name for sku, name in session.execute(
            select(Product.sku, Product.name).where(Product.sku.in_(list(skus))))}
