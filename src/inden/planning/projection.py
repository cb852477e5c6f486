"""Projected stock: what a SKU will have day by day from its position, arriving purchase orders and forecast."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True, slots=True)
class ProjectedDay:
    day: date
    arriving: int  # units expected on purchase orders that day (late ones count on the first day)
    expected: float  # stock at the end of the day if demand is the forecast's mean
    pessimistic: float  # ... if every day's demand is at the forecast's upper 80 % bound


def project_stock(*, start: date, on_hand: int, allocated: int, waiting: int, arrivals: Mapping[date, int],
                  mean: Sequence[float], high: Sequence[float]) -> list[ProjectedDay]:
    """One row per forecast day from `start`: free stock (on hand - allocated - waiting, so below zero is
    owed to customers) plus arrivals minus forecast demand, accumulated.

    Arrivals dated before `start` (late purchase orders) are counted on `start`; later ones past the forecast
    are left out. `mean` and `high` are daily demand in units from `start`, of equal length.
    """
    if len(mean) != len(high):
        raise ValueError("mean and high must cover the same days")
    expected = pessimistic = float(on_hand - allocated - waiting)
    days = []
    for offset, (demand, demand_high) in enumerate(zip(mean, high, strict=True)):
        day = start + timedelta(days=offset)
        arriving = sum(units for when, units in arrivals.items() if (when <= day if offset == 0 else when == day))
        expected += arriving - demand
        pessimistic += arriving - demand_high
        days.append(ProjectedDay(day, arriving, round(expected, 2), round(pessimistic, 2)))
    return days
