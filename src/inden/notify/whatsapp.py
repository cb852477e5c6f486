"""WhatsApp Business Cloud API: the outbox's events as template messages, an optional channel beside email.

Business-initiated WhatsApp messages must use templates the seller registered (and Meta approved) in WhatsApp
Manager; docs/whatsapp.md lists inden's templates with their exact text in Indonesian and English. A message is
`POST https://graph.facebook.com/{version}/{phone-number-id}/messages` with the access token as a Bearer token and
a JSON body `{messaging_product: "whatsapp", recipient_type: "individual", to, type: "template", template: {name,
language: {code}, components}}`; the answer names the message (`messages[0].id`, a `wamid.…`).

`whatsapp_message` decides what an event says (the template's body parameters, its URL button's suffix);
`CloudApiSender` sends it and says what a failure means by its exception class: `WhatsAppDeferred` (rate limits,
Meta's own errors, no connection — try again later) or `WhatsAppRejected` (anything else — a bad number, a
template that does not exist, an expired token: sending it again will not help, so the email goes instead).
Nothing here touches the database: `services.delivery` chooses the channel and records the outcome.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from types import TracebackType
from typing import Any, Protocol

import httpx

from inden.config import Settings
from inden.domain.event_types import EventType
from inden.i18n import format_day, locale_of, translate
from inden.notify.render import Payload, ProductNames, eta_changes
from inden.notify.smtp import SendFailed

GRAPH_URL = "https://graph.facebook.com"
PARAMETER_LENGTH = 900  # well inside the Cloud API's limit for a body parameter
# Error codes of the Cloud API that mean "not now" rather than "never": throttling (4, 80007, 130429), spam and
# pair rate limits (131048, 131056), and Meta's own trouble (1, 2, 131000, 131016).
RETRY_CODES = frozenset({1, 2, 4, 80007, 130429, 131000, 131016, 131048, 131056})

# Template names by event type; each must exist in WhatsApp Manager in `id` and `en` (docs/whatsapp.md).
TEMPLATES: dict[str, str] = {
    EventType.ORDER_BACKORDERED: "inden_order_backordered",
    EventType.ETA_CHANGED: "inden_eta_changed",
    EventType.BACKORDER_ALLOCATED: "inden_backorder_allocated",
    EventType.ORDER_SHIPPED: "inden_order_shipped",
    EventType.ORDER_CANCELLED: "inden_order_cancelled",
    EventType.SUBSCRIPTION_CONFIRM: "inden_signup_confirm",
    EventType.BACK_IN_STOCK: "inden_back_in_stock",
}
WHATSAPP_EVENTS = frozenset(TEMPLATES)


class WhatsAppFailed(SendFailed):
    """A WhatsApp message was not accepted; `reason` is the Cloud API's error (or the transport's)."""


class WhatsAppRejected(WhatsAppFailed):
    """Refused for good (a number not on WhatsApp, a missing template, a bad token): send the email instead."""


class WhatsAppDeferred(WhatsAppFailed):
    """Refused for now (rate limit, Meta's error, no connection): try again later, with the outbox's backoff."""


@dataclass(frozen=True, slots=True)
class WhatsAppMessage:
    to: str  # the buyer's number, digits only, country code first (628123456789)
    template: str
    language: str  # id, en
    body: tuple[str, ...]  # the template body's {{1}}, {{2}} … in order
    button_suffix: str | None = None  # the dynamic end of the template's URL button, e.g. an order link's secret
    reference: str = ""  # biz_opaque_callback_data: the outbox dedup keys, echoed in Meta's status webhooks

    def request_body(self) -> dict[str, Any]:
        """The JSON of `POST /{version}/{phone-number-id}/messages` for this message."""
        components: list[dict[str, Any]] = [
            {"type": "body", "parameters": [{"type": "text", "text": text} for text in self.body]}]
        if self.button_suffix is not None:
            components.append({"type": "button", "sub_type": "url", "index": "0",
                               "parameters": [{"type": "text", "text": self.button_suffix}]})
        body: dict[str, Any] = {
            "messaging_product": "whatsapp", "recipient_type": "individual", "to": self.to, "type": "template",
            "template": {"name": self.template, "language": {"code": self.language}, "components": components}}
        if self.reference:
            body["biz_opaque_callback_data"] = self.reference[:512]
        return body


class WhatsAppSender(Protocol):
    """Where WhatsApp messages go. Returns the message's id; raises WhatsAppRejected or WhatsAppDeferred."""

    def send(self, message: WhatsAppMessage) -> str: ...


class CloudApiSender:
    """The WhatsApp Business Cloud API over HTTPS (httpx). Use as a context manager, or call `close()`."""

    def __init__(self, *, token: str, phone_number_id: str, api_url: str = GRAPH_URL, version: str = "v21.0",
                 timeout: float = 15) -> None:
        self.path = f"/{version}/{phone_number_id}/messages"
        self.client = httpx.Client(base_url=api_url.rstrip("/"), timeout=timeout,
                                   headers={"Authorization": f"Bearer {token}"})

    @classmethod
    def from_settings(cls, settings: Settings) -> CloudApiSender | None:
        """The sender the settings configure; None while `whatsapp_token` or `whatsapp_phone_number_id` is unset."""
        if not settings.whatsapp_token or not settings.whatsapp_phone_number_id:
            return None
        return cls(token=settings.whatsapp_token, phone_number_id=settings.whatsapp_phone_number_id,
                   api_url=settings.whatsapp_api_url, version=settings.whatsapp_api_version)

    def send(self, message: WhatsAppMessage) -> str:
        try:
            answer = self.client.post(self.path, json=message.request_body())
        except httpx.HTTPError as error:
            raise WhatsAppDeferred(f"{type(error).__name__}: {error}") from error
        try:
            data = answer.json()
        except ValueError:
            data = {}
        if answer.is_success:
            messages = data.get("messages") if isinstance(data, dict) else None
            if isinstance(messages, list) and messages and isinstance(messages[0], dict):
                return str(messages[0].get("id", ""))
            raise WhatsAppDeferred(f"{answer.status_code}: an answer without a message id")
        raise _refusal(answer.status_code, data)

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> CloudApiSender:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()


def _refusal(status: int, data: Any) -> WhatsAppFailed:
    error = data.get("error") if isinstance(data, dict) else None
    error = error if isinstance(error, dict) else {}
    code = error.get("code")
    reason = f"{status} {code if code is not None else ''} {error.get('message', '')}".strip()
    if status == 429 or status >= 500 or code in RETRY_CODES:
        return WhatsAppDeferred(reason)
    return WhatsAppRejected(reason)


# --- what an event says on WhatsApp ----------------------------------------------------------------------

def _text(value: str) -> str:
    """A body parameter the Cloud API accepts: one line, no runs of spaces, not too long."""
    return re.sub(r"\s+", " ", value).strip()[:PARAMETER_LENGTH] or "-"


def _day(iso: str | None, locale: str) -> str:
    return format_day(date.fromisoformat(iso), locale) if iso else "—"


def _product(names: ProductNames, sku: str) -> str:
    return names.get(sku, sku)


def _backordered(payload: Payload, locale: str, names: ProductNames) -> str:
    return "; ".join(
        translate(locale, "%(quantity)s × %(product)s: ships around %(eta)s", quantity=line["backordered"],
                  product=_product(names, line["sku"]), eta=_day(line.get("eta"), locale))
        for line in payload["lines"])


def _moved(payload: Payload, locale: str, names: ProductNames) -> str:
    return "; ".join(
        translate(locale, "%(product)s: from %(old)s to %(new)s", product=_product(names, change["sku"]),
                  old=_day(change["old"].get("eta"), locale), new=_day(change["new"].get("eta"), locale))
        for change in eta_changes(payload))


def _allocated(payload: Payload, locale: str, names: ProductNames) -> str:
    return translate(locale, "%(quantity)s × %(product)s", quantity=payload["allocated"],
                     product=_product(names, payload["sku"]))


def _lines(payload: Payload, locale: str, names: ProductNames) -> str:
    return "; ".join(translate(locale, "%(quantity)s × %(product)s", quantity=line["quantity"],
                               product=_product(names, line["sku"])) for line in payload["lines"])


_ORDER_DETAILS: dict[str, Callable[[Payload, str, ProductNames], str]] = {
    EventType.ORDER_BACKORDERED: _backordered,
    EventType.ETA_CHANGED: _moved,
    EventType.BACKORDER_ALLOCATED: _allocated,
    EventType.ORDER_SHIPPED: _lines,
    EventType.ORDER_CANCELLED: _lines,
}


def whatsapp_message(event_type: str, payload: Payload, *, to: str, locale: str, settings: Settings,
                     product_names: ProductNames | None = None, order_url: str | None = None,
                     reference: str = "") -> WhatsAppMessage:
    """The template message for an event (WHATSAPP_EVENTS) to the number `to`, in `locale`.

    Order events: body {{1}} the shop, {{2}} the order number, {{3}} what changed, in one line; the URL button's
    suffix is the order link's secret (`order_url`'s last part). Sign-up events: {{1}} the shop, {{2}} the
    product; the button's suffix is the sign-up's token (confirm) — back in stock has no button.
    Raises KeyError for an event type that is not sent by WhatsApp or a payload missing a field.
    """
    locale = locale_of(locale, settings.default_locale)
    names: Mapping[str, str] = product_names or {}
    template = TEMPLATES[event_type]
    body: tuple[str, ...]
    if event_type in _ORDER_DETAILS:
        body = (settings.shop_name, f"#{payload['order_id']}", _ORDER_DETAILS[event_type](payload, locale, names))
        suffix = order_url.rsplit("/", 1)[1] if order_url else None
    else:
        body = (settings.shop_name, payload.get("product_name") or payload["sku"])
        suffix = (payload["confirm_url"].rsplit("token=", 1)[1] if event_type == EventType.SUBSCRIPTION_CONFIRM
                  else None)
    return WhatsAppMessage(to=to, template=template, language=locale, body=tuple(_text(part) for part in body),
                           button_suffix=suffix, reference=reference)


# --- what buyers write back (Meta's webhook) ---------------------------------------------------------------

STOP_WORDS = frozenset({"STOP", "BERHENTI", "UNSUBSCRIBE", "STOP WA", "JANGAN KIRIM"})
START_WORDS = frozenset({"START", "MULAI", "SUBSCRIBE"})


def replies(payload: Any) -> list[tuple[str, str]]:
    """`(number, text)` of each text message in a webhook payload of the Cloud API (`{object:
    "whatsapp_business_account", entry: [{changes: [{field: "messages", value: {messages: [{from, type: "text",
    text: {body}}]}}]}]}`); anything else in it (statuses, other message types) is ignored. Never raises."""
    found: list[tuple[str, str]] = []
    if not isinstance(payload, dict) or payload.get("object") != "whatsapp_business_account":
        return found
    for entry in payload.get("entry") or []:
        for change in (entry.get("changes") or []) if isinstance(entry, dict) else []:
            value = change.get("value") if isinstance(change, dict) else None
            for message in (value.get("messages") or []) if isinstance(value, dict) else []:
                if not isinstance(message, dict) or message.get("type") != "text":
                    continue
                text = (message.get("text") or {}).get("body") if isinstance(message.get("text"), dict) else None
                if isinstance(message.get("from"), str) and isinstance(text, str):
                    found.append((message["from"], text))
    return found


def consent_word(text: str) -> bool | None:
    """False for a stop word ("STOP", "BERHENTI" …), True for a start word ("START", "MULAI"), else None."""
    word = " ".join(text.split()).upper().strip(".!")
    if word in STOP_WORDS:
        return False
    if word in START_WORDS:
        return True
    return None
