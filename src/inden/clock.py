"""Time helpers. Services take `now` as an argument so that tests can fake the clock; shop dates are taken in
the shop's timezone (`Settings.timezone`), given by the caller."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """SQLite gives back naive datetimes; everything inden stores is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def shop_date(moment: datetime, timezone: str) -> date:
    """The calendar date of an aware `moment` in the shop's `timezone`: what a shopper in the shop's city calls
    that day. ETAs, receipts, release dates and the dates shown are shop dates."""
    return moment.astimezone(ZoneInfo(timezone)).date()
