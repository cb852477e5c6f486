"""A seller's day in the back office, in a real browser (Debian's chromium) on a phone-sized screen, against a
real `inden serve` on SQLite and PostgreSQL; then every page at phone and desktop width, and the doors
(cookie flags, CSRF, staff on owner pages, login throttling).

Set INDEN_SCREENSHOTS=DIR to save each page's screenshot at both widths (docs/img/ is made this way).
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import func, insert, select

from inden.clock import shop_date, utcnow
from inden.config import get_settings
from inden.db.models import OutboxEvent, Product, ReplenishmentSuggestion, SalesHistory, Subscription, Supplier
from inden.db.session import Database
from tests.e2e.conftest import PASSWORD, STAFF_EMAIL, Server, log_in

pytestmark = pytest.mark.timeout(300)
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
SKU = "SERUM-E2E"


def count(server: Server, query: object) -> int:
    db = Database(server.database_url)
    try:
        with db.transaction() as session:
            return int(session.scalar(query) or 0)  # type: ignore[call-overload]
    finally:
        db.dispose()


def eta_messages(server: Server) -> int:
    return count(server, select(func.count()).where(OutboxEvent.event_type == "eta_changed"))


def submit(page: Page, form: str, button: str | None = None) -> None:
    """Press a form's submit button (the first, or the one named) and wait for the next page."""
    target = page.locator(form).get_by_role("button", name=button) if button else page.locator(
        f"{form} button.primary").first
    with page.expect_navigation():
        target.click()


def signed_up(server: Server, sku: str, count: int) -> None:
    """`count` confirmed back-in-stock sign-ups for `sku`, confirmed yesterday."""
    db = Database(server.database_url)
    try:
        with db.transaction() as session:
            product_id = session.scalar(select(Product.id).where(Product.sku == sku))
            yesterday = utcnow() - timedelta(days=1)
            session.execute(insert(Subscription), [
                {"product_id": product_id, "email": f"pendaftar{n}@contoh.id", "locale": "id", "status": "confirmed",
                 "created_at": yesterday, "confirmed_at": yesterday} for n in range(count)])
    finally:
        db.dispose()


