"""The real services on a real database, checked step by step against a naive reference model.

Each Hypothesis example gets an empty database (a fresh SQLite file, or a truncated PostgreSQL schema), creates
two products and then places, cancels and ships orders and counts stock in and out. After every step the
products, every order and the backorder queue read back through the services must equal the reference, which
keeps one list entry per waiting unit sorted by allocation order and serves units from the front of it. Domain
errors are expected outcomes: the reference must predict them, and nothing may change. Orders are placed at
moments that tie or run against id order, as under concurrency; every other transaction gets its own moment."""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import select

from inden.db.models import OutboxEvent
from inden.db.session import Database
from inden.domain.errors import (
    DomainError,
    InsufficientStock,
    InvalidRequest,
    NotReadyToShip,
    OutOfStock,
    UnknownOrder,
)
from inden.domain.orders import Fulfilment, OrderStatus
from inden.domain.policy import BackorderPolicy
from inden.services.audit import verify as audit_verify
from inden.services.order_views import get_order, list_backorders, list_orders
from inden.services.orders import cancel_order, ship_order
from inden.services.placing import place_order
from inden.services.products import create_product, get_product
from inden.services.schemas.common import LineIn
from inden.services.schemas.orders import Customer, OrderCreate
from inden.services.schemas.products import ProductCreate, StockAdjustment
from inden.services.stock import adjust_stock
from tests.conftest import BACKENDS, make_database, truncate_all
from tests.reference import status_from_unit_states

SKUS = ("BLUE", "RED")  # few SKUs, so that orders meet in one queue often
START = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
LATER = START + timedelta(days=1)
CUSTOMER = Customer(email="sari@example.com", name="Sari", locale="id")


# --- the naive reference --------------------------------------------------------------------------------


@dataclass
class RefLine:
    sku: str
    quantity: int
    allocated: int = 0
    shipped: int = 0
    cancelled: int = 0


@dataclass
class RefOrder:
    order_id: int
    priority: int
    created_at: datetime
    fulfilment: Fulfilment
    lines: dict[str, RefLine] = field(default_factory=dict)  # in the order they were placed

    @property
    def key(self) -> tuple[int, datetime, int]:
        # An order has at most one line per SKU, so the line id never decides between two waiting lines.
        return (-self.priority, self.created_at, self.order_id)


class Reference:
    def __init__(self) -> None:
        self.policies: dict[str, tuple[BackorderPolicy, int | None]] = {}
        self.on_hand: dict[str, int] = {}
        self.queue: dict[str, list[int]] = {}  # per SKU, one order id per waiting unit, served from the front
        self.orders: dict[int, RefOrder] = {}

    def add_product(self, sku: str, policy: BackorderPolicy, limit: int | None) -> None:
        self.policies[sku] = (policy, limit)
        self.on_hand[sku] = 0
        self.queue[sku] = []

    def allocated(self, sku: str) -> int:
        return sum(o.lines[sku].allocated for o in self.orders.values() if sku in o.lines)

    def available(self, sku: str) -> int:
        return self.on_hand[sku] - self.allocated(sku)

    def waiting(self, order_id: int, sku: str) -> int:
        return self.queue[sku].count(order_id)

    def open_units(self, order_id: int, sku: str) -> int:
        return self.orders[order_id].lines[sku].allocated + self.waiting(order_id, sku)

    def refused_skus(self, wanted: dict[str, int]) -> set[str]:
        refused = set()
        for sku, quantity in wanted.items():
            shortfall = max(quantity - self.available(sku), 0)
            policy, limit = self.policies[sku]
            too_many = limit is not None and len(self.queue[sku]) + shortfall > limit
            if shortfall and (policy is BackorderPolicy.DENY or too_many):
                refused.add(sku)
        return refused

    def place(self, order: RefOrder, wanted: dict[str, int]) -> None:
        self.orders[order.order_id] = order
        for sku, quantity in wanted.items():
            line = RefLine(sku, quantity, allocated=min(quantity, self.available(sku)))
            order.lines[sku] = line
            self.queue[sku].extend([order.order_id] * (quantity - line.allocated))
            self.queue[sku].sort(key=lambda oid: self.orders[oid].key)

    def cancel(self, order_id: int, sku: str, quantity: int) -> None:
        line = self.orders[order_id].lines[sku]
        for _ in range(quantity):
            if order_id in self.queue[sku]:
                self.queue[sku].remove(order_id)
            else:
                line.allocated -= 1
            line.cancelled += 1

    def serve(self, sku: str) -> None:
        while self.available(sku) > 0 and self.queue[sku]:
            self.orders[self.queue[sku].pop(0)].lines[sku].allocated += 1

    def ship(self, order_id: int, sku: str, quantity: int) -> None:
        line = self.orders[order_id].lines[sku]
        line.allocated -= quantity
        line.shipped += quantity
        self.on_hand[sku] -= quantity

    def status(self, order_id: int) -> OrderStatus:
        """Told unit by unit: which states do the order's live (not cancelled) units have?"""
        states: set[str] = set()
        for sku, line in self.orders[order_id].lines.items():
            states |= {"allocated"} if line.allocated else set()
            states |= {"waiting"} if self.waiting(order_id, sku) else set()
            states |= {"shipped"} if line.shipped else set()
        return status_from_unit_states(states)

    def order_lines(self, order_id: int) -> list[tuple[Any, ...]]:
        """(sku, quantity, allocated, backordered, shipped, cancelled, position) per line, as placed."""
        return [
            (sku, line.quantity, line.allocated, self.waiting(order_id, sku), line.shipped, line.cancelled,
             self.position(order_id, sku))
            for sku, line in self.orders[order_id].lines.items()
        ]

    def backorders(self) -> list[tuple[int, str, int, int]]:
        """(order id, sku, units waiting, position) for every waiting line: SKUs in order, each in queue order."""
        rows = []
        for sku in sorted(self.queue):
            runs = [(order_id, len(list(units))) for order_id, units in itertools.groupby(self.queue[sku])]
            rows += [(order_id, sku, units, position) for position, (order_id, units) in enumerate(runs, start=1)]
        return rows

    def position(self, order_id: int, sku: str) -> int | None:
        for row_order, row_sku, _, position in self.backorders():
            if (row_order, row_sku) == (order_id, sku):
                return position
        return None


