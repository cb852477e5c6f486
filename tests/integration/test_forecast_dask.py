"""The same forecasts on a local Dask cluster (statsforecast's fugue back-end) as in local processes."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("dask")
distributed = pytest.importorskip("distributed")
pytest.importorskip("fugue_dask")

from bench.forecast import synthetic_history  # noqa: E402

from inden.planning.forecasting import Forecast, forecast_demand  # noqa: E402
from inden.planning.replenishment import PlanSettings, Position, plan_replenishment  # noqa: E402
from inden.planning.suppliers import SupplierOption  # noqa: E402
from inden.services.planning.snapshot import forecast_inputs  # noqa: E402

pytestmark = pytest.mark.slow  # starts a Dask cluster

SKUS, DAYS, HORIZON = 240, 180, 14


@pytest.fixture(scope="module")
def client() -> Iterator[object]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PYTHONWARNINGS", "ignore::FutureWarning")  # pandas deprecation chatter from dask workers
        cluster = distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            memory_limit="2GiB",
            silence_logs=logging.ERROR,
        )
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


@pytest.mark.timeout(120)
def test_a_dask_cluster_gives_the_same_models_forecasts_and_suggestions_as_local_processes(client: object) -> None:
    history = synthetic_history(SKUS, DAYS, seed=5)
    # a few new SKUs with too little history, so the fallbacks are compared too
    new = (history["unique_id"].cat.codes < 4) & (history["ds"] < history["ds"].max() - pd.Timedelta(days=9))
    history = history[~new]
    options = {"horizon": HORIZON, "ets_budget": 10, "categories": {f"SKU-{i:06d}": "a" for i in range(0, SKUS, 3)}}

    local = forecast_demand(history, n_jobs=1, **options)
    on_dask = forecast_demand(history, engine=client, **options)

    print("\nmodels:", local.report["model"].value_counts().to_dict())
    assert local.report["model"].nunique() >= 5
    pd.testing.assert_series_equal(on_dask.report["model"], local.report["model"])
    pd.testing.assert_series_equal(on_dask.report["fallback"], local.report["fallback"])
    for column in ("mase", "rmsse", "mase_naive", "sigma"):
        np.testing.assert_allclose(on_dask.report[column], local.report[column], rtol=1e-9, equal_nan=True)
    assert (on_dask.paths["unique_id"] == local.paths["unique_id"]).all()
    assert (on_dask.paths["ds"] == local.paths["ds"]).all()
    for column in ("mean", "lo_80", "hi_80", "lo_95", "hi_95"):
        np.testing.assert_allclose(on_dask.paths[column], local.paths[column], rtol=1e-5, atol=1e-6)

    local_plans, dask_plans = suggestions(local), suggestions(on_dask)
    assert sum(quantity > 0 for _, _, quantity, _ in local_plans) > SKUS // 10  # enough suggestions to compare
    assert dask_plans == local_plans


def suggestions(forecast: Forecast) -> list[tuple[str, str | None, int, float]]:
    """The planner's decisions from a forecast, for a shop with stock for about a week of each SKU."""
    paths, sigmas = forecast_inputs(forecast)
    positions = [Position(sku=sku, on_hand=int(path[:7].sum()), allocated=0, backordered=0, incoming=0,
                          price=50_000.0) for sku, path in sorted(paths.items())]
    offers = {p.sku: [SupplierOption(supplier="LOKAL", unit_cost=33_000, lead_time_days=3),
                      SupplierOption(supplier="IMPOR", unit_cost=30_000, lead_time_days=21, moq=12, pack_size=6)]
              for p in positions}
    plans = plan_replenishment(paths, sigmas, positions, offers, {}, [], today=date(2026, 12, 1),
                               settings=PlanSettings(), lead_times={})
    return [(p.sku, p.supplier, p.quantity, round(p.reorder_point, 3)) for p in plans]
