"""The seller's back office: server-rendered pages behind a login (see docs/back-office.md)."""

from __future__ import annotations

import inspect
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from inden.web.backoffice import account, imports, orders, plan, products, purchasing, settings, today
from inden.web.backoffice.auth import install_auth_handlers
from inden.web.backoffice.render import page

STATIC = Path(__file__).parents[1] / "static" / "backoffice"
UPLOAD_LIMITS = {"/import": 21 * 1024 * 1024}  # a CSV of up to 20 MB and its form around it


PAGE_PREFIXES = ("/products/", "/orders/", "/purchase-orders/", "/plan/", "/settings/", "/suppliers/")


def install_back_office(app: FastAPI) -> None:
    """Add the back office's pages, its stylesheet and script, and its login redirect to `app` (after the API's
    error handlers: a page address with a malformed part, such as `/orders/abc`, answers a 404 page, not JSON)."""
    app.mount("/static/backoffice", StaticFiles(directory=STATIC), name="backoffice-assets")
    install_auth_handlers(app)
    api_invalid = app.exception_handlers[RequestValidationError]

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> Response:
        if request.url.path.startswith(PAGE_PREFIXES):
            return page(request, None, "refused.html", status_code=404, reason="missing", message="")
        answer = api_invalid(request, error)
        return await answer if inspect.isawaitable(answer) else answer

    for module in (account, today, products, orders, purchasing, plan, imports, settings):
        app.include_router(module.router)