# --- the machine ----------------------------------------------------------------------------------------

# allow twice: a queue needs products that let orders wait
policies = st.sampled_from(
    [BackorderPolicy.ALLOW, BackorderPolicy.PREORDER, BackorderPolicy.DENY, BackorderPolicy.ALLOW]
)
limits = st.none() | st.integers(min_value=0, max_value=6)


class ServicesMachine(RuleBasedStateMachine):
    def __init__(self, open_database: Callable[[], Database], close_database: Callable[[Database], None]) -> None:
        super().__init__()
        self.db = open_database()
        self.close_database = close_database
        self.ref = Reference()
        self.clock = LATER

    def tick(self) -> datetime:
        """The moment of a stock, cancel or ship transaction: each one its own, as `utcnow()` gives."""
        self.clock += timedelta(seconds=1)
        return self.clock

    def teardown(self) -> None:
        self.close_database(self.db)

    def expect_error(self, expected: type[DomainError], action: Callable[[], object]) -> DomainError:
        with pytest.raises(DomainError) as caught:
            action()
        assert type(caught.value) is expected, f"expected {expected.__name__}, got {caught.value!r}"
        return caught.value

    @initialize(data=st.data())
    def create_products(self, data: st.DataObject) -> None:
        for sku in SKUS:
            policy, limit = data.draw(policies, label=sku), data.draw(limits, label=f"{sku} limit")
            create_product(
                self.db, ProductCreate(sku=sku, name=f"Mug {sku.lower()}", backorder_policy=policy,
                                       backorder_limit=limit), now=START,
            )
            self.ref.add_product(sku, policy, limit)

    @rule(
        skus=st.lists(st.sampled_from(SKUS), min_size=1, max_size=2, unique=True),
        quantities=st.lists(st.integers(min_value=1, max_value=5), min_size=2, max_size=2),
        priority=st.integers(min_value=0, max_value=2),
        minute=st.integers(min_value=0, max_value=3),  # ties and clocks out of id order, as under concurrency
        fulfilment=st.sampled_from(Fulfilment),
    )
    def place_order(
        self, skus: list[str], quantities: list[int], priority: int, minute: int, fulfilment: Fulfilment
    ) -> None:
        wanted = dict(zip(skus, quantities, strict=False))
        request = OrderCreate(
            customer=CUSTOMER, lines=[LineIn(sku=sku, quantity=q) for sku, q in wanted.items()],
            fulfilment=fulfilment, priority=priority,
        )
        created_at = START + timedelta(minutes=minute)
        refused = self.ref.refused_skus(wanted)
        if refused:
            error = self.expect_error(OutOfStock, lambda: place_order(self.db, request, now=created_at))
            assert isinstance(error, OutOfStock)
            assert {line["sku"] for line in error.lines} == refused
            return
        placed = place_order(self.db, request, now=created_at)
        assert placed.id not in self.ref.orders
        self.ref.place(RefOrder(placed.id, priority, created_at, fulfilment), wanted)
        assert placed.created_at == created_at

    def draw_order(self, data: st.DataObject) -> int:
        """An existing order, or now and then one that does not exist."""
        return data.draw(st.sampled_from([*sorted(self.ref.orders), max(self.ref.orders, default=0) + 1]), "order")

    def line_skus(self, order: RefOrder) -> st.SearchStrategy[str | None]:
        """None (every line), mostly one of the order's SKUs, now and then any SKU."""
        return st.one_of(st.none(), st.sampled_from(list(order.lines)), st.sampled_from(SKUS))

    @precondition(lambda self: self.ref.orders)
    @rule(data=st.data())
    def cancel_units(self, data: st.DataObject) -> None:
        order_id = self.draw_order(data)
        if order_id not in self.ref.orders:
            self.expect_error(UnknownOrder, lambda: cancel_order(self.db, order_id, now=self.tick()))
            return
        order = self.ref.orders[order_id]
        sku = data.draw(self.line_skus(order), label="sku (None: cancel everything open)")
        if sku is None:
            open_lines = {s: self.ref.open_units(order_id, s) for s in order.lines}
            if not any(open_lines.values()):
                self.expect_error(InvalidRequest, lambda: cancel_order(self.db, order_id, now=self.tick()))
                return
            cancel_order(self.db, order_id, now=self.tick())
            for s, units in open_lines.items():
                self.ref.cancel(order_id, s, units)
                self.ref.serve(s)
            return
        open_units = self.ref.open_units(order_id, sku) if sku in order.lines else 0
        quantity = data.draw(st.integers(min_value=1, max_value=open_units + 1), label="quantity")
        selection = [LineIn(sku=sku, quantity=quantity)]
        if sku not in order.lines or quantity > open_units:
            self.expect_error(InvalidRequest, lambda: cancel_order(self.db, order_id, selection, now=self.tick()))
            return
        cancel_order(self.db, order_id, selection, now=self.tick())
        self.ref.cancel(order_id, sku, quantity)
        self.ref.serve(sku)

    @precondition(lambda self: self.ref.orders)
    @rule(data=st.data())
    def ship_units(self, data: st.DataObject) -> None:
        order_id = self.draw_order(data)
        if order_id not in self.ref.orders:
            self.expect_error(UnknownOrder, lambda: ship_order(self.db, order_id, now=self.tick()))
            return
        order = self.ref.orders[order_id]
        sku = data.draw(self.line_skus(order), label="sku (None: ship everything allocated)")
        allocated = order.lines[sku].allocated if sku in order.lines else 0
        quantity = data.draw(st.integers(min_value=1, max_value=allocated + 1), label="quantity")
        selection = None if sku is None else [LineIn(sku=sku, quantity=quantity)]
        waiting = sum(self.ref.waiting(order_id, s) for s in order.lines)
        chosen = (
            {s: line.allocated for s, line in order.lines.items() if line.allocated} if sku is None
            else {sku: quantity}
        )
        if order.fulfilment is Fulfilment.COMPLETE and waiting:
            expected: type[DomainError] | None = NotReadyToShip
        elif not chosen or (sku is not None and sku not in order.lines):
            expected = InvalidRequest
        elif sku is not None and quantity > allocated:
            expected = InsufficientStock
        else:
            expected = None
        if expected is not None:
            self.expect_error(expected, lambda: ship_order(self.db, order_id, selection, now=self.tick()))
            return
        shipment = ship_order(self.db, order_id, selection, now=self.tick())
        assert {line.sku: line.quantity for line in shipment.lines} == chosen
        for s, units in chosen.items():
            self.ref.ship(order_id, s, units)

    @rule(data=st.data())
    def count_stock(self, data: st.DataObject) -> None:
        sku = data.draw(st.sampled_from(SKUS), label="sku")
        available = self.ref.available(sku)
        delta = data.draw(st.integers(min_value=-available - 1, max_value=6).filter(bool), label="delta")
        adjustment = StockAdjustment(delta=delta, reason="cycle count")
        if -delta > available:
            self.expect_error(InsufficientStock, lambda: adjust_stock(self.db, sku, adjustment, now=self.tick()))
            return
        stock = adjust_stock(self.db, sku, adjustment, now=self.tick())
        self.ref.on_hand[sku] += delta
        self.ref.serve(sku)
        assert (stock.on_hand, stock.allocated) == (self.ref.on_hand[sku], self.ref.allocated(sku))

    @invariant()
    def products_agree_with_reference(self) -> None:
        for sku in SKUS:
            stock = get_product(self.db, sku).stock
            expected = (self.ref.on_hand[sku], self.ref.allocated(sku), self.ref.available(sku),
                        len(self.ref.queue[sku]))
            assert (stock.on_hand, stock.allocated, stock.available, stock.backordered) == expected, sku
            assert 0 <= stock.allocated <= stock.on_hand

    @invariant()
    def orders_agree_with_reference(self) -> None:
        listed = list_orders(self.db, limit=1000).items
        assert sorted(o.id for o in listed) == sorted(self.ref.orders)
        for order_id, ref_order in self.ref.orders.items():
            order = get_order(self.db, order_id)
            lines = [(x.sku, x.quantity, x.allocated, x.backordered, x.shipped, x.cancelled, x.position)
                     for x in order.lines]
            assert lines == self.ref.order_lines(order_id), f"order {order_id}"
            for line in order.lines:
                assert line.quantity == line.allocated + line.backordered + line.shipped + line.cancelled
            assert order.status == self.ref.status(order_id), f"order {order_id}"
            assert (order.priority, order.fulfilment, order.created_at) == (
                ref_order.priority, ref_order.fulfilment, ref_order.created_at
            )

    @invariant()
    def backorder_queue_agrees_with_reference(self) -> None:
        items = list_backorders(self.db).items
        assert [(b.order_id, b.sku, b.quantity, b.position) for b in items] == self.ref.backorders()
        for sku in SKUS:
            positions = [b.position for b in items if b.sku == sku]
            assert positions == list(range(1, len(positions) + 1)), sku
            if positions:
                assert get_product(self.db, sku).stock.available == 0, f"{sku} has units available while orders wait"
        for b in items:
            assert b.created_at == self.ref.orders[b.order_id].created_at

    @invariant()
    def audit_finds_nothing_wrong(self) -> None:
        report = audit_verify(self.db)
        assert report.ok, report.problems


