"""The pure allocation and order rules, checked step by step against a deliberately naive reference model.

`Shop` is a tiny in-memory engine built only from `inden.domain` functions, applied the way the services apply
them. `Reference` knows nothing of those functions: it keeps one entry per waiting unit in a list sorted by
allocation order and serves units by popping the front of that list.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from inden.domain.allocation import (
    LineRequest,
    OrderDecision,
    WaitingLine,
    allocate,
    allocation_order,
    take_order,
)
from inden.domain.errors import InsufficientStock, InvalidRequest, NotReadyToShip
from inden.domain.orders import Fulfilment, LineUnits, OrderStatus, order_status, split_cancel, units_to_ship
from inden.domain.policy import BackorderPolicy, ProductRules, backorder_room, is_released
from inden.domain.stock import StockLevel
from tests.reference import status_from_unit_states

SKUS = ("BLUE", "GREEN", "RED")
START = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)


# --- the system under test: domain functions wired into a tiny shop ----------------------------------------


@dataclass(frozen=True, slots=True)
class ShopLine:
    line_id: int
    order_id: int
    sku: str
    priority: int
    created_at: datetime
    units: LineUnits


class Shop:
    def __init__(self, rules: dict[str, ProductRules]) -> None:
        self.rules = rules
        self.stock = {sku: StockLevel(0, 0, 0) for sku in rules}
        self.lines: dict[int, ShopLine] = {}
        self.orders: dict[int, list[int]] = {}

    def place(
        self, requests: list[LineRequest], *, order_id: int, line_ids: list[int], priority: int,
        created_at: datetime,
    ) -> OrderDecision:
        decision = take_order(requests, {r.sku: (self.rules[r.sku], self.stock[r.sku]) for r in requests})
        if not decision.accepted:
            return decision
        self.orders[order_id] = line_ids
        for line_id, take in zip(line_ids, decision.takes, strict=True):
            units = LineUnits(take.quantity, take.allocated, take.backordered, 0, 0)
            self.lines[line_id] = ShopLine(line_id, order_id, take.sku, priority, created_at, units)
            stock = self.stock[take.sku]
            self.stock[take.sku] = replace(
                stock, allocated=stock.allocated + take.allocated, backordered=stock.backordered + take.backordered
            )
        return decision

    def cancel(self, line_id: int, quantity: int) -> None:
        line = self.lines[line_id]
        split = split_cancel(line.sku, line.units, quantity)
        units = line.units
        self.lines[line_id] = replace(line, units=replace(
            units, allocated=units.allocated - split.from_allocated, backordered=units.backordered - split.from_waiting,
            cancelled=units.cancelled + quantity,
        ))
        stock = self.stock[line.sku]
        self.stock[line.sku] = replace(
            stock, allocated=stock.allocated - split.from_allocated, backordered=stock.backordered - split.from_waiting
        )
        self._serve(line.sku)

    def adjust(self, sku: str, delta: int) -> None:
        stock = self.stock[sku]
        self.stock[sku] = replace(stock, on_hand=stock.on_hand + delta)
        self._serve(sku)

    def ship(self, line_id: int, quantity: int) -> None:
        line = self.lines[line_id]
        units = line.units
        self.lines[line_id] = replace(line, units=replace(
            units, allocated=units.allocated - quantity, shipped=units.shipped + quantity
        ))
        stock = self.stock[line.sku]
        self.stock[line.sku] = replace(stock, on_hand=stock.on_hand - quantity, allocated=stock.allocated - quantity)

    def _serve(self, sku: str) -> None:
        queue = [
            WaitingLine(line.line_id, line.order_id, line.priority, line.created_at, line.units.backordered)
            for line in self.lines.values()
            if line.sku == sku and line.units.backordered
        ]
        units = self.stock[sku].available
        plan = allocate(queue, units)
        assert sum(a.quantity for a in plan) == min(units, sum(w.waiting for w in queue))
        keys = {w.line_id: allocation_order(w) for w in queue}
        assert [a.line_id for a in plan] == sorted((a.line_id for a in plan), key=keys.__getitem__)
        for allocation in plan:
            line = self.lines[allocation.line_id]
            assert allocation.order_id == line.order_id
            self.lines[line.line_id] = replace(line, units=replace(
                line.units, allocated=line.units.allocated + allocation.quantity,
                backordered=line.units.backordered - allocation.quantity,
            ))
            stock = self.stock[sku]
            self.stock[sku] = replace(
                stock, allocated=stock.allocated + allocation.quantity,
                backordered=stock.backordered - allocation.quantity,
            )


# --- the naive reference --------------------------------------------------------------------------------


@dataclass
class RefLine:
    line_id: int
    order_id: int
    sku: str
    key: tuple[int, datetime, int, int]
    quantity: int
    allocated: int = 0
    shipped: int = 0
    cancelled: int = 0


class Reference:
    """One list entry per waiting unit, kept sorted by (priority desc, created, order id, line id)."""

    def __init__(self, policies: dict[str, tuple[str, int | None]]) -> None:
        self.policies = policies
        self.on_hand = dict.fromkeys(policies, 0)
        self.queue: dict[str, list[int]] = {sku: [] for sku in policies}
        self.lines: dict[int, RefLine] = {}
        self.orders: dict[int, list[int]] = {}

    def allocated(self, sku: str) -> int:
        return sum(line.allocated for line in self.lines.values() if line.sku == sku)

    def available(self, sku: str) -> int:
        return self.on_hand[sku] - self.allocated(sku)

    def waiting(self, line_id: int) -> int:
        return self.queue[self.lines[line_id].sku].count(line_id)

    def refused_skus(self, wanted: dict[str, int]) -> set[str]:
        refused = set()
        for sku, quantity in wanted.items():
            shortfall = max(quantity - self.available(sku), 0)
            policy, limit = self.policies[sku]
            if shortfall and (policy == "deny" or (limit is not None and len(self.queue[sku]) + shortfall > limit)):
                refused.add(sku)
        return refused

    def place(self, wanted: dict[str, int], *, order_id: int, line_ids: list[int], priority: int,
              created_at: datetime) -> None:
        self.orders[order_id] = line_ids
        for line_id, (sku, quantity) in zip(line_ids, wanted.items(), strict=True):
            line = RefLine(line_id, order_id, sku, (-priority, created_at, order_id, line_id), quantity)
            take = min(quantity, self.available(sku))
            line.allocated = take
            self.lines[line_id] = line
            self.queue[sku].extend([line_id] * (quantity - take))
            self.queue[sku].sort(key=lambda lid: self.lines[lid].key)

    def cancel(self, line_id: int, quantity: int) -> None:
        line = self.lines[line_id]
        for _ in range(quantity):
            if line_id in self.queue[line.sku]:
                self.queue[line.sku].remove(line_id)
            else:
                line.allocated -= 1
            line.cancelled += 1
        self.serve(line.sku)

    def adjust(self, sku: str, delta: int) -> None:
        self.on_hand[sku] += delta
        self.serve(sku)

    def ship(self, line_id: int, quantity: int) -> None:
        line = self.lines[line_id]
        line.allocated -= quantity
        line.shipped += quantity
        self.on_hand[line.sku] -= quantity

    def serve(self, sku: str) -> None:
        while self.available(sku) > 0 and self.queue[sku]:
            self.lines[self.queue[sku].pop(0)].allocated += 1

    def status(self, order_id: int) -> OrderStatus:
        """The status told unit by unit: what states do the order's live (not cancelled) units have?"""
        states: set[str] = set()
        for line_id in self.orders[order_id]:
            line = self.lines[line_id]
            states |= {"allocated"} if line.allocated else set()
            states |= {"waiting"} if self.waiting(line_id) else set()
            states |= {"shipped"} if line.shipped else set()
        return status_from_unit_states(states)


