"""Suppliers, their offers, purchase orders and receipts."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field, field_validator

from inden.domain.states import PurchaseOrderStatus
from inden.services.schemas.common import (
    Bool,
    Code,
    Currency,
    Day,
    Email,
    Int,
    LineIn,
    Money,
    Quantity,
    Request,
    Sku,
    Text,
    distinct_skus,
)
from inden.services.schemas.products import LeadTime


class SupplierCreate(Request):
    code: Code
    name: Text
    email: Email | None = None
    lead_time_days: LeadTime


class OfferIn(Request):
    """A supplier's terms for one SKU (PUT: replaces what was there)."""

    lead_time_days: LeadTime | None = None
    min_order_quantity: Quantity = 1
    pack_size: Quantity = 1
    unit_cost: Money | None = None
    currency: Currency = "IDR"


class ReliabilityOut(BaseModel):
    deliveries: int
    on_time_rate: float | None
    delay_p50_days: int
    delay_p90_days: int
    mean_delay_days: float | None
    fill_ratio: float | None


class OfferOut(BaseModel):
    sku: str
    lead_time_days: int
    min_order_quantity: int
    pack_size: int
    unit_cost: Money | None
    currency: str


class SupplierOut(BaseModel):
    code: str
    name: str
    email: str | None
    lead_time_days: int
    reliability: ReliabilityOut
    offers: list[OfferOut]
    created_at: datetime


class PurchaseLineIn(Request):
    sku: Sku
    quantity: Quantity
    unit_cost: Money | None = None


class PurchaseOrderCreate(Request):
    supplier: Code
    expected_at: Day
    lines: Annotated[list[PurchaseLineIn], Field(min_length=1, max_length=1000)]
    draft: Bool = False  # a draft counts as incoming for planning; customers see ETAs from it once confirmed

    @field_validator("lines")
    @classmethod
    def _distinct(cls, lines: list[PurchaseLineIn]) -> list[PurchaseLineIn]:
        if len({line.sku for line in lines}) != len(lines):
            raise ValueError("each SKU may appear once per purchase order")
        return lines


class PurchaseOrderPatch(Request):
    expected_at: Day


class ReceiptCreate(Request):
    lines: Annotated[list[LineIn], Field(min_length=1, max_length=1000)]
    close: Bool = False  # true: nothing more will come; the purchase order is closed even if short

    _distinct = field_validator("lines")(distinct_skus)




class PurchaseLineOut(BaseModel):
    sku: str
    quantity: int
    received: int
    unit_cost: Money | None


class PurchaseOrderOut(BaseModel):
    id: int
    supplier: str
    status: PurchaseOrderStatus
    expected_at: date
    lines: list[PurchaseLineOut]
    created_at: datetime
    updated_at: datetime


class ReceiptOut(PurchaseOrderOut):
    """A purchase order after a receipt, and how many of the units it brought went at once to waiting customers
    (the HTTP API answers with the purchase order alone)."""

    served_units: int


class SupplierDelay(Request):
    days: Annotated[Int, Field(ge=-3650, le=3650)]
