"""What each back-office page costs on a big shop: every read model the pages call, p95 server time.

The shop: 10,000 products (names like a cosmetics shop's, some in stock, a few pre-orders), 100,000 waiting
order lines on 3,000 of them (skewed: the hottest SKU has ~5,000 waiting), 50,000 orders already served,
20 suppliers with 15,000 offers, 2,000 purchase orders (1,500 open, some late, some due today) with 10,000
lines, every queue's ETAs pegged, 3,000 pending suggestions, the stored forecast of every SKU (28 days;
written by `services.forecasts.store_forecasts`, timed), 5,000 restock sign-ups, 20,000 stock adjustments,
and 2 years of daily sales history for every product (7.3 million rows).

Timed (in-process, the service call a page makes, so server time without HTTP): each read model `--calls`
times with varied arguments, p50 and p95. Baseline, same run: `services.products.get_product` (the API's
single product read). Target: every page <= 150 ms p95 (docs/benchmarks.md). The CSV downloads are timed
apart (rows/s), with the process's peak memory before and after (a stream's memory stays flat).

    python bench/back_office.py
    python bench/back_office.py --database-url postgresql+psycopg://root@127.0.0.1:5432/inden_bench_bo
"""

from __future__ import annotations

import random
import resource
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import insert, select, text

sys.path.insert(0, str(Path(__file__).parent))
from allocation import backend_of, database_parser, fresh_database  # noqa: E402  (bench scripts share the seeding)

from inden.clock import shop_date  # noqa: E402
from inden.config import get_settings  # noqa: E402
from inden.db.models import (  # noqa: E402
    Order,
    OrderLine,
    Product,
    PurchaseOrder,
    PurchaseOrderLine,
    ReplenishmentSuggestion,
    StockMovement,
    Subscription,
    Supplier,
    SupplierOffer,
)
from inden.db.session import Database  # noqa: E402
from inden.services.back_office import catalogue, charts, downloads, orders, plan, purchasing, today  # noqa: E402
from inden.services.back_office.catalogue import ProductFilter, ProductQuery  # noqa: E402
from inden.services.back_office.orders import OrderQuery  # noqa: E402
from inden.services.back_office.paging import Paging  # noqa: E402
from inden.services.back_office.purchasing import PurchaseOrderFilter, PurchaseOrderQuery  # noqa: E402
from inden.services.forecasts import STORED_DAYS, store_forecasts  # noqa: E402
from inden.services.products import get_product  # noqa: E402
from inden.services.steps.etas import refresh_etas  # noqa: E402

PRODUCTS, WAITING_SKUS, WAITING_LINES, SERVED_ORDERS = 10_000, 3_000, 100_000, 50_000
SUPPLIERS, POS, LINES_PER_PO, SUGGESTIONS, SIGNUPS, ADJUSTMENTS = 20, 2_000, 5, 3_000, 5_000, 20_000
HISTORY_DAYS = 730
TARGET_MS = 150.0
WORDS = ["Serum", "Toner", "Masker", "Lip Tint", "Sunscreen", "Cushion", "Essence", "Cleanser", "Krim", "Sabun"]
NOW = datetime.now(UTC)
TODAY = shop_date(NOW, get_settings().timezone)


def _scale(factor: float) -> None:
    global PRODUCTS, WAITING_SKUS, WAITING_LINES, SERVED_ORDERS, POS, SUGGESTIONS, SIGNUPS, ADJUSTMENTS, HISTORY_DAYS
    PRODUCTS, WAITING_SKUS = int(PRODUCTS * factor), int(WAITING_SKUS * factor)
    WAITING_LINES, SERVED_ORDERS = int(WAITING_LINES * factor), int(SERVED_ORDERS * factor)
    POS, SUGGESTIONS, SIGNUPS = int(POS * factor), int(SUGGESTIONS * factor), int(SIGNUPS * factor)
    ADJUSTMENTS, HISTORY_DAYS = int(ADJUSTMENTS * factor), max(int(HISTORY_DAYS * factor), 100)


def sku(i: int) -> str:
    return f"SKU-{i:05d}"


def _products(session: Any, rng: random.Random) -> None:
    rows = []
    for i in range(PRODUCTS):
        on_hand = 0 if i < WAITING_SKUS else rng.choice((0, 3, 12, 40, 200))
        policy = "preorder" if i % 97 == 0 else ("deny" if i % 13 == 0 else "allow")
        rows.append({"id": i + 1, "sku": sku(i), "name": f"{WORDS[i % len(WORDS)]} {i} Glow {i % 37}",
                     "backorder_policy": policy, "lead_time_days": 14, "on_hand": on_hand, "allocated": 0,
                     "backordered": 0, "price": 25_000 + 1_000 * (i % 90), "best_seller": i % 50 == 0,
                     "max_per_customer": 2 if i % 211 == 0 else None, "below_reorder_point": i % 17 == 0,
                     "created_at": NOW - timedelta(days=800), "updated_at": NOW})
    session.execute(insert(Product), rows)


