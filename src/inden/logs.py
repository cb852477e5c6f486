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

from inden.i18n import N_, translations

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


LEVELS = {"DEBUG": N_("DEBUG"), "INFO": N_("INFO"), "WARNING": N_("WARNING"), "ERROR": N_("ERROR"),
          "CRITICAL": N_("CRITICAL")}


class TextFormatter(logging.Formatter):
    """One line per record, in the shop's language: the text format is read by people on a terminal, beside the
    commands' own output in that language (inden's log messages are marked N_ and live in the catalogues). JSON
    keeps the English messages, for machines and for searching."""

    def __init__(self, locale: str = "en") -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")
        self.locale = locale

    def format(self, record: logging.LogRecord) -> str:
        if self.locale != "en" and record.name.startswith("inden"):
            words = translations(self.locale)
            record = logging.makeLogRecord({**vars(record), "msg": words.gettext(str(record.msg)),
                                            "levelname": words.gettext(LEVELS.get(record.levelname, record.levelname))})
        line = super().format(record)
        current = getattr(record, "request_id", None)
        return f"{line} [request {current}]" if current else line


def configure_logging(*, format: str = "text", level: str = "INFO", locale: str = "en") -> None:
    """Send inden's loggers (`inden.*`) to stderr in `format` ("text", in `locale`, or "json") at `level`.
    Idempotent."""
    logger = logging.getLogger("inden")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if format == "json" else TextFormatter(locale))
    handler.addFilter(RequestIdFilter())
    logger.handlers = [handler]
    logger.setLevel(level.upper())
    logger.propagate = False