# --- the machine ----------------------------------------------------------------------------------------

policies = st.sampled_from([BackorderPolicy.ALLOW, BackorderPolicy.DENY, BackorderPolicy.PREORDER])
limits = st.none() | st.integers(min_value=0, max_value=6)


class EngineMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.shop = Shop({})
        self.ref = Reference({})
        self.next_order_id = 1
        self.next_line_id = 1

    @initialize(data=st.data())
    def create_products(self, data: st.DataObject) -> None:
        rules = {sku: ProductRules(sku, data.draw(policies, label=sku), data.draw(limits, label=f"{sku} limit"))
                 for sku in SKUS}
        self.shop = Shop(rules)
        self.ref = Reference({sku: (r.policy.value, r.backorder_limit) for sku, r in rules.items()})

    @rule(
        skus=st.lists(st.sampled_from(SKUS), min_size=1, max_size=2, unique=True),
        quantities=st.lists(st.integers(min_value=1, max_value=5), min_size=2, max_size=2),
        priority=st.integers(min_value=0, max_value=2),
        minute=st.integers(min_value=0, max_value=3),  # ties and clocks out of id order, as under concurrency
    )
    def place_order(self, skus: list[str], quantities: list[int], priority: int, minute: int) -> None:
        wanted = dict(zip(skus, quantities, strict=False))
        created_at = START + timedelta(minutes=minute)
        order_id, line_ids = self.next_order_id, list(range(self.next_line_id, self.next_line_id + len(wanted)))
        expected_refusals = self.ref.refused_skus(wanted)
        before = (dict(self.shop.stock), dict(self.shop.lines))
        decision = self.shop.place(
            [LineRequest(sku, q) for sku, q in wanted.items()], order_id=order_id, line_ids=line_ids,
            priority=priority, created_at=created_at,
        )
        assert {r.sku for r in decision.refusals} == expected_refusals
        for refusal in decision.refusals:
            assert refusal.requested == wanted[refusal.sku]
            assert refusal.available == self.ref.available(refusal.sku)
        for take in decision.takes:
            assert take.allocated == min(take.quantity, self.ref.available(take.sku))
            assert take.allocated + take.backordered == take.quantity
        if expected_refusals:
            assert (dict(self.shop.stock), dict(self.shop.lines)) == before
            assert order_id not in self.shop.orders
            return
        self.ref.place(wanted, order_id=order_id, line_ids=line_ids, priority=priority, created_at=created_at)
        self.next_order_id += 1
        self.next_line_id += len(wanted)

    @precondition(lambda self: self.ref.lines)
    @rule(data=st.data())
    def cancel_units(self, data: st.DataObject) -> None:
        line_id = data.draw(st.sampled_from(sorted(self.ref.lines)), label="line")
        line = self.ref.lines[line_id]
        open_units = line.allocated + self.ref.waiting(line_id)
        quantity = data.draw(st.integers(min_value=1, max_value=open_units + 1), label="quantity")
        if quantity > open_units:
            before = (dict(self.shop.stock), dict(self.shop.lines))
            with pytest.raises(InvalidRequest):
                self.shop.cancel(line_id, quantity)
            assert (dict(self.shop.stock), dict(self.shop.lines)) == before
            return
        self.shop.cancel(line_id, quantity)
        self.ref.cancel(line_id, quantity)

    @rule(sku=st.sampled_from(SKUS), delta=st.integers(min_value=1, max_value=6))
    def count_stock_in(self, sku: str, delta: int) -> None:
        self.shop.adjust(sku, delta)
        self.ref.adjust(sku, delta)

    @precondition(lambda self: any(self.ref.available(sku) > 0 for sku in SKUS))
    @rule(data=st.data())
    def count_stock_out(self, data: st.DataObject) -> None:
        sku = data.draw(st.sampled_from([s for s in SKUS if self.ref.available(s) > 0]), label="sku")
        delta = data.draw(st.integers(min_value=1, max_value=self.ref.available(sku)), label="units out")
        self.shop.adjust(sku, -delta)
        self.ref.adjust(sku, -delta)

    @precondition(lambda self: any(line.allocated for line in self.ref.lines.values()))
    @rule(data=st.data())
    def ship_units(self, data: st.DataObject) -> None:
        line_id = data.draw(st.sampled_from([lid for lid, line in self.ref.lines.items() if line.allocated]))
        quantity = data.draw(st.integers(min_value=1, max_value=self.ref.lines[line_id].allocated), label="quantity")
        self.shop.ship(line_id, quantity)
        self.ref.ship(line_id, quantity)

    @invariant()
    def stock_is_never_oversold(self) -> None:
        for stock in self.shop.stock.values():
            assert stock.is_consistent()
            assert 0 <= stock.allocated <= stock.on_hand

    @invariant()
    def nobody_waits_while_units_are_available(self) -> None:
        for sku, stock in self.shop.stock.items():
            if stock.available > 0:
                assert not any(line.units.backordered for line in self.shop.lines.values() if line.sku == sku)

    @invariant()
    def every_ordered_unit_is_accounted_for(self) -> None:
        for line in self.shop.lines.values():
            units = line.units
            assert units.is_conserved()
            assert units.quantity == units.allocated + units.backordered + units.shipped + units.cancelled

    @invariant()
    def product_totals_are_the_sums_of_their_lines(self) -> None:
        for sku, stock in self.shop.stock.items():
            lines = [line.units for line in self.shop.lines.values() if line.sku == sku]
            assert stock.backordered == sum(u.backordered for u in lines)
            assert stock.allocated == sum(u.allocated for u in lines)

    @invariant()
    def shop_agrees_with_reference(self) -> None:
        assert self.shop.orders == self.ref.orders
        assert self.shop.lines.keys() == self.ref.lines.keys()
        for line_id, line in self.shop.lines.items():
            ref = self.ref.lines[line_id]
            assert (line.sku, line.order_id) == (ref.sku, ref.order_id)
            assert line.units == LineUnits(
                ref.quantity, ref.allocated, self.ref.waiting(line_id), ref.shipped, ref.cancelled
            ), f"line {line_id}"
        for sku, stock in self.shop.stock.items():
            assert stock.on_hand == self.ref.on_hand[sku]
            assert stock.allocated == self.ref.allocated(sku)
            assert stock.backordered == len(self.ref.queue[sku])

    @invariant()
    def backorder_room_follows_the_limit(self) -> None:
        for sku, stock in self.shop.stock.items():
            room = backorder_room(self.shop.rules[sku], stock)
            policy, limit = self.ref.policies[sku]
            if policy == "deny":
                assert room == 0
            elif limit is None:
                assert room is None
            else:
                assert room == max(limit - len(self.ref.queue[sku]), 0)

    @invariant()
    def order_status_matches_the_units(self) -> None:
        for order_id, line_ids in self.shop.orders.items():
            status = order_status(self.shop.lines[lid].units for lid in line_ids)
            assert status == self.ref.status(order_id), f"order {order_id}"


