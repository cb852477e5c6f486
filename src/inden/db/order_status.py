"""Order status in SQL, for refreshing many orders in one statement.

`STATUS` is `inden.domain.orders.order_status` written as a SQL CASE over an order's line sums; an
integration test checks the two agree on every combination of small line states.
"""

from __future__ import annotations

from sqlalchemy import Select, case, func, select, update
from sqlalchemy.orm import Session

from inden.db.models import Order, OrderLine, table_of
from inden.domain.orders import OrderStatus

_live = func.sum(OrderLine.quantity) - func.sum(OrderLine.cancelled)
_shipped = func.sum(OrderLine.shipped)
STATUS = case(
    (_live == 0, OrderStatus.CANCELLED.value),
    (_shipped == _live, OrderStatus.SHIPPED.value),
    (_shipped > 0, OrderStatus.PARTIALLY_SHIPPED.value),
    (func.sum(OrderLine.backordered) == 0, OrderStatus.ALLOCATED.value),
    (func.sum(OrderLine.allocated) == 0, OrderStatus.BACKORDERED.value),
    else_=OrderStatus.PARTIALLY_BACKORDERED.value,
)


def refresh_statuses(session: Session, order_ids: Select[int]) -> None:
    """Set the status of the orders selected by `order_ids` from their lines (two statements).

    The orders are locked first (id order, always after the products): the UPDATE then runs with a fresh
    snapshot, so two transactions that served different SKUs of one order cannot store a status that
    misses the other's change.
    """
    session.flush()
    if session.get_bind().dialect.name == "postgresql":
        # Counted, not fetched: the locks are the point, not 100,000 ids sent to Python. SQLite needs no
        # row locks (each write transaction holds the database's one write lock from BEGIN IMMEDIATE).
        locked = select(Order.id).where(Order.id.in_(order_ids)).order_by(Order.id).with_for_update().subquery()
        session.execute(select(func.count()).select_from(locked))
    sums = (
        select(OrderLine.order_id, STATUS.label("status"))
        .where(OrderLine.order_id.in_(order_ids))
        .group_by(OrderLine.order_id)
        .subquery()
    )
    orders = table_of(Order)
    session.execute(
        update(orders)
        .where(orders.c.id == sums.c.order_id, orders.c.status != sums.c.status)
        .values(status=sums.c.status)
    )
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Order):
            session.expire(obj, ["status"])
