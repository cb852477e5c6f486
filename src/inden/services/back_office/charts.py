"""The product chart's data: the last 90 days of demand, the stored 28-day forecast with its 80/95 % band, and
the projected stock with arriving purchase orders. Reads what the last plan run stored; forecasts nothing."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from inden.clock import shop_date, utcnow
from inden.config import Settings
from inden.db.session import Database
from inden.db.supply import open_supply
from inden.planning.projection import ProjectedDay, project_stock
from inden.services.forecasts import ForecastDay, stored_forecast
from inden.services.steps.lookup import find_product

HISTORY_DAYS = 90


@dataclass(frozen=True, slots=True)
class DemandDay:
    day: date
    units: float  # ordered + refused + imported (services.demand)
    censored: bool  # a day that refused orders for want of stock: true demand was higher


@dataclass(frozen=True, slots=True)
class Arrival:
    day: date  # expected (a late purchase order: its original date, before today)
    units: int  # still to come
    purchase_order_id: int


@dataclass(frozen=True, slots=True)
class ProductChart:
    sku: str
    today: date
    history: tuple[DemandDay, ...]  # the last HISTORY_DAYS days up to yesterday, oldest first
    forecast: tuple[ForecastDay, ...]  # from the stored plan run, future days only
    planned_at: datetime | None  # when that run forecast (None: the plan never ran for this SKU)
    arrivals: tuple[Arrival, ...]
    projection: tuple[ProjectedDay, ...]  # over the forecast's days; empty without a forecast


def _history(session: Session, product_id: int, today: date, timezone: str) -> tuple[DemandDay, ...]:
    from inden.services.demand import load_demand_history  # pandas: loaded when a chart is first drawn

    start = today - timedelta(days=HISTORY_DAYS)
    frame = load_demand_history(session, since=start, until=today - timedelta(days=1), timezone=timezone,
                                product_ids=[product_id])
    known = {ds.date(): (float(y), bool(c)) for ds, y, c in frame[["ds", "y", "censored"]].itertuples(index=False)}
    return tuple(DemandDay(start + timedelta(days=n), *known.get(start + timedelta(days=n), (0.0, False)))
                 for n in range(HISTORY_DAYS))


def product_chart(db: Database, sku: str, *, now: datetime | None = None, settings: Settings | None = None
                  ) -> ProductChart:
    """Everything the product page's chart draws, for `sku`. Raises UnknownSku."""
    settings = settings or db.settings
    today = shop_date(now or utcnow(), settings.timezone)
    with db.transaction() as session:
        product = find_product(session, sku)
        history = _history(session, product.id, today, settings.timezone)
        forecast, planned_at = stored_forecast(session, product.id)
        supply = open_supply(session, [product.id]).get(product.id, [])
        on_hand, allocated, waiting = product.on_hand, product.allocated, product.backordered
    ahead = [day for day in forecast if day.day >= today]
    arrivals = tuple(Arrival(s.expected_at, s.quantity, s.purchase_order_id) for s in supply)
    units: dict[date, int] = defaultdict(int)
    for arrival in arrivals:
        units[arrival.day] += arrival.units
    projection = project_stock(start=ahead[0].day, on_hand=on_hand, allocated=allocated, waiting=waiting,
                               arrivals=units, mean=[d.mean for d in ahead],
                               high=[d.hi_80 for d in ahead]) if ahead else []
    return ProductChart(sku=sku, today=today, history=history, forecast=tuple(ahead), planned_at=planned_at,
                        arrivals=arrivals, projection=tuple(projection))
