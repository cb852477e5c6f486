"""The snapshot the domain decides an order on (placing one, or quoting a product page)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from inden.db.models import Product
from inden.db.stock import product_rules, stock_level
from inden.db.supply import incoming_units
from inden.domain.policy import LimitBasis, ProductRules
from inden.domain.stock import StockLevel
from inden.services.steps.etas import is_released


def decision_snapshots(
    session: Session, products: dict[str, Product], *, today: date
) -> dict[str, tuple[ProductRules, StockLevel]]:
    """What the domain needs to decide an order: each product's rules and stock (incoming only if it counts)."""
    capped = [p.id for p in products.values() if p.backorder_limit_basis == LimitBasis.INCOMING.value]
    incoming = incoming_units(session, capped) if capped else {}
    return {
        sku: (product_rules(p, released=is_released(p, today)), stock_level(p, incoming=incoming.get(p.id, 0)))
        for sku, p in products.items()
    }
