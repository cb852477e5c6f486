"""Webhook endpoints (the seller's systems that receive the outbox's events)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, HttpUrl, UrlConstraints

from inden.domain.event_types import EventType
from inden.services.schemas.common import Request

# Webhooks (the outbox's events, over HTTP, to the seller's own systems)



class WebhookCreate(Request):
    url: Annotated[HttpUrl, UrlConstraints(max_length=2000)]  # https in production: payloads carry customers' emails
    events: Annotated[list[EventType], Field(min_length=1)] | None = None  # None: every event type


class WebhookOut(BaseModel):
    id: int
    url: str
    events: list[str] | None
    active: bool  # False once disabled after failing too long; `inden webhooks enable ID` restarts it
    next_event_id: int  # the first outbox event not yet acknowledged
    attempts: int  # failures in a row
    next_attempt_at: datetime | None
    last_error: str | None
    created_at: datetime


class WebhookCreated(WebhookOut):
    secret: str  # shown once: verify each request's `Inden-Signature` with it
