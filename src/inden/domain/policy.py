"""Backorder policies: what a product does when an order asks for more than is available."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from inden.domain.stock import StockLevel


class BackorderPolicy(StrEnum):
    DENY = "deny"  # plain out-of-stock: refuse, and record the refused quantity as lost demand
    ALLOW = "allow"  # take the order; the shortfall waits in the backorder queue
    PREORDER = "preorder"  # before a launch; waits in the same queue as backorders


class LimitBasis(StrEnum):
    FIXED = "fixed"  # at most `backorder_limit` units wait (no cap when it is None)
    INCOMING = "incoming"  # at most the open incoming units plus `backorder_limit` (an optional extra)


@dataclass(frozen=True, slots=True)
class ProductRules:
    sku: str
    policy: BackorderPolicy
    backorder_limit: int | None = None
    limit_basis: LimitBasis = LimitBasis.FIXED
    released: bool = True  # False for a pre-order before its release date: stock is held for the launch
    max_per_customer: int | None = None


def backorder_room(rules: ProductRules, stock: StockLevel) -> int | None:
    """Units that may still join the backorder queue: 0 under `deny`, None when unlimited."""
    if rules.policy is BackorderPolicy.DENY:
        return 0
    if rules.limit_basis is LimitBasis.INCOMING:
        return max(stock.incoming + (rules.backorder_limit or 0) - stock.backordered, 0)
    if rules.backorder_limit is None:
        return None
    return max(rules.backorder_limit - stock.backordered, 0)


def is_released(policy: str, release_at: date | None, today: date) -> bool:
    """False for a pre-order before its release date: its stock is held for the launch and nothing ships.

    `policy` is a BackorderPolicy value. Every other product is always released.
    """
    return not (policy == BackorderPolicy.PREORDER and release_at is not None and release_at > today)
