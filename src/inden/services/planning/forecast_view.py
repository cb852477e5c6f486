"""One product's forecast on request (`GET /v1/products/{sku}/forecast`): the same forecast `inden forecast`
and the plan use, with the shopping calendar and the planned events applied."""

from __future__ import annotations

from datetime import datetime

from inden.db.session import Database
from inden.domain.errors import UnknownSku
from inden.services.planning.snapshot import forecast_snapshot, take_snapshot, with_planned_events
from inden.services.schemas.planning import ForecastDay, ForecastOut


def product_forecast(db: Database, sku: str, *, days: int, base: bool, now: datetime) -> ForecastOut:
    """`days` days of `sku`'s forecast from today; `base`: without the planned events. UnknownSku if none."""
    snapshot = take_snapshot(db, now=now, skus=[sku])
    if sku not in snapshot.products:
        raise UnknownSku(sku)
    made = forecast_snapshot(snapshot, horizon=days)
    planned = with_planned_events(snapshot, made)
    model = str(made.report.set_index("unique_id").loc[sku, "model"])
    rows = []
    for r in planned[planned["unique_id"] == sku].itertuples():
        scale = 1.0 if not base or r.mean == 0 else r.base_mean / r.mean
        rows.append(ForecastDay(
            date=r.ds.date(), mean=round(r.base_mean if base else r.mean, 3),
            lo_80=round(r.lo_80 * scale, 3), hi_80=round(r.hi_80 * scale, 3), lo_95=round(r.lo_95 * scale, 3),
            hi_95=round(r.hi_95 * scale, 3), base_mean=round(r.base_mean, 3),
            events=[] if base else [part for part in str(r.events).split("; ") if part]))
    return ForecastOut(sku=sku, model=model, days=rows)
