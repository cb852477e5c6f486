"""The seller's back office: server-rendered pages behind a login (see docs/back-office.md)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from inden.web.backoffice import account, imports, orders, plan, products, purchasing, settings, today
from inden.web.backoffice.auth import install_auth_handlers

STATIC = Path(__file__).parents[1] / "static" / "backoffice"
UPLOAD_LIMITS = {"/import": 21 * 1024 * 1024}  # a CSV of up to 20 MB and its form around it


def install_back_office(app: FastAPI) -> None:
    """Add the back office's pages, its stylesheet and script, and its login redirect to `app`."""
    app.mount("/static/backoffice", StaticFiles(directory=STATIC), name="backoffice-assets")
    install_auth_handlers(app)
    for module in (account, today, products, orders, purchasing, plan, imports, settings):
        app.include_router(module.router)
