"""Security headers on every answer, and a Content-Security-Policy on every HTML page (issue 13).

Every response gets `X-Content-Type-Options: nosniff` and a `Referrer-Policy`. An HTML page also gets
`X-Frame-Options: DENY` and, unless it set its own, a Content-Security-Policy that allows only inden's own
scripts and the page's inline scripts by their SHA-256 hashes (computed from the page as sent, so a script
injected into a page through text it shows would not run), with `frame-ancestors 'none'` (no page of inden's
can be framed: clickjacking). A page that sets its own policy keeps it, with `frame-ancestors 'none'` added
when it lacks one. Pure ASGI, so streaming answers (CSV downloads) pass through unbuffered.
"""

from __future__ import annotations

import base64
import hashlib
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.DOTALL | re.IGNORECASE)
ALWAYS = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin")]
HTML_ONLY = [(b"x-frame-options", b"DENY")]


def page_policy(body: bytes) -> str:
    """The Content-Security-Policy for an HTML page: inden's own scripts plus this page's inline ones."""
    hashes = sorted({f"'sha256-{base64.b64encode(hashlib.sha256(m.group(1)).digest()).decode()}'"
                     for m in INLINE_SCRIPT.finditer(body)})
    scripts = " ".join(["'self'", *hashes])
    return (f"default-src 'self'; script-src {scripts}; "
            # inline <style> blocks and style attributes cannot run code; the API docs inject styles at run time
            "style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; "
            "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


class SecurityHeaders:
    """Pure ASGI middleware adding the headers above to every HTTP answer of `app`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []

        async def send_with_headers(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                headers += [(name, value) for name, value in ALWAYS if name not in names]
                content_type = dict((n.lower(), v) for n, v in headers).get(b"content-type", b"")
                if not content_type.startswith(b"text/html"):
                    await send({**message, "headers": headers})
                    return
                headers += [(name, value) for name, value in HTML_ONLY if name not in names]
                start = {**message, "headers": headers}
                return  # held until the body is complete: the policy hashes the page's inline scripts
            if start is None:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            await send(_with_policy(start, b"".join(chunks)))
            await send({"type": "http.response.body", "body": b"".join(chunks), "more_body": False})

        await self.app(scope, receive, send_with_headers)


def _with_policy(start: Message, body: bytes) -> Message:
    headers = [(n, v) for n, v in start["headers"] if n.lower() != b"content-security-policy"]
    own = next((v.decode() for n, v in start["headers"] if n.lower() == b"content-security-policy"), None)
    if own is None:
        policy = page_policy(body)
    elif "frame-ancestors" not in own:
        policy = own.rstrip("; ") + "; frame-ancestors 'none'"
    else:
        policy = own
    return {**start, "headers": [*headers, (b"content-security-policy", policy.encode())]}
