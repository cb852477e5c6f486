"""Who may see a back-office page: the session cookie, the owner-only pages, and the CSRF check of every form.

Pages depend on `Signed` (any logged-in user), `Owner` (the owner only) or, for a form's POST, `Posted`/`OwnerPosted`
(the form, after its `csrf_token` matched the session's). Failing that, the handlers installed by
`install_auth_handlers` answer: a redirect to /login, or a 403 page.
"""

from __future__ import annotations

import secrets
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from inden.db.session import Database
from inden.services.accounts import Account, session_account
from inden.web.backoffice.render import app_settings, page

SESSION_COOKIE = "inden_session"
LOGIN_CSRF_COOKIE = "inden_login_csrf"  # before login there is no session: the form's token is double-submitted


class LoginRequired(Exception):
    """No live session: the page sends the browser to /login."""


class OwnerOnly(Exception):
    def __init__(self, account: Account) -> None:
        self.account = account


class BadCsrf(Exception):
    def __init__(self, account: Account | None) -> None:
        self.account = account


def database(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def over_https(request: Request) -> bool:
    return request.url.scheme == "https" or app_settings(request).base_url.startswith("https://")


def set_cookie(request: Request, response: Response, name: str, value: str, *, max_age: int | None = None) -> None:
    response.set_cookie(name, value, httponly=True, samesite="lax", secure=over_https(request), path="/",
                        max_age=max_age)


def signed_in(request: Request) -> Account:
    token = request.cookies.get(SESSION_COOKIE)
    account = session_account(database(request), token) if token else None
    if account is None:
        raise LoginRequired()
    return account


def owner(account: Annotated[Account, Depends(signed_in)]) -> Account:
    if not account.is_owner:
        raise OwnerOnly(account)
    return account


async def _form_of(request: Request, account: Account) -> FormData:
    form = await request.form()
    sent = form.get("csrf_token")
    if not isinstance(sent, str) or not secrets.compare_digest(sent, account.csrf_token):
        raise BadCsrf(account)
    return form


async def posted(request: Request, account: Annotated[Account, Depends(signed_in)]) -> FormData:
    return await _form_of(request, account)


async def owner_posted(request: Request, account: Annotated[Account, Depends(owner)]) -> FormData:
    return await _form_of(request, account)


Signed = Annotated[Account, Depends(signed_in)]
Owner = Annotated[Account, Depends(owner)]
Posted = Annotated[FormData, Depends(posted)]
OwnerPosted = Annotated[FormData, Depends(owner_posted)]


def install_auth_handlers(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def _login(request: Request, _: LoginRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if request.method != "GET":
            target = "/"
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303,
                                headers={"Cache-Control": "no-store"})

    @app.exception_handler(OwnerOnly)
    async def _owner(request: Request, error: OwnerOnly) -> HTMLResponse:
        return page(request, error.account, "refused.html", status_code=403, reason="owner")

    @app.exception_handler(BadCsrf)
    async def _csrf(request: Request, error: BadCsrf) -> HTMLResponse:
        return page(request, error.account, "refused.html", status_code=403, reason="csrf")
