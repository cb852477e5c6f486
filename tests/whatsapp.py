"""A local stand-in for the WhatsApp Business Cloud API that checks every request against the documented format.

The real API is not reachable from tests. This server answers `POST /{version}/{phone-number-id}/messages` the way
Meta documents it: a Bearer access token; a JSON body `{messaging_product: "whatsapp", recipient_type:
"individual", to, type: "template", template: {name, language: {code}, components: [{type: "body", parameters:
[{type: "text", text}]}, {type: "button", sub_type: "url", index: "0", parameters: [{type: "text", text}]}]}}`
(plus the optional `biz_opaque_callback_data`); `200 {messaging_product, contacts: [{input, wa_id}], messages: [{id:
"wamid.…"}]}`, or an error `{error: {message, type, code, fbtrace_id}}` with the documented codes: 190 (bad token,
401), 100 (invalid parameter), 132001 (no such template in that language), 132000 (wrong number of parameters),
131008 (required parameter missing), 131026 (message undeliverable), 130429 (rate limit, 429). The templates it
knows are the ones docs/whatsapp.md tells a seller to create, written out here by hand — not imported from inden.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

VERSION, PHONE_NUMBER_ID, TOKEN = "v21.0", "106540352242922", "EAAtesttoken"
# name -> (body parameters, has a URL button), each in Indonesian and English (docs/whatsapp.md)
TEMPLATES = {
    "inden_order_backordered": (3, True), "inden_eta_changed": (3, True), "inden_backorder_allocated": (3, True),
    "inden_order_shipped": (3, True), "inden_order_cancelled": (3, True), "inden_signup_confirm": (2, True),
    "inden_back_in_stock": (2, False),
}
LANGUAGES = {"id", "en"}
TOP_LEVEL = {"messaging_product", "recipient_type", "to", "type", "template", "biz_opaque_callback_data"}


class Refused(Exception):
    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _text_parameters(parameters: Any, where: str) -> list[str]:
    if not isinstance(parameters, list) or not parameters:
        raise Refused(400, 131008, f"{where}: parameters must be a non-empty array")
    texts = []
    for parameter in parameters:
        if not isinstance(parameter, dict) or parameter.get("type") != "text" or set(parameter) != {"type", "text"}:
            raise Refused(400, 100, f"{where}: each parameter is {{type: text, text}}")
        text = parameter["text"]
        if not isinstance(text, str) or not text.strip():
            raise Refused(400, 131008, f"{where}: empty text parameter")
        if re.search(r"[\n\t]| {5,}", text):
            raise Refused(400, 132018, f"{where}: parameter text has a new line, a tab or more than 4 spaces")
        texts.append(text)
    return texts


def check(body: Any) -> dict[str, Any]:
    """The message as accepted (to, template, language, body, button), or Refused as the Cloud API would."""
    if not isinstance(body, dict):
        raise Refused(400, 100, "the body is a JSON object")
    if not set(body) <= TOP_LEVEL:
        raise Refused(400, 100, f"unexpected fields: {sorted(set(body) - TOP_LEVEL)}")
    if body.get("messaging_product") != "whatsapp":
        raise Refused(400, 100, "messaging_product must be whatsapp")
    if body.get("recipient_type", "individual") != "individual" or body.get("type") != "template":
        raise Refused(400, 100, "recipient_type individual, type template")
    if not isinstance(body.get("to"), str) or not re.fullmatch(r"\+?[1-9][0-9]{7,14}", body["to"]):
        raise Refused(400, 100, "to: a phone number with its country code")
    template = body.get("template")
    if not isinstance(template, dict) or set(template) - {"name", "language", "components"}:
        raise Refused(400, 100, "template: {name, language, components}")
    language = template.get("language")
    if (not isinstance(language, dict) or set(language) - {"code", "policy"}
            or not isinstance(language.get("code"), str)):
        raise Refused(400, 100, "template.language: {code}")
    name = template.get("name")
    if name not in TEMPLATES or language["code"] not in LANGUAGES:
        raise Refused(404, 132001, f"template name ({name}) does not exist in {language['code']}")
    count, has_button = TEMPLATES[name]
    body_texts: list[str] = []
    button: str | None = None
    for component in template.get("components", []):
        kind = component.get("type") if isinstance(component, dict) else None
        if kind == "body" and set(component) == {"type", "parameters"}:
            body_texts = _text_parameters(component["parameters"], "body")
        elif kind == "button" and set(component) == {"type", "sub_type", "index", "parameters"}:
            if component["sub_type"] != "url" or component["index"] != "0":
                raise Refused(400, 100, "button: sub_type url, index \"0\"")
            [button] = _text_parameters(component["parameters"], "button")
        else:
            raise Refused(400, 100, f"component {component!r}")
    if len(body_texts) != count or (button is not None) != has_button:
        raise Refused(400, 132000, f"{name}: {count} body parameters and {'a' if has_button else 'no'} URL button")
    return {"to": body["to"], "template": name, "language": language["code"], "body": body_texts,
            "button": button, "reference": body.get("biz_opaque_callback_data")}


@dataclass
class CloudApi:
    """What the stand-in accepted, and how it should misbehave: `undeliverable` numbers fail for good (131026),
    `throttle` next requests are rate-limited (429, 130429)."""

    url: str = ""
    messages: list[dict[str, Any]] = field(default_factory=list)
    refusals: list[dict[str, Any]] = field(default_factory=list)
    undeliverable: set[str] = field(default_factory=set)
    throttle: int = 0

    def to(self, number: str) -> list[dict[str, Any]]:
        return [m for m in self.messages if m["to"] == number]


def _handler(api: CloudApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _answer(self, status: int, data: dict[str, Any]) -> None:
            raw = json.dumps(data).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def do_POST(self) -> None:  # noqa: N802
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            try:
                if self.path != f"/{VERSION}/{PHONE_NUMBER_ID}/messages":
                    raise Refused(400, 100, f"unknown path {self.path}")
                if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    raise Refused(401, 190, "Invalid OAuth access token.")
                if not self.headers.get("Content-Type", "").startswith("application/json"):
                    raise Refused(400, 100, "Content-Type must be application/json")
                message = check(json.loads(raw))
                if api.throttle > 0:
                    api.throttle -= 1
                    raise Refused(429, 130429, "Rate limit hit")
                if message["to"].lstrip("+") in api.undeliverable:
                    raise Refused(400, 131026, "Message undeliverable")
            except Refused as refused:
                api.refusals.append({"code": refused.code, "message": refused.message})
                self._answer(refused.status, {"error": {"message": refused.message, "type": "OAuthException",
                                                        "code": refused.code, "fbtrace_id": "AbCdEf"}})
                return
            except ValueError:
                self._answer(400, {"error": {"message": "body is not JSON", "code": 100}})
                return
            api.messages.append(message)
            self._answer(200, {"messaging_product": "whatsapp",
                               "contacts": [{"input": message["to"], "wa_id": message["to"].lstrip("+")}],
                               "messages": [{"id": f"wamid.TEST{len(api.messages)}"}]})

    return Handler


@contextmanager
def cloud_api() -> Iterator[CloudApi]:
    api = CloudApi()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(api))
    api.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()
