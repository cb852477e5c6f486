"""A shopper on a shop's product page, in a real browser (Debian's chromium via Playwright), against a real
`inden serve` and a real SMTP server: the widget tells the truth, the notify-me sign-up is confirmed from the
emailed link, and the back-in-stock email arrives once stock is back.

The shop's page is served from another origin than inden, as in production (CORS with INDEN_CORS_ORIGINS).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from email.message import EmailMessage
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import BACKENDS, fresh_database, inden, make_key, start_server
from tests.smtp import Inbox, smtp_server

pytestmark = pytest.mark.timeout(240)


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


@pytest.fixture(scope="module")
def inbox() -> Iterator[Inbox]:
    with smtp_server() as server:
        yield server


def shop_server(directory: Path) -> ThreadingHTTPServer:
    """The seller's own web shop: static pages on another origin than inden."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(SimpleHTTPRequestHandler, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def write_product_page(directory: Path, inden_url: str, storefront_key: str) -> None:
    """A product page with inden's widget in it, as the README tells sellers to add it."""
    (directory / "kaos.html").write_text(f"""<!doctype html>
<html lang="id"><head><meta charset="utf-8"><title>Kaos Hitam M</title></head>
<body><h1>Kaos Hitam M</h1>
<div id="stok" data-inden-sku="KAOS-M"></div>
<div id="lain" data-inden-sku="TOPI-L" data-locale="en"></div>
<div id="hilang" data-inden-sku="SUDAH-DIHAPUS"></div>
<script src="{inden_url}/widget.js" data-key="{storefront_key}" data-locale="id" defer></script>
</body></html>""", encoding="utf-8")


@pytest.mark.parametrize("backend", BACKENDS)
def test_sign_up_on_the_product_page_confirm_in_the_browser_and_hear_when_it_is_back(
    backend: str, tmp_path: Path, inbox: Inbox, browser: Browser,
) -> None:
    mails = inbox
    shop = shop_server(tmp_path)
    shop_origin = f"http://127.0.0.1:{shop.server_address[1]}"
    mail_env = {"INDEN_SMTP_URL": inbox.url, "INDEN_SHOP_NAME": "Toko Kaos"}
    page = browser.new_page()
    try:
        with fresh_database(backend, tmp_path) as url:
            process = start_server(url, tmp_path / "serve.log", workers=1, env=lambda base: {
                **mail_env, "INDEN_BASE_URL": base, "INDEN_CORS_ORIGINS": f'["{shop_origin}"]'})
            try:
                staff = make_key(url, "staff")
                write_product_page(tmp_path, process.base_url, make_key(url, "storefront"))
                _sold_out_product(process.base_url, staff)
                _shopper_journey(page, f"{shop_origin}/kaos.html", url, process.base_url, staff, mails, mail_env,
                                 shopper=f"rina.{backend}@contoh.id")
            finally:
                process.stop()
    finally:
        page.close()
        shop.shutdown()


def _sold_out_product(base_url: str, staff: str) -> None:
    import httpx

    with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {staff}"}) as http:
        assert http.post("/v1/products", json={"sku": "KAOS-M", "name": "Kaos Hitam M", "price": "99000",
                                               "backorder_policy": "deny"}).status_code == 201
        assert http.post("/v1/products/KAOS-M/stock-adjustments",
                         json={"delta": 1, "reason": "stok awal"}).status_code == 201
        assert http.post("/v1/products", json={"sku": "TOPI-L", "name": "Topi L"}).status_code == 201
        assert http.post("/v1/products/TOPI-L/stock-adjustments",
                         json={"delta": 40, "reason": "stok awal"}).status_code == 201
        order = http.post("/v1/orders", json={"customer": {"email": "pertama@contoh.id"},
                                              "lines": [{"sku": "KAOS-M", "quantity": 1}]})
        assert order.status_code == 201


def _shopper_journey(page: Page, page_url: str, database_url: str, base_url: str, staff: str,
                     mails: Inbox, mail_env: dict[str, str], *, shopper: str) -> None:
    import httpx

    page.goto(page_url)
    box = page.locator("#stok")
    expect(box.locator(".inden-message")).to_have_text("Stok habis — daftar untuk dikabari saat tersedia lagi")
    expect(page.locator("#lain .inden-message")).to_have_text("In stock")  # its own language (a second request)
    expect(page.locator("#hilang")).to_be_empty()  # a product the shop no longer has shows nothing
    box.get_by_placeholder("Email Anda").fill(shopper)
    box.get_by_role("button", name="Kabari saya saat tersedia").click()
    expect(box.locator(".inden-note")).to_contain_text("Terima kasih")

    delivered = inden(database_url, "deliver", env={**mail_env, "INDEN_BASE_URL": base_url})
    assert delivered.returncode == 0, delivered.stderr
    [confirmation] = mails.to(shopper)
    link = re.search(r"(http://\S+/subscriptions/confirm\?token=\S+)", text_of(confirmation))
    assert link, text_of(confirmation)
    page.goto(link.group(1))
    expect(page.get_by_role("heading")).to_have_text("Konfirmasi pendaftaran")
    page.get_by_role("button", name="Konfirmasi").click()
    expect(page.get_by_role("heading")).to_have_text("Pendaftaran berhasil")

    with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {staff}"}) as http:
        assert http.post("/v1/products/KAOS-M/stock-adjustments",
                         json={"delta": 8, "reason": "restok"}).status_code == 201
    delivered = inden(database_url, "deliver", env={**mail_env, "INDEN_BASE_URL": base_url})
    assert delivered.returncode == 0, delivered.stderr
    confirmation, back = mails.to(shopper)
    assert "Kaos Hitam M" in back["Subject"] and "Rp99.000" in text_of(back)
    assert back["List-Unsubscribe"] and "unsubscribe?token=" in back["List-Unsubscribe"]
    unsubscribe = re.search(r"(http://\S+/subscriptions/unsubscribe\?token=(\S+))", text_of(back))
    assert unsubscribe and unsubscribe.group(2) not in link.group(1)  # each email carries its own link
    page.goto(unsubscribe.group(1))  # the back-in-stock email's link, minted as it was sent
    expect(page.get_by_text(f"Berhenti mengirim email tentang Kaos Hitam M ke {shopper}?")).to_be_visible()
    page.get_by_role("button", name="Berhenti berlangganan").click()
    expect(page.get_by_role("heading")).to_have_text("Anda sudah berhenti berlangganan")

    page.goto(page_url)
    expect(box.locator(".inden-message")).to_have_text("Stok tersedia")
    expect(box.locator(".inden-label")).to_have_text(["Restok"])
    expect(box.locator("form")).to_have_count(0)
