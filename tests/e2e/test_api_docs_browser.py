"""The live API reference renders in a real browser with no internet: every request the page makes goes to
inden itself (Debian's chromium via Playwright against a real `inden serve`)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Route, expect

from tests.e2e.conftest import Server

pytestmark = pytest.mark.timeout(180)


@pytest.mark.parametrize(("path", "rendered"), [
    ("/docs", ".swagger-ui .info .title"),
    ("/redoc", "h1"),
])
def test_the_api_reference_renders_from_inden_alone(server: Server, browser: Browser, path: str,
                                                     rendered: str) -> None:
    own_host = urlsplit(server.base_url).netloc
    elsewhere: list[str] = []

    def only_inden(route: Route) -> None:
        if urlsplit(route.request.url).netloc == own_host:
            route.continue_()
        else:  # the machine has no internet either; refusing makes the test independent of that
            elsewhere.append(route.request.url)
            route.abort()

    page = browser.new_page()
    try:
        page.route("**/*", only_inden)
        page.goto(f"{server.base_url}{path}")
        expect(page.locator(rendered).first).to_contain_text("inden", timeout=20_000)
        if path == "/docs":
            expect(page.locator(".opblock-summary-path", has_text="/v1/orders").first).to_be_visible()
        assert elsewhere == []
    finally:
        page.close()