def _orders(session: Any, rng: random.Random) -> None:
    # Waiting lines on the first WAITING_SKUS products, skewed (a few hot SKUs hold most of the queue).
    weights = np.array([1 / (k + 1) ** 0.8 for k in range(WAITING_SKUS)])
    products = np.random.default_rng(7).choice(WAITING_SKUS, size=WAITING_LINES, p=weights / weights.sum()) + 1
    start = NOW - timedelta(days=60)
    for first in range(0, WAITING_LINES + SERVED_ORDERS, 20_000):
        batch = range(first, min(first + 20_000, WAITING_LINES + SERVED_ORDERS))
        stamps = {n: start + timedelta(seconds=50 * n) for n in batch}
        waiting = {n: n < WAITING_LINES for n in batch}
        session.execute(insert(Order), [
            {"id": n + 1, "customer_email": f"pelanggan{n % 40_000}@contoh.id", "customer_name": f"Pelanggan {n}",
             "customer_locale": "id", "fulfilment": "partial", "priority": 0,
             "status": "backordered" if waiting[n] else "shipped", "created_at": stamps[n]}
            for n in batch])
        session.execute(insert(OrderLine), [
            {"order_id": n + 1,
             "product_id": int(products[n]) if waiting[n] else WAITING_SKUS + n % (PRODUCTS - WAITING_SKUS) + 1,
             "quantity": (units := 1 + n % 3), "allocated": 0, "backordered": units if waiting[n] else 0,
             "shipped": 0 if waiting[n] else units, "cancelled": 0, "backordered_at_order": units if waiting[n] else 0,
             "priority": 0, "order_created_at": stamps[n]}
            for n in batch])
    session.execute(text("UPDATE products SET backordered = COALESCE((SELECT SUM(backordered) FROM order_lines l "
                         "WHERE l.product_id = products.id AND l.backordered > 0), 0)"))


