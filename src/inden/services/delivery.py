"""Delivering the outbox by email, at least once (ARCHITECTURE.md, invariant 5).

A round claims due rows, sends, and records what happened — in two short transactions, never one that stays
open while a mail server answers (on SQLite that would hold the only write lock, and every order would wait
for the emails):

1. Claim: lock up to `delivery_batch` due rows in id order (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so
   concurrent workers take different rows; SQLite's `BEGIN IMMEDIATE` serialises claims) and lease them by
   moving `next_attempt_at` LEASE ahead. Committed at once: other workers now see them as not due.
2. Send, outside any transaction.
3. Record: delivered, retry later (backoff 1, 2, 4 … minutes), failed, or released for the next round.

If the process dies between 2 and 3, the lease runs out and the rows are claimed and sent again, with the same
Message-ID (derived from the dedup keys): at least once, never silently lost. A send that outlives LEASE may
also be sent twice; a batch is sent in far less.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import String, bindparam, func, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from inden.clock import as_utc, utcnow
from inden.config import Settings
from inden.db.models import OutboxEvent, Product, table_of
from inden.db.outbox import BULK, expand_bulk
from inden.db.session import Database
from inden.domain.errors import InvalidRequest, NotFound
from inden.domain.event_types import EventType
from inden.i18n import N_
from inden.notify.render import EMAILED_EVENTS, ORDER_EVENTS, UNEMAILED_EVENTS, addressee, compose, eta_digest, skus_of
from inden.notify.smtp import Mailer, MailerUnavailable, MessageDeferred, MessageRejected
from inden.notify.whatsapp import (
    WHATSAPP_EVENTS,
    WhatsAppDeferred,
    WhatsAppRejected,
    WhatsAppSender,
    whatsapp_message,
)
from inden.services.steps.order_links import mint_order_links
from inden.services.steps.sign_up_links import mint_sign_up_links
from inden.services.steps.whatsapp_contacts import WhatsAppContacts, whatsapp_contacts

log = logging.getLogger(__name__)

SIGN_UP_EVENTS = frozenset({EventType.SUBSCRIPTION_CONFIRM, EventType.BACK_IN_STOCK})  # carry a sign-up link
LEASE = timedelta(minutes=15)  # how long a claimed row stays invisible to other workers
ERROR_LENGTH = 500  # outbox.last_error


@dataclass(frozen=True, slots=True)
class ClaimedEvent:
    id: int
    event_type: str
    dedup_key: str
    payload: dict[str, Any]
    attempts: int


@dataclass(frozen=True, slots=True)
class Links:
    """The links minted for one round's emails: order page address by order id; confirm and unsubscribe
    addresses by sign-up id (`confirm_url`, `unsubscribe_url`)."""

    orders: dict[int, str] = field(default_factory=dict)
    sign_ups: dict[int, dict[str, str]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Notice:
    """What one email tells: one event, or several `eta_changed` events of one order (sent as a digest)."""

    event_type: str
    events: tuple[ClaimedEvent, ...]

    def payload(self) -> dict[str, Any]:
        """What the email is made from. Raises (KeyError, TypeError …) on a malformed payload."""
        if self.event_type == EventType.ETA_CHANGED:
            return eta_digest([e.payload for e in self.events])
        return self.events[0].payload


Verdict = Literal["sent", "skipped", "retry", "failed", "unavailable"]


@dataclass(frozen=True, slots=True)
class Outcome:
    verdict: Verdict
    error: str | None = None
    channel: str = "email"  # how a sent notice went: email, or whatsapp
    fell_back: bool = False  # WhatsApp failed for good, so it went by email


@dataclass(slots=True)
class DeliveryReport:
    """What one round did, counted in outbox events (`emails` counts messages: a digest is one)."""

    claimed: int = 0
    sent: int = 0
    emails: int = 0
    whatsapp: int = 0  # messages sent by WhatsApp (of `emails`' kind: a digest is one)
    fell_back: int = 0  # notices WhatsApp could not take for good, emailed instead
    skipped: int = 0  # nobody to tell: no seller address, an unknown type, ETA moves that cancelled out
    retried: int = 0
    failed: int = 0
    unavailable: str | None = None  # the mail server could not be used; the round stopped there
    outcomes: dict[int, Verdict] = field(default_factory=dict, repr=False)  # event id -> what happened


# --- the round ------------------------------------------------------------------------------------------


def expand_outbox(db: Database) -> int:
    """Turn the bulk rows of big changes (a stock-in serving thousands, a supplier's delay, a large wave) into one
    outbox row per event, ready to send and to read (db.outbox.expand_bulk); returns how many were written."""
    with db.transaction() as session:
        return expand_bulk(session)


def deliver_outbox(db: Database, mailer: Mailer, *, now: datetime | None = None,
                   limit: int | None = None, whatsapp: WhatsAppSender | None = None) -> DeliveryReport:
    """Send one batch of due outbox events by email (at most `limit`, default `delivery_batch`), or by WhatsApp
    (`whatsapp`, when the seller configured it) to buyers who chose it and did not opt out.

    WhatsApp has the same retries as email; once it fails for good (a refusal, or its last attempt) the notice
    goes by email instead, so the buyer still hears.

    Each row's fate is its own: a refused message is retried with backoff (after `delivery_max_attempts`
    it is marked failed), a 5xx rejection fails at once, a broken row fails without stopping the others. If
    the mail server cannot be reached the round stops and the unsent rows are released untouched (no attempt
    is charged to them): `report.unavailable` says why. Returns what happened, per event.
    """
    settings = db.settings
    now = as_utc(now or utcnow()).astimezone(UTC)
    expand_outbox(db)
    events, names, links, contacts = _claim(db, now=now, limit=limit or settings.delivery_batch,
                                            whatsapp=whatsapp is not None)
    report = DeliveryReport(claimed=len(events))
    done: list[tuple[Notice, Outcome]] = []
    try:
        for notice in notices(events):
            outcome = _deliver(notice, mailer, names=names, settings=settings, links=links,
                               whatsapp=whatsapp, contacts=contacts)
            done.append((notice, outcome))
            if outcome.verdict == "unavailable":
                report.unavailable = outcome.error
                break
    finally:  # also on KeyboardInterrupt: what was sent is recorded, the rest released, not re-sent later
        _record(db, events, done, now=now, settings=settings, report=report)
    return report


def notices(events: Sequence[ClaimedEvent]) -> Iterator[Notice]:
    """The emails a batch makes, in id order: one per event, except that the `eta_changed` events of one
    order become a single digest (sent where the order's first one stood), so that a purchase order moved
    five times does not send five emails."""
    def order_of(event: ClaimedEvent) -> Any:
        return event.payload.get("order_id") if isinstance(event.payload, dict) else None

    by_order: dict[Any, list[ClaimedEvent]] = {}
    for event in events:
        if event.event_type == EventType.ETA_CHANGED and order_of(event) is not None:
            by_order.setdefault(order_of(event), []).append(event)
    for event in events:
        group = by_order.get(order_of(event)) if event.event_type == EventType.ETA_CHANGED else None
        if not group:
            yield Notice(event.event_type, (event,))
        elif group[0] is event:
            yield Notice(event.event_type, tuple(group))


def _deliver(notice: Notice, mailer: Mailer, *, names: dict[str, str], settings: Settings,
             links: Links, whatsapp: WhatsAppSender | None = None,
             contacts: WhatsAppContacts | None = None) -> Outcome:
    """Render and send one notice; every failure becomes an Outcome, so one bad row cannot stop the round."""
    if notice.event_type in UNEMAILED_EVENTS:
        return Outcome("skipped")
    if notice.event_type not in EMAILED_EVENTS:
        log.warning(N_("outbox event %s has type %r, which is not emailed; marked delivered"),
                    notice.events[0].id, notice.event_type)
        return Outcome("skipped")
    try:
        payload = notice.payload()
        if notice.event_type in SIGN_UP_EVENTS:  # the links go into the message only, never into the outbox
            payload = {**payload, **links.sign_ups[payload["subscription_id"]]}
        to = addressee(notice.event_type, payload, settings=settings)
        if to is None or (notice.event_type == EventType.ETA_CHANGED and not payload["changes"]):
            return Outcome("skipped")
        order_url = links.orders.get(payload.get("order_id", 0)) if notice.event_type in ORDER_EVENTS else None
        dedup_keys = [e.dedup_key for e in notice.events]
        phone = contacts.phone_for(notice.event_type, payload) if contacts else None
        chat = None
        if whatsapp is not None and phone and notice.event_type in WHATSAPP_EVENTS:
            chat = whatsapp_message(notice.event_type, payload, to=phone, locale=to.locale, settings=settings,
                                    product_names=names, order_url=order_url, reference=" ".join(dedup_keys))
        message = compose(notice.event_type, payload, to=to, product_names=names, settings=settings,
                          dedup_keys=dedup_keys, order_url=order_url)
    except Exception as error:  # a payload the templates cannot show will not improve by waiting
        log.exception(N_("outbox event %s cannot be rendered"), notice.events[0].id)
        return Outcome("failed", f"cannot render: {type(error).__name__}: {error}")
    fell_back = False
    if whatsapp is not None and chat is not None:
        try:
            whatsapp.send(chat)
            return Outcome("sent", channel="whatsapp")
        except WhatsAppDeferred as error:
            if max(e.attempts for e in notice.events) + 1 < settings.delivery_max_attempts:
                return Outcome("retry", f"whatsapp: {error.reason}")
            log.warning(N_("outbox event %s: WhatsApp kept failing (%s); sent by email"), notice.events[0].id,
                        error.reason)
        except WhatsAppRejected as error:
            log.warning(N_("outbox event %s: WhatsApp refused it (%s); sent by email"), notice.events[0].id,
                        error.reason)
        except Exception:  # a sender's bug must not keep the buyer from hearing: email it
            log.exception(N_("outbox event %s: sending by WhatsApp failed unexpectedly; sent by email"),
                          notice.events[0].id)
        fell_back = True
    try:
        mailer.send(message)
    except MessageRejected as error:
        return Outcome("failed", error.reason)
    except MessageDeferred as error:
        return Outcome("retry", error.reason)
    except MailerUnavailable as error:
        return Outcome("unavailable", error.reason)
    except Exception as error:  # a mailer's bug: retried with backoff, so it cannot jam the head of the queue
        log.exception(N_("sending outbox event %s failed unexpectedly"), notice.events[0].id)
        return Outcome("retry", f"{type(error).__name__}: {error}")
    return Outcome("sent", fell_back=fell_back)


# --- claiming and recording -----------------------------------------------------------------------------


def _due(now: datetime) -> ColumnElement[bool]:
    return (OutboxEvent.delivered_at.is_(None) & OutboxEvent.failed_at.is_(None) & (OutboxEvent.event_type != BULK)
            & or_(OutboxEvent.next_attempt_at.is_(None), OutboxEvent.next_attempt_at <= now))


def _claim(db: Database, *, now: datetime, limit: int, whatsapp: bool = False
           ) -> tuple[list[ClaimedEvent], dict[str, str], Links, WhatsAppContacts | None]:
    """Lease up to `limit` due events (oldest first), look up the product names their emails need, and mint
    one order-page link per order and one sign-up link per sign-up they tell about (a resent email carries a
    new link; the old one still works); with `whatsapp`, also who of their readers chose WhatsApp (and did not
    opt out)."""
    with db.transaction() as session:
        # Concurrency: SKIP LOCKED lets a second worker pass over rows the first is claiming; once this commits,
        # the lease keeps them out of everyone's WHERE (PostgreSQL re-checks it on a row that changed after the
        # second worker's snapshot, before locking it).
        rows = session.execute(
            select(OutboxEvent.id, OutboxEvent.event_type, OutboxEvent.dedup_key, OutboxEvent.payload,
                   OutboxEvent.attempts)
            .where(_due(now)).order_by(OutboxEvent.id).limit(limit).with_for_update(skip_locked=True)
        ).all()
        events = [ClaimedEvent(*row) for row in rows]
        if events:
            session.execute(update(OutboxEvent).where(OutboxEvent.id.in_([e.id for e in events]))
                            .values(next_attempt_at=now + LEASE))
        contacts = whatsapp_contacts(session, [e.payload for e in events]) if whatsapp and events else None
        links = Links(orders=mint_order_links(session, _orders_of(events), now=now),
                      sign_ups=mint_sign_up_links(session, _sign_ups_of(events), now=now))
        return events, _product_names(session, events), links, contacts


def _orders_of(events: Sequence[ClaimedEvent]) -> set[int]:
    return {e.payload["order_id"] for e in events if e.event_type in ORDER_EVENTS and isinstance(e.payload, dict)
            and isinstance(e.payload.get("order_id"), int)
            and not isinstance(e.payload.get("order_id"), bool)}


def _sign_ups_of(events: Sequence[ClaimedEvent]) -> set[int]:
    return {e.payload["subscription_id"] for e in events if e.event_type in SIGN_UP_EVENTS
            and isinstance(e.payload, dict) and isinstance(e.payload.get("subscription_id"), int)
            and not isinstance(e.payload.get("subscription_id"), bool)}


def _product_names(session: Session, events: Sequence[ClaimedEvent]) -> dict[str, str]:
    skus = set().union(*(skus_of(e.payload) for e in events)) if events else set()
    if not skus:
        return {}
    return dict(session.execute(select(Product.sku, Product.name).where(Product.sku.in_(skus))).all())


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt: 1, 2, 4, 8 … minutes."""
    return timedelta(minutes=2 ** (attempts - 1))


_outbox = table_of(OutboxEvent)
# Only rows still undelivered are touched: if a lease ran out and another worker delivered a row meanwhile,
# its record stands. A NULL new_last_error keeps the one there (a release or a success is no news).
_SET_STATE = (
    update(_outbox)
    .where(_outbox.c.id == bindparam("event_id"), _outbox.c.delivered_at.is_(None))
    .values(delivered_at=bindparam("new_delivered_at"), attempts=bindparam("new_attempts"),
            next_attempt_at=bindparam("new_next_attempt_at"), failed_at=bindparam("new_failed_at"),
            last_error=func.coalesce(bindparam("new_last_error", type_=String), _outbox.c.last_error))
)


def settle(event: ClaimedEvent, outcome: Outcome | None, *, now: datetime,
           max_attempts: int) -> tuple[Verdict | None, dict[str, Any]]:
    """What becomes of a claimed row: its final verdict (None: released untouched, as the round stopped
    before it or the server was unavailable) and its next state as `_SET_STATE` parameters."""
    state: dict[str, Any] = {"event_id": event.id, "new_delivered_at": None, "new_attempts": event.attempts,
                             "new_next_attempt_at": None, "new_failed_at": None, "new_last_error": None}
    if outcome is None:
        return None, state
    error = (outcome.error or "")[:ERROR_LENGTH] or None
    if outcome.verdict == "unavailable":
        state["new_last_error"] = error  # shown by `inden outbox`; no attempt is charged
        return None, state
    if outcome.verdict in ("sent", "skipped"):
        state["new_delivered_at"] = now
        return outcome.verdict, state
    attempts = event.attempts + 1
    state.update(new_attempts=attempts, new_last_error=error)
    if outcome.verdict == "failed" or attempts >= max_attempts:
        state["new_failed_at"] = now
        return "failed", state
    state["new_next_attempt_at"] = now + backoff(attempts)
    return "retry", state


def _record(db: Database, events: Sequence[ClaimedEvent], done: Sequence[tuple[Notice, Outcome]], *,
            now: datetime, settings: Settings, report: DeliveryReport) -> None:
    """Store every claimed row's next state in one transaction and count the verdicts into `report`."""
    outcomes = {event.id: outcome for notice, outcome in done for event in notice.events}
    settled = [settle(e, outcomes.get(e.id), now=now, max_attempts=settings.delivery_max_attempts) for e in events]
    if settled:
        with db.transaction() as session:
            session.execute(_SET_STATE, [state for _, state in settled])
    for verdict, state in settled:
        if verdict is not None:
            report.outcomes[state["event_id"]] = verdict
    counts = Counter(report.outcomes.values())
    report.sent, report.skipped, report.retried, report.failed = (
        counts["sent"], counts["skipped"], counts["retry"], counts["failed"])
    report.emails = sum(1 for _, outcome in done if outcome.verdict == "sent" and outcome.channel == "email")
    report.whatsapp = sum(1 for _, outcome in done if outcome.verdict == "sent" and outcome.channel == "whatsapp")
    report.fell_back = sum(1 for _, outcome in done if outcome.fell_back)


# --- the seller's view: what is waiting, what failed ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    id: int
    event_type: str
    created_at: datetime
    attempts: int
    next_attempt_at: datetime | None  # None: due now; in the future: backing off (or leased by a worker)
    last_error: str | None
    failed_at: datetime | None


def list_outbox(db: Database, *, failed: bool = False, limit: int = 100) -> list[OutboxEntry]:
    """Undelivered events, oldest first: those still to be sent, or with `failed` those given up on."""
    given_up = OutboxEvent.failed_at.is_not(None) if failed else OutboxEvent.failed_at.is_(None)
    with db.transaction() as session:
        rows = session.execute(
            select(OutboxEvent.id, OutboxEvent.event_type, OutboxEvent.created_at, OutboxEvent.attempts,
                   OutboxEvent.next_attempt_at, OutboxEvent.last_error, OutboxEvent.failed_at)
            .where(OutboxEvent.delivered_at.is_(None), given_up, OutboxEvent.event_type != BULK)
            .order_by(OutboxEvent.id).limit(limit)
        ).all()
    return [OutboxEntry(id, kind, as_utc(created), attempts, next_at and as_utc(next_at), error,
                        failed_at and as_utc(failed_at))
            for id, kind, created, attempts, next_at, error, failed_at in rows]


def retry_failed(db: Database, event_ids: Sequence[int] = (), *, all_failed: bool = False) -> int:
    """Give failed events one more attempt (after fixing the address, the server, the template): clears
    `failed_at` and `next_attempt_at`, keeps `attempts` and `last_error`. Returns how many were re-queued.

    Raises NotFound for an id with no outbox event, InvalidRequest for one that has not failed.
    """
    failed = OutboxEvent.failed_at.is_not(None) & OutboxEvent.delivered_at.is_(None)
    with db.transaction() as session:
        if not all_failed:
            found = dict(session.execute(select(OutboxEvent.id, failed).where(OutboxEvent.id.in_(event_ids))).all())
            for event_id in event_ids:
                if event_id not in found:
                    raise NotFound(f"No outbox event with id {event_id}.", event_id=event_id)
                if not found[event_id]:
                    raise InvalidRequest(f"Outbox event {event_id} has not failed; nothing to retry.",
                                         event_id=event_id)
        chosen = failed if all_failed else failed & OutboxEvent.id.in_(event_ids)
        result = session.execute(update(OutboxEvent).where(chosen).values(failed_at=None, next_attempt_at=None))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
