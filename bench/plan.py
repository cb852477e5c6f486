"""Planning end to end: forecast, inventory policy and purchase suggestions for a large catalogue.

    .venv/bin/python bench/plan.py [--skus 30000] [--days 730] [--cluster tcp://host:8786 | local]

Prints the total time (target ≤ 60 s for 30,000 SKUs × 730 days on 2 cores), series per second, the peak
memory of this process and its workers together (target ≤ 4 GiB), and as the same-run baseline the time
statsforecast's SeasonalNaive alone takes on the same data. With --cluster, the forecasting again on a Dask
cluster ('local': two single-threaded worker processes here): its time beside the local run, and whether
the models and suggestions are the same.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.m5 import m5_history  # noqa: E402

from bench.forecast import synthetic_history  # noqa: E402
from inden.planning.forecasting import Forecast, forecast_demand, seasonal_naive_baseline  # noqa: E402
from inden.planning.lead_time_demand import recent_demand  # noqa: E402
from inden.planning.replenishment import PlanSettings, Position, SkuPlan, plan_replenishment  # noqa: E402
from inden.planning.suppliers import SupplierOption  # noqa: E402
from inden.services.planning.snapshot import forecast_inputs, total_sds  # noqa: E402

HORIZON = 56


class PeakMemory:
    """Samples the memory of this process and all its descendants (workers) every 0.2 s.

    Proportional set size (Pss): a page shared by forked workers counts once in total, so the sum is the
    memory the machine really needs (adding each worker's RSS would count the parent's pages again and again).
    """

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _tree_pss() -> int:
        children: dict[int, list[int]] = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
        total, stack = 0, [os.getpid()]
        while stack:
            pid = stack.pop()
            try:
                rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
            except OSError:
                rollup = ""
            for line in rollup.splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1]) * 1024
            stack.extend(children.get(pid, []))
        return total

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            self.peak = max(self.peak, self._tree_pss())

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def progress(stage: str, done: int, total: int) -> None:
    width = 30
    filled = int(width * done / max(total, 1))
    print(f"\r  {stage:<28} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}", end="", file=sys.stderr,
          flush=True)
    if done >= total:
        print(file=sys.stderr)


def positions_and_offers(skus: list[str], paths: dict[str, np.ndarray], seed: int
                         ) -> tuple[list[Position], dict[str, list[SupplierOption]]]:
    """A shop mid-season: stock around two weeks of demand (some out, some waiting), two suppliers per SKU."""
    rng = np.random.default_rng(seed)
    positions, offers = [], {}
    for sku in skus:
        rate = float(paths[sku][:28].mean()) if sku in paths else 0.0
        on_hand = int(rng.poisson(rate * rng.uniform(0, 30)))
        backordered = int(rng.poisson(rate * 2)) if on_hand == 0 else 0
        positions.append(Position(sku=sku, on_hand=on_hand, allocated=min(on_hand, int(rng.poisson(rate))),
                                  backordered=backordered, incoming=int(rng.poisson(rate * 7)) * int(rng.random() < .3),
                                  price=float(rng.uniform(20_000, 200_000))))
        cost = positions[-1].price * 0.6  # type: ignore[operator]
        offers[sku] = [
            SupplierOption(supplier="LOCAL", unit_cost=cost * 1.1, lead_time_days=3, delay_p90_days=1),
            SupplierOption(supplier="IMPORT", unit_cost=cost, lead_time_days=21, moq=24, pack_size=12,
                           delay_p90_days=7, fill_ratio=0.95),
        ]
    return positions, offers


def m5_accuracy() -> str:
    """Backtest accuracy on the real M5 sample, as the product forecasts it, against seasonal naive."""
    report = forecast_demand(m5_history(), horizon=28).report
    better = int((report["rmsse"] < report["rmsse_naive"]).sum())
    return (f"M5 sample ({len(report)} real SKUs): mean MASE {report['mase'].mean():.3f} vs seasonal naive "
            f"{report['mase_naive'].mean():.3f}; mean RMSSE {report['rmsse'].mean():.3f} vs "
            f"{report['rmsse_naive'].mean():.3f}; chosen model better on {better}/{len(report)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--skus", type=int, default=30_000)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--cluster", help="also run the forecasting on this Dask scheduler (tcp://host:8786), or "
                                          "'local' for a 2-worker cluster on this machine, and compare")
    args = parser.parse_args()

    print(f"generating {args.skus:,} SKUs × {args.days} days …", file=sys.stderr)
    history = synthetic_history(args.skus, args.days, args.seed)
    today = (history["ds"].max() + timedelta(days=1)).date()

    started = time.perf_counter()
    seasonal_naive_baseline(history, horizon=HORIZON)
    baseline = time.perf_counter() - started

    with PeakMemory() as memory:
        started = time.perf_counter()
        forecast = forecast_demand(history, horizon=HORIZON, progress=progress)
        forecasted = time.perf_counter() - started
        plans = plan(forecast, history, today, args.seed)
        total = time.perf_counter() - started

    suggestions = sum(p.quantity > 0 for p in plans)
    expedite = sum(p.expedite for p in plans)
    models = forecast.report["model"].value_counts().to_dict()
    print(f"SKUs × days            {args.skus:,} × {args.days}")
    print(f"forecast (+backtest)   {forecasted:8.1f} s")
    print(f"policy + suggestions   {total - forecasted:8.1f} s  ({suggestions:,} suggestions, {expedite:,} expedite)")
    print(f"total                  {total:8.1f} s  ({args.skus / total:,.0f} series/s)   target ≤ 60 s")
    print(f"peak memory            {memory.peak / 2**30:8.2f} GiB (process + workers)   target ≤ 4 GiB")
    print(f"baseline: SeasonalNaive alone {baseline:.1f} s  → total/baseline {total / baseline:.1f}×")
    print(f"models chosen: {models}")
    report = forecast.report
    print(f"synthetic backtest: mean MASE {report['mase'].mean():.3f} vs seasonal naive "
          f"{report['mase_naive'].mean():.3f}")
    print(m5_accuracy())
    if args.cluster:
        on_cluster(args.cluster, history, today, args.seed, forecast, plans, forecasted)


def plan(forecast: Forecast, history: pd.DataFrame, today: date, seed: int) -> list[SkuPlan]:
    """The planner as `run_plan` calls it: measured lead-time errors and the last year's demand included."""
    paths, sigmas = forecast_inputs(forecast)
    positions, offers = positions_and_offers(sorted(paths), paths, seed)
    return plan_replenishment(paths, sigmas, positions, offers, {}, [], today=date.fromordinal(today.toordinal()),
                              settings=PlanSettings(), lead_times={}, total_sds=total_sds(forecast),
                              recent=recent_demand(history))


def on_cluster(address: str, history: pd.DataFrame, today: date, seed: int, local: Forecast,
               local_plans: list[SkuPlan], local_seconds: float) -> None:
    """The same forecast on a Dask cluster: its time beside the local one, and whether models and
    suggestions agree."""
    import logging

    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                           silence_logs=logging.ERROR) if address == "local" else None
    with Client(cluster if cluster is not None else address) as client:
        workers = len(client.scheduler_info()["workers"])
        started = time.perf_counter()
        remote = forecast_demand(history, horizon=HORIZON, engine=client)
        seconds = time.perf_counter() - started
    if cluster is not None:
        cluster.close()
    same_models = bool((remote.report["model"] == local.report["model"]).all())
    decided = [(p.sku, p.supplier, p.quantity) for p in plan(remote, history, today, seed)]
    same_plans = decided == [(p.sku, p.supplier, p.quantity) for p in local_plans]
    print(f"forecast on the cluster ({workers} workers at {address}) {seconds:8.1f} s  vs local {local_seconds:.1f} s"
          f"  ({seconds / local_seconds:.2f}x); same models: {same_models}; same suggestions: {same_plans}")


if __name__ == "__main__":
    main()
