"""The data services take and give: validated requests and plain views.

The HTTP API (`inden.api`) and the CLI use these same models, so a rule about valid input lives in one place.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, StringConstraints, field_validator

from inden.domain.orders import Fulfilment, OrderStatus
from inden.domain.policy import BackorderPolicy

MAX_UNITS = 10_000_000  # per line or movement; anything larger is a typo, not a sale
MAX_ON_HAND = 1_000_000_000

Sku = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._-]{1,64}$")]
Quantity = Annotated[int, Field(gt=0, le=MAX_UNITS)]
Email = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
]
Locale = Literal["id", "en"]
Money = Annotated[
    Decimal,
    Field(ge=0, max_digits=14, decimal_places=2),
    PlainSerializer(lambda d: f"{d:.2f}", return_type=str, when_used="json"),
]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ProductCreate(Request):
    sku: Sku
    name: Text
    backorder_policy: BackorderPolicy = BackorderPolicy.ALLOW
    backorder_limit: Annotated[int, Field(ge=0, le=MAX_ON_HAND)] | None = None
    release_at: date | None = None
    lead_time_days: Annotated[int, Field(ge=0, le=3650)] = 14
    price: Money | None = None


class ProductPatch(Request):
    name: Text | None = None
    backorder_policy: BackorderPolicy | None = None
    backorder_limit: Annotated[int, Field(ge=0, le=MAX_ON_HAND)] | None = None
    release_at: date | None = None
    lead_time_days: Annotated[int, Field(ge=0, le=3650)] | None = None
    price: Money | None = None

    @field_validator("name", "backorder_policy", "lead_time_days")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("may be left out but not null")
        return value


class StockAdjustment(Request):
    delta: Annotated[int, Field(ge=-MAX_UNITS, le=MAX_UNITS)]
    reason: Text

    @field_validator("delta")
    @classmethod
    def _not_zero(cls, value: int) -> int:
        if value == 0:
            raise ValueError("must not be 0")
        return value


class Customer(Request):
    email: Email
    name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None
    locale: Locale = "id"


class LineIn(Request):
    sku: Sku
    quantity: Quantity


def _distinct_skus(lines: list[LineIn] | None) -> list[LineIn] | None:
    if lines is not None:
        seen: set[str] = set()
        for line in lines:
            if line.sku in seen:
                raise ValueError(f"SKU {line.sku!r} appears twice; put each SKU on one line")
            seen.add(line.sku)
    return lines


class OrderCreate(Request):
    external_id: Annotated[str, StringConstraints(max_length=128)] | None = None
    customer: Customer
    lines: Annotated[list[LineIn], Field(min_length=1, max_length=200)]
    fulfilment: Fulfilment = Fulfilment.PARTIAL
    priority: Annotated[int, Field(ge=-1000, le=1000)] = 0

    _distinct = field_validator("lines")(_distinct_skus)


class LineSelection(Request):
    """Which units to cancel or ship; `lines: null` means all that apply."""

    lines: Annotated[list[LineIn], Field(min_length=1, max_length=200)] | None = None

    _distinct = field_validator("lines")(_distinct_skus)


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
    release_at: date | None
    lead_time_days: int
    price: Money | None
    stock: StockOut
    created_at: datetime
    updated_at: datetime


class CustomerOut(BaseModel):
    email: str
    name: str | None
    locale: str


EtaConfidence = Literal["scheduled", "estimated"]


class OrderLineOut(BaseModel):
    sku: str
    quantity: int
    allocated: int
    backordered: int
    shipped: int
    cancelled: int
    position: int | None
    eta: date | None = None
    eta_latest: date | None = None
    eta_confidence: EtaConfidence | None = None


class OrderOut(BaseModel):
    id: int
    external_id: str | None
    status: OrderStatus
    customer: CustomerOut
    fulfilment: Fulfilment
    priority: int
    lines: list[OrderLineOut]
    created_at: datetime


class BackorderOut(BaseModel):
    order_id: int
    sku: str
    quantity: int
    position: int
    eta: date | None = None
    eta_latest: date | None = None
    eta_confidence: EtaConfidence | None = None
    created_at: datetime


class ShippedLine(BaseModel):
    sku: str
    quantity: int


class ShipmentOut(BaseModel):
    id: int
    order_id: int
    lines: list[ShippedLine]
    created_at: datetime
    order: OrderOut


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None