SETTINGS = settings(
    max_examples=40, stateful_step_count=20, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large], report_multiple_bugs=False,
)


@pytest.mark.slow  # a stateful model test: hundreds of use cases per database
@pytest.mark.timeout(900)  # passing takes seconds; shrinking a failure may take minutes, let it finish
@pytest.mark.parametrize("backend", BACKENDS)
def test_services_agree_with_reference_model(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    examples = itertools.count()

    def open_database() -> Database:
        if backend == "postgresql":
            db: Database = request.getfixturevalue("pg_database")
            truncate_all(db)
            return db
        # A new file per example: reusing one path could pair a fresh copy with a stale WAL file.
        path = tmp_path / f"example-{next(examples)}.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return Database(f"sqlite:///{path}")

    def close_database(db: Database) -> None:
        if backend == "sqlite":
            db.dispose()

    run_state_machine_as_test(lambda: ServicesMachine(open_database, close_database), settings=SETTINGS)


@pytest.mark.parametrize("backend", BACKENDS)
def test_serving_the_queue_twice_at_the_same_moment_tells_each_customer_once(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    db = make_database(backend, request, tmp_path)
    try:
        create_product(db, ProductCreate(sku="MUG", name="Mug"), now=START)
        place_order(db, OrderCreate(customer=CUSTOMER, lines=[LineIn(sku="MUG", quantity=2)]), now=START)
        adjust_stock(db, "MUG", StockAdjustment(delta=2, reason="receipt"), now=LATER)  # serves the first order
        second = place_order(db, OrderCreate(customer=CUSTOMER, lines=[LineIn(sku="MUG", quantity=1)]), now=START)

        adjust_stock(db, "MUG", StockAdjustment(delta=1, reason="receipt"), now=LATER)

        assert get_order(db, second.id).status == OrderStatus.ALLOCATED
        with db.transaction() as session:
            keys = session.scalars(select(OutboxEvent.dedup_key).where(
                OutboxEvent.event_type == "backorder.allocated").order_by(OutboxEvent.id)).all()
        assert len(keys) == 2 and len(set(keys)) == 2  # one serving each, each told once
    finally:
        if backend == "sqlite":
            db.dispose()
