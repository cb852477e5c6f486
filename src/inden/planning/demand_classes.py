"""Demand classes by the Syntetos–Boylan scheme: how often a SKU sells (ADI) and how much the size of a sale
varies (CV²).

- ADI, average demand interval = days observed / days with demand (1.0 = sells every day).
- CV² = (standard deviation / mean)² of the non-zero daily quantities (population variance).

With the cut-offs ADI 1.32 and CV² 0.49 (Syntetos, Boylan & Croston 2005):

=============  ==============  =============
               CV² < 0.49      CV² >= 0.49
=============  ==============  =============
ADI < 1.32     smooth          erratic
ADI >= 1.32    intermittent    lumpy
=============  ==============  =============

A SKU that never sold has ADI = inf and CV² = 0: intermittent. Classify the *uncensored* history (days out of
stock say nothing about demand), which is what :func:`inden.planning.forecasting.forecast_demand` does.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

ADI_CUTOFF = 1.32
CV2_CUTOFF = 0.49


class DemandClass(StrEnum):
    SMOOTH = "smooth"
    INTERMITTENT = "intermittent"
    ERRATIC = "erratic"
    LUMPY = "lumpy"


def classify(adi: float, cv2: float) -> DemandClass:
    """The Syntetos–Boylan class of one SKU from its ADI (>= 1, inf if it never sold) and CV² (>= 0)."""
    frequent = adi < ADI_CUTOFF
    steady = cv2 < CV2_CUTOFF
    if frequent:
        return DemandClass.SMOOTH if steady else DemandClass.ERRATIC
    return DemandClass.INTERMITTENT if steady else DemandClass.LUMPY


def demand_profile(quantities: npt.ArrayLike) -> tuple[float, float]:
    """ADI and CV² of one daily demand series (units per day, zeros included, censored days removed)."""
    y = np.asarray(quantities, dtype=np.float64)
    adi, cv2 = demand_profiles(np.zeros(y.size, dtype=np.int64), y, np.array([float(y.size)]), 1)
    return float(adi[0]), float(cv2[0])


def classify_series(quantities: npt.ArrayLike) -> DemandClass:
    """The class of one daily demand series; see :func:`demand_profile`."""
    return classify(*demand_profile(quantities))


def classify_demand(history: pd.DataFrame) -> pd.DataFrame:
    """Classify many SKUs at once.

    ``history`` is long: ``unique_id``, ``y`` (units per day, one row per observed day, zeros included; drop
    censored days first). Returns one row per SKU: ``unique_id``, ``adi``, ``cv2``, ``demand_class`` (str).
    """
    y = history["y"].to_numpy(dtype=np.float64)
    codes, uniques = pd.factorize(history["unique_id"], sort=True)
    n_skus = len(uniques)
    days = np.bincount(codes, minlength=n_skus).astype(np.float64)
    adi, cv2 = demand_profiles(codes, y, days, n_skus)
    classes = classify_arrays(adi, cv2)
    return pd.DataFrame({"unique_id": uniques, "adi": adi, "cv2": cv2, "demand_class": classes})


def demand_profiles(
    codes: npt.NDArray[np.integer[Any]], y: npt.NDArray[np.float64], days: npt.NDArray[np.float64], n_skus: int
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """ADI and CV² per SKU for flat arrays: ``codes`` (SKU index per day), ``y``, ``days`` observed per SKU."""
    positive = y > 0
    n_pos = np.bincount(codes[positive], minlength=n_skus).astype(np.float64)
    total = np.bincount(codes[positive], weights=y[positive], minlength=n_skus)
    total_sq = np.bincount(codes[positive], weights=y[positive] ** 2, minlength=n_skus)
    with np.errstate(divide="ignore", invalid="ignore"):
        adi = np.where(n_pos > 0, days / n_pos, np.inf)
        mean = total / n_pos
        var = np.maximum(total_sq / n_pos - mean**2, 0.0)
        cv2 = np.where(n_pos > 0, var / mean**2, 0.0)
    return adi, cv2


def classify_arrays(adi: npt.NDArray[np.float64], cv2: npt.NDArray[np.float64]) -> npt.NDArray[np.str_]:
    """Vectorised :func:`classify`: an array of class names (str) for arrays of ADI and CV²."""
    frequent = adi < ADI_CUTOFF
    steady = cv2 < CV2_CUTOFF
    return np.select(
        [frequent & steady, frequent & ~steady, ~frequent & steady],
        [DemandClass.SMOOTH.value, DemandClass.ERRATIC.value, DemandClass.INTERMITTENT.value],
        default=DemandClass.LUMPY.value,
    )