EngineMachine.TestCase.settings = settings(
    max_examples=200, stateful_step_count=30, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
TestAllocationAgreesWithReferenceModel = EngineMachine.TestCase
TestAllocationAgreesWithReferenceModel.pytestmark = [pytest.mark.slow]  # hundreds of random step sequences


# --- examples -------------------------------------------------------------------------------------------


def waiting(line_id: int, order_id: int, *, priority: int = 0, minute: int = 0, units: int = 1) -> WaitingLine:
    return WaitingLine(line_id, order_id, priority, START + timedelta(minutes=minute), units)


def test_allocate_serves_higher_priority_before_older_orders() -> None:
    old = waiting(1, 1, minute=0, units=2)
    urgent = waiting(2, 2, priority=2, minute=5, units=2)

    plan = allocate([old, urgent], 3)

    assert [(a.order_id, a.quantity) for a in plan] == [(2, 2), (1, 1)]


def test_allocate_serves_older_orders_first_then_lower_order_id() -> None:
    newer = waiting(1, 1, minute=5)
    tied_high_id = waiting(3, 3, minute=0)
    tied_low_id = waiting(2, 2, minute=0)

    plan = allocate([newer, tied_high_id, tied_low_id], 2)

    assert [a.order_id for a in plan] == [2, 3]


def test_allocate_serves_a_line_in_part_when_units_run_out() -> None:
    plan = allocate([waiting(1, 1, units=5), waiting(2, 2, minute=1, units=3)], 4)

    assert [(a.line_id, a.quantity) for a in plan] == [(1, 4)]


def test_allocate_gives_nothing_beyond_what_waits() -> None:
    plan = allocate([waiting(1, 1, units=2)], 10)

    assert sum(a.quantity for a in plan) == 2


def test_take_order_refuses_whole_order_when_one_line_exceeds_backorder_limit() -> None:
    products = {
        "MUG": (ProductRules("MUG", BackorderPolicy.ALLOW), StockLevel(on_hand=10, allocated=0)),
        "CAP": (ProductRules("CAP", BackorderPolicy.ALLOW, backorder_limit=3), StockLevel(1, 0, backordered=1)),
    }

    decision = take_order([LineRequest("MUG", 2), LineRequest("CAP", 4)], products)

    assert not decision.accepted
    assert [(r.sku, r.requested, r.available, r.backorder_room) for r in decision.refusals] == [("CAP", 4, 1, 2)]


def test_take_order_lets_shortfall_wait_up_to_the_backorder_limit() -> None:
    products = {"CAP": (ProductRules("CAP", BackorderPolicy.ALLOW, backorder_limit=3), StockLevel(1, 0, 1))}

    decision = take_order([LineRequest("CAP", 3)], products)

    assert decision.accepted
    assert [(t.allocated, t.backordered) for t in decision.takes] == [(1, 2)]


def test_deny_policy_refuses_shortfall() -> None:
    products = {"MUG": (ProductRules("MUG", BackorderPolicy.DENY), StockLevel(on_hand=2, allocated=1))}

    decision = take_order([LineRequest("MUG", 2)], products)

    assert [(r.sku, r.available, r.backorder_room) for r in decision.refusals] == [("MUG", 1, 0)]


def test_deny_policy_accepts_what_is_available_in_full() -> None:
    products = {"MUG": (ProductRules("MUG", BackorderPolicy.DENY), StockLevel(on_hand=2, allocated=0))}

    decision = take_order([LineRequest("MUG", 2)], products)

    assert decision.accepted
    assert [(t.allocated, t.backordered) for t in decision.takes] == [(2, 0)]


def test_preorder_policy_lets_the_whole_line_wait() -> None:
    products = {"NEW": (ProductRules("NEW", BackorderPolicy.PREORDER), StockLevel(0, 0))}

    decision = take_order([LineRequest("NEW", 4)], products)

    assert decision.accepted
    assert [(t.allocated, t.backordered) for t in decision.takes] == [(0, 4)]


def test_split_cancel_takes_waiting_units_before_allocated_ones() -> None:
    line = LineUnits(quantity=6, allocated=2, backordered=3, shipped=1, cancelled=0)

    split = split_cancel("MUG", line, 4)

    assert (split.from_waiting, split.from_allocated) == (3, 1)


def test_split_cancel_refuses_more_than_the_open_units() -> None:
    line = LineUnits(quantity=6, allocated=2, backordered=1, shipped=3, cancelled=0)

    with pytest.raises(InvalidRequest):
        split_cancel("MUG", line, 4)


SHIPPABLE = {"MUG": LineUnits(quantity=5, allocated=3, backordered=2, shipped=0, cancelled=0),
             "TEA": LineUnits(quantity=2, allocated=0, backordered=0, shipped=2, cancelled=0)}


def test_shipping_without_a_selection_ships_every_allocated_unit_of_a_partial_order() -> None:
    assert units_to_ship(7, Fulfilment.PARTIAL, SHIPPABLE, None) == [("MUG", 3)]


def test_a_complete_order_does_not_ship_while_units_wait() -> None:
    with pytest.raises(NotReadyToShip):
        units_to_ship(7, Fulfilment.COMPLETE, SHIPPABLE, None)


def test_shipping_refuses_an_order_with_nothing_allocated_a_sku_not_on_it_and_more_than_allocated() -> None:
    with pytest.raises(InvalidRequest):
        units_to_ship(7, Fulfilment.PARTIAL, {"TEA": SHIPPABLE["TEA"]}, None)
    with pytest.raises(InvalidRequest):
        units_to_ship(7, Fulfilment.PARTIAL, SHIPPABLE, [("MUG", 1), ("JAM", 1)])
    with pytest.raises(InsufficientStock):
        units_to_ship(7, Fulfilment.PARTIAL, SHIPPABLE, [("MUG", 4)])


@given(st.integers(0, 5), st.integers(0, 5), st.integers(1, 6))
def test_a_selection_ships_exactly_what_it_names_within_the_allocated_units(allocated: int, waiting: int,
                                                                           asked: int) -> None:
    line = LineUnits(quantity=allocated + waiting, allocated=allocated, backordered=waiting, shipped=0, cancelled=0)
    if asked <= allocated:
        assert units_to_ship(1, Fulfilment.PARTIAL, {"MUG": line}, [("MUG", asked)]) == [("MUG", asked)]
    else:
        with pytest.raises(InsufficientStock):
            units_to_ship(1, Fulfilment.PARTIAL, {"MUG": line}, [("MUG", asked)])


def test_a_pre_order_is_released_on_its_release_day_and_other_products_always() -> None:
    launch = datetime(2026, 12, 12, tzinfo=UTC).date()
    assert not is_released(BackorderPolicy.PREORDER, launch, launch - timedelta(days=1))
    assert is_released(BackorderPolicy.PREORDER, launch, launch)
    assert is_released(BackorderPolicy.PREORDER, None, launch)
    assert is_released(BackorderPolicy.ALLOW, launch, launch - timedelta(days=1))


def test_order_status_is_cancelled_when_every_unit_is_cancelled() -> None:
    lines = [LineUnits(2, 0, 0, 0, 2), LineUnits(1, 0, 0, 0, 1)]

    assert order_status(lines) == OrderStatus.CANCELLED


def test_order_status_is_shipped_when_every_unit_not_cancelled_shipped() -> None:
    lines = [LineUnits(3, 0, 0, 2, 1), LineUnits(1, 0, 0, 0, 1)]

    assert order_status(lines) == OrderStatus.SHIPPED


def test_order_status_counts_waiting_and_allocated_units_across_lines() -> None:
    assert order_status([LineUnits(2, 2, 0, 0, 0), LineUnits(1, 0, 1, 0, 0)]) == OrderStatus.PARTIALLY_BACKORDERED
    assert order_status([LineUnits(2, 0, 2, 0, 0), LineUnits(1, 0, 0, 0, 1)]) == OrderStatus.BACKORDERED


def test_reference_statuses_cover_every_order_status() -> None:
    # Guards the reference model itself: its unit-by-unit reading must be able to produce every status.
    seen = Counter[OrderStatus]()
    for units in [(1, 0, 0, 0), (0, 1, 0, 0), (1, 1, 0, 0), (0, 0, 1, 0), (1, 0, 1, 0), (0, 0, 0, 1)]:
        ref = Reference({"MUG": ("allow", None)})
        allocated, waiting_units, shipped, cancelled = units
        ref.lines[1] = RefLine(1, 1, "MUG", (0, START, 1, 1), sum(units), allocated, shipped, cancelled)
        ref.queue["MUG"] = [1] * waiting_units
        ref.orders[1] = [1]
        seen[ref.status(1)] += 1
    assert set(seen) == set(OrderStatus)
