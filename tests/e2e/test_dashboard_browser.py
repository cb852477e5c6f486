"""The seller's report (`/dashboard`) in a real browser (Debian's chromium via Playwright) against a real
`inden serve`: a back-office page with the figures of GET /v1/analytics, in Indonesian by default, behind the
back office's login, reached from its menu."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import Server, log_in

pytestmark = pytest.mark.timeout(180)


def test_the_report_shows_the_shop_at_a_glance_to_staff_only(server: Server, browser: Browser) -> None:
    with server.client() as http:
        assert http.post("/v1/products", json={"sku": "DASH-KOPI", "name": "Kopi", "price": "89000",
                                               "backorder_policy": "deny"}).status_code == 201
        assert http.post("/v1/products/DASH-KOPI/stock-adjustments",
                         json={"delta": 2, "reason": "stok awal"}).status_code == 201
        for email, expected in (("a@contoh.id", 201), ("b@contoh.id", 409)):  # the second is refused
            placed = http.post("/v1/orders", json={"customer": {"email": email},
                                                   "lines": [{"sku": "DASH-KOPI", "quantity": 2}]})
            assert placed.status_code == expected
        assert http.post("/v1/products", json={"sku": "DASH-TEH", "name": "Teh"}).status_code == 201
        assert http.post("/v1/orders", json={"customer": {"email": "c@contoh.id"},  # waits, no PO behind it
                                             "lines": [{"sku": "DASH-TEH", "quantity": 3}]}).status_code == 201
        figures = http.get("/v1/analytics", params={"days": 30}).json()
    page = browser.new_page()
    try:
        page.goto(f"{server.base_url}/dashboard")
        expect(page).to_have_url(f"{server.base_url}/login?next=%2Fdashboard")  # behind the login
        log_in(page, server.base_url)
        page.get_by_role("navigation", name="Bagian").get_by_role("link", name="Laporan").click()  # from the menu
        expect(page).to_have_url(f"{server.base_url}/dashboard")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Ringkasan toko")
        fill_rate = figures["demand"]["fill_rate"]
        expect(page.locator("#fill-rate")).to_have_text(f"{round(fill_rate * 100, 1):g} %".replace(".", ","))
        expect(page.locator("#lost")).to_have_text(f"{figures['demand']['refused_units']} · Rp178.000")
        row = page.locator("#skus tbody tr", has_text="DASH-KOPI")
        expect(row.locator("td").nth(3)).to_have_text("2")  # refused units
        expect(row.locator("td").nth(4)).to_have_text("Rp178.000")
        at_risk = page.locator("#at-risk tbody tr", has_text="DASH-TEH")
        expect(at_risk.locator("td").nth(4)).to_have_text("3 menunggu tanpa pesanan pembelian")  # why it is at risk

        page.get_by_role("link", name="7 hari").click()  # the period is a link
        expect(page).to_have_url(f"{server.base_url}/dashboard?days=7")
        expect(page.get_by_role("link", name="7 hari")).to_have_attribute("aria-current", "page")
        bad = page.request.get(f"{server.base_url}/dashboard?days=0")  # bad input: the API's error shape
        assert bad.status == 422 and bad.json()["error"]["code"] == "validation_error"
        page.goto(f"{server.base_url}/dashboard?lang=en")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Shop at a glance")
        expect(page.get_by_role("link", name="Report")).to_have_attribute("aria-current", "page")
        page.context.clear_cookies()  # logged out: the page asks for the login again
        page.goto(f"{server.base_url}/dashboard?days=7")
        expect(page).to_have_url(f"{server.base_url}/login?next=%2Fdashboard%3Fdays%3D7")
    finally:
        page.close()
