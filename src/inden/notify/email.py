"""Outbox events as emails, in the reader's language, and the port that sends them (SMTP).

Rendering: every event type has ONE template in `templates/` (`<event type>.jinja`), rendered twice — as
plain text (no escaping) and as HTML (autoescaped) — through the same `{% trans %}` blocks, so the two parts
of a message cannot say different things and a text is translated once. Only `layout.*` and `parts.*`
(paragraph, list item, button, link) differ between the formats. Message ids are the English text; the
catalogues are `inden/locale` (see `inden.i18n`). Dates, money and numbers are formatted here, before they
reach a template, with the same functions the storefront uses.

Sending: `Mailer` is the port (`send(message)`); `SmtpMailer` speaks SMTP with the standard library and tells
the caller what a failure means by its exception class: `MessageRejected` (5xx — sending it again will not
help), `MessageDeferred` (4xx — try later), `MailerUnavailable` (no connection, login refused, server
closing — nothing can be sent right now, whatever the message).
"""

from __future__ import annotations

import hashlib
import re
import smtplib
import ssl
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate
from functools import lru_cache
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, Protocol
from urllib.parse import unquote, urlsplit

from babel.numbers import format_decimal, format_percent
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from inden.config import Settings, get_settings
from inden.i18n import format_day, format_money, locale_of, translations

TEMPLATES = Path(__file__).parent / "templates"

Payload = Mapping[str, Any]
ProductNames = Mapping[str, str]

# --- who reads it ---------------------------------------------------------------------------------------

SELLER_ALERTS = frozenset({"reorder_point_reached"})
SUBSCRIBER_EVENTS = frozenset({"subscription.confirm", "back_in_stock"})


@dataclass(frozen=True, slots=True)
class Addressee:
    email: str
    locale: str
    name: str | None = None


def addressee(event_type: str, payload: Payload, *, settings: Settings | None = None) -> Addressee | None:
    """Who an event's email goes to, in which language; None when there is no one to tell.

    Customers' events go to the order's customer, sign-up events to the subscriber, seller alerts to
    `seller_email` in the shop's default language (None while it is not set).
    """
    settings = settings or get_settings()
    if event_type in SELLER_ALERTS:
        email, locale, name = settings.seller_email, settings.default_locale, None
    elif event_type in SUBSCRIBER_EVENTS:
        email, locale, name = payload.get("email"), payload.get("locale"), None
    else:
        customer = payload.get("customer") or {}
        email, locale, name = customer.get("email"), customer.get("locale"), customer.get("name")
    return Addressee(email, locale_of(locale), name or None) if email else None


# --- what it says ---------------------------------------------------------------------------------------


def _day(iso: str | None, locale: str) -> str | None:
    return None if iso is None else format_day(date.fromisoformat(iso), locale)


def _later_day(first: str | None, last: str | None, locale: str) -> str | None:
    """The "at the latest" date, only when it says more than the first one."""
    return _day(last, locale) if first and last and last > first else None


def _product(names: ProductNames, sku: str) -> str:
    return names.get(sku, sku)


def _order_backordered(payload: Payload, locale: str, names: ProductNames) -> dict[str, Any]:
    return {"order_id": payload["order_id"], "lines": [
        {"product": _product(names, line["sku"]), "quantity": line["backordered"], "eta": _day(line["eta"], locale),
         "latest": _later_day(line["eta"], line.get("eta_latest"), locale),
         "estimated": line.get("eta_confidence") == "estimated"}
        for line in payload["lines"]
    ]}


def _direction(old: Payload, new: Payload) -> Literal["earlier", "later", "same"]:
    if new["eta"] != old["eta"]:
        return "earlier" if new["eta"] < old["eta"] else "later"
    if old.get("eta_latest") and new.get("eta_latest") and new["eta_latest"] != old["eta_latest"]:
        return "earlier" if new["eta_latest"] < old["eta_latest"] else "later"
    return "same"


def eta_changes(payload: Payload) -> list[dict[str, Any]]:
    """The `{sku, old, new}` moves an `eta_changed` payload carries: one for an event as the services write
    it, several for the digest `eta_digest` makes of one order's events."""
    if "changes" in payload:
        return list(payload["changes"])
    return [{"sku": payload["sku"], "old": payload["old"], "new": payload["new"]}]


