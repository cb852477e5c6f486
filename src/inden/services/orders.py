"""Orders: cancel and ship (placing is `inden.services.placing`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from inden.clock import utcnow
from inden.db.models import Order, OrderLine, Product, Shipment, ShipmentLine
from inden.db.order_status import refresh_statuses
from inden.db.outbox import Event, emit
from inden.db.session import Database
from inden.db.stock import lock_products_by_id, record_movements
from inden.domain.errors import (
    InvalidRequest,
    UnknownOrder,
)
from inden.domain.event_types import EventType
from inden.domain.ledger import MovementKind
from inden.domain.orders import Fulfilment, LineUnits, split_cancel, units_to_ship
from inden.services.order_views import order_view
from inden.services.schemas.common import LineIn
from inden.services.schemas.orders import OrderOut, ShipmentOut, ShippedLine
from inden.services.steps.etas import refresh_etas
from inden.services.steps.serving import serve_waiting

# --- changing an order -------------------------------------------------------------------------------


def _lock_order(session: Session, order_id: int) -> tuple[Order, dict[str, OrderLine], dict[int, Product]]:
    """Lock every product the order has lines for (SKU order), then load the order and its lines."""
    product_ids = session.scalars(select(OrderLine.product_id).where(OrderLine.order_id == order_id)).all()
    if not product_ids:
        raise UnknownOrder(order_id)
    products = lock_products_by_id(session, product_ids)
    order = session.get(Order, order_id, populate_existing=True)
    if order is None:
        raise UnknownOrder(order_id)
    lines = session.scalars(
        select(OrderLine).where(OrderLine.order_id == order_id).execution_options(populate_existing=True)
    ).all()
    return order, {products[line.product_id].sku: line for line in lines}, products


def _selected(order_id: int, lines: dict[str, OrderLine], selection: list[LineIn]) -> list[tuple[str, OrderLine, int]]:
    chosen = []
    for item in selection:
        if item.sku not in lines:
            raise InvalidRequest(f"Order {order_id} has no line for SKU {item.sku!r}.", sku=item.sku)
        chosen.append((item.sku, lines[item.sku], item.quantity))
    return chosen


def _units(line: OrderLine) -> LineUnits:
    return LineUnits(line.quantity, line.allocated, line.backordered, line.shipped, line.cancelled)


def cancel_order(
    db: Database, order_id: int, selection: list[LineIn] | None = None, *, now: datetime | None = None
) -> OrderOut:
    """Cancel units of an order (all open units when `selection` is None): waiting units leave the queue
    first, then allocated units are freed and go at once to the next waiting backorders.

    Raises InvalidRequest when asked to cancel more than a line has open, or when nothing is left to cancel.
    """
    now = now or utcnow()
    with db.transaction() as session:
        cancel_units(session, order_id, selection, now=now)
        return order_view(session, order_id)


def cancel_units(session: Session, order_id: int, selection: list[LineIn] | None, *, now: datetime,
                 waiting_lines: Sequence[str] | None = None) -> list[LineIn]:
    """`cancel_order` inside the caller's transaction (which must not have locked any product yet): the
    freed units serve the next waiting customers, ETAs are re-pegged, an `order.cancelled` event is written.
    With `waiting_lines` (SKUs), every open unit of those of the lines that still wait when the order is locked
    is cancelled instead of `selection` (the buyer's "cancel the waiting items"). Returns what was cancelled;
    raises InvalidRequest when nothing is left to cancel."""
    order, lines, products = _lock_order(session, order_id)
    if waiting_lines is not None:
        chosen = [(sku, line, _units(line).open) for sku, line in lines.items()
                  if sku in waiting_lines and line.backordered > 0]
        if not chosen:
            raise InvalidRequest(f"Order {order_id} has no waiting items to cancel.", order_id=order_id)
    elif selection is None:
        chosen = [(sku, line, _units(line).open) for sku, line in lines.items() if _units(line).open]
        if not chosen:
            raise InvalidRequest(f"Order {order_id} has nothing left to cancel.", order_id=order_id)
    else:
        chosen = _selected(order_id, lines, selection)
    freed = set()
    for sku, line, quantity in chosen:
        split = split_cancel(sku, _units(line), quantity)
        product = products[line.product_id]
        line.backordered -= split.from_waiting
        line.allocated -= split.from_allocated
        line.cancelled += quantity
        product.backordered -= split.from_waiting
        product.allocated -= split.from_allocated
        if split.from_allocated:
            freed.add(product.id)
    serve_waiting(session, [products[product_id] for product_id in freed], now=now)
    refresh_statuses(session, select(Order.id).where(Order.id == order_id))
    refresh_etas(session, [products[line.product_id] for _, line, _ in chosen], now=now)
    cancelled = sum(line.cancelled for line in lines.values())
    emit(session, [Event(EventType.ORDER_CANCELLED, f"order.cancelled:{order_id}:{cancelled}", {
        "order_id": order_id,
        "customer": {"email": order.customer_email, "locale": order.customer_locale},
        "lines": [{"sku": sku, "quantity": quantity} for sku, _, quantity in chosen],
    })], now=now)
    return [LineIn(sku=sku, quantity=quantity) for sku, _, quantity in chosen]


def ship_order(
    db: Database, order_id: int, selection: list[LineIn] | None = None, *, now: datetime | None = None
) -> ShipmentOut:
    """Ship allocated units (all of them when `selection` is None): on_hand and allocated fall together.

    Raises InsufficientStock when a line has fewer allocated units than asked, NotReadyToShip for a
    `complete` order with units still waiting, InvalidRequest when nothing is allocated.
    """
    now = now or utcnow()
    with db.transaction() as session:
        order, lines, products = _lock_order(session, order_id)
        units = {sku: _units(line) for sku, line in lines.items()}
        asked = None if selection is None else [(item.sku, item.quantity) for item in selection]
        to_ship = units_to_ship(order_id, Fulfilment(order.fulfilment), units, asked)
        chosen = [(sku, lines[sku], quantity) for sku, quantity in to_ship]
        shipment = Shipment(order_id=order_id, created_at=now)
        session.add(shipment)
        session.flush()
        for _, line, quantity in chosen:
            product = products[line.product_id]
            product.allocated -= quantity
            line.allocated -= quantity
            line.shipped += quantity
            session.add(ShipmentLine(shipment_id=shipment.id, product_id=product.id, quantity=quantity))
        record_movements(session, [(products[line.product_id], -quantity) for _, line, quantity in chosen],
                         kind=MovementKind.SHIPMENT, reason=f"order {order_id}", ref=f"shipment:{shipment.id}",
                         now=now)
        refresh_statuses(session, select(Order.id).where(Order.id == order_id))
        shipped = [ShippedLine(sku=sku, quantity=quantity) for sku, _, quantity in chosen]
        emit(session, [Event(EventType.ORDER_SHIPPED, f"order.shipped:{shipment.id}", {
            "order_id": order_id, "shipment_id": shipment.id,
            "customer": {"email": order.customer_email, "locale": order.customer_locale},
            "lines": [s.model_dump() for s in shipped],
        })], now=now)
        return ShipmentOut(id=shipment.id, order_id=order_id, lines=shipped, created_at=now,
                           order=order_view(session, order_id))
