"""Allocate one stock-in of 100,000 units to 100,000 waiting backorder lines with one service call.

Two shapes: all lines on one SKU, and the same lines spread over 1,000 SKUs (then the stock-in is one
delivery of 1,000 SKUs: one `receive_stock` call, one transaction). Baseline, same run: the time to bulk-insert the
waiting lines. Target (issue 15): allocation <= 1 s on SQLite and on PostgreSQL (issue 2's was 5 s).

    python bench/allocation.py                      # SQLite (temp file)
    python bench/allocation.py --database-url postgresql+psycopg://root@127.0.0.1:5432/inden_bench
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, text, update
from sqlalchemy.engine import make_url

from inden.db.migrate import upgrade
from inden.db.models import Order, OrderLine, Product
from inden.db.session import Database
from inden.services import audit
from inden.services.delivery import expand_outbox
from inden.services.schemas.common import LineIn
from inden.services.stock import receive_stock

TARGET_SECONDS = 1.0  # issue 15 (issue 2's target was 5 s)


def database_parser(description: str | None) -> argparse.ArgumentParser:
    """The command line the database benches share: `--database-url` for PostgreSQL, else a SQLite file."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL (database is recreated); default SQLite")
    return parser


def backend_of(url: str | None) -> str:
    return "postgresql" if url else "sqlite"


def fresh_database(url: str | None) -> Database:
    if url is None:
        path = os.path.join(tempfile.mkdtemp(), "bench.db")
        db = Database(f"sqlite:///{path}")
    else:
        target = make_url(url)
        admin = Database(target.set(database="postgres").render_as_string(hide_password=False),
                         isolation_level="AUTOCOMMIT")
        with admin.engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{target.database}"'))
        admin.dispose()
        db = Database(url)
    upgrade(db.engine)
    return db


def seed(db: Database, *, lines: int, skus: int) -> float:
    """Create `skus` products with no stock and `lines` one-unit orders waiting on them; returns seconds."""
    now = datetime.now(UTC)
    started = time.perf_counter()
    with db.transaction() as session:
        session.execute(insert(Product), [
            {"id": i + 1, "sku": f"SKU-{i:05d}", "name": f"Product {i}", "backorder_policy": "allow",
             "lead_time_days": 14, "on_hand": 0, "allocated": 0, "backordered": 0, "created_at": now,
             "updated_at": now}
            for i in range(skus)
        ])
        for start in range(0, lines, 20_000):
            batch = range(start, min(start + 20_000, lines))
            stamps = {n: now + timedelta(microseconds=n) for n in batch}
            session.execute(insert(Order), [
                {"id": n + 1, "customer_email": f"c{n}@contoh.id", "customer_locale": "id",
                 "fulfilment": "partial", "priority": 0, "status": "backordered", "created_at": stamps[n]}
                for n in batch
            ])
            session.execute(insert(OrderLine), [
                {"order_id": n + 1, "product_id": n % skus + 1, "quantity": 1, "allocated": 0, "backordered": 1,
                 "shipped": 0, "cancelled": 0, "priority": 0, "order_created_at": stamps[n]}
                for n in batch
            ])
        session.execute(update(Product).values(backordered=lines // skus))
    seconds = time.perf_counter() - started
    settle(db)
    return seconds


def settle(db: Database) -> None:
    """Bring the seeded database to the state of a shop whose orders came in over hours: on PostgreSQL vacuumed
    and analysed (as autovacuum would have), and the write-ahead log checkpointed. Otherwise the timed change
    pays for the bulk seeding (a checkpoint or an autovacuum landing in it moved a run by ±30 %)."""
    raw = db.engine.raw_connection()  # outside a transaction: VACUUM and a checkpoint cannot run in one
    try:
        cursor = raw.cursor()
        if db.engine.dialect.name == "postgresql":
            raw.driver_connection.autocommit = True  # type: ignore[union-attr]
            cursor.execute("VACUUM ANALYZE")
            cursor.execute("CHECKPOINT")
            raw.driver_connection.autocommit = False  # type: ignore[union-attr]  # back to the pool as it came
        else:  # no ANALYZE: inden never runs it on SQLite, so a shop's plans are made without statistics
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cursor.close()
    finally:
        raw.close()


def run(url: str | None, *, lines: int, skus: int) -> tuple[float, float, float]:
    db = fresh_database(url)
    seeded = seed(db, lines=lines, skus=skus)
    per_sku = lines // skus
    delivery = [LineIn(sku=f"SKU-{i:05d}", quantity=per_sku) for i in range(skus)]
    started = time.perf_counter()
    receive_stock(db, delivery, reason="bench stock-in")  # one service call, one transaction
    allocated = time.perf_counter() - started
    started = time.perf_counter()
    expand_outbox(db)  # what the worker does next, outside the stock-in: the bulk row into one row per event
    expanded = time.perf_counter() - started
    report = audit.verify(db)
    with db.transaction() as session:
        waiting = session.execute(text("SELECT COALESCE(SUM(backordered), 0) FROM order_lines")).scalar_one()
        events = session.execute(text("SELECT COUNT(*) FROM outbox")).scalar_one()
    db.dispose()
    assert report.ok, report.problems
    assert waiting == 0 and events == lines, (waiting, events)
    return seeded, allocated, expanded


def main() -> None:
    parser = database_parser(__doc__)
    parser.add_argument("--lines", type=int, default=100_000)
    args = parser.parse_args()
    backend = backend_of(args.database_url)
    for skus in (1, 1000):
        seeded, allocated, expanded = run(args.database_url, lines=args.lines, skus=skus)
        print(f"{backend:<10} {args.lines} waiting lines on {skus:>4} SKU(s): allocate {allocated:6.2f} s "
              f"(baseline insert {seeded:5.2f} s, ratio {allocated / seeded:4.2f}x); target <= {TARGET_SECONDS:g} s: "
              f"{'PASS' if allocated <= TARGET_SECONDS else 'FAIL'}; then the worker expands the events: "
              f"{expanded:5.2f} s")


if __name__ == "__main__":
    main()
