"""Webhooks follow commit order: an event whose transaction commits after a later-numbered one is still sent
(issue 13). Ids are taken when a row is written, not when it commits, so a cursor by id skipped such an event on
PostgreSQL; outbox positions, given after commit under one lock, cannot."""

from __future__ import annotations

import random
import threading
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from inden.db.models import OutboxEvent
from inden.db.outbox import Event, assign_positions, emit
from inden.db.session import Database
from inden.services.schemas.webhooks import WebhookCreate
from inden.services.webhooks import add_webhook, send_webhooks

NOW = datetime(2026, 12, 12, 3, 0, tzinfo=UTC)


class Recorder:
    """The webhook port, recording what each request carried (thread-safe)."""

    def __init__(self) -> None:
        self.keys: list[str] = []
        self._lock = threading.Lock()

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> int:
        import json

        with self._lock:
            self.keys += [event["key"] for event in json.loads(body)["events"]]
        return 200


def write(db: Database, key: str) -> None:
    with db.transaction() as session:
        emit(session, [Event("order.cancelled", key, {"order_id": 1})], now=NOW)


@pytest.mark.postgres
def test_an_event_committed_late_with_a_lower_id_is_still_sent(pg_database: Database) -> None:
    from tests.conftest import truncate_all

    db = pg_database
    truncate_all(db)
    add_webhook(db, WebhookCreate(url="http://erp.toko.example/inden"), now=NOW)
    recorder = Recorder()
    with db.transaction() as slow:  # takes the lower id, commits last
        emit(slow, [Event("order.cancelled", "slow", {"order_id": 1})], now=NOW)
        slow.flush()
        write(db, "fast")  # another connection: a higher id, committed at once
        send_webhooks(db, recorder, now=NOW)
        assert recorder.keys == ["fast"]
        with db.transaction() as session:
            ids = dict(session.execute(select(OutboxEvent.dedup_key, OutboxEvent.id)).all())
        assert list(ids) == ["fast"]  # the slow one is not visible yet
    send_webhooks(db, recorder, now=NOW)
    assert recorder.keys == ["fast", "slow"]
    with db.transaction() as session:
        rows = dict(session.execute(select(OutboxEvent.dedup_key, OutboxEvent.id)).all())
    assert rows["slow"] < rows["fast"]  # sent in commit order, not id order


def test_positions_follow_commit_order_and_are_given_once(db: Database) -> None:
    write(db, "a")
    write(db, "b")
    with db.transaction() as session:
        assert assign_positions(session) == 2
        assert assign_positions(session) == 0
    write(db, "c")
    with db.transaction() as session:
        assert assign_positions(session) == 1
        positions = session.execute(select(OutboxEvent.dedup_key, OutboxEvent.position)
                                    .order_by(OutboxEvent.position)).all()
    assert [tuple(p) for p in positions] == [("a", 1), ("b", 2), ("c", 3)]


@pytest.mark.postgres
def test_writers_racing_a_sender_lose_no_event(pg_database: Database) -> None:
    """Four writers whose transactions hold their ids for a random while, and a sender running all along:
    every event arrives once."""
    from tests.conftest import truncate_all

    db = pg_database
    truncate_all(db)
    add_webhook(db, WebhookCreate(url="http://erp.toko.example/inden"), now=NOW)
    recorder, done, errors = Recorder(), threading.Event(), []
    written = [f"w{w}-{n}" for w in range(4) for n in range(40)]

    def writer(number: int) -> None:
        rng = random.Random(number)
        try:
            for n in range(40):
                with db.transaction() as session:
                    emit(session, [Event("order.cancelled", f"w{number}-{n}", {"order_id": n})], now=NOW)
                    session.flush()
                    time.sleep(rng.random() * 0.01)  # the id is taken; the commit comes later
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    def sender() -> None:
        try:
            while not done.is_set():
                send_webhooks(db, recorder, now=NOW, batch=7)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    sending = threading.Thread(target=sender)
    sending.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    done.set()
    sending.join(timeout=60)
    send_webhooks(db, recorder, now=NOW, batch=1000)
    assert errors == []
    assert sorted(recorder.keys) == sorted(written)  # none skipped, none twice
