"""Dependencies shared by the routers: the database and the caller's role."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from inden.api.errors import ApiError
from inden.db.session import Database
from inden.services.keys import KeyCache, Role

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
