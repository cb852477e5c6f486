"""Sign-ups as demand: shoppers who signed up for a back-in-stock email while a product was out of stock are demand
the sales history never saw (issue 14, item 4; the plan applies it in `services.planning.snapshot`).

A shopper signs up only when they cannot buy (the form shows while the product is out of stock), so a day with
sign-ups is a stock-out day whose recorded demand is short by `sign_ups × conversion`, where conversion is what
the product's back-in-stock waves measured (`domain.waves`: the share of told shoppers who ordered within 24
hours; 1/3 before anything was measured). Without this, a sold-out product's quiet days read as "nobody wants
it" and its forecast sinks exactly when shoppers are asking for it. `add_sign_up_demand` adds that estimate to
such days (a day with sign-ups and no recorded demand becomes a row) and counts them as observed — no longer
censored — and leaves every other row as it was.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

DEFAULT_CONVERSION = 1 / 3  # the waves' starting factor 3, as a conversion


def add_sign_up_demand(history: pd.DataFrame, sign_ups: pd.DataFrame, conversion: Mapping[str, float | None]
                       ) -> pd.DataFrame:
    """`history` (`unique_id, ds, y, censored`) with each day that had sign-ups (`sign_ups`: `unique_id, ds,
    sign_ups`) observed as `y + sign_ups × conversion[sku]` (DEFAULT_CONVERSION when None or missing) and no
    longer censored; a sign-up day missing from `history` is added with that estimate. Returns a new frame
    with the same columns."""
    if sign_ups.empty:
        return history.copy()
    columns = list(history.columns) if len(history.columns) else ["unique_id", "ds", "y", "censored"]
    merged = history.merge(sign_ups[["unique_id", "ds", "sign_ups"]], on=["unique_id", "ds"], how="outer")
    merged["y"] = merged["y"].fillna(0.0)
    merged["censored"] = merged["censored"].astype("boolean").fillna(False).astype(bool) \
        if "censored" in merged.columns else False
    rate = merged["unique_id"].map(lambda sku: conversion.get(sku) or DEFAULT_CONVERSION).astype(float)
    counted = merged["sign_ups"].fillna(0) > 0
    merged.loc[counted, "y"] = merged.loc[counted, "y"] + merged.loc[counted, "sign_ups"] * rate[counted]
    merged.loc[counted, "censored"] = False
    return merged.drop(columns=["sign_ups"])[columns].sort_values(["unique_id", "ds"], ignore_index=True)


def unseen_units(sign_ups: int, conversion: float | None) -> float:
    """The units `sign_ups` shoppers stand for (for a plan's reason: "120 shoppers signed up while out of stock")."""
    return sign_ups * (conversion or DEFAULT_CONVERSION)
