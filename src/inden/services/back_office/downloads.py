"""CSV downloads of the products, the backorder queues and the plan, streamed: rows leave the database in
batches through a server-side cursor (`yield_per`) inside one read-only snapshot, and are written out batch by
batch, so memory stays flat however big the shop. Column names are stable English (docs/csv.md)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, desc, func, select

from inden.clock import as_utc, shop_date, utcnow
from inden.config import Settings
from inden.db.models import (
    Order,
    OrderLine,
    Product,
    PurchaseOrder,
    PurchaseOrderLine,
    ReplenishmentSuggestion,
    Supplier,
)
from inden.db.queue import QUEUE_COLUMNS
from inden.db.session import Database
from inden.domain.states import PurchaseOrderStatus, SuggestionStatus
from inden.services.back_office.catalogue import ProductQuery, available_units, product_conditions

BATCH = 2_000  # rows fetched and written at a time

PRODUCT_COLUMNS = ("sku", "name", "policy", "on_hand", "allocated", "available", "waiting", "incoming",
                   "backorder_limit", "limit_basis", "max_per_customer", "release_at", "lead_time_days", "price",
                   "below_reorder_point")
BACKORDER_COLUMNS = ("sku", "name", "position", "order_id", "external_id", "customer_email", "customer_name",
                     "units", "eta", "eta_latest", "eta_confidence", "waiting_since")
PLAN_COLUMNS = ("suggestion_id", "sku", "name", "supplier", "quantity", "unit_cost", "need_by", "expected_at",
                "expedite", "reorder_point", "inventory_position", "risk", "reason")


def _cell(value: Any) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return as_utc(value).isoformat()
    if isinstance(value, date | Decimal):
        return str(value)
    return value  # type: ignore[no-any-return]


def _stream(db: Database, header: Sequence[str], statement: Select[Any] | Any,
            cells: Callable[[Any], Sequence[Any]] = tuple) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    with db.snapshot() as connection:
        result = connection.execution_options(yield_per=BATCH).execute(statement)
        for rows in result.partitions():
            writer.writerows([_cell(v) for v in cells(row)] for row in rows)
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()  # the header of an empty download


def products_csv(db: Database, query: ProductQuery | None = None, *, now: datetime | None = None,
                 settings: Settings | None = None) -> Iterator[str]:
    """Every product (or those matching the list's `query`, paging ignored) in SKU order, as CSV text chunks."""
    settings = settings or db.settings
    today = shop_date(now or utcnow(), settings.timezone)
    remaining = PurchaseOrderLine.quantity - PurchaseOrderLine.received
    incoming = (select(PurchaseOrderLine.product_id, func.sum(remaining).label("units"))
                .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.purchase_order_id)
                .where(PurchaseOrder.status == PurchaseOrderStatus.OPEN.value, remaining > 0)
                .group_by(PurchaseOrderLine.product_id).subquery())
    statement = (
        select(Product.sku, Product.name, Product.backorder_policy, Product.on_hand, Product.allocated,
               available_units(today), Product.backordered, func.coalesce(incoming.c.units, 0),
               Product.backorder_limit, Product.backorder_limit_basis, Product.max_per_customer, Product.release_at,
               Product.lead_time_days, Product.price, Product.below_reorder_point)
        .outerjoin(incoming, incoming.c.product_id == Product.id)
        .where(*product_conditions(query or ProductQuery(), today=today, settings=settings))
        .order_by(Product.sku))
    return _stream(db, PRODUCT_COLUMNS, statement)


def backorders_csv(db: Database, *, sku: str | None = None) -> Iterator[str]:
    """Every waiting line, SKU by SKU in queue order (position 1 is served first), as CSV text chunks."""
    position = func.row_number().over(partition_by=OrderLine.product_id, order_by=QUEUE_COLUMNS)
    queue = select(OrderLine.product_id, OrderLine.order_id, OrderLine.backordered, OrderLine.eta,
                   OrderLine.eta_latest, OrderLine.eta_confidence, OrderLine.order_created_at,
                   position.label("position")).where(OrderLine.backordered > 0)
    if sku is not None:
        queue = queue.where(OrderLine.product_id.in_(select(Product.id).where(Product.sku == sku)))
    q = queue.subquery()
    statement = (
        select(Product.sku, Product.name, q.c.position, q.c.order_id, Order.external_id, Order.customer_email,
               Order.customer_name, q.c.backordered, q.c.eta, q.c.eta_latest, q.c.eta_confidence,
               q.c.order_created_at)
        .join(Product, Product.id == q.c.product_id).join(Order, Order.id == q.c.order_id)
        .order_by(Product.sku, q.c.position))
    return _stream(db, BACKORDER_COLUMNS, statement)


def _plan_cells(row: Any) -> tuple[Any, ...]:
    figures = row.figures or {}
    return (row.id, row.sku, row.name, row.code, row.quantity, row.unit_cost, row.need_by, row.expected_at,
            row.expedite, figures.get("reorder_point"), figures.get("inventory_position"), figures.get("risk"),
            row.reason)


def plan_csv(db: Database) -> Iterator[str]:
    """The pending purchase suggestions, the ones to expedite first then by risk, as CSV text chunks (the
    reason in English, as the planner wrote it)."""
    s = ReplenishmentSuggestion
    statement = (
        select(s.id, Product.sku, Product.name, Supplier.code, s.quantity, s.unit_cost, s.need_by, s.expected_at,
               s.expedite, s.figures, s.reason)
        .join(Product, Product.id == s.product_id).join(Supplier, Supplier.id == s.supplier_id)
        .where(s.status == SuggestionStatus.PENDING.value)
        .order_by(desc(s.expedite), desc(s.figures["risk"].as_float()), s.id))
    return _stream(db, PLAN_COLUMNS, statement, _plan_cells)
