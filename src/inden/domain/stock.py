"""A SKU's stock position."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class StockLevel:
    """Units of one SKU. `allocated` units are reserved for orders; `backordered` units wait in the queue.

    Invariant: 0 <= allocated <= on_hand, backordered >= 0.
    """

    on_hand: int
    allocated: int
    backordered: int = 0
    incoming: int = 0  # units on open purchase orders

    @property
    def available(self) -> int:
        """Units that can be reserved right now (never negative)."""
        return max(self.on_hand - self.allocated, 0)

    def is_consistent(self) -> bool:
        return 0 <= self.allocated <= self.on_hand and self.backordered >= 0
