"""Writing a purchase order in the caller's transaction (a seller's order, or an approved suggestion)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy.orm import Session

from inden.db.models import PurchaseOrder, PurchaseOrderLine, Supplier
from inden.db.stock import lock_products
from inden.domain.states import PurchaseOrderStatus
from inden.services.schemas.supply import PurchaseLineIn
from inden.services.steps.etas import refresh_etas


def add_purchase_order(session: Session, supplier: Supplier, lines: Sequence[PurchaseLineIn], *,
                       expected_at: date, now: datetime,
                       status: PurchaseOrderStatus = PurchaseOrderStatus.OPEN) -> PurchaseOrder:
    """Write a purchase order in the caller's transaction (products locked here) and re-peg ETAs.

    A `draft` order counts as incoming for planning but promises nothing to customers until confirmed.
    """
    products = lock_products(session, (line.sku for line in lines))
    po = PurchaseOrder(supplier_id=supplier.id, status=status.value, expected_at=expected_at, created_at=now,
                       updated_at=now)
    session.add(po)
    session.flush()
    session.add_all(
        PurchaseOrderLine(purchase_order_id=po.id, product_id=products[line.sku].id, quantity=line.quantity,
                          received=0, unit_cost=line.unit_cost)
        for line in lines
    )
    if status is PurchaseOrderStatus.OPEN:
        refresh_etas(session, list(products.values()), now=now)
    return po
