"""Orders and stock use cases (place, cancel, ship, stock in and out, the backorder queue), on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text, update

from inden.db.migrate import current_revision, head_revision
from inden.db.models import LostDemand, Order, OrderLine, OutboxEvent, StockMovement
from inden.db.outbox import expand_bulk
from inden.db.session import Database
from inden.domain.errors import (
    IdempotencyConflict,
    InsufficientStock,
    InvalidRequest,
    NotReadyToShip,
    OutOfStock,
    UnknownSku,
)
from inden.services import audit, order_views, orders, placing, products, stock
from inden.services.schemas.common import LineIn
from inden.services.schemas.orders import OrderCreate
from inden.services.schemas.products import ProductCreate, StockAdjustment
from tests.conftest import truncate_all

T0 = datetime(2026, 12, 12, 0, 0, tzinfo=UTC)


def add_product(db: Database, sku: str, *, units: int = 0, **fields: object) -> None:
    products.create_product(db, ProductCreate(sku=sku, name=f"Produk {sku}", **fields), now=T0)
    if units:
        stock.adjust_stock(db, sku, StockAdjustment(delta=units, reason="stok awal"), now=T0)


def order(db: Database, *lines: tuple[str, int], priority: int = 0, at: int = 0, email: str = "budi@contoh.id",
          fulfilment: str = "partial", key: str | None = None):  # type: ignore[no-untyped-def]
    request = OrderCreate.model_validate({
        "customer": {"email": email}, "priority": priority, "fulfilment": fulfilment,
        "lines": [{"sku": sku, "quantity": q} for sku, q in lines],
    })
    return placing.place_order(db, request, idempotency_key=key, now=T0 + timedelta(seconds=at))


def restock(db: Database, sku: str, delta: int, *, at: int = 100) -> None:
    stock.adjust_stock(db, sku, StockAdjustment(delta=delta, reason="restock"), now=T0 + timedelta(seconds=at))


def stock_of(db: Database, sku: str):  # type: ignore[no-untyped-def]
    return products.get_product(db, sku).stock


def queue(db: Database, sku: str) -> list[tuple[int, int, int]]:
    return [(b.position, b.order_id, b.quantity) for b in order_views.list_backorders(db, sku=sku, limit=1000).items]


def count(db: Database, model: type) -> int:
    with db.transaction() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_migrations_bring_an_empty_database_to_head_and_match_the_models(db: Database) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from inden.db.models import Base
    from inden.db.search import is_search_structure

    assert current_revision(db.engine) == head_revision(db.engine)
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_name": lambda name, type_, parent: not is_search_structure(name)})
        differences = compare_metadata(context, Base.metadata)
    # The queue index orders by an expression (priority DESC), and the outbox's index of an event's order is on a
    # JSON expression written per dialect (models.OrderOfEvent): reflection cannot compare either. The search
    # structures differ by database and are not in the models (inden.db.search).
    expressions = ("ix_order_lines_queue", "ix_outbox_eta_changed_order")
    assert [d for d in differences if not any(name in str(d) for name in expressions)] == []


def test_the_migrated_queue_index_is_in_allocation_order(db: Database) -> None:
    """Reflection cannot compare `priority DESC` (above), so the key order is read from each database's catalogue:
    a table rebuild once turned it ascending on SQLite, and every queue read sorted again."""
    with db.engine.connect() as connection:
        if db.engine.dialect.name == "sqlite":
            keys = [(row.name, bool(row.desc)) for row in connection.execute(
                text("PRAGMA index_xinfo('ix_order_lines_queue')")) if row.key]
        else:
            keys = [(row.name, bool(row.option & 1)) for row in connection.execute(text(
                "SELECT a.attname AS name, i.indoption[k.n - 1] AS option"
                " FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n)"
                " JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum"
                " WHERE i.indexrelid = 'ix_order_lines_queue'::regclass ORDER BY k.n"))]
    assert keys == [("product_id", False), ("priority", True), ("order_created_at", False), ("order_id", False),
                    ("id", False)]


def test_order_takes_available_units_and_backorders_the_rest(db: Database) -> None:
    add_product(db, "KAOS", units=3)
    placed = order(db, ("KAOS", 5))
    assert placed.status == "partially_backordered"
    assert (placed.lines[0].allocated, placed.lines[0].backordered, placed.lines[0].position) == (3, 2, 1)
    assert stock_of(db, "KAOS").model_dump() == {
        "on_hand": 3, "allocated": 3, "available": 0, "backordered": 2, "incoming": 0}
    assert audit.verify(db).ok


def test_deny_policy_refuses_the_order_and_records_lost_demand(db: Database) -> None:
    add_product(db, "KOPI", units=1, backorder_policy="deny")
    add_product(db, "TEH", units=10)
    with pytest.raises(OutOfStock) as refused:
        order(db, ("TEH", 2), ("KOPI", 3))
    assert refused.value.lines == [{"sku": "KOPI", "requested": 3, "available": 1, "backorder_room": 0}]
    assert stock_of(db, "TEH").allocated == 0 and stock_of(db, "KOPI").allocated == 0
    with db.transaction() as session:
        lost = session.execute(select(LostDemand.quantity, LostDemand.reason).order_by(LostDemand.quantity)).all()
    assert [tuple(row) for row in lost] == [(2, "order_refused"), (3, "out_of_stock")]


def test_backorder_limit_caps_waiting_units(db: Database) -> None:
    add_product(db, "BATIK", units=1, backorder_limit=2)
    order(db, ("BATIK", 2))  # 1 allocated, 1 waits
    with pytest.raises(OutOfStock):
        order(db, ("BATIK", 2), at=1)  # would make 3 wait
    order(db, ("BATIK", 1), at=2)
    assert stock_of(db, "BATIK").backordered == 2


def test_restock_serves_waiting_backorders_oldest_first_unless_priority_is_raised(db: Database) -> None:
    add_product(db, "SERUM")
    first = order(db, ("SERUM", 2), at=1)
    second = order(db, ("SERUM", 1), at=2)
    vip = order(db, ("SERUM", 1), at=3, priority=5)
    assert queue(db, "SERUM") == [(1, vip.id, 1), (2, first.id, 2), (3, second.id, 1)]
    restock(db, "SERUM", 2)  # vip gets 1, first gets 1 of 2
    assert queue(db, "SERUM") == [(1, first.id, 1), (2, second.id, 1)]
    assert order_views.get_order(db, vip.id).status == "allocated"
    assert order_views.get_order(db, first.id).status == "partially_backordered"
    with db.transaction() as session:
        events = session.scalars(select(OutboxEvent.dedup_key).where(
            OutboxEvent.event_type == "backorder.allocated").order_by(OutboxEvent.dedup_key)).all()
    assert events == [f"backorder.allocated:{first.id}:1", f"backorder.allocated:{vip.id}:0"]


@pytest.mark.parametrize("bulk", [False, True], ids=["rows", "bulk"])
def test_allocated_event_payload_names_the_line_its_units_and_the_new_order_status(db: Database, bulk: bool) -> None:
    """The same events whether written one row each or, from `outbox_bulk_from` on, packed into one bulk row
    that the next reader of the outbox expands (db.outbox)."""
    if bulk:
        db = db.configured(db.settings.model_copy(update={"outbox_bulk_from": 2}))
    add_product(db, "SERUM")
    first = order(db, ("SERUM", 3), at=1)
    second = order(db, ("SERUM", 1), at=2, email="sari@contoh.id")
    with db.transaction() as session:  # text a JSON encoder must escape (the payload is built in SQL)
        session.execute(update(Order).where(Order.id == first.id).values(
            customer_email='bu"di\\ñ@contoh.id', customer_locale="en"))
    restock(db, "SERUM", 4)
    with db.transaction() as session:
        kinds = session.scalars(select(OutboxEvent.event_type).where(OutboxEvent.event_type.in_(
            ["bulk", "backorder.allocated"]))).all()
        assert kinds == (["bulk"] if bulk else ["backorder.allocated"] * 2)
        assert expand_bulk(session) == (2 if bulk else 0)
    with db.transaction() as session:
        line_of = {order_id: line_id for order_id, line_id in session.execute(select(OrderLine.order_id, OrderLine.id))}
        events = {row.dedup_key: row.payload for row in session.execute(select(
            OutboxEvent.dedup_key, OutboxEvent.payload).where(OutboxEvent.event_type == "backorder.allocated"))}
    assert events == {
        f"backorder.allocated:{line_of[first.id]}:0": {
            "order_id": first.id, "sku": "SERUM", "allocated": 3, "waiting": 0, "status": "allocated",
            "customer": {"email": 'bu"di\\ñ@contoh.id', "locale": "en"}},
        f"backorder.allocated:{line_of[second.id]}:0": {
            "order_id": second.id, "sku": "SERUM", "allocated": 1, "waiting": 0, "status": "allocated",
            "customer": {"email": "sari@contoh.id", "locale": "id"}},
    }


def test_cancelling_allocated_units_serves_the_next_waiting_customer(db: Database) -> None:
    add_product(db, "HIJAB", units=1)
    holder = order(db, ("HIJAB", 1), at=1)
    waiter = order(db, ("HIJAB", 1), at=2)
    cancelled = orders.cancel_order(db, holder.id, now=T0 + timedelta(seconds=3))
    assert cancelled.status == "cancelled"
    assert order_views.get_order(db, waiter.id).status == "allocated"
    assert stock_of(db, "HIJAB").model_dump() == {
        "on_hand": 1, "allocated": 1, "available": 0, "backordered": 0, "incoming": 0}


def test_cancelling_waiting_units_leaves_the_queue_and_closes_the_gap(db: Database) -> None:
    add_product(db, "SAMBAL")
    a, b, c = (order(db, ("SAMBAL", 1), at=n) for n in range(3))
    orders.cancel_order(db, b.id, [LineIn(sku="SAMBAL", quantity=1)])
    assert queue(db, "SAMBAL") == [(1, a.id, 1), (2, c.id, 1)]
    with pytest.raises(InvalidRequest):
        orders.cancel_order(db, b.id)  # nothing left to cancel
    with pytest.raises(InvalidRequest):
        orders.cancel_order(db, a.id, [LineIn(sku="SAMBAL", quantity=2)])
    assert queue(db, "SAMBAL") == [(1, a.id, 1), (2, c.id, 1)]


def test_shipping_lowers_on_hand_and_allocated_together(db: Database) -> None:
    add_product(db, "TAS", units=5)
    placed = order(db, ("TAS", 3))
    shipment = orders.ship_order(db, placed.id, [LineIn(sku="TAS", quantity=2)])
    assert shipment.order.status == "partially_shipped"
    assert stock_of(db, "TAS").model_dump() == {
        "on_hand": 3, "allocated": 1, "available": 2, "backordered": 0, "incoming": 0}
    with pytest.raises(InsufficientStock):
        orders.ship_order(db, placed.id, [LineIn(sku="TAS", quantity=2)])
    assert orders.ship_order(db, placed.id).order.status == "shipped"
    assert audit.verify(db).ok


def test_complete_order_does_not_ship_while_units_wait(db: Database) -> None:
    add_product(db, "JAM", units=1)
    placed = order(db, ("JAM", 2), fulfilment="complete")
    with pytest.raises(NotReadyToShip):
        orders.ship_order(db, placed.id)
    restock(db, "JAM", 1)
    assert orders.ship_order(db, placed.id).order.status == "shipped"


def test_taking_out_more_than_available_is_refused_and_changes_nothing(db: Database) -> None:
    add_product(db, "MADU", units=5)
    order(db, ("MADU", 3))
    with pytest.raises(InsufficientStock):
        stock.adjust_stock(db, "MADU", StockAdjustment(delta=-3, reason="rusak"))
    assert stock_of(db, "MADU").on_hand == 5
    assert count(db, StockMovement) == 1


def test_unknown_sku_is_refused_without_side_effects(db: Database) -> None:
    add_product(db, "ADA", units=5)
    with pytest.raises(UnknownSku):
        order(db, ("ADA", 1), ("TIDAK-ADA", 1))
    assert stock_of(db, "ADA").allocated == 0
    assert count(db, LostDemand) == 0


def test_idempotent_retry_returns_the_first_order_and_reserves_once(db: Database) -> None:
    add_product(db, "KAOS", units=5)
    first = order(db, ("KAOS", 2), key="retry-1")
    again = order(db, ("KAOS", 2), key="retry-1", at=5)
    assert again == first
    assert stock_of(db, "KAOS").allocated == 2
    with pytest.raises(IdempotencyConflict):
        order(db, ("KAOS", 3), key="retry-1")


def test_idempotent_retry_of_a_refused_order_is_refused_again_and_counted_once(db: Database) -> None:
    add_product(db, "KOPI", backorder_policy="deny")
    for _ in range(2):
        with pytest.raises(OutOfStock):
            order(db, ("KOPI", 1), key="k")
    assert count(db, LostDemand) == 1


def test_concurrent_orders_never_oversell_and_keep_positions_contiguous(db: Database) -> None:
    add_product(db, "FLASH", units=20)
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def buyer(n: int) -> None:
        barrier.wait()
        try:
            for i in range(10):
                request = OrderCreate.model_validate(
                    {"customer": {"email": f"c{n}-{i}@contoh.id"}, "lines": [{"sku": "FLASH", "quantity": 1}]})
                placing.place_order(db, request)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=buyer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert stock_of(db, "FLASH").model_dump() == {
        "on_hand": 20, "allocated": 20, "available": 0, "backordered": 60, "incoming": 0}
    assert [position for position, _, _ in queue(db, "FLASH")] == list(range(1, 61))
    assert audit.verify(db).ok


def test_a_status_refresh_waits_for_a_concurrent_change_to_another_line_of_the_order(
    pg_database: Database,
) -> None:
    # PostgreSQL only (SQLite has one writer at a time). Another transaction has served the order's other SKU
    # and not committed yet; serving this SKU must wait for it and then see its line, or the order would keep
    # the status that transaction computed without ours.
    db = pg_database
    truncate_all(db)
    add_product(db, "TEH")
    add_product(db, "GULA")
    placed = order(db, ("TEH", 1), ("GULA", 1))
    other = db.engine.connect()
    other.begin()
    other.execute(text("UPDATE order_lines SET allocated = 1, backordered = 0 WHERE order_id = :o AND product_id = "
                       "(SELECT id FROM products WHERE sku = 'GULA')"), {"o": placed.id})
    other.execute(text("UPDATE orders SET status = 'partially_backordered' WHERE id = :o"), {"o": placed.id})
    serving = threading.Thread(target=restock, args=(db, "TEH", 1))
    serving.start()
    try:
        with db.engine.connect() as watcher:  # wait until the serving blocks on the order's row lock
            for _ in range(200):
                waiting = watcher.execute(text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock'")).scalar_one()
                if waiting or not serving.is_alive():
                    break
                time.sleep(0.05)
        assert waiting == 1
    finally:
        other.commit()
        other.close()
        serving.join()
    assert order_views.get_order(db, placed.id).status == "allocated"


def test_audit_detects_a_tampered_ledger_row_and_counter_drift(db: Database) -> None:
    add_product(db, "KAOS", units=5)
    restock(db, "KAOS", 2)
    assert audit.verify(db).ok
    with db.transaction() as session:
        session.execute(update(StockMovement).where(StockMovement.seq == 1).values(delta=50))
        session.execute(text("UPDATE products SET allocated = 1"))
    problems = audit.verify(db).problems
    assert any("hash does not match" in p for p in problems)
    assert any("on_hand 7 != ledger total 52" in p for p in problems)
    assert any("product allocated 1 != lines' 0" in p for p in problems)
