"""`GET /dashboard`: the seller's figures at a glance in a browser (the page of `GET /v1/analytics`).

Behind the back office's login: the page reads its figures from `/dashboard/figures` (the same report as
`GET /v1/analytics`) with the login's session, so a seller who is logged in needs no API key. `?lang=en` for
English.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from inden.i18n import locale_of, template_environment
from inden.services.analytics import shop_report
from inden.services.schemas.analytics import AnalyticsOut
from inden.web.backoffice.auth import Signed, database

router = APIRouter(include_in_schema=False)
TEMPLATES = Path(__file__).parent / "templates"
NUMBER_LOCALES = {"id": "id-ID", "en": "en-US"}  # for the browser's Intl formatting


@router.get("/dashboard")
def dashboard(request: Request, account: Signed, lang: Literal["id", "en"] | None = None) -> HTMLResponse:
    """Behind the back office's login; the page's script then reads `dashboard_figures`."""
    locale = locale_of(lang or account.locale)
    html = template_environment(TEMPLATES, locale).get_template("dashboard.html").render(
        locale=locale, shop=request.app.state.settings.shop_name, number_locale=NUMBER_LOCALES[locale])
    return HTMLResponse(html, headers={"Cache-Control": "no-store"})


@router.get("/dashboard/figures")
def dashboard_figures(request: Request, account: Signed,
                      days: Annotated[int, Query(ge=1, le=730)] = 30) -> AnalyticsOut:
    """The dashboard's figures (`GET /v1/analytics`'s report) for a logged-in seller."""
    return shop_report(database(request), days=days)
