"""Prediction intervals that say what they claim: whole units, wider further ahead, calibrated on the backtest.

A day's demand is a count, so an interval is a range of whole units ``[lo, hi]``: ``mean ± w`` rounded to
whole units (never across the mean, never below 0); the lower edge is 0 wherever a day without demand is inside the
level's central range of the count distribution matched to the day's mean and variance (`zero_likely`). The
half-width ``w = scale * sqrt(variance)`` with

- variance = the SKU's one-day backtest error sigma² (at least its mean daily demand, the Poisson floor, so a
  SKU whose backtest happened to be exact still gets an interval), times the **horizon factor** of its
  demand class for the forecast day's week (days 1-7, 8-14, 15+): errors grow with the distance from the
  forecast's origin, and a band the same width every day is too wide at first and too narrow later;
- scale: per demand class and level, the smallest that makes the class's pooled backtest days fall inside
  their intervals at the level's rate (bisection; coverage grows with the scale). Pooled, because one SKU's
  56 backtest days say little about its 2.5 % tails.

Measured by bench/accuracy.py on held-out days (docs/benchmarks.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from inden.planning.forecasting.series import FloatArray, IntArray

WEEKS = 3  # horizon buckets: days 1-7, 8-14, 15 and later
MAX_POINTS = 200_000  # backtest days per class used to calibrate (a seeded sample beyond that)
MAX_SCALE = 20.0


@dataclass(frozen=True)
class Calibration:
    """Per demand class: the horizon factors (WEEKS,) and the scale per level."""

    horizon_factor: dict[str, FloatArray]
    scale: dict[str, FloatArray]  # (n_levels,)


def edges(mean: FloatArray, half_width: FloatArray, zero_likely: npt.NDArray[np.bool_] | bool = False
          ) -> tuple[FloatArray, FloatArray]:
    """Interval edges around `mean` (broadcast with `half_width`), each rounded to the nearest whole unit
    unless that would cross the mean (then the mean itself, which covers the same whole units); the lower
    edge is 0 where `zero_likely`. Rounding to the nearest rather than outwards lets a pooled scale reach
    the level on average even for slow sellers, whose next whole unit outwards would cover far more."""
    lo = np.minimum(np.maximum(np.floor(mean - half_width + 0.5), 0.0), mean)
    return np.where(zero_likely, 0.0, lo), np.maximum(np.floor(mean + half_width + 0.5), mean)


def zero_likely(mean: FloatArray, variance: FloatArray, level: int) -> npt.NDArray[np.bool_]:
    """Whether a day with no demand lies inside the `level` % interval: P(0) >= its lower tail, P(0) from the
    count distribution matched to mean and variance (negative binomial, Poisson or binomial; see
    `inden.planning.risk`)."""
    m = np.maximum(np.asarray(mean, dtype=np.float64), 1e-12)
    v = np.maximum(np.asarray(variance, dtype=np.float64), 1e-12)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ratio = m / v
        gap = np.where(np.abs(v - m) > 1e-9, np.abs(v - m), 1.0)
        counted = np.where(v > m, ratio ** (m**2 / gap), np.where(v < m, (v / m) ** (m**2 / gap), np.exp(-m)))
    p_zero = np.where(np.abs(v - m) > 1e-9, counted, np.exp(-m))
    return np.asarray(p_zero >= (1 - level / 100) / 2)


def bucket(step: IntArray) -> IntArray:
    """The horizon bucket of forecast day `step` (0 = the first day)."""
    return np.minimum(np.asarray(step) // 7, WEEKS - 1)


def variance_floor(sigma: FloatArray, rate: FloatArray) -> FloatArray:
    return np.maximum(np.nan_to_num(sigma, nan=0.0) ** 2, np.nan_to_num(rate, nan=0.0))


def calibrate(classes: npt.NDArray[np.str_], actual: FloatArray, predicted: FloatArray, variance: FloatArray,
              steps: IntArray, levels: tuple[int, ...]) -> Calibration:
    """Horizon factors and scales per class from the backtest: `actual`/`predicted` (n, points), `variance`
    (n,) from `variance_floor`, `steps` (n, points) each point's day in its window (0-based; -1 unused)."""
    factors: dict[str, FloatArray] = {}
    scales: dict[str, FloatArray] = {}
    everyone = _horizon_factor(actual, predicted, variance, steps)
    rng = np.random.default_rng(0)
    for name in np.unique(classes):
        rows = np.flatnonzero(classes == name)
        factor = _horizon_factor(actual[rows], predicted[rows], variance[rows], steps[rows])
        factor = np.where(np.isfinite(factor), factor, everyone)
        factors[str(name)] = np.where(np.isfinite(factor), factor, 1.0)
        used = steps[rows] >= 0
        y, mean = actual[rows][used], predicted[rows][used]
        sd = np.sqrt(np.repeat(variance[rows], used.sum(axis=1)) * factors[str(name)][bucket(steps[rows][used])])
        if len(y) > MAX_POINTS:
            keep = rng.choice(len(y), MAX_POINTS, replace=False)
            y, mean, sd = y[keep], mean[keep], sd[keep]
        found = [_scale_for(y, mean, sd, level) for level in levels]
        scales[str(name)] = np.maximum.accumulate(np.asarray(found))  # a wider level never gets a narrower band
    return Calibration(factors, scales)


def _horizon_factor(actual: FloatArray, predicted: FloatArray, variance: FloatArray, steps: IntArray) -> FloatArray:
    """Mean squared error per horizon bucket relative to the SKU's variance, over SKUs with a variance."""
    usable = (variance > 0)[:, None] & (steps >= 0)
    ratio = np.where(usable, (actual - predicted) ** 2 / np.where(variance > 0, variance, 1.0)[:, None], 0.0)
    which = bucket(np.maximum(steps, 0))
    out = np.full(WEEKS, np.nan)
    for b in range(WEEKS):
        points = usable & (which == b)
        if points.sum() >= 50:
            out[b] = ratio[points].mean()
    return out


def _scale_for(y: FloatArray, mean: FloatArray, sd: FloatArray, level: int) -> float:
    if len(y) == 0:
        return 1.0
    zero = zero_likely(mean, sd**2, level)
    low, high = 0.0, MAX_SCALE
    for _ in range(30):
        middle = (low + high) / 2
        lo, hi = edges(mean, middle * sd, zero)
        if np.mean((y >= lo) & (y <= hi)) >= level / 100:
            high = middle
        else:
            low = middle
    return high


def half_widths(calibration: Calibration, classes: npt.NDArray[np.str_], variance: FloatArray, horizon: int,
                levels: tuple[int, ...]) -> tuple[FloatArray, FloatArray]:
    """Half-widths (n, horizon, n_levels) for the forecast days, and each day's variance (n, horizon)."""
    n = len(classes)
    out = np.zeros((n, horizon, len(levels)))
    day_variance = np.zeros((n, horizon))
    which = bucket(np.arange(horizon))
    for name in np.unique(classes):
        rows = np.flatnonzero(classes == name)
        factor = calibration.horizon_factor.get(str(name), np.ones(WEEKS))[which]  # (horizon,)
        scale = calibration.scale.get(str(name), np.ones(len(levels)))
        day_variance[rows] = variance[rows][:, None] * factor[None, :]
        out[rows] = np.sqrt(day_variance[rows])[:, :, None] * scale[None, None, :]
    return out, day_variance
