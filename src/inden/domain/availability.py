"""What a product page may promise a shopper for a quantity: the same decision an order would get now.

`shelf_status` runs the order rule itself (`allocation.take_order`) on one line, so the page never says
"in stock" for an order the engine would backorder, nor "order now" for one it would refuse.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from inden.domain.allocation import LineRequest, take_order
from inden.domain.policy import ProductRules
from inden.domain.stock import StockLevel


class ShelfStatus(StrEnum):
    IN_STOCK = "in_stock"
    LOW_STOCK = "low_stock"  # in stock, but at most the shop's low-stock threshold is left
    BACKORDER = "backorder"  # taken now; some or all units wait for supply
    PREORDER = "preorder"  # a launch not yet released: taken now, ships from the release
    OUT_OF_STOCK = "out_of_stock"  # refused: the policy is deny, or the backorder room is used up


@dataclass(frozen=True, slots=True)
class Shelf:
    """The decision for one quantity: its status, units sellable now, and units that would wait."""

    status: ShelfStatus
    available: int
    waiting: int


def shelf_status(rules: ProductRules, stock: StockLevel, *, quantity: int, low_stock_threshold: int) -> Shelf:
    """Status of an order of `quantity` placed now (quantity > 0)."""
    decision = take_order([LineRequest(rules.sku, quantity)], {rules.sku: (rules, stock)})
    available = stock.available if rules.released else 0
    if not decision.accepted:
        return Shelf(ShelfStatus.OUT_OF_STOCK, available, 0)
    waiting = decision.takes[0].backordered
    if waiting:
        status = ShelfStatus.BACKORDER if rules.released else ShelfStatus.PREORDER
        return Shelf(status, available, waiting)
    low = available <= low_stock_threshold
    return Shelf(ShelfStatus.LOW_STOCK if low else ShelfStatus.IN_STOCK, available, 0)
