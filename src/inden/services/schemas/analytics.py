"""The seller's figures: demand, waiting times, per-SKU figures."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from inden.services.schemas.common import Money

# Analytics (the seller's figures at a glance)


class DemandOut(BaseModel):
    ordered_units: int  # on orders taken, from stock or to wait
    from_stock_units: int  # reserved from stock when the order came
    backordered_units: int  # had to wait when the order came
    refused_units: int  # lost demand: refused orders
    fill_rate: float | None  # from_stock / (ordered + refused)
    backorder_rate: float | None
    lost_rate: float | None


class WaitingOut(BaseModel):
    lines: int
    units: int
    mean_days: float | None
    p50_days: float | None
    p90_days: float | None
    max_days: float | None
    buckets: dict[str, int]  # lines by days waited: "0-2", "3-7", "8-14", "15+"
    scheduled_units: int  # promised from an open purchase order
    estimated_units: int  # beyond all open supply: promised from a lead time only


class SkuFigures(BaseModel):
    sku: str
    ordered_units: int
    fill_rate: float | None
    refused_units: int
    lost_value: Money | None  # refused units at today's price
    waiting_units: int
    estimated_units: int
    oldest_wait_days: float | None
    stockout_risk: float | None  # from the latest plan's pending suggestion
    suggestion_id: int | None
    below_reorder_point: bool  # the latest plan found its stock position at or below the reorder point


class AnalyticsOut(BaseModel):
    """Fill rate, waiting times, lost sales and the products at risk, over the last `days` days."""

    days: int
    since: datetime
    until: datetime
    demand: DemandOut
    waiting: WaitingOut
    lost_value: Money  # refused units at today's prices (products without a price count 0)
    currency: str
    at_risk: list[SkuFigures]  # customers waiting with no supply behind them, at or below the reorder point, or a
    # likely stock-out before the next delivery; worst first
    skus: list[SkuFigures]  # every SKU with demand in the period or customers waiting, most lost first
