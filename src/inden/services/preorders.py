"""Pre-orders: taken before a launch, held in the same queue as backorders, served on release."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select

from inden.clock import shop_date, utcnow
from inden.db.models import Product
from inden.db.session import Database
from inden.db.stock import lock_products, lock_products_by_id
from inden.domain.errors import InvalidRequest
from inden.domain.policy import BackorderPolicy
from inden.services.steps.etas import refresh_etas
from inden.services.steps.restock import signed_up_products, tell_sign_ups
from inden.services.steps.serving import serve_waiting


def release(db: Database, sku: str, *, now: datetime | None = None) -> int:
    """Launch a pre-order product today: its stock on hand goes to the waiting pre-orders in allocation
    order; the rest keep waiting as ordinary backorders with pegged ETAs. Returns the units allocated."""
    now = now or utcnow()
    today = shop_date(now, db.settings.timezone)
    with db.transaction() as session:
        product = lock_products(session, [sku])[sku]
        if product.backorder_policy != BackorderPolicy.PREORDER.value:
            raise InvalidRequest(f"SKU {sku!r} is not a pre-order product.", sku=sku)
        if product.release_at is None or product.release_at > today:
            product.release_at = today
        served = serve_waiting(session, [product], now=now)
        refresh_etas(session, [product], now=now)
        tell_sign_ups(session, [product], now=now, more_stock=True)  # the launch: stock is new to shoppers
        return served


def release_due(db: Database, *, now: datetime | None = None) -> dict[str, int]:
    """The worker's tick: serve every pre-order whose release date has come, and tell its confirmed
    back-in-stock sign-ups it is on sale. Returns units allocated per SKU."""
    now = now or utcnow()
    today = shop_date(now, db.settings.timezone)
    with db.transaction() as session:
        due = session.scalars(select(Product.id).where(
            Product.backorder_policy == BackorderPolicy.PREORDER.value, Product.release_at <= today,
            Product.on_hand > Product.allocated,
            or_(Product.backordered > 0, Product.id.in_(signed_up_products())))).all()
        products = list(lock_products_by_id(session, due).values())
        before = {p.sku: p.allocated for p in products}
        serve_waiting(session, products, now=now)
        refresh_etas(session, products, now=now)
        tell_sign_ups(session, products, now=now)
        return {p.sku: p.allocated - before[p.sku] for p in products if p.allocated > before[p.sku]}
