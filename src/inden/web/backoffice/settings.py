"""`/settings` (the owner only): people, API keys, webhooks, a test email, and the shop's configuration
(read-only: it comes from `INDEN_*` settings read at start)."""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from inden.domain.errors import DomainError
from inden.i18n import N_
from inden.services import accounts, keys, webhooks
from inden.services.accounts import DuplicateUser, UserRole
from inden.services.delivery import list_outbox
from inden.services.email_check import send_test_email
from inden.services.keys import Role
from inden.services.schemas.webhooks import WebhookCreate
from inden.web.backoffice import forms
from inden.web.backoffice.auth import Owner, OwnerPosted, database
from inden.web.backoffice.forms import RecordId
from inden.web.backoffice.render import Errors, app_settings, page

router = APIRouter(include_in_schema=False)
SHOWN_SETTINGS = ("shop_name", "base_url", "default_locale", "timezone", "currency", "handling_days",
                  "low_stock_threshold", "service_level", "auto_purchase", "forecast_horizon_days", "smtp_from",
                  "seller_email", "session_idle_minutes", "login_failures_allowed")


def _settings_page(request: Request, account: Owner, *, errors: Errors | None = None, status_code: int = 200,
                   **extra: Any) -> HTMLResponse:
    db = database(request)
    settings = app_settings(request)
    config = {name: getattr(settings, name) for name in SHOWN_SETTINGS}
    config["smtp_url"] = "✓" if settings.smtp_url else "—"  # holds a password: never shown
    config["database_url"] = "SQLite" if db.is_sqlite else "PostgreSQL"
    return page(request, account, "settings.html", users=accounts.list_users(db), keys=keys.list_keys(db),
                webhooks=webhooks.list_webhooks(db), failed=list_outbox(db, failed=True, limit=20), config=config,
                errors=errors or Errors(), status_code=status_code, values=extra.pop("values", {}),
                saved=request.query_params.get("saved"), **extra)


@router.get("/settings")
def settings_page(request: Request, account: Owner) -> HTMLResponse:
    return _settings_page(request, account)


@router.post("/settings/users")
def add_user(request: Request, account: Owner, form: OwnerPosted) -> Response:
    errors = Errors()
    email = forms.text(form, "email", errors, max_length=254)
    role = forms.choice(form, "role", errors, tuple(r.value for r in UserRole))
    if email and ("@" not in email or " " in email):
        errors.add("email", N_("Enter an email address like nama@toko.id."))
    token = None
    if not errors:
        try:
            token = accounts.add_user(database(request), email or "", UserRole(role or "staff"),
                                     locale=account.locale)
        except DuplicateUser:
            errors.add("email", N_("Someone with this email already has an account."))
        except DomainError as error:
            forms.from_domain(error, errors, "email")
    if errors:
        return _settings_page(request, account, errors=errors, status_code=422, values=dict(form))
    link = f"{app_settings(request).base_url.rstrip('/')}/setup/{token}"
    return _settings_page(request, account, setup_link=link, setup_for=email)


@router.post("/settings/users/reset")
def reset_user(request: Request, account: Owner, form: OwnerPosted) -> Response:
    email = forms.raw(form, "email")
    try:
        token = accounts.reset_user(database(request), email)
    except DomainError:
        return RedirectResponse("/settings", status_code=303)
    link = f"{app_settings(request).base_url.rstrip('/')}/setup/{token}"
    return _settings_page(request, account, setup_link=link, setup_for=email)


@router.post("/settings/users/remove")
def remove_user(request: Request, account: Owner, form: OwnerPosted) -> Response:
    email = forms.raw(form, "email")
    errors = Errors()
    if accounts.normal_email(email) == account.email:
        errors.add("users", N_("You cannot remove yourself."))
        return _settings_page(request, account, errors=errors, status_code=422)
    try:
        accounts.remove_user(database(request), email)
    except DomainError as error:
        forms.from_domain(error, errors, "users")
        return _settings_page(request, account, errors=errors, status_code=422)
    return RedirectResponse("/settings?saved=user-removed", status_code=303)


@router.post("/settings/keys")
def create_key(request: Request, account: Owner, form: OwnerPosted) -> Response:
    errors = Errors()
    role = forms.choice(form, "key_role", errors, tuple(r.value for r in Role))
    if errors:
        return _settings_page(request, account, errors=errors, status_code=422)
    key = keys.create_key(database(request), Role(role or "staff"))
    return _settings_page(request, account, new_key=key)


@router.post("/settings/keys/{key_id}/revoke")
def revoke_key(request: Request, account: Owner, form: OwnerPosted, key_id: RecordId) -> Response:
    with suppress(DomainError):  # already gone: the page shows the keys as they are
        keys.revoke_key(database(request), key_id)
    request.app.state.keys.forget()  # at once in this process (others within the key cache's seconds)
    return RedirectResponse("/settings?saved=key-revoked#keys", status_code=303)


@router.post("/settings/webhooks")
def add_webhook(request: Request, account: Owner, form: OwnerPosted) -> Response:
    errors = Errors()
    url = forms.text(form, "url", errors, max_length=2000)
    created = None
    if not errors:
        try:
            created = webhooks.add_webhook(database(request), WebhookCreate(url=url))
        except ValidationError:
            errors.add("url", N_("Enter a full web address starting with https://."))
        except DomainError as error:
            forms.from_domain(error, errors, "url")
    if errors or created is None:
        return _settings_page(request, account, errors=errors, status_code=422, values=dict(form))
    return _settings_page(request, account, new_webhook=created)


@router.post("/settings/webhooks/{webhook_id}/{action}")
def change_webhook(request: Request, account: Owner, form: OwnerPosted, webhook_id: RecordId, action: str) -> Response:
    with suppress(DomainError):  # already removed: the page shows what is left
        if action == "enable":
            webhooks.enable_webhook(database(request), webhook_id)
        elif action == "remove":
            webhooks.remove_webhook(database(request), webhook_id)
    return RedirectResponse("/settings?saved=webhook#webhooks", status_code=303)


@router.post("/settings/test-email")
def test_email(request: Request, account: Owner, form: OwnerPosted) -> Response:
    errors = Errors()
    to = forms.text(form, "to", errors, max_length=254)
    if to and "@" not in to:
        errors.add("to", N_("Enter an email address like nama@toko.id."))
    if not errors:
        try:
            send_test_email(to or "", locale=account.locale, settings=request.app.state.settings)
        except DomainError as error:
            if error.details.get("reason") == "no_smtp":
                errors.add("to", N_("No email server is set: start inden with INDEN_SMTP_URL."))
            else:
                errors.add("to", N_("The email server refused the message: %(reason)s"), reason=error.message)
    if errors:
        return _settings_page(request, account, errors=errors, status_code=422, values=dict(form))
    return RedirectResponse("/settings?saved=email#email", status_code=303)


@router.post("/settings/retry-emails")
def retry_emails(request: Request, account: Owner, form: OwnerPosted) -> Response:
    from inden.services.delivery import retry_failed

    retry_failed(database(request), all_failed=True)
    return RedirectResponse("/settings?saved=retry#email", status_code=303)
