"""Product rows under lock, and the hash-chained stock ledger."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from inden.db.models import Product, StockMovement, table_of
from inden.domain.errors import UnknownSku
from inden.domain.ledger import GENESIS_HASH, Movement, MovementKind, movement_hash
from inden.domain.policy import BackorderPolicy, LimitBasis, ProductRules
from inden.domain.stock import StockLevel


def lock_products(session: Session, skus: Iterable[str]) -> dict[str, Product]:
    """Load and lock the products of `skus` for the rest of the transaction.

    Concurrency: PostgreSQL row locks (`SELECT … FOR UPDATE`) are taken in SKU order, so two transactions
    touching the same SKUs queue behind each other instead of deadlocking; every read-decide-write on stock
    happens while the rows are locked, so no two orders can reserve the same unit. On SQLite the transaction
    already holds the database write lock (`BEGIN IMMEDIATE`). Raises UnknownSku for a SKU that does not exist.
    """
    wanted = sorted(set(skus))
    found = lock_known_products(session, wanted)
    for sku in wanted:
        if sku not in found:
            raise UnknownSku(sku)
    return found


def lock_known_products(session: Session, skus: Iterable[str]) -> dict[str, Product]:
    """Like `lock_products`, but a SKU that does not exist is left out instead of raising UnknownSku."""
    rows = session.scalars(
        select(Product).where(Product.sku.in_(sorted(set(skus)))).order_by(Product.sku).with_for_update()
    ).all()
    return {row.sku: row for row in rows}


def lock_products_by_id(session: Session, product_ids: Iterable[int]) -> dict[int, Product]:
    """Like `lock_products`, keyed by id; the lock order is the same (SKU order)."""
    ids = sorted(set(product_ids))
    rows = session.scalars(
        select(Product).where(Product.id.in_(ids)).order_by(Product.sku).with_for_update()
    ).all()
    return {row.id: row for row in rows}


def stock_level(product: Product, *, incoming: int = 0) -> StockLevel:
    return StockLevel(product.on_hand, product.allocated, product.backordered, incoming)


def product_rules(product: Product, *, released: bool = True) -> ProductRules:
    return ProductRules(
        product.sku, BackorderPolicy(product.backorder_policy), product.backorder_limit,
        LimitBasis(product.backorder_limit_basis), released, product.max_per_customer,
    )


def record_movements(
    session: Session, changes: list[tuple[Product, int]], *, kind: MovementKind, reason: str, ref: str,
    now: datetime,
) -> None:
    """Append one movement per (product, delta) to the SKUs' ledgers and apply them to `on_hand`.

    The products must be locked: the lock is what makes each SKU's (seq, prev_hash) chain linear.
    """
    settings = session.info.get("settings")  # the Database's (db.session.settings_of), when it opened the session
    key: str | None = settings.ledger_key if settings is not None else None
    ids = [product.id for product, _ in changes]
    latest = select(StockMovement.product_id, func.max(StockMovement.seq).label("seq")).where(
        StockMovement.product_id.in_(ids)
    ).group_by(StockMovement.product_id).subquery()
    heads = {
        row.product_id: (row.seq, row.hash)
        for row in session.execute(
            select(StockMovement.product_id, StockMovement.seq, StockMovement.hash).join(
                latest, (latest.c.product_id == StockMovement.product_id) & (latest.c.seq == StockMovement.seq)
            )
        )
    }
    rows = []
    for product, delta in changes:
        last_seq, prev_hash = heads.get(product.id, (0, GENESIS_HASH))
        movement = Movement(product.sku, last_seq + 1, kind, delta, reason, ref)
        rows.append({
            "product_id": product.id, "seq": movement.seq, "kind": kind.value, "delta": delta, "reason": reason,
            "ref": ref, "created_at": now, "prev_hash": prev_hash,
            "hash": movement_hash(prev_hash, movement, key=key),
        })
        product.on_hand += delta
    if rows:
        session.execute(insert(table_of(StockMovement)), rows)
