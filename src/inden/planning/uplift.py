"""How much an event (a promotion, a flash sale, a launch) really lifted demand, measured after it ended."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

BASELINE_DAYS = 28  # the event's window is compared with this many days before it


@dataclass(frozen=True, slots=True)
class Uplift:
    uplift: float | None  # actual / baseline; None when the baseline is 0
    baseline_per_day: float  # units a day over the event's SKUs before it
    actual_per_day: float  # units a day during it


def measure_uplift(history: pd.DataFrame, skus: Collection[str], starts_on: date, ends_on: date, *,
                   baseline_days: int = BASELINE_DAYS) -> Uplift | None:
    """The event's SKUs' daily demand during it against the `baseline_days` before it, uncensored days only.

    `history`: ``unique_id``, ``ds`` (day), ``y`` (units), ``censored`` (bool). None when either window has no
    uncensored day to compare.
    """
    seen = history[~history["censored"] & history["unique_id"].isin(list(skus))]
    days = seen["ds"].dt.date if len(seen) else pd.Series([], dtype=object)
    window = seen[(days >= starts_on - timedelta(days=baseline_days)) & (days <= ends_on)]
    daily = window.groupby(days[window.index])["y"].sum()
    before = daily[[d < starts_on for d in daily.index]]
    during = daily[[d >= starts_on for d in daily.index]]
    if before.empty or during.empty:
        return None
    baseline, actual = float(before.mean()), float(during.mean())
    return Uplift(actual / baseline if baseline > 0 else None, baseline, actual)
