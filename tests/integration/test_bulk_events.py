"""Bulk outbox rows (db.outbox): a change telling many customers writes one row holding their events; the next
reader expands it into the same events, placed in commit order where the change committed (both databases)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import parseaddr

import pytest
from sqlalchemy import insert, select, text

from inden.db.models import OutboxEvent, Product, Subscription
from inden.db.outbox import _ASSIGN, assign_positions
from inden.db.session import Database
from inden.services import placing, products, stock
from inden.services.delivery import deliver_outbox
from inden.services.schemas.orders import OrderCreate
from inden.services.schemas.products import ProductCreate, StockAdjustment
from inden.services.worker import WorkerSchedule, run_tick
from tests.letters import Letters

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)


@pytest.fixture
def bulky(db: Database) -> Database:
    """The database with a low threshold: a change with 3 or more events writes them as one bulk row."""
    return db.configured(db.settings.model_copy(update={"outbox_bulk_from": 3}))


def order(db: Database, sku: str, email: str, minute: int) -> int:
    request = OrderCreate.model_validate({"customer": {"email": email}, "lines": [{"sku": sku, "quantity": 1}]})
    return placing.place_order(db, request, now=NOW + timedelta(minutes=minute)).id


def restock(db: Database, sku: str, units: int, minute: int) -> None:
    stock.adjust_stock(db, sku, StockAdjustment(delta=units, reason="datang"), now=NOW + timedelta(minutes=minute))


def outbox(db: Database) -> list[tuple[str, str | None, int | None]]:
    """(event type, order id or email, position) of every row, in id order."""
    with db.transaction() as session:
        rows = session.execute(select(OutboxEvent.event_type, OutboxEvent.payload, OutboxEvent.position)
                               .order_by(OutboxEvent.id)).all()
    return [(kind, None if kind == "bulk" else payload.get("order_id", payload.get("email")), position)
            for kind, payload, position in rows]


def test_a_big_serving_is_one_bulk_row_whose_events_keep_their_place_in_commit_order(bulky: Database) -> None:
    db = bulky
    for sku in ("SERUM", "MASKER"):
        products.create_product(db, ProductCreate(sku=sku, name=sku.title()), now=NOW)
    waiting = [order(db, "SERUM", f"c{n}@contoh.id", n) for n in range(4)]
    restock(db, "SERUM", 4, 10)  # serves the four: one bulk row
    later = order(db, "MASKER", "d@contoh.id", 11)  # committed after the bulk row, with a higher id
    assert [kind for kind, _, _ in outbox(db)] == ["order.backordered"] * 4 + ["bulk", "order.backordered"]

    with db.transaction() as session:
        assign_positions(session)
    rows = sorted((position, kind, who) for kind, who, position in outbox(db))
    assert [(kind, who) for _, kind, who in rows] == (
        [("order.backordered", n) for n in waiting] + [("backorder.allocated", n) for n in waiting]
        + [("order.backordered", later)])
    assert [position for position, _, _ in rows] == list(range(1, 10))


def test_a_bulk_row_not_yet_expanded_holds_back_every_later_event(bulky: Database) -> None:
    db = bulky
    products.create_product(db, ProductCreate(sku="SERUM", name="Serum"), now=NOW)
    first = [order(db, "SERUM", f"c{n}@contoh.id", n) for n in range(3)]
    restock(db, "SERUM", 3, 10)
    later = order(db, "SERUM", "d@contoh.id", 11)
    with db.transaction() as session:  # as if the bulk row committed after this reader expanded the others
        session.execute(_ASSIGN, {"limit": 100})
    assert [(who, position) for kind, who, position in outbox(db) if kind == "order.backordered"] == [
        (first[0], 1), (first[1], 2), (first[2], 3), (later, None)]
    with db.transaction() as session:
        assign_positions(session)
    assert [(kind, position) for kind, _, position in outbox(db)][3:] == [
        ("order.backordered", 7), ("backorder.allocated", 4), ("backorder.allocated", 5), ("backorder.allocated", 6)]


def test_a_large_wave_is_emailed_from_its_bulk_row_first_come_first_served(bulky: Database) -> None:
    db = bulky
    products.create_product(db, ProductCreate(sku="SEPATU", name="Sepatu", price="450000"), now=NOW)
    with db.transaction() as session:
        product_id = session.scalar(select(Product.id).where(Product.sku == "SEPATU"))
        session.execute(insert(Subscription), [
            {"product_id": product_id, "email": f"s{n:02d}@contoh.id", "locale": "id", "status": "confirmed",
             "created_at": NOW - timedelta(days=2), "confirmed_at": NOW - timedelta(days=1, seconds=-n)}
            for n in range(20)])
    restock(db, "SEPATU", 4, 0)  # a wave of 12 (4 units x 3)
    assert [kind for kind, _, _ in outbox(db)] == ["bulk"]
    letters = Letters()
    report = deliver_outbox(db, letters, now=NOW + timedelta(minutes=1), limit=100)
    assert report.claimed == 12
    assert [parseaddr(str(m["To"]))[1] for m in letters.messages] == [f"s{n:02d}@contoh.id" for n in range(12)]
    assert "bulk" not in [kind for kind, _, _ in outbox(db)]


def test_the_worker_expands_bulk_rows_on_every_tick_even_with_nothing_to_deliver(bulky: Database) -> None:
    db = bulky
    products.create_product(db, ProductCreate(sku="SERUM", name="Serum"), now=NOW)
    for n in range(5):
        order(db, "SERUM", f"c{n}@contoh.id", n)
    restock(db, "SERUM", 5, 10)
    tick = run_tick(db, WorkerSchedule(plan=False, deliver=False, audit=False), now=NOW + timedelta(minutes=11))
    assert tick.expanded == 5 and not tick.failed
    assert [kind for kind, _, _ in outbox(db)].count("backorder.allocated") == 5
    with db.transaction() as session:  # nothing pending: the next expansion writes nothing
        assert session.execute(text("SELECT COUNT(*) FROM outbox WHERE event_type = 'bulk'")).scalar_one() == 0
    assert run_tick(db, WorkerSchedule(plan=False, deliver=False, audit=False),
                    now=NOW + timedelta(minutes=12)).expanded == 0
