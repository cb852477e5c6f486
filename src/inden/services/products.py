"""Products: create, change, read."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from inden.clock import as_utc, utcnow
from inden.db.models import Product
from inden.db.session import Database
from inden.db.stock import lock_products
from inden.domain.errors import DuplicateSku
from inden.services.pagination import keyset_page
from inden.services.schemas.common import Page
from inden.services.schemas.products import ProductCreate, ProductOut, ProductPatch
from inden.services.steps.etas import refresh_etas
from inden.services.steps.lookup import find_product, stock_views
from inden.services.steps.serving import serve_waiting


def product_views(session: Session, products: Sequence[Product]) -> list[ProductOut]:
    stocks = stock_views(session, products)
    return [
        ProductOut(
            sku=p.sku, name=p.name, backorder_policy=p.backorder_policy, backorder_limit=p.backorder_limit,
            backorder_limit_basis=p.backorder_limit_basis, release_at=p.release_at,
            max_per_customer=p.max_per_customer, lead_time_days=p.lead_time_days, price=p.price,
            category=p.category, service_level=p.service_level, max_stock=p.max_stock,
            expected_daily_demand=p.expected_daily_demand, stock=stocks[p.sku], created_at=as_utc(p.created_at),
            updated_at=as_utc(p.updated_at),
        )
        for p in products
    ]


def create_product(db: Database, spec: ProductCreate, *, now: datetime | None = None) -> ProductOut:
    """Create a product with no stock. Raises DuplicateSku if the SKU exists."""
    now = now or utcnow()
    try:
        with db.transaction() as session:
            if session.scalar(select(Product.id).where(Product.sku == spec.sku)) is not None:
                raise DuplicateSku(spec.sku)
            product = Product(
                **spec.model_dump(), on_hand=0, allocated=0, backordered=0, created_at=now, updated_at=now
            )
            session.add(product)
            session.flush()
            return product_views(session, [product])[0]
    except IntegrityError as error:  # a concurrent create of the same SKU won the race
        raise DuplicateSku(spec.sku) from error


def update_product(db: Database, sku: str, patch: ProductPatch, *, now: datetime | None = None) -> ProductOut:
    """Change the fields present in `patch`. Stock is changed only through adjustments and orders."""
    now = now or utcnow()
    with db.transaction() as session:
        product = lock_products(session, [sku])[sku]
        for field in patch.model_fields_set:
            setattr(product, field, getattr(patch, field))
        product.updated_at = now
        serve_waiting(session, [product], now=now)  # e.g. a pre-order whose release date moved to today
        refresh_etas(session, [product], now=now)  # release date and lead time move promises
        return product_views(session, [product])[0]


def get_product(db: Database, sku: str) -> ProductOut:
    with db.transaction() as session:
        return product_views(session, [find_product(session, sku)])[0]


def list_products(db: Database, *, cursor: str | None = None, limit: int = 100) -> Page[ProductOut]:
    """Products in SKU order, `limit` at a time."""
    with db.transaction() as session:
        rows, next_cursor = keyset_page(session, select(Product), Product.sku, cursor=cursor, limit=limit)
        return Page[ProductOut](items=product_views(session, rows), next_cursor=next_cursor)
