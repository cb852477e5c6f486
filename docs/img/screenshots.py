"""Make the back office's screenshots in this folder: a small demo shop, `inden serve`, Debian's chromium.

    .venv/bin/python docs/img/screenshots.py

Each page at phone (390 × 844) and desktop (1280) width, as palette PNGs of well under 150 KB.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import httpx
from PIL import Image
from playwright.sync_api import Page, sync_playwright

HERE = Path(__file__).parent
EMAIL, PASSWORD = "pemilik@tokokita.id", "kata-sandi-toko-1"
WIDTHS = {"phone": (390, 844), "desktop": (1280, 900)}
PAGES = {"today": "/", "products": "/products", "product": "/products/SERUM-VITC-30", "orders": "/orders",
         "order": "/orders/3", "purchase-orders": "/purchase-orders", "purchase-order": "/purchase-orders/1",
         "suppliers": "/suppliers", "plan": "/plan", "import": "/import", "settings": "/settings"}


def seed(url: str) -> None:
    """A shop with stock, waiting customers, two suppliers, purchase orders, 120 days of sales and a plan."""
    from inden.clock import utcnow
    from inden.config import shop_today
    from inden.db.migrate import upgrade
    from inden.db.session import Database
    from inden.services import accounts, events, orders, products, sales_import, stock, supply
    from inden.services.planning import run_plan
    from inden.services.schemas import (EventCreate, OfferIn, OrderCreate, ProductCreate, PurchaseLineIn,
                                        PurchaseOrderCreate, StockAdjustment, SupplierCreate)

    db = Database(url)
    upgrade(db.engine)
    today = shop_today(utcnow())
    accounts.add_user(db, EMAIL, accounts.UserRole.OWNER, password=PASSWORD)
    accounts.add_user(db, "staf@tokokita.id", accounts.UserRole.STAFF)
    catalogue = [("SERUM-VITC-30", "Serum Vitamin C 30 ml", 125000, "allow"),
                 ("KOPI-GAYO-250", "Kopi Arabika Gayo 250 g", 89000, "deny"),
                 ("TUMBLER-LTD-01", "Tumbler Edisi Terbatas", 249000, "preorder"),
                 ("SAMBAL-ROA-200", "Sambal Roa 200 g", 45000, "allow"),
                 ("KAOS-HITAM-M", "Kaos Hitam Polos M", 79000, "allow"),
                 ("MASKER-GREEN-50", "Masker Green Tea 50 g", 65000, "allow")]
    for sku, name, price, policy in catalogue:
        extra = {"release_at": today + timedelta(days=30), "max_per_customer": 2} if policy == "preorder" else {}
        products.create_product(db, ProductCreate(sku=sku, name=name, price=price, backorder_policy=policy, **extra))
    for sku, units in [("SERUM-VITC-30", 4), ("KOPI-GAYO-250", 40), ("SAMBAL-ROA-200", 12), ("KAOS-HITAM-M", 25),
                       ("MASKER-GREEN-50", 3)]:
        stock.adjust_stock(db, sku, StockAdjustment(delta=units, reason="stok awal"))
    supply.create_supplier(db, SupplierCreate(code="PT-SINAR", name="PT Sinar Ayu", lead_time_days=21))
    supply.create_supplier(db, SupplierCreate(code="CV-MANADO", name="CV Manado Rasa", lead_time_days=10))
    for code, sku, cost in [("PT-SINAR", "SERUM-VITC-30", 52000), ("PT-SINAR", "MASKER-GREEN-50", 21000),
                            ("CV-MANADO", "SAMBAL-ROA-200", 25000), ("PT-SINAR", "KAOS-HITAM-M", 30000)]:
        supply.set_offer(db, code, sku, OfferIn(unit_cost=cost, min_order_quantity=12, pack_size=6))
    rng = random.Random(7)
    names = ["siti", "budi", "ayu", "rina", "dewi", "agus", "putri", "joko", "wati", "andi"]
    for i in range(24):
        sku = rng.choice(["SERUM-VITC-30", "SERUM-VITC-30", "MASKER-GREEN-50", "SAMBAL-ROA-200", "KAOS-HITAM-M"])
        orders.place_order(db, OrderCreate.model_validate({
            "customer": {"email": f"{names[i % 10]}{i}@contoh.id", "name": names[i % 10].title()},
            "lines": [{"sku": sku, "quantity": rng.randint(1, 2)}]}))
    supply.create_purchase_order(db, PurchaseOrderCreate(supplier="PT-SINAR", expected_at=today + timedelta(days=9),
                                                         lines=[PurchaseLineIn(sku="SERUM-VITC-30", quantity=60),
                                                                PurchaseLineIn(sku="MASKER-GREEN-50", quantity=24)]))
    supply.create_purchase_order(db, PurchaseOrderCreate(supplier="CV-MANADO", expected_at=today - timedelta(days=2),
                                                         lines=[PurchaseLineIn(sku="SAMBAL-ROA-200", quantity=48)]))
    rows = "".join(f"{(today - timedelta(days=d)).isoformat()},{sku},{max(0, round(rng.gauss(m, m / 3)))}\n"
                   for d in range(1, 121) for sku, m in [("SERUM-VITC-30", 3), ("SAMBAL-ROA-200", 6),
                                                         ("KOPI-GAYO-250", 2), ("MASKER-GREEN-50", 1)])
    sales_import.import_sales(db, "date,sku,quantity\n" + rows)
    events.create_event(db, EventCreate(name="Harbolnas 12.12", kind="flash_sale", starts_on=today + timedelta(days=12),
                                        ends_on=today + timedelta(days=12), skus=["SERUM-VITC-30", "SAMBAL-ROA-200"],
                                        expected_units=80))
    run_plan(db)
    db.dispose()


def save(page: Page, name: str, *, full: bool) -> None:
    path = HERE / f"{name}.png"
    page.screenshot(path=str(path), full_page=full)
    image = Image.open(path).convert("RGB")
    if image.height > 2400:
        image = image.crop((0, 0, image.width, 2400))
    image.quantize(colors=48, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)


def main() -> None:
    folder = Path(tempfile.mkdtemp())
    url = f"sqlite:///{folder / 'demo.db'}"
    seed(url)
    env = {**os.environ, "INDEN_DATABASE_URL": url, "INDEN_SHOP_NAME": "Toko Kita"}
    inden = str(Path(sys.executable).with_name("inden"))
    server = subprocess.Popen([inden, "serve", "--port", "8799"], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    base = "http://127.0.0.1:8799"
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            for width_name, (width, height) in WIDTHS.items():
                page = browser.new_page(viewport={"width": width, "height": height})
                page.goto(f"{base}/login")
                save(page, f"login-{width_name}", full=False)
                page.fill("input[name=email]", EMAIL)
                page.fill("input[name=password]", PASSWORD)
                with page.expect_navigation():
                    page.click("form[action='/login'] button")
                for name, path in PAGES.items():
                    page.goto(f"{base}{path}")
                    if name == "purchase-order":  # show the preview of a date move
                        page.fill("input[name=expected_at]", (time.strftime("%Y-12-28")))
                        with page.expect_navigation():
                            page.click("section[aria-labelledby='move-title'] button")
                    save(page, f"{name}-{width_name}", full=True)
                page.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
