"""Sign-ups as demand: shoppers who signed up for a back-in-stock email while a product was out of stock are demand
the sales history never saw (issue 14, item 4 — offered to planning, not wired into the plan yet).

On a censored day (the product could not be ordered) the recorded demand says nothing and `censoring` drops the
day. When shoppers signed up that day, they say something: `sign_ups × conversion` of them would have bought,
where conversion is what the product's back-in-stock waves measured (`domain.waves`: the share of told shoppers
who ordered within 24 hours; 1/3 before anything was measured). `add_sign_up_demand` turns such days into
observations of that estimate — no longer censored — and leaves every other row as it was.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

DEFAULT_CONVERSION = 1 / 3  # the waves' starting factor 3, as a conversion


def add_sign_up_demand(history: pd.DataFrame, sign_ups: pd.DataFrame, conversion: Mapping[str, float | None]
                       ) -> pd.DataFrame:
    """`history` (`unique_id, ds, y, censored`) with each censored day that had sign-ups (`sign_ups`: `unique_id,
    ds, sign_ups`) observed as `y + sign_ups × conversion[sku]` (DEFAULT_CONVERSION when None or missing) and
    no longer censored. Sign-ups on days that were not censored are ignored: that demand was seen (or could have
    been). Returns a new frame with the same columns and rows."""
    if history.empty or sign_ups.empty:
        return history.copy()
    merged = history.merge(sign_ups[["unique_id", "ds", "sign_ups"]], on=["unique_id", "ds"], how="left")
    rate = merged["unique_id"].map(lambda sku: conversion.get(sku) or DEFAULT_CONVERSION).astype(float)
    counted = merged["censored"].astype(bool) & (merged["sign_ups"].fillna(0) > 0)
    merged.loc[counted, "y"] = merged.loc[counted, "y"] + merged.loc[counted, "sign_ups"] * rate[counted]
    merged.loc[counted, "censored"] = False
    return merged.drop(columns=["sign_ups"])


def unseen_units(sign_ups: int, conversion: float | None) -> float:
    """The units `sign_ups` shoppers stand for (for a plan's reason: "120 shoppers signed up while out of stock")."""
    return sign_ups * (conversion or DEFAULT_CONVERSION)
