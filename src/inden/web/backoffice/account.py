"""Logging in and out, the one-time setup link that sets a password, and the language switch."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from inden.i18n import LOCALES, N_, locale_of
from inden.services import accounts
from inden.services.accounts import BadLogin, InvalidSetupLink, LoginThrottled, WeakPassword
from inden.web.backoffice.auth import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    BadCsrf,
    Posted,
    Signed,
    database,
    set_cookie,
)
from inden.web.backoffice.render import Errors, page

router = APIRouter(include_in_schema=False)
Field = Annotated[str, Form(max_length=500)]


def safe_next(target: str | None) -> str:
    """Only a path of this site (never `//host` or a full URL) is followed after login."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def _login_page(request: Request, *, locale: str, next_: str, errors: Errors | None = None, email: str = "",
                status_code: int = 200, wait: int | None = None) -> HTMLResponse:
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)
    response = page(request, None, "login.html", locale=locale, csrf=token, next=next_, errors=errors or Errors(),
                    values={"email": email}, status_code=status_code, wait=wait)
    set_cookie(request, response, LOGIN_CSRF_COOKIE, token)
    if wait is not None:
        response.headers["Retry-After"] = str(wait)
    return response


@router.get("/login")
def login_form(request: Request, next: str | None = None, lang: str | None = None) -> HTMLResponse:  # noqa: A002
    return _login_page(request, locale=locale_of(lang), next_=safe_next(next))


@router.post("/login")
def login(request: Request, email: Field = "", password: Field = "", csrf_token: Field = "",
          next: Field = "/", lang: Field = "") -> Response:  # noqa: A002
    locale = locale_of(lang or None)
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not cookie or not secrets.compare_digest(cookie, csrf_token):
        raise BadCsrf(None)
    errors = Errors()
    if not email.strip():
        errors.add("email", N_("Enter your email address."))
    if not password:
        errors.add("password", N_("Enter your password."))
    if errors:
        return _login_page(request, locale=locale, next_=safe_next(next), errors=errors, email=email,
                           status_code=422)
    client = request.client.host if request.client else "unknown"
    try:
        token, account = accounts.log_in(database(request), email, password, client=client)
    except LoginThrottled as error:
        errors.add("email", N_("Too many failed logins. Try again in a few minutes."))
        return _login_page(request, locale=locale, next_=safe_next(next), errors=errors, email=email,
                           status_code=429, wait=error.wait_seconds)
    except BadLogin:
        errors.add("email", N_("Wrong email or password."))
        return _login_page(request, locale=locale, next_=safe_next(next), errors=errors, email=email,
                           status_code=401)
    response = RedirectResponse(safe_next(next), status_code=303)
    set_cookie(request, response, SESSION_COOKIE, token)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/")
    return response


@router.post("/logout")
def logout(request: Request, _: Posted) -> Response:
    accounts.log_out(database(request), request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post("/language")
def language(request: Request, account: Signed, form: Posted) -> Response:
    chosen = str(form.get("locale", ""))
    if chosen in LOCALES:
        accounts.set_locale(database(request), account.id, chosen)
    return RedirectResponse(safe_next(str(form.get("next", "/"))), status_code=303)


def _setup_page(request: Request, token: str, *, email: str, errors: Errors | None = None,
                status_code: int = 200) -> HTMLResponse:
    csrf = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)
    response = page(request, None, "setup.html", csrf=csrf, email=email, token=token, errors=errors or Errors(),
                    status_code=status_code)
    set_cookie(request, response, LOGIN_CSRF_COOKIE, csrf)
    return response


@router.get("/setup/{token}")
def setup_form(request: Request, token: str) -> HTMLResponse:
    try:
        email = accounts.setup_email(database(request), token)
    except InvalidSetupLink:
        return page(request, None, "refused.html", status_code=404, reason="setup")
    return _setup_page(request, token, email=email)


@router.post("/setup/{token}")
def setup(request: Request, token: str, password: Field = "", confirm: Field = "",
          csrf_token: Field = "") -> Response:
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not cookie or not secrets.compare_digest(cookie, csrf_token):
        raise BadCsrf(None)
    db = database(request)
    try:
        email = accounts.setup_email(db, token)
    except InvalidSetupLink:
        return page(request, None, "refused.html", status_code=404, reason="setup")
    errors = Errors()
    if password != confirm:
        errors.add("confirm", N_("The two passwords differ."))
    if not errors:
        try:
            accounts.complete_setup(db, token, password)
        except WeakPassword:
            errors.add("password", N_("Use at least 10 characters."))
        except InvalidSetupLink:
            return page(request, None, "refused.html", status_code=404, reason="setup")
    if errors:
        return _setup_page(request, token, email=email, errors=errors, status_code=422)
    return RedirectResponse("/login?done=1", status_code=303)
