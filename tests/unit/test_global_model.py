"""The global machine-learning model (LightGBM through mlforecast): chosen where the backtest says it wins,
not where it loses, and never loaded by merely importing inden."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from inden.planning.forecasting import forecast_demand
from inden.planning.forecasting.adapter import Runner
from inden.planning.forecasting.backtest import backtest, seasonal_naive_backtest
from inden.planning.forecasting.global_model import LIGHTGBM
from inden.planning.forecasting.menus import SPORADIC
from inden.planning.forecasting.series import Series

pytestmark = pytest.mark.slow  # fits LightGBM and statsforecast models

END = pd.Timestamp("2025-06-30")


def _payday_panel(n_skus: int, days: int, seed: int) -> pd.DataFrame:
    """Every SKU sells 4x its usual rate on paydays (the 25th to the 1st) — a monthly pattern no weekly per-SKU
    model can learn from 5 months, and one a model trained on all SKUs sees 40 times over."""
    rng = np.random.default_rng(seed)
    ds = pd.date_range(end=END, periods=days, freq="D")
    payday = np.asarray((ds.day >= 25) | (ds.day == 1), dtype=np.float64)
    frames = []
    for i in range(n_skus):
        rate = rng.uniform(2.0, 8.0) * (1.0 + 3.0 * payday)
        frames.append(pd.DataFrame({"unique_id": f"sku-{i:02d}", "ds": ds, "y": rng.poisson(rate).astype(float)}))
    return pd.concat(frames, ignore_index=True)


def test_the_global_model_wins_a_pattern_all_skus_share_that_short_histories_cannot_teach_one_sku() -> None:
    history = _payday_panel(40, 150, seed=5)
    forecast = forecast_demand(history, horizon=28, calendar=False)  # the per-SKU calendar learning left out
    chosen = forecast.report["model"].value_counts()
    assert chosen.get(LIGHTGBM, 0) + chosen.get("Combination", 0) >= 30, chosen.to_dict()
    without = forecast_demand(history, horizon=28, calendar=False, global_model=False)
    assert forecast.report["rmsse"].mean() < 0.9 * without.report["rmsse"].mean()
    # and its forecast carries the payday rise: the 25th onwards well above the days before
    path = forecast.paths.groupby("ds")["mean"].sum()
    assert path[path.index.day >= 25].mean() > 2.0 * path[(path.index.day >= 5) & (path.index.day <= 20)].mean()


def test_a_global_model_that_backtests_worse_is_not_chosen_and_one_that_backtests_better_is() -> None:
    rng = np.random.default_rng(2)
    n, days, windows, h = 12, 200, 2, 28
    y = (rng.random((n, days)) < 0.3) * (1 + rng.poisson(2.0, (n, days)))
    series = Series(y.ravel().astype(np.float64), np.arange(0, n * days + 1, days, dtype=np.int64), 20_000)
    ids = np.arange(n, dtype=np.int64)
    actual, _ = seasonal_naive_backtest(series, h, windows)
    run = Runner(n_jobs=1, engine=None)

    bad = backtest(run, SPORADIC, series, ids, h, windows, extra={LIGHTGBM: actual + 5.0})
    assert LIGHTGBM not in set(bad.model)
    assert LIGHTGBM not in bad.combined

    perfect = backtest(run, SPORADIC, series, ids, h, windows, extra={LIGHTGBM: actual})
    assert set(perfect.model) == {LIGHTGBM}


def test_importing_inden_its_planning_and_its_cli_does_not_load_lightgbm_or_mlforecast() -> None:
    code = (
        "import sys, inden.planning.forecasting, inden.planning.replenishment, inden.cli, inden.api.app\n"
        "loaded = sorted(m for m in ('lightgbm', 'mlforecast', 'sklearn') if m in sys.modules)\n"
        "print(','.join(loaded))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_a_series_keeps_its_own_best_model_only_where_its_windows_say_so_clearly() -> None:
    from inden.planning.forecasting.backtest import choose

    # 20 series; the pool clearly prefers candidate 0 (10 % better on every series but the last two)
    scores = np.ones((20, 2, 2))
    scores[:, :, 0] = 0.9
    scores[18, :, 1] = 0.85  # slightly better on its own two windows: noise against the pool
    scores[19, :, 1] = 0.3  # three times better on both windows: evidence
    chosen = choose(scores)
    assert chosen[:19].tolist() == [0] * 19
    assert chosen[19] == 1
