"""Raising (or lowering) an order's priority: its waiting lines move in their products' queues."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from inden.clock import utcnow
from inden.db.models import Order, OrderLine
from inden.db.session import Database
from inden.db.stock import lock_products_by_id
from inden.domain.errors import UnknownOrder
from inden.services.eta import refresh_etas
from inden.services.order_views import order_view
from inden.services.schemas import OrderOut


def set_priority(db: Database, order_id: int, priority: int, *, now: datetime | None = None) -> OrderOut:
    """Give an order a new priority. Its waiting lines take their place in each queue (higher first, then
    oldest), and every promise in those queues is re-pegged (customers pushed back get `eta_changed`).
    Units already reserved stay where they are. Raises UnknownOrder."""
    now = now or utcnow()
    with db.transaction() as session:
        product_ids = session.scalars(select(OrderLine.product_id).where(OrderLine.order_id == order_id)).all()
        if not product_ids:
            raise UnknownOrder(order_id)
        products = lock_products_by_id(session, product_ids)  # fixed order, as every writer of these queues
        order = session.get(Order, order_id, populate_existing=True)
        if order is None:
            raise UnknownOrder(order_id)
        order.priority = priority
        session.execute(update(OrderLine).where(OrderLine.order_id == order_id).values(priority=priority))
        refresh_etas(session, list(products.values()), now=now)
        return order_view(session, order_id)
