"""`/`: Today — what needs the seller now, each figure a link to the list where it is acted on."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from inden.services.back_office.today import today_view
from inden.web.backoffice.auth import Signed, database
from inden.web.backoffice.render import page

router = APIRouter(include_in_schema=False)


@router.get("/")
def today(request: Request, account: Signed) -> HTMLResponse:
    return page(request, account, "today.html", view=today_view(database(request)))
