"""Products and their stock: create, change, count in or out, and the view of each."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints, field_validator

from inden.domain.policy import BackorderPolicy, LimitBasis
from inden.services.schemas.common import CLEAN, MAX_ON_HAND, MAX_UNITS, Day, Float, Int, Money, Request, Sku, Text

LeadTime = Annotated[Int, Field(ge=0, le=3650)]
Limit = Annotated[Int, Field(ge=0, le=MAX_ON_HAND)]
PerCustomer = Annotated[Int, Field(ge=1, le=MAX_UNITS)]
Category = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64), CLEAN]
ServiceLevel = Annotated[Float, Field(ge=0.5, le=0.999)]
DailyDemand = Annotated[Float, Field(ge=0, le=MAX_UNITS)]


class PlanningFields(Request):
    """Optional planning inputs of a product (see services.planning)."""

    category: Category | None = None  # new products' forecasts fall back on their category
    service_level: ServiceLevel | None = None  # None: the shop's rule (INDEN_SERVICE_LEVEL)
    max_stock: Limit | None = None  # storage room in units: order quantities never exceed it
    expected_daily_demand: DailyDemand | None = None  # the seller's guess while history is short


class ProductCreate(PlanningFields):
    sku: Sku
    name: Text
    backorder_policy: BackorderPolicy = BackorderPolicy.ALLOW
    backorder_limit: Limit | None = None
    backorder_limit_basis: LimitBasis = LimitBasis.FIXED
    release_at: Day | None = None
    max_per_customer: PerCustomer | None = None
    lead_time_days: LeadTime = 14
    price: Money | None = None


class ProductPatch(PlanningFields):
    name: Text | None = None
    backorder_policy: BackorderPolicy | None = None
    backorder_limit: Limit | None = None
    backorder_limit_basis: LimitBasis | None = None
    release_at: Day | None = None
    max_per_customer: PerCustomer | None = None
    lead_time_days: LeadTime | None = None
    price: Money | None = None

    @field_validator("name", "backorder_policy", "lead_time_days", "backorder_limit_basis")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("may be left out but not null")
        return value


class StockAdjustment(Request):
    delta: Annotated[Int, Field(ge=-MAX_UNITS, le=MAX_UNITS)]
    reason: Text

    @field_validator("delta")
    @classmethod
    def _not_zero(cls, value: int) -> int:
        if value == 0:
            raise ValueError("must not be 0")
        return value


# --- views -------------------------------------------------------------------------------------------


class StockOut(BaseModel):
    on_hand: int
    allocated: int
    available: int
    backordered: int
    incoming: int


class ProductOut(BaseModel):
    sku: str
    name: str
    backorder_policy: BackorderPolicy
    backorder_limit: int | None
    backorder_limit_basis: LimitBasis
    release_at: date | None
    max_per_customer: int | None
    lead_time_days: int
    price: Money | None
    category: str | None = None
    service_level: float | None = None
    max_stock: int | None = None
    expected_daily_demand: float | None = None
    stock: StockOut
    created_at: datetime
    updated_at: datetime
