"""The two rules that also exist as SQL for speed must agree with their domain definitions."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, insert, select, text, update

from inden.db.models import Order, OrderLine, Product
from inden.db.order_status import refresh_statuses
from inden.db.queue import serve_queues
from inden.db.session import Database
from inden.domain.allocation import WaitingLine, allocate
from inden.domain.orders import LineUnits, order_status

T0 = datetime(2026, 12, 12, tzinfo=UTC)
SQL_SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _product(session, sku: str = "P") -> int:  # type: ignore[no-untyped-def]
    session.execute(insert(Product).values(
        sku=sku, name=sku, backorder_policy="allow", lead_time_days=14, on_hand=0, allocated=0, backordered=0,
        created_at=T0, updated_at=T0,
    ))
    return session.scalar(select(Product.id).where(Product.sku == sku))


def _clear(session) -> None:  # type: ignore[no-untyped-def]
    for model in (OrderLine, Order, Product):
        session.execute(delete(model))


waiting_lines = st.lists(
    st.tuples(st.integers(0, 2), st.integers(0, 5), st.integers(1, 4)),  # priority, created offset, waiting
    min_size=1, max_size=12,
)


@SQL_SETTINGS
@given(lines=waiting_lines, units=st.integers(1, 40))
def test_sql_queue_serving_matches_domain_allocate(db: Database, lines, units) -> None:  # type: ignore[no-untyped-def]
    with db.transaction() as session:
        _clear(session)
        product_id = _product(session)
        queue = []
        for n, (priority, offset, waiting) in enumerate(lines, start=1):
            created = T0 + timedelta(seconds=offset)
            session.execute(insert(Order).values(
                id=n, customer_email="c@contoh.id", customer_locale="id", fulfilment="partial", priority=priority,
                status="backordered", created_at=created,
            ))
            session.execute(insert(OrderLine).values(
                id=n, order_id=n, product_id=product_id, quantity=waiting, allocated=0, backordered=waiting,
                shipped=0, cancelled=0, priority=priority, order_created_at=created,
            ))
            queue.append(WaitingLine(n, n, priority, created, waiting))
        total = sum(line.waiting for line in queue)
        session.execute(update(Product).values(on_hand=units, backordered=total))
        serve_queues(session, [product_id], now=T0)
        got = {row.id: row.allocated for row in session.execute(select(OrderLine.id, OrderLine.allocated))}
    expected = {a.line_id: a.quantity for a in allocate(queue, units)}
    assert {k: v for k, v in got.items() if v} == expected


def test_sql_order_status_matches_domain_for_every_small_line_state(db: Database) -> None:
    states = [
        LineUnits(sum(parts), *parts)
        for parts in itertools.product(range(2), repeat=4)
        if sum(parts) > 0
    ]
    pairs = list(itertools.product(states, repeat=2))
    with db.transaction() as session:
        product_ids = [_product(session, "A"), _product(session, "B")]
        for n, pair in enumerate(pairs, start=1):
            session.execute(insert(Order).values(
                id=n, customer_email="c@contoh.id", customer_locale="id", fulfilment="partial", priority=0,
                status="unknown", created_at=T0,
            ))
            session.execute(insert(OrderLine), [
                {"order_id": n, "product_id": pid, "quantity": u.quantity, "allocated": u.allocated,
                 "backordered": u.backordered, "shipped": u.shipped, "cancelled": u.cancelled, "priority": 0,
                 "order_created_at": T0}
                for pid, u in zip(product_ids, pair, strict=True)
            ])
        refresh_statuses(session, select(Order.id))
        stored = dict(session.execute(select(Order.id, Order.status)).all())
    mismatches = [(pair, stored[n]) for n, pair in enumerate(pairs, start=1) if stored[n] != order_status(pair)]
    assert len(pairs) == 225
    assert mismatches == []


def test_serving_on_sqlite_reads_the_served_lines_not_every_order_line(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """SQLite keeps no statistics of the temporary `served_lines`: unguided, it scanned every order line of the shop
    to serve a few (a full scan per stock-in). The plans must start from `served_lines` and find lines by key."""
    from inden.db.migrate import upgrade
    from inden.db.queue import _ALLOCATE, _SERVED_EVENTS

    db = Database(f"sqlite:///{tmp_path / 'plans.db'}")
    upgrade(db.engine)
    with db.transaction() as session:
        serve_queues(session, [], now=T0)  # creates the temporary table
        for statement in (_ALLOCATE, _SERVED_EVENTS["sqlite"]):
            params = dict.fromkeys(statement.compile().params, 1)
            plan = [row[3] for row in session.execute(text("EXPLAIN QUERY PLAN " + statement.text), params)]
            scanned = {step.split()[1] for step in plan if step.startswith("SCAN ")}
            assert scanned.isdisjoint({"order_lines", "l", "orders", "o", "products", "p"}), plan
            assert "s" in scanned or "served_lines" in scanned, plan
    db.dispose()
