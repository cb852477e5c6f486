"""Order lines' unit accounting and order status."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from inden.domain.errors import InsufficientStock, InvalidRequest, NotReadyToShip


class Fulfilment(StrEnum):
    PARTIAL = "partial"  # ship allocated units as they become available
    COMPLETE = "complete"  # ship the order in one go, once nothing is waiting


class OrderStatus(StrEnum):
    ALLOCATED = "allocated"
    PARTIALLY_BACKORDERED = "partially_backordered"
    BACKORDERED = "backordered"
    PARTIALLY_SHIPPED = "partially_shipped"
    SHIPPED = "shipped"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class LineUnits:
    """Every ordered unit is exactly one of allocated, backordered (waiting), shipped or cancelled."""

    quantity: int
    allocated: int
    backordered: int
    shipped: int
    cancelled: int

    def is_conserved(self) -> bool:
        parts = (self.allocated, self.backordered, self.shipped, self.cancelled)
        return all(p >= 0 for p in parts) and sum(parts) == self.quantity

    @property
    def open(self) -> int:
        """Units that may still be cancelled (not shipped, not cancelled)."""
        return self.allocated + self.backordered


def order_status(lines: Iterable[LineUnits]) -> OrderStatus:
    """The status an order shows, derived from its lines' units."""
    lines = list(lines)
    live = sum(line.quantity - line.cancelled for line in lines)
    shipped = sum(line.shipped for line in lines)
    waiting = sum(line.backordered for line in lines)
    allocated = sum(line.allocated for line in lines)
    if live == 0:
        return OrderStatus.CANCELLED
    if shipped == live:
        return OrderStatus.SHIPPED
    if shipped:
        return OrderStatus.PARTIALLY_SHIPPED
    if not waiting:
        return OrderStatus.ALLOCATED
    if not allocated:
        return OrderStatus.BACKORDERED
    return OrderStatus.PARTIALLY_BACKORDERED


@dataclass(frozen=True, slots=True)
class CancelSplit:
    from_waiting: int
    from_allocated: int


def split_cancel(sku: str, line: LineUnits, quantity: int) -> CancelSplit:
    """Cancel `quantity` units of a line: waiting units go first, then allocated ones (which are freed).

    Raises InvalidRequest if the line has fewer open units than asked.
    """
    if quantity > line.open:
        raise InvalidRequest(
            f"Cannot cancel {quantity} of SKU {sku!r}: only {line.open} not yet shipped or cancelled.",
            sku=sku,
            requested=quantity,
            open=line.open,
        )
    from_waiting = min(quantity, line.backordered)
    return CancelSplit(from_waiting, quantity - from_waiting)


def units_to_ship(order_id: int, fulfilment: Fulfilment, lines: Mapping[str, LineUnits],
                  selection: Sequence[tuple[str, int]] | None) -> list[tuple[str, int]]:
    """(SKU, units) to ship: every allocated unit when `selection` is None, else the selected units.

    Raises NotReadyToShip for a `complete` order with units still waiting, InvalidRequest when nothing is
    allocated or a SKU is not on the order, InsufficientStock when a line has fewer allocated units than asked.
    """
    waiting = sum(line.backordered for line in lines.values())
    if fulfilment is Fulfilment.COMPLETE and waiting:
        raise NotReadyToShip(order_id, waiting=waiting)
    if selection is None:
        chosen = [(sku, line.allocated) for sku, line in lines.items() if line.allocated]
        if not chosen:
            raise InvalidRequest(f"Order {order_id} has no allocated units to ship.", order_id=order_id)
        return chosen
    for sku, _ in selection:
        if sku not in lines:
            raise InvalidRequest(f"Order {order_id} has no line for SKU {sku!r}.", sku=sku)
    for sku, quantity in selection:
        if quantity > lines[sku].allocated:
            raise InsufficientStock(sku, requested=quantity, available=lines[sku].allocated, what="allocated")
    return list(selection)
