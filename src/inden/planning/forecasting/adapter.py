"""The one adapter over statsforecast (Nixtla): model factories, the runner (local processes or a fugue
engine) and the seasonal-naive benchmark. statsforecast is imported inside the functions, so importing this
module is cheap."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from inden.planning.censoring import DailyHistory
from inden.planning.forecasting.series import EPOCH, SEASON_LENGTH, Series

DEFAULT_N_JOBS = -1  # statsforecast's "all cores"
ETS_MODEL = "ZNA"  # error type by AICc, no trend, additive weekly season: 30x cheaper than the full "ZZZ" search
NAIVE = "SeasonalNaive"
ETS = "AutoETS"


def models(names: Sequence[str]) -> list[Any]:
    from statsforecast.models import (
        ADIDA,
        IMAPA,
        TSB,
        AutoETS,
        CrostonOptimized,
        CrostonSBA,
        SeasonalExponentialSmoothingOptimized,
        SeasonalNaive,
        SeasonalWindowAverage,
        SimpleExponentialSmoothingOptimized,
    )

    factories: dict[str, Callable[[], Any]] = {
        "CrostonSBA": CrostonSBA,
        "CrostonOptimized": CrostonOptimized,
        "ADIDA": ADIDA,
        "IMAPA": IMAPA,
        "TSB": lambda: TSB(alpha_d=0.1, alpha_p=0.1),
        "SESOpt": SimpleExponentialSmoothingOptimized,
        "SeasESOpt": lambda: SeasonalExponentialSmoothingOptimized(season_length=SEASON_LENGTH),
        "SeasWA": lambda: SeasonalWindowAverage(season_length=SEASON_LENGTH, window_size=4),
        NAIVE: lambda: SeasonalNaive(season_length=SEASON_LENGTH),
        ETS: lambda: AutoETS(season_length=SEASON_LENGTH, model=ETS_MODEL),
    }
    return [factories[name]() for name in names]


class Runner:
    """Runs statsforecast locally (processes) or on a fugue engine, returning sorted pandas frames."""

    def __init__(self, *, n_jobs: int, engine: Any) -> None:
        self.n_jobs = n_jobs
        self.engine = engine

    def __call__(self, method: str, names: Sequence[str], df: pd.DataFrame, **kwargs: Any) -> pd.DataFrame:
        from statsforecast import StatsForecast

        n_series = int(df["unique_id"].nunique()) if self.engine is not None else 0
        # a process pool costs ~1 s to feed; worth it for big frames and for AutoETS (~15 ms a series)
        heavy = len(df) >= 200_000 or (ETS in names and df["unique_id"].nunique() >= 20)
        jobs = self.n_jobs if self.engine is not None or heavy else 1
        sf = StatsForecast(models=models(names), freq=1, n_jobs=jobs)
        if self.engine is None:
            out = getattr(sf, method)(df=df, **kwargs)
        else:
            import fugue.api as fa

            with fa.engine_context(self.engine):
                out = fa.as_pandas(getattr(sf, method)(df=df, **kwargs))
            if out["unique_id"].nunique() != n_series:
                raise RuntimeError("the distributed engine lost series")
        keys = ["unique_id", "cutoff", "ds"] if "cutoff" in out.columns else ["unique_id", "ds"]
        out = out.sort_values(keys, kind="stable").reset_index(drop=True)
        for name in names:
            # float32 on every engine, so that local and distributed runs compare models identically
            out[name] = out[name].to_numpy(dtype=np.float32).astype(np.float64)
        if "y" in out.columns:
            out["y"] = out["y"].to_numpy(dtype=np.float64)
        return out


def seasonal_naive_baseline(
    history: pd.DataFrame,
    *,
    horizon: int,
    season_length: int = SEASON_LENGTH,
    n_jobs: int = DEFAULT_N_JOBS,
) -> pd.DataFrame:
    """statsforecast's SeasonalNaive alone on the raw daily history (gaps = 0, no censoring treatment).

    The benchmark baseline. Returns ``unique_id`` (str), ``ds`` (datetime64), ``mean``.
    """
    from statsforecast import StatsForecast
    from statsforecast.models import SeasonalNaive

    daily = DailyHistory.from_frame(history)
    frame = Series(daily.y, daily.indptr, daily.end_day).frame(np.arange(len(daily.skus), dtype=np.int64))
    out = StatsForecast(models=[SeasonalNaive(season_length=season_length)], freq=1, n_jobs=n_jobs).forecast(
        h=horizon, df=frame
    )
    return pd.DataFrame(
        {
            "unique_id": daily.skus[out["unique_id"].to_numpy(dtype=np.int64)].astype(str),
            "ds": (EPOCH + out["ds"].to_numpy(dtype=np.int64)).astype("datetime64[ns]"),
            "mean": out[NAIVE].to_numpy(dtype=np.float64),
        }
    )
