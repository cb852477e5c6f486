"""Keeping each order's stored `status` equal to what its lines say (domain.orders.order_status)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from inden.db.models import Order, OrderLine
from inden.domain.orders import LineUnits, OrderStatus, order_status
from inden.services.pagination import chunked


@dataclass(frozen=True, slots=True)
class OrderContact:
    status: OrderStatus
    email: str
    name: str | None
    locale: str


def refresh_order_statuses(session: Session, order_ids: Iterable[int]) -> dict[int, OrderContact]:
    """Recompute the status of the given orders from their lines; store the ones that changed.

    Set-based: one grouped read and at most one UPDATE per status for each chunk of orders.
    Returns each order's new status with the customer to tell.
    """
    ids = sorted(set(order_ids))
    result: dict[int, OrderContact] = {}
    for chunk in chunked(ids):
        # Lock the orders (in id order, always after the products) so that the sums below, read in a new
        # statement, include every committed change to their lines: two transactions serving different
        # SKUs of one order cannot each store a status computed without the other's change.
        session.execute(select(Order.id).where(Order.id.in_(chunk)).order_by(Order.id).with_for_update())
        rows = session.execute(
            select(
                Order.id, Order.status, Order.customer_email, Order.customer_name, Order.customer_locale,
                func.sum(OrderLine.quantity), func.sum(OrderLine.allocated), func.sum(OrderLine.backordered),
                func.sum(OrderLine.shipped), func.sum(OrderLine.cancelled),
            )
            .join(OrderLine, OrderLine.order_id == Order.id)
            .where(Order.id.in_(chunk))
            .group_by(Order.id, Order.status, Order.customer_email, Order.customer_name, Order.customer_locale)
        ).all()
        changed: dict[OrderStatus, list[int]] = defaultdict(list)
        for order_id, old, email, name, locale, *units in rows:
            new = order_status([LineUnits(*(int(u) for u in units))])
            result[order_id] = OrderContact(new, email, name, locale)
            if new != old:
                changed[new].append(order_id)
        for status, changed_ids in changed.items():
            session.execute(update(Order).where(Order.id.in_(changed_ids)).values(status=status.value))
    return result
