"""The data services take and give: validated requests and plain views.

The HTTP API (`inden.api`) and the CLI use these same models, so a rule about valid input lives in one place.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Generic, Literal, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    PlainSerializer,
    StringConstraints,
    UrlConstraints,
    field_validator,
    model_validator,
)

from inden.domain.orders import Fulfilment, OrderStatus
from inden.domain.policy import BackorderPolicy, LimitBasis

MAX_UNITS = 10_000_000  # per line or movement; anything larger is a typo, not a sale
MAX_ON_HAND = 1_000_000_000

SKU_PATTERN = r"^[A-Za-z0-9._-]{1,64}$"  # API.md: 1–64 of A–Z a–z 0–9 . _ - (supplier codes follow it too)
Sku = Annotated[str, StringConstraints(pattern=SKU_PATTERN)]
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


LeadTime = Annotated[int, Field(ge=0, le=3650)]
Limit = Annotated[int, Field(ge=0, le=MAX_ON_HAND)]
PerCustomer = Annotated[int, Field(ge=1, le=MAX_UNITS)]
Category = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
ServiceLevel = Annotated[float, Field(ge=0.5, le=0.999)]
DailyDemand = Annotated[float, Field(ge=0, le=MAX_UNITS)]


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
    release_at: date | None = None
    max_per_customer: PerCustomer | None = None
    lead_time_days: LeadTime = 14
    price: Money | None = None


class ProductPatch(PlanningFields):
    name: Text | None = None
    backorder_policy: BackorderPolicy | None = None
    backorder_limit: Limit | None = None
    backorder_limit_basis: LimitBasis | None = None
    release_at: date | None = None
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


# --- supply ------------------------------------------------------------------------------------------

Code = Sku
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]


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
    expected_at: date
    lines: Annotated[list[PurchaseLineIn], Field(min_length=1, max_length=1000)]
    draft: bool = False  # a draft counts as incoming for planning; customers see ETAs from it once confirmed

    @field_validator("lines")
    @classmethod
    def _distinct(cls, lines: list[PurchaseLineIn]) -> list[PurchaseLineIn]:
        if len({line.sku for line in lines}) != len(lines):
            raise ValueError("each SKU may appear once per purchase order")
        return lines


class PurchaseOrderPatch(Request):
    expected_at: date


class ReceiptCreate(Request):
    lines: Annotated[list[LineIn], Field(min_length=1, max_length=1000)]
    close: bool = False  # true: nothing more will come; the purchase order is closed even if short

    _distinct = field_validator("lines")(_distinct_skus)


PurchaseOrderStatus = Literal["draft", "open", "received", "cancelled"]


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


class SupplierDelay(Request):
    days: Annotated[int, Field(ge=-3650, le=3650)]


# --- planning ----------------------------------------------------------------------------------------

EventKind = Literal["promotion", "flash_sale", "launch"]


class EventCreate(Request):
    """A planned event. `uplift` multiplies the forecast over the window; `expected_units` is the total a
    SKU is expected to sell over the window (give one of the two)."""

    name: Text
    kind: EventKind = "promotion"
    starts_on: date
    ends_on: date
    skus: Annotated[list[Sku], Field(min_length=1, max_length=10_000)]
    uplift: Annotated[float, Field(gt=0, le=1000)] | None = None
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
    starts_on: date
    ends_on: date
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


SuggestionStatus = Literal["pending", "approved", "superseded", "dismissed"]


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
    expected_at: date | None = None
    draft: bool = False


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None


# Storefront (API.md, section Storefront)

ShelfStatusName = Literal["in_stock", "low_stock", "backorder", "preorder", "out_of_stock"]
LabelName = Literal["restock", "best_seller", "limited"]


class AvailabilityOut(BaseModel):
    """What a product page shows for a quantity, decided exactly as an order placed now would be."""

    sku: str
    status: ShelfStatusName
    available: int  # units sellable now (0 for a pre-order before its release)
    quantity: int
    eta: date | None  # when the waiting units would ship (null when nothing would wait)
    eta_latest: date | None
    eta_confidence: EtaConfidence | None
    labels: list[LabelName]
    label_texts: list[str]  # the labels in the requested language, same order
    message: str  # a ready sentence in the requested language
    locale: Locale


class SubscriptionCreate(Request):
    sku: Sku
    email: Email
    locale: Locale = "id"

    @field_validator("email")
    @classmethod
    def _lower(cls, value: str) -> str:
        return value.lower()


class SubscriptionAccepted(BaseModel):
    """The answer to a sign-up. The same whatever the address's state, so it reveals no one's sign-ups."""

    sku: str
    email: str
    message: str


class SubscriptionOut(BaseModel):
    sku: str
    product_name: str
    email: str
    locale: Locale
    status: Literal["pending", "confirmed", "notified", "unsubscribed"]


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


# Webhooks (the outbox's events, over HTTP, to the seller's own systems)

EventType = Literal["order.backordered", "backorder.allocated", "order.cancelled", "order.shipped", "eta_changed",
                    "subscription.confirm", "back_in_stock", "reorder_point_reached"]


class WebhookCreate(Request):
    url: Annotated[HttpUrl, UrlConstraints(max_length=2000)]  # https in production: payloads carry customers' emails
    events: Annotated[list[EventType], Field(min_length=1)] | None = None  # None: every event type


class WebhookOut(BaseModel):
    id: int
    url: str
    events: list[str] | None
    active: bool  # False once disabled after failing too long; `inden webhooks enable ID` restarts it
    next_event_id: int  # the first outbox event not yet acknowledged
    attempts: int  # failures in a row
    next_attempt_at: datetime | None
    last_error: str | None
    created_at: datetime


class WebhookCreated(WebhookOut):
    secret: str  # shown once: verify each request's `Inden-Signature` with it
