"""Opaque list cursors: base64 of a small JSON value, so clients cannot depend on what is inside."""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import InstrumentedAttribute, Session

from inden.domain.errors import InvalidRequest
from inden.services.schemas.common import CONTROL, MAX_ID


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
    if not isinstance(value, expected) or isinstance(value, bool) or not _fits(value):
        raise invalid_cursor(cursor)
    return value


def _fits(value: Any) -> bool:
    """Whether every number and text inside a cursor fits the columns it is compared with (a forged cursor
    must be a 422 on PostgreSQL as on SQLite, not a database error)."""
    if isinstance(value, list):
        return all(_fits(item) for item in value)
    if isinstance(value, int):
        return -MAX_ID <= value <= MAX_ID
    if isinstance(value, str):
        return len(value) <= 200 and CONTROL.search(value) is None
    return False


def invalid_cursor(cursor: str) -> InvalidRequest:
    return InvalidRequest("Invalid cursor: pass back the next_cursor of a previous page.", cursor=cursor)


def keyset_page(session: Session, query: Select[Any], key: InstrumentedAttribute[Any], *, cursor: str | None,
                limit: int) -> tuple[Sequence[Any], str | None]:
    """Up to `limit` entities of `query` in ascending `key` order after the cursor, and the next cursor (None on
    the last page). `key` must be unique (a primary key or a unique column)."""
    after = decode_cursor(cursor, expected=str if key.type.python_type is str else int)
    query = query.order_by(key).limit(limit + 1)
    if after is not None:
        query = query.where(key > after)
    rows = session.scalars(query).all()
    page = rows[:limit]
    return page, encode_cursor(getattr(page[-1], key.key)) if len(rows) > limit else None
