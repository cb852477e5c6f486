"""Refuse request bodies over the configured size (413) before any endpoint reads them."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodySizeLimit:
    """Pure ASGI middleware: buffers the body up to `max_bytes` (or the larger limit `paths` gives an exact path,
    e.g. the back office's CSV upload), answers 413 past that."""

    def __init__(self, app: ASGIApp, *, max_bytes: int, paths: Mapping[str, int] | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.paths = dict(paths or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit = self.paths.get(scope["path"], self.max_bytes)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._too_large(send, limit)
            return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            if len(body) > limit:
                await self._too_large(send, limit)
                return
            if not message.get("more_body", False):
                break
        await self.app(scope, replay_body(bytes(body), receive), send)

    async def _too_large(self, send: Send, limit: int) -> None:
        payload: dict[str, Any] = {"error": {
            "code": "payload_too_large",
            "message": f"Request body is larger than {limit} bytes.",
            "details": {"max_bytes": limit},
        }}
        body = json.dumps(payload).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})


def replay_body(body: bytes, receive: Receive) -> Receive:
    """A `receive` that gives an already-read body once more, then defers to the real one."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay
