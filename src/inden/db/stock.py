"""Product rows under lock, and the hash-chained stock ledger."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from inden.db.models import Product, StockMovement
from inden.domain.errors import UnknownSku
from inden.domain.ledger import GENESIS_HASH, Movement, MovementKind, movement_hash
from inden.domain.policy import BackorderPolicy, ProductRules
from inden.domain.stock import StockLevel


def lock_products(session: Session, skus: Iterable[str]) -> dict[str, Product]:
    """Load and lock the products of `skus` for the rest of the transaction.

    Concurrency: PostgreSQL row locks (`SELECT … FOR UPDATE`) are taken in SKU order, so two transactions
    touching the same SKUs queue behind each other instead of deadlocking; every read-decide-write on stock
    happens while the rows are locked, so no two orders can reserve the same unit. On SQLite the transaction
    already holds the database write lock (`BEGIN IMMEDIATE`). Raises UnknownSku for a SKU that does not exist.
    """
    wanted = sorted(set(skus))
    rows = session.scalars(
        select(Product).where(Product.sku.in_(wanted)).order_by(Product.sku).with_for_update()
    ).all()
    found = {row.sku: row for row in rows}
    for sku in wanted:
        if sku not in found:
            raise UnknownSku(sku)
    return found


def lock_product(session: Session, sku: str) -> Product:
    return lock_products(session, [sku])[sku]


def lock_products_by_id(session: Session, product_ids: Iterable[int]) -> dict[int, Product]:
    """Like `lock_products`, keyed by id; the lock order is the same (SKU order)."""
    ids = sorted(set(product_ids))
    rows = session.scalars(
        select(Product).where(Product.id.in_(ids)).order_by(Product.sku).with_for_update()
    ).all()
    return {row.id: row for row in rows}


def stock_level(product: Product) -> StockLevel:
    return StockLevel(product.on_hand, product.allocated, product.backordered)


def product_rules(product: Product) -> ProductRules:
    return ProductRules(product.sku, BackorderPolicy(product.backorder_policy), product.backorder_limit)


def record_movement(
    session: Session, product: Product, *, kind: MovementKind, delta: int, reason: str, ref: str, now: datetime
) -> StockMovement:
    """Append a movement to the SKU's ledger and apply it to `on_hand`. The product must be locked."""
    last = session.execute(
        select(StockMovement.seq, StockMovement.hash)
        .where(StockMovement.product_id == product.id)
        .order_by(StockMovement.seq.desc())
        .limit(1)
    ).first()
    seq, prev_hash = (last.seq + 1, last.hash) if last else (1, GENESIS_HASH)
    movement = Movement(product.sku, seq, kind, delta, reason, ref)
    row = StockMovement(
        product_id=product.id, seq=seq, kind=kind.value, delta=delta, reason=reason, ref=ref,
        created_at=now, prev_hash=prev_hash, hash=movement_hash(prev_hash, movement),
    )
    session.add(row)
    product.on_hand += delta
    return row
