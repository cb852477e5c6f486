"""Daily demand forecasts per SKU, with prediction intervals and a backtest against seasonal naive.

The public API (`forecast_demand`, `Forecast`, `seasonal_naive_baseline`). statsforecast (Nixtla) is reached
only through `adapter`, which imports it inside the functions that need it, so importing this package is
cheap and the policy maths never loads it. The parts: `series` (ragged daily arrays), `menus` (which models
compete per demand class), `backtest` (choosing the model, interval widths), `fallbacks` (short histories
and the output paths), `report` (the per-SKU report).

How a forecast is made (:func:`forecast_demand`):

1. **Censoring.** Out-of-stock days are dropped and each series closed up over the gap, weekdays kept in phase
   (:mod:`inden.planning.censoring`). Models see at most the last 364 uncensored days: smoothing models weigh
   older days by almost nothing, and fitting time is linear in length.
2. **Demand class** by ADI / CV² (:mod:`inden.planning.demand_classes`), on that same window.
3. **Model menu per class**, the series of one menu passed together to StatsForecast (batches of 10,000):

   - intermittent and lumpy: CrostonSBA, CrostonOptimized, ADIDA, IMAPA, TSB (α_d = α_p = 0.1), SES
     (optimised α) — the intermittent-demand methods; none of them predicts a useless 0 after a zero day the
     way naive methods do;
   - smooth and erratic: SES (optimised α), seasonal SES per weekday, seasonal window average (4 weeks),
     seasonal naive; plus AutoETS for the ``ets_budget`` (100) smooth SKUs with the highest demand, as
     "ZNA" (error type by AICc, no trend, additive weekly season) on the last 182 days. The full "ZZZ" search
     costs ~0.4 s per 364-day series, "ZNA" on 182 days ~15 ms, the other models well under 1 ms; so it is
     spent only where the units are, and its backtest fits once and filters the later windows
     (``refit=False``);
   - every class, for the ``ml_budget`` (10,000) long-history SKUs with the highest demand: the **global
     model**, LightGBM through mlforecast trained on a sample of all SKUs together
     (:mod:`inden.planning.forecasting.global_model`), fitted once per backtest window and once for the
     forecast — per panel, not per SKU;
   - the **combination**: the mean of the 3 models with the best pooled backtest in the batch.
4. **Choice by rolling-origin backtest** (statsforecast ``cross_validation``: ``backtest_windows`` windows of
   28 days, or 7 days for histories shorter than ``backtest_windows * 28 + 56`` days). Each candidate is
   scored by its squared error scaled as **RMSSE** (M5: by the in-sample one-step change): a squared error
   rewards forecasting the mean, which is what stock is bought for, whereas MAE/MASE rewards the median,
   often 0 for intermittent demand. A SKU's own windows are a noisy judge — on real demand the good models
   differ by a few percent, less than one window's luck — so its scores (relative to its own mean over the
   candidates) are shrunk toward the batch's pooled ones, the pool weighing as ``PRIOR_WINDOWS`` (4) windows
   (:func:`inden.planning.forecasting.backtest.choose`). The report gives MASE and RMSSE of the chosen
   model and of seasonal naive (season 7) on the same windows. The final forecast refits only each SKU's
   chosen model(s).
5. **Intervals** in whole units, wider further ahead, calibrated per demand class on the backtest days
   (:mod:`inden.planning.forecasting.intervals`). ``sigma`` is the root mean squared error of one day's
   forecast over the backtest days (bias included), in units; ``sd_7``/``sd_14``/``sd_28`` the same for the
   forecast's 7-, 14- and 28-day totals, pooled by demand class — what the reorder point needs
   (:mod:`inden.planning.lead_time_demand`).
6. **Fallbacks** for SKUs with fewer than ``min_history_days`` (28) uncensored days: the seller's ``expected``
   rate if given, else the mean daily rate of the SKU's category (SKUs of that category with enough history),
   else the SKU's own mean; intervals and ``sigma`` from a Poisson distribution with that rate. The report's
   ``fallback`` says which and why.

Means are never negative. ``engine`` runs the same statsforecast calls on Dask (or Ray/Spark) through fugue;
statsforecast returns float32 there, so the local results are rounded to float32 before models are compared
and both engines choose the same models.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from inden.planning.calendar import Effects, learn_effects
from inden.planning.censoring import DailyHistory, aligned_drop_mask, close_up
from inden.planning.demand_classes import DemandClass, classify_arrays, demand_profiles
from inden.planning.forecasting.adapter import DEFAULT_N_JOBS, Runner, seasonal_naive_baseline
from inden.planning.forecasting.backtest import backtest, final_forecast
from inden.planning.forecasting.fallbacks import fallback_rates, forecast_paths
from inden.planning.forecasting.global_model import LIGHTGBM, global_forecasts
from inden.planning.forecasting.intervals import calibrate, half_widths, variance_floor, zero_likely
from inden.planning.forecasting.menus import SPORADIC, SPORADIC_ETS, STEADY, STEADY_ETS, Menu
from inden.planning.forecasting.report import empty_report, fill_report, finish_report
from inden.planning.forecasting.series import SEASON_LENGTH, FloatArray, IntArray, Series, truncate

__all__ = ["Forecast", "Progress", "forecast_demand", "seasonal_naive_baseline"]

MIN_HISTORY_DAYS = 28
INPUT_DAYS = 364
BACKTEST_HORIZON = 28
SHORT_BACKTEST_HORIZON = 7
DEFAULT_ETS_BUDGET = 100
DEFAULT_BACKTEST_WINDOWS = 2
DEFAULT_ML_BUDGET = 10_000
MIN_GLOBAL_SKUS = 5  # fewer series than this share too little for a global model
BATCH_SIZE = 10_000
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Forecast:
    """Forecasts for every SKU of a history.

    ``paths``: ``horizon`` rows per SKU — ``unique_id`` (str), ``ds`` (datetime64, the days after the history
    ends), ``mean`` (units/day, >= 0) and ``lo_<l>``/``hi_<l>`` for each level (``lo_95 <= lo_80 <= mean <=
    hi_80 <= hi_95``), ``calendar`` (the shopping calendar's multiplier on that day, already in the figures;
    1.0 = none). ``effects``: the calendar effects learned per SKU (None: not applied).

    ``report``: one row per SKU — ``unique_id``, ``demand_class``, ``model`` (a statsforecast model name, or for
    fallbacks ``Expected``, ``CategoryMean``, ``OwnMean``, ``NoHistory``), ``mase`` and ``rmsse`` of the
    chosen model in the backtest, ``mase_naive`` and ``rmsse_naive`` of seasonal naive on the same windows
    (NaN for fallbacks), ``sigma`` (units/day), ``history_days`` (days left after dropping censored days and
    aligning weekdays), ``censored_days``, ``fallback`` (None, or why a fallback rate was used).
    """

    paths: pd.DataFrame
    report: pd.DataFrame
    effects: Effects | None = None


def forecast_demand(
    history: pd.DataFrame,
    *,
    horizon: int,
    levels: tuple[int, ...] = (80, 95),
    expected: Mapping[str, float] | None = None,
    categories: Mapping[str, str] | None = None,
    n_jobs: int = DEFAULT_N_JOBS,
    engine: Any = None,
    backtest_windows: int = DEFAULT_BACKTEST_WINDOWS,
    progress: Progress | None = None,
    ets_budget: int = DEFAULT_ETS_BUDGET,
    min_history_days: int = MIN_HISTORY_DAYS,
    calendar: bool = True,
    global_model: bool = True,
    ml_budget: int = DEFAULT_ML_BUDGET,
) -> Forecast:
    """Forecast daily demand for every SKU in ``history`` for ``horizon`` days after its last day.

    ``history``: long frame ``unique_id`` (str), ``ds`` (daily dates; a missing day is a day without sales),
    ``y`` (units demanded, >= 0), ``censored`` (bool, optional: out of stock and refusing orders that day, so
    ``y`` understates demand). Every SKU is taken to be observed up to the last day of the whole history.
    ``expected``: seller-given units/day for new SKUs (SKUs only in ``expected`` are forecast too);
    ``categories``: SKU -> category for the category fallback. ``engine``: None for local processes
    (``n_jobs``), else a Dask client or anything fugue accepts as an execution engine — same result.
    ``progress(stage, done, total)`` is called as batches of SKUs finish. ``calendar``: learn and apply the
    Indonesian shopping calendar's effects (:mod:`inden.planning.calendar`). ``global_model``: offer the
    global LightGBM model (:mod:`inden.planning.forecasting.global_model`) as a candidate to the ``ml_budget``
    SKUs with the highest demand. See the module docstring for the method. Raises ``ValueError`` for a bad
    history or arguments.
    """
    if horizon < 1:
        raise ValueError("horizon must be at least 1 day")
    if backtest_windows < 1:
        raise ValueError("backtest_windows must be at least 1")
    if any(not 0 < level < 100 for level in levels):
        raise ValueError("levels must be between 0 and 100")
    levels = tuple(sorted(set(levels)))
    run = Runner(n_jobs=n_jobs, engine=engine)
    prepared = _prepare(history, calendar=calendar, categories=categories or {})
    series, skus_arr = prepared.series, prepared.skus
    history_days, censored_days = prepared.history_days, prepared.censored_days
    n_in = np.diff(series.indptr)
    in_codes = np.repeat(np.arange(len(n_in)), n_in)
    adi, cv2 = demand_profiles(in_codes, series.y, n_in.astype(np.float64), len(n_in))
    classes = classify_arrays(adi, cv2)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.bincount(in_codes, weights=series.y, minlength=len(n_in)) / n_in
    del in_codes

    plan = _plan(classes, rate, n_in, history_days, min_history_days, horizon, backtest_windows, ets_budget)
    h_long = min(horizon, BACKTEST_HORIZON)
    ahead = prepared.effects.future(series.end_day, horizon) / prepared.usual_factor[:, None]
    ml = _global(series, plan, rate, h_long, horizon, backtest_windows, censored_days, history_days, n_jobs,
                 ml_budget if global_model else 0, progress)
    if ml is not None:  # it learned the calendar itself: its forecast is divided here so the multiplier undoes it
        ml.forecast[:] = ml.forecast / ahead
    report = empty_report(skus_arr, classes, history_days, censored_days)
    means = np.zeros((len(skus_arr), horizon))
    tested = _Backtested.empty(len(skus_arr), backtest_windows * BACKTEST_HORIZON)
    total = sum(len(idx) for _, idx, _ in plan)
    done = 0
    for menu, idx, h_bt in plan:
        for batch in _batches(idx):
            _notify(progress, f"{menu.name}: backtest", done, total)
            offered = ml.slice(batch) if ml is not None and h_bt == h_long else None
            choice = backtest(run, menu, series.take(batch), batch, h_bt, backtest_windows,
                              extra=None if offered is None else offered[0])
            _notify(progress, f"{menu.name}: forecast", done, total)
            means[batch] = final_forecast(run, menu, series.take(batch), batch, horizon, choice,
                                          extra=None if offered is None else offered[1])
            tested.keep(batch, choice, h_bt)
            fill_report(report, batch, choice)
            done += len(batch)
    _notify(progress, "done", done, total)

    modelled = np.zeros(len(skus_arr), dtype=np.bool_)
    for _, idx, _ in plan:
        modelled[idx] = True
    widths, zero = tested.half_widths(modelled, classes, report["sigma"], rate, horizon, levels, means)
    skus = list(skus_arr)
    extra = sorted(set(expected or {}) - set(skus))
    fallback = fallback_rates(
        skus, extra, modelled, rate, history_days, expected or {}, categories or {}
    )
    factor = np.vstack([ahead, np.ones((len(extra), horizon))])
    paths = forecast_paths(skus, extra, means, widths, zero, fallback, levels, series.end_day, horizon, factor)
    report = finish_report(report, skus, extra, modelled, fallback)
    return Forecast(paths=paths, report=report, effects=prepared.effects)


@dataclass(frozen=True)
class _Prepared:
    skus: npt.NDArray[np.object_]
    series: Series
    history_days: IntArray
    censored_days: IntArray
    effects: Effects
    usual_factor: FloatArray  # each SKU's mean calendar multiplier over the days its models see


def _prepare(history: pd.DataFrame, *, calendar: bool, categories: Mapping[str, str]) -> _Prepared:
    """Daily grid, calendar effects learned, censored days dropped and closed up, truncated to the model input
    window.

    The models see the demand as it was (whole units, which the intervals are calibrated on); their level
    carries the calendar's effects at their usual mix, so a forecast day gets its own multiplier relative to
    that mix (`usual_factor`).

    A function of its own so that the full-length arrays are freed before the models run.
    """
    daily = DailyHistory.from_frame(history)
    effects = learn_effects(daily, categories) if calendar else Effects.none(daily.skus)
    usual = _usual_factor(effects.past(daily), daily.indptr) if calendar else np.ones(len(daily.skus))
    drop = aligned_drop_mask(daily.censored, daily.indptr, season_length=SEASON_LENGTH)
    y_all, indptr_all = close_up(daily.y, drop, daily.indptr)
    del drop
    censored_before = np.concatenate([[0], np.cumsum(daily.censored, dtype=np.int64)])
    censored_days = censored_before[daily.indptr[1:]] - censored_before[daily.indptr[:-1]]
    series = truncate(Series(y_all, indptr_all, daily.end_day), INPUT_DAYS)
    return _Prepared(daily.skus, series, np.diff(indptr_all), censored_days, effects, usual)


def _usual_factor(past: FloatArray, indptr: IntArray) -> FloatArray:
    """Each series' mean multiplier over its last INPUT_DAYS days."""
    lengths = np.diff(indptr)
    start = indptr[1:] - np.minimum(lengths, INPUT_DAYS)
    totals = np.concatenate([[0.0], np.cumsum(past)])
    with np.errstate(invalid="ignore", divide="ignore"):
        usual = (totals[indptr[1:]] - totals[start]) / (indptr[1:] - start)
    return np.where(np.isfinite(usual) & (usual > 0), usual, 1.0)


