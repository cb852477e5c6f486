"""Choosing each series' model by a rolling-origin backtest (RMSSE), with conformal interval half-widths."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from inden.planning.forecasting.adapter import ETS, NAIVE, Runner
from inden.planning.forecasting.menus import Menu
from inden.planning.forecasting.series import SEASON_LENGTH, FloatArray, IntArray, Series, truncate

ETS_INPUT_DAYS = 182


@dataclass(frozen=True)
class Choice:
    """Backtest outcome for a batch of series."""

    model: npt.NDArray[np.object_]
    mase: FloatArray
    rmsse: FloatArray
    mase_naive: FloatArray
    rmsse_naive: FloatArray
    sigma: FloatArray
    half_widths: FloatArray  # (n_series, n_levels)
    chosen: IntArray  # index into the menu's candidates


def backtest(
    run: Runner,
    menu: Menu,
    series: Series,
    ids: IntArray,
    h_bt: int,
    windows: int,
    levels: tuple[int, ...],
) -> Choice:
    n, points = len(ids), windows * h_bt
    actual, naive_preds = seasonal_naive_backtest(series, h_bt, windows)
    names: list[str] = [NAIVE]
    columns: list[FloatArray] = [naive_preds]
    for group, refit in menu.backtest_calls():
        frame = model_input(series, group, extra_days=points).frame(ids)
        cv = run("cross_validation", group, frame, h=h_bt, n_windows=windows, step_size=h_bt, refit=refit)
        names += group
        columns += [cv[name].to_numpy().reshape(n, points) for name in group]
    preds = np.stack(columns, axis=2)
    errors = actual[:, :, None] - np.maximum(preds, 0.0)
    scale_abs, scale_sq = naive_scales(series, points)
    mse = np.mean(errors**2, axis=1)
    mae = np.mean(np.abs(errors), axis=1)
    candidates = [names.index(name) for name in menu.candidates]
    cand_mse = np.where(np.isfinite(mse[:, candidates]), mse[:, candidates], np.inf)
    chosen = np.argmin(cand_mse, axis=1).astype(np.int64)
    col = np.asarray(candidates)[chosen]
    rows = np.arange(n)
    naive = names.index(NAIVE)
    chosen_errors = np.abs(errors[rows, :, col])
    return Choice(
        model=np.asarray(menu.candidates, dtype=object)[chosen],
        mase=mae[rows, col] / scale_abs,
        rmsse=np.sqrt(mse[rows, col] / scale_sq),
        mase_naive=mae[:, naive] / scale_abs,
        rmsse_naive=np.sqrt(mse[:, naive] / scale_sq),
        sigma=np.sqrt(mse[rows, col]),
        half_widths=conformal_half_widths(chosen_errors, levels),
        chosen=chosen,
    )


def final_forecast(
    run: Runner, menu: Menu, series: Series, ids: IntArray, horizon: int, chosen: IntArray
) -> FloatArray:
    """Refit on the whole input only the model each series chose: one call per model, its series only."""
    mean = np.zeros((len(ids), horizon))
    for k, name in enumerate(menu.candidates):
        rows = np.flatnonzero(chosen == k)
        if len(rows) == 0:
            continue
        frame = model_input(series.take(rows), (name,), extra_days=0).frame(ids[rows])
        out = run("forecast", (name,), frame, h=horizon)
        mean[rows] = out[name].to_numpy(dtype=np.float64).reshape(len(rows), horizon)
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


def conformal_half_widths(abs_errors: FloatArray, levels: tuple[int, ...]) -> FloatArray:
    """Per series, the split-conformal quantile of its absolute errors at each level: shape (n, n_levels)."""
    n_points = abs_errors.shape[1]
    ordered = np.sort(np.nan_to_num(abs_errors, nan=0.0), axis=1)
    ranks = [min(math.ceil((n_points + 1) * level / 100), n_points) - 1 for level in levels]
    return ordered[:, ranks]
