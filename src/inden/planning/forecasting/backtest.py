"""Choosing each series' model by a rolling-origin backtest (MSE; reported as RMSSE), and what the backtest
measures for the reorder point (the error of k-day totals) and the intervals (the days it forecast)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from inden.planning.forecasting.adapter import ETS, NAIVE, Runner
from inden.planning.forecasting.menus import COMBINATION, Menu
from inden.planning.forecasting.series import SEASON_LENGTH, FloatArray, IntArray, Series, truncate
from inden.planning.lead_time_demand import MEASURED_DAYS

ETS_INPUT_DAYS = 182
MAX_CORRELATION_FACTOR = 30.0  # one series' measured factor beyond this is noise, not information
MIN_POOLED = 5  # series a class needs to have its own correlation factor
COMBINED = 3  # the combination averages this many models: those with the best pooled backtest
PRIOR_WINDOWS = 4.0  # how many backtest windows of its own a series' choice weighs the pooled evidence as


@dataclass(frozen=True)
class Choice:
    """Backtest outcome for a batch of series."""

    model: npt.NDArray[np.object_]
    mase: FloatArray
    rmsse: FloatArray
    mase_naive: FloatArray
    rmsse_naive: FloatArray
    sigma: FloatArray
    total_mse: FloatArray  # (n_series, len(MEASURED_DAYS)): mean squared error of k-day totals, NaN if k > h
    actual: FloatArray  # (n_series, windows * h_bt): the backtest days' demand ...
    predicted: FloatArray  # ... and the chosen model's forecast of them (the intervals' calibration)
    chosen: IntArray  # index into ``candidates``
    candidates: tuple[str, ...]  # what was chosen among: the menu's models, the global model, the combination
    combined: tuple[str, ...]  # the models the combination averages


def backtest(
    run: Runner,
    menu: Menu,
    series: Series,
    ids: IntArray,
    h_bt: int,
    windows: int,
    extra: Mapping[str, FloatArray] | None = None,
) -> Choice:
    """Backtest the menu's models (and ``extra``: candidates forecast elsewhere, e.g. the global model, shape
    (n, windows * h_bt) on the same windows) and choose each series' candidate (:func:`choose`)."""
    n, points = len(ids), windows * h_bt
    actual, naive_preds = seasonal_naive_backtest(series, h_bt, windows)
    names: list[str] = [NAIVE]
    columns: list[FloatArray] = [naive_preds]
    for group, refit in menu.backtest_calls():
        frame = model_input(series, group, extra_days=points).frame(ids)
        cv = run("cross_validation", group, frame, h=h_bt, n_windows=windows, step_size=h_bt, refit=refit)
        names += group
        columns += [cv[name].to_numpy().reshape(n, points) for name in group]
    for name, values in (extra or {}).items():
        names.append(name)
        columns.append(np.asarray(values, dtype=np.float32).astype(np.float64))
    scale_abs, scale_sq = naive_scales(series, points)
    preds = np.maximum(np.stack(columns, axis=2), 0.0)
    models = [k for k, name in enumerate(names) if name != NAIVE and np.isfinite(preds[:, :, k]).all()]
    by_window = _window_scores(actual, preds, scale_sq, windows, h_bt)
    combined = _best_few(by_window, models)
    names.append(COMBINATION)
    preds = np.concatenate([preds, preds[:, :, combined].mean(axis=2, keepdims=True)], axis=2)
    by_window = np.concatenate([by_window, _window_scores(actual, preds[:, :, -1:], scale_sq, windows, h_bt)], axis=2)
    candidates = np.asarray([*[k for k, name in enumerate(names[:-1]) if name != NAIVE or name in menu.models],
                             len(names) - 1])
    chosen = choose(by_window[:, :, candidates])
    col = candidates[chosen]
    errors = actual[:, :, None] - preds
    mse = np.mean(errors**2, axis=1)
    mae = np.mean(np.abs(errors), axis=1)
    rows = np.arange(n)
    naive = names.index(NAIVE)
    return Choice(
        model=np.asarray(names, dtype=object)[col],
        mase=mae[rows, col] / scale_abs,
        rmsse=np.sqrt(mse[rows, col] / scale_sq),
        mase_naive=mae[:, naive] / scale_abs,
        rmsse_naive=np.sqrt(mse[:, naive] / scale_sq),
        sigma=np.sqrt(mse[rows, col]),
        total_mse=total_errors(errors[rows, :, col], h_bt),
        actual=actual,
        predicted=_cross_chosen(preds, by_window, candidates, windows, h_bt),
        chosen=chosen,
        candidates=tuple(names[k] for k in candidates),
        combined=tuple(names[k] for k in combined),
    )


