"""A global machine-learning model: LightGBM through mlforecast, trained on many SKUs together.

Per-SKU models learn only from their own history; a global model learns the patterns SKUs share (the week's
shape, the shopping calendar's days, how demand moves after a stock-out) from all of them at once, which is
what a SKU with a short or noisy history cannot learn alone. It is one more candidate in the backtest
(``LIGHTGBM``): a SKU is forecast by it only where the same backtest windows that judge the other models say
it wins (:mod:`inden.planning.forecasting.backtest`).

One fit per backtest window and one for the final forecast — per panel, not per SKU:

- **Training data**: at most ``SAMPLE_SKUS`` SKUs (a seeded sample of the catalogue's modelled SKUs), their
  last ``TRAIN_DAYS`` days before the window's cutoff, float32.
- **Features**: demand 7, 14, 21 and 28 days earlier; mean demand over the last 7 and 28 days and the
  weekday's mean over the last 4 weeks (as of 7 days earlier, so a 28-day forecast needs no more than one
  recursion per week); the day of the week; the Indonesian shopping calendar's days
  (:func:`inden.planning.calendar.rule_days`: ``lebaran_rush``, ``lebaran``, ``double_date``, ``payday``,
  ...); the SKU's share of stock-out (censored) days. Each SKU's demand is standardised by its own mean and
  spread (mlforecast's ``LocalStandardScaler``), so one tree serves slow and fast sellers.
- **Prediction**: every SKU of the panel from its last ``CONTEXT_DAYS`` days before the cutoff.

Calendar days are looked up on each series' own day numbers: after censored days were dropped and the series
closed up (whole weeks), a SKU's older days sit a few weeks off their real dates — the weekday stays exact.

mlforecast and lightgbm are imported inside :func:`global_forecasts`, so neither the CLI nor the API pays
for them unless a forecast runs. On a Dask cluster the global model is fitted and applied here, in the
planning process (LightGBM's own threads); only the per-SKU models are distributed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import numpy as np
import pandas as pd

from inden.planning.calendar import EPOCH as CALENDAR_EPOCH
from inden.planning.calendar import RULES, rule_days
from inden.planning.forecasting.series import FloatArray, IntArray, Series, ranges

LIGHTGBM = "LightGBM"
SAMPLE_SKUS = 1_000
TRAIN_DAYS = 112
CONTEXT_DAYS = 63  # the longest feature looks back 28 + 28 days
MIN_DAYS = 56  # series shorter than this before a cutoff get no global forecast (its features need 35)
LGBM_PARAMS: dict[str, Any] = {
    "n_estimators": 100,
    "learning_rate": 0.08,
    "num_leaves": 15,
    "min_child_samples": 100,
    "subsample": 0.8,
    "subsample_freq": 1,
    "colsample_bytree": 0.8,
    "verbose": -1,
}


@dataclass(frozen=True)
class GlobalForecasts:
    """The global model's forecasts for the series ``rows`` (positions in the panel): ``backtest`` (n,
    windows * h_bt), the backtest windows in order, NaN where a series was too short at a cutoff; ``forecast``
    (n, horizon) after the last day."""

    rows: IntArray
    backtest: FloatArray
    forecast: FloatArray


def global_forecasts(
    series: Series,
    rows: IntArray,
    *,
    h_bt: int,
    windows: int,
    horizon: int,
    censored_share: FloatArray,
    n_jobs: int,
    seed: int = 0,
) -> GlobalForecasts:
    """Fit the global model once per backtest window (cutoffs ``end_day - windows * h_bt + w * h_bt``) and once
    on the whole input, each time on the same seeded sample of ``rows``, and forecast every series of ``rows``.

    ``series``: the panel (closed-up, right-aligned at ``end_day``); ``censored_share``: per series of
    ``series``, the share of its days that were censored. Series shorter than ``MIN_DAYS`` before a cutoff get
    NaN there.
    """
    sub = series.take(rows)
    share = censored_share[rows].astype(np.float32)
    rng = np.random.default_rng(seed)
    sample = np.sort(rng.choice(len(rows), min(SAMPLE_SKUS, len(rows)), replace=False))
    points = windows * h_bt
    features = _calendar_features(series.end_day - TRAIN_DAYS - points - CONTEXT_DAYS, series.end_day + horizon)
    backtest = np.full((len(rows), points), np.nan)
    for w in range(windows):
        cutoff_back = points - w * h_bt  # days dropped from the end
        backtest[:, w * h_bt : (w + 1) * h_bt] = _fit_predict(sub, share, sample, cutoff_back, h_bt, features,
                                                               n_jobs, seed)
    forecast = _fit_predict(sub, share, sample, 0, horizon, features, n_jobs, seed)
    return GlobalForecasts(rows, backtest, np.nan_to_num(forecast, nan=0.0))


def _fit_predict(series: Series, share: Any, sample: IntArray, drop: int, h: int,
                 features: list[Callable[[Any], Any]], n_jobs: int, seed: int) -> FloatArray:
    """Fit on ``sample``'s last TRAIN_DAYS days before the cutoff (the last ``drop`` days removed), forecast
    ``h`` days for every series; NaN for series with fewer than MIN_DAYS days before the cutoff."""
    import lightgbm as lgb
    from mlforecast import MLForecast
    from mlforecast.lag_transforms import RollingMean, SeasonalRollingMean
    from mlforecast.target_transforms import LocalStandardScaler

    lengths = np.diff(series.indptr) - drop
    usable = np.flatnonzero(lengths >= MIN_DAYS)
    out = np.full((len(lengths), h), np.nan)
    train_rows = np.intersect1d(sample, usable)
    if len(train_rows) == 0:
        return out
    model = MLForecast(
        models={LIGHTGBM: lgb.LGBMRegressor(**LGBM_PARAMS, n_jobs=1, random_state=seed)},
        freq=1,
        lags=[7, 14, 21, 28],
        lag_transforms={7: [RollingMean(7), RollingMean(28), SeasonalRollingMean(7, 4)]},
        date_features=features,
        target_transforms=[LocalStandardScaler()],
    )
    model.fit(_frame(series, share, train_rows, drop, TRAIN_DAYS + CONTEXT_DAYS), static_features=["censored_share"])
    predicted = model.predict(h, new_df=_frame(series, share, usable, drop, CONTEXT_DAYS))
    values = predicted[LIGHTGBM].to_numpy(dtype=np.float64).reshape(len(usable), h)
    out[usable] = np.maximum(np.nan_to_num(values, nan=0.0), 0.0)
    return out


def _frame(series: Series, share: Any, which: IntArray, drop: int, days: int) -> pd.DataFrame:
    """The last ``days`` days (at most) before the cutoff of the series ``which``: mlforecast's input."""
    ends = series.indptr[which + 1] - drop
    lengths = np.minimum(ends - series.indptr[which], days)
    pos = ranges(ends - lengths, lengths)
    ids = np.repeat(which, lengths)
    offset_from_end = np.repeat(ends, lengths) - 1 - pos
    return pd.DataFrame({
        "unique_id": ids,
        "ds": (series.end_day - drop - offset_from_end).astype(np.int64),
        "y": series.y[pos].astype(np.float32),
        "censored_share": np.repeat(share[which], lengths),
    })


