"""API keys: made by `inden keys create`, stored as SHA-256 hashes, checked on every request."""

from __future__ import annotations

import hashlib
import secrets
import time
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select

from inden.clock import utcnow
from inden.db.models import ApiKey
from inden.db.session import Database


class Role(StrEnum):
    ADMIN = "admin"  # everything
    STAFF = "staff"  # all but keys and settings
    STOREFRONT = "storefront"  # availability reads and subscriptions; safe to embed in a public page


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(db: Database, role: Role, *, now: datetime | None = None) -> str:
    """Make a new key for `role` and return it; only its hash is stored, so it cannot be shown again."""
    key = f"inden_{role.value[:2]}_{secrets.token_urlsafe(32)}"
    with db.transaction() as session:
        session.add(ApiKey(key_hash=_hash(key), prefix=key[:12], role=role.value, created_at=now or utcnow()))
    return key


class KeyCache:
    """Remembers recent key look-ups for a few seconds, so a busy storefront does not cost a query a request.

    A revoked key stops working within `ttl` seconds.
    """

    def __init__(self, db: Database, *, ttl: float = 10.0) -> None:
        self._db = db
        self._ttl = ttl
        self._seen: dict[str, tuple[float, Role | None]] = {}

    def role_of(self, key: str) -> Role | None:
        digest = _hash(key)
        hit = self._seen.get(digest)
        if hit and hit[0] > time.monotonic():
            return hit[1]
        with self._db.transaction() as session:
            role = session.scalar(
                select(ApiKey.role).where(ApiKey.key_hash == digest, ApiKey.revoked_at.is_(None))
            )
        found = Role(role) if role else None
        if len(self._seen) > 10_000:
            self._seen.clear()
        self._seen[digest] = (time.monotonic() + self._ttl, found)
        return found
