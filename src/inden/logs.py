"""Logging for every inden process: one line per event, plain text or JSON (INDEN_LOG_FORMAT), each with the
request id of the HTTP request it belongs to (the `X-Request-ID` header).

What is logged never holds personal data: SQL is logged without its parameters (the engines are made with
`hide_parameters`), request lines carry the path without its query string (sign-up links carry tokens there),
and no email, name, key or token is put in a message by inden's own code.
"""

from __future__ import annotations

import json
import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

request_id: ContextVar[str | None] = ContextVar("inden_request_id", default=None)
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """A log record as one JSON object: time, level, logger, message, request_id, the `extra` fields, and the
    exception's type and traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(), "logger": record.name, "message": record.getMessage()}
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")})
        if record.exc_info:
            entry["error"] = record.exc_info[0].__name__ if record.exc_info[0] else None
            entry["traceback"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class RequestIdFilter(logging.Filter):
    """Stamps each record with the id of the request being served when it was logged (if any)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None and (current := request_id.get()) is not None:
            record.request_id = current
        return True


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        current = getattr(record, "request_id", None)
        return f"{line} [request {current}]" if current else line


def configure_logging(*, format: str = "text", level: str = "INFO") -> None:
    """Send inden's loggers (`inden.*`) to stderr in `format` ("text" or "json") at `level`. Idempotent."""
    logger = logging.getLogger("inden")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if format == "json" else TextFormatter())
    handler.addFilter(RequestIdFilter())
    logger.handlers = [handler]
    logger.setLevel(level.upper())
    logger.propagate = False
