"""A buyer on their own order page, in a real browser (Debian's chromium via Playwright) at phone and desktop
width, opened from the link in a real email (aiosmtpd) sent by a real `inden serve`'s shop: cancelling one
waiting line frees its reserved unit, which serves the next customer at once, and both buyers hear by email."""

from __future__ import annotations

import re
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import BACKENDS, fresh_database, inden, make_key, start_server
from tests.smtp import Inbox, smtp_server

pytestmark = pytest.mark.timeout(240)
ANA, BUDI = "ana@contoh.id", "budi@contoh.id"
PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1280, "height": 800}


@pytest.fixture(scope="module")
def inbox() -> Iterator[Inbox]:
    with smtp_server() as server:
        yield server


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def order_link(message: EmailMessage) -> str:
    found = re.search(r"(http://\S+/o/[A-Za-z0-9_-]+)(?:\s|$)", text_of(message))
    assert found, text_of(message)
    return found.group(1)


def fits_the_screen(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "scrolls sideways"


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_buyer_cancels_one_waiting_line_from_the_emailed_link_and_the_next_customer_is_served(
        backend: str, tmp_path: Path, inbox: Inbox, browser: Browser) -> None:
    ana, budi = f"{backend}.{ANA}", f"{backend}.{BUDI}"
    mail_env = {"INDEN_SMTP_URL": inbox.url, "INDEN_SHOP_NAME": "Toko Kaos"}
    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    desktop = browser.new_context(viewport=DESKTOP)
    try:
        with fresh_database(backend, tmp_path) as url:
            process = start_server(url, tmp_path / "serve.log", workers=1,
                                   env=lambda base: {**mail_env, "INDEN_BASE_URL": base})
            try:
                env = {**mail_env, "INDEN_BASE_URL": process.base_url}
                staff = make_key(url, "staff")
                with httpx.Client(base_url=process.base_url, headers={"Authorization": f"Bearer {staff}"}) as http:
                    for sku, name in (("KAOS-M", "Kaos Hitam M"), ("TOPI-L", "Topi L")):
                        assert http.post("/v1/products", json={"sku": sku, "name": name}).status_code == 201
                    assert http.post("/v1/products/KAOS-M/stock-adjustments",
                                     json={"delta": 1, "reason": "stok awal"}).status_code == 201
                    first = http.post("/v1/orders", json={
                        "customer": {"email": ana, "name": "Ana"}, "fulfilment": "complete",
                        "lines": [{"sku": "KAOS-M", "quantity": 2}, {"sku": "TOPI-L", "quantity": 1}]}).json()
                    second = http.post("/v1/orders", json={"customer": {"email": budi, "locale": "en"},
                                                           "lines": [{"sku": "KAOS-M", "quantity": 1}]}).json()
                assert inden(url, "deliver", env=env).returncode == 0
                _ana_cancels_the_kaos_line(phone.new_page(), order_link(inbox.to(ana)[0]), first["id"])

                assert inden(url, "deliver", env=env).returncode == 0
                cancelled = inbox.to(ana)[-1]
                assert "dibatalkan" in str(cancelled["Subject"]) and "2 × Kaos Hitam M" in text_of(cancelled)
                served = inbox.to(budi)[-1]
                assert "ready" in str(served["Subject"]) and "Kaos Hitam M has arrived" in text_of(served)

                page = desktop.new_page()
                page.goto(order_link(served))
                expect(page.get_by_role("heading", level=1)).to_have_text(f"Order #{second['id']}")
                expect(page.locator(".status")).to_have_text("Everything is reserved for you and will be shipped soon.")
                expect(page.locator(".line")).to_contain_text("Reserved for you: 1")
                fits_the_screen(page)
                with httpx.Client(base_url=process.base_url, headers={"Authorization": f"Bearer {staff}"}) as http:
                    order = http.get(f"/v1/orders/{first['id']}").json()
                assert [c["choice"] for c in order["choices"]] == ["cancel"]
                assert {line["sku"]: line["backordered"] for line in order["lines"]} == {"KAOS-M": 0, "TOPI-L": 1}
            finally:
                process.stop()
    finally:
        phone.close()
        desktop.close()


def _ana_cancels_the_kaos_line(page: Page, link: str, order_id: int) -> None:
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Pesanan #{order_id}")
    kaos = page.locator(".line", has_text="Kaos Hitam M")
    expect(kaos).to_contain_text("Disisihkan untuk Anda: 1")
    expect(kaos).to_contain_text("Menunggu: 1 · urutan antrean: 1")
    expect(page.locator(".line", has_text="Topi L")).to_contain_text("Dikirim sekitar")
    colour = page.locator("a.button").first.evaluate("e => getComputedStyle(e).backgroundColor")
    assert colour == "rgb(15, 118, 110)", "the stylesheet served by inden is applied"
    fits_the_screen(page)

    page.get_by_role("link", name="Batalkan barang yang masih menunggu").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Batalkan barang yang masih menunggu?")
    fits_the_screen(page)
    page.get_by_role("checkbox", name=re.compile("Topi L")).uncheck()  # keep waiting for the hat
    page.get_by_role("button", name="Ya, batalkan barang ini").click()
    expect(page.get_by_role("status")).to_contain_text("Selesai: barang yang menunggu sudah dibatalkan")
    expect(page.locator(".line", has_text="Kaos Hitam M")).to_contain_text("Dibatalkan: 2")
    expect(page.locator(".line", has_text="Topi L")).to_contain_text("Menunggu: 1")
    expect(page.locator("h2", has_text="Jawaban Anda")).to_be_visible()


def test_a_shopper_signs_up_by_whatsapp_in_the_widget_at_phone_width(tmp_path: Path, browser: Browser) -> None:
    import sqlite3
    import threading
    from functools import partial
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    shop = ThreadingHTTPServer(("127.0.0.1", 0), partial(SimpleHTTPRequestHandler, directory=str(tmp_path)))
    threading.Thread(target=shop.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{shop.server_address[1]}"
    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        with fresh_database("sqlite", tmp_path) as url:
            process = start_server(url, tmp_path / "serve.log", workers=1,
                                   env=lambda base: {"INDEN_CORS_ORIGINS": f'["{origin}"]'})
            try:
                staff = make_key(url, "staff")
                with httpx.Client(base_url=process.base_url, headers={"Authorization": f"Bearer {staff}"}) as http:
                    assert http.post("/v1/products", json={"sku": "TAS-M", "name": "Tas Viral",
                                                           "backorder_policy": "deny"}).status_code == 201
                (tmp_path / "tas.html").write_text(
                    f'<!doctype html><html lang="id"><head><meta charset="utf-8"><meta name="viewport" '
                    f'content="width=device-width, initial-scale=1"></head><body><div id="stok" '
                    f'data-inden-sku="TAS-M"></div><script src="{process.base_url}/widget.js" '
                    f'data-key="{make_key(url, "storefront")}" data-whatsapp="on" defer></script></body></html>',
                    encoding="utf-8")
                page = phone.new_page()
                page.goto(f"{origin}/tas.html")
                box = page.locator("#stok")
                box.get_by_placeholder("Email Anda").fill("sari@contoh.id")
                expect(box.get_by_placeholder("Nomor WhatsApp Anda")).to_be_hidden()
                box.get_by_label("Kabari saya lewat WhatsApp, bukan email").check()
                box.get_by_placeholder("Nomor WhatsApp Anda").fill("0812 3456 7890")
                box.get_by_role("button", name="Kabari saya saat tersedia").click()
                expect(box.locator(".inden-note")).to_contain_text("Terima kasih")
                fits_the_screen(page)
            finally:
                process.stop()
            with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
                row = connection.execute("SELECT email, phone, channel, whatsapp_consent_at IS NOT NULL "
                                         "FROM subscriptions").fetchone()
            assert row == ("sari@contoh.id", "6281234567890", "whatsapp", 1)
    finally:
        phone.close()
        shop.shutdown()
