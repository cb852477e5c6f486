"""The buyer's own order page, opened from the link in every order email (no account): `/o/{token}`.

The link's secret is the credential. Opening any link — the page, or the keep-waiting and cancel buttons of a
date-change email — only shows a page; the change happens on its form's POST, so mail scanners that open every
link change nothing. A POST needs the secret in its address (a forged form on another site cannot know it)
and is refused when the browser says it comes from another site (`Sec-Fetch-Site`, `Origin`). Pages speak
the order's language unless `?lang=` says otherwise; the stylesheet is served by inden, nothing from a CDN.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, FastAPI, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment
from starlette.concurrency import run_in_threadpool

from inden.clock import shop_date
from inden.db.session import Database
from inden.domain.errors import InvalidRequest, UnknownOrderLink
from inden.domain.orders import OrderStatus
from inden.domain.states import OrderChoiceKind
from inden.i18n import LOCALES, N_, format_day, locale_of, template_environment, translate
from inden.services import contact, shopper
from inden.services.shopper import ShopperOrder

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static" / "shop"
HEADERS = {"Cache-Control": "no-store", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer",
           "X-Content-Type-Options": "nosniff", "X-Robots-Tag": "noindex",
           "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; "
                                      "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"}
STATUS = {
    OrderStatus.ALLOCATED: N_("Everything is reserved for you and will be shipped soon."),
    OrderStatus.PARTIALLY_BACKORDERED: N_("Some items are reserved for you; the rest are on the way."),
    OrderStatus.BACKORDERED: N_("Your items are on the way to us; your place in the queue is kept."),
    OrderStatus.PARTIALLY_SHIPPED: N_("Part of your order has been shipped."),
    OrderStatus.SHIPPED: N_("Your order has been shipped."),
    OrderStatus.CANCELLED: N_("This order is cancelled."),
}
ACTIONS = {"keep": OrderChoiceKind.KEEP_WAITING, "cancel": OrderChoiceKind.CANCEL}
WHATSAPP_OFF = "whatsapp-off"  # the buyer's number opts out of WhatsApp: emails from now on

router = APIRouter(include_in_schema=False)
Token = Annotated[str, PathParam()]  # any text: a wrong one is the "not valid" page, not a JSON 422


@lru_cache
def _environment(locale: str) -> Environment:
    env = template_environment(TEMPLATES, locale)
    env.globals["t"] = lambda text, **params: translate(locale, text, **params)
    return env


def _database(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def _locale(request: Request, order: ShopperOrder | None) -> str:
    asked = request.query_params.get("lang")
    if asked in LOCALES:
        return asked
    fallback = locale_of(request.headers.get("accept-language", "").split(",")[0].strip())
    return locale_of(order.order.customer.locale, fallback) if order else fallback


def _render(request: Request, template: str, locale: str, *, status_code: int = 200, **context: Any) -> HTMLResponse:
    settings = request.app.state.settings

    def day(value: Any) -> str:
        if value is None:
            return "—"
        return format_day(value if not hasattr(value, "hour") else shop_date(value, settings.timezone), locale)

    html = _environment(locale).get_template(f"shopper/{template}").render(
        locale=locale, shop=settings.shop_name, day=day, path=request.url.path, **context)
    return HTMLResponse(html, status_code=status_code, headers=HEADERS)


def _invalid(request: Request) -> HTMLResponse:
    return _render(request, "invalid.html", _locale(request, None), status_code=404)


def _order_page(request: Request, order: ShopperOrder, *, done: str | None = None,
                status_code: int = 200) -> HTMLResponse:
    return _render(request, "order.html", _locale(request, order), status_code=status_code, view=order,
                   order=order.order, status=STATUS[order.order.status], done=done)


@router.get("/o/{token}")
def order_page(request: Request, token: Token) -> HTMLResponse:
    try:
        order = shopper.open_order(_database(request), token)
    except UnknownOrderLink:
        return _invalid(request)
    done = request.query_params.get("done")
    return _order_page(request, order, done=done if done in ACTIONS or done == WHATSAPP_OFF else None)


@router.get("/o/{token}/{action}")
def confirm_page(request: Request, token: Token, action: str) -> HTMLResponse:
    """The page a keep-waiting or cancel button opens: it asks, the form's POST acts."""
    if action not in ACTIONS:
        return _invalid(request)
    try:
        order = shopper.open_order(_database(request), token)
    except UnknownOrderLink:
        return _invalid(request)
    if not order.waiting:  # answered already, or served meanwhile: the order page says where things are
        return _order_page(request, order)
    return _render(request, "confirm.html", _locale(request, order), view=order, order=order.order, action=action)


def _cross_site(request: Request) -> bool:
    if request.headers.get("sec-fetch-site", "") == "cross-site":
        return True
    origin = request.headers.get("origin")
    return bool(origin) and origin != "null" and urlsplit(origin).netloc != request.url.netloc


@router.post("/o/{token}/{action}")
async def act(request: Request, token: Token, action: str) -> Response:
    if (action not in ACTIONS and action != WHATSAPP_OFF) or _cross_site(request):
        return _render(request, "invalid.html", _locale(request, None), status_code=403)
    form = await request.form()
    skus = [str(value) for value in form.getlist("sku")] or None
    db = _database(request)
    try:
        if action == WHATSAPP_OFF:
            await run_in_threadpool(contact.stop_whatsapp_for_order, db, token)
        else:
            await run_in_threadpool(shopper.choose, db, token, ACTIONS[action], skus)
    except UnknownOrderLink:
        return _invalid(request)
    except InvalidRequest:  # nothing waiting any more (a second click, or served meanwhile)
        pass
    lang = request.query_params.get("lang")
    suffix = f"&lang={lang}" if lang in LOCALES else ""
    return RedirectResponse(f"/o/{token}?done={action}{suffix}", status_code=303, headers=HEADERS)


def install_shopper_pages(app: FastAPI) -> None:
    """Add the buyer's order pages and their stylesheet (`/static/shop/`) to `app`."""
    app.mount("/static/shop", StaticFiles(directory=STATIC), name="shop-assets")
    app.include_router(router)
