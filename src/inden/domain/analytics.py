"""The seller's figures at a glance: fill rate, how long customers wait, what was lost. Pure arithmetic."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

RISKY = 0.2  # a pending suggestion's stock-out risk from which a product is listed as at risk
AT_RISK_SHOWN = 20

# Waiting-time buckets in whole days: the last one is open-ended.
AGE_BUCKETS: tuple[tuple[int, int | None], ...] = ((0, 2), (3, 7), (8, 14), (15, None))


def bucket_name(low: int, high: int | None) -> str:
    return f"{low}+" if high is None else f"{low}-{high}"


@dataclass(frozen=True, slots=True)
class Demand:
    """Units customers asked for in a period and how they were met when they asked."""

    ordered: int  # units on orders taken (from stock or to wait)
    from_stock: int  # of those, reserved from stock at once
    refused: int  # units of refused orders (lost demand)

    @property
    def asked(self) -> int:
        return self.ordered + self.refused

    @property
    def backordered(self) -> int:
        return self.ordered - self.from_stock

    @property
    def fill_rate(self) -> float | None:
        """Share of the units asked for that stock covered on the spot (None when nobody asked)."""
        return self.from_stock / self.asked if self.asked else None

    @property
    def backorder_rate(self) -> float | None:
        return self.backordered / self.asked if self.asked else None

    @property
    def lost_rate(self) -> float | None:
        return self.refused / self.asked if self.asked else None


@dataclass(frozen=True, slots=True)
class WaitSummary:
    """How long the lines now waiting have waited, in days."""

    lines: int
    units: int
    mean_days: float | None
    p50_days: float | None
    p90_days: float | None
    max_days: float | None
    buckets: dict[str, int]  # lines per waiting-time bucket (whole days), e.g. {"0-2": 5, "3-7": 1, …}


def _quantile(ordered: Sequence[float], q: float) -> float:
    """The q-quantile by the nearest-rank method (a value that occurred)."""
    return ordered[max(math.ceil(q * len(ordered)), 1) - 1]


def wait_summary(waiting: Sequence[tuple[float, int]]) -> WaitSummary:
    """Summarise waiting lines given as (days waited, units waiting)."""
    buckets = {bucket_name(low, high): 0 for low, high in AGE_BUCKETS}
    for days, _ in waiting:
        whole = int(days)
        for low, high in AGE_BUCKETS:
            if whole >= low and (high is None or whole <= high):
                buckets[bucket_name(low, high)] += 1
                break
    if not waiting:
        return WaitSummary(0, 0, None, None, None, None, buckets)
    ages = sorted(days for days, _ in waiting)
    return WaitSummary(
        lines=len(waiting), units=sum(units for _, units in waiting), mean_days=sum(ages) / len(ages),
        p50_days=_quantile(ages, 0.5), p90_days=_quantile(ages, 0.9), max_days=ages[-1], buckets=buckets,
    )


class SkuRisk(Protocol):
    """What decides whether a product is at risk (the per-SKU figures of the report have these)."""

    @property
    def sku(self) -> str: ...
    @property
    def estimated_units(self) -> int: ...  # units waiting without a purchase order to promise them
    @property
    def stockout_risk(self) -> float | None: ...  # of the pending suggestion, None without one
    @property
    def below_reorder_point(self) -> bool: ...


R = TypeVar("R", bound=SkuRisk)


def is_at_risk(figures: SkuRisk) -> bool:
    """Customers wait with no purchase order behind them, the stock is below its reorder point, or the
    pending suggestion's stock-out risk is at least RISKY."""
    return bool(figures.estimated_units or figures.below_reorder_point or (figures.stockout_risk or 0) >= RISKY)


def at_risk(figures: Iterable[R], *, limit: int = AT_RISK_SHOWN) -> list[R]:
    """The products at risk, worst first: most units waiting unscheduled, then highest risk, then SKU."""
    return sorted((f for f in figures if is_at_risk(f)),
                  key=lambda f: (-f.estimated_units, -(f.stockout_risk or 0), f.sku))[:limit]
