"""Suppliers, their offers, purchase orders and receipts; pre-order release."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from inden.api.deps import get_db, staff
from inden.db.session import Database
from inden.domain.states import PurchaseOrderStatus
from inden.services import preorders, supply
from inden.services.schemas.common import SKU_PATTERN, Page
from inden.services.schemas.supply import (
    OfferIn,
    PurchaseOrderCreate,
    PurchaseOrderOut,
    PurchaseOrderPatch,
    ReceiptCreate,
    SupplierCreate,
    SupplierDelay,
    SupplierOut,
)

router = APIRouter(tags=["supply"], dependencies=[staff])
Db = Annotated[Database, Depends(get_db)]
CodePath = Annotated[str, Path(pattern=SKU_PATTERN)]
PoId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.post("/v1/suppliers", status_code=201)
def create_supplier(body: SupplierCreate, db: Db) -> SupplierOut:
    return supply.create_supplier(db, body)


@router.get("/v1/suppliers")
def list_suppliers(db: Db) -> Page[SupplierOut]:
    """Every supplier with its measured reliability (delays, on-time rate, fill ratio) and offers."""
    return Page[SupplierOut](items=supply.list_suppliers(db), next_cursor=None)


@router.put("/v1/suppliers/{code}/offers/{sku}")
def set_offer(code: CodePath, sku: CodePath, body: OfferIn, db: Db) -> SupplierOut:
    return supply.set_offer(db, code, sku, body)


@router.post("/v1/suppliers/{code}/delays")
def delay_supplier(code: CodePath, body: SupplierDelay, db: Db) -> dict[str, int]:
    """Move every open purchase order of the supplier by `days`; answers how many ETAs changed."""
    return {"etas_changed": supply.move_supplier_purchase_orders(db, code, days=body.days)}


@router.post("/v1/purchase-orders", status_code=201)
def create_purchase_order(body: PurchaseOrderCreate, db: Db) -> PurchaseOrderOut:
    return supply.create_purchase_order(db, body)


@router.get("/v1/purchase-orders")
def list_purchase_orders(
    db: Db, status: PurchaseOrderStatus | None = None, cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Page[PurchaseOrderOut]:
    return supply.list_purchase_orders(db, status=status, cursor=cursor, limit=limit)


@router.get("/v1/purchase-orders/{po_id}")
def get_purchase_order(po_id: PoId, db: Db) -> PurchaseOrderOut:
    return supply.get_purchase_order(db, po_id)


@router.patch("/v1/purchase-orders/{po_id}")
def move_purchase_order(po_id: PoId, body: PurchaseOrderPatch, db: Db) -> PurchaseOrderOut:
    return supply.move_purchase_order(db, po_id, body)


@router.post("/v1/purchase-orders/{po_id}/confirm")
def confirm_purchase_order(po_id: PoId, db: Db) -> PurchaseOrderOut:
    """Send a draft purchase order: it becomes open and waiting backorders are pegged to it."""
    return supply.confirm_purchase_order(db, po_id)


@router.post("/v1/purchase-orders/{po_id}/cancel")
def cancel_purchase_order(po_id: PoId, db: Db) -> PurchaseOrderOut:
    return supply.cancel_purchase_order(db, po_id)


@router.post("/v1/purchase-orders/{po_id}/receipts", status_code=201)
def receive_purchase_order(po_id: PoId, body: ReceiptCreate, db: Db) -> PurchaseOrderOut:
    return supply.receive_purchase_order(db, po_id, body)


@router.post("/v1/products/{sku}/release")
def release_preorder(sku: CodePath, db: Db) -> dict[str, int]:
    """Launch a pre-order product today: stock on hand serves the waiting pre-orders in order."""
    return {"allocated": preorders.release(db, sku)}
