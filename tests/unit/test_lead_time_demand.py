"""Lead-time demand measured rather than assumed, and the reorder point's guard rail (planning.lead_time_demand).

The calibration test runs the real forecaster and planner on demand whose level wanders day to day, so that
forecast errors are correlated across days as they are in real retail data: the independent-days textbook
reorder point misses its service level there, the measured one must not.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from inden.planning.forecasting import forecast_demand
from inden.planning.lead_time_demand import MEASURED_DAYS, error_variance_over, history_cap, recent_demand
from inden.planning.replenishment import PlanSettings, Position, SkuInputs, plan_replenishment, plan_sku
from inden.planning.suppliers import SupplierOption
from inden.services.planning.snapshot import forecast_inputs, total_sds
from tests.synthetic import wandering_demand

TODAY = date(2026, 12, 1)
WEEKLY = SupplierOption(supplier="PEMASOK", unit_cost=10_000, lead_time_days=7)


def test_without_measurements_the_variance_is_the_independent_days_one() -> None:
    sigma = np.array([2.0, 0.5])
    measured = np.full((2, len(MEASURED_DAYS)), np.nan)
    for days in (0.0, 1.0, 3.5, 7.0, 20.0, 45.0):
        assert error_variance_over(np.full(2, days), sigma, measured) == pytest.approx(days * sigma**2)


@given(st.floats(0.5, 5), st.floats(1.0, 3.0), st.floats(0, 60), st.floats(0, 60))
def test_measured_variance_passes_through_its_points_and_never_shrinks_with_more_days(
        sigma: float, inflation: float, shorter: float, longer: float) -> None:
    measured = np.array([[np.sqrt(k * sigma**2 * inflation) for k in MEASURED_DAYS]])
    for k, sd in zip(MEASURED_DAYS, measured[0], strict=True):
        assert error_variance_over(np.array([float(k)]), np.array([sigma]), measured)[0] == pytest.approx(sd**2)
    low, high = sorted((shorter, longer))
    at = error_variance_over(np.array([low, high]), np.array([sigma, sigma]), np.vstack([measured, measured]))
    assert at[0] <= at[1] + 1e-9


def test_the_cap_is_the_most_sold_in_any_lead_time_of_the_last_year() -> None:
    recent = np.zeros(364)
    recent[[10, 11, 12, 200, 203]] = [2, 3, 1, 4, 2]
    assert history_cap(recent, 7, forecast_units=0.1, event_units=0) == 6  # 4 + 2 within a week
    assert history_cap(recent, 7, forecast_units=9.2, event_units=5) == 15  # a growing SKU: its forecast
    assert history_cap(recent[:30], 7, forecast_units=0.1, event_units=0) is None  # too little history


def near_zero_with_an_old_burst() -> SkuInputs:
    """HOUSEHOLD_1_001_CA_2 at origin 1857 in the issue: 0.1 expected over the lead time, a backtest error
    inflated by an old burst, never more than 6 sold in a week of the last year."""
    recent = np.zeros(364)
    recent[[30, 31, 90, 150, 151, 152, 300]] = [3, 3, 1, 2, 2, 2, 1]
    return SkuInputs(Position(sku="HOUSEHOLD_1_001", on_hand=0, allocated=0, backordered=0, incoming=0,
                              price=50_000.0),
                     np.full(56, 0.014), 3.5, [WEEKLY], total_sd=(14.0, 21.0, 30.0), recent=recent)


def test_a_near_zero_sku_with_an_old_burst_gets_no_absurd_reorder_point() -> None:
    item = near_zero_with_an_old_burst()
    uncapped = plan_sku(SkuInputs(*[getattr(item, f) for f in ("position", "path", "sigma", "options")],
                                  total_sd=item.total_sd), {}, [], today=TODAY, settings=PlanSettings(0.95), abc={})
    plan = plan_sku(item, {}, [], today=TODAY, settings=PlanSettings(0.95), abc={})
    assert uncapped.reorder_point > 20  # what the negative binomial alone says
    assert plan.reorder_point == 6 and plan.capped
    assert "reorder point capped at 6: the most sold in any 7 days of the last year" in plan.reason
    # The order: the economic order quantity of ~5 units a year at the default order cost (was 70 in the issue).
    assert plan.quantity <= 15 and not plan.expedite and "waiting" not in plan.reason


def test_a_sku_that_sold_nothing_in_a_year_gets_no_reorder_point() -> None:
    item = near_zero_with_an_old_burst()
    plan = plan_sku(SkuInputs(item.position, np.zeros(56), 2.0, [WEEKLY], total_sd=(9.0, 14.0, 20.0),
                              recent=np.zeros(364)), {}, [], today=TODAY, settings=PlanSettings(0.95), abc={})
    assert plan.reorder_point == 0 and plan.quantity == 0


def test_an_empty_shelf_nobody_waits_for_is_not_expedited_but_waiting_customers_are() -> None:
    item = near_zero_with_an_old_burst()
    steady = SkuInputs(item.position, np.full(56, 5.0), 2.0, [WEEKLY])
    assert not plan_sku(steady, {}, [], today=TODAY, settings=PlanSettings(0.95), abc={}).expedite
    waiting = SkuInputs(Position(sku="HOUSEHOLD_1_001", on_hand=0, allocated=0, backordered=3, incoming=0),
                        np.full(56, 5.0), 2.0, [WEEKLY])
    assert plan_sku(waiting, {}, [], today=TODAY, settings=PlanSettings(0.95), abc={}).expedite


def test_a_95_percent_reorder_point_covers_about_95_percent_of_lead_times_when_errors_are_correlated() -> None:
    n, days = 500, 420
    history = wandering_demand(n, days + 7, seed=3, lowest=1.0, highest=30.0)
    origin = history["ds"].min() + pd.Timedelta(days=days)
    seen = history[history["ds"] < origin]
    lead_demand = history[history["ds"] >= origin].groupby("unique_id")["y"].sum().sort_index()
    forecast = forecast_demand(seen, horizon=28)
    paths, sigmas = forecast_inputs(forecast)
    skus = list(lead_demand.index)
    positions = [Position(sku=s, on_hand=0, allocated=0, backordered=0, incoming=0, price=1.0) for s in skus]
    offers = {s: [WEEKLY] for s in skus}

    def coverage(measured: bool) -> float:
        plans = plan_replenishment(paths, sigmas, positions, offers, {}, [], today=origin.date(),
                                   settings=PlanSettings(0.95), lead_times={},
                                   total_sds=total_sds(forecast) if measured else None,
                                   recent=recent_demand(seen) if measured else None)
        rop = np.array([{p.sku: p.reorder_point for p in plans}[s] for s in skus])
        return float(np.mean(lead_demand.to_numpy() <= rop))

    independent, measured = coverage(False), coverage(True)
    assert independent < 0.93  # the textbook reorder point misses its target on such data
    assert abs(measured - 0.95) <= 0.025  # 500 SKUs: one standard error is ~1 point
