"""Re-computing backorder ETAs when supply moves.

100,000 waiting one-unit lines over 1,000 SKUs; 3 suppliers, each with 10 open purchase orders of 100 SKUs,
so every SKU has 3 open PO lines (days 7, 14 and 21). Timed: moving one PO's date (re-pegs 100 SKUs), and
moving all POs of the earliest supplier by 10 days (re-pegs every SKU; ~80,000 ETAs change and as many
`eta_changed` events are written). Baseline, same run: `SELECT count(*)` over the waiting queue.
Target (issue 15): <= 0.5 s for the supplier-wide change, on SQLite and on PostgreSQL (issue 3's was 2 s).

    python bench/eta.py
    python bench/eta.py --database-url postgresql+psycopg://root@127.0.0.1:5432/inden_bench_eta
"""

from __future__ import annotations

import sys
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert, select, text

sys.path.insert(0, str(Path(__file__).parent))
from allocation import backend_of, database_parser, fresh_database, seed  # noqa: E402  (bench scripts share the seeding)

from inden.clock import shop_date, utcnow  # noqa: E402
from inden.config import get_settings  # noqa: E402
from inden.db.models import Product, PurchaseOrder, PurchaseOrderLine, Supplier  # noqa: E402
from inden.db.session import Database  # noqa: E402
from inden.services.delivery import expand_outbox  # noqa: E402
from inden.services.schemas.supply import PurchaseOrderPatch
from inden.services.steps.etas import refresh_etas  # noqa: E402
from inden.services.supply import move_purchase_order, move_supplier_purchase_orders  # noqa: E402

SKUS, LINES, SUPPLIERS, POS_PER_SUPPLIER = 1000, 100_000, 3, 10
TARGET_SECONDS = 0.5  # issue 15 (issue 3's target was 2 s)


def add_supply(db: Database) -> None:
    now = utcnow()
    today = shop_date(now, get_settings().timezone)
    per_po = SKUS // POS_PER_SUPPLIER
    with db.transaction() as session:
        session.execute(insert(Supplier), [
            {"id": s + 1, "code": f"SUP-{s}", "name": f"Supplier {s}", "lead_time_days": 30, "created_at": now}
            for s in range(SUPPLIERS)
        ])
        po_rows, line_rows = [], []
        for s in range(SUPPLIERS):
            for k in range(POS_PER_SUPPLIER):
                po_id = s * POS_PER_SUPPLIER + k + 1
                po_rows.append({"id": po_id, "supplier_id": s + 1, "status": "open",
                                "expected_at": today + timedelta(days=7 * (s + 1)), "created_at": now,
                                "updated_at": now})
                line_rows += [{"purchase_order_id": po_id, "product_id": k * per_po + i + 1, "quantity": 40,
                               "received": 0} for i in range(per_po)]
        session.execute(insert(PurchaseOrder), po_rows)
        session.execute(insert(PurchaseOrderLine), line_rows)
        products = list(session.scalars(select(Product)))
        refresh_etas(session, products, now=now)  # the promises as they stand before anything moves


def timed(action) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def main() -> None:
    parser = database_parser(__doc__)
    args = parser.parse_args()
    backend = backend_of(args.database_url)
    db = fresh_database(args.database_url)
    seed(db, lines=LINES, skus=SKUS)
    add_supply(db)

    def count() -> None:
        with db.transaction() as session:
            session.execute(text("SELECT count(*) FROM order_lines WHERE backordered > 0")).scalar_one()

    baseline = timed(count)
    today = shop_date(utcnow(), get_settings().timezone)
    one = timed(lambda: move_purchase_order(db, 1, PurchaseOrderPatch(expected_at=today + timedelta(days=9))))
    changed: list[int] = []
    wide = timed(lambda: changed.append(move_supplier_purchase_orders(db, "SUP-0", days=10)))
    expansion = timed(lambda: expand_outbox(db))  # the worker, next: both moves' bulk rows into their events
    with db.transaction() as session:
        events = session.execute(text("SELECT count(*) FROM outbox WHERE event_type = 'eta_changed'")).scalar_one()
    db.dispose()
    print(f"{backend:<10} baseline SELECT count(*) over {LINES} waiting lines: {baseline * 1000:6.1f} ms")
    print(f"{backend:<10} move one PO (100 SKUs, {LINES // 10} lines re-pegged): {one:5.2f} s "
          f"({one / baseline:,.0f}x baseline)")
    print(f"{backend:<10} move all POs of a supplier ({SKUS} SKUs, {changed[0]} ETAs changed, {events} events "
          f"in all): {wide:5.2f} s ({wide / baseline:,.0f}x baseline); target <= {TARGET_SECONDS:g} s: "
          f"{'PASS' if wide <= TARGET_SECONDS else 'FAIL'}")
    print(f"{backend:<10} then the worker expands both moves' events into outbox rows (no product lock): "
          f"{expansion:5.2f} s")


if __name__ == "__main__":
    main()