def _plan(
    classes: npt.NDArray[np.str_],
    rate: FloatArray,
    n_in: IntArray,
    history_days: IntArray,
    min_history_days: int,
    horizon: int,
    windows: int,
    ets_budget: int,
) -> list[tuple[Menu, IntArray, int]]:
    """Which SKUs go through which menu with which backtest horizon; the rest fall back."""
    sporadic = np.isin(classes, [DemandClass.INTERMITTENT.value, DemandClass.LUMPY.value])
    h_long = min(horizon, BACKTEST_HORIZON)
    enough = history_days >= min_history_days
    long_ok = enough & (n_in >= windows * h_long + 8 * SEASON_LENGTH)
    short_ok = enough & ~long_ok & (n_in >= windows * SHORT_BACKTEST_HORIZON + 2 * SEASON_LENGTH)
    long_idx = np.flatnonzero(long_ok)
    ets_idx = long_idx[np.argsort(-rate[long_idx], kind="stable")[: max(ets_budget, 0)]]
    ets = np.zeros(len(classes), dtype=np.bool_)
    ets[ets_idx] = True
    plan: list[tuple[Menu, IntArray, int]] = []
    for geometry_ok, h_bt in ((long_ok, h_long), (short_ok, SHORT_BACKTEST_HORIZON)):
        plan.append((SPORADIC, np.flatnonzero(geometry_ok & sporadic & ~ets), h_bt))
        plan.append((STEADY, np.flatnonzero(geometry_ok & ~sporadic & ~ets), h_bt))
    plan.append((SPORADIC_ETS, np.flatnonzero(ets & sporadic), h_long))
    plan.append((STEADY_ETS, np.flatnonzero(ets & ~sporadic), h_long))
    return [(menu, idx, h_bt) for menu, idx, h_bt in plan if len(idx)]