def test_a_sellers_day_on_a_phone(server: Server, browser: Browser, tmp_path: Path) -> None:
    page = browser.new_page(viewport=PHONE)
    try:
        page.goto(f"{server.base_url}/products")
        expect(page).to_have_url(re.compile(r"/login\?next=%2Fproducts$"))
        log_in(page, server.base_url)
        expect(page.get_by_role("heading", level=1)).to_have_text("Produk")
        cookie = next(c for c in page.context.cookies() if c["name"] == "inden_session")
        assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and not cookie["secure"]  # plain http here

        # A product that allows backorders.
        page.goto(f"{server.base_url}/products/new")
        page.get_by_label("SKU").fill(SKU)
        page.get_by_label("Nama").fill("Serum Vitamin C 30 ml")
        page.get_by_label("Saat stok habis").select_option("allow")
        page.get_by_label("Harga (Rp)").fill("125000")
        submit(page, "form[action='/products/new']")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Serum Vitamin C 30 ml")
        expect(page.get_by_text("Rp125.000")).to_be_visible()

        # Count stock in: 2 units.
        page.get_by_label("Unit (+ untuk menambah, − untuk mengurangi)").fill("2")
        page.get_by_label("Alasan").fill("stok awal")
        submit(page, f"form[action='/products/{SKU}/stock']")
        expect(page.locator("#on-hand")).to_have_text("2")

        # A customer orders 5 through the shop's API: 3 wait.
        with server.client() as http:
            placed = http.post("/v1/orders", json={"customer": {"email": "siti@contoh.id"},
                                                   "lines": [{"sku": SKU, "quantity": 5}]})
            assert placed.status_code == 201, placed.text
        page.reload()
        expect(page.locator("#waiting")).to_have_text("3")
        expect(page.locator("#queue")).to_contain_text("siti@contoh.id")

        # A supplier, its offer, and a purchase order for 10.
        page.goto(f"{server.base_url}/suppliers")
        page.get_by_label("Kode").fill("PT-SINAR")
        page.get_by_label("Nama").fill("PT Sinar Ayu")
        page.get_by_label("Waktu tunggu biasa (hari)").fill("10")
        submit(page, "form[action='/suppliers']")
        page.get_by_label("SKU").fill(SKU)
        page.get_by_label("Harga beli per unit (Rp)").fill("40000")
        submit(page, "form[action='/suppliers/offers']", "Simpan penawaran")
        expect(page.locator("table")).to_contain_text("PT Sinar Ayu")

        page.goto(f"{server.base_url}/purchase-orders/new")
        today = shop_date(utcnow(), get_settings().timezone)
        page.get_by_label("Perkiraan tanggal tiba").fill((today + timedelta(days=10)).isoformat())
        page.get_by_label("SKU, baris 1").fill(SKU)
        page.get_by_label("Unit, baris 1").fill("10")
        submit(page, "form[action='/purchase-orders/new']")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Pesanan pembelian #")
        po_url = page.url.split("?")[0]

        # Move its date: the preview's count is what the move writes.
        before = eta_messages(server)
        page.get_by_label("Perkiraan tanggal tiba yang baru").fill(
            (today + timedelta(days=20)).isoformat())
        submit(page, "section[aria-labelledby='move-title'] form", "Tampilkan siapa yang terdampak")
        shown = int(page.locator("#preview-messages").inner_text().split()[0])
        assert shown == 1 and eta_messages(server) == before  # one waiting line; nothing written yet
        expect(page.locator("#preview-later")).to_contain_text("1 pelanggan")
        submit(page, "#move-preview form")
        assert eta_messages(server) - before == shown

        # Receive it: the customer is served, the queue is empty.
        page.goto(po_url)
        page.get_by_label(f"Unit {SKU}").fill("10")
        submit(page, "#f-receive")
        page.goto(f"{server.base_url}/products/{SKU}")
        expect(page.locator("#waiting")).to_have_text("0")
        expect(page.get_by_text("Tidak ada yang menunggu produk ini.")).to_be_visible()

        # A CSV with one bad row: a clear error, nothing imported.
        today = shop_date(utcnow(), get_settings().timezone)
        bad = tmp_path / "penjualan.csv"
        bad.write_text("date,sku,quantity\n" + f"{(today - timedelta(days=2)).isoformat()},{SKU},4\n"
                       + f"{(today - timedelta(days=1)).isoformat()},{SKU},banyak\n")
        page.goto(f"{server.base_url}/import")
        page.locator("input[type=file][name=file]").set_input_files(str(bad))
        submit(page, "form#f-import")
        expect(page.locator(".error-summary")).to_contain_text("Tidak ada yang diimpor")
        expect(page.locator("#problems tbody tr")).to_have_count(1)
        expect(page.locator("#problems tbody td").first).to_have_text("3")  # the bad row's line
        assert count(server, select(func.count()).select_from(SalesHistory)) == 0
        good = tmp_path / "penjualan-baik.csv"
        good.write_text("date,sku,quantity\n" + "".join(
            f"{(today - timedelta(days=d)).isoformat()},{SKU},{3 + d % 4}\n" for d in range(1, 61)))
        page.locator("input[type=file][name=file]").set_input_files(str(good))
        submit(page, "form#f-import")
        assert count(server, select(func.count()).select_from(SalesHistory)) == 60

        # 30 shoppers signed up for back-in-stock news yesterday (their demand counts in the plan).
        signed_up(server, SKU, 30)

        # Run the plan and approve its suggestion: a purchase order is made.
        page.goto(f"{server.base_url}/plan")
        submit(page, "form[action='/plan/run']", "Jalankan rencana sekarang")
        expect(page.locator("#f-suggestions")).to_contain_text(SKU)
        expect(page.locator("#f-suggestions")).to_contain_text(
            re.compile(r"30 pembeli mendaftar saat stok habis: sekitar \d+ unit permintaan yang tidak terlihat"))
        page.locator("#f-suggestions input[name=id]").first.check()
        submit(page, "#f-suggestions", "Setujui yang dipilih")
        expect(page.locator(".notice")).to_be_visible()

        # Log out: every page asks for the login again.
        submit(page, "form[action='/logout']", "Keluar")
        expect(page).to_have_url(re.compile(r"/login$"))
        page.goto(f"{server.base_url}/plan")
        expect(page).to_have_url(re.compile(r"/login\?next="))
    finally:
        page.close()


PAGES = ["/", "/products", f"/products/{SKU}", "/products/new", "/orders", "/orders/1", "/purchase-orders",
         "/purchase-orders/1", "/purchase-orders/new", "/suppliers", "/plan", "/import", "/settings", "/dashboard"]


