"""A plan run stores each SKU's forecast; the product chart reads it with demand history and projected stock."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from inden.db.models import DemandForecast
from inden.db.session import Database
from inden.services import supply
from inden.services.back_office.charts import HISTORY_DAYS, product_chart
from inden.services.forecasts import STORED_DAYS
from inden.services.planning.run import run_plan
from inden.services.schemas.supply import PurchaseOrderCreate
from tests.integration.test_replenishment import NOW, TODAY, shop


def test_a_plan_run_stores_every_skus_forecast_once(db: Database) -> None:
    shop(db, {"SERUM": 4.0, "TONER": 0.5})
    run_plan(db, now=NOW)
    run_plan(db, now=NOW + timedelta(hours=1))  # replaces, never adds
    with db.transaction() as session:
        counts = dict(session.execute(select(DemandForecast.product_id, func.count())
                                      .group_by(DemandForecast.product_id)).all())
        first = session.scalar(select(func.min(DemandForecast.day)))
    assert sorted(counts.values()) == [STORED_DAYS, STORED_DAYS] and first == TODAY


def test_the_chart_shows_history_the_forecast_band_and_stock_projected_with_arrivals(db: Database) -> None:
    shop(db, {"SERUM": 4.0}, on_hand=20)
    spec = PurchaseOrderCreate(supplier="MURAH", expected_at=TODAY + timedelta(days=5),
                               lines=[{"sku": "SERUM", "quantity": 60}])
    po_id = supply.create_purchase_order(db, spec, now=NOW).id
    before = product_chart(db, "SERUM", now=NOW)
    assert before.forecast == () and before.projection == () and before.planned_at is None
    run_plan(db, now=NOW)
    chart = product_chart(db, "SERUM", now=NOW)
    assert len(chart.history) == HISTORY_DAYS and chart.history[-1].day == TODAY - timedelta(days=1)
    assert sum(d.units for d in chart.history) > 0 and chart.planned_at == NOW
    assert len(chart.forecast) == STORED_DAYS and chart.forecast[0].day == TODAY
    assert all(d.lo_95 <= d.lo_80 <= d.mean <= d.hi_80 <= d.hi_95 for d in chart.forecast)
    assert [(a.day, a.units, a.purchase_order_id) for a in chart.arrivals] == [(TODAY + timedelta(days=5), 60, po_id)]
    assert chart.projection[0].expected == round(20 - chart.forecast[0].mean, 2)
    fifth = chart.projection[5]
    assert fifth.arriving == 60 and fifth.expected > chart.projection[4].expected
    assert all(d.pessimistic <= d.expected for d in chart.projection)
