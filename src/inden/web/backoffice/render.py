"""Rendering back-office pages: one Jinja2 environment per language, with the shop's money, date and number
formats as filters, and the layout's context (who is logged in, their CSRF token, the current section)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from babel.numbers import format_decimal
from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment

from inden.clock import shop_date
from inden.config import Settings
from inden.i18n import format_day, format_money, template_environment, translate
from inden.services.accounts import Account

TEMPLATES = Path(__file__).parents[1] / "templates"
HEADERS = {"Cache-Control": "no-store", "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin",
           "X-Content-Type-Options": "nosniff",
           "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                                      "script-src 'self'; frame-ancestors 'none'; form-action 'self'"}


def app_settings(request: Request) -> Settings:
    """The settings the app was made with (`api.app.create_app`: the database's), not this process's
    environment: a test's or a second shop's app shows its own."""
    settings: Settings = request.app.state.settings
    return settings


@lru_cache
def environment(locale: str, timezone: str) -> Environment:
    """The back office's templates speaking `locale`, with `money`, `day`, `num` and `when` filters (a moment
    shown as a day is the shop's day in `timezone`)."""
    env = template_environment(TEMPLATES, locale)
    env.filters["money"] = lambda amount: "—" if amount is None else format_money(Decimal(amount), locale)
    env.filters["day"] = lambda value: _day(value, locale, timezone)
    env.filters["num"] = lambda value: "—" if value is None else format_decimal(value, locale=locale)
    env.filters["pct"] = lambda value: "—" if value is None else format_decimal(
        round(float(value) * 100, 1), locale=locale) + " %"
    env.globals["t"] = lambda text, **params: translate(locale, text, **params)
    return env


def _day(value: date | datetime | None, locale: str, timezone: str) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = shop_date(value, timezone)
    return format_day(value, locale)


@dataclass
class Errors:
    """Problems with a submitted form: a message per field (shown beside it and in the error summary). Messages
    are catalogue ids (marked with N_) with their `%(name)s` parameters, translated when the page is drawn."""

    fields: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)

    def add(self, name: str, message: str, **params: Any) -> None:
        self.fields.setdefault(name, (message, params))

    def __bool__(self) -> bool:
        return bool(self.fields)


def _here(request: Request) -> str:
    """Where the language switch returns to: this page, or after a form's POST the page the form was on."""
    if request.method == "GET":
        return request.url.path + (f"?{request.url.query}" if request.url.query else "")
    referer = urlsplit(request.headers.get("referer", ""))
    same_site = referer.netloc == request.url.netloc and referer.path.startswith("/")
    return referer.path + (f"?{referer.query}" if referer.query else "") if same_site else "/"


def page(request: Request, account: Account | None, template: str, *, status_code: int = 200,
         locale: str | None = None, **context: Any) -> HTMLResponse:
    """Render a page of the back office in the account's language (or `locale` before login)."""
    settings = app_settings(request)
    locale = locale or (account.locale if account else settings.default_locale)
    context.setdefault("errors", Errors())
    context.setdefault("values", {})
    html = environment(locale, settings.timezone).get_template(f"backoffice/{template}").render(
        request=request, account=account, locale=locale, shop=settings.shop_name,
        csrf=account.csrf_token if account else context.pop("csrf", ""), path=request.url.path,
        here=_here(request), **context)
    return HTMLResponse(html, status_code=status_code, headers=HEADERS)
