"""Products: create, change, read."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from inden.clock import as_utc, utcnow
from inden.db.models import Product
from inden.db.session import Database
from inden.domain.errors import DuplicateSku, UnknownSku
from inden.services.pagination import decode_cursor, encode_cursor
from inden.services.schemas import Page, ProductCreate, ProductOut, ProductPatch, StockOut


def stock_view(product: Product) -> StockOut:
    return StockOut(
        on_hand=product.on_hand,
        allocated=product.allocated,
        available=max(product.on_hand - product.allocated, 0),
        backordered=product.backordered,
        incoming=0,
    )


def product_view(product: Product) -> ProductOut:
    return ProductOut(
        sku=product.sku,
        name=product.name,
        backorder_policy=product.backorder_policy,
        backorder_limit=product.backorder_limit,
        release_at=product.release_at,
        lead_time_days=product.lead_time_days,
        price=product.price,
        stock=stock_view(product),
        created_at=as_utc(product.created_at),
        updated_at=as_utc(product.updated_at),
    )


def find_product(session: Session, sku: str) -> Product:
    product = session.scalar(select(Product).where(Product.sku == sku))
    if product is None:
        raise UnknownSku(sku)
    return product


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
            return product_view(product)
    except IntegrityError as error:  # a concurrent create of the same SKU won the race
        raise DuplicateSku(spec.sku) from error


def update_product(db: Database, sku: str, patch: ProductPatch, *, now: datetime | None = None) -> ProductOut:
    """Change the fields present in `patch`. Stock is changed only through adjustments and orders."""
    with db.transaction() as session:
        product = find_product(session, sku)
        for field in patch.model_fields_set:
            setattr(product, field, getattr(patch, field))
        product.updated_at = now or utcnow()
        session.flush()
        return product_view(product)


def get_product(db: Database, sku: str) -> ProductOut:
    with db.transaction() as session:
        return product_view(find_product(session, sku))


def list_products(db: Database, *, cursor: str | None = None, limit: int = 100) -> Page[ProductOut]:
    """Products in SKU order, `limit` at a time."""
    after = decode_cursor(cursor, expected=str)
    with db.transaction() as session:
        query = select(Product).order_by(Product.sku).limit(limit + 1)
        if after is not None:
            query = query.where(Product.sku > after)
        rows = session.scalars(query).all()
        items = [product_view(p) for p in rows[:limit]]
        next_cursor = encode_cursor(rows[limit - 1].sku) if len(rows) > limit else None
        return Page[ProductOut](items=items, next_cursor=next_cursor)
