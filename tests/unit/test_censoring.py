"""Censored days: inferred from implausible zero runs, dropped and closed up with weekdays kept in phase."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from inden.planning.censoring import aligned_drop_mask, infer_censored, uncensored_history
from tests.m5 import m5_history


def _history(
    y: list[float] | np.ndarray, *, start: str = "2025-01-06", censored: np.ndarray | None = None
) -> pd.DataFrame:
    days = pd.date_range(start, periods=len(y), freq="D")
    frame = pd.DataFrame({"unique_id": "sku", "ds": days, "y": np.asarray(y, dtype=float)})
    if censored is not None:
        frame["censored"] = censored
    return frame


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    edges = np.diff(np.concatenate([[0], flags.astype(int), [0]]))
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True))


def test_a_long_zero_run_of_a_sku_that_sells_most_days_is_censored() -> None:
    rng = np.random.default_rng(1)
    y = rng.poisson(3.0, 200).astype(float)
    y[y == 0] = 1.0
    y[120:150] = 0.0
    inferred = infer_censored(_history(y))
    assert _runs(inferred["censored"].to_numpy()) == [(120, 150)]


def test_short_zero_runs_of_a_slow_seller_are_not_censored() -> None:
    y = np.zeros(300)
    y[::4] = 1.0  # sells every fourth day: three zero days in a row are normal
    assert not infer_censored(_history(y))["censored"].any()


def test_a_sku_that_never_sold_has_no_evidence_of_censoring() -> None:
    assert not infer_censored(_history(np.zeros(400)))["censored"].any()


def test_given_censored_days_are_kept_and_missing_days_count_as_zero_sales() -> None:
    frame = _history([2.0, 3.0, 0.0, 4.0], censored=np.array([False, False, True, False])).drop(index=1)
    inferred = infer_censored(frame)
    assert inferred["y"].tolist() == [2.0, 0.0, 0.0, 4.0]
    assert inferred["censored"].tolist() == [False, False, True, False]


def test_inferred_censored_days_cover_the_long_zero_runs_of_the_m5_sample() -> None:
    inferred = infer_censored(m5_history())
    for sku, days in inferred.groupby("unique_id"):
        zero = days["y"].to_numpy() == 0
        censored = days["censored"].to_numpy()
        for start, end in _runs(zero):
            if end - start >= 90:
                assert censored[start:end].all(), f"{sku}: zero run of {end - start} days at day {start}"
        long_runs = sum(end - start for start, end in _runs(zero) if end - start >= 90)
        print(f"{sku:34s} censored {censored.sum():5d} days, in zero runs >= 90 days {long_runs:5d}")
        assert censored.sum() < 0.9 * len(days)


def test_each_censored_stretch_is_widened_to_whole_weeks_unless_it_starts_the_series() -> None:
    censored = np.zeros(40, dtype=bool)
    censored[0:3] = True
    censored[20:30] = True
    drop = aligned_drop_mask(censored, np.array([0, 40]))
    assert _runs(drop) == [(0, 3), (16, 30)]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.booleans(), min_size=20, max_size=120), st.integers(0, 6))
def test_closing_up_censored_days_keeps_every_day_on_its_weekday(censored: list[bool], shift: int) -> None:
    n = len(censored)
    start = pd.Timestamp("2025-01-06") + pd.Timedelta(days=shift)
    weekday = pd.date_range(start, periods=n, freq="D").dayofweek.to_numpy()
    history = _history(weekday.astype(float), start=str(start.date()), censored=np.array(censored))
    closed = uncensored_history(history)
    assert (closed["y"].to_numpy() == closed["ds"].dt.dayofweek.to_numpy()).all()
    assert (closed["ds"] <= history["ds"].max()).all()
    stretches = len(_runs(np.array(censored)))
    assert n - sum(censored) - 6 * stretches <= len(closed) <= n - sum(censored)


def test_a_missing_censored_flag_means_in_stock() -> None:
    flagged = _history([0.0, 0.0], censored=np.array([True, True])).assign(unique_id="out")
    unflagged = _history([1.0, 2.0]).assign(unique_id="in")
    inferred = infer_censored(pd.concat([flagged, unflagged], ignore_index=True))  # flags NaN for "in"
    assert inferred.groupby("unique_id")["censored"].sum().to_dict() == {"in": 0, "out": 2}
