"""The product page's charts: inline SVG drawn from the stored forecast and the projected stock."""

from __future__ import annotations

from datetime import date, timedelta

from inden.planning.projection import project_stock
from inden.services.forecasts import ForecastDay
from inden.web.backoffice.chart import demand_chart, stock_chart

TODAY = date(2026, 12, 1)


def test_the_demand_chart_is_labelled_svg_with_both_forecast_bands_and_no_script() -> None:
    history = [(TODAY - timedelta(days=n), float(n % 3)) for n in range(90, 0, -1)]
    forecast = [ForecastDay(TODAY + timedelta(days=n), 2.0, 1.0, 3.0, 0.5, 4.0) for n in range(28)]
    svg = str(demand_chart("Permintaan <harian>", history, forecast))
    assert svg.startswith("<svg") and 'role="img"' in svg and "<title>Permintaan &lt;harian&gt;</title>" in svg
    assert svg.count("<polygon") == 2 and svg.count("<polyline") == 1 and "<script" not in svg
    assert svg.count("<rect") == sum(1 for _, units in history if units)  # a bar per day with demand


def test_the_stock_chart_marks_arrivals_and_shades_below_zero() -> None:
    projection = project_stock(start=TODAY, on_hand=5, allocated=5, waiting=3, arrivals={TODAY + timedelta(days=9): 20},
                               mean=[1.0] * 28, high=[2.0] * 28)
    svg = str(stock_chart("Proyeksi", projection))
    assert svg.count("<circle") == 1  # the day the purchase order arrives
    assert "fdecea" in svg and 'stroke-dasharray="6 5"' in svg  # customers wait; the pessimistic line


def test_no_chart_without_data() -> None:
    assert str(demand_chart("x", [], [])) == "" and str(stock_chart("x", [])) == ""
