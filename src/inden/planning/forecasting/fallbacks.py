"""Rates for SKUs without enough history (seller's expected rate, category mean, own mean) and the forecast
paths of every SKU, Poisson intervals for the fallbacks."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from inden.planning.forecasting.intervals import edges
from inden.planning.forecasting.series import EPOCH, FloatArray, IntArray


@dataclass(frozen=True)
class Fallback:
    """Per SKU without a model (in the order of ``skus`` then ``extra``): rate, model name, reason."""

    positions: IntArray
    rate: FloatArray
    model: list[str]
    reason: list[str]


def fallback_rates(
    skus: list[str],
    extra: list[str],
    modelled: npt.NDArray[np.bool_],
    rate: FloatArray,
    history_days: IntArray,
    expected: Mapping[str, float],
    categories: Mapping[str, str],
) -> Fallback:
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
    return Fallback(np.asarray(positions, dtype=np.int64), np.asarray(rates, dtype=np.float64), models, reasons)


def forecast_paths(
    skus: list[str],
    extra: list[str],
    means: FloatArray,
    widths: FloatArray,
    zero: npt.NDArray[np.bool_],
    fallback: Fallback,
    levels: tuple[int, ...],
    end_day: int,
    horizon: int,
    factor: FloatArray,
) -> pd.DataFrame:
    """Every SKU's daily figures; `factor` (n_skus + n_extra, horizon) multiplies mean and spread per day (the
    shopping calendar's effects)."""
    from scipy.stats import poisson

    n = len(skus) + len(extra)
    mean = np.zeros((n, horizon))
    lo = np.zeros((n, horizon, len(levels)))
    hi = np.zeros((n, horizon, len(levels)))
    mean[: len(skus)] = means * factor[: len(skus)]
    lo[: len(skus)], hi[: len(skus)] = edges(mean[: len(skus), :, None], widths * factor[: len(skus), :, None], zero)
    pos = fallback.positions
    rate = fallback.rate[:, None] * factor[pos]
    mean[pos] = rate
    for k, level in enumerate(levels):
        tail = (1 - level / 100) / 2
        lo[pos, :, k] = poisson.ppf(tail, rate)
        hi[pos, :, k] = poisson.ppf(1 - tail, rate)
    lo = np.minimum(lo, mean[:, :, None])  # a Poisson quantile can fall on the far side of a small mean
    hi = np.maximum(hi, mean[:, :, None])
    days = (EPOCH + np.arange(end_day + 1, end_day + 1 + horizon)).astype("datetime64[ns]")
    columns: dict[str, Any] = {
        "unique_id": np.repeat(np.asarray(skus + extra, dtype=object), horizon),
        "ds": np.tile(days, n),
        "mean": mean.ravel(),
        "calendar": factor.ravel(),
    }
    for k, level in enumerate(levels):
        columns[f"lo_{level}"] = lo[:, :, k].ravel()
        columns[f"hi_{level}"] = hi[:, :, k].ravel()
    return pd.DataFrame(columns)
