"""The per-SKU report of a forecast: demand class, chosen model, backtest errors, fallback reason."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from inden.planning.demand_classes import DemandClass
from inden.planning.forecasting.backtest import Choice, pooled_total_sd
from inden.planning.forecasting.fallbacks import Fallback
from inden.planning.forecasting.series import IntArray
from inden.planning.lead_time_demand import MEASURED_DAYS


def empty_report(
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
        "total_mse": np.full((n, len(MEASURED_DAYS)), np.nan),
        "history_days": history_days.astype(np.int64),
        "censored_days": censored_days,
    }


def fill_report(report: dict[str, Any], batch: IntArray, choice: Choice) -> None:
    for key in ("model", "mase", "mase_naive", "rmsse", "rmsse_naive", "sigma", "total_mse"):
        report[key][batch] = getattr(choice, key)


def finish_report(
    report: dict[str, Any],
    skus: list[str],
    extra: list[str],
    modelled: npt.NDArray[np.bool_],
    fallback: Fallback,
) -> pd.DataFrame:
    k = len(extra)
    columns: dict[str, Any] = {"unique_id": np.asarray(skus + extra, dtype=object)}
    total_sd = pooled_total_sd(report["sigma"], report.pop("total_mse"), report["demand_class"].astype(str))
    fill = {"demand_class": DemandClass.INTERMITTENT.value, "model": None, "history_days": 0, "censored_days": 0}
    for key, values in report.items():
        tail = np.full(k, fill.get(key, np.nan), dtype=values.dtype)
        columns[key] = np.concatenate([values, tail])
    reasons = np.full(len(skus) + k, None, dtype=object)
    columns["model"][fallback.positions] = fallback.model
    columns["sigma"][fallback.positions] = np.sqrt(fallback.rate)
    total_sd = np.concatenate([total_sd, np.full((k, len(MEASURED_DAYS)), np.nan)])
    days = np.asarray(MEASURED_DAYS, dtype=np.float64)
    total_sd[fallback.positions] = np.sqrt(fallback.rate[:, None] * days[None, :])  # Poisson: independent days
    for j, length in enumerate(MEASURED_DAYS):
        columns[f"sd_{length}"] = total_sd[:, j]
    reasons[fallback.positions] = fallback.reason
    columns["fallback"] = reasons
    return pd.DataFrame(columns)
