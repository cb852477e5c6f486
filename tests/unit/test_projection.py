"""Projected stock from free stock, arriving purchase orders and the forecast."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inden.planning.projection import project_stock

START = date(2026, 12, 1)


def test_stock_falls_by_the_forecast_and_rises_with_each_arrival() -> None:
    days = project_stock(start=START, on_hand=10, allocated=2, waiting=3, arrivals={START + timedelta(days=2): 20},
                         mean=[1.0, 1.0, 1.0, 1.0], high=[2.0, 2.0, 2.0, 2.0])
    assert [d.expected for d in days] == [4.0, 3.0, 22.0, 21.0]
    assert [d.pessimistic for d in days] == [3.0, 1.0, 19.0, 17.0]
    assert [d.arriving for d in days] == [0, 0, 20, 0]


def test_a_late_purchase_order_counts_on_the_first_day_and_one_beyond_the_forecast_not_at_all() -> None:
    days = project_stock(start=START, on_hand=0, allocated=0, waiting=5,
                         arrivals={START - timedelta(days=3): 8, START + timedelta(days=30): 50},
                         mean=[0.0, 0.0], high=[0.0, 0.0])
    assert [(d.arriving, d.expected) for d in days] == [(8, 3.0), (0, 3.0)]


def test_the_forecast_bounds_must_cover_the_same_days() -> None:
    with pytest.raises(ValueError):
        project_stock(start=START, on_hand=0, allocated=0, waiting=0, arrivals={}, mean=[1.0], high=[])


@given(on_hand=st.integers(0, 1000), waiting=st.integers(0, 1000),
       demand=st.lists(st.floats(0, 50), min_size=1, max_size=40),
       arrivals=st.dictionaries(st.integers(-5, 45), st.integers(1, 500), max_size=5))
def test_units_are_conserved_over_the_horizon(on_hand: int, waiting: int, demand: list[float],
                                              arrivals: dict[int, int]) -> None:
    dated = {START + timedelta(days=n): units for n, units in arrivals.items()}
    days = project_stock(start=START, on_hand=on_hand, allocated=0, waiting=waiting, arrivals=dated, mean=demand,
                         high=demand)
    arrived = sum(units for n, units in arrivals.items() if n < len(demand))
    assert sum(d.arriving for d in days) == arrived
    assert days[-1].expected == pytest.approx(on_hand - waiting + arrived - sum(demand), abs=0.01 * len(demand))
    assert [d.day for d in days] == [START + timedelta(days=n) for n in range(len(demand))]
