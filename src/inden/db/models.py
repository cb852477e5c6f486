"""Tables. Schema changes only through Alembic revisions in `migrations/versions`."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Timestamp = DateTime(timezone=True)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


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
    on_hand: Mapped[int] = mapped_column(Integer, default=0)
    allocated: Mapped[int] = mapped_column(Integer, default=0)
    backordered: Mapped[int] = mapped_column(Integer, default=0)  # units waiting; = sum of lines' backordered
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    updated_at: Mapped[datetime] = mapped_column(Timestamp)


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (Index("ix_orders_status_id", "status", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(128))
    customer_email: Mapped[str] = mapped_column(String(254))
    customer_name: Mapped[str | None] = mapped_column(String(200))
    customer_locale: Mapped[str] = mapped_column(String(8))
    fulfilment: Mapped[str] = mapped_column(String(16))
    priority: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(Timestamp)


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
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    allocated: Mapped[int] = mapped_column(Integer, default=0)
    backordered: Mapped[int] = mapped_column(Integer, default=0)
    shipped: Mapped[int] = mapped_column(Integer, default=0)
    cancelled: Mapped[int] = mapped_column(Integer, default=0)
    # Copies of the order's queue keys so the queue is one index scan.
    priority: Mapped[int] = mapped_column(Integer)
    order_created_at: Mapped[datetime] = mapped_column(Timestamp)
    # When the queue last gave this line units, and a token naming that one serving (see db.queue).
    served_at: Mapped[datetime | None] = mapped_column(Timestamp)
    served_batch: Mapped[str | None] = mapped_column(String(32), index=True)
    # The promise shown to the customer while units wait (domain.eta); kept current by services.eta.
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
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_type: Mapped[str] = mapped_column(String(64))
    dedup_key: Mapped[str] = mapped_column(String(200), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    delivered_at: Mapped[datetime | None] = mapped_column(Timestamp)
    attempts: Mapped[int] = mapped_column(Integer, default=0)


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
    status: Mapped[str] = mapped_column(String(16))  # open, received, cancelled
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
