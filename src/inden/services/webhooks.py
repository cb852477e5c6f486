"""The outbox's events over HTTP to the seller's own systems (marketplace sync, ERP, chat bots).

Each endpoint has a cursor (`next_position`): a round POSTs the next batch of events from the outbox, in commit
order (outbox positions, db.outbox.assign_positions: an event whose transaction commits late comes later, never
skipped), as `{"events": [{id, type, key, created_at, data}, …]}`, and moves the cursor past the batch on any
2xx answer. So delivery is at least once and in order per endpoint, and one slow or broken endpoint holds back
nobody else. A failure waits 1, 2, 4 … minutes (the same batch is sent again: receivers drop repeats by
`id` or `key`); after `MAX_ATTEMPTS` failures in a row the endpoint is disabled until the seller enables it.

Like the email delivery, a round leases the endpoints it takes (commits at once), posts outside any
transaction, and records the result in a second one: no lock is held while a receiver answers.

Every request is signed: `Inden-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the
endpoint's secret>` (the scheme Stripe uses), so a receiver can check it came from inden and is fresh.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

import httpx
from sqlalchemy import func, or_, select, update

from inden.clock import as_utc, utcnow
from inden.db.models import OutboxEvent, WebhookEndpoint
from inden.db.outbox import POSITION_BATCH, assign_positions
from inden.db.session import Database
from inden.domain.errors import UnknownWebhook
from inden.services.schemas.webhooks import WebhookCreate, WebhookCreated, WebhookOut

BATCH = 100  # events per request
MAX_ATTEMPTS = 12  # failures in a row before the endpoint is disabled (backoff sums to ~68 hours)
LEASE = timedelta(minutes=5)  # a claimed endpoint is invisible to other workers this long
TIMEOUT = 10.0  # seconds a receiver has to answer


class Poster(Protocol):
    """The port that carries a request: returns the HTTP status, raises httpx.HTTPError when none came."""

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> int: ...


class HttpPoster:
    """The real port: httpx over one connection pool for the round."""

    def __init__(self, *, timeout: float = TIMEOUT) -> None:
        self._client = httpx.Client(timeout=timeout, follow_redirects=False,
                                    headers={"User-Agent": "inden-webhooks/1"})

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> int:
        return self._client.post(url, content=body, headers=headers).status_code

    def close(self) -> None:
        self._client.close()


def signature(secret: str, body: bytes, *, timestamp: int) -> str:
    """The `Inden-Signature` header value for `body` sent at `timestamp` (Unix seconds)."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def _view(endpoint: WebhookEndpoint) -> WebhookOut:
    retry_at = as_utc(endpoint.next_attempt_at) if endpoint.next_attempt_at else None
    return WebhookOut(id=endpoint.id, url=endpoint.url, events=endpoint.event_types,
                      active=endpoint.disabled_at is None, next_event_id=endpoint.next_event_id,
                      attempts=endpoint.attempts, next_attempt_at=retry_at, last_error=endpoint.last_error,
                      created_at=as_utc(endpoint.created_at))


def add_webhook(db: Database, spec: WebhookCreate, *, now: datetime | None = None) -> WebhookCreated:
    """Register an endpoint; it receives the events written from now on. The secret is shown only here."""
    now = now or utcnow()
    with db.transaction() as session:
        while assign_positions(session) == POSITION_BATCH:  # all that committed before now is behind the new cursor
            pass
        first = (session.scalar(select(func.max(OutboxEvent.id))) or 0) + 1
        after = (session.scalar(select(func.max(OutboxEvent.position))) or 0) + 1
        endpoint = WebhookEndpoint(url=str(spec.url), secret=secrets.token_hex(32), event_types=spec.events,
                                   next_event_id=first, next_position=after, attempts=0, created_at=now)
        session.add(endpoint)
        session.flush()
        return WebhookCreated(**_view(endpoint).model_dump(), secret=endpoint.secret)


def list_webhooks(db: Database) -> list[WebhookOut]:
    with db.transaction() as session:
        return [_view(e) for e in session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id))]


def remove_webhook(db: Database, webhook_id: int) -> None:
    with db.transaction() as session:
        endpoint = session.get(WebhookEndpoint, webhook_id)
        if endpoint is None:
            raise UnknownWebhook(webhook_id)
        session.delete(endpoint)


