"""`inden audit verify`: the ledger's hash chains and invariants 1–4 of ARCHITECTURE.md over the whole database.

With INDEN_LEDGER_KEY set, every movement must carry an HMAC under that key or one of INDEN_LEDGER_OLD_KEYS (a
plain SHA-256 chain, which anyone can recompute, is then a problem); `rekey` re-signs the whole ledger under
the current key once its chains check out (after setting a key for the first time, or to finish a rotation).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Date, func, select, text
from sqlalchemy.orm import Session

from inden.clock import shop_date, utcnow
from inden.db.models import OrderLine, OutboxEvent, Product, StockMovement
from inden.db.outbox import Event, emit
from inden.db.session import Database, settings_of
from inden.domain.errors import InvalidRequest
from inden.domain.event_types import EventType
from inden.domain.ledger import GENESIS_HASH, Movement, MovementKind, key_that_signed, movement_hash
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
    settings = settings_of(session)
    keys = [k for k in [settings.ledger_key, *settings.ledger_old_keys] if k]
    unsigned = 0
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
        movement = Movement(product.sku, row.seq, kind, row.delta, row.reason, row.ref)
        if keys:
            signer = key_that_signed(row.prev_hash, movement, row.hash, keys)
            if signer is not None:
                keys.remove(signer)
                keys.insert(0, signer)  # the next row was most likely signed by the same key
            elif row.hash == movement_hash(row.prev_hash, movement):
                unsigned += 1
            else:
                report.problems.append(f"{where}: hash does not match its contents under the ledger key "
                                       "(the row was changed, or signed with a key this shop does not hold)")
        elif row.hash != movement_hash(row.prev_hash, movement):
            report.problems.append(f"{where}: hash does not match its contents (the row was changed)")
        previous[row.product_id] = (row.seq, row.hash)
        totals[row.product_id] = totals.get(row.product_id, 0) + row.delta
    if unsigned:
        report.problems.append(f"{unsigned} ledger movement(s) are not signed with the ledger key: anyone could have "
                               "written them (after setting INDEN_LEDGER_KEY, run `inden audit rekey` once)")
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


def rekey(db: Database) -> int:
    """Re-sign every ledger movement with the current INDEN_LEDGER_KEY, after checking each chain as it stands
    (each row linked to the one before, its hash a plain SHA-256 or an HMAC under a known key); returns how
    many movements were signed. Raises InvalidRequest when no key is set or when a chain does not check out
    (nothing is changed then). The products are locked meanwhile, so no movement is appended half-way."""
    key = db.settings.ledger_key
    if not key:
        raise InvalidRequest("Set INDEN_LEDGER_KEY before re-signing the ledger.")
    known = [key, *db.settings.ledger_old_keys]
    with db.transaction() as session:
        skus = {p.id: p.sku for p in session.scalars(select(Product).order_by(Product.id).with_for_update())}
        rows = list(session.execute(select(StockMovement).order_by(StockMovement.product_id, StockMovement.seq)
                                    ).scalars())
        previous: dict[int, str] = {}
        broken = []
        for row in rows:
            movement = Movement(skus[row.product_id], row.seq, MovementKind(row.kind), row.delta, row.reason, row.ref)
            linked = row.prev_hash == previous.get(row.product_id, GENESIS_HASH)
            if not linked or (row.hash != movement_hash(row.prev_hash, movement)
                              and key_that_signed(row.prev_hash, movement, row.hash, known) is None):
                broken.append(f"{movement.sku} movement {row.seq}")
            previous[row.product_id] = row.hash
        if broken:
            raise InvalidRequest("The ledger does not check out; nothing was re-signed: " + ", ".join(broken[:5]),
                                 movements=broken[:20])
        previous.clear()
        for row in rows:
            prev_hash = previous.get(row.product_id, GENESIS_HASH)
            movement = Movement(skus[row.product_id], row.seq, MovementKind(row.kind), row.delta, row.reason, row.ref)
            row.prev_hash, row.hash = prev_hash, movement_hash(prev_hash, movement, key=key)
            previous[row.product_id] = row.hash
        return len(rows)


def alert_on_drift(db: Database, report: AuditReport, *, now: datetime) -> None:
    """Write an `audit.failed` alert for the seller (emailed to INDEN_SELLER_EMAIL, posted to webhooks): once per
    shop day and set of problems, however often the hourly audit finds the same drift."""
    problems = sorted(report.problems)
    digest = hashlib.sha256("\n".join(problems).encode()).hexdigest()[:16]
    day = shop_date(now, db.settings.timezone)
    key = f"audit.failed:{day.isoformat()}:{digest}"
    with db.transaction() as session:
        if session.scalar(select(OutboxEvent.id).where(OutboxEvent.dedup_key == key)) is not None:
            return  # already told today
        emit(session, [Event(EventType.AUDIT_FAILED, key, {
            "problems": problems[:20], "problem_count": len(problems), "products": report.products,
            "movements": report.movements, "checked_at": now.isoformat()})], now=now)
