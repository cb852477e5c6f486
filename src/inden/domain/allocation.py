"""Allocation rules: how an order line takes stock, and how freed units serve the backorder queue.

Allocation order (who is served first) is priority descending, then order creation time, then order id,
then line id: the oldest waiting customer first unless the seller raised a priority.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from inden.domain.policy import ProductRules, backorder_room
from inden.domain.stock import StockLevel


@dataclass(frozen=True, slots=True)
class LineRequest:
    sku: str
    quantity: int


@dataclass(frozen=True, slots=True)
class LineTake:
    """What one order line takes: `allocated` units now, `backordered` units wait in the queue."""

    sku: str
    quantity: int
    allocated: int
    backordered: int


@dataclass(frozen=True, slots=True)
class Refusal:
    """A line that cannot be taken in full: its shortfall exceeds what the policy lets wait."""

    sku: str
    requested: int
    available: int
    backorder_room: int | None


@dataclass(frozen=True, slots=True)
class OrderDecision:
    takes: tuple[LineTake, ...]
    refusals: tuple[Refusal, ...]

    @property
    def accepted(self) -> bool:
        return not self.refusals


def take_order(
    lines: Sequence[LineRequest], products: Mapping[str, tuple[ProductRules, StockLevel]]
) -> OrderDecision:
    """Decide each line: take what is available now, let the rest wait within policy and limit.

    If any line cannot be taken in full the order is refused as a whole (`refusals` is non-empty) and no
    take applies. `lines` must name each SKU at most once and every SKU must be in `products`.
    """
    takes: list[LineTake] = []
    refusals: list[Refusal] = []
    for line in lines:
        rules, stock = products[line.sku]
        available = stock.available if rules.released else 0  # a pre-order holds its stock for the launch
        allocated = min(line.quantity, available)
        shortfall = line.quantity - allocated
        room = backorder_room(rules, stock)
        if shortfall and room is not None and shortfall > room:
            refusals.append(Refusal(line.sku, line.quantity, available, room))
        takes.append(LineTake(line.sku, line.quantity, allocated, shortfall))
    return OrderDecision(tuple(takes), tuple(refusals))


@dataclass(frozen=True, slots=True)
class WaitingLine:
    """An order line with units waiting in its SKU's backorder queue."""

    line_id: int
    order_id: int
    priority: int
    created_at: datetime
    waiting: int


def allocation_order(line: WaitingLine) -> tuple[int, datetime, int, int]:
    """Sort key of the backorder queue: priority desc, created asc, order id asc, line id asc."""
    return (-line.priority, line.created_at, line.order_id, line.line_id)


@dataclass(frozen=True, slots=True)
class Allocation:
    line_id: int
    order_id: int
    quantity: int


def allocate(queue: Iterable[WaitingLine], units: int) -> list[Allocation]:
    """Give `units` freed units to waiting lines in allocation order; a line may be served in part.

    Returns the allocations in allocation order; their quantities sum to min(units, total waiting).
    """
    plan: list[Allocation] = []
    left = units
    for line in sorted(queue, key=allocation_order):
        if left <= 0:
            break
        quantity = min(line.waiting, left)
        if quantity > 0:
            plan.append(Allocation(line.line_id, line.order_id, quantity))
            left -= quantity
    return plan
