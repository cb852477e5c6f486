"""Finding a product or supplier by its code, and the stock figures every service shows."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from inden.db.models import Product, Supplier
from inden.db.supply import incoming_units
from inden.domain.errors import UnknownSku, UnknownSupplier
from inden.services.schemas.products import StockOut


def find_product(session: Session, sku: str) -> Product:
    """The product with this SKU (not locked). Raises UnknownSku."""
    product = session.scalar(select(Product).where(Product.sku == sku))
    if product is None:
        raise UnknownSku(sku)
    return product


def find_supplier(session: Session, code: str) -> Supplier:
    """The supplier with this code. Raises UnknownSupplier."""
    supplier = session.scalar(select(Supplier).where(Supplier.code == code))
    if supplier is None:
        raise UnknownSupplier(code)
    return supplier


def stock_views(session: Session, products: Sequence[Product]) -> dict[str, StockOut]:
    """Each product's stock as the API shows it, keyed by SKU (one query for the incoming units of all)."""
    incoming = incoming_units(session, [p.id for p in products])
    return {
        p.sku: StockOut(on_hand=p.on_hand, allocated=p.allocated, available=max(p.on_hand - p.allocated, 0),
                        backordered=p.backordered, incoming=incoming.get(p.id, 0))
        for p in products
    }
