"""Reading orders and the backorder queue."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, select, text
from sqlalchemy.orm import Session

from inden.clock import as_utc
from inden.db.models import Order, OrderChoice, OrderLine, Product, Timestamp
from inden.db.queue import QueueKey, queue_order, queue_positions
from inden.db.session import Database
from inden.domain.errors import UnknownOrder, UnknownSku
from inden.domain.orders import OrderStatus
from inden.services.pagination import decode_cursor, encode_cursor, invalid_cursor
from inden.services.schemas.common import Page
from inden.services.schemas.orders import (
    BackorderOut,
    ChoiceLine,
    CustomerOut,
    OrderChoiceItem,
    OrderChoiceOut,
    OrderLineOut,
    OrderOut,
)


def order_view(session: Session, order_id: int) -> OrderOut:
    """The order as the API shows it, with each waiting line's queue position. Raises UnknownOrder."""
    order = session.get(Order, order_id, populate_existing=True)
    if order is None:
        raise UnknownOrder(order_id)
    return _views(session, [order])[0]


def _views(session: Session, orders: list[Order]) -> list[OrderOut]:
    lines = session.execute(
        select(OrderLine, Product.sku)
        .join(Product, Product.id == OrderLine.product_id)
        .where(OrderLine.order_id.in_([o.id for o in orders]))
        .order_by(OrderLine.id)
        .execution_options(populate_existing=True)
    ).all()
    positions = queue_positions(
        session,
        [QueueKey(line.id, line.order_id, line.product_id, line.priority, line.order_created_at)
         for line, _ in lines if line.backordered > 0],
    )
    by_order: dict[int, list[OrderLineOut]] = {o.id: [] for o in orders}
    for line, sku in lines:
        by_order[line.order_id].append(
            OrderLineOut(
                sku=sku, quantity=line.quantity, allocated=line.allocated, backordered=line.backordered,
                shipped=line.shipped, cancelled=line.cancelled, position=positions.get(line.id),
                **(_eta_fields(line.eta, line.eta_latest, line.eta_confidence) if line.backordered else {}),
            )
        )
    choices: dict[int, list[OrderChoiceOut]] = {o.id: [] for o in orders}
    for choice in session.scalars(select(OrderChoice).where(OrderChoice.order_id.in_(list(choices)))
                                  .order_by(OrderChoice.id)):
        choices[choice.order_id].append(OrderChoiceOut(
            choice=choice.choice, lines=[ChoiceLine.model_validate(line) for line in choice.lines],
            created_at=as_utc(choice.created_at)))
    return [
        OrderOut(
            id=o.id, external_id=o.external_id, status=o.status,
            customer=CustomerOut(email=o.customer_email, name=o.customer_name, locale=o.customer_locale,
                                 phone=o.customer_phone, channel=o.channel),
            fulfilment=o.fulfilment, priority=o.priority, lines=by_order[o.id], created_at=as_utc(o.created_at),
            choices=choices[o.id],
        )
        for o in orders
    ]


def _eta_fields(eta: date | None, latest: date | None, confidence: str | None) -> dict[str, object]:
    return {"eta": eta, "eta_latest": latest, "eta_confidence": confidence}


def get_order(db: Database, order_id: int) -> OrderOut:
    with db.transaction() as session:
        return order_view(session, order_id)


def list_orders(
    db: Database, *, status: OrderStatus | None = None, sku: str | None = None, cursor: str | None = None,
    limit: int = 100,
) -> Page[OrderOut]:
    """Orders newest first, optionally only those in `status` or with a line for `sku`."""
    before = decode_cursor(cursor, expected=int)
    with db.transaction() as session:
        query = select(Order).order_by(Order.id.desc()).limit(limit + 1)
        if status is not None:
            query = query.where(Order.status == status.value)
        if sku is not None:
            product_id = session.scalar(select(Product.id).where(Product.sku == sku))
            if product_id is None:
                raise UnknownSku(sku)
            query = query.where(
                Order.id.in_(select(OrderLine.order_id).where(OrderLine.product_id == product_id))
            )
        if before is not None:
            query = query.where(Order.id < before)
        orders = list(session.scalars(query).all())
        page = orders[:limit]
        next_cursor = encode_cursor(page[-1].id) if len(orders) > limit else None
        return Page[OrderOut](items=_views(session, page) if page else [], next_cursor=next_cursor)


_BACKORDERS = f"""
    SELECT order_id, sku, backordered, position, order_created_at, eta, eta_latest, eta_confidence FROM (
        SELECT l.order_id, p.sku, l.backordered, l.order_created_at, l.eta, l.eta_latest, l.eta_confidence,
               ROW_NUMBER() OVER (PARTITION BY l.product_id ORDER BY {queue_order("l")})
                   AS position
        FROM order_lines l JOIN products p ON p.id = l.product_id
        WHERE l.backordered > 0 {{sku_filter}}
    ) queue
    WHERE (sku > :after_sku OR (sku = :after_sku AND position > :after_position))
    ORDER BY sku, position
    LIMIT :limit
"""


def list_backorders(
    db: Database, *, sku: str | None = None, cursor: str | None = None, limit: int = 100
) -> Page[BackorderOut]:
    """Waiting lines in allocation order (per SKU, SKUs in order), with their queue positions."""
    after = decode_cursor(cursor, expected=list) or ["", 0]
    if len(after) != 2 or not isinstance(after[0], str) or not isinstance(after[1], int):
        raise invalid_cursor(cursor or "")
    with db.transaction() as session:
        params: dict[str, object] = {"after_sku": after[0], "after_position": after[1], "limit": limit + 1}
        sku_filter = ""
        if sku is not None:
            if session.scalar(select(Product.id).where(Product.sku == sku)) is None:
                raise UnknownSku(sku)
            sku_filter, params["sku"] = "AND p.sku = :sku", sku
        query = text(_BACKORDERS.format(sku_filter=sku_filter)).columns(
            order_created_at=Timestamp, eta=Date, eta_latest=Date)
        rows = session.execute(query, params).all()
        items = [
            BackorderOut(order_id=r.order_id, sku=r.sku, quantity=r.backordered, position=r.position,
                         created_at=as_utc(r.order_created_at),
                         **_eta_fields(r.eta, r.eta_latest, r.eta_confidence))
            for r in rows[:limit]
        ]
        next_cursor = encode_cursor([rows[limit - 1].sku, rows[limit - 1].position]) if len(rows) > limit else None
        return Page[BackorderOut](items=items, next_cursor=next_cursor)


def recent_choices(db: Database, *, limit: int = 50) -> list[OrderChoiceItem]:
    """Buyers' answers across orders, newest first (`inden orders answers`)."""
    with db.transaction() as session:
        rows = session.scalars(select(OrderChoice).order_by(OrderChoice.id.desc()).limit(limit)).all()
        return [OrderChoiceItem(order_id=row.order_id, choice=row.choice,
                                lines=[ChoiceLine.model_validate(line) for line in row.lines],
                                created_at=as_utc(row.created_at)) for row in rows]
