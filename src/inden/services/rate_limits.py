"""Rate limits counted in the database, so that they hold across several server processes (issue 13).

A limit is a number of hits per bucket and fixed window: `key:<hash>` (a storefront key), `client:<address>`,
`signup:<normalised address>`, `signup-client:<address>`. Each hit is one upsert of the window's counter
(`INSERT … ON CONFLICT DO UPDATE … RETURNING`, the same statement on SQLite and PostgreSQL); past the limit
the caller gets `RateLimited` with `retry_after`, the seconds until the window ends (the API's 429 and
`Retry-After`). Old windows are deleted now and then by the hits themselves.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import text

from inden.clock import utcnow
from inden.db.session import Database
from inden.domain.errors import RateLimited

_HIT = text("""
    INSERT INTO rate_limits (bucket, window_start, hits) VALUES (:bucket, :start, 1)
    ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_limits.hits + 1
    RETURNING hits
""")
_SWEEP = text("DELETE FROM rate_limits WHERE window_start < :before")
SWEEP_CHANCE = 0.001  # one hit in a thousand deletes the windows older than a day


@dataclass(frozen=True, slots=True)
class Limit:
    bucket: str
    most: int  # hits allowed per window; 0 means no limit
    window: timedelta


def normalised_email(email: str) -> str:
    """The mailbox an address reaches: lower case, without a `+tag` (`Siti+12@Contoh.id` -> `siti@contoh.id`)."""
    local, _, domain = email.strip().lower().rpartition("@")
    return f"{local.split('+', 1)[0]}@{domain}" if local else email.strip().lower()


def key_bucket(key: str) -> str:
    """A key's bucket name: a short hash, never the key."""
    return "key:" + hashlib.sha256(key.encode()).hexdigest()[:24]


def hit(db: Database, limits: list[Limit], *, now: datetime | None = None) -> None:
    """Count one hit in each limit's bucket, in one transaction; raise RateLimited (nothing else changes) if any
    bucket is past its limit. A refused hit still counts: hammering a limit does not shorten it."""
    now = now or utcnow()
    active = [limit for limit in limits if limit.most > 0]
    if not active:
        return
    refused: tuple[Limit, int] | None = None
    with db.transaction() as session:
        if not db.is_sqlite:  # a count lost in a crash costs nothing; waiting for the WAL flush costs every request
            session.execute(text("SET LOCAL synchronous_commit TO OFF"))
        for limit in active:
            seconds = int(limit.window.total_seconds())
            start = datetime.fromtimestamp(int(now.timestamp()) // seconds * seconds, tz=now.tzinfo)
            count = int(session.execute(_HIT, {"bucket": limit.bucket[:200], "start": start}).scalar_one())
            if count > limit.most and refused is None:
                left = int((start + limit.window - now).total_seconds()) + 1
                refused = (limit, max(left, 1))
        if random.random() < SWEEP_CHANCE:
            session.execute(_SWEEP, {"before": now - timedelta(days=1)})
    if refused is not None:
        limit, retry_after = refused
        raise RateLimited(f"Too many requests; retry in {retry_after} s.", retry_after=retry_after,
                          limit=limit.most, window_seconds=int(limit.window.total_seconds()))