def enable_webhook(db: Database, webhook_id: int) -> WebhookOut:
    """Restart a disabled endpoint where it stopped (nothing is skipped)."""
    with db.transaction() as session:
        endpoint = session.get(WebhookEndpoint, webhook_id)
        if endpoint is None:
            raise UnknownWebhook(webhook_id)
        endpoint.disabled_at = endpoint.next_attempt_at = endpoint.last_error = None
        endpoint.attempts = 0
        return _view(endpoint)


@dataclass(frozen=True, slots=True)
class _Claim:
    id: int
    url: str
    secret: str
    event_types: list[str] | None
    attempts: int
    events: list[dict[str, object]]  # the batch to send, already filtered by type
    cursor: int  # where the cursor (a position) goes once the batch is acknowledged
    next_event_id: int  # the id after the batch's last event (what the seller sees)


@dataclass(slots=True)
class WebhookReport:
    endpoints: int = 0  # endpoints that had events past their cursor
    requests: int = 0
    events: int = 0  # events acknowledged
    failures: int = 0
    disabled: list[int] = field(default_factory=list)


def send_webhooks(db: Database, poster: Poster, *, now: datetime | None = None, batch: int = BATCH) -> WebhookReport:
    """One round: each due endpoint gets its next batch of events (one request). Returns what happened."""
    now = as_utc(now or utcnow())
    report = WebhookReport()
    claims = _claim(db, now=now, batch=batch)
    report.endpoints = len(claims)
    results = [(claim, _post(claim, poster, now=now) if claim.events else None) for claim in claims]
    with db.transaction() as session:
        for claim, error in results:
            values: dict[str, object]
            if claim.events:
                report.requests += 1
            if error is None:
                report.events += len(claim.events)
                values = {"next_position": claim.cursor, "next_event_id": claim.next_event_id, "attempts": 0,
                          "next_attempt_at": None, "last_error": None}
            else:
                report.failures += 1
                attempts = claim.attempts + 1
                values = {"attempts": attempts, "last_error": error[:500],
                          "next_attempt_at": now + timedelta(minutes=2 ** (attempts - 1))}
                if attempts >= MAX_ATTEMPTS:
                    values["disabled_at"] = now
                    report.disabled.append(claim.id)
            session.execute(update(WebhookEndpoint).where(WebhookEndpoint.id == claim.id).values(**values))
    return report


def _claim(db: Database, *, now: datetime, batch: int) -> list[_Claim]:
    """Lease the due endpoints that have events past their cursor, with their next batch."""
    with db.transaction() as session:
        assign_positions(session)
        latest = session.scalar(select(func.max(OutboxEvent.position))) or 0
        endpoints = session.scalars(
            select(WebhookEndpoint).where(
                WebhookEndpoint.disabled_at.is_(None), WebhookEndpoint.next_position <= latest,
                or_(WebhookEndpoint.next_attempt_at.is_(None), WebhookEndpoint.next_attempt_at <= now))
            .order_by(WebhookEndpoint.id).with_for_update(skip_locked=True)).all()
        claims = []
        for endpoint in endpoints:
            rows = session.execute(
                select(OutboxEvent.id, OutboxEvent.position, OutboxEvent.event_type, OutboxEvent.dedup_key,
                       OutboxEvent.created_at, OutboxEvent.payload)
                .where(OutboxEvent.position >= endpoint.next_position).order_by(OutboxEvent.position)
                .limit(batch)).all()
            wanted = set(endpoint.event_types) if endpoint.event_types else None
            events: list[dict[str, object]] = [
                {"id": row.id, "type": row.event_type, "key": row.dedup_key,
                 "created_at": as_utc(row.created_at).isoformat(), "data": row.payload}
                for row in rows if wanted is None or row.event_type in wanted]
            claims.append(_Claim(endpoint.id, endpoint.url, endpoint.secret, endpoint.event_types,
                                 endpoint.attempts, events,
                                 rows[-1].position + 1 if rows else endpoint.next_position,
                                 rows[-1].id + 1 if rows else endpoint.next_event_id))
            endpoint.next_attempt_at = now + LEASE
        return claims


def _post(claim: _Claim, poster: Poster, *, now: datetime) -> str | None:
    """Send one batch; None when the receiver acknowledged it (2xx), else what went wrong."""
    body = json.dumps({"events": claim.events}, separators=(",", ":"), default=str).encode()
    headers = {"Content-Type": "application/json",
               "Inden-Signature": signature(claim.secret, body, timestamp=int(now.timestamp()))}
    try:
        status = poster.post(claim.url, body, headers)
    except httpx.HTTPError as error:
        return f"{type(error).__name__}: {error}"
    return None if 200 <= status < 300 else f"HTTP {status}"

