"""API keys as the owner sees them: never the key, only its first characters."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from inden.services.keys import Role


class KeyOut(BaseModel):
    id: int
    role: Role
    prefix: str  # the key's first 16 characters, e.g. "inden_store_Ab3d"
    created_at: datetime
    revoked_at: datetime | None
