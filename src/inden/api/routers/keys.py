"""API keys (admin keys only): list them, revoke one at once. New keys come from `inden keys create` or the
back office, which show a key once."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request

from inden.api.deps import get_db, require
from inden.db.session import Database
from inden.services import keys
from inden.services.keys import KeyCache
from inden.services.schemas.common import MAX_ID, Page
from inden.services.schemas.keys import KeyOut

router = APIRouter(prefix="/v1/keys", tags=["keys"], dependencies=[Depends(require())])
Db = Annotated[Database, Depends(get_db)]


@router.get("")
def list_keys(db: Db) -> Page[KeyOut]:
    """Every key, revoked ones too, oldest first: id, role, prefix, when made and revoked."""
    return Page[KeyOut](items=[KeyOut(id=k.id, role=k.role, prefix=k.prefix, created_at=k.created_at,
                                      revoked_at=k.revoked_at) for k in keys.list_keys(db)], next_cursor=None)


@router.delete("/{key_id}", status_code=204)
def revoke_key(key_id: Annotated[int, Path(ge=1, le=MAX_ID)], request: Request, db: Db) -> None:
    """Revoke a key: it stops working at once (in other server processes within a few seconds)."""
    keys.revoke_key(db, key_id)
    cache: KeyCache = request.app.state.keys
    cache.forget()
