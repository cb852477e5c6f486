"""`GET /dashboard`: the seller's figures at a glance in a browser (the page of `GET /v1/analytics`).

The page itself holds no data: it asks for a staff key, keeps it in the tab's sessionStorage, and reads
`/v1/analytics` with it, so the dashboard is exactly as protected as the API. `?lang=en` for English.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from inden.config import get_settings
from inden.i18n import locale_of, template_environment
from inden.web.backoffice.auth import Signed

router = APIRouter(include_in_schema=False)
TEMPLATES = Path(__file__).parent / "templates"
NUMBER_LOCALES = {"id": "id-ID", "en": "en-US"}  # for the browser's Intl formatting


@router.get("/dashboard")
def dashboard(account: Signed, lang: Literal["id", "en"] | None = None) -> HTMLResponse:
    """Behind the back office's login; the figures still come from the API with a staff key."""
    locale = locale_of(lang or account.locale)
    html = template_environment(TEMPLATES, locale).get_template("dashboard.html").render(
        locale=locale, shop=get_settings().shop_name, number_locale=NUMBER_LOCALES[locale])
    return HTMLResponse(html, headers={"Cache-Control": "no-store"})
