"""API keys: made by `inden keys create`, stored as SHA-256 hashes, checked on every request.

A key reads `inden_<role>_<43 random characters>` — `inden_admin_…`, `inden_staff_…`, `inden_store_…` — so
whoever finds one (in a log, a repository, a shop's page) sees what it may do; its first 16 characters are
kept as its `prefix` to tell keys apart in `inden keys list`.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select

from inden.clock import as_utc, utcnow
from inden.db.models import ApiKey
from inden.db.session import Database
from inden.domain.errors import NotFound


class Role(StrEnum):
    ADMIN = "admin"  # everything
    STAFF = "staff"  # all but keys and settings
    STOREFRONT = "storefront"  # availability reads and subscriptions; safe to embed in a public page


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


PREFIX_LENGTH = 16  # "inden_store_" and 4 random characters
KEY_WORDS = {"admin": "admin", "staff": "staff", "storefront": "store"}  # the role as the key's prefix names it


def create_key(db: Database, role: Role, *, now: datetime | None = None) -> str:
    """Make a new key for `role` and return it; only its hash is stored, so it cannot be shown again."""
    key = f"inden_{KEY_WORDS[role.value]}_{secrets.token_urlsafe(32)}"
    with db.transaction() as session:
        session.add(ApiKey(key_hash=_hash(key), prefix=key[:PREFIX_LENGTH], role=role.value,
                           created_at=now or utcnow()))
    return key


class KeyCache:
    """Remembers recent key look-ups for a few seconds, so a busy storefront does not cost a query a request.

    A key revoked through this process (`forget`) stops at once; in other server processes within `ttl` seconds.
    """

    def __init__(self, db: Database, *, ttl: float = 10.0) -> None:
        self._db = db
        self._ttl = ttl
        self._seen: dict[str, tuple[float, Role | None]] = {}

    def forget(self) -> None:
        """Drop every remembered look-up (after a key was revoked)."""
        self._seen.clear()

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


@dataclass(frozen=True)
class KeyRow:
    """An API key as the owner sees it: never the key itself, only its first characters."""

    id: int
    prefix: str
    role: Role
    created_at: datetime
    revoked_at: datetime | None


def list_keys(db: Database) -> list[KeyRow]:
    with db.transaction() as session:
        return [KeyRow(k.id, k.prefix, Role(k.role), as_utc(k.created_at), as_utc(k.revoked_at) if k.revoked_at
                       else None) for k in session.scalars(select(ApiKey).order_by(ApiKey.id))]


def revoke_key(db: Database, key_id: int, *, now: datetime | None = None) -> None:
    """Stop a key from working (within the key cache's few seconds). Raises NotFound for an unknown id."""
    with db.transaction() as session:
        key = session.get(ApiKey, key_id)
        if key is None:
            raise NotFound(f"No API key with id {key_id}.", key_id=key_id)
        if key.revoked_at is None:
            key.revoked_at = now or utcnow()
