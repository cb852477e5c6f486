"""Pages a shopper opens from an email: confirm a back-in-stock sign-up, unsubscribe.

The token in the link is the credential (no API key). Opening a link only shows a page with a button; the
change happens on the button's POST, so mail scanners that open every link confirm or cancel nothing.
Unsubscribe also answers RFC 8058 one-click POSTs to the same address (the `List-Unsubscribe` header).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from inden.db.session import Database
from inden.domain.errors import UnknownSubscriptionLink
from inden.domain.states import SubscriptionStatus
from inden.i18n import N_, locale_of, template_environment, translate
from inden.services import subscriptions
from inden.services.schemas.storefront import SubscriptionOut


async def _database(request: Request) -> Database:  # async: no thread hop for a dependency that does no I/O
    db: Database = request.app.state.db
    return db


router = APIRouter(prefix="/subscriptions", include_in_schema=False)
Db = Annotated[Database, Depends(_database)]
Token = Annotated[str, Query(min_length=1, max_length=64)]
TEMPLATES = Path(__file__).parent / "templates"

_TITLES = {
    "ask_confirm": N_("Confirm your sign-up"),
    "confirmed": N_("You are signed up"),
    "ask_unsubscribe": N_("Unsubscribe"),
    "unsubscribed": N_("You are unsubscribed"),
    "invalid": N_("This link is no longer valid."),
}


def _page(request: Request, state: str, locale: str, *, subscription: SubscriptionOut | None = None,
          action: str = "", status_code: int = 200) -> HTMLResponse:
    context: dict[str, Any] = {"state": state, "locale": locale, "subscription": subscription, "action": action,
                               "shop": request.app.state.settings.shop_name, "title": translate(locale, _TITLES[state])}
    html = template_environment(TEMPLATES, locale).get_template("subscription.html").render(context)
    return HTMLResponse(html, status_code=status_code, headers={"Cache-Control": "no-store"})


def _visitor_locale(request: Request) -> str:
    return locale_of(request.headers.get("accept-language", "").split(",")[0].strip())


def _answer(request: Request, step: Callable[[], SubscriptionOut], done: str) -> HTMLResponse:
    """Run `step` (look up, confirm or unsubscribe) and show the page for `done`, or the dead-link page."""
    try:
        subscription = step()
    except UnknownSubscriptionLink:
        return _page(request, "invalid", _visitor_locale(request), status_code=404)
    if done == "ask_confirm" and subscription.status != SubscriptionStatus.PENDING:
        waiting = subscription.status in (SubscriptionStatus.CONFIRMED, SubscriptionStatus.NOTIFIED)
        done = "confirmed" if waiting else "invalid"
    return _page(request, done, subscription.locale, subscription=subscription, action=str(request.url))


@router.get("/confirm")
def ask_confirm(request: Request, token: Token, db: Db) -> HTMLResponse:
    return _answer(request, lambda: subscriptions.find_subscription(db, token), "ask_confirm")


@router.post("/confirm")
def confirm(request: Request, token: Token, db: Db) -> HTMLResponse:
    return _answer(request, lambda: subscriptions.confirm(db, token), "confirmed")


@router.get("/unsubscribe")
def ask_unsubscribe(request: Request, token: Token, db: Db) -> HTMLResponse:
    return _answer(request, lambda: subscriptions.find_subscription(db, token), "ask_unsubscribe")


@router.post("/unsubscribe")
def unsubscribe(request: Request, token: Token, db: Db) -> HTMLResponse:
    return _answer(request, lambda: subscriptions.unsubscribe(db, token), "unsubscribed")
