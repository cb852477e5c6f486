"""How uncertain demand over a lead time really is, and how high a reorder point may reasonably go.

**Measured, not assumed.** The textbook safety stock takes the forecast's daily errors as independent, so the
error of an L-day total has variance L·σ². On real retail data daily errors are correlated (a forecast that
is low today is usually low tomorrow too) and biased for a while, so the L-day total varies 1.2–2.2× more than
L·σ² says and a 95 % reorder point covers ~90 % of lead times. The forecast's backtest therefore measures the
error of L-day totals directly, for L in `MEASURED_DAYS` (`inden.planning.forecasting.backtest`), and the
planner interpolates between those measurements (`error_variance_over`).

**Guard rail.** A reorder point is never above what the SKU's own history can justify: the most it sold in
any window of the lead time's length over the last year, or the forecast for that window if higher, plus what
planned events add (`history_cap`) — where that history holds at least 8 weeks and 10 lead times, so that its
peak is a high quantile and the cap never cuts a steady seller's real safety stock. A near-zero forecast with
a large error from an old burst otherwise gets a negative binomial with an enormous tail (a reorder point of
69 for a SKU that never sold 7 in a week).
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import pandas as pd

from inden.planning.censoring import DailyHistory

FloatArray = npt.NDArray[np.float64]

MEASURED_DAYS = (7, 14, 28)
CAP_HISTORY_DAYS = 364  # the year the guard rail looks back on
CAP_MIN_HISTORY_DAYS = 56  # with less, the history cannot say what is plausible: no cap
# ... nor with fewer lead times than this in it: the peak of n lead-time windows is exceeded about once in
# n + 1, so with 10 or more it is at least a ~90 % level and a cap below it would cut real safety stock.
CAP_MIN_WINDOWS = 10


def error_variance_over(days: FloatArray, sigma: FloatArray, measured_sd: FloatArray) -> FloatArray:
    """Variance of the forecast's error summed over `days` days (real, >= 0), per SKU.

    `sigma`: each SKU's one-day error (RMSE, units); `measured_sd`: shape (n, len(MEASURED_DAYS)), the RMSE of
    its MEASURED_DAYS-day totals (NaN where not measured: then L·σ², the independent-days assumption).
    Piecewise linear in the days between 0, 1 and the measured lengths; past the longest, it grows at the
    rate of the last segment (never slower than σ² a day would).
    """
    days, sigma = np.asarray(days, dtype=np.float64), np.asarray(sigma, dtype=np.float64)
    knots = np.asarray((0.0, 1.0) + tuple(float(k) for k in MEASURED_DAYS))
    independent = knots[None, :] * sigma[:, None] ** 2
    values = independent.copy()
    measured = np.asarray(measured_sd, dtype=np.float64).reshape(len(sigma), len(MEASURED_DAYS)) ** 2
    values[:, 2:] = np.where(np.isfinite(measured), measured, independent[:, 2:])
    values = np.maximum.accumulate(values, axis=1)  # a longer total never varies less
    segment = np.clip(np.searchsorted(knots, days, side="right") - 1, 0, len(knots) - 2)
    rows = np.arange(len(sigma))
    x0, x1 = knots[segment], knots[segment + 1]
    v0, v1 = values[rows, segment], values[rows, segment + 1]
    slope = (v1 - v0) / (x1 - x0)
    last = segment == len(knots) - 2
    slope = np.where(last, np.maximum(slope, sigma**2), slope)
    result: FloatArray = np.maximum(v0 + slope * (days - x0), 0.0)
    return result


def history_cap(recent: FloatArray | None, days: float, forecast_units: float, event_units: float) -> float | None:
    """The highest reorder point the history justifies, or None (too little history to say).

    `recent`: the SKU's daily demand over (up to) the last year, oldest first; `days`: the lead time;
    `forecast_units`: the forecast over it (a growing SKU may need more than it ever sold);
    `event_units`: what planned events add over it.
    """
    window = max(1, math.ceil(days))
    if recent is None or len(recent) < max(CAP_MIN_HISTORY_DAYS, CAP_MIN_WINDOWS * window):
        return None
    totals = np.concatenate([[0.0], np.cumsum(recent[-CAP_HISTORY_DAYS:], dtype=np.float64)])
    peak = float(np.max(totals[window:] - totals[:-window])) if len(totals) > window else float(totals[-1])
    return max(peak, math.ceil(forecast_units)) + max(event_units, 0.0)


def recent_demand(history: pd.DataFrame) -> dict[str, FloatArray]:
    """Each SKU's daily demand over the last CAP_HISTORY_DAYS days of `history` (``unique_id, ds, y``; a
    missing day sold nothing), oldest first: what `history_cap` looks at."""
    if history.empty:
        return {}
    daily = DailyHistory.from_frame(history)
    return {str(sku): daily.y[max(start, end - CAP_HISTORY_DAYS):end]
            for sku, start, end in zip(daily.skus, daily.indptr[:-1], daily.indptr[1:], strict=True)}