def _window_scores(actual: FloatArray, preds: FloatArray, scale_sq: FloatArray, windows: int, h_bt: int
                   ) -> FloatArray:
    """Mean squared error per backtest window, scaled as RMSSE squared: (n, windows, n_candidates); inf where a
    candidate has no forecast."""
    n = len(actual)
    errors = (actual[:, :, None] - preds).reshape(n, windows, h_bt, preds.shape[2])
    scores = np.mean(errors**2, axis=2) / scale_sq[:, None, None]
    return np.where(np.isfinite(scores), scores, np.inf)


def _relative(scores: FloatArray) -> FloatArray:
    """Each series' candidate scores relative to its own mean over the (finite) candidates: (n, c).

    Relative, so that series of any size weigh alike in the pooled evidence; a series every candidate forecast
    perfectly scores 1 everywhere (no preference)."""
    finite = np.isfinite(scores)
    with np.errstate(invalid="ignore", divide="ignore"):
        level = np.where(finite, scores, 0.0).sum(axis=1, keepdims=True) / finite.sum(axis=1, keepdims=True)
        rel = np.where(level > 0, scores / level, 1.0)
    return np.where(finite, rel, np.inf)


def _best_few(by_window: FloatArray, models: list[int]) -> list[int]:
    """The COMBINED models with the best pooled evidence (mean relative score over the batch's series)."""
    pooled = _pooled(_relative(by_window[:, :, models].mean(axis=1)))
    order = np.argsort(pooled, kind="stable")[:COMBINED]
    return [models[k] for k in sorted(order)]


def _pooled(relative: FloatArray) -> FloatArray:
    finite = np.isfinite(relative)
    count = finite.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(finite, relative, 0.0).sum(axis=0) / count
    return np.where(count > 0, out, np.inf)


def choose(by_window: FloatArray) -> IntArray:
    """Each series' candidate: (n, windows, c) scaled window errors -> index of the lowest score, where a
    series' own relative error over its windows is shrunk toward the batch's pooled one, the pool counting as
    PRIOR_WINDOWS windows of evidence.

    A series' own two or three windows are a noisy judge (on real demand the candidates differ by a few percent,
    less than one window's luck): choosing on them alone often picks the luckiest model rather than the best.
    The pool — every series of the batch, i.e. of one menu — knows which candidate is usually best; a series
    keeps its own choice only where its windows say so clearly."""
    windows = by_window.shape[1]
    own = _relative(by_window.mean(axis=1))
    pooled = _pooled(own)
    score = (windows * own + PRIOR_WINDOWS * pooled[None, :]) / (windows + PRIOR_WINDOWS)
    best: IntArray = np.argmin(np.where(np.isfinite(score), score, np.inf), axis=1).astype(np.int64)
    return best


def _cross_chosen(preds: FloatArray, by_window: FloatArray, candidates: IntArray, windows: int, h_bt: int
                  ) -> FloatArray:
    """Each window's forecast by the candidate the *other* windows choose (one window: its own choice).

    The chosen model's errors on the days that chose it are optimistic — it won because it happened to fit
    them — so intervals calibrated on them come out too narrow. Cross-fitting gives honest errors."""
    n = len(preds)
    out = np.empty((n, windows * h_bt))
    rows = np.arange(n)
    scores = by_window[:, :, candidates]
    for w in range(windows):
        others = scores if windows == 1 else np.delete(scores, w, axis=1)
        col = candidates[choose(others)]
        days = np.arange(w * h_bt, (w + 1) * h_bt)
        out[:, days] = np.maximum(preds[rows[:, None], days[None, :], col[:, None]], 0.0)
    return out


def total_errors(errors: FloatArray, h_bt: int) -> FloatArray:
    """Mean squared error of the forecast's k-day totals, k in MEASURED_DAYS, over every k-day stretch inside
    each backtest window (a window's days share one forecast origin): shape (n, len(MEASURED_DAYS))."""
    n = len(errors)
    by_window = errors.reshape(n, -1, h_bt)
    running = np.concatenate([np.zeros((n, by_window.shape[1], 1)), np.cumsum(by_window, axis=2)], axis=2)
    out = np.full((n, len(MEASURED_DAYS)), np.nan)
    for j, k in enumerate(MEASURED_DAYS):
        if k <= h_bt:
            totals = running[:, :, k:] - running[:, :, :-k]
            out[:, j] = np.mean(totals**2, axis=(1, 2))
    return out


