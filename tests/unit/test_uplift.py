"""Measuring an event's uplift from the daily demand history."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from inden.planning.uplift import measure_uplift

START = date(2026, 12, 12)


def history(rows: list[tuple[str, date, float, bool]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["unique_id", "ds", "y", "censored"]).astype({"ds": "datetime64[ns]"})


def test_uplift_is_the_events_daily_demand_over_the_days_before_it() -> None:
    before = [("KOPI", START - timedelta(days=d), 2.0, False) for d in range(1, 5)]
    during = [("KOPI", START, 10.0, False), ("TEH", START, 100.0, False)]

    measured = measure_uplift(history(before + during), ["KOPI"], START, START)

    assert measured is not None
    assert (measured.baseline_per_day, measured.actual_per_day, measured.uplift) == (2.0, 10.0, 5.0)


def test_censored_days_and_days_outside_the_windows_do_not_count() -> None:
    rows = [("KOPI", START - timedelta(days=1), 2.0, False), ("KOPI", START - timedelta(days=2), 50.0, True),
            ("KOPI", START - timedelta(days=40), 90.0, False), ("KOPI", START, 4.0, False),
            ("KOPI", START + timedelta(days=1), 0.0, True)]

    measured = measure_uplift(history(rows), ["KOPI"], START, START + timedelta(days=1), baseline_days=28)

    assert measured is not None and measured.uplift == 2.0


def test_no_uplift_without_an_uncensored_day_on_both_sides_and_none_over_a_zero_baseline() -> None:
    assert measure_uplift(history([("KOPI", START, 4.0, False)]), ["KOPI"], START, START) is None
    zero = measure_uplift(history([("KOPI", START - timedelta(days=1), 0.0, False), ("KOPI", START, 4.0, False)]),
                          ["KOPI"], START, START)
    assert zero is not None and zero.uplift is None and zero.actual_per_day == 4.0
    assert measure_uplift(history([]), ["KOPI"], START, START) is None
