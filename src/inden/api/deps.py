"""Dependencies shared by the routers: the database and the caller's role."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from inden.api.errors import ApiError
from inden.config import Settings
from inden.db.session import Database
from inden.services import rate_limits
from inden.services.keys import KeyCache, Role
from inden.services.rate_limits import Limit, key_bucket

MINUTE, HOUR, DAY = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)

bearer = HTTPBearer(auto_error=False, description="A key made with `inden keys create --role ROLE`.")


async def get_db(request: Request) -> Database:  # async: no thread hop for a dependency that does no I/O
    db: Database = request.app.state.db
    return db


def require(*roles: Role) -> Callable[..., Awaitable[Role]]:
    """A dependency that lets through only callers whose key has one of `roles` (admin always passes)."""
    allowed = {Role.ADMIN, *roles}

    # async so FastAPI does not hop to a thread for it; a key look-up only touches the database on a cache
    # miss (once per key every few seconds).
    async def check(
        request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
    ) -> Role:
        if credentials is None or not credentials.credentials:
            raise ApiError("unauthorized", "Missing API key: send `Authorization: Bearer <key>`.")
        keys: KeyCache = request.app.state.keys
        role = keys.role_of(credentials.credentials)
        if role is None:
            raise ApiError("unauthorized", "Unknown or revoked API key.")
        if role not in allowed:
            raise ApiError("forbidden", f"A {role.value} key may not do this.", role=role.value)
        return role

    return check


staff = Depends(require(Role.STAFF))


def client_of(request: Request) -> str:
    """The caller's address (behind a reverse proxy, uvicorn takes it from X-Forwarded-For; docs/operations.md)."""
    return request.client.host if request.client else "unknown"


def storefront_caller(request: Request, role: Annotated[Role, Depends(require(Role.STAFF, Role.STOREFRONT))],
                      credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Role:
    """The storefront routes' guard: staff and storefront keys; a storefront key — public by design — is held to
    its per-key and per-client limits (429 with Retry-After past them)."""
    if role is Role.STOREFRONT and credentials is not None:
        settings: Settings = request.app.state.settings
        db: Database = request.app.state.db
        rate_limits.hit(db, [
            Limit(key_bucket(credentials.credentials), settings.storefront_requests_per_minute_per_key, MINUTE),
            Limit(f"client:{client_of(request)}", settings.storefront_requests_per_minute_per_client, MINUTE)])
    return role


def limit_signup(request: Request, role: Role, email: str) -> None:
    """Sign-ups per mailbox (plus-tags and case folded) per day, and per client per hour for storefront keys."""
    settings: Settings = request.app.state.settings
    limits = [Limit(f"signup:{rate_limits.normalised_email(email)}", settings.signups_per_email_per_day, DAY)]
    if role is Role.STOREFRONT:
        limits.append(Limit(f"signup-client:{client_of(request)}", settings.signups_per_client_per_hour, HOUR))
    rate_limits.hit(request.app.state.db, limits)
