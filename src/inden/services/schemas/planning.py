"""Demand events (promotions, launches) and replenishment suggestions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, model_validator

from inden.domain.states import SuggestionStatus
from inden.services.schemas.common import Bool, Code, Day, Float, Money, Quantity, Request, Sku, Text

# --- planning ----------------------------------------------------------------------------------------

EventKind = Literal["promotion", "flash_sale", "launch"]


class EventCreate(Request):
    """A planned event. `uplift` multiplies the forecast over the window; `expected_units` is the total a
    SKU is expected to sell over the window (give one of the two)."""

    name: Text
    kind: EventKind = "promotion"
    starts_on: Day
    ends_on: Day
    skus: Annotated[list[Sku], Field(min_length=1, max_length=10_000)]
    uplift: Annotated[Float, Field(gt=0, le=1000)] | None = None
    expected_units: Quantity | None = None

    @model_validator(mode="after")
    def _consistent(self) -> EventCreate:
        if (self.uplift is None) == (self.expected_units is None):
            raise ValueError("give either uplift or expected_units (one of them)")
        if self.ends_on < self.starts_on:
            raise ValueError("ends_on must not be before starts_on")
        if (self.ends_on - self.starts_on).days > 366:
            raise ValueError("an event lasts at most a year")
        if len(set(self.skus)) != len(self.skus):
            raise ValueError("each SKU may appear once")
        return self


class EventOut(BaseModel):
    id: int
    name: str
    kind: EventKind
    starts_on: Day
    ends_on: Day
    skus: list[str]
    uplift: float | None
    expected_units: int | None
    # Past events: demand per day in the window vs the 28 days before (uncensored days), all SKUs together.
    measured_uplift: float | None
    baseline_per_day: float | None
    actual_per_day: float | None
    created_at: datetime


class SuggestionFigures(BaseModel):
    """What the planner saw and computed (units; risk is a probability)."""

    on_hand: int
    allocated: int
    backordered: int
    incoming: int
    inventory_position: int
    demand_per_day: float
    lead_time_days: float
    forecast_lead_time: float
    safety_stock: float
    reorder_point: float
    service_level: float
    risk: float
    days_of_cover: float | None
    events: list[str]
    capped: bool = False  # the reorder point was capped by the SKU's own year (planning.lead_time_demand)
    sign_ups: int = 0  # back-in-stock sign-ups while out of stock, counted into the forecast's history
    sign_up_units: int = 0  # the demand they stand for (sign-ups x measured conversion), rounded




class SuggestionOut(BaseModel):
    id: int
    sku: str
    status: SuggestionStatus
    supplier: str | None
    quantity: int
    unit_cost: Money | None
    need_by: date
    expected_at: date
    expedite: bool
    reason: str
    figures: SuggestionFigures
    purchase_order_id: int | None
    created_at: datetime


class ApproveSuggestion(Request):
    """Turn a suggestion into a purchase order; leave a field out to take the suggestion's."""

    quantity: Quantity | None = None
    supplier: Code | None = None
    expected_at: Day | None = None
    draft: Bool = False


class ForecastDay(BaseModel):
    """One day of a SKU's forecast, as the plan uses it: the shopping calendar and the planned events applied
    (`base_mean`: before the events; `events`: the events and calendar rules moving the day)."""

    date: date
    mean: float
    lo_80: float
    hi_80: float
    lo_95: float
    hi_95: float
    base_mean: float
    events: list[str]


class ForecastOut(BaseModel):
    sku: str
    model: str
    days: list[ForecastDay]