def pooled_total_sd(sigma: FloatArray, total_mse: FloatArray, classes: npt.NDArray[np.str_]) -> FloatArray:
    """Each series' k-day total error (RMSE, units) for k in MEASURED_DAYS: its own one-day sigma times the
    correlation factor of its demand class, sqrt(k * mean over the class of total_mse / (k * sigma^2)).

    Pooled, because two backtest windows per series are too few to measure a tail; by class, because lumpy
    and smooth demand correlate differently. Where a class has no measurement at some k (only short
    histories), the factor of all classes at that k, else the longest measured k's. NaN where sigma is NaN.
    """
    n, m = total_mse.shape
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = total_mse / (np.asarray(MEASURED_DAYS, dtype=np.float64)[None, :] * sigma[:, None] ** 2)
    ratio = np.where(np.isfinite(ratio), np.clip(ratio, 0.0, MAX_CORRELATION_FACTOR), np.nan)
    everyone = np.array([np.nanmean(ratio[:, j]) if np.isfinite(ratio[:, j]).any() else np.nan for j in range(m)])
    factors = np.ones((n, m))
    for name in np.unique(classes):
        rows = classes == name
        for j in range(m):
            seen = ratio[rows, j][np.isfinite(ratio[rows, j])]
            factors[rows, j] = seen.mean() if len(seen) >= MIN_POOLED else everyone[j]
    for j in range(1, m):  # unmeasured at this length: carry the longest measured factor forward
        factors[:, j] = np.where(np.isfinite(factors[:, j]), factors[:, j], factors[:, j - 1])
    factors = np.where(np.isfinite(factors), factors, 1.0)
    return np.asarray(sigma, dtype=np.float64)[:, None] * np.sqrt(np.asarray(MEASURED_DAYS)[None, :] * factors)


def final_forecast(
    run: Runner, menu: Menu, series: Series, ids: IntArray, horizon: int, choice: Choice,
    extra: Mapping[str, FloatArray] | None = None,
) -> FloatArray:
    """Refit on the whole input only the model each series chose (and the combination's models where it chose
    the combination): one call per model, its series only. ``extra``: forecasts made elsewhere (n, horizon)."""
    mean = np.zeros((len(ids), horizon))
    chosen = np.asarray(choice.candidates, dtype=object)[choice.chosen]
    combined = chosen == COMBINATION
    for name in choice.candidates:
        alone = chosen == name
        part = name in choice.combined
        rows = np.flatnonzero(alone | (combined & part))
        if len(rows) == 0 or name == COMBINATION:
            continue
        if extra is not None and name in extra:
            values = np.asarray(extra[name], dtype=np.float64)[rows]
        else:
            frame = model_input(series.take(rows), (name,), extra_days=0).frame(ids[rows])
            out = run("forecast", (name,), frame, h=horizon)
            values = out[name].to_numpy(dtype=np.float64).reshape(len(rows), horizon)
        values = np.maximum(values, 0.0)
        mean[rows[alone[rows]]] = values[alone[rows]]
        mean[rows[~alone[rows]]] += values[~alone[rows]] / len(choice.combined)
    return np.maximum(np.nan_to_num(mean, nan=0.0), 0.0)


def seasonal_naive_backtest(series: Series, h_bt: int, windows: int) -> tuple[FloatArray, FloatArray]:
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


def model_input(series: Series, names: Sequence[str], *, extra_days: int) -> Series:
    """AutoETS sees only the last ``ETS_INPUT_DAYS`` (plus the backtest days): its fit time grows with length."""
    return truncate(series, ETS_INPUT_DAYS + extra_days) if ETS in names else series


def naive_scales(series: Series, test_points: int) -> tuple[FloatArray, FloatArray]:
    """The scales of MASE and RMSSE over each series' training part (before the backtest): the mean absolute
    seasonal (7-day) difference, and — as M5 defines RMSSE — the mean squared one-step difference from the
    series' first sale on.

    A scale of 0 (a constant training part) becomes 1, so the metric is then in units.
    """
    lengths = np.diff(series.indptr)
    n = len(lengths)
    codes = np.repeat(np.arange(n), lengths)
    pos = np.arange(len(series.y)) - series.indptr[codes]
    train_len = lengths - test_points
    in_training = pos < train_len[codes]
    sold_at = np.where(series.y > 0, pos, np.iinfo(np.int64).max)
    first_sale = np.full(n, np.iinfo(np.int64).max)
    np.minimum.at(first_sale, codes, sold_at)
    mean_abs = _mean_difference(series.y, codes, n, np.flatnonzero((pos >= SEASON_LENGTH) & in_training),
                                SEASON_LENGTH, np.abs)
    mean_sq = _mean_difference(series.y, codes, n, np.flatnonzero((pos >= 1) & in_training
                                                                  & (pos > first_sale[codes])), 1, np.square)
    return mean_abs, mean_sq


def _mean_difference(y: FloatArray, codes: IntArray, n: int, idx: IntArray, lag: int,
                     measure: Callable[[FloatArray], FloatArray]) -> FloatArray:
    count = np.bincount(codes[idx], minlength=n).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.bincount(codes[idx], weights=measure(y[idx] - y[idx - lag]), minlength=n) / count
    mean[~(mean > 0)] = 1.0
    return mean
