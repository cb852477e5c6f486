"""Stock movements and serving the backorder queue with freed units."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from inden.clock import utcnow
from inden.config import shop_today
from inden.db.models import OrderLine, Product
from inden.db.order_status import refresh_statuses
from inden.db.queue import record_served_events, serve_queues, served_orders
from inden.db.session import Database
from inden.db.stock import lock_products, record_movements
from inden.domain.errors import InsufficientStock, InvalidRequest
from inden.domain.ledger import MovementKind
from inden.services.eta import is_released, refresh_etas
from inden.services.products import stock_views
from inden.services.schemas import MAX_ON_HAND, LineIn, StockAdjustment, StockOut
from inden.services.subscriptions import announce_restock, shelf_before


def serve_waiting(session: Session, products: Sequence[Product], *, now: datetime) -> int:
    """Give each product's available units to its waiting backorders, highest priority and oldest first.

    Set-based: one UPDATE serves every queue, one refreshes the served orders' status, one writes a
    `backorder.allocated` event per served line. The products must be locked; call at most once per
    product in a transaction. Returns the number of units allocated.
    """
    today = shop_today(now)
    wanting = [p for p in products if p.on_hand > p.allocated and p.backordered > 0 and is_released(p, today)]
    if not wanting:
        return 0
    ids = [p.id for p in wanting]
    session.flush()  # the UPDATE reads on_hand and the lines from the database
    batch = serve_queues(session, ids, now=now)
    total = 0
    for product in wanting:
        # backordered is the sum of the queue (an audited invariant), so the queue took exactly this
        take = min(product.on_hand - product.allocated, product.backordered)
        product.allocated += take
        product.backordered -= take
        total += take
    for obj in list(session.identity_map.values()):
        if isinstance(obj, OrderLine):
            session.expire(obj)  # rows the UPDATE changed behind the ORM's back
    refresh_statuses(session, served_orders(batch))
    record_served_events(session, batch, now=now)
    return total


def _count_in(session: Session, products: dict[str, Product], deltas: dict[str, int], *, kind: MovementKind,
              reason: str, ref: str, now: datetime) -> None:
    for sku, delta in deltas.items():
        product = products[sku]
        available = product.on_hand - product.allocated
        if delta < 0 and -delta > available:
            raise InsufficientStock(sku, requested=-delta, available=available)
        if product.on_hand + delta > MAX_ON_HAND:
            raise InvalidRequest(f"SKU {sku!r} would hold more than {MAX_ON_HAND} units.", sku=sku)
    before = shelf_before(session, list(products.values()), now=now)
    record_movements(session, [(products[sku], delta) for sku, delta in deltas.items()], kind=kind, reason=reason,
                     ref=ref, now=now)
    serve_waiting(session, list(products.values()), now=now)
    refresh_etas(session, list(products.values()), now=now)
    announce_restock(session, list(products.values()), before, now=now)
    for product in products.values():
        product.updated_at = now


def adjust_stock(db: Database, sku: str, adjustment: StockAdjustment, *, now: datetime | None = None) -> StockOut:
    """Count stock in or out. Units counted in go to waiting backorders first.

    Raises InsufficientStock when taking out more than is available (allocated units stay reserved).
    """
    now = now or utcnow()
    with db.transaction() as session:
        products = lock_products(session, [sku])
        _count_in(session, products, {sku: adjustment.delta}, kind=MovementKind.ADJUSTMENT,
                  reason=adjustment.reason, ref="adjustment", now=now)
        return stock_views(session, [products[sku]])[sku]


def receive_stock(
    db: Database, lines: list[LineIn], *, reason: str, ref: str = "receipt", now: datetime | None = None
) -> dict[str, StockOut]:
    """Count a delivery of several SKUs in, in one transaction; each SKU's units serve its queue first."""
    now = now or utcnow()
    with db.transaction() as session:
        products = lock_products(session, (line.sku for line in lines))
        _count_in(session, products, {line.sku: line.quantity for line in lines}, kind=MovementKind.RECEIPT,
                  reason=reason, ref=ref, now=now)
        return stock_views(session, list(products.values()))
