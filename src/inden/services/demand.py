"""Demand history per SKU and day: what customers asked for, not what was shipped.

Demand on a shop day = units ordered through inden (each line's quantity, whatever later became of it:
allocated, waiting, shipped, or cancelled while waiting) + units refused (lost demand) + imported sales.
A day on which the SKU refused an order for want of stock is *censored*: more customers may have been
turned away by an "out of stock" page without trying, so the day's figure is a lower bound and the
forecast must not learn from it (see planning.censoring for how forecasts treat such days).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from inden.db.models import LostDemand, OrderLine, Product, SalesHistory

REFUSED_FOR_STOCK = "out_of_stock"  # LostDemand.reason of the line that had no stock (services.orders)
COLUMNS = ["unique_id", "ds", "y", "censored"]


def _shop_days(moments: pd.Series, timezone: str) -> pd.Series:
    return pd.to_datetime(moments, utc=True).dt.tz_convert(timezone).dt.tz_localize(None).dt.normalize()


def load_demand_history(session: Session, *, since: date, until: date, timezone: str,
                        product_ids: Sequence[int] | None = None) -> pd.DataFrame:
    """Daily demand of each SKU from `since` to `until` (inclusive, shop dates), gaps filled with 0.

    Columns: unique_id (SKU), ds (day), y (units), censored (bool). A SKU's series starts on the first day
    it existed in inden or in the imported history, so a new product is not padded with zeros it never had.
    """
    zone = ZoneInfo(timezone)
    start = datetime.combine(since, time.min, zone).astimezone(UTC)
    end = datetime.combine(until + timedelta(days=1), time.min, zone).astimezone(UTC)

    def scoped(query, column):  # type: ignore[no-untyped-def]
        return query if product_ids is None else query.where(column.in_(product_ids))

    ordered = pd.DataFrame(session.execute(scoped(
        select(OrderLine.product_id, OrderLine.order_created_at, OrderLine.quantity)
        .where(OrderLine.order_created_at >= start, OrderLine.order_created_at < end), OrderLine.product_id
    )).all(), columns=["product_id", "at", "y"])
    lost = pd.DataFrame(session.execute(scoped(
        select(LostDemand.product_id, LostDemand.created_at, LostDemand.quantity, LostDemand.reason)
        .where(LostDemand.created_at >= start, LostDemand.created_at < end), LostDemand.product_id
    )).all(), columns=["product_id", "at", "y", "reason"])
    imported = pd.DataFrame(session.execute(scoped(
        select(SalesHistory.product_id, SalesHistory.day, SalesHistory.quantity)
        .where(SalesHistory.day >= since, SalesHistory.day <= until), SalesHistory.product_id
    )).all(), columns=["product_id", "ds", "y"])
    products = pd.DataFrame(session.execute(scoped(
        select(Product.id, Product.sku, Product.created_at), Product.id)).all(),
        columns=["product_id", "unique_id", "created_at"])

    ordered["ds"] = _shop_days(ordered["at"], timezone)
    lost["ds"] = _shop_days(lost["at"], timezone)
    lost["censored"] = lost["reason"] == REFUSED_FOR_STOCK
    imported["ds"] = pd.to_datetime(imported["ds"])
    events = pd.concat([
        ordered[["product_id", "ds", "y"]].assign(censored=False),
        lost[["product_id", "ds", "y", "censored"]],
        imported.assign(censored=False),
    ], ignore_index=True)
    if events.empty:
        return pd.DataFrame({"unique_id": pd.Series(dtype=str), "ds": pd.Series(dtype="datetime64[ns]"),
                             "y": pd.Series(dtype=float), "censored": pd.Series(dtype=bool)})
    daily = events.groupby(["product_id", "ds"], as_index=False).agg(y=("y", "sum"), censored=("censored", "any"))

    products["first"] = _shop_days(products["created_at"], timezone)
    first_seen = daily.groupby("product_id")["ds"].min().rename("first_sale")
    spans = products.merge(first_seen, on="product_id")
    spans["start"] = spans[["first", "first_sale"]].min(axis=1).clip(lower=pd.Timestamp(since))
    last = pd.Timestamp(until)
    days = ((last - spans["start"]).dt.days + 1).to_numpy()
    offsets = np.arange(days.sum()) - np.repeat(np.cumsum(days) - days, days)  # 0..n-1 within each SKU
    grid = pd.DataFrame({
        "product_id": np.repeat(spans["product_id"].to_numpy(), days),
        "unique_id": np.repeat(spans["unique_id"].to_numpy(), days),
        "ds": np.repeat(spans["start"].to_numpy(), days) + pd.to_timedelta(offsets, unit="D"),
    })
    frame = grid.merge(daily, on=["product_id", "ds"], how="left")
    frame["y"] = pd.to_numeric(frame["y"]).astype(float).fillna(0.0)
    frame["censored"] = frame["censored"].astype("boolean").fillna(False).astype(bool)
    return frame[COLUMNS].sort_values(["unique_id", "ds"], ignore_index=True)