def _supply(session: Any, rng: random.Random) -> None:
    session.execute(insert(Supplier), [
        {"id": s + 1, "code": f"SUP-{s:02d}", "name": f"PT Pemasok {s}", "lead_time_days": 7 + s,
         "created_at": NOW} for s in range(SUPPLIERS)])
    session.execute(insert(SupplierOffer), [
        {"supplier_id": (i + k * 7) % SUPPLIERS + 1, "product_id": i + 1, "min_order_quantity": 6, "pack_size": 6,
         "unit_cost": 12_000, "currency": "IDR"}
        for i in range(PRODUCTS) for k in range(1 + (i % 2)) if k == 0 or i < PRODUCTS // 2])
    po_rows, line_rows, open_pos = [], [], POS * 3 // 4
    for p in range(POS):
        status = "open" if p < open_pos else ("received" if p < POS * 19 // 20 else "draft")
        expected = TODAY + timedelta(days=(p % 40) - 5)  # some late, some due today
        po_rows.append({"id": p + 1, "supplier_id": p % SUPPLIERS + 1, "status": status, "expected_at": expected,
                        "created_at": NOW - timedelta(days=30), "updated_at": NOW})
        line_rows += [{"purchase_order_id": p + 1, "product_id": (p * LINES_PER_PO + k) % WAITING_SKUS + 1
                       if p < open_pos else (p * LINES_PER_PO + k) % PRODUCTS + 1, "quantity": 20 + 10 * k,
                       "received": 20 + 10 * k if status == "received" else 0, "unit_cost": 12_000}
                      for k in range(LINES_PER_PO)]
    session.execute(insert(PurchaseOrder), po_rows)
    session.execute(insert(PurchaseOrderLine), line_rows)


def _planning(session: Any, rng: random.Random) -> None:
    session.execute(insert(ReplenishmentSuggestion), [
        {"product_id": i * 3 + 1, "supplier_id": (i * 3) % SUPPLIERS + 1, "status": "pending", "quantity": 36,
         "unit_cost": 12_000, "need_by": TODAY + timedelta(days=i % 20), "expected_at": TODAY + timedelta(days=14),
         "expedite": i % 9 == 0, "reason": "inventory position at or below the reorder point",
         "figures": {"on_hand": 0, "allocated": 0, "backordered": i % 30, "incoming": 0, "inventory_position": -3,
                     "demand_per_day": 1.5, "lead_time_days": 14.0, "forecast_lead_time": 21.0,
                     "safety_stock": 8.0, "reorder_point": 29.0, "service_level": 0.95, "risk": (i % 100) / 100,
                     "days_of_cover": 0.0, "events": []},
         "created_at": NOW} for i in range(SUGGESTIONS)])
    session.execute(insert(Subscription), [
        {"product_id": i % WAITING_SKUS + 1, "email": f"fans{i}@contoh.id", "locale": "id",
         "status": "confirmed" if i % 3 else "pending", "created_at": NOW}
        for i in range(SIGNUPS)])
    session.execute(insert(StockMovement), [
        {"product_id": i % PRODUCTS + 1, "seq": i // PRODUCTS + 1, "kind": "adjustment", "delta": 5,
         "reason": "stock opname", "ref": f"bench:{i}", "created_at": NOW, "prev_hash": "0" * 64, "hash": "0" * 64}
        for i in range(ADJUSTMENTS)])


def _history(db: Database) -> None:
    """2 years of daily sales for every product, by COPY on PostgreSQL, executemany on SQLite."""
    days = [TODAY - timedelta(days=d) for d in range(HISTORY_DAYS, 0, -1)]

    def rows() -> Iterator[tuple[int, date, int]]:
        for product_id in range(1, PRODUCTS + 1):
            for n, day in enumerate(days):
                yield product_id, day, (product_id + n) % 5

    with db.engine.begin() as connection:
        raw: Any = connection.connection.driver_connection
        if db.is_sqlite:
            raw.executemany("INSERT INTO sales_history (product_id, day, quantity, imported_at) VALUES (?, ?, ?, ?)",
                            ((p, d.isoformat(), q, NOW.isoformat()) for p, d, q in rows()))
        else:
            with raw.cursor() as cursor, cursor.copy(
                    "COPY sales_history (product_id, day, quantity, imported_at) FROM STDIN") as copy:
                for p, d, q in rows():
                    copy.write_row((p, d, q, NOW))


def _forecasts(db: Database) -> float:
    """Store a forecast for every SKU through the plan run's own writer; returns its seconds."""
    ids = {sku(i): i + 1 for i in range(PRODUCTS)}
    means = np.tile(np.linspace(1.0, 3.0, STORED_DAYS), PRODUCTS)
    paths = pd.DataFrame({
        "unique_id": np.repeat(list(ids), STORED_DAYS),
        "ds": np.tile(pd.date_range(pd.Timestamp(TODAY), periods=STORED_DAYS), PRODUCTS),
        "mean": means, "lo_80": means * 0.6, "hi_80": means * 1.5, "lo_95": means * 0.4, "hi_95": means * 1.9})
    started = time.perf_counter()
    store_forecasts(db, paths, ids, now=NOW)
    return time.perf_counter() - started


def seed(db: Database) -> tuple[float, float]:
    rng = random.Random(7)
    started = time.perf_counter()
    with db.transaction() as session:
        _products(session, rng)
        _orders(session, rng)
        _supply(session, rng)
        _planning(session, rng)
    _history(db)
    with db.transaction() as session:  # every queue's promises, as the shop keeps them
        refresh_etas(session, list(session.scalars(select(Product).where(Product.backordered > 0))), now=NOW)
    forecasts = _forecasts(db)
    if not db.is_sqlite:
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
    else:
        with db.engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")
    return time.perf_counter() - started, forecasts


def measure(call: Callable[[int], object], calls: int) -> tuple[float, float]:
    """(p50, p95) in ms of `call(n)` for n in 0..calls-1, after two warm-up calls."""
    call(0)
    call(1)
    times = []
    for n in range(calls):
        started = time.perf_counter()
        call(n)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[min(int(0.95 * len(times)), len(times) - 1)]


def pages(db: Database) -> dict[str, Callable[[int], object]]:
    def product_query(**kwargs: Any) -> Callable[[int], object]:
        return lambda n: catalogue.list_products(db, ProductQuery(**kwargs), now=NOW)

    hot, searches = sku(0), ["serum", "TONER", "glow 3", "sku-0042", "krim", "cushion 77"]
    return {
        "today (Hari ini)": lambda n: today.today_view(db, now=NOW),
        "products: first page": product_query(),
        "products: search": lambda n: catalogue.list_products(
            db, ProductQuery(search=searches[n % len(searches)]), now=NOW),
        "products: at risk": product_query(filters=frozenset({ProductFilter.AT_RISK})),
        "products: waiting, no PO": product_query(filters=frozenset({ProductFilter.UNSCHEDULED})),
        "products: out of stock": product_query(filters=frozenset({ProductFilter.OUT_OF_STOCK})),
        "products: sign-ups": product_query(filters=frozenset({ProductFilter.SIGNUPS})),
        "products: page 180": product_query(paging=Paging(limit=50, offset=9_000)),
        "product page (hottest SKU)": lambda n: catalogue.product_detail(db, hot, now=NOW),
        "product page (queue p.40)": lambda n: catalogue.product_detail(
            db, hot, queue=Paging(limit=50, offset=2_000), now=NOW),
        "product page (random SKU)": lambda n: catalogue.product_detail(db, sku(n * 37 % PRODUCTS), now=NOW),
        "product chart": lambda n: charts.product_chart(db, sku(n * 37 % PRODUCTS), now=NOW),
        "orders: first page": lambda n: orders.list_orders(db, OrderQuery()),
        "orders: by email": lambda n: orders.list_orders(db, OrderQuery(search=f"Pelanggan{n * 101}@contoh.id")),
        "orders: part of a name": lambda n: orders.list_orders(db, OrderQuery(search=f"pelanggan {n * 101}")),
        "orders: by SKU": lambda n: orders.list_orders(db, OrderQuery(search=sku(n * 7 % WAITING_SKUS).lower())),
        "orders: by number": lambda n: orders.list_orders(db, OrderQuery(search=str(n * 997 + 1))),
        "orders: waiting": lambda n: orders.list_orders(db, OrderQuery(waiting=True)),
        "order page": lambda n: orders.order_detail(db, n * 997 % WAITING_LINES + 1),
        "purchase orders: first page": lambda n: purchasing.list_purchase_orders(db, now=NOW),
        "purchase orders: late": lambda n: purchasing.list_purchase_orders(
            db, PurchaseOrderQuery(filter=PurchaseOrderFilter.LATE), now=NOW),
        "purchase order page": lambda n: purchasing.purchase_order_detail(db, n * 7 % (POS * 3 // 4) + 1, now=NOW),
        "suppliers": lambda n: purchasing.list_suppliers(db),
        "plan: suggestions": lambda n: plan.pending_suggestions(db, locale="id"),
        "move PO: preview": lambda n: purchasing.preview_move(
            db, n * 7 % (POS * 3 // 4) + 1, TODAY + timedelta(days=30), now=NOW),
    }


def download(stream: Iterator[str]) -> tuple[int, float, int]:
    """(rows, seconds, KiB the peak RSS grew by) for reading a whole CSV stream."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    lines = sum(chunk.count("\n") for chunk in stream) - 1
    return lines, time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak


def main() -> None:
    parser = database_parser(__doc__)
    parser.add_argument("--calls", type=int, default=40, help="timed calls per page")
    parser.add_argument("--scale", type=float, default=1.0, help="shrink the shop (e.g. 0.05 for a smoke run)")
    args = parser.parse_args()
    _scale(args.scale)
    backend = backend_of(args.database_url)
    db = fresh_database(args.database_url)
    seeded, forecasts = seed(db)
    print(f"{backend:<10} seeded in {seeded:.0f} s; stored {PRODUCTS * STORED_DAYS:,} forecast days in "
          f"{forecasts:.2f} s")
    _, baseline = measure(lambda n: get_product(db, sku(n * 37 % PRODUCTS)), args.calls)
    print(f"{backend:<10} baseline product read (get_product): p95 {baseline:6.2f} ms")
    worst = 0.0
    for name, call in pages(db).items():
        p50, p95 = measure(call, args.calls)
        worst = max(worst, p95)
        print(f"{backend:<10} {name:<30} p50 {p50:7.2f} ms  p95 {p95:7.2f} ms  {p95 / baseline:6.1f}x baseline  "
              f"{'ok' if p95 <= TARGET_MS else 'SLOW'}")
    print(f"{backend:<10} slowest page p95 {worst:.1f} ms; target <= {TARGET_MS:.0f} ms: "
          f"{'PASS' if worst <= TARGET_MS else 'FAIL'}")
    for name, stream in [("products.csv", lambda: downloads.products_csv(db, now=NOW)),
                         ("backorders.csv", lambda: downloads.backorders_csv(db)),
                         ("plan.csv", lambda: downloads.plan_csv(db))]:
        rows, seconds, grew = download(stream())
        print(f"{backend:<10} download {name:<15} {rows:7,} rows in {seconds:5.2f} s ({rows / seconds:9,.0f} rows/s),"
              f" peak memory +{grew / 1024:.1f} MiB")
    db.dispose()


if __name__ == "__main__":
    main()
