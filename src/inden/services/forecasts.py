"""Stored forecasts: a plan run keeps each SKU's daily forecast (mean and 80/95 % bounds) so that pages read it
instead of forecasting again (the product chart; see services.back_office.charts)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from inden.clock import as_utc
from inden.db.models import DemandForecast
from inden.db.session import Database

STORED_DAYS = 28  # forecast days kept per SKU (the chart's horizon)
CHUNK = 5_000  # product ids per DELETE (SQLite limits bound parameters)


@dataclass(frozen=True, slots=True)
class ForecastDay:
    day: date
    mean: float  # units
    lo_80: float
    hi_80: float
    lo_95: float
    hi_95: float


def store_forecasts(db: Database, paths: Any, product_ids: Mapping[str, int], *, now: datetime,
                    days: int = STORED_DAYS) -> int:
    """Replace the stored forecast of every SKU in `product_ids` with the first `days` days of `paths` (the
    forecaster's frame: unique_id, ds, mean, lo_80, hi_80, lo_95, hi_95). Returns the rows written."""
    frame = paths[paths["unique_id"].isin(list(product_ids))].sort_values(["unique_id", "ds"])
    frame = frame.groupby("unique_id", sort=False).head(days)
    rows = [
        {"product_id": product_ids[sku], "day": ds.date(), "mean": float(mean), "lo_80": float(lo80),
         "hi_80": float(hi80), "lo_95": float(lo95), "hi_95": float(hi95), "planned_at": now}
        for sku, ds, mean, lo80, hi80, lo95, hi95 in frame[
            ["unique_id", "ds", "mean", "lo_80", "hi_80", "lo_95", "hi_95"]].itertuples(index=False)
    ]
    ids = sorted(product_ids.values())
    with db.transaction() as session:
        for start in range(0, len(ids), CHUNK):
            session.execute(delete(DemandForecast).where(DemandForecast.product_id.in_(ids[start:start + CHUNK])))
        if rows:
            session.execute(insert(DemandForecast), rows)
    return len(rows)


def stored_forecast(session: Session, product_id: int) -> tuple[list[ForecastDay], datetime | None]:
    """A product's stored forecast days (first day first) and when the plan run made them (None: never)."""
    rows = session.execute(
        select(DemandForecast.day, DemandForecast.mean, DemandForecast.lo_80, DemandForecast.hi_80,
               DemandForecast.lo_95, DemandForecast.hi_95, DemandForecast.planned_at)
        .where(DemandForecast.product_id == product_id).order_by(DemandForecast.day)).all()
    planned_at = as_utc(rows[0].planned_at) if rows else None
    return [ForecastDay(*row[:6]) for row in rows], planned_at
