"""`inden outbox prune`: old settled events go; what an email or any webhook (even disabled) still needs stays."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from inden.db.models import OutboxEvent, WebhookEndpoint
from inden.db.outbox import Event, assign_positions, emit
from inden.db.session import Database
from inden.services.retention import prune_outbox

NOW = datetime(2026, 12, 12, 3, 0, tzinfo=UTC)
OLD = NOW - timedelta(days=40)


def outbox(db: Database, rows: list[tuple[str, datetime, bool]]) -> list[int]:
    """Write events (key, created, emailed) and return their ids."""
    with db.transaction() as session:
        for key, created, _ in rows:
            emit(session, [Event("order.cancelled", key, {"order_id": 1})], now=created)
        ids = list(session.scalars(select(OutboxEvent.id).order_by(OutboxEvent.id)))
        emailed = [i for i, (_, _, done) in zip(ids, rows, strict=True) if done]
        session.execute(update(OutboxEvent).where(OutboxEvent.id.in_(emailed)).values(delivered_at=NOW))
    with db.transaction() as session:
        assign_positions(session)  # as a webhook round does; positions follow ids here
    return ids


def left(db: Database) -> list[str]:
    with db.transaction() as session:
        return list(session.scalars(select(OutboxEvent.dedup_key).order_by(OutboxEvent.id)))


def test_only_old_settled_events_are_deleted(db: Database) -> None:
    outbox(db, [("old-emailed", OLD, True), ("old-waiting", OLD, False), ("new-emailed", NOW, True)])
    assert prune_outbox(db, older_than=timedelta(days=30), now=NOW) == 1
    assert left(db) == ["old-waiting", "new-emailed"]
    assert prune_outbox(db, older_than=timedelta(days=30), unemailed=True, now=NOW) == 1
    assert left(db) == ["new-emailed"]


def test_events_a_webhook_has_not_acknowledged_stay_even_while_it_is_disabled(db: Database) -> None:
    ids = outbox(db, [("a", OLD, True), ("b", OLD, True), ("c", OLD, True)])
    with db.transaction() as session:
        session.add(WebhookEndpoint(url="http://erp", secret="s", next_event_id=ids[2], next_position=3, attempts=0,
                                    created_at=OLD))
        session.add(WebhookEndpoint(url="http://mati", secret="s", next_event_id=ids[1], next_position=2,
                                    attempts=12, created_at=OLD, disabled_at=OLD))  # resumes where it stopped
    assert prune_outbox(db, older_than=timedelta(days=30), now=NOW) == 1
    assert left(db) == ["b", "c"]
    with db.transaction() as session:
        session.execute(update(WebhookEndpoint).where(WebhookEndpoint.url == "http://mati").values(next_position=3))
    assert prune_outbox(db, older_than=timedelta(days=30), now=NOW) == 1
    assert left(db) == ["c"]


def test_events_no_webhook_round_has_placed_yet_stay_while_there_are_webhooks(db: Database) -> None:
    with db.transaction() as session:
        session.add(WebhookEndpoint(url="http://erp", secret="s", next_event_id=1, next_position=1, attempts=0,
                                    created_at=OLD))
        emit(session, [Event("order.cancelled", "late", {"order_id": 1})], now=OLD)
        session.execute(update(OutboxEvent).values(delivered_at=NOW))
    assert prune_outbox(db, older_than=timedelta(days=30), now=NOW) == 0


@pytest.mark.usefixtures("english")
def test_prune_from_the_terminal(run) -> None:  # type: ignore[no-untyped-def]
    assert run("products", "add", "KOPI", "Kopi").exit_code == 0
    assert run("orders", "place", "--email", "budi@contoh.id", "--line", "KOPI:1").exit_code == 0
    kept = run("outbox", "prune", "--older-than", "1", "--unemailed")
    assert kept.exit_code == 0 and "0 event(s) deleted" in kept.stdout  # written just now
    assert run("outbox", "prune", "--older-than", "0").exit_code == 2
