"""Demand history per SKU and day: what customers asked for, not what was shipped.

Demand on a shop day = units ordered through inden (each line's quantity, whatever later became of it:
allocated, waiting, shipped, or cancelled while waiting) + units refused (lost demand) + imported sales.
A day on which the SKU refused an order for want of stock is *censored*: more customers may have been
turned away by an "out of stock" page without trying, so the day's figure is a lower bound and the
forecast must not learn from it (see planning.censoring for how forecasts treat such days).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import Select, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from inden.db.models import LostDemand, OrderLine, Product, SalesHistory
from inden.planning.demand_grid import daily_demand

Q = TypeVar("Q", bound=Select[*tuple[Any, ...]])
REFUSED_FOR_STOCK = "out_of_stock"  # LostDemand.reason of the line that had no stock (services.orders)


def _shop_days(moments: pd.Series, timezone: str) -> pd.Series:
    return pd.to_datetime(moments, utc=True).dt.tz_convert(timezone).dt.tz_localize(None).dt.normalize()


def load_demand_history(session: Session, *, since: date, until: date, timezone: str,
                        product_ids: Sequence[int] | None = None) -> pd.DataFrame:
    """Daily demand of each SKU from `since` to `until` (inclusive, shop dates), gaps filled with 0.

    Columns: unique_id (SKU), ds (day), y (units), censored (bool). A SKU's series starts on the first day
    it existed in inden or in the imported history, so a new product is not padded with zeros it never had.
    """
    zone = ZoneInfo(timezone)
    start = datetime.combine(since, time.min, zone).astimezone(UTC)
    end = datetime.combine(until + timedelta(days=1), time.min, zone).astimezone(UTC)

    def scoped(query: Q, column: InstrumentedAttribute[int]) -> Q:
        return query if product_ids is None else query.where(column.in_(product_ids))

    ordered = pd.DataFrame(session.execute(scoped(
        select(OrderLine.product_id, OrderLine.order_created_at, OrderLine.quantity)
        .where(OrderLine.order_created_at >= start, OrderLine.order_created_at < end), OrderLine.product_id
    )).all(), columns=["product_id", "at", "y"])
    lost = pd.DataFrame(session.execute(scoped(
        select(LostDemand.product_id, LostDemand.created_at, LostDemand.quantity, LostDemand.reason)
        .where(LostDemand.created_at >= start, LostDemand.created_at < end), LostDemand.product_id
    )).all(), columns=["product_id", "at", "y", "reason"])
    imported = pd.DataFrame(session.execute(scoped(
        select(SalesHistory.product_id, SalesHistory.day, SalesHistory.quantity)
        .where(SalesHistory.day >= since, SalesHistory.day <= until), SalesHistory.product_id
    )).all(), columns=["product_id", "ds", "y"])
    products = pd.DataFrame(session.execute(scoped(
        select(Product.id, Product.sku, Product.created_at), Product.id)).all(),
        columns=["product_id", "unique_id", "created_at"])

    ordered["ds"] = _shop_days(ordered["at"], timezone)
    lost["ds"] = _shop_days(lost["at"], timezone)
    lost["censored"] = lost["reason"] == REFUSED_FOR_STOCK
    imported["ds"] = pd.to_datetime(imported["ds"])
    demand = pd.concat([
        ordered[["product_id", "ds", "y"]].assign(censored=False),
        lost[["product_id", "ds", "y", "censored"]],
        imported.assign(censored=False),
    ], ignore_index=True)
    products["first"] = _shop_days(products["created_at"], timezone)
    return daily_demand(demand, products, since=since, until=until)
