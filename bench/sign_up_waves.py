"""Back-in-stock in waves: one wave that tells 100,000 confirmed sign-ups.

100,000 confirmed sign-ups wait for one sold-out product; a stock-in of 33,334 units (× the starting factor 3 =
100,002) sends a wave that tells every one of them: the whole use case is timed (`adjust_stock`: lock, ledger,
the wave's UPDATE and its 100,000 `back_in_stock` events — one bulk outbox row from 1,000 events on — commit).
Then, also timed and printed, what the worker does next, outside the stock-in and its lock: expanding the bulk row
into 100,000 event rows (`expand_outbox`). Baseline, same run: writing 100,000 outbox rows with `db.outbox.emit`
(the plain INSERT the services use for their events). Target: the wave <= 1 s, on SQLite and on PostgreSQL.

    python bench/sign_up_waves.py
    python bench/sign_up_waves.py --database-url postgresql+psycopg://root@127.0.0.1:5432/inden_bench_waves
"""

from __future__ import annotations

import sys
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import delete, func, insert, select, update

sys.path.insert(0, str(Path(__file__).parent))
from allocation import backend_of, database_parser, fresh_database  # noqa: E402  (bench scripts share the seeding)

from inden.clock import utcnow  # noqa: E402
from inden.db.models import OutboxEvent, Product, Subscription  # noqa: E402
from inden.db.outbox import Event, emit  # noqa: E402
from inden.db.session import Database  # noqa: E402
from inden.services.delivery import expand_outbox  # noqa: E402
from inden.services.products import create_product  # noqa: E402
from inden.services.schemas.products import ProductCreate, StockAdjustment  # noqa: E402
from inden.services.stock import adjust_stock  # noqa: E402

SIGN_UPS = 100_000
UNITS = 33_334


def seed(db: Database) -> None:
    now = utcnow()
    create_product(db, ProductCreate(sku="VIRAL", name="Tas Viral", price="199000"), now=now)
    with db.transaction() as session:
        product_id = session.scalar(select(Product.id))
        session.execute(insert(Subscription), [
            {"product_id": product_id, "email": f"pembeli{n}@contoh.id", "locale": "id", "status": "pending",
             "created_at": now - timedelta(days=2), "confirmed_at": now - timedelta(seconds=n)}
            for n in range(SIGN_UPS)])
    with db.transaction() as session:  # then they confirm: each row was changed once, as in a shop, before the wave
        session.execute(update(Subscription).values(status="confirmed"))


def baseline(db: Database) -> float:
    """Seconds to write SIGN_UPS outbox rows of the same shape with `emit`, then delete them again."""
    now = utcnow()
    events = [Event("back_in_stock", f"baseline:{n}", {
        "subscription_id": n, "email": f"pembeli{n}@contoh.id", "locale": "id", "sku": "VIRAL",
        "product_name": "Tas Viral", "price": "199000.00", "limited": True}) for n in range(SIGN_UPS)]
    started = time.perf_counter()
    with db.transaction() as session:
        emit(session, events, now=now)
    elapsed = time.perf_counter() - started
    with db.transaction() as session:
        session.execute(delete(OutboxEvent))
    return elapsed


def main() -> None:
    args = database_parser(__doc__).parse_args()
    backend = backend_of(args.database_url)
    db = fresh_database(args.database_url)
    seed(db)
    base = baseline(db)
    started = time.perf_counter()
    adjust_stock(db, "VIRAL", StockAdjustment(delta=UNITS, reason="restok"))
    wave = time.perf_counter() - started
    started = time.perf_counter()
    expanded = expand_outbox(db)
    expansion = time.perf_counter() - started
    with db.transaction() as session:
        events = session.scalar(select(func.count()).select_from(OutboxEvent)
                                .where(OutboxEvent.event_type == "back_in_stock"))
        told = session.scalar(select(func.count()).select_from(Subscription).where(Subscription.status == "notified"))
    db.dispose()
    assert events == told == expanded == SIGN_UPS, (events, told, expanded)
    print(f"{backend:<10} baseline: {SIGN_UPS:,} outbox rows written with emit(): {base:5.2f} s")
    print(f"{backend:<10} a wave telling {told:,} sign-ups ({events:,} events, whole stock-in): {wave:5.2f} s "
          f"({wave / base:.2f}x baseline); target <= 1 s: {'PASS' if wave <= 1 else 'FAIL'}")
    print(f"{backend:<10} then the worker expands its bulk row into {expanded:,} outbox rows (no product lock): "
          f"{expansion:5.2f} s ({expansion / base:.2f}x baseline)")


if __name__ == "__main__":
    main()
