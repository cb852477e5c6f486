"""Forecast intervals in whole units, wider further ahead, calibrated so they cover what they claim
(planning.forecasting.intervals)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from inden.planning.forecasting import forecast_demand
from inden.planning.forecasting.intervals import edges
from tests.synthetic import wandering_demand


@given(st.floats(0, 500), st.floats(0, 100))
def test_edges_are_whole_units_around_the_mean_and_never_below_zero(mean: float, half_width: float) -> None:
    lo, hi = edges(np.array([mean]), np.array([half_width]))
    assert lo[0] in (int(lo[0]), mean) and hi[0] in (int(hi[0]), mean)  # whole, or the mean itself
    assert 0 <= lo[0] <= mean <= hi[0]


def held_out(n: int, days: int, seed: int, **levels: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    history = wandering_demand(n, days + 28, seed=seed, **levels)
    origin = history["ds"].min() + pd.Timedelta(days=days)
    forecast = forecast_demand(history[history["ds"] < origin], horizon=28)
    actual = history[history["ds"] >= origin]
    return forecast.paths.merge(actual, on=["unique_id", "ds"]), forecast.report


def test_intervals_cover_what_they_claim_on_held_out_days_with_correlated_errors() -> None:
    days, _ = held_out(400, 420, seed=5)
    for level in (80, 95):
        inside = ((days["y"] >= days[f"lo_{level}"]) & (days["y"] <= days[f"hi_{level}"])).mean()
        assert abs(inside - level / 100) <= 0.03, (level, inside)
    first, last = days["ds"].min(), days["ds"].max()
    width = (days["hi_80"] - days["lo_80"]).groupby(days["ds"]).mean()
    assert width[last] > width[first]  # further ahead, less certain


def test_a_slow_sellers_lower_edge_is_zero_where_zero_is_likely() -> None:
    days, _ = held_out(60, 420, seed=9, lowest=0.2, highest=0.8)
    assert (days["lo_80"] == 0).all()
    # Every band holds at least one whole number of units (a band of zero width around 0.3 would hold none).
    for level in (80, 95):
        assert (np.floor(days[f"hi_{level}"]) >= np.ceil(days[f"lo_{level}"])).all()
