"""Syntetos–Boylan demand classes from ADI and CV²."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from inden.planning.demand_classes import (
    DemandClass,
    classify,
    classify_demand,
    classify_series,
    demand_profile,
)


def test_steady_daily_sales_are_smooth() -> None:
    assert classify_series([5, 6, 5, 4, 5, 6, 5, 5]) is DemandClass.SMOOTH


def test_daily_sales_of_wildly_varying_size_are_erratic() -> None:
    assert classify_series([1, 20, 1, 2, 30, 1, 1, 25]) is DemandClass.ERRATIC


def test_occasional_sales_of_steady_size_are_intermittent() -> None:
    assert classify_series([0, 0, 3, 0, 0, 3, 0, 4, 0, 0]) is DemandClass.INTERMITTENT


def test_occasional_sales_of_varying_size_are_lumpy() -> None:
    assert classify_series([0, 0, 1, 0, 0, 25, 0, 0, 0, 2]) is DemandClass.LUMPY


def test_profile_is_days_per_sale_and_squared_coefficient_of_variation_of_sizes() -> None:
    adi, cv2 = demand_profile([0, 2, 0, 4])
    assert adi == 2.0
    assert cv2 == pytest.approx(np.var([2, 4]) / 3**2)


def test_a_sku_that_never_sold_is_intermittent() -> None:
    assert demand_profile([0, 0, 0]) == (math.inf, 0.0)
    assert classify_series([0, 0, 0]) is DemandClass.INTERMITTENT


@pytest.mark.parametrize(
    ("adi", "cv2", "expected"),
    [
        (1.31, 0.48, DemandClass.SMOOTH),
        (1.32, 0.48, DemandClass.INTERMITTENT),
        (1.31, 0.49, DemandClass.ERRATIC),
        (1.32, 0.49, DemandClass.LUMPY),
    ],
)
def test_cut_offs_are_adi_1_32_and_cv2_0_49(adi: float, cv2: float, expected: DemandClass) -> None:
    assert classify(adi, cv2) is expected


@given(st.lists(st.lists(st.integers(0, 30), min_size=1, max_size=40), min_size=1, max_size=8))
def test_classifying_many_skus_at_once_agrees_with_one_at_a_time(series: list[list[int]]) -> None:
    history = pd.DataFrame(
        {
            "unique_id": [f"sku-{i}" for i, ys in enumerate(series) for _ in ys],
            "y": [float(y) for ys in series for y in ys],
        }
    )
    table = classify_demand(history).set_index("unique_id")
    for i, ys in enumerate(series):
        adi, cv2 = demand_profile(ys)
        row = table.loc[f"sku-{i}"]
        assert row["adi"] == pytest.approx(adi)
        assert row["cv2"] == pytest.approx(cv2, abs=1e-9)
        assert row["demand_class"] == classify(adi, cv2).value
