"""Forecasting a large catalogue: demand class, backtest, model choice and 28-day forecasts with intervals.

30,000 SKUs x 730 days of synthetic daily demand (seeded): half intermittent (Bernoulli x size), half smooth
(Poisson with a weekly pattern), one in ten with a censored out-of-stock stretch. Prints series/s, total
seconds, peak memory (this process and, separately, the largest child process) and, as the same-run
baseline, the time of statsforecast's SeasonalNaive alone on the same data. Budget: forecasting <= ~80 s of
the end-to-end planner's 120 s on a 2-core machine.

    python bench/forecast.py
    python bench/forecast.py --skus 2000
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from inden.planning.forecasting import forecast_demand, seasonal_naive_baseline  # noqa: E402

HORIZON = 28


def synthetic_history(n_skus: int, days: int, seed: int) -> pd.DataFrame:
    """Daily demand for ``n_skus`` SKUs over ``days`` days ending 2025-12-31: ``unique_id`` (categorical str),
    ``ds``, ``y``, ``censored``.

    Even SKUs are intermittent: on each day a sale happens with probability 5-50 % and its size is
    1 + Poisson(0.5-4). Odd SKUs are smooth: Poisson with a rate of 2-40 units/day, up to 60 % more on weekends.
    One SKU in ten was out of stock (y = 0, censored) for 10-60 days somewhere. Same seed, same data.
    """
    rng = np.random.default_rng(seed)
    weekend = np.asarray(pd.date_range(end="2025-12-31", periods=days, freq="D").dayofweek >= 5, dtype=np.float64)
    y = np.empty(n_skus * days, dtype=np.float64)
    censored = np.zeros(n_skus * days, dtype=np.bool_)
    for first in range(0, n_skus, 2000):  # in chunks, to keep the generator's own peak memory small
        sku = np.arange(first, min(first + 2000, n_skus))
        block = y[first * days : (sku[-1] + 1) * days].reshape(len(sku), days)
        block[:] = _demand(rng, sku, weekend)
    out = np.flatnonzero(rng.random(n_skus) < 0.1)
    length = rng.integers(10, 61, len(out))
    start = rng.integers(0, days - length)
    for row, begin, n in zip(out, start, length, strict=True):
        censored[row * days + begin : row * days + begin + n] = True
    y[censored] = 0.0
    names = np.array([f"SKU-{k:06d}" for k in range(n_skus)])
    ds = pd.date_range(end="2025-12-31", periods=days, freq="D").to_numpy()
    return pd.DataFrame(
        {
            "unique_id": pd.Categorical.from_codes(np.repeat(np.arange(n_skus, dtype=np.int32), days), names),
            "ds": np.tile(ds, n_skus),
            "y": y,
            "censored": censored,
        },
        copy=False,
    )


def _demand(rng: np.random.Generator, sku: np.ndarray, weekend: np.ndarray) -> np.ndarray:
    """Daily demand for a block of SKUs: odd SKUs smooth and weekly, even SKUs intermittent."""
    n, days = len(sku), len(weekend)
    smooth = sku % 2 == 1
    rate = rng.uniform(2.0, 40.0, n)[:, None] * (1.0 + rng.uniform(0.0, 0.6, n)[:, None] * weekend[None, :])
    sales = rng.random((n, days)) < rng.uniform(0.05, 0.5, n)[:, None]
    sizes = 1 + rng.poisson(rng.uniform(0.5, 4.0, n)[:, None], (n, days))
    return np.where(smooth[:, None], rng.poisson(rate), sales * sizes).astype(np.float64)


class ProgressBar:
    """A one-line text progress bar on stderr."""

    def __init__(self, width: int = 30) -> None:
        self.width = width
        self.started = time.perf_counter()

    def __call__(self, stage: str, done: int, total: int) -> None:
        filled = int(self.width * done / total) if total else self.width
        elapsed = time.perf_counter() - self.started
        bar = "#" * filled + "." * (self.width - filled)
        print(f"\r[{bar}] {done:>7,}/{total:,} SKUs  {elapsed:6.1f} s  {stage:<28}", end="", file=sys.stderr)
        if stage == "done":
            print(file=sys.stderr)


def peak_gib() -> tuple[float, float]:
    """Peak resident memory of this process and of the largest finished child process, GiB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 2**20
    return own, children


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skus", type=int, default=30_000)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--n-jobs", type=int, default=2)
    args = parser.parse_args()

    started = time.perf_counter()
    history = synthetic_history(args.skus, args.days, args.seed)
    generated = time.perf_counter() - started
    print(f"history: {args.skus:,} SKUs x {args.days} days = {len(history):,} rows ({generated:.1f} s)")

    started = time.perf_counter()
    forecast = forecast_demand(history, horizon=HORIZON, n_jobs=args.n_jobs, progress=ProgressBar())
    elapsed = time.perf_counter() - started
    own, children = peak_gib()

    started = time.perf_counter()
    seasonal_naive_baseline(history, horizon=HORIZON, n_jobs=args.n_jobs)
    baseline = time.perf_counter() - started
    own_after, _ = peak_gib()

    report = forecast.report
    modelled = report["mase"].notna()
    print(f"forecast_demand      {elapsed:8.1f} s   {args.skus / elapsed:8.0f} series/s   (h={HORIZON}, with backtest)")
    print(f"SeasonalNaive alone  {baseline:8.1f} s   {args.skus / baseline:8.0f} series/s   (baseline, same data)")
    print(
        f"peak memory          {own:8.2f} GiB this process (history included), {children:.2f} GiB largest worker "
        f"(forked: counts pages shared with this process); {own_after:.2f} GiB after the baseline"
    )
    print("classes:", report["demand_class"].value_counts().to_dict())
    print("models: ", report["model"].value_counts().to_dict())
    means = report.loc[modelled, ["mase", "mase_naive", "rmsse", "rmsse_naive"]].mean()
    print(
        f"backtest, mean over {int(modelled.sum()):,} modelled SKUs: MASE {means['mase']:.3f} vs seasonal naive "
        f"{means['mase_naive']:.3f}, RMSSE {means['rmsse']:.3f} vs {means['rmsse_naive']:.3f}"
    )


if __name__ == "__main__":
    main()