def eta_digest(payloads: Sequence[Payload]) -> dict[str, Any]:
    """Several `eta_changed` payloads of ONE order (oldest first) as one: per SKU the newest promise and the
    date it replaces (the oldest `old`). SKUs whose promise came back to where it was are left out, so the
    digest may have no changes at all — then the customer has nothing to hear.
    """
    first: dict[str, Payload] = {}
    last: dict[str, Payload] = {}
    for payload in payloads:
        for change in eta_changes(payload):
            first.setdefault(change["sku"], change["old"])
            last[change["sku"]] = change["new"]
    changes = [
        {"sku": sku, "old": old, "new": last[sku]} for sku, old in first.items()
        if (old.get("eta"), old.get("eta_latest")) != (last[sku].get("eta"), last[sku].get("eta_latest"))
    ]
    return {"order_id": payloads[0]["order_id"], "customer": payloads[-1]["customer"], "changes": changes}


def _eta_changed(payload: Payload, locale: str, names: ProductNames) -> dict[str, Any]:
    changes = []
    for change in eta_changes(payload):
        old, new = change["old"], change["new"]
        changes.append({
            "product": _product(names, change["sku"]), "old": _day(old["eta"], locale),
            "new": _day(new.get("eta"), locale), "latest": _day(new.get("eta_latest"), locale),
            "old_latest": _day(old.get("eta_latest"), locale),
            "direction": _direction(old, new) if new.get("eta") else "later",
            "estimated": new.get("eta_confidence") == "estimated",
        })
    return {"order_id": payload["order_id"], "changes": changes}


def _backorder_allocated(payload: Payload, locale: str, names: ProductNames) -> dict[str, Any]:
    return {"order_id": payload["order_id"], "product": _product(names, payload["sku"]),
            "allocated": payload["allocated"], "waiting": payload["waiting"],
            "complete": payload.get("status") == "allocated"}


def _order_lines(payload: Payload, locale: str, names: ProductNames) -> dict[str, Any]:
    return {"order_id": payload["order_id"], "lines": [
        {"product": _product(names, line["sku"]), "quantity": line["quantity"]} for line in payload["lines"]
    ]}


def _reorder_point_reached(payload: Payload, locale: str, names: ProductNames) -> dict[str, Any]:
    return {"product": _product(names, payload["sku"]), "sku": payload["sku"],
            "position": format_decimal(payload["inventory_position"], locale=locale),
            "reorder_point": format_decimal(payload["reorder_point"], locale=locale),
            "risk": format_percent(payload["risk"], locale=locale), "suggestion_id": payload.get("suggestion_id")}


def _subscription_confirm(payload: Payload, locale: str, names: ProductNames) -> dict[str, Any]:
    return {"product": payload.get("product_name") or payload["sku"], "confirm_url": payload["confirm_url"]}


def _back_in_stock(payload: Payload, locale: str, names: ProductNames) -> dict[str, Any]:
    price = payload.get("price")
    return {"product": payload.get("product_name") or payload["sku"],
            "price": None if price is None else format_money(Decimal(price), locale),
            "unsubscribe_url": payload["unsubscribe_url"]}


# What each template is given, by event type. An event type missing here is not emailed.
_CONTEXTS: dict[str, Callable[[Payload, str, ProductNames], dict[str, Any]]] = {
    "order.backordered": _order_backordered,
    "eta_changed": _eta_changed,
    "backorder.allocated": _backorder_allocated,
    "order.shipped": _order_lines,
    "order.cancelled": _order_lines,
    "reorder_point_reached": _reorder_point_reached,
    "subscription.confirm": _subscription_confirm,
    "back_in_stock": _back_in_stock,
}
EMAILED_EVENTS = frozenset(_CONTEXTS)


def skus_of(payload: Any) -> set[str]:
    """The SKUs an event's email names (to look their product names up once per batch). Never raises: a
    malformed payload is the business of its own row, not of the batch it came in."""
    if not isinstance(payload, Mapping):
        return set()
    items = [payload, *(item for key in ("lines", "changes") if isinstance(payload.get(key), list)
                        for item in payload[key])]
    return {item["sku"] for item in items if isinstance(item, Mapping) and isinstance(item.get("sku"), str)}


