"""Demand forecasts: model choice by backtest, censored days, fallbacks for new SKUs, intervals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from inden.planning.censoring import infer_censored
from inden.planning.forecasting import Forecast, forecast_demand, seasonal_naive_baseline
from tests.m5 import m5_history

pytestmark = pytest.mark.slow  # fits statsforecast models (the M5 sample among them)

END = pd.Timestamp("2025-06-30")


def _frame(sku: str, y: np.ndarray, censored: np.ndarray | None = None) -> pd.DataFrame:
    days = pd.date_range(end=END, periods=len(y), freq="D")
    flags = np.zeros(len(y), dtype=bool) if censored is None else censored
    return pd.DataFrame({"unique_id": sku, "ds": days, "y": y.astype(float), "censored": flags})


def _mixed_history(n_skus: int = 6, days: int = 200, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frames = []
    for i in range(n_skus):
        if i % 2:
            y = rng.poisson(8.0 * (1 + 0.4 * (np.arange(days) % 7 >= 5)))
        else:
            y = (rng.random(days) < 0.2) * (1 + rng.poisson(2.0, days))
        frames.append(_frame(f"sku-{i}", y))
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module")
def mixed() -> Forecast:
    return forecast_demand(_mixed_history(), horizon=7)


def test_every_sku_gets_horizon_days_starting_the_day_after_the_history(mixed: Forecast) -> None:
    assert sorted(mixed.report["unique_id"]) == [f"sku-{i}" for i in range(6)]
    for _, path in mixed.paths.groupby("unique_id"):
        assert path["ds"].tolist() == list(pd.date_range(END + pd.Timedelta(days=1), periods=7, freq="D"))


def test_intermittent_skus_get_intermittent_models_and_smooth_skus_smoothing_models(mixed: Forecast) -> None:
    report = mixed.report.set_index("unique_id")
    for i in range(6):
        row = report.loc[f"sku-{i}"]
        if i % 2:
            assert row["demand_class"] == "smooth"
            assert row["model"] in {"AutoETS", "SESOpt", "SeasESOpt", "SeasWA", "SeasonalNaive", "LightGBM",
                                    "Combination"}
        else:  # AutoETS competes too where the time budget allows (these few SKUs are all within it)
            assert row["demand_class"] in {"intermittent", "lumpy"}
            assert row["model"] in {"CrostonSBA", "CrostonOptimized", "ADIDA", "IMAPA", "TSB", "SESOpt", "AutoETS",
                                    "LightGBM", "Combination"}
        assert row["fallback"] is None
        assert row["sigma"] > 0
        assert row["mase"] > 0 and row["mase_naive"] > 0


def test_means_are_never_negative_and_intervals_nest_around_them(mixed: Forecast) -> None:
    _assert_ordered(mixed.paths)


def test_a_sku_out_of_stock_for_its_last_30_days_is_forecast_at_its_true_rate() -> None:
    rng = np.random.default_rng(11)
    y = rng.poisson(5.0, 365)
    out_of_stock = np.zeros(365, dtype=bool)
    out_of_stock[-30:] = True
    y[out_of_stock] = 0

    flagged = forecast_demand(_frame("sku", y, out_of_stock), horizon=14)
    unflagged = forecast_demand(_frame("sku", y), horizon=14)

    with_flag = flagged.paths["mean"].mean()
    without_flag = unflagged.paths["mean"].mean()
    print(f"\ntrue rate 5.0/day: censored days flagged -> {with_flag:.2f}, not flagged -> {without_flag:.2f}")
    assert with_flag == pytest.approx(5.0, rel=0.15)
    assert without_flag < 0.7 * with_flag
    assert flagged.report.loc[0, "censored_days"] == 30


def test_a_new_sku_uses_the_sellers_expected_rate_first() -> None:
    history = pd.concat([_mixed_history(), _frame("new", np.array([1, 0, 2, 0, 0]))], ignore_index=True)
    forecast = forecast_demand(
        history, horizon=7, expected={"new": 3.0, "brand-new": 0.5}, categories={"new": "toys"}
    )
    report = forecast.report.set_index("unique_id")
    assert report.loc["new", "model"] == "Expected"
    assert "expected" in report.loc["new", "fallback"]
    assert report.loc["brand-new", "model"] == "Expected"
    assert report.loc["brand-new", "history_days"] == 0
    paths = forecast.paths.set_index("unique_id")
    assert (paths.loc["new", "mean"] == 3.0).all()
    assert (paths.loc["brand-new", "mean"] == 0.5).all()


def test_a_new_sku_without_an_expectation_uses_its_categorys_average_rate() -> None:
    history = pd.concat([_mixed_history(), _frame("new", np.array([9, 9, 9]))], ignore_index=True)
    peers = {"sku-1": "drinks", "sku-3": "drinks"}
    # Without the shopping calendar: with it, the peers' rates are measured with its effects divided out.
    forecast = forecast_demand(history, horizon=7, categories={**peers, "new": "drinks"}, calendar=False)
    own = history[history["unique_id"].isin(peers)].groupby("unique_id")["y"].mean().mean()
    row = forecast.report.set_index("unique_id").loc["new"]
    assert row["model"] == "CategoryMean"
    assert "2 SKUs in category 'drinks'" in row["fallback"]
    assert forecast.paths.loc[forecast.paths["unique_id"] == "new", "mean"].iloc[0] == pytest.approx(own)


def test_a_new_sku_with_no_expectation_or_peers_uses_its_own_mean_with_poisson_intervals() -> None:
    forecast = forecast_demand(_frame("new", np.array([2, 0, 4, 2, 2, 0, 4])), horizon=5)
    row = forecast.report.iloc[0]
    assert row["model"] == "OwnMean"
    assert row["fallback"].startswith("7 uncensored days")
    assert row["sigma"] == pytest.approx(np.sqrt(2.0))
    day = forecast.paths.iloc[0]
    assert day["mean"] == pytest.approx(2.0)
    assert (day["lo_95"], day["lo_80"], day["hi_80"], day["hi_95"]) == (0.0, 0.0, 4.0, 5.0)  # Poisson(2)
    _assert_ordered(forecast.paths)


def test_the_seasonal_naive_baseline_repeats_the_last_week() -> None:
    y = np.tile(np.arange(7), 10)
    baseline = seasonal_naive_baseline(_frame("sku", y), horizon=14)
    assert baseline["mean"].tolist() == list(np.tile(np.arange(7), 2).astype(float))


def test_the_seasonal_naive_benchmark_matches_statsforecasts_own_backtest() -> None:
    from statsforecast import StatsForecast
    from statsforecast.models import SeasonalNaive

    from inden.planning.forecasting.backtest import seasonal_naive_backtest
    from inden.planning.forecasting.series import Series

    rng = np.random.default_rng(5)
    lengths = [60, 45]
    y = rng.poisson(4.0, sum(lengths)).astype(float)
    series = Series(y, np.array([0, 60, 105]), end_day=20_000)
    actual, naive = seasonal_naive_backtest(series, h_bt=10, windows=3)

    cv = StatsForecast(models=[SeasonalNaive(season_length=7)], freq=1).cross_validation(
        h=10, df=series.frame(np.array([0, 1])), n_windows=3, step_size=10
    )
    assert (actual.ravel() == cv["y"].to_numpy()).all()
    assert (naive.ravel() == cv["SeasonalNaive"].to_numpy()).all()


def test_bad_histories_are_refused() -> None:
    with pytest.raises(ValueError, match="non-negative"):
        forecast_demand(_frame("sku", np.array([1, -1, 2])), horizon=3)
    with pytest.raises(ValueError, match="horizon"):
        forecast_demand(_frame("sku", np.array([1, 1, 2])), horizon=0)


# --- real data: the M5 sample ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def m5() -> pd.DataFrame:
    return infer_censored(m5_history())


def test_chosen_models_beat_seasonal_naive_on_the_m5_sample(m5: pd.DataFrame) -> None:
    report = forecast_demand(m5, horizon=28).report
    table = report[["unique_id", "demand_class", "model", "mase", "mase_naive", "rmsse", "rmsse_naive"]]
    print("\n" + table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    print(f"mean MASE {report['mase'].mean():.3f} vs seasonal naive {report['mase_naive'].mean():.3f}; "
          f"mean RMSSE {report['rmsse'].mean():.3f} vs {report['rmsse_naive'].mean():.3f}")
    assert report["fallback"].isna().all()
    assert report["rmsse"].mean() < 0.9 * report["rmsse_naive"].mean()
    assert report["mase"].mean() < report["mase_naive"].mean()
    assert (report["rmsse"] < report["rmsse_naive"]).sum() >= 8


def test_an_m5_product_off_the_shelf_for_its_last_334_days_is_not_forecast_at_zero(m5: pd.DataFrame) -> None:
    sku = "HOUSEHOLD_1_001_CA_2_validation"
    one = m5[m5["unique_id"] == sku]
    selling_rate = one.loc[~one["censored"], "y"].tail(364).mean()
    assert one["censored"].tail(334).all()

    inferred = forecast_demand(one, horizon=28).paths["mean"].mean()
    raw = forecast_demand(one.drop(columns="censored"), horizon=28).paths["mean"].mean()
    print(f"\n{sku}: rate while on the shelf {selling_rate:.2f}/day; forecast {inferred:.2f} with inferred "
          f"censoring, {raw:.3f} without")
    assert inferred > 0.6 * selling_rate
    assert raw < 0.05


def _assert_ordered(paths: pd.DataFrame) -> None:
    assert (paths["mean"] >= 0).all()
    assert (paths["lo_95"] >= 0).all()
    assert (paths["lo_95"] <= paths["lo_80"]).all()
    assert (paths["lo_80"] <= paths["mean"]).all()
    assert (paths["mean"] <= paths["hi_80"]).all()
    assert (paths["hi_80"] <= paths["hi_95"]).all()