@dataclass
class _Backtested:
    """Every modelled series' backtest days (demand, forecast, day in window; -1 unused) for the intervals."""

    actual: npt.NDArray[np.float32]
    predicted: npt.NDArray[np.float32]
    steps: npt.NDArray[np.int16]

    @classmethod
    def empty(cls, n: int, points: int) -> _Backtested:
        return cls(np.zeros((n, points), np.float32), np.zeros((n, points), np.float32),
                   np.full((n, points), -1, np.int16))

    def keep(self, batch: IntArray, choice: Any, h_bt: int) -> None:
        points = choice.actual.shape[1]
        self.actual[batch, :points] = choice.actual
        self.predicted[batch, :points] = choice.predicted
        self.steps[batch, :points] = np.arange(points) % h_bt

    def half_widths(self, modelled: npt.NDArray[np.bool_], classes: npt.NDArray[np.str_], sigma: FloatArray,
                    rate: FloatArray, horizon: int, levels: tuple[int, ...], means: FloatArray
                    ) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
        """Half-widths (n, horizon, levels) and where the lower edge is 0 (same shape)."""
        rows = np.flatnonzero(modelled)
        widths = np.zeros((len(classes), horizon, len(levels)))
        zero = np.zeros((len(classes), horizon, len(levels)), dtype=np.bool_)
        if len(rows) == 0:
            return widths, zero
        variance = variance_floor(sigma[rows], rate[rows])
        calibration = calibrate(classes[rows], self.actual[rows].astype(np.float64),
                                self.predicted[rows].astype(np.float64), variance, self.steps[rows].astype(np.int64),
                                levels)
        widths[rows], day_variance = half_widths(calibration, classes[rows], variance, horizon, levels)
        for k, level in enumerate(levels):
            zero[rows, :, k] = zero_likely(means[rows], day_variance, level)
        return widths, zero


