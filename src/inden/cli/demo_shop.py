"""`inden demo`: a small Indonesian shop and a 12.12 flash sale, run against the real HTTP API."""

from __future__ import annotations

import logging
import random
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import uvicorn
from rich.console import Console

from inden.api.app import create_app
from inden.cli.common import number, percent, print_table, table
from inden.clock import shop_date, utcnow
from inden.config import get_settings
from inden.db.migrate import upgrade
from inden.db.session import Database
from inden.i18n import N_, format_day, translate
from inden.services import audit, keys, order_views, products, stock, supply
from inden.services.schemas.products import ProductCreate, StockAdjustment
from inden.services.schemas.supply import PurchaseOrderCreate, SupplierCreate

FLASH_SKU = "SERUM-VITC-30"
SHOP = [
    # sku, name, policy, backorder limit, units on hand, price (IDR)
    (FLASH_SKU, "Serum Vitamin C 30 ml", "allow", None, None, 89_000),
    ("KOPI-GAYO-250", "Kopi Arabika Gayo 250 g", "deny", None, 40, 75_000),
    ("BATIK-TULIS-M", "Kemeja Batik Tulis Pria M", "allow", 30, 15, 450_000),
    ("HIJAB-VOAL-HTM", "Hijab Voal Polos Hitam", "allow", None, 120, 55_000),
    ("SAMBAL-ROA-200", "Sambal Roa Manado 200 g", "deny", None, 60, 48_000),
    ("TUMBLER-LTD-01", "Tumbler Edisi Terbatas 12.12", "preorder", 200, 0, 199_000),
]
FIRST = ["Budi", "Siti", "Agus", "Dewi", "Rina", "Andi", "Putri", "Wahyu", "Ayu", "Fajar", "Indah", "Rizky",
         "Nur", "Eko", "Sri", "Bayu", "Lestari", "Dimas", "Wulan", "Hendra"]
LAST = ["Santoso", "Rahayu", "Wijaya", "Saputra", "Lestari", "Pratama", "Hidayat", "Kusuma", "Nasution",
        "Siregar", "Simanjuntak", "Setiawan", "Gunawan", "Harahap", "Putra"]


Progress = Callable[[str, int, int], None]
OUTCOMES = {"allocated": N_("allocated from stock"), "partially_backordered": N_("partly on backorder"),
            "backordered": N_("on backorder"), "out_of_stock": N_("refused: out of stock"),
            "customer_limit": N_("refused: over the per-customer limit")}
POLICIES = {"allow": N_("backorders allowed"), "deny": N_("refused when out of stock"), "preorder": N_("pre-order")}


def _(message: str, **params: object) -> str:
    """`message` in the shop's language (INDEN_DEFAULT_LOCALE): the demo speaks one language."""
    return translate(get_settings().default_locale, message, **params)


def _day(value: date) -> str:
    return format_day(value, get_settings().default_locale)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _customer(rng: random.Random, n: int) -> dict[str, str]:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    return {"email": f"{first}.{last}{n}@contoh.id".lower(), "name": f"{first} {last}",
            "locale": "id" if rng.random() < 0.9 else "en"}


def _order_body(rng: random.Random, n: int) -> dict[str, Any]:
    roll = rng.random()
    if roll < 0.80:
        lines = [{"sku": FLASH_SKU, "quantity": rng.choice([1, 1, 1, 2])}]
    elif roll < 0.90:
        lines = [{"sku": "KOPI-GAYO-250", "quantity": rng.choice([1, 2])}]
    elif roll < 0.95:
        lines = [{"sku": "BATIK-TULIS-M", "quantity": 1}, {"sku": "HIJAB-VOAL-HTM", "quantity": 1}]
    else:
        lines = [{"sku": "SAMBAL-ROA-200", "quantity": rng.choice([1, 3])}]
    return {"customer": _customer(rng, n), "lines": lines}


def _set_up_shop(db: Database, *, units: int) -> None:
    supply.create_supplier(db, SupplierCreate(code="PT-SINAR-AYU", name="PT Sinar Ayu Kosmetik", lead_time_days=21))
    for sku, name, policy, limit, on_hand, price in SHOP:
        products.create_product(db, ProductCreate(sku=sku, name=name, backorder_policy=policy,
                                                  backorder_limit=limit, price=price))
        count = units if sku == FLASH_SKU else on_hand
        if count:
            stock.adjust_stock(db, sku, StockAdjustment(delta=count, reason="stok awal"))
    today = shop_date(utcnow(), db.settings.timezone)
    for days, quantity in ((7, units * 2), (14, units * 3)):  # restock already on its way
        supply.create_purchase_order(db, PurchaseOrderCreate(
            supplier="PT-SINAR-AYU", expected_at=today + timedelta(days=days),
            lines=[{"sku": FLASH_SKU, "quantity": quantity}]))


