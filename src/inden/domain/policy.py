"""Backorder policies: what a product does when an order asks for more than is available."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from inden.domain.stock import StockLevel


class BackorderPolicy(StrEnum):
    DENY = "deny"  # plain out-of-stock: refuse, and record the refused quantity as lost demand
    ALLOW = "allow"  # take the order; the shortfall waits in the backorder queue
    PREORDER = "preorder"  # before a launch; waits in the same queue as backorders


@dataclass(frozen=True, slots=True)
class ProductRules:
    sku: str
    policy: BackorderPolicy
    backorder_limit: int | None = None  # cap on units waiting in the queue; None means no cap


def backorder_room(rules: ProductRules, stock: StockLevel) -> int | None:
    """Units that may still join the backorder queue: 0 under `deny`, None when unlimited."""
    if rules.policy is BackorderPolicy.DENY:
        return 0
    if rules.backorder_limit is None:
        return None
    return max(rules.backorder_limit - stock.backordered, 0)
