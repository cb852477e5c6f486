"""Outbox events as emails, in the reader's language: who reads it, what it says, the message to send.

Every event type has ONE template in `templates/` (`<event type>.jinja`), rendered twice — as plain text (no
escaping) and as HTML (autoescaped) — through the same `{% trans %}` blocks, so the two parts of a message
cannot say different things and a text is translated once. Only `layout.*` and `parts.*` (paragraph, list
item, button, link) differ between the formats. Message ids are the English text; the catalogues are
`inden/locale` (see `inden.i18n`). Dates, money and numbers are formatted here, before they reach a template,
with the same functions the storefront uses. Nothing here sends: `inden.notify.smtp` does.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from babel.numbers import format_decimal, format_percent
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from inden.config import Settings
from inden.domain.eta import EtaConfidence
from inden.domain.event_types import EventType
from inden.i18n import format_day, format_money, locale_of, translations

TEMPLATES = Path(__file__).parent / "templates"
Payload = Mapping[str, Any]
ProductNames = Mapping[str, str]

# --- who reads it ---------------------------------------------------------------------------------------

SELLER_ALERTS = frozenset({EventType.REORDER_POINT_REACHED})
SUBSCRIBER_EVENTS = frozenset({EventType.SUBSCRIPTION_CONFIRM, EventType.BACK_IN_STOCK})
# A buyer's emails about their order: each carries a link to their order page (services.delivery mints it).
ORDER_EVENTS = frozenset({EventType.ORDER_BACKORDERED, EventType.ETA_CHANGED, EventType.BACKORDER_ALLOCATED,
                          EventType.ORDER_SHIPPED, EventType.ORDER_CANCELLED})


@dataclass(frozen=True, slots=True)
class Addressee:
    email: str
    locale: str
    name: str | None = None


def addressee(event_type: str, payload: Payload, *, settings: Settings) -> Addressee | None:
    """Who an event's email goes to, in which language; None when there is no one to tell.

    Customers' events go to the order's customer, sign-up events to the subscriber, seller alerts to
    `seller_email` in the shop's default language (None while it is not set).
    """
    email: str | None
    locale: str | None
    name: str | None
    if event_type in SELLER_ALERTS:
        email, locale, name = settings.seller_email, settings.default_locale, None
    elif event_type in SUBSCRIBER_EVENTS:
        email, locale, name = payload.get("email"), payload.get("locale"), None
    else:
        customer = payload.get("customer") or {}
        email, locale, name = customer.get("email"), customer.get("locale"), customer.get("name")
    return Addressee(email, locale_of(locale, settings.default_locale), name or None) if email else None


# --- what it says ---------------------------------------------------------------------------------------


def _day(iso: str | None, locale: str) -> str | None:
    return None if iso is None else format_day(date.fromisoformat(iso), locale)


def _later_day(first: str | None, last: str | None, locale: str) -> str | None:
    """The "at the latest" date, only when it says more than the first one."""
    return _day(last, locale) if first and last and last > first else None


def _product(names: ProductNames, sku: str) -> str:
    return names.get(sku, sku)


def _order_backordered(payload: Payload, locale: str, names: ProductNames, settings: Settings) -> dict[str, Any]:
    return {"order_id": payload["order_id"], "lines": [
        {"product": _product(names, line["sku"]), "quantity": line["backordered"], "eta": _day(line["eta"], locale),
         "latest": _later_day(line["eta"], line.get("eta_latest"), locale),
         "estimated": line.get("eta_confidence") == EtaConfidence.ESTIMATED}
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


def slip_days(old: Payload, new: Payload) -> int | None:
    """How many days later than `old` the `new` promise ships (its first date); None when there is no new date."""
    if not new.get("eta") or not old.get("eta"):
        return None
    return (date.fromisoformat(new["eta"]) - date.fromisoformat(old["eta"])).days


def _eta_changed(payload: Payload, locale: str, names: ProductNames, settings: Settings) -> dict[str, Any]:
    changes = []
    ask = False  # a slip past the seller's `choice_slip_days` (or no date at all): ask keep waiting or cancel
    for change in eta_changes(payload):
        old, new = change["old"], change["new"]
        slip = slip_days(old, new)
        no_date = slip is None and bool(old.get("eta"))
        ask = ask or no_date or (slip is not None and slip >= settings.choice_slip_days)
        changes.append({
            "product": _product(names, change["sku"]), "old": _day(old["eta"], locale),
            "new": _day(new.get("eta"), locale), "latest": _day(new.get("eta_latest"), locale),
            "old_latest": _day(old.get("eta_latest"), locale),
            "direction": _direction(old, new) if new.get("eta") else "later",
            "estimated": new.get("eta_confidence") == EtaConfidence.ESTIMATED,
        })
    return {"order_id": payload["order_id"], "changes": changes, "ask": ask,
            "later": any(c["direction"] == "later" or c["new"] is None for c in changes)}


def _backorder_allocated(payload: Payload, locale: str, names: ProductNames, settings: Settings) -> dict[str, Any]:
    return {"order_id": payload["order_id"], "product": _product(names, payload["sku"]),
            "allocated": payload["allocated"], "waiting": payload["waiting"],
            "complete": payload.get("status") == "allocated"}


def _order_lines(payload: Payload, locale: str, names: ProductNames, settings: Settings) -> dict[str, Any]:
    return {"order_id": payload["order_id"], "lines": [
        {"product": _product(names, line["sku"]), "quantity": line["quantity"]} for line in payload["lines"]
    ]}


def _reorder_point_reached(payload: Payload, locale: str, names: ProductNames, settings: Settings) -> dict[str, Any]:
    return {"product": _product(names, payload["sku"]), "sku": payload["sku"],
            "position": format_decimal(payload["inventory_position"], locale=locale),
            "reorder_point": format_decimal(payload["reorder_point"], locale=locale),
            "risk": format_percent(payload["risk"], locale=locale), "suggestion_id": payload.get("suggestion_id")}


def _subscription_confirm(payload: Payload, locale: str, names: ProductNames, settings: Settings) -> dict[str, Any]:
    return {"product": payload.get("product_name") or payload["sku"], "confirm_url": payload["confirm_url"]}


def _back_in_stock(payload: Payload, locale: str, names: ProductNames, settings: Settings) -> dict[str, Any]:
    price = payload.get("price")
    return {"product": payload.get("product_name") or payload["sku"],
            "price": None if price is None else format_money(Decimal(price), locale, settings.currency),
            "unsubscribe_url": payload["unsubscribe_url"], "limited": bool(payload.get("limited"))}


# What each template is given, by event type. An event type missing here is not emailed.
_CONTEXTS: dict[str, Callable[[Payload, str, ProductNames, Settings], dict[str, Any]]] = {
    EventType.ORDER_BACKORDERED: _order_backordered,
    EventType.ETA_CHANGED: _eta_changed,
    EventType.BACKORDER_ALLOCATED: _backorder_allocated,
    EventType.ORDER_SHIPPED: _order_lines,
    EventType.ORDER_CANCELLED: _order_lines,
    EventType.REORDER_POINT_REACHED: _reorder_point_reached,
    EventType.SUBSCRIPTION_CONFIRM: _subscription_confirm,
    EventType.BACK_IN_STOCK: _back_in_stock,
}
EMAILED_EVENTS = frozenset(_CONTEXTS)
# Events for webhooks and the seller's screens only: no email, and no warning that there is none.
UNEMAILED_EVENTS = frozenset({EventType.ORDER_CHOICE})


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
           settings: Settings, product_names: ProductNames | None = None,
           order_url: str | None = None) -> RenderedEmail:
    """The subject, text and HTML of an event's email in `locale` (`id` or `en`), greeting `name` if known.

    `product_names` maps SKUs to names for payloads that carry only SKUs (a SKU not in it is shown as is).
    `order_url` is the buyer's order page (ORDER_EVENTS): a button to it, and for a later ship date the
    keep-waiting and cancel buttons (pages that ask to confirm: opening a link changes nothing).
    Raises KeyError for an event type that is not emailed (see EMAILED_EVENTS) or a payload missing a field.
    """
    locale = locale_of(locale, settings.default_locale)
    context = {"shop": settings.shop_name, "locale": locale, "name": name, "order_url": order_url,
               "keep_url": order_url and f"{order_url}/keep", "cancel_url": order_url and f"{order_url}/cancel",
               **_CONTEXTS[event_type](payload, locale, product_names or {}, settings)}
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
            settings: Settings, product_names: ProductNames | None = None,
            order_url: str | None = None) -> EmailMessage:
    """The email for one event (or for one digest of several, whose keys are all in `dedup_keys`).

    Headers: From `smtp_from`, a Message-ID derived from the dedup keys, `Auto-Submitted` (no auto-replies),
    and for `back_in_stock` one-click `List-Unsubscribe` (RFC 8058) with the subscription's link.
    """
    rendered = render(event_type, payload, locale=to.locale, name=to.name, product_names=product_names,
                      settings=settings, order_url=order_url)
    message = EmailMessage()
    message["From"] = settings.smtp_from
    mailbox, _, domain = to.email.rpartition("@")  # parts, not addr_spec: that refuses a Unicode mailbox
    message["To"] = Address(display_name=to.name or "", username=mailbox, domain=domain)
    message["Subject"] = rendered.subject
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = message_id(dedup_keys)
    message["Auto-Submitted"] = "auto-generated"
    if event_type == EventType.BACK_IN_STOCK:
        message["List-Unsubscribe"] = f"<{payload['unsubscribe_url']}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    message["Content-Language"] = to.locale  # after the body: set_content drops Content-* headers
    return message
