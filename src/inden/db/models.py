"""Tables. Schema changes only through Alembic revisions in `migrations/versions`."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    UniqueConstraint,
    text,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.sql.elements import ColumnElement

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Timestamp = DateTime(timezone=True)
# Waiting order lines whose promise no purchase order backs (estimated, or not pegged yet); the back office's
# queries repeat this text exactly, so SQLite can use the partial index on it.
UNSCHEDULED = "backordered > 0 AND (eta_confidence IS NULL OR eta_confidence <> 'scheduled')"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def table_of(model: type[Base]) -> Table:
    """A model's Core table, for the lean statements of hot paths (no ORM unit of work)."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


class Product(Base):
    __tablename__ = "products"
    __table_args__ = (
        # Invariant 1 of ARCHITECTURE.md, enforced by the database itself: no oversell, ever.
        CheckConstraint("allocated >= 0 AND allocated <= on_hand", name="no_oversell"),
        CheckConstraint("backordered >= 0", name="backordered_not_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sku: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    backorder_policy: Mapped[str] = mapped_column(String(16))
    backorder_limit: Mapped[int | None] = mapped_column(Integer)
    release_at: Mapped[date | None] = mapped_column(Date)
    lead_time_days: Mapped[int] = mapped_column(Integer)
    price: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    # "fixed": at most backorder_limit units wait; "incoming": at most the open incoming units plus
    # backorder_limit (an optional extra), so the shop never promises what no supplier will bring.
    backorder_limit_basis: Mapped[str] = mapped_column(String(16), default="fixed", server_default="fixed")
    max_per_customer: Mapped[int | None] = mapped_column(Integer)  # limited editions
    # Planning inputs (all optional): see services.planning.
    category: Mapped[str | None] = mapped_column(String(64))  # forecasts of new products fall back on it
    service_level: Mapped[float | None] = mapped_column(Float)  # None: the shop's rule (class or cost)
    max_stock: Mapped[int | None] = mapped_column(Integer)  # storage room in units; caps order quantities
    expected_daily_demand: Mapped[float | None] = mapped_column(Float)  # the seller's guess for a new product
    below_reorder_point: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    # Storefront labels (domain.labels): best sellers are ranked by the worker; restocked_at is set when a
    # stock-in brings a product that had nothing to sell back on sale.
    best_seller: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    restocked_at: Mapped[datetime | None] = mapped_column(Timestamp)
    on_hand: Mapped[int] = mapped_column(Integer, default=0)
    allocated: Mapped[int] = mapped_column(Integer, default=0)
    backordered: Mapped[int] = mapped_column(Integer, default=0)  # units waiting; = sum of lines' backordered
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    updated_at: Mapped[datetime] = mapped_column(Timestamp)


class Order(Base):
    __tablename__ = "orders"
    # No index names `status`, and pages are half full on PostgreSQL: a stock-in refreshing 100,000 orders'
    # statuses then makes HOT updates, which touch none of the indexes below (migration 0019). Waiting orders are
    # found through their waiting lines (ix_order_lines_waiting_order).
    __table_args__ = (
        # The back office's order search: the shop's own order number, a customer's full email in any case.
        Index("ix_orders_external_id", "external_id"),
        Index("ix_orders_customer_email_lower", text("lower(customer_email)")),
        {"postgresql_with": {"fillfactor": 50}},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(128))
    customer_email: Mapped[str] = mapped_column(String(254))
    customer_name: Mapped[str | None] = mapped_column(String(200))
    customer_locale: Mapped[str] = mapped_column(String(8))
    fulfilment: Mapped[str] = mapped_column(String(16))
    priority: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    # How the buyer wants to hear (domain.contact.Channel): WhatsApp only with a number and their consent,
    # recorded when they chose it; the email address stays the fallback.
    customer_phone: Mapped[str | None] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(16), default="email", server_default="email")
    whatsapp_consent_at: Mapped[datetime | None] = mapped_column(Timestamp)


class OrderLine(Base):
    __tablename__ = "order_lines"
    __table_args__ = (
        # Invariant 3: every ordered unit is exactly one of allocated, waiting, shipped, cancelled.
        CheckConstraint("quantity = allocated + backordered + shipped + cancelled", name="units_conserved"),
        CheckConstraint(
            "quantity > 0 AND allocated >= 0 AND backordered >= 0 AND shipped >= 0 AND cancelled >= 0",
            name="units_not_negative",
        ),
        UniqueConstraint("order_id", "product_id"),
        # The backorder queue in allocation order; only waiting lines are in it.
        Index(
            "ix_order_lines_queue",
            "product_id",
            text("priority DESC"),
            "order_created_at",
            "order_id",
            "id",
            sqlite_where=text("backordered > 0"),
            postgresql_where=text("backordered > 0"),
        ),
        Index("ix_order_lines_product_id", "product_id"),
        # The back office: waiting units with no purchase order behind their date, per product (covering)...
        Index("ix_order_lines_unscheduled", "product_id", "backordered",
              sqlite_where=text(UNSCHEDULED), postgresql_where=text(UNSCHEDULED)),
        # ... and the longest wait in the shop.
        Index("ix_order_lines_waiting_since", "order_created_at",
              sqlite_where=text("backordered > 0"), postgresql_where=text("backordered > 0")),
        # The orders that wait: an order waits exactly when one of its lines does.
        Index("ix_order_lines_waiting_order", "order_id",
              sqlite_where=text("backordered > 0"), postgresql_where=text("backordered > 0")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    allocated: Mapped[int] = mapped_column(Integer, default=0)
    backordered: Mapped[int] = mapped_column(Integer, default=0)
    shipped: Mapped[int] = mapped_column(Integer, default=0)
    cancelled: Mapped[int] = mapped_column(Integer, default=0)
    # Units that had to wait when the order was placed (the rest came from stock): the fill rate's record.
    backordered_at_order: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    # Copies of the order's queue keys so the queue is one index scan.
    priority: Mapped[int] = mapped_column(Integer)
    order_created_at: Mapped[datetime] = mapped_column(Timestamp)
    # When the queue last gave this line units, and a token naming that one serving (see db.queue).
    served_at: Mapped[datetime | None] = mapped_column(Timestamp)
    # The promise shown to the customer while units wait (domain.eta); kept current by services.steps.etas.
    eta: Mapped[date | None] = mapped_column(Date)
    eta_latest: Mapped[date | None] = mapped_column(Date)
    eta_confidence: Mapped[str | None] = mapped_column(String(16))


class StockMovement(Base):
    """The append-only, hash-chained stock ledger. `on_hand` equals the sum of a SKU's deltas."""

    __tablename__ = "stock_movements"
    __table_args__ = (UniqueConstraint("product_id", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    delta: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(200))
    ref: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class LostDemand(Base):
    """Units customers asked for and did not get (refused orders). Feeds demand forecasting."""

    __tablename__ = "lost_demand"
    __table_args__ = (Index("ix_lost_demand_product_created", "product_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    customer_email: Mapped[str] = mapped_column(String(254))
    reason: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(Timestamp)


class Shipment(Base):
    __tablename__ = "shipments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(Timestamp)


class ShipmentLine(Base):
    __tablename__ = "shipment_lines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    quantity: Mapped[int] = mapped_column(Integer)


class OutboxEvent(Base):
    """Messages customers must hear about, written in the same transaction as the change (invariant 5)."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index(
            "ix_outbox_pending",
            "id",
            sqlite_where=text("delivered_at IS NULL"),
            postgresql_where=text("delivered_at IS NULL"),
        ),
        # On PostgreSQL only the positioned rows: a new row (position NULL) then writes no entry here, one index
        # fewer for each of a wave's 100,000 events. Every read by position implies NOT NULL (> x, MAX). SQLite
        # keeps every row: its MAX(position) without a WHERE could not use a partial index.
        Index("ix_outbox_position", "position", unique=True, postgresql_where=text("position IS NOT NULL")),
        Index("ix_outbox_unpositioned", "id", sqlite_where=text("position IS NULL"),
              postgresql_where=text("position IS NULL")),
        Index("ix_outbox_bulk", "id", sqlite_where=text("event_type = 'bulk'"),
              postgresql_where=text("event_type = 'bulk'")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The event's place in commit order, given after its transaction committed (db.outbox.assign_positions):
    # webhooks read the outbox by position, so an event whose transaction commits late is never skipped.
    position: Mapped[int | None] = mapped_column(BigInteger)
    # An event expanded from a `bulk` row (db.outbox.expand_bulk) carries that row's id: positions follow it,
    # so the expanded events keep the place of the change that wrote them. NULL: the event's own id.
    seq: Mapped[int | None] = mapped_column(BigInteger)
    event_type: Mapped[str] = mapped_column(String(64))
    dedup_key: Mapped[str] = mapped_column(String(200), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    delivered_at: Mapped[datetime | None] = mapped_column(Timestamp)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Delivery (services.delivery): a failed send waits until next_attempt_at; after the last attempt the
    # row is marked failed_at and left for the seller to inspect (`inden outbox`).
    next_attempt_at: Mapped[datetime | None] = mapped_column(Timestamp)
    last_error: Mapped[str | None] = mapped_column(String(500))
    failed_at: Mapped[datetime | None] = mapped_column(Timestamp)


class OrderOfEvent(ColumnElement[int]):
    """The order an outbox event's payload names (NULL for events of no order), written out per dialect with
    its JSON key as a literal: the expression of the index through which the buyer's page reads an order's
    date changes, which SQLite uses only for a query of the very same text (a bound JSON path would not do)."""

    type = Integer()
    inherit_cache = True


@compiles(OrderOfEvent, "sqlite")
def _order_of_event_sqlite(element: OrderOfEvent, compiler: Any, **kw: Any) -> str:
    return "CAST(json_extract(payload, '$.order_id') AS INTEGER)"


@compiles(OrderOfEvent)
def _order_of_event(element: OrderOfEvent, compiler: Any, **kw: Any) -> str:
    return "CAST((payload ->> 'order_id') AS INTEGER)"


def order_of_event() -> OrderOfEvent:
    """See OrderOfEvent. Only for statements on the outbox alone (the column name is not qualified)."""
    return OrderOfEvent()


ETA_CHANGED_ONLY = text("event_type = 'eta_changed'")
Index("ix_outbox_eta_changed_order", OrderOfEvent(), table_of(OutboxEvent).c.id,
      sqlite_where=ETA_CHANGED_ONLY, postgresql_where=ETA_CHANGED_ONLY)


class RateLimitHit(Base):
    """Requests counted per bucket (a key, a client, a sign-up address) and fixed window (services.rate_limits),
    in the database so that a limit holds across several server processes."""

    __tablename__ = "rate_limits"

    bucket: Mapped[str] = mapped_column(String(200), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(Timestamp, primary_key=True)
    hits: Mapped[int] = mapped_column(Integer)


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    revoked_at: Mapped[datetime | None] = mapped_column(Timestamp)


class IdempotencyRecord(Base):
    """The first response to a request made with an `Idempotency-Key`, replayed on retries."""

    __tablename__ = "idempotency_keys"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)  # 0 while the first request is still running
    response: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(Timestamp)


class Supplier(Base):
    __tablename__ = "suppliers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    lead_time_days: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(Timestamp)


class SupplierOffer(Base):
    """What one supplier sells of one SKU, and on what terms."""

    __tablename__ = "supplier_offers"
    __table_args__ = (UniqueConstraint("supplier_id", "product_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    lead_time_days: Mapped[int | None] = mapped_column(Integer)  # None: the supplier's default
    min_order_quantity: Mapped[int] = mapped_column(Integer, default=1)
    pack_size: Mapped[int] = mapped_column(Integer, default=1)
    unit_cost: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    currency: Mapped[str] = mapped_column(String(3))


class PurchaseOrder(Base):
    __tablename__ = "purchase_orders"
    __table_args__ = (Index("ix_purchase_orders_supplier_status", "supplier_id", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"))
    status: Mapped[str] = mapped_column(String(16))  # draft, open, received, cancelled
    expected_at: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    updated_at: Mapped[datetime] = mapped_column(Timestamp)


class PurchaseOrderLine(Base):
    __tablename__ = "purchase_order_lines"
    __table_args__ = (
        UniqueConstraint("purchase_order_id", "product_id"),
        CheckConstraint("quantity > 0 AND received >= 0", name="quantities"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    purchase_order_id: Mapped[int] = mapped_column(ForeignKey("purchase_orders.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    received: Mapped[int] = mapped_column(Integer, default=0)  # may end above quantity (over-delivery)
    unit_cost: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))


class Receipt(Base):
    """A delivery against a purchase order; `expected_at` is the PO's date when it arrived (for reliability)."""

    __tablename__ = "receipts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    purchase_order_id: Mapped[int] = mapped_column(ForeignKey("purchase_orders.id"), index=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"), index=True)
    expected_at: Mapped[date] = mapped_column(Date)
    received_on: Mapped[date] = mapped_column(Date)  # in the shop's timezone
    created_at: Mapped[datetime] = mapped_column(Timestamp)


class ReceiptLine(Base):
    __tablename__ = "receipt_lines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    receipt_id: Mapped[int] = mapped_column(ForeignKey("receipts.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    quantity: Mapped[int] = mapped_column(Integer)


class SalesHistory(Base):
    """Daily units sold per SKU imported from elsewhere (spreadsheets, marketplaces), before inden took orders."""

    __tablename__ = "sales_history"
    __table_args__ = (CheckConstraint("quantity >= 0", name="quantity_not_negative"),)

    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    quantity: Mapped[int] = mapped_column(Integer)
    price: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    imported_at: Mapped[datetime] = mapped_column(Timestamp)


class DemandEvent(Base):
    """A promotion, flash sale or launch: extra demand expected on some SKUs between two dates."""

    __tablename__ = "demand_events"
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="dates_ordered"),
        CheckConstraint("(uplift IS NULL) <> (expected_units IS NULL)", name="one_expectation"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))  # promotion, flash_sale, launch
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    uplift: Mapped[float | None] = mapped_column(Float)  # demand multiplier over the window, e.g. 3.0
    expected_units: Mapped[int | None] = mapped_column(Integer)  # extra units per SKU over the whole window
    created_at: Mapped[datetime] = mapped_column(Timestamp)


class DemandEventSku(Base):
    __tablename__ = "demand_event_skus"

    event_id: Mapped[int] = mapped_column(ForeignKey("demand_events.id"), primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), primary_key=True, index=True)


class ReplenishmentSuggestion(Base):
    """A proposed purchase: what the planner saw, what it suggests, and what became of it."""

    __tablename__ = "replenishment_suggestions"
    __table_args__ = (
        Index("ix_replenishment_suggestions_status_product", "status", "product_id"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"))
    status: Mapped[str] = mapped_column(String(16))  # pending, approved, superseded, dismissed
    quantity: Mapped[int] = mapped_column(Integer)
    unit_cost: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    need_by: Mapped[date] = mapped_column(Date)
    expected_at: Mapped[date] = mapped_column(Date)  # today + the chosen supplier's lead time
    expedite: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(String(500))
    # What the planner saw and computed (units; risk is a probability).
    figures: Mapped[dict[str, Any]] = mapped_column(JSON)
    purchase_order_id: Mapped[int | None] = mapped_column(ForeignKey("purchase_orders.id"))
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    decided_at: Mapped[datetime | None] = mapped_column(Timestamp)


class DemandForecast(Base):
    """A SKU's forecast daily demand as the latest plan run made it (services.forecasts), for the product chart:
    the mean and the 80 % and 95 % bounds of each day from the run's first day."""

    __tablename__ = "demand_forecasts"

    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    mean: Mapped[float] = mapped_column(Float)
    lo_80: Mapped[float] = mapped_column(Float)
    hi_80: Mapped[float] = mapped_column(Float)
    lo_95: Mapped[float] = mapped_column(Float)
    hi_95: Mapped[float] = mapped_column(Float)
    planned_at: Mapped[datetime] = mapped_column(Timestamp)


class Subscription(Base):
    """A shopper's back-in-stock sign-up for one SKU (double opt-in: pending until the emailed link is opened).

    Status: pending → confirmed → notified (once, when stock is back), or unsubscribed at any time. The confirm
    and unsubscribe links are `SubscriptionLink`s, minted when an email is sent: no secret is stored here.
    """

    __tablename__ = "subscriptions"
    # No index names `status` (or the wave's `notified_at`, `wave_id`), and pages are half full on PostgreSQL:
    # a sign-up's status changes (confirmed, told by a wave) are then HOT updates — the row's new version goes on
    # its own page and no index is touched — which makes a 100,000-sign-up wave's UPDATE several times cheaper
    # (bench/sign_up_waves.py). A product's sign-ups are found through (product_id, email).
    __table_args__ = (
        UniqueConstraint("product_id", "email"),
        Index("ix_subscriptions_email_created_at", "email", "created_at"),
        {"postgresql_with": {"fillfactor": 50}},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    email: Mapped[str] = mapped_column(String(254))
    locale: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    confirm_sent_at: Mapped[datetime | None] = mapped_column(Timestamp)
    confirmed_at: Mapped[datetime | None] = mapped_column(Timestamp)
    notified_at: Mapped[datetime | None] = mapped_column(Timestamp)
    unsubscribed_at: Mapped[datetime | None] = mapped_column(Timestamp)
    phone: Mapped[str | None] = mapped_column(String(20))  # as on orders: the channel the shopper chose
    channel: Mapped[str] = mapped_column(String(16), default="email", server_default="email")
    whatsapp_consent_at: Mapped[datetime | None] = mapped_column(Timestamp)
    # The id of the sign_up_waves row that told it. Neither indexed nor a foreign key: a wave's sign-ups are found
    # through (product_id, status), and a 100,000-sign-up wave would otherwise pay 100,000 index entries and as many
    # key checks (bench/sign_up_waves.py). Only db.waves writes it, with the id of the wave it just inserted.
    wave_id: Mapped[int | None] = mapped_column(Integer)


class SubscriptionLink(Base):
    """A link that confirms or ends a back-in-stock sign-up (`inden.web.pages`), like `OrderLink`.

    Every sign-up email carries one, minted when the email is sent (services.delivery): the link's secret is
    random and only its SHA-256 is stored, so a copy of the database confirms or ends no one's sign-up. Links
    work until the sign-up is started again (a new confirmation), which drops its old ones.
    """

    __tablename__ = "subscription_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("subscriptions.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(Timestamp)


class SignUpWave(Base):
    """One wave of back-in-stock emails for a product (domain.waves): when, how many units were on sale, the
    factor used, how many sign-ups it told, and — once CONVERSION_WINDOW has passed (`convert_by`) — how many of
    them ordered the product in that window (`bought`, None until measured)."""

    __tablename__ = "sign_up_waves"
    __table_args__ = (Index("ix_sign_up_waves_product_id_sent_at", "product_id", "sent_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    sent_at: Mapped[datetime] = mapped_column(Timestamp)
    units_on_sale: Mapped[int] = mapped_column(Integer)
    factor: Mapped[float] = mapped_column(Float)
    size: Mapped[int] = mapped_column(Integer)  # sign-ups it may tell: units on sale × factor, rounded up
    told: Mapped[int] = mapped_column(Integer)  # sign-ups it told (fewer when fewer waited; confirmations top up)
    convert_by: Mapped[datetime] = mapped_column(Timestamp)
    bought: Mapped[int | None] = mapped_column(Integer)


class WebhookEndpoint(Base):
    """A seller's system that wants the outbox's events over HTTP (services.webhooks).

    Events go in commit order (outbox positions), in batches, signed with `secret`; `next_position` is the
    first position not yet acknowledged (a cursor, so delivery is at least once and in order per endpoint), and
    `next_event_id` the id after the last event acknowledged (shown to the seller). After a failure the
    endpoint waits until `next_attempt_at`; after too many in a row it is disabled until the seller enables it.
    """

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    secret: Mapped[str] = mapped_column(String(64))
    event_types: Mapped[list[str] | None] = mapped_column(JSON)  # None: every event type
    next_event_id: Mapped[int] = mapped_column(Integer)
    next_position: Mapped[int] = mapped_column(BigInteger)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(Timestamp)
    last_error: Mapped[str | None] = mapped_column(String(500))
    disabled_at: Mapped[datetime | None] = mapped_column(Timestamp)
    created_at: Mapped[datetime] = mapped_column(Timestamp)


class User(Base):
    """A person who runs the shop in the back office: the owner (everything) or staff (daily work).

    `password_hash` is argon2 (None until the one-time setup link is used); `setup_token_hash` is the SHA-256
    of that link's secret, cleared once a password is set.
    """

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    role: Mapped[str] = mapped_column(String(16))  # owner, staff
    locale: Mapped[str] = mapped_column(String(8))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    setup_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    setup_expires_at: Mapped[datetime | None] = mapped_column(Timestamp)
    created_at: Mapped[datetime] = mapped_column(Timestamp)


class UserSession(Base):
    """A logged-in browser: the cookie holds a secret whose SHA-256 is `token_hash`; idle sessions expire."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    last_seen_at: Mapped[datetime] = mapped_column(Timestamp)


class LoginAttempt(Base):
    """A failed login, counted per address and per client so throttling holds across server processes."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_email_created_at", "email", "created_at"),
        Index("ix_login_attempts_client_created_at", "client", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    client: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(Timestamp)


class OrderLink(Base):
    """A link that opens a buyer's own order page without an account (`inden.web.shopper`).

    Every order email carries one, minted when the email is sent (services.delivery): the link's secret is
    random and only its SHA-256 is stored. A link opens the order while the order is open, and for
    `order_link_days` after it was minted once the order is shipped or cancelled.
    """

    __tablename__ = "order_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(Timestamp)


class OrderChoice(Base):
    """A buyer's answer from their order page or a date-change email: keep waiting, or cancel waiting lines.

    `lines` is `[{sku, quantity}]`: the units cancelled, or the waiting units the buyer keeps waiting for.
    Each answer is also an `order.choice` outbox event.
    """

    __tablename__ = "order_choices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    choice: Mapped[str] = mapped_column(String(16))  # inden.domain.states.OrderChoiceKind
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(Timestamp)


class WhatsAppOptOut(Base):
    """A number that asked for no more WhatsApp messages (from the order page, or the seller on the buyer's word):
    its messages go by email instead, whatever the order or sign-up chose."""

    __tablename__ = "whatsapp_opt_outs"

    phone: Mapped[str] = mapped_column(String(20), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(Timestamp)
