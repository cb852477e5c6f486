"""ETA pegging in SQL (db.bulk.repeg_queues) must agree with its domain definition (domain.eta.peg_etas)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, insert, select

from inden.db.bulk import repeg_queues
from inden.db.models import Order, OrderLine, OutboxEvent, Product
from inden.db.outbox import expand_bulk
from inden.db.session import Database
from inden.domain.allocation import WaitingLine, allocation_order
from inden.domain.eta import Inbound, WaitingUnits, peg_etas, peg_schedule

T0 = datetime(2026, 12, 12, tzinfo=UTC)
TODAY = T0.date()
SQL_SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def day(n: int) -> date:
    return TODAY + timedelta(days=n)


# A line: priority, seconds after T0 its order came, units waiting (0: not in the queue), its stored promise
# (None, or offsets of eta and eta_latest and a confidence).
stored_promises = st.none() | st.tuples(st.integers(-3, 40), st.integers(0, 5), st.sampled_from(["scheduled",
                                                                                                 "estimated"]))
lines = st.lists(st.tuples(st.integers(0, 2), st.integers(0, 5), st.integers(0, 4), stored_promises),
                 min_size=1, max_size=12)
supplies = st.lists(st.builds(Inbound, expected_at=st.integers(-5, 40).map(day), quantity=st.integers(0, 8),
                              delay_days=st.integers(0, 6)), max_size=4)
products = st.lists(st.tuples(lines, supplies), min_size=1, max_size=3)


def _clear(session) -> None:  # type: ignore[no-untyped-def]
    for model in (OutboxEvent, OrderLine, Order, Product):
        session.execute(delete(model))


@SQL_SETTINGS
@given(shop=products, lead=st.integers(0, 30), handling=st.integers(0, 2), estimated_delay=st.integers(0, 5),
       bulk=st.booleans())
def test_sql_pegging_matches_domain_peg_etas(db: Database, shop, lead, handling, estimated_delay, bulk) -> None:  # type: ignore[no-untyped-def]
    """`bulk`: the events are packed into one bulk outbox row and expanded (db.outbox), with the same result."""
    if bulk:
        db = db.configured(db.settings.model_copy(update={"outbox_bulk_from": 1}))
    options = {"today": TODAY, "lead_time_days": lead, "handling_days": handling,
               "estimated_delay_days": estimated_delay}
    expected, before, schedules, sku_of, n = {}, {}, {}, {}, 0
    with db.transaction() as session:
        _clear(session)
        for p, (product_lines, supply) in enumerate(shop, start=1):
            session.execute(insert(Product).values(
                id=p, sku=f"SKU-{p}", name="P", backorder_policy="allow", lead_time_days=lead, on_hand=0,
                allocated=0, backordered=0, created_at=T0, updated_at=T0))
            queue = []
            for priority, offset, waiting, stored in product_lines:
                n += 1
                created = T0 + timedelta(seconds=offset)
                promise = (None, None, None) if stored is None else (day(stored[0]), day(stored[0] + stored[1]),
                                                                     stored[2])
                session.execute(insert(Order).values(
                    id=n, customer_email=f"c{n}@contoh.id", customer_locale="id", fulfilment="partial",
                    priority=priority, status="backordered", created_at=created))
                session.execute(insert(OrderLine).values(
                    id=n, order_id=n, product_id=p, quantity=waiting + 1, allocated=1, backordered=waiting,
                    shipped=0, cancelled=0, priority=priority, order_created_at=created, eta=promise[0],
                    eta_latest=promise[1], eta_confidence=promise[2]))
                before[n], sku_of[n] = promise, f"SKU-{p}"
                if waiting:
                    queue.append(WaitingLine(n, n, priority, created, waiting))
            queue.sort(key=allocation_order)
            for eta in peg_etas([WaitingUnits(w.line_id, w.waiting) for w in queue], supply, **options):
                expected[eta.line_id] = (eta.eta, eta.eta_latest, eta.confidence.value)
            schedules[p] = peg_schedule(supply, **options)
        changed, written = repeg_queues(session, schedules, now=T0)
        packed = session.scalar(select(func.count()).where(OutboxEvent.event_type == "bulk"))
        assert packed == (1 if bulk and written else 0)
        assert expand_bulk(session) == (written if bulk else 0)
        stored = {row.id: (row.eta, row.eta_latest, row.eta_confidence) for row in session.execute(
            select(OrderLine.id, OrderLine.eta, OrderLine.eta_latest, OrderLine.eta_confidence))}
        keys = list(session.scalars(select(OutboxEvent.dedup_key)))
        events = {int(row.dedup_key.rsplit(":", 1)[1]): row.payload for row in session.execute(
            select(OutboxEvent.dedup_key, OutboxEvent.payload))}

    assert stored == {line: expected.get(line, promise) for line, promise in before.items()}
    assert changed == sum(1 for line, promise in expected.items() if promise != before[line])
    moved = {line for line, (eta, latest, _) in expected.items()
             if before[line][0] is not None and (eta, latest) != before[line][:2]}
    assert written == len(events) == len(keys) == len(moved)
    for line in moved:
        payload = events[line]
        assert payload["old"] == {"eta": before[line][0].isoformat(), "eta_latest": before[line][1].isoformat()}
        eta, latest, confidence = expected[line]
        assert payload["new"] == {"eta": eta.isoformat(), "eta_latest": latest.isoformat(),
                                  "eta_confidence": confidence}
        assert (payload["order_id"], payload["sku"]) == (line, sku_of[line])
        assert payload["customer"] == {"email": f"c{line}@contoh.id", "locale": "id"}


def test_a_line_moved_twice_in_one_transaction_gets_two_events(db: Database) -> None:
    """Two re-pegs at the same `now` (a cancellation and a new order in one minute, say) each tell the customer."""
    supply_early, supply_late = [Inbound(day(5), 1)], [Inbound(day(9), 1)]
    options = {"today": TODAY, "lead_time_days": 20, "handling_days": 0, "estimated_delay_days": 0}
    with db.transaction() as session:
        _clear(session)
        session.execute(insert(Product).values(id=1, sku="SKU-1", name="P", backorder_policy="allow",
                                               lead_time_days=20, on_hand=0, allocated=0, backordered=1,
                                               created_at=T0, updated_at=T0))
        session.execute(insert(Order).values(id=1, customer_email="c@contoh.id", customer_locale="id",
                                             fulfilment="partial", priority=0, status="backordered", created_at=T0))
        session.execute(insert(OrderLine).values(id=1, order_id=1, product_id=1, quantity=1, allocated=0,
                                                 backordered=1, shipped=0, cancelled=0, priority=0,
                                                 order_created_at=T0, eta=day(1), eta_latest=day(1),
                                                 eta_confidence="scheduled"))
        assert repeg_queues(session, {1: peg_schedule(supply_early, **options)}, now=T0) == (1, 1)
        assert repeg_queues(session, {1: peg_schedule(supply_late, **options)}, now=T0) == (1, 1)
        moves = [(e["old"]["eta"], e["new"]["eta"]) for e in session.scalars(
            select(OutboxEvent.payload).order_by(OutboxEvent.id))]
    assert moves == [(day(1).isoformat(), day(5).isoformat()), (day(5).isoformat(), day(9).isoformat())]
