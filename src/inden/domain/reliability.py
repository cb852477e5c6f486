"""Supplier reliability measured from delivery history."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Reliability:
    deliveries: int
    on_time_rate: float | None  # share of deliveries on or before the expected date
    delay_p50_days: int
    delay_p90_days: int  # used for eta_latest: 9 in 10 deliveries came no later than this
    mean_delay_days: float | None
    fill_ratio: float | None  # units received / units ordered on closed purchase-order lines


def _quantile(values: Sequence[int], q: float) -> int:
    """Nearest-rank quantile of sorted `values` (an observed value, never interpolated)."""
    rank = max(math.ceil(q * len(values)), 1)
    return values[rank - 1]


def measure_reliability(delays_days: Sequence[int], *, ordered: int, received: int) -> Reliability:
    """Reliability from each delivery's (received date - expected date) in days and closed-line totals.

    With no history, delays count as 0 (trust the supplier's stated lead time) and rates are None.
    """
    delays = sorted(delays_days)
    fill = received / ordered if ordered else None
    if not delays:
        return Reliability(0, None, 0, 0, None, fill)
    return Reliability(
        deliveries=len(delays),
        on_time_rate=sum(d <= 0 for d in delays) / len(delays),
        delay_p50_days=max(_quantile(delays, 0.5), 0),
        delay_p90_days=max(_quantile(delays, 0.9), 0),
        mean_delay_days=sum(delays) / len(delays),
        fill_ratio=fill,
    )
