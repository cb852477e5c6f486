"""Daily demand forecasts per SKU, with prediction intervals and a backtest against seasonal naive.

The one adapter over statsforecast (Nixtla): it is imported inside the functions that need it, so importing
this module is cheap and the policy maths never loads it.

How a forecast is made (:func:`forecast_demand`):

1. **Censoring.** Out-of-stock days are dropped and each series closed up over the gap, weekdays kept in phase
   (:mod:`inden.planning.censoring`). Models see at most the last 364 uncensored days: smoothing models weigh
   older days by almost nothing, and fitting time is linear in length.
2. **Demand class** by ADI / CV² (:mod:`inden.planning.demand_classes`), on that same window.
3. **Model menu per class**, the series of one menu passed together to StatsForecast (batches of 10,000):

   - intermittent and lumpy: CrostonSBA, CrostonOptimized, ADIDA, IMAPA, TSB (α_d = α_p = 0.1) — the
     intermittent-demand methods; none of them predicts a useless 0 after a zero day the way naive methods do;
   - smooth and erratic: SES (optimised α), seasonal SES per weekday, seasonal window average (4 weeks),
     seasonal naive; plus AutoETS for the ``ets_budget`` (100) smooth SKUs with the highest demand, as
     "ZNA" (error type by AICc, no trend, additive weekly season) on the last 182 days. The full "ZZZ" search
     costs ~0.4 s per 364-day series, "ZNA" on 182 days ~15 ms, the other models well under 1 ms; so it is
     spent only where the units are, and its backtest fits once and filters the later windows
     (``refit=False``).
4. **Choice by rolling-origin backtest** (statsforecast ``cross_validation``: ``backtest_windows`` windows of
   28 days, or 7 days for histories shorter than ``backtest_windows * 28 + 56`` days). The model with the
   lowest **RMSSE** (root mean squared error scaled by the in-sample seasonal-naive step, as in M5) wins: a
   squared error rewards forecasting the mean, which is what stock is bought for, whereas MAE/MASE rewards the
   median, often 0 for intermittent demand. The report gives both MASE and RMSSE of the chosen model and of
   seasonal naive (season 7) on the same windows. The final forecast refits only each SKU's chosen model.
5. **Intervals from the backtest residuals** (split-conformal, pooled over windows and horizon steps): the
   half-width at level ``l`` is the ``ceil((n + 1) * l)``-th smallest of the chosen model's ``n`` absolute
   backtest errors (``n`` = windows x days), the same width for every day, bounds clipped at 0. One method
   for every model, with no extra fits (intermittent models have no native intervals; statsforecast's
   ``ConformalIntervals`` would refit each model once more per window). ``sigma`` is the root mean squared
   error of one day's forecast over the same backtest days (bias included), in units: the daily demand
   uncertainty for safety stock.
6. **Fallbacks** for SKUs with fewer than ``min_history_days`` (28) uncensored days: the seller's ``expected``
   rate if given, else the mean daily rate of the SKU's category (SKUs of that category with enough history),
   else the SKU's own mean; intervals and ``sigma`` from a Poisson distribution with that rate. The report's
   ``fallback`` says which and why.

Means are never negative. ``engine`` runs the same statsforecast calls on Dask (or Ray/Spark) through fugue;
statsforecast returns float32 there, so the local results are rounded to float32 before models are compared
and both engines choose the same models.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from inden.planning.censoring import DailyHistory, aligned_drop_mask, close_up
from inden.planning.demand_classes import DemandClass, classify_arrays, demand_profiles

SEASON_LENGTH = 7
MIN_HISTORY_DAYS = 28
INPUT_DAYS = 364
BACKTEST_HORIZON = 28
SHORT_BACKTEST_HORIZON = 7
DEFAULT_ETS_BUDGET = 100
ETS_MODEL = "ZNA"  # error type by AICc, no trend, additive weekly season: 30x cheaper than the full "ZZZ" search
ETS_INPUT_DAYS = 182
DEFAULT_BACKTEST_WINDOWS = 2
DEFAULT_N_JOBS = -1  # statsforecast's "all cores"
BATCH_SIZE = 10_000

_EPOCH = np.datetime64("1970-01-01", "D")
_NAIVE = "SeasonalNaive"
_ETS = "AutoETS"

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Forecast:
    """Forecasts for every SKU of a history.

    ``paths``: ``horizon`` rows per SKU — ``unique_id`` (str), ``ds`` (datetime64, the days after the history
    ends), ``mean`` (units/day, >= 0) and ``lo_<l>``/``hi_<l>`` for each level (``lo_95 <= lo_80 <= mean <=
    hi_80 <= hi_95``).

    ``report``: one row per SKU — ``unique_id``, ``demand_class``, ``model`` (a statsforecast model name, or for
    fallbacks ``Expected``, ``CategoryMean``, ``OwnMean``, ``NoHistory``), ``mase`` and ``rmsse`` of the
    chosen model in the backtest, ``mase_naive`` and ``rmsse_naive`` of seasonal naive on the same windows
    (NaN for fallbacks), ``sigma`` (units/day), ``history_days`` (days left after dropping censored days and
    aligning weekdays), ``censored_days``, ``fallback`` (None, or why a fallback rate was used).
    """

    paths: pd.DataFrame
    report: pd.DataFrame


@dataclass(frozen=True)
class _Series:
    """Closed-up, truncated model inputs: series ``i`` is ``y[indptr[i]:indptr[i + 1]]``, ending on ``end_day``."""

    y: FloatArray
    indptr: IntArray
    end_day: int

    def take(self, idx: IntArray) -> _Series:
        lengths = np.diff(self.indptr)[idx]
        pos = _ranges(self.indptr[idx], lengths)
        return _Series(self.y[pos], np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64), self.end_day)

    def frame(self, ids: IntArray) -> pd.DataFrame:
        """The statsforecast input: integer ids and integer days (closed-up, right-aligned at ``end_day``)."""
        lengths = np.diff(self.indptr)
        series = np.repeat(np.arange(len(ids)), lengths)
        ds = self.end_day - (self.indptr[series + 1] - 1 - np.arange(len(self.y)))
        return pd.DataFrame({"unique_id": ids[series], "ds": ds.astype(np.int64), "y": self.y})


@dataclass(frozen=True)
class _Menu:
    name: str
    candidates: tuple[str, ...]
    forward_only: tuple[str, ...] = ()  # backtested with one fit and ``forward`` over later windows

    def backtest_calls(self) -> list[tuple[tuple[str, ...], bool]]:
        """(models, refit) per cross_validation call. Seasonal naive, the benchmark, is backtested apart."""
        names = [name for name in self.candidates if name != _NAIVE]
        refit = tuple(name for name in names if name not in self.forward_only)
        once = tuple(name for name in names if name in self.forward_only)
        return [(group, refit_each_window) for group, refit_each_window in ((refit, True), (once, False)) if group]


@dataclass(frozen=True)
class _Choice:
    """Backtest outcome for a batch of series."""

    model: npt.NDArray[np.object_]
    mase: FloatArray
    rmsse: FloatArray
    mase_naive: FloatArray
    rmsse_naive: FloatArray
    sigma: FloatArray
    half_widths: FloatArray  # (n_series, n_levels)
    chosen: IntArray  # index into the menu's candidates


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
) -> Forecast:
    """Forecast daily demand for every SKU in ``history`` for ``horizon`` days after its last day.

    ``history``: long frame ``unique_id`` (str), ``ds`` (daily dates; a missing day is a day without sales),
    ``y`` (units demanded, >= 0), ``censored`` (bool, optional: out of stock and refusing orders that day, so
    ``y`` understates demand). Every SKU is taken to be observed up to the last day of the whole history.
    ``expected``: seller-given units/day for new SKUs (SKUs only in ``expected`` are forecast too);
    ``categories``: SKU -> category for the category fallback. ``engine``: None for local processes
    (``n_jobs``), else a Dask client or anything fugue accepts as an execution engine — same result.
    ``progress(stage, done, total)`` is called as batches of SKUs finish. See the module docstring for the
    method. Raises ``ValueError`` for a bad history or arguments.
    """
    if horizon < 1:
        raise ValueError("horizon must be at least 1 day")
    if backtest_windows < 1:
        raise ValueError("backtest_windows must be at least 1")
    if any(not 0 < level < 100 for level in levels):
        raise ValueError("levels must be between 0 and 100")
    levels = tuple(sorted(set(levels)))
    run = _Runner(n_jobs=n_jobs, engine=engine)
    prepared = _prepare(history)
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
    report = _empty_report(skus_arr, classes, history_days, censored_days)
    means = np.zeros((len(skus_arr), horizon))
    widths = np.zeros((len(skus_arr), horizon, len(levels)))
    total = sum(len(idx) for _, idx, _ in plan)
    done = 0
    for menu, idx, h_bt in plan:
        for batch in _batches(idx):
            _notify(progress, f"{menu.name}: backtest", done, total)
            choice = _backtest(run, menu, series.take(batch), batch, h_bt, backtest_windows, levels)
            _notify(progress, f"{menu.name}: forecast", done, total)
            means[batch] = _final_forecast(run, menu, series.take(batch), batch, horizon, choice.chosen)
            widths[batch] = choice.half_widths[:, None, :]
            _fill_report(report, batch, choice)
            done += len(batch)
    _notify(progress, "done", done, total)

    modelled = np.zeros(len(skus_arr), dtype=np.bool_)
    for _, idx, _ in plan:
        modelled[idx] = True
    skus = list(skus_arr)
    extra = sorted(set(expected or {}) - set(skus))
    fallback = _fallback_rates(
        skus, extra, modelled, rate, history_days, expected or {}, categories or {}
    )
    paths = _paths(skus, extra, means, widths, fallback, levels, series.end_day, horizon)
    report = _finish_report(report, skus, extra, modelled, fallback)
    return Forecast(paths=paths, report=report)


def seasonal_naive_baseline(
    history: pd.DataFrame,
    *,
    horizon: int,
    season_length: int = SEASON_LENGTH,
    n_jobs: int = DEFAULT_N_JOBS,
) -> pd.DataFrame:
    """statsforecast's SeasonalNaive alone on the raw daily history (gaps = 0, no censoring treatment).

    The benchmark baseline. Returns ``unique_id`` (str), ``ds`` (datetime64), ``mean``.
    """
    from statsforecast import StatsForecast
    from statsforecast.models import SeasonalNaive

    daily = DailyHistory.from_frame(history)
    frame = _Series(daily.y, daily.indptr, daily.end_day).frame(np.arange(len(daily.skus), dtype=np.int64))
    out = StatsForecast(models=[SeasonalNaive(season_length=season_length)], freq=1, n_jobs=n_jobs).forecast(
        h=horizon, df=frame
    )
    return pd.DataFrame(
        {
            "unique_id": daily.skus[out["unique_id"].to_numpy(dtype=np.int64)].astype(str),
            "ds": (_EPOCH + out["ds"].to_numpy(dtype=np.int64)).astype("datetime64[ns]"),
            "mean": out[_NAIVE].to_numpy(dtype=np.float64),
        }
    )


@dataclass(frozen=True)
class _Prepared:
    skus: npt.NDArray[np.object_]
    series: _Series
    history_days: IntArray
    censored_days: IntArray


def _prepare(history: pd.DataFrame) -> _Prepared:
    """Daily grid, censored days dropped and closed up, truncated to the model input window.

    A function of its own so that the full-length arrays are freed before the models run.
    """
    daily = DailyHistory.from_frame(history)
    drop = aligned_drop_mask(daily.censored, daily.indptr, season_length=SEASON_LENGTH)
    y_all, indptr_all = close_up(daily.y, drop, daily.indptr)
    del drop
    censored_before = np.concatenate([[0], np.cumsum(daily.censored, dtype=np.int64)])
    censored_days = censored_before[daily.indptr[1:]] - censored_before[daily.indptr[:-1]]
    series = _truncate(_Series(y_all, indptr_all, daily.end_day), INPUT_DAYS)
    return _Prepared(daily.skus, series, np.diff(indptr_all), censored_days)


# --- planning the work -------------------------------------------------------------------------------------


def _plan(
    classes: npt.NDArray[np.str_],
    rate: FloatArray,
    n_in: IntArray,
    history_days: IntArray,
    min_history_days: int,
    horizon: int,
    windows: int,
    ets_budget: int,
) -> list[tuple[_Menu, IntArray, int]]:
    """Which SKUs go through which menu with which backtest horizon; the rest fall back."""
    sporadic = np.isin(classes, [DemandClass.INTERMITTENT.value, DemandClass.LUMPY.value])
    h_long = min(horizon, BACKTEST_HORIZON)
    enough = history_days >= min_history_days
    long_ok = enough & (n_in >= windows * h_long + 8 * SEASON_LENGTH)
    short_ok = enough & ~long_ok & (n_in >= windows * SHORT_BACKTEST_HORIZON + 2 * SEASON_LENGTH)
    smooth = long_ok & (classes == DemandClass.SMOOTH.value)
    smooth_idx = np.flatnonzero(smooth)
    ets_idx = smooth_idx[np.argsort(-rate[smooth_idx], kind="stable")[: max(ets_budget, 0)]]
    ets = np.zeros(len(classes), dtype=np.bool_)
    ets[ets_idx] = True
    plan: list[tuple[_Menu, IntArray, int]] = []
    for geometry_ok, h_bt in ((long_ok, h_long), (short_ok, SHORT_BACKTEST_HORIZON)):
        plan.append((_SPORADIC, np.flatnonzero(geometry_ok & sporadic), h_bt))
        plan.append((_STEADY, np.flatnonzero(geometry_ok & ~sporadic & ~ets), h_bt))
    plan.append((_STEADY_ETS, np.flatnonzero(ets), h_long))
    return [(menu, idx, h_bt) for menu, idx, h_bt in plan if len(idx)]


_SPORADIC = _Menu("intermittent", ("CrostonSBA", "CrostonOptimized", "ADIDA", "IMAPA", "TSB"))
_STEADY = _Menu("smooth", ("SESOpt", "SeasESOpt", "SeasWA", _NAIVE))
_STEADY_ETS = _Menu("smooth+ets", (_ETS, "SESOpt", "SeasESOpt", "SeasWA", _NAIVE), forward_only=(_ETS, _NAIVE))


def _models(names: Sequence[str]) -> list[Any]:
    from statsforecast.models import (
        ADIDA,
        IMAPA,
        TSB,
        AutoETS,
        CrostonOptimized,
        CrostonSBA,
        SeasonalExponentialSmoothingOptimized,
        SeasonalNaive,
        SeasonalWindowAverage,
        SimpleExponentialSmoothingOptimized,
    )

    factories: dict[str, Callable[[], Any]] = {
        "CrostonSBA": CrostonSBA,
        "CrostonOptimized": CrostonOptimized,
        "ADIDA": ADIDA,
        "IMAPA": IMAPA,
        "TSB": lambda: TSB(alpha_d=0.1, alpha_p=0.1),
        "SESOpt": SimpleExponentialSmoothingOptimized,
        "SeasESOpt": lambda: SeasonalExponentialSmoothingOptimized(season_length=SEASON_LENGTH),
        "SeasWA": lambda: SeasonalWindowAverage(season_length=SEASON_LENGTH, window_size=4),
        _NAIVE: lambda: SeasonalNaive(season_length=SEASON_LENGTH),
        _ETS: lambda: AutoETS(season_length=SEASON_LENGTH, model=ETS_MODEL),
    }
    return [factories[name]() for name in names]


# --- running statsforecast ---------------------------------------------------------------------------------


class _Runner:
    """Runs statsforecast locally (processes) or on a fugue engine, returning sorted pandas frames."""

    def __init__(self, *, n_jobs: int, engine: Any) -> None:
        self.n_jobs = n_jobs
        self.engine = engine

    def __call__(self, method: str, names: Sequence[str], df: pd.DataFrame, **kwargs: Any) -> pd.DataFrame:
        from statsforecast import StatsForecast

        n_series = int(df["unique_id"].nunique()) if self.engine is not None else 0
        # a process pool costs ~1 s to feed; worth it for big frames and for AutoETS (~15 ms a series)
        heavy = len(df) >= 200_000 or (_ETS in names and df["unique_id"].nunique() >= 20)
        jobs = self.n_jobs if self.engine is not None or heavy else 1
        sf = StatsForecast(models=_models(names), freq=1, n_jobs=jobs)
        if self.engine is None:
            out = getattr(sf, method)(df=df, **kwargs)
        else:
            import fugue.api as fa

            with fa.engine_context(self.engine):
                out = fa.as_pandas(getattr(sf, method)(df=df, **kwargs))
            if out["unique_id"].nunique() != n_series:
                raise RuntimeError("the distributed engine lost series")
        keys = ["unique_id", "cutoff", "ds"] if "cutoff" in out.columns else ["unique_id", "ds"]
        out = out.sort_values(keys, kind="stable").reset_index(drop=True)
        for name in names:
            # float32 on every engine, so that local and distributed runs compare models identically
            out[name] = out[name].to_numpy(dtype=np.float32).astype(np.float64)
        if "y" in out.columns:
            out["y"] = out["y"].to_numpy(dtype=np.float64)
        return out


def _backtest(
    run: _Runner,
    menu: _Menu,
    series: _Series,
    ids: IntArray,
    h_bt: int,
    windows: int,
    levels: tuple[int, ...],
) -> _Choice:
    n, points = len(ids), windows * h_bt
    actual, naive_preds = _seasonal_naive_backtest(series, h_bt, windows)
    names: list[str] = [_NAIVE]
    columns: list[FloatArray] = [naive_preds]
    for group, refit in menu.backtest_calls():
        frame = _model_input(series, group, extra_days=points).frame(ids)
        cv = run("cross_validation", group, frame, h=h_bt, n_windows=windows, step_size=h_bt, refit=refit)
        names += group
        columns += [cv[name].to_numpy().reshape(n, points) for name in group]
    preds = np.stack(columns, axis=2)
    errors = actual[:, :, None] - np.maximum(preds, 0.0)
    scale_abs, scale_sq = _naive_scales(series, points)
    mse = np.mean(errors**2, axis=1)
    mae = np.mean(np.abs(errors), axis=1)
    candidates = [names.index(name) for name in menu.candidates]
    cand_mse = np.where(np.isfinite(mse[:, candidates]), mse[:, candidates], np.inf)
    chosen = np.argmin(cand_mse, axis=1).astype(np.int64)
    col = np.asarray(candidates)[chosen]
    rows = np.arange(n)
    naive = names.index(_NAIVE)
    chosen_errors = np.abs(errors[rows, :, col])
    return _Choice(
        model=np.asarray(menu.candidates, dtype=object)[chosen],
        mase=mae[rows, col] / scale_abs,
        rmsse=np.sqrt(mse[rows, col] / scale_sq),
        mase_naive=mae[:, naive] / scale_abs,
        rmsse_naive=np.sqrt(mse[:, naive] / scale_sq),
        sigma=np.sqrt(mse[rows, col]),
        half_widths=_conformal_half_widths(chosen_errors, levels),
        chosen=chosen,
    )


def _final_forecast(
    run: _Runner, menu: _Menu, series: _Series, ids: IntArray, horizon: int, chosen: IntArray
) -> FloatArray:
    """Refit on the whole input only the model each series chose: one call per model, its series only."""
    mean = np.zeros((len(ids), horizon))
    for k, name in enumerate(menu.candidates):
        rows = np.flatnonzero(chosen == k)
        if len(rows) == 0:
            continue
        frame = _model_input(series.take(rows), (name,), extra_days=0).frame(ids[rows])
        out = run("forecast", (name,), frame, h=horizon)
        mean[rows] = out[name].to_numpy(dtype=np.float64).reshape(len(rows), horizon)
    return np.maximum(np.nan_to_num(mean, nan=0.0), 0.0)


def _seasonal_naive_backtest(series: _Series, h_bt: int, windows: int) -> tuple[FloatArray, FloatArray]:
    """Actuals and seasonal-naive forecasts over the backtest windows, shape (n_series, windows * h_bt).

    Seasonal naive repeats the last week before each cutoff: computed here directly (it is an index
    lookup), rather than as one more model in every statsforecast call.
    """
    lengths = np.diff(series.indptr)
    points = windows * h_bt
    step = np.arange(points)
    cutoff = lengths[:, None] - points + (step // h_bt)[None, :] * h_bt  # days before each window
    start = series.indptr[:-1, None]
    actual = series.y[start + lengths[:, None] - points + step[None, :]]
    naive = series.y[start + cutoff - SEASON_LENGTH + ((step % h_bt) % SEASON_LENGTH)[None, :]]
    return actual, naive.astype(np.float32).astype(np.float64)


def _model_input(series: _Series, names: Sequence[str], *, extra_days: int) -> _Series:
    """AutoETS sees only the last ``ETS_INPUT_DAYS`` (plus the backtest days): its fit time grows with length."""
    return _truncate(series, ETS_INPUT_DAYS + extra_days) if _ETS in names else series


def _naive_scales(series: _Series, test_points: int) -> tuple[FloatArray, FloatArray]:
    """Mean absolute and mean squared seasonal difference over each series' training part (before the backtest).

    A scale of 0 (a constant training part) becomes 1, so the metric is then in units.
    """
    lengths = np.diff(series.indptr)
    n = len(lengths)
    codes = np.repeat(np.arange(n), lengths)
    pos = np.arange(len(series.y)) - series.indptr[codes]
    train_len = lengths - test_points
    valid = (pos >= SEASON_LENGTH) & (pos < train_len[codes])
    idx = np.flatnonzero(valid)
    diff = series.y[idx] - series.y[idx - SEASON_LENGTH]
    count = np.bincount(codes[idx], minlength=n).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_abs = np.bincount(codes[idx], weights=np.abs(diff), minlength=n) / count
        mean_sq = np.bincount(codes[idx], weights=diff**2, minlength=n) / count
    fix = ~(mean_abs > 0)
    mean_abs[fix] = 1.0
    mean_sq[fix] = 1.0
    return mean_abs, mean_sq


def _conformal_half_widths(abs_errors: FloatArray, levels: tuple[int, ...]) -> FloatArray:
    """Per series, the split-conformal quantile of its absolute errors at each level: shape (n, n_levels)."""
    n_points = abs_errors.shape[1]
    ordered = np.sort(np.nan_to_num(abs_errors, nan=0.0), axis=1)
    ranks = [min(math.ceil((n_points + 1) * level / 100), n_points) - 1 for level in levels]
    return ordered[:, ranks]


# --- fallbacks and output ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Fallback:
    """Per SKU without a model (in the order of ``skus`` then ``extra``): rate, model name, reason."""

    positions: IntArray
    rate: FloatArray
    model: list[str]
    reason: list[str]


def _fallback_rates(
    skus: list[str],
    extra: list[str],
    modelled: npt.NDArray[np.bool_],
    rate: FloatArray,
    history_days: IntArray,
    expected: Mapping[str, float],
    categories: Mapping[str, str],
) -> _Fallback:
    category_rates: dict[str, list[float]] = {}
    for i in np.flatnonzero(modelled):
        category = categories.get(skus[i])
        if category is not None and np.isfinite(rate[i]):
            category_rates.setdefault(category, []).append(float(rate[i]))
    positions: list[int] = []
    rates: list[float] = []
    models: list[str] = []
    reasons: list[str] = []
    everyone = [(i, sku, int(history_days[i]), float(rate[i])) for i, sku in enumerate(skus) if not modelled[i]]
    everyone += [(len(skus) + j, sku, 0, math.nan) for j, sku in enumerate(extra)]
    for position, sku, days, own in everyone:
        category = categories.get(sku)
        short = f"{days} uncensored days of history"
        if sku in expected:
            value, model, reason = float(expected[sku]), "Expected", f"{short}: seller's expected rate"
        elif category is not None and category in category_rates:
            peers = category_rates[category]
            value, model = float(np.mean(peers)), "CategoryMean"
            reason = f"{short}: mean rate of {len(peers)} SKUs in category {category!r}"
        elif days > 0:
            value, model, reason = own, "OwnMean", f"{short}: the SKU's own mean"
        else:
            value, model, reason = 0.0, "NoHistory", "no uncensored history, no expected rate, no category peers"
        if not value >= 0 or not math.isfinite(value):
            raise ValueError(f"expected rate for {sku!r} must be a non-negative number, got {value!r}")
        positions.append(position)
        rates.append(value)
        models.append(model)
        reasons.append(reason)
    return _Fallback(np.asarray(positions, dtype=np.int64), np.asarray(rates, dtype=np.float64), models, reasons)


def _paths(
    skus: list[str],
    extra: list[str],
    means: FloatArray,
    widths: FloatArray,
    fallback: _Fallback,
    levels: tuple[int, ...],
    end_day: int,
    horizon: int,
) -> pd.DataFrame:
    from scipy.stats import poisson

    n = len(skus) + len(extra)
    mean = np.zeros((n, horizon))
    lo = np.zeros((n, horizon, len(levels)))
    hi = np.zeros((n, horizon, len(levels)))
    mean[: len(skus)] = means
    lo[: len(skus)] = np.maximum(means[:, :, None] - widths, 0.0)
    hi[: len(skus)] = means[:, :, None] + widths
    pos, rate = fallback.positions, fallback.rate
    mean[pos] = rate[:, None]
    for k, level in enumerate(levels):
        tail = (1 - level / 100) / 2
        lo[pos, :, k] = poisson.ppf(tail, rate)[:, None]
        hi[pos, :, k] = poisson.ppf(1 - tail, rate)[:, None]
    lo = np.minimum(lo, mean[:, :, None])  # a Poisson quantile can fall on the far side of a small mean
    hi = np.maximum(hi, mean[:, :, None])
    days = (_EPOCH + np.arange(end_day + 1, end_day + 1 + horizon)).astype("datetime64[ns]")
    columns: dict[str, Any] = {
        "unique_id": np.repeat(np.asarray(skus + extra, dtype=object), horizon),
        "ds": np.tile(days, n),
        "mean": mean.ravel(),
    }
    for k, level in enumerate(levels):
        columns[f"lo_{level}"] = lo[:, :, k].ravel()
        columns[f"hi_{level}"] = hi[:, :, k].ravel()
    return pd.DataFrame(columns)


def _empty_report(
    skus: npt.NDArray[np.object_],
    classes: npt.NDArray[np.str_],
    history_days: IntArray,
    censored_days: IntArray,
) -> dict[str, Any]:
    n = len(skus)
    return {
        "demand_class": classes.astype(object),
        "model": np.full(n, None, dtype=object),
        "mase": np.full(n, np.nan),
        "mase_naive": np.full(n, np.nan),
        "rmsse": np.full(n, np.nan),
        "rmsse_naive": np.full(n, np.nan),
        "sigma": np.full(n, np.nan),
        "history_days": history_days.astype(np.int64),
        "censored_days": censored_days,
    }


def _fill_report(report: dict[str, Any], batch: IntArray, choice: _Choice) -> None:
    for key in ("model", "mase", "mase_naive", "rmsse", "rmsse_naive", "sigma"):
        report[key][batch] = getattr(choice, key)


def _finish_report(
    report: dict[str, Any],
    skus: list[str],
    extra: list[str],
    modelled: npt.NDArray[np.bool_],
    fallback: _Fallback,
) -> pd.DataFrame:
    k = len(extra)
    columns: dict[str, Any] = {"unique_id": np.asarray(skus + extra, dtype=object)}
    fill = {"demand_class": DemandClass.INTERMITTENT.value, "model": None, "history_days": 0, "censored_days": 0}
    for key, values in report.items():
        tail = np.full(k, fill.get(key, np.nan), dtype=values.dtype)
        columns[key] = np.concatenate([values, tail])
    reasons = np.full(len(skus) + k, None, dtype=object)
    columns["model"][fallback.positions] = fallback.model
    columns["sigma"][fallback.positions] = np.sqrt(fallback.rate)
    reasons[fallback.positions] = fallback.reason
    columns["fallback"] = reasons
    return pd.DataFrame(columns)


# --- small array helpers -----------------------------------------------------------------------------------


def _truncate(series: _Series, max_days: int) -> _Series:
    lengths = np.minimum(np.diff(series.indptr), max_days)
    starts = series.indptr[1:] - lengths
    pos = _ranges(starts, lengths)
    return _Series(series.y[pos], np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64), series.end_day)


def _ranges(starts: IntArray, lengths: IntArray) -> IntArray:
    """Concatenated ``arange(start, start + length)`` for each pair, vectorised."""
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    return (np.arange(total) - np.repeat(offsets - starts, lengths)).astype(np.int64)


def _notify(progress: Progress | None, stage: str, done: int, total: int) -> None:
    if progress is not None:
        progress(stage, done, total)


def _batches(idx: IntArray) -> Iterator[IntArray]:
    for start in range(0, len(idx), BATCH_SIZE):
        yield idx[start : start + BATCH_SIZE]