@dataclass(frozen=True)
class _GlobalCandidate:
    """The global model's forecasts, looked up by panel position (NaN: not offered to that series)."""

    backtest: FloatArray  # (n_skus, windows * h_long)
    forecast: FloatArray  # (n_skus, horizon)

    def slice(self, batch: IntArray) -> tuple[dict[str, FloatArray], dict[str, FloatArray]] | None:
        if not np.isfinite(self.backtest[batch]).any():
            return None
        return {LIGHTGBM: self.backtest[batch]}, {LIGHTGBM: self.forecast[batch]}


def _global(series: Series, plan: list[tuple[Menu, IntArray, int]], rate: FloatArray, h_long: int, horizon: int,
            windows: int, censored_days: IntArray, history_days: IntArray, n_jobs: int, budget: int,
            progress: Progress | None) -> _GlobalCandidate | None:
    """Fit the global model on the long-history SKUs (the ``budget`` with the highest demand) and forecast
    their backtest windows and horizon; None when no SKU qualifies."""
    long_rows = np.concatenate([idx for _, idx, h_bt in plan if h_bt == h_long] or [np.zeros(0, np.int64)])
    long_rows = np.unique(long_rows)
    if budget <= 0 or len(long_rows) < MIN_GLOBAL_SKUS:
        return None
    rows = np.sort(long_rows[np.argsort(-rate[long_rows], kind="stable")[:budget]])
    _notify(progress, "global model (LightGBM)", 0, len(rows))
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.nan_to_num(censored_days / (censored_days + history_days), nan=0.0)
    fitted = global_forecasts(series, rows, h_bt=h_long, windows=windows, horizon=horizon,
                              censored_share=share, n_jobs=n_jobs)
    n = len(rate)
    out = _GlobalCandidate(np.full((n, windows * h_long), np.nan), np.full((n, horizon), np.nan))
    out.backtest[rows] = fitted.backtest
    out.forecast[rows] = fitted.forecast
    return out


def _notify(progress: Progress | None, stage: str, done: int, total: int) -> None:
    if progress is not None:
        progress(stage, done, total)


def _batches(idx: IntArray) -> Iterator[IntArray]:
    for start in range(0, len(idx), BATCH_SIZE):
        yield idx[start : start + BATCH_SIZE]