def test_the_plan_page_says_when_the_reorder_point_was_capped_and_who_signed_up(server: Server,
                                                                                browser: Browser) -> None:
    """The reasons `inden plan` prints (cli/reasons.py) are on the back office's plan page too, in the page's
    language: a suggestion stored with the figures the planner keeps (`SuggestionFigures`)."""
    with server.client() as http:
        assert http.post("/v1/products", json={"sku": "TEH-CAP", "name": "Teh Melati"}).status_code == 201
        assert http.post("/v1/suppliers", json={"code": "PT-TEH", "name": "PT Teh",
                                                "lead_time_days": 7}).status_code == 201
    today = shop_date(utcnow(), get_settings().timezone)
    figures = {"on_hand": 0, "allocated": 0, "backordered": 0, "incoming": 0, "inventory_position": 0,
               "demand_per_day": 0.9, "lead_time_days": 6.4, "forecast_lead_time": 5.8, "safety_stock": 3.1,
               "reorder_point": 6.0, "service_level": 0.95, "risk": 0.4, "days_of_cover": 0.0, "events": [],
               "capped": True, "sign_ups": 120, "sign_up_units": 40}
    db = Database(server.database_url)
    try:
        with db.transaction() as session:
            session.add(ReplenishmentSuggestion(
                product_id=session.scalar(select(Product.id).where(Product.sku == "TEH-CAP")),
                supplier_id=session.scalar(select(Supplier.id).where(Supplier.code == "PT-TEH")),
                status="pending", quantity=12, unit_cost=None, need_by=today + timedelta(days=7),
                expected_at=today + timedelta(days=7), expedite=False, reason="", figures=figures,
                created_at=utcnow()))
    finally:
        db.dispose()
    page = browser.new_page(viewport=PHONE)
    try:
        page.goto(f"{server.base_url}/plan")
        log_in(page, server.base_url)
        row = page.locator("#f-suggestions tr", has_text="TEH-CAP")
        expect(row).to_contain_text("Titik pesan ulang dibatasi 6: penjualan terbanyak dalam 7 hari mana pun "
                                    "setahun terakhir, termasuk acara yang direncanakan.")
        expect(row).to_contain_text("120 pembeli mendaftar saat stok habis: sekitar 40 unit permintaan yang tidak "
                                    "terlihat di penjualan.")
    finally:
        page.close()


def test_every_page_fits_a_phone_and_a_desktop(server: Server, browser: Browser) -> None:
    shots = os.environ.get("INDEN_SCREENSHOTS")
    for name, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        page = browser.new_page(viewport=viewport)
        try:
            log_in(page, server.base_url)
            for path in PAGES:
                answer = page.goto(f"{server.base_url}{path}")
                assert answer is not None and answer.status == 200, path
                expect(page.get_by_role("heading", level=1)).to_be_visible()
                overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                assert overflow <= 1, f"{path} scrolls sideways at {name} width"
                if shots:
                    slug = path.strip("/").replace("/", "-") or "today"
                    page.screenshot(path=str(Path(shots) / f"{slug}-{name}.png"), full_page=name == "desktop")
        finally:
            page.close()


def test_the_doors_hold(server: Server) -> None:
    with httpx.Client(base_url=server.base_url, follow_redirects=False, timeout=30) as anonymous:
        for path in PAGES:
            assert anonymous.get(path).status_code == 303, path
    with httpx.Client(base_url=server.base_url, follow_redirects=False, timeout=30) as staff:
        form = staff.get("/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
        assert staff.post("/login", data={"email": STAFF_EMAIL, "password": PASSWORD,
                                          "csrf_token": token}).status_code == 303
        assert staff.get("/settings").status_code == 403
        assert staff.post("/products/new", data={"sku": "X", "name": "X", "csrf_token": "forged"}).status_code == 403
    with httpx.Client(base_url=server.base_url, follow_redirects=False, timeout=30) as guesser:
        token = re.search(r'name="csrf_token" value="([^"]+)"',  # type: ignore[union-attr]
                          guesser.get("/login").text).group(1)
        answers = [guesser.post("/login", data={"email": "tebak@toko.id", "password": f"salah-{n}-xxxxx",
                                                "csrf_token": token}).status_code for n in range(6)]
        assert answers == [401] * 5 + [429]
