"""The Indonesian shopping calendar and its effects learned from history (planning.calendar)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from inden.planning.calendar import RULES, learn_effects, rule_days
from inden.planning.censoring import DailyHistory
from inden.planning.forecasting import forecast_demand


def test_lebaran_moves_every_year_and_comes_from_the_holidays_package() -> None:
    days = rule_days(date(2025, 1, 1), date(2027, 12, 31))
    assert {date(2025, 3, 31), date(2026, 3, 21)} <= days["lebaran"]  # Idul Fitri 1446 and 1447 H
    assert date(2026, 3, 20) in days["lebaran_rush"] and date(2026, 3, 7) in days["lebaran_rush"]
    assert date(2026, 3, 6) not in days["lebaran_rush"]  # 14 days before, not 15
    assert date(2026, 5, 27) in days["idul_adha"] and date(2026, 2, 17) in days["imlek"]
    assert date(2026, 12, 25) in days["natal"] and date(2027, 1, 1) in days["tahun_baru"]


def test_double_dates_are_9_9_to_12_12_only() -> None:
    days = rule_days(date(2026, 1, 1), date(2026, 12, 31))["double_date"]
    assert days == {date(2026, 9, 9), date(2026, 10, 10), date(2026, 11, 11), date(2026, 12, 12)}


def test_payday_runs_from_the_25th_to_the_1st() -> None:
    days = rule_days(date(2026, 11, 20), date(2026, 12, 5))["payday"]
    assert days == {date(2026, 11, d) for d in range(25, 31)} | {date(2026, 12, 1)}


def history_with(lift: dict[str, float], days: int = 730, rate: float = 20.0, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    span = pd.date_range(end="2026-11-30", periods=days, freq="D")
    calendar = rule_days(span[0].date(), span[-1].date())
    factor = np.array([np.prod([lift.get(rule, 1.0) for rule in RULES if d.date() in calendar[rule]])
                       for d in span])
    return pd.DataFrame({"unique_id": "KOPI", "ds": span, "y": rng.poisson(rate * factor).astype(float)})


def test_a_payday_lift_is_learned_and_carried_into_the_forecast() -> None:
    history = history_with({"payday": 1.5})
    effects = learn_effects(DailyHistory.from_frame(history))
    assert abs(effects.factor[0, RULES.index("payday")] - 1.5) < 0.1
    assert abs(effects.factor[0, RULES.index("natal")] - 1.0) < 0.15  # no lift there: little moves it
    paths = forecast_demand(history, horizon=28).paths.set_index("ds")
    payday, ordinary = paths.loc["2026-12-01", "mean"], paths.loc["2026-12-10", "mean"]
    assert payday > 1.3 * ordinary and paths.loc["2026-12-01", "calendar"] > 1.3
    flat = forecast_demand(history, horizon=28, calendar=False).paths.set_index("ds")
    assert flat.loc["2026-12-01", "calendar"] == 1.0


def test_one_lucky_day_does_not_move_a_slow_sellers_forecast() -> None:
    history = history_with({}, rate=0.3, seed=4)
    history.loc[history["ds"] == "2025-11-11", "y"] = 6.0  # one 11.11 sold 6, 20x a normal day
    effects = learn_effects(DailyHistory.from_frame(history))
    assert effects.factor[0, RULES.index("double_date")] < 1.5  # shrunk toward the pooled ratio
