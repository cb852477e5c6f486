"""Sign-ups while out of stock as demand (planning.sign_up_demand)."""

from __future__ import annotations

import pandas as pd

from inden.planning.sign_up_demand import DEFAULT_CONVERSION, add_sign_up_demand, unseen_units


def history() -> pd.DataFrame:
    days = pd.date_range("2026-11-01", periods=6, freq="D")
    return pd.DataFrame({"unique_id": "TAS", "ds": days, "y": [4.0, 5.0, 0.0, 0.0, 0.0, 6.0],
                         "censored": [False, False, True, True, True, False]})


def test_days_with_sign_ups_become_observed_demand_by_the_measured_conversion() -> None:
    sign_ups = pd.DataFrame({"unique_id": "TAS", "ds": pd.to_datetime(["2026-11-03", "2026-11-04", "2026-11-06",
                                                                       "2026-11-08"]),
                             "sign_ups": [12, 30, 50, 8]})
    out = add_sign_up_demand(history(), sign_ups, {"TAS": 0.25})
    # The 6th sold 6 and then ran out: its sign-ups came on top. The 8th had no row at all: it gets one.
    assert out["y"].tolist() == [4.0, 5.0, 3.0, 7.5, 0.0, 18.5, 2.0]
    assert out["censored"].tolist() == [False, False, False, False, True, False, False]
    assert list(out.columns) == ["unique_id", "ds", "y", "censored"]


def test_without_a_measured_conversion_a_third_of_the_sign_ups_count() -> None:
    sign_ups = pd.DataFrame({"unique_id": "TAS", "ds": pd.to_datetime(["2026-11-03"]), "sign_ups": [9]})
    assert add_sign_up_demand(history(), sign_ups, {})["y"].iloc[2] == 3.0
    assert unseen_units(120, None) == 120 * DEFAULT_CONVERSION and unseen_units(120, 0.5) == 60
