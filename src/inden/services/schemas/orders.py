"""Orders: placing, choosing lines to cancel or ship, and the order, backorder and shipment views."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints, field_validator, model_validator

from inden.domain.contact import Channel
from inden.domain.eta import EtaConfidence
from inden.domain.orders import Fulfilment, OrderStatus
from inden.domain.states import OrderChoiceKind
from inden.services.schemas.common import Email, LineIn, Locale, Phone, Request, channel_needs_phone, distinct_skus


class Customer(Request):
    email: Email
    name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None
    locale: Locale = "id"
    phone: Phone | None = None
    channel: Channel = Channel.EMAIL  # "whatsapp": the buyer chose WhatsApp (and consented) at checkout

    @model_validator(mode="after")
    def _whatsapp_has_a_number(self) -> Customer:
        channel_needs_phone(self.channel, self.phone)
        return self


class OrderCreate(Request):
    external_id: Annotated[str, StringConstraints(max_length=128)] | None = None
    customer: Customer
    lines: Annotated[list[LineIn], Field(min_length=1, max_length=200)]
    fulfilment: Fulfilment = Fulfilment.PARTIAL
    priority: Annotated[int, Field(ge=-1000, le=1000)] = 0

    _distinct = field_validator("lines")(distinct_skus)


class LineSelection(Request):
    """Which units to cancel or ship; `lines: null` means all that apply."""

    lines: Annotated[list[LineIn], Field(min_length=1, max_length=200)] | None = None

    _distinct = field_validator("lines")(distinct_skus)


class CustomerOut(BaseModel):
    email: str
    name: str | None
    locale: str
    phone: str | None = None
    channel: Channel = Channel.EMAIL




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


class ChoiceLine(BaseModel):
    sku: str
    quantity: int


class OrderChoiceOut(BaseModel):
    """A buyer's answer from their order page or a date-change email (oldest first on the order)."""

    choice: OrderChoiceKind
    lines: list[ChoiceLine]
    created_at: datetime


class OrderChoiceItem(OrderChoiceOut):
    order_id: int


class OrderOut(BaseModel):
    id: int
    external_id: str | None
    status: OrderStatus
    customer: CustomerOut
    fulfilment: Fulfilment
    priority: int
    lines: list[OrderLineOut]
    created_at: datetime
    choices: list[OrderChoiceOut] = []  # the buyer's answers: keep waiting, or cancel waiting lines


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
