"""Opaque list cursors: base64 of a small JSON value, so clients cannot depend on what is inside."""

from __future__ import annotations

import base64
import json
from typing import Any

from inden.domain.errors import InvalidRequest


def encode_cursor(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, *, expected: type) -> Any:
    """The value inside `cursor`, or None for no cursor. Raises InvalidRequest for a cursor we did not make."""
    if cursor is None:
        return None
    try:
        value = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except ValueError:
        value = None
    if not isinstance(value, expected) or isinstance(value, bool):
        raise invalid_cursor(cursor)
    return value


def invalid_cursor(cursor: str) -> InvalidRequest:
    return InvalidRequest("Invalid cursor: pass back the next_cursor of a previous page.", cursor=cursor)