class _DayFeature:
    """A date feature of integer day numbers (days since 1970-01-01) for mlforecast."""

    def __init__(self, name: str, compute: Callable[[Any], Any]) -> None:
        self.__name__ = name
        self._compute = compute

    def __call__(self, ds: Any) -> Any:
        return self._compute(np.asarray(ds, dtype=np.int64))


class _IsOneOf:
    def __init__(self, days: IntArray) -> None:
        self.days = days

    def __call__(self, ds: Any) -> Any:
        return np.isin(ds, self.days).astype(np.float32)


def _calendar_features(first_day: int, last_day: int) -> list[Callable[[Any], Any]]:
    """Day of week and one 0/1 feature per shopping-calendar rule with a day in [first_day, last_day]."""
    first = CALENDAR_EPOCH + timedelta(days=int(first_day))
    last = CALENDAR_EPOCH + timedelta(days=int(last_day))
    days = rule_days(first, last)
    out: list[Callable[[Any], Any]] = [_DayFeature("day_of_week", lambda d: ((d + 3) % 7).astype(np.float32))]
    for rule in RULES:
        numbers = np.asarray(sorted((d - CALENDAR_EPOCH).days for d in days[rule]), dtype=np.int64)
        if len(numbers):
            out.append(_DayFeature(rule, _IsOneOf(numbers)))
    return out
