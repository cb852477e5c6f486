"""Products and stock adjustments."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from inden.api.deps import get_db, staff
from inden.db.session import Database
from inden.services import products, stock, subscriptions
from inden.services.schemas.common import SKU_PATTERN, Page
from inden.services.schemas.products import ProductCreate, ProductOut, ProductPatch, StockAdjustment, StockOut
from inden.services.schemas.storefront import SignUpWavesOut

router = APIRouter(prefix="/v1/products", tags=["products"], dependencies=[staff])
SkuPath = Annotated[str, Path(pattern=SKU_PATTERN)]
Db = Annotated[Database, Depends(get_db)]


@router.post("", status_code=201)
def create_product(body: ProductCreate, db: Db) -> ProductOut:
    return products.create_product(db, body)


@router.get("")
def list_products(
    db: Db, cursor: str | None = None, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> Page[ProductOut]:
    return products.list_products(db, cursor=cursor, limit=limit)


@router.get("/{sku}")
def get_product(sku: SkuPath, db: Db) -> ProductOut:
    return products.get_product(db, sku)


@router.patch("/{sku}")
def update_product(sku: SkuPath, body: ProductPatch, db: Db) -> ProductOut:
    return products.update_product(db, sku, body)


@router.post("/{sku}/stock-adjustments", status_code=201)
def adjust_stock(sku: SkuPath, body: StockAdjustment, db: Db) -> dict[str, StockOut]:
    return {"stock": stock.adjust_stock(db, sku, body)}


@router.get("/{sku}/sign-ups")
def sign_up_waves(sku: SkuPath, db: Db) -> SignUpWavesOut:
    """Back-in-stock sign-ups waiting, the waves that told them and what they converted."""
    return subscriptions.sign_up_waves(db, sku)
