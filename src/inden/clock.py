"""Time helpers. Services take `now` as an argument so that tests can fake the clock."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """SQLite gives back naive datetimes; everything inden stores is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
