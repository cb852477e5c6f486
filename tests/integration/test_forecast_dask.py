"""The same forecasts on a local Dask cluster (statsforecast's fugue back-end) as in local processes."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("dask")
distributed = pytest.importorskip("distributed")
pytest.importorskip("fugue_dask")

from bench.forecast import synthetic_history  # noqa: E402

from inden.planning.forecasting import forecast_demand  # noqa: E402

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
def test_a_dask_cluster_chooses_the_same_models_and_forecasts_as_local_processes(client: object) -> None:
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
