"""`GET /dashboard`: the seller's figures at a glance, a page of the back office (the report of `GET /v1/analytics`).

Drawn on the server like every back-office page, behind its login, in the account's language (`?lang=en` or
`?lang=id` to choose one); the period is a link (7, 30 or 90 days; any 1–730 by hand).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from inden.services.analytics import shop_report, why_at_risk
from inden.web.backoffice.auth import Signed, database
from inden.web.backoffice.render import page

router = APIRouter(include_in_schema=False)
PERIODS = (7, 30, 90)


@router.get("/dashboard")
def dashboard(request: Request, account: Signed, days: Annotated[int, Query(ge=1, le=730)] = 30,
              lang: Literal["id", "en"] | None = None) -> HTMLResponse:
    report = shop_report(database(request), days=days)
    return page(request, account, "report.html", locale=lang, report=report, periods=PERIODS,
                why_at_risk=why_at_risk)
