"""Webhooks: the outbox's events over HTTP to the seller's systems (admin keys only: they are settings)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from inden.api.deps import get_db, require
from inden.db.session import Database
from inden.services import webhooks
from inden.services.schemas.common import MAX_ID, Page
from inden.services.schemas.webhooks import WebhookCreate, WebhookCreated, WebhookOut

router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"], dependencies=[Depends(require())])
Db = Annotated[Database, Depends(get_db)]
WebhookId = Annotated[int, Path(ge=1, le=MAX_ID)]


@router.post("", status_code=201)
def add_webhook(body: WebhookCreate, db: Db) -> WebhookCreated:
    """Register an endpoint for the events written from now on; the answer carries its signing secret once."""
    return webhooks.add_webhook(db, body)


@router.get("")
def list_webhooks(db: Db) -> Page[WebhookOut]:
    return Page[WebhookOut](items=webhooks.list_webhooks(db), next_cursor=None)


@router.delete("/{webhook_id}", status_code=204)
def remove_webhook(webhook_id: WebhookId, db: Db) -> None:
    webhooks.remove_webhook(db, webhook_id)


@router.post("/{webhook_id}/enable")
def enable_webhook(webhook_id: WebhookId, db: Db) -> WebhookOut:
    """Restart a disabled endpoint where it stopped."""
    return webhooks.enable_webhook(db, webhook_id)
