"""Orders: place (with idempotency), cancel, ship."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from inden.clock import shop_date, utcnow
from inden.db.models import IdempotencyRecord, LostDemand, Order, OrderLine, Product, Shipment, ShipmentLine, table_of
from inden.db.order_status import refresh_statuses
from inden.db.outbox import Event, emit
from inden.db.session import Database
from inden.db.stock import lock_products, lock_products_by_id, record_movements
from inden.domain.allocation import LineRequest, OrderDecision, take_order
from inden.domain.contact import Channel
from inden.domain.errors import (
    CustomerLimitExceeded,
    IdempotencyConflict,
    InvalidRequest,
    OutOfStock,
    UnknownOrder,
)
from inden.domain.event_types import EventType
from inden.domain.ledger import MovementKind
from inden.domain.orders import Fulfilment, LineUnits, order_status, split_cancel, units_to_ship
from inden.services.order_views import order_view
from inden.services.schemas.common import LineIn
from inden.services.schemas.orders import CustomerOut, OrderCreate, OrderLineOut, OrderOut, ShipmentOut, ShippedLine
from inden.services.steps.decisions import decision_snapshots
from inden.services.steps.etas import Joining, place_in_queue, refresh_etas
from inden.services.steps.serving import serve_waiting

# --- placing ---------------------------------------------------------------------------------------------


def place_order(
    db: Database, request: OrderCreate, *, idempotency_key: str | None = None, now: datetime | None = None
) -> OrderOut:
    """Take an order: each line takes what is available, the rest waits on backorder within policy.

    Raises OutOfStock (and records the refused units as lost demand) when a line cannot be taken in full.
    With `idempotency_key`, a retry with the same body gets the first outcome again and changes nothing;
    another body raises IdempotencyConflict.
    """
    clock: Callable[[], datetime] = (lambda: now) if now else utcnow
    fingerprint = hashlib.sha256(request.model_dump_json().encode()).hexdigest()
    try:
        with db.transaction() as session:
            if idempotency_key is not None:
                replayed = _replay_or_claim(session, idempotency_key, fingerprint, now=clock())
                if replayed is not None:
                    return replayed
            products = lock_products(session, (line.sku for line in request.lines))
            # Read the clock once the stock is locked, so that on a hot SKU creation time follows the order
            # in which orders took the lock, which is also the order of their ids.
            placed_at = clock()
            _check_customer_limits(session, request, products)
            decision = take_order(
                [LineRequest(line.sku, line.quantity) for line in request.lines],
                decision_snapshots(session, products, today=shop_date(placed_at, db.settings.timezone)),
            )
            if decision.accepted:
                order = _create_order(session, request, decision, products, now=placed_at)
                _remember(session, idempotency_key, 201, order.model_dump(mode="json"))
                return order
            refusal = _refuse(session, request, decision, products, now=placed_at)
            _remember(session, idempotency_key, 409, {"lines": refusal.lines})
    except IntegrityError:
        if idempotency_key is None:
            raise
        # A concurrent request with the same key committed first; ours was rolled back whole.
        with db.transaction() as session:
            replayed = _replay_or_claim(session, idempotency_key, fingerprint, now=clock())
        if replayed is None:
            raise
        return replayed
    raise refusal


def _replay_or_claim(session: Session, key: str, fingerprint: str, *, now: datetime) -> OrderOut | None:
    """The stored outcome for `key`, or None after claiming the key for this request.

    Claiming inserts the key's row first thing: on PostgreSQL a concurrent twin blocks on that insert until
    we commit, then fails with a unique violation and replays our outcome.
    """
    record = session.get(IdempotencyRecord, key)
    if record is None:
        session.execute(
            insert(IdempotencyRecord).values(
                key=key, fingerprint=fingerprint, status_code=0, response={}, created_at=now
            )
        )
        return None
    if record.fingerprint != fingerprint:
        raise IdempotencyConflict(key)
    if record.status_code == 409:
        raise OutOfStock(record.response["lines"])
    return OrderOut.model_validate(record.response)


def _remember(session: Session, key: str | None, status_code: int, response: dict[str, object]) -> None:
    if key is not None:
        session.execute(
            update(IdempotencyRecord)
            .where(IdempotencyRecord.key == key)
            .values(status_code=status_code, response=response)
        )


def _check_customer_limits(session: Session, request: OrderCreate, products: dict[str, Product]) -> None:
    """Limited editions: refuse a customer who would pass `max_per_customer` (the products are locked)."""
    for line in request.lines:
        product = products[line.sku]
        if product.max_per_customer is None:
            continue
        already = session.scalar(
            select(func.coalesce(func.sum(OrderLine.quantity - OrderLine.cancelled), 0))
            .join(Order, Order.id == OrderLine.order_id)
            .where(OrderLine.product_id == product.id, Order.customer_email == request.customer.email)
        ) or 0
        if already + line.quantity > product.max_per_customer:
            raise CustomerLimitExceeded(line.sku, limit=product.max_per_customer, already=int(already),
                                        requested=line.quantity)


def _create_order(
    session: Session, request: OrderCreate, decision: OrderDecision, products: dict[str, Product], *,
    now: datetime,
) -> OrderOut:
    """Store an accepted order. This runs while the products are locked, so it is lean: Core statements,
    the response built from what we already know instead of read back."""
    placements = place_in_queue(session, [
        Joining(products[t.sku], t.backordered, request.priority) for t in decision.takes if t.backordered
    ], now=now)
    status = order_status(LineUnits(t.quantity, t.allocated, t.backordered, 0, 0) for t in decision.takes)
    customer = request.customer
    orders, order_lines, product_table = table_of(Order), table_of(OrderLine), table_of(Product)  # Core: lean
    order_id = session.execute(insert(orders).returning(orders.c.id), {
        "external_id": request.external_id, "customer_email": customer.email, "customer_name": customer.name,
        "customer_locale": customer.locale, "fulfilment": request.fulfilment.value, "priority": request.priority,
        "status": status.value, "created_at": now, "customer_phone": customer.phone, "channel": customer.channel.value,
        "whatsapp_consent_at": now if customer.channel == Channel.WHATSAPP else None,
    }).scalar_one()
    lines = []
    for take in decision.takes:
        placed = placements.get(products[take.sku].id)
        eta = placed.eta if placed else None
        lines.append({
            "order_id": order_id, "product_id": products[take.sku].id, "quantity": take.quantity,
            "allocated": take.allocated, "backordered": take.backordered, "backordered_at_order": take.backordered,
            "shipped": 0, "cancelled": 0,
            "priority": request.priority, "order_created_at": now, "eta": eta.eta if eta else None,
            "eta_latest": eta.eta_latest if eta else None, "eta_confidence": eta.confidence if eta else None,
        })
    session.execute(insert(order_lines), lines)
    for take in decision.takes:
        product = products[take.sku]
        session.execute(update(product_table).where(product_table.c.id == product.id).values(
            allocated=product.allocated + take.allocated, backordered=product.backordered + take.backordered))
        # keep the loaded row in step without marking it dirty (it was written just above)
        set_committed_value(product, "allocated", product.allocated + take.allocated)
        set_committed_value(product, "backordered", product.backordered + take.backordered)
    jumped = [p for p in products.values() if p.id in placements and placements[p.id].eta is None]
    if jumped:  # a raised priority jumped the queue: re-peg it, then read back where the line landed
        refresh_etas(session, jumped, now=now)
        return order_view(session, order_id)
    view = OrderOut(
        id=order_id, external_id=request.external_id, status=status,
        customer=CustomerOut(email=customer.email, name=customer.name, locale=customer.locale, phone=customer.phone,
                             channel=customer.channel),
        fulfilment=request.fulfilment, priority=request.priority, created_at=now,
        lines=[OrderLineOut(sku=take.sku, quantity=take.quantity, allocated=take.allocated,
                            backordered=take.backordered, shipped=0, cancelled=0,
                            position=placements[line["product_id"]].position if take.backordered else None,
                            eta=line["eta"], eta_latest=line["eta_latest"], eta_confidence=line["eta_confidence"])
               for take, line in zip(decision.takes, lines, strict=True)],
    )
    _announce_backorder(session, view, now=now)
    return view


def _announce_backorder(session: Session, view: OrderOut, *, now: datetime) -> None:
    waiting = [line for line in view.lines if line.backordered]
    if waiting:
        emit(session, [Event(EventType.ORDER_BACKORDERED, f"order.backordered:{view.id}", {
            "order_id": view.id,
            "customer": view.customer.model_dump(),
            "lines": [line.model_dump(mode="json", include={"sku", "backordered", "position", "eta", "eta_latest",
                                                            "eta_confidence"})
                      for line in waiting],
        })], now=now)


def _refuse(
    session: Session, request: OrderCreate, decision: OrderDecision, products: dict[str, Product], *,
    now: datetime,
) -> OutOfStock:
    """Record every unit of a refused order as lost demand; the error names the lines that caused it."""
    refused = {r.sku for r in decision.refusals}
    session.execute(insert(LostDemand), [
        {"product_id": products[line.sku].id, "quantity": line.quantity,
         "customer_email": request.customer.email,
         "reason": "out_of_stock" if line.sku in refused else "order_refused", "created_at": now}
        for line in request.lines
    ])
    return OutOfStock([
        {"sku": r.sku, "requested": r.requested, "available": r.available, "backorder_room": r.backorder_room}
        for r in decision.refusals
    ])


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