@dataclass(frozen=True, slots=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


@lru_cache
def _environments(locale: str) -> tuple[Environment, Environment]:
    """(text, HTML) environments speaking `locale`; one pair per language, as translations are env globals."""

    def environment(*, autoescape: bool) -> Environment:
        env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=autoescape, undefined=StrictUndefined,
                          extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True)
        env.install_gettext_translations(translations(locale), newstyle=True)  # type: ignore[attr-defined]
        return env

    return environment(autoescape=False), environment(autoescape=True)


def _tidy(text: str) -> str:
    """Plain text as a person would type it: no trailing blanks, at most one empty line in a row."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"


def render(event_type: str, payload: Payload, *, locale: str, name: str | None = None,
           product_names: ProductNames | None = None, settings: Settings | None = None) -> RenderedEmail:
    """The subject, text and HTML of an event's email in `locale` (`id` or `en`), greeting `name` if known.

    `product_names` maps SKUs to names for payloads that carry only SKUs (a SKU not in it is shown as is).
    Raises KeyError for an event type that is not emailed (see EMAILED_EVENTS) or a payload missing a field.
    """
    settings = settings or get_settings()
    locale = locale_of(locale)
    context = {"shop": settings.shop_name, "locale": locale, "name": name,
               **_CONTEXTS[event_type](payload, locale, product_names or {})}
    text_env, html_env = _environments(locale)
    template = f"{event_type}.jinja"
    text_template = text_env.get_template(template)
    subject = "".join(text_template.blocks["subject"](text_template.new_context(context)))
    return RenderedEmail(
        subject=" ".join(subject.split()),  # one line, whatever a product name holds
        text=_tidy(text_template.render(context, layout="layout.txt", parts="parts.txt")),
        html=html_env.get_template(template).render(context, layout="layout.html", parts="parts.html"),
    )


def message_id(dedup_keys: Sequence[str]) -> str:
    """A Message-ID that is the same whenever the same events are sent again (after a crash, a retry), so
    mail systems and people can tell a repeat from news."""
    digest = hashlib.sha256("\n".join(sorted(dedup_keys)).encode()).hexdigest()
    return f"<{digest}@inden>"


def compose(event_type: str, payload: Payload, *, to: Addressee, dedup_keys: Sequence[str],
            product_names: ProductNames | None = None, settings: Settings | None = None) -> EmailMessage:
    """The email for one event (or for one digest of several, whose keys are all in `dedup_keys`).

    Headers: From `smtp_from`, a Message-ID derived from the dedup keys, `Auto-Submitted` (no auto-replies),
    and for `back_in_stock` one-click `List-Unsubscribe` (RFC 8058) with the subscription's link.
    """
    settings = settings or get_settings()
    rendered = render(event_type, payload, locale=to.locale, name=to.name, product_names=product_names,
                      settings=settings)
    message = EmailMessage()
    message["From"] = settings.smtp_from
    mailbox, _, domain = to.email.rpartition("@")  # parts, not addr_spec: that refuses a Unicode mailbox
    message["To"] = Address(display_name=to.name or "", username=mailbox, domain=domain)
    message["Subject"] = rendered.subject
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = message_id(dedup_keys)
    message["Auto-Submitted"] = "auto-generated"
    if event_type == "back_in_stock":
        message["List-Unsubscribe"] = f"<{payload['unsubscribe_url']}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    message["Content-Language"] = to.locale  # after the body: set_content drops Content-* headers
    return message


# --- sending --------------------------------------------------------------------------------------------


class SendFailed(Exception):
    """A message was not handed over. `reason` is the server's reply or the error, for the outbox's last_error."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class MessageRejected(SendFailed):
    """The server refused this message for good (5xx, e.g. no such mailbox): sending it again will not help."""


class MessageDeferred(SendFailed):
    """The server refused this message for now (4xx, e.g. mailbox busy, greylisting): try again later."""


class MailerUnavailable(SendFailed):
    """Nothing can be sent right now (no connection, login refused, server closing): not this message's fault."""


class Mailer(Protocol):
    """Where composed emails go. Raises a SendFailed subclass when a message was not accepted."""

    def send(self, message: EmailMessage) -> None: ...


Security = Literal["plain", "tls", "starttls"]
_SCHEMES: dict[str, tuple[Security, int]] = {"smtp": ("plain", 25), "smtps": ("tls", 465),
                                             "smtp+starttls": ("starttls", 587)}


