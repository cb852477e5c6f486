"""Synthetic demand whose level wanders day to day, so that forecast errors are correlated across days the way
real retail errors are (a forecast low today is usually low tomorrow). Used by the calibration tests and
bench/accuracy.py."""

from __future__ import annotations

import numpy as np
import pandas as pd

PHI, SHOCK = 0.85, 0.25  # log-level AR(1): memory of about a week, stationary sd ~0.47


def wandering_demand(n_skus: int, days: int, seed: int, *, lowest: float = 0.3, highest: float = 40.0,
                     end: str = "2025-12-31") -> pd.DataFrame:
    """Poisson demand around levels log-uniform in [lowest, highest] units/day, weekends up to 60 % busier,
    times exp(a log-AR(1) wander) with mean 1: long frame ``unique_id, ds, y`` ending on `end`."""
    rng = np.random.default_rng(seed)
    level = np.exp(rng.uniform(np.log(lowest), np.log(highest), n_skus))
    weekly = 1 + rng.uniform(0, 0.6, n_skus)[:, None] * (np.arange(days)[None, :] % 7 >= 5)
    wander = np.zeros((n_skus, days))
    shock = rng.normal(0, SHOCK, (n_skus, days))
    for t in range(1, days):
        wander[:, t] = PHI * wander[:, t - 1] + shock[:, t]
    rate = level[:, None] * weekly * np.exp(wander - 0.5 * SHOCK**2 / (1 - PHI**2))
    y = rng.poisson(rate).astype(float)
    return pd.DataFrame({"unique_id": np.repeat([f"S{i:05d}" for i in range(n_skus)], days),
                         "ds": np.tile(pd.date_range(end=end, periods=days, freq="D"), n_skus),
                         "y": y.ravel()})
