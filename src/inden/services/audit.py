"""`inden audit verify`: the ledger's hash chains and invariants 1–4 of ARCHITECTURE.md over the whole database."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Date, func, select, text
from sqlalchemy.orm import Session

from inden.clock import shop_date, utcnow
from inden.db.models import OrderLine, Product, StockMovement
from inden.db.session import Database, settings_of
from inden.domain.ledger import GENESIS_HASH, Movement, MovementKind, movement_hash
from inden.domain.policy import is_released


@dataclass
class AuditReport:
    products: int = 0
    movements: int = 0
    lines: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(db: Database) -> AuditReport:
    """Check every invariant that the stored data can show; returns a report listing each drift found."""
    report = AuditReport()
    with db.transaction() as session:
        _check_stock(session, report)
        _check_lines(session, report)
        _check_ledger(session, report)
        _check_queue_served(session, report)
    return report


def _check_stock(session: Session, report: AuditReport) -> None:
    """Invariant 1 (0 <= allocated <= on_hand) and the product counters against the lines."""
    sums = {
        row.product_id: row
        for row in session.execute(
            select(
                OrderLine.product_id,
                func.coalesce(func.sum(OrderLine.allocated), 0).label("allocated"),
                func.coalesce(func.sum(OrderLine.backordered), 0).label("backordered"),
            ).group_by(OrderLine.product_id)
        )
    }
    for product in session.scalars(select(Product).order_by(Product.sku)):
        report.products += 1
        if not 0 <= product.allocated <= product.on_hand:
            report.problems.append(
                f"{product.sku}: allocated {product.allocated} is outside 0..on_hand {product.on_hand} (oversell)"
            )
        row = sums.get(product.id)
        allocated, backordered = (int(row.allocated), int(row.backordered)) if row else (0, 0)
        if allocated != product.allocated:
            report.problems.append(f"{product.sku}: product allocated {product.allocated} != lines' {allocated}")
        if backordered != product.backordered:
            report.problems.append(
                f"{product.sku}: product backordered {product.backordered} != lines' {backordered}"
            )


def _check_lines(session: Session, report: AuditReport) -> None:
    """Invariant 3: every ordered unit is exactly one of allocated, backordered, shipped, cancelled."""
    report.lines = session.scalar(select(func.count()).select_from(OrderLine)) or 0
    bad = session.execute(
        select(OrderLine.id, OrderLine.order_id).where(
            (OrderLine.quantity != OrderLine.allocated + OrderLine.backordered + OrderLine.shipped
             + OrderLine.cancelled)
            | (OrderLine.allocated < 0) | (OrderLine.backordered < 0) | (OrderLine.shipped < 0)
            | (OrderLine.cancelled < 0)
        )
    ).all()
    for line_id, order_id in bad:
        report.problems.append(f"order {order_id} line {line_id}: units do not add up to the quantity")


def _check_ledger(session: Session, report: AuditReport) -> None:
    """Invariant 2: on_hand equals the sum of the ledger, and each SKU's hash chain is unbroken."""
    products = {p.id: p for p in session.scalars(select(Product))}
    totals: dict[int, int] = {}
    previous: dict[int, tuple[int, str]] = {}
    rows = session.execute(select(StockMovement).order_by(StockMovement.product_id, StockMovement.seq)).scalars()
    for row in rows:
        report.movements += 1
        product = products[row.product_id]
        seq, prev_hash = previous.get(row.product_id, (0, GENESIS_HASH))
        where = f"{product.sku} movement {row.seq}"
        if row.seq != seq + 1:
            report.problems.append(f"{where}: sequence jumps from {seq}")
        if row.prev_hash != prev_hash:
            report.problems.append(f"{where}: does not link to the previous movement's hash")
        try:
            kind = MovementKind(row.kind)
        except ValueError:
            report.problems.append(f"{where}: unknown kind {row.kind!r}")
            continue
        expected = movement_hash(row.prev_hash, Movement(product.sku, row.seq, kind, row.delta, row.reason, row.ref))
        if row.hash != expected:
            report.problems.append(f"{where}: hash does not match its contents (the row was changed)")
        previous[row.product_id] = (row.seq, row.hash)
        totals[row.product_id] = totals.get(row.product_id, 0) + row.delta
    for product in products.values():
        if totals.get(product.id, 0) != product.on_hand:
            report.problems.append(
                f"{product.sku}: on_hand {product.on_hand} != ledger total {totals.get(product.id, 0)}"
            )


def _check_queue_served(session: Session, report: AuditReport) -> None:
    """Invariant 4, as far as the state shows it: no units sit available while customers wait for them."""
    today = shop_date(utcnow(), settings_of(session).timezone)
    rows = session.execute(
        text("SELECT sku, on_hand - allocated AS available, backordered, backorder_policy, release_at FROM products "
             "WHERE backordered > 0 AND on_hand > allocated ORDER BY sku")
        .columns(release_at=Date)
    ).all()
    for sku, available, backordered, policy, release_at in rows:
        if not is_released(policy, release_at, today):
            continue  # a pre-order's stock is held for its launch
        report.problems.append(f"{sku}: {available} unit(s) available while {backordered} wait on backorder")
