"""Stock movements and serving the backorder queue with freed units."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from inden.clock import utcnow
from inden.db.models import OrderLine, Product
from inden.db.queue import serve_queue
from inden.db.session import Database
from inden.db.stock import lock_product, record_movement
from inden.domain.errors import InsufficientStock, InvalidRequest
from inden.domain.ledger import MovementKind
from inden.notify.outbox import Event, emit
from inden.services.order_status import refresh_order_statuses
from inden.services.products import stock_view
from inden.services.schemas import MAX_ON_HAND, StockAdjustment, StockOut


def serve_waiting(session: Session, product: Product, *, now: datetime) -> int:
    """Give the product's available units to its waiting backorders, oldest (highest priority) first.

    The product must be locked. Writes a `backorder.allocated` event per served line and refreshes the
    served orders' status. Returns the number of units allocated.
    """
    available = product.on_hand - product.allocated
    if available <= 0 or product.backordered <= 0:
        return 0
    # product.backordered is the sum of the queue (audit invariant), so the queue takes exactly `total`.
    total = min(available, product.backordered)
    session.flush()  # the UPDATE below must see changes made through the ORM in this transaction
    served = serve_queue(session, product.id, units=total)
    for obj in list(session.identity_map.values()):
        if isinstance(obj, OrderLine):
            session.expire(obj)  # rows the UPDATE changed behind the ORM's back
    product.allocated += total
    product.backordered -= total
    contacts = refresh_order_statuses(session, (line.order_id for line in served))
    emit(
        session,
        (
            Event(
                "backorder.allocated",
                # backordered only ever falls, so (line, units still waiting) names one serving exactly
                f"backorder.allocated:{line.line_id}:{line.backordered}",
                {
                    "order_id": line.order_id,
                    "sku": product.sku,
                    "allocated": line.allocated,
                    "waiting": line.backordered,
                    "status": contacts[line.order_id].status.value,
                    "customer": {"email": contacts[line.order_id].email,
                                 "locale": contacts[line.order_id].locale},
                },
            )
            for line in served
        ),
        now=now,
    )
    return total


def adjust_stock(db: Database, sku: str, adjustment: StockAdjustment, *, now: datetime | None = None) -> StockOut:
    """Count stock in or out. Units counted in go to waiting backorders first.

    Raises InsufficientStock when taking out more than is available (allocated units stay reserved).
    """
    now = now or utcnow()
    with db.transaction() as session:
        product = lock_product(session, sku)
        available = product.on_hand - product.allocated
        if adjustment.delta < 0 and -adjustment.delta > available:
            raise InsufficientStock(sku, requested=-adjustment.delta, available=available)
        if product.on_hand + adjustment.delta > MAX_ON_HAND:
            raise InvalidRequest(f"SKU {sku!r} would hold more than {MAX_ON_HAND} units.", sku=sku)
        record_movement(
            session, product, kind=MovementKind.ADJUSTMENT, delta=adjustment.delta,
            reason=adjustment.reason, ref="adjustment", now=now,
        )
        serve_waiting(session, product, now=now)
        product.updated_at = now
        return stock_view(product)
