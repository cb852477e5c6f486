"""Counting stock in and out; units counted in serve the backorder queue first."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from inden.clock import utcnow
from inden.db.models import Product
from inden.db.session import Database
from inden.db.stock import lock_products, record_movements
from inden.domain.errors import InsufficientStock, InvalidRequest
from inden.domain.ledger import MovementKind
from inden.services.schemas.common import MAX_ON_HAND, LineIn
from inden.services.schemas.products import StockAdjustment, StockOut
from inden.services.steps.etas import refresh_etas
from inden.services.steps.lookup import stock_views
from inden.services.steps.restock import announce_restock, shelf_before
from inden.services.steps.serving import serve_waiting


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
