"""The daily demand grid the forecasts learn from."""

from __future__ import annotations

from datetime import date

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from inden.planning.demand_grid import COLUMNS, daily_demand

SINCE, UNTIL = date(2026, 11, 1), date(2026, 11, 10)


def frame(rows: list[tuple[int, str, float, bool]]) -> pd.DataFrame:
    demand = pd.DataFrame(rows, columns=["product_id", "ds", "y", "censored"])
    return demand.astype({"ds": "datetime64[ns]", "y": float, "censored": bool})


PRODUCTS = pd.DataFrame({"product_id": [1, 2, 3], "unique_id": ["KOPI", "TEH", "GULA"],
                         "first": pd.to_datetime(["2026-10-01", "2026-11-05", "2026-11-01"])})


def test_each_sku_gets_every_day_from_its_start_with_gaps_as_zero_and_sums_per_day() -> None:
    grid = daily_demand(frame([(1, "2026-11-03", 2, False), (1, "2026-11-03", 3, True), (2, "2026-11-09", 1, False)]),
                        PRODUCTS, since=SINCE, until=UNTIL)

    assert list(grid.columns) == COLUMNS
    kopi, teh = grid[grid["unique_id"] == "KOPI"], grid[grid["unique_id"] == "TEH"]
    assert len(kopi) == 10 and kopi["ds"].min() == pd.Timestamp(SINCE)  # created earlier: clipped to `since`
    assert len(teh) == 6 and teh["ds"].min() == pd.Timestamp("2026-11-05")  # not padded before it existed
    day = kopi[kopi["ds"] == pd.Timestamp("2026-11-03")].iloc[0]
    assert (day["y"], day["censored"]) == (5.0, True)
    assert kopi["y"].sum() == 5.0 and not kopi[kopi["ds"] != pd.Timestamp("2026-11-03")]["censored"].any()
    assert "GULA" not in set(grid["unique_id"])  # no demand at all


def test_no_demand_gives_an_empty_history_with_the_columns() -> None:
    assert list(daily_demand(frame([]), PRODUCTS, since=SINCE, until=UNTIL).columns) == COLUMNS


@settings(deadline=None, max_examples=40)  # pandas: tens of ms an example, more on a loaded machine
@given(st.lists(st.tuples(st.sampled_from([1, 2]), st.integers(0, 9), st.integers(0, 5), st.booleans()),
                min_size=1, max_size=30))
def test_the_grid_keeps_every_unit_and_has_one_row_per_sku_and_day(rows: list[tuple[int, int, int, bool]]) -> None:
    demand = frame([(p, str(pd.Timestamp(SINCE) + pd.Timedelta(days=d))[:10], y, c) for p, d, y, c in rows])
    products = PRODUCTS.assign(first=pd.Timestamp(SINCE))

    grid = daily_demand(demand, products, since=SINCE, until=UNTIL)

    assert grid["y"].sum() == sum(y for _, _, y, _ in rows)
    assert not grid.duplicated(["unique_id", "ds"]).any()
    assert grid.groupby("unique_id").size().eq(10).all()
