"""Orders, cancellations, shipments and the backorder queue."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Header, Path, Query, Request

from inden.api.coalesce import OrderCoalescer
from inden.api.deps import get_db, staff
from inden.db.session import Database
from inden.domain.orders import OrderStatus
from inden.services import order_views, orders
from inden.services.placing import Placing
from inden.services.schemas.common import SKU_PATTERN, Page
from inden.services.schemas.orders import BackorderOut, LineSelection, OrderCreate, OrderOut, ShipmentOut

router = APIRouter(tags=["orders"], dependencies=[staff])
OrderId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Limit = Annotated[int, Query(ge=1, le=1000)]
SkuQuery = Annotated[str | None, Query(pattern=SKU_PATTERN)]
Db = Annotated[Database, Depends(get_db)]
Selection = Annotated[LineSelection | None, Body()]


@router.post("/v1/orders", status_code=201)
async def place_order(
    body: OrderCreate,
    request: Request,
    idempotency_key: Annotated[str | None, Header(min_length=1, max_length=255)] = None,
) -> OrderOut:
    """Concurrent orders for the same SKUs are placed together (`api.coalesce`), each with its own outcome."""
    coalescer: OrderCoalescer = request.app.state.orders
    outcome = await coalescer.place(Placing(body, idempotency_key))
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


@router.get("/v1/orders")
def list_orders(
    db: Db, status: OrderStatus | None = None, sku: SkuQuery = None, cursor: str | None = None, limit: Limit = 100
) -> Page[OrderOut]:
    return order_views.list_orders(db, status=status, sku=sku, cursor=cursor, limit=limit)


@router.get("/v1/orders/{order_id}")
def get_order(order_id: OrderId, db: Db) -> OrderOut:
    return order_views.get_order(db, order_id)


@router.post("/v1/orders/{order_id}/cancel")
def cancel_order(order_id: OrderId, db: Db, body: Selection = None) -> OrderOut:
    return orders.cancel_order(db, order_id, body.lines if body else None)


@router.post("/v1/orders/{order_id}/shipments", status_code=201)
def ship_order(order_id: OrderId, db: Db, body: Selection = None) -> ShipmentOut:
    return orders.ship_order(db, order_id, body.lines if body else None)


@router.get("/v1/backorders")
def list_backorders(
    db: Db, sku: SkuQuery = None, cursor: str | None = None, limit: Limit = 100
) -> Page[BackorderOut]:
    return order_views.list_backorders(db, sku=sku, cursor=cursor, limit=limit)
