"""The product page's charts: the projected stock and the SVG drawn from it."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from inden.web.backoffice.chart import ForecastDay, demand_chart, projected_stock, stock_chart

TODAY = date(2026, 12, 1)


@given(start=st.integers(-500, 500), per_day=st.floats(0, 50), days=st.integers(1, 60),
       arrivals=st.lists(st.tuples(st.integers(-10, 70), st.integers(1, 500)), max_size=5))
def test_projected_stock_is_the_start_plus_what_arrives_minus_what_sells(start: int, per_day: float, days: int,
                                                                        arrivals: list[tuple[int, int]]) -> None:
    dated = [(TODAY + timedelta(days=offset), units) for offset, units in arrivals]
    points = projected_stock(start, TODAY, days=days, demand_per_day=per_day, arrivals=dated)
    assert [day for day, _ in points] == [TODAY + timedelta(days=n) for n in range(days + 1)]
    arrived = sum(units for offset, units in arrivals if offset <= days)  # late ones count as arriving today
    scale = max(1, abs(start) + arrived + per_day * days)
    assert abs(points[-1][1] - (start + arrived - per_day * days)) < 1e-6 * scale


def test_a_late_purchase_order_counts_as_arriving_today() -> None:
    points = projected_stock(-3, TODAY, days=2, demand_per_day=1, arrivals=[(TODAY - timedelta(days=4), 10)])
    assert [level for _, level in points] == [7, 6, 5]


def test_the_charts_are_labelled_svg_without_scripts() -> None:
    history = [(TODAY - timedelta(days=n), n % 3) for n in range(90, 0, -1)]
    forecast = [ForecastDay(TODAY + timedelta(days=n), 2.0, 1.0, 3.0, 0.5, 4.0) for n in range(1, 29)]
    demand = str(demand_chart("Permintaan <harian>", history, forecast))
    assert demand.startswith("<svg") and 'role="img"' in demand and "&lt;harian&gt;" in demand
    assert demand.count("<polygon") == 2 and "<script" not in demand  # the 95 and 80 bands
    points = projected_stock(5, TODAY, days=28, demand_per_day=1, arrivals=[(TODAY + timedelta(days=9), 20)])
    stock = str(stock_chart("Proyeksi", points, [(TODAY + timedelta(days=9), 20)]))
    assert stock.count("<circle") == 1 and "fdecea" in stock  # an arrival marked; below zero shaded