class _Server:
    """`inden serve` in a background thread, on a free loopback port."""

    def __init__(self, db: Database) -> None:
        self.port = _free_port()
        config = uvicorn.Config(create_app(db), host="127.0.0.1", port=self.port, log_level="error",
                                access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        # The demo prints its own results: one log line per request (inden.http) would bury them.
        self.quieted = logging.getLogger("inden.http")
        self.level = self.quieted.level
        self.quieted.setLevel(logging.WARNING)
        self.thread.start()
        while not self.server.started:
            time.sleep(0.02)
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.quieted.setLevel(self.level)


def _flash_sale(base_url: str, key: str, *, orders: int, clients: int, progress: Progress | None = None
                ) -> tuple[Counter[str], float]:
    rng = random.Random(1212)
    bodies = [_order_body(rng, n) for n in range(orders)]
    outcomes: Counter[str] = Counter()
    local = threading.local()

    def place(body: dict[str, Any]) -> str:
        if not hasattr(local, "client"):
            local.client = httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {key}"}, timeout=60)
        response = local.client.post("/v1/orders", json=body)
        body = response.json()
        return str(body["status"] if response.status_code == 201 else body["error"]["code"])

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        for done, outcome in enumerate(pool.map(place, bodies), start=1):
            outcomes[outcome] += 1
            if progress is not None and (done % 50 == 0 or done == orders):
                progress(N_("flash sale"), done, orders)
    return outcomes, time.perf_counter() - started


def run_demo(out: Console, *, db_path: str, orders: int, units: int, clients: int,
             progress: Progress | None = None) -> bool:
    """Run the demo, print its summary in the shop's language; True when the audit passes.
    `progress(stage, done, total)` follows the flash sale's orders."""
    path = Path(db_path).resolve()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    db = Database(f"sqlite:///{path}")
    upgrade(db.engine)
    _set_up_shop(db, units=units)
    key = keys.create_key(db, keys.Role.STAFF)
    out.print(_("inden demo — a sample shop in %(path)s", path=str(path)), markup=False, highlight=False)
    out.print(_("12.12 flash sale: %(orders)s orders from %(clients)s clients at once; %(sku)s has %(units)s units.",
                orders=orders, clients=clients, sku=FLASH_SKU, units=units) + "\n", markup=False, highlight=False)
    with _Server(db) as base_url:
        outcomes, seconds = _flash_sale(base_url, key, orders=orders, clients=clients, progress=progress)
        restock = units // 2
        stock.adjust_stock(db, FLASH_SKU, StockAdjustment(delta=restock, reason="restock dari pemasok"))
    _print_summary(out, db, outcomes, seconds, orders=orders, restock=restock)
    _product_pages(out, db)
    _plan(out, db)
    report = audit.verify(db)
    db.dispose()
    if report.ok:
        out.print("\n" + _("Audit OK: %(products)s products, %(movements)s stock movements, %(lines)s order lines — "
                           "no oversell, ledger intact, every unit accounted for.", products=report.products,
                           movements=report.movements, lines=report.lines), markup=False, highlight=False)
    else:
        out.print("\n" + _("Audit FAILED:"), markup=False)
        for problem in report.problems:
            out.print(f"  - {problem}", markup=False, highlight=False)
    out.print("\n" + _("Database: %(path)s — look again with `%(command)s`. Run the demo again at any time.",
                       path=str(path), command=f"INDEN_DATABASE_URL=sqlite:///{path} inden backorders"),
              markup=False, highlight=False)
    return report.ok


def _product_pages(out: Console, db: Database) -> None:
    """What shoppers read on each product page now (GET /v1/availability, the widget), with the labels."""
    from inden.services.storefront import availability, refresh_best_sellers

    refresh_best_sellers(db)
    out.print("\n" + _("What shoppers read on each product page (GET /v1/availability, widget.js):"), markup=False)
    for p in products.list_products(db, limit=100).items:
        answer = availability(db, p.sku)
        badges = f" [{', '.join(answer.label_texts)}]" if answer.label_texts else ""
        out.print(f"  {p.sku:<16} {answer.message}{badges}", highlight=False)


DAILY_RATE = {FLASH_SKU: 9.0, "KOPI-GAYO-250": 4.0, "BATIK-TULIS-M": 0.6, "HIJAB-VOAL-HTM": 7.0,
              "SAMBAL-ROA-200": 2.5}  # the shop's ordinary days before the flash sale, in units per day


def _plan(out: Console, db: Database) -> None:
    """Half a year of ordinary sales imported, a second supplier, then `inden plan`: what to buy before 12.12."""
    from inden.services.planning.run import run_plan
    from inden.services.sales_import import import_sales
    from inden.services.schemas.supply import OfferIn

    rng = np.random.default_rng(2024)
    today = shop_date(utcnow(), db.settings.timezone)
    rows = [f"{(today - timedelta(days=d)).isoformat()},{sku},{rng.poisson(rate)}"
            for sku, rate in DAILY_RATE.items() for d in range(1, 181)]
    import_sales(db, "date,sku,quantity\n" + "\n".join(rows))
    supply.create_supplier(db, SupplierCreate(code="CV-NUSANTARA", name="CV Nusantara Grosir", lead_time_days=4))
    for sku, *_ignored, price in SHOP[:-1]:
        supply.set_offer(db, "PT-SINAR-AYU", sku, OfferIn(unit_cost=round(price * 0.55), min_order_quantity=24,
                                                          pack_size=12))
        supply.set_offer(db, "CV-NUSANTARA", sku, OfferIn(unit_cost=round(price * 0.62)))
    started = time.perf_counter()
    result = run_plan(db)
    grid = table(_("SKU"), _("Position"), _("ROP"), _("Buy"), _("Supplier"), _("Need by"), _("Risk"),
                 title=_("Purchase plan (%(seconds)s s: forecasts, safety stock, suppliers)",
                          seconds=number(time.perf_counter() - started, digits=1)))
    for p in sorted(result.plans, key=lambda p: -p.risk):
        grid.add_row(p.sku, str(p.inventory_position), f"{p.reorder_point:.0f}", str(p.quantity or "–"),
                      (p.supplier or "–") + (" " + _("(expedited)") if p.expedite else ""),
                      _day(p.need_by), percent(p.risk))
    print_table(grid)
    out.print(_("%(count)s purchase suggestion(s) saved — approve with `inden plan approve ID` or POST "
                "/v1/replenishment/{id}/approve.", count=len(result.suggestions)), markup=False, highlight=False)


def _print_summary(out: Console, db: Database, outcomes: Counter[str], seconds: float, *, orders: int,
                   restock: int) -> None:
    out.print(_("%(orders)s orders in %(seconds)s s (%(rate)s orders/s, measured):", orders=orders,
                seconds=number(seconds, digits=1), rate=number(orders / seconds)), markup=False, highlight=False)
    for outcome, count in outcomes.most_common():
        label = _(OUTCOMES[outcome]) if outcome in OUTCOMES else outcome
        out.print(f"  {label:<36} {count:>6}", markup=False, highlight=False)
    with db.transaction() as session:
        from sqlalchemy import func, select

        from inden.db.models import LostDemand, Product

        lost = session.execute(
            select(Product.sku, LostDemand.reason, func.sum(LostDemand.quantity)).join(Product)
            .group_by(Product.sku, LostDemand.reason)
        ).all()
    # A line is charged only with the units it was refused for itself; the units of an order's other lines,
    # refused only because that line hit its cap, are shown apart (they are not lost sales of their own).
    refused = {sku: int(n) for sku, reason, n in lost if reason == "out_of_stock"}
    along = {sku: int(n) for sku, reason, n in lost if reason != "out_of_stock"}
    grid = table(_("SKU"), _("Policy"), _("On hand"), _("Allocated"), _("Backorder (units)"), _("Refused (units)"),
                 title=_("After the flash sale and a restock of %(units)s units of %(sku)s", units=restock,
                          sku=FLASH_SKU))
    page = products.list_products(db, limit=100)
    for p in page.items:
        s = p.stock
        grid.add_row(p.sku, _(POLICIES[p.backorder_policy.value]), str(s.on_hand), str(s.allocated),
                      str(s.backordered), str(refused.get(p.sku, 0)))
    print_table(grid)
    if along:
        out.print(_("Also refused, with the orders whose other line hit its cap (not counted above): %(units)s.",
                    units=", ".join(f"{sku} {n}" for sku, n in sorted(along.items()))), markup=False,
                  highlight=False)
    queue = order_views.list_backorders(db, sku=FLASH_SKU, limit=5)
    total_waiting = products.get_product(db, FLASH_SKU).stock.backordered
    out.print(_("Backorder queue of %(sku)s: %(units)s units waiting; the first ones:", sku=FLASH_SKU,
                units=total_waiting), markup=False, highlight=False)
    last = order_views.list_backorders(db, sku=FLASH_SKU, limit=1000)
    tail = [b for b in last.items[-2:] if b.position > queue.items[-1].position] if queue.items else []
    for b in [*queue.items, *tail]:
        if tail and b is tail[0] and b.position > queue.items[-1].position + 1:
            out.print("  …", markup=False, highlight=False)  # the queue goes on between the first and the last
        when = _day(b.eta) if b.eta else "–"
        kind = _("from a purchase order") if b.eta_confidence == "scheduled" else _("estimate")
        out.print("  " + _("position %(position)s: order #%(order)s — %(units)s unit(s), ships around %(day)s "
                           "(%(kind)s)", position=f"{b.position:>4}", order=b.order_id, units=b.quantity, day=when,
                           kind=kind), markup=False, highlight=False)
