"""The daily demand grid: one row per SKU and shop day, gaps filled with 0, censored days marked."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

COLUMNS = ["unique_id", "ds", "y", "censored"]


def empty_history() -> pd.DataFrame:
    return pd.DataFrame({"unique_id": pd.Series(dtype=str), "ds": pd.Series(dtype="datetime64[ns]"),
                         "y": pd.Series(dtype=float), "censored": pd.Series(dtype=bool)})


def daily_demand(demand: pd.DataFrame, products: pd.DataFrame, *, since: date, until: date) -> pd.DataFrame:
    """Sum `demand` per SKU and day on a full grid from each SKU's start to `until` (inclusive).

    `demand`: ``product_id``, ``ds`` (shop day), ``y`` (units), ``censored`` (bool: the day is a lower bound);
    `products`: ``product_id``, ``unique_id`` (SKU), ``first`` (the shop day it was created). A SKU's series
    starts on the earlier of its creation and its first demand, not before `since`, so a new product is not
    padded with zeros it never had; a SKU without any demand is left out. Returns `COLUMNS`, sorted.
    """
    if demand.empty:
        return empty_history()
    daily = demand.groupby(["product_id", "ds"], as_index=False).agg(y=("y", "sum"), censored=("censored", "any"))
    first_seen = daily.groupby("product_id")["ds"].min().rename("first_sale")
    spans = products.merge(first_seen, on="product_id")
    spans["start"] = spans[["first", "first_sale"]].min(axis=1).clip(lower=pd.Timestamp(since))
    days = ((pd.Timestamp(until) - spans["start"]).dt.days + 1).to_numpy()
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
