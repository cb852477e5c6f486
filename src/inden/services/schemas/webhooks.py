"""Webhook endpoints (the seller's systems that receive the outbox's events)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field, HttpUrl, UrlConstraints
from pydantic_core import PydanticCustomError

from inden.domain.event_types import EventType
from inden.services.schemas.common import Request

# Webhooks (the outbox's events, over HTTP, to the seller's own systems)



def _fits_column(url: HttpUrl) -> HttpUrl:
    # The limit above counts what was sent; the URL is stored normalised (punycode, a trailing slash), which
    # can be longer than the 2,000 characters its column holds.
    if len(str(url)) > 2000:
        raise PydanticCustomError("url_too_long", "URL should have at most 2000 characters")
    return url


class WebhookCreate(Request):
    # https in production: payloads carry customers' emails
    url: Annotated[HttpUrl, UrlConstraints(max_length=2000), AfterValidator(_fits_column)]
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