@dataclass(frozen=True, slots=True)
class SmtpServer:
    host: str
    port: int
    security: Security
    username: str | None = None
    password: str | None = None

    @classmethod
    def parse(cls, url: str) -> SmtpServer:
        """`smtp://host:25`, `smtps://user:pass@host:465` (TLS from the start) or `smtp+starttls://user:pass@host:587`.

        User and password are percent-decoded (write `@` in a password as `%40`). Raises ValueError otherwise.
        """
        parts = urlsplit(url)
        if parts.scheme not in _SCHEMES or not parts.hostname:
            raise ValueError(f"not an SMTP URL: {parts.scheme or url!r} (use smtp://, smtps:// or smtp+starttls://)")
        security, default_port = _SCHEMES[parts.scheme]
        return cls(host=parts.hostname, port=parts.port or default_port, security=security,
                   username=unquote(parts.username) if parts.username else None,
                   password=unquote(parts.password) if parts.password is not None else None)


def _refusal(code: int, reply: bytes | str) -> SendFailed:
    text = reply.decode(errors="replace") if isinstance(reply, bytes) else reply
    reason = f"{code} {text}".strip()
    if code == 421:  # the server is closing the connection: not about this message
        return MailerUnavailable(reason)
    return MessageRejected(reason) if code >= 500 else MessageDeferred(reason)


class SmtpMailer:
    """Sends over one SMTP connection, opened at the first message and kept for the next; use it as a context
    manager (or call `close()`) so the connection ends with the delivery round."""

    def __init__(self, server: SmtpServer, *, timeout: float = 30.0) -> None:
        self.server = server
        self.timeout = timeout
        self._connection: smtplib.SMTP | None = None

    @classmethod
    def from_url(cls, url: str, *, timeout: float = 30.0) -> SmtpMailer:
        return cls(SmtpServer.parse(url), timeout=timeout)

    def send(self, message: EmailMessage) -> None:
        """Hand one message to the server. Raises MessageRejected, MessageDeferred or MailerUnavailable."""
        connection = self._connection or self._connect()
        try:
            connection.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:  # one recipient per message: its reply is the answer
            failure = _refusal(*next(iter(error.recipients.values())))
        except smtplib.SMTPDataError as error:
            failure = _refusal(error.smtp_code, error.smtp_error)
        except smtplib.SMTPSenderRefused as error:  # our From address: every message would fail the same way
            failure = MailerUnavailable(f"sender refused: {error.smtp_code} {error.smtp_error!r}")
        except smtplib.SMTPNotSupportedError as error:  # e.g. an address in Unicode, and no SMTPUTF8 here
            failure = MessageRejected(f"not supported by the server: {error}")
        except ValueError as error:  # this message cannot be written out (e.g. an address smtplib cannot encode)
            failure = MessageRejected(f"{type(error).__name__}: {error}")
        except (smtplib.SMTPException, OSError) as error:  # the connection broke, timed out, closed
            failure = MailerUnavailable(f"{type(error).__name__}: {error}")
        else:
            return
        if isinstance(failure, MailerUnavailable):
            self.close()
        raise failure

    def _connect(self) -> smtplib.SMTP:
        """Open, secure and log in; any failure to do so is MailerUnavailable (no message is at fault)."""
        server = self.server
        try:
            connection: smtplib.SMTP
            if server.security == "tls":
                connection = smtplib.SMTP_SSL(server.host, server.port, timeout=self.timeout,
                                              context=ssl.create_default_context())
            else:
                connection = smtplib.SMTP(server.host, server.port, timeout=self.timeout)
        except (smtplib.SMTPException, OSError) as error:
            raise MailerUnavailable(f"{type(error).__name__}: {error}") from error
        try:
            if server.security == "starttls":
                connection.starttls(context=ssl.create_default_context())
            if server.username:
                connection.login(server.username, server.password or "")
        except (smtplib.SMTPException, OSError) as error:
            connection.close()
            raise MailerUnavailable(f"{type(error).__name__}: {error}") from error
        self._connection = connection
        return connection

    def close(self) -> None:
        """End the connection politely if there is one; a server that already left is fine."""
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                connection.quit()
            except (smtplib.SMTPException, OSError):
                connection.close()

    def __enter__(self) -> SmtpMailer:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()
