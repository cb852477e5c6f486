"""What moving a purchase order's date would do, shown before it is saved: the move is made in a transaction
that is rolled back, so the preview counts exactly the `eta_changed` messages the real move writes."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from inden.clock import utcnow
from inden.db.models import OutboxEvent, PurchaseOrder, PurchaseOrderLine
from inden.db.session import Database
from inden.db.stock import lock_products_by_id
from inden.domain.errors import InvalidRequest, UnknownPurchaseOrder
from inden.services.eta import refresh_etas


@dataclass(frozen=True)
class MovePreview:
    purchase_order_id: int
    expected_at: date
    new_expected_at: date
    customers_later: int  # customers with at least one ship date moving later
    customers_earlier: int
    messages: int  # `eta_changed` messages the move writes (one per waiting line whose dates move)


def _payload(raw: Any) -> dict[str, Any]:
    return raw if isinstance(raw, dict) else json.loads(raw)


def preview_move(db: Database, po_id: int, expected_at: date, *, now: datetime | None = None) -> MovePreview:
    """Whose ship dates a new expected date would move, without moving anything. Raises UnknownPurchaseOrder,
    InvalidRequest (not open)."""
    now = now or utcnow()
    with db.engine.connect() as connection, Session(bind=connection) as session:
        transaction = connection.begin()
        try:
            product_ids = session.scalars(select(PurchaseOrderLine.product_id).where(
                PurchaseOrderLine.purchase_order_id == po_id)).all()
            po = session.get(PurchaseOrder, po_id)
            if po is None or not product_ids:
                raise UnknownPurchaseOrder(po_id)
            if po.status != "open":
                raise InvalidRequest(f"Purchase order {po_id} is {po.status}; only open ones can move.",
                                     purchase_order_id=po_id, status=po.status)
            products = lock_products_by_id(session, product_ids)
            before = session.scalar(select(OutboxEvent.id).order_by(OutboxEvent.id.desc()).limit(1)) or 0
            old_date, po.expected_at = po.expected_at, expected_at
            refresh_etas(session, list(products.values()), now=now)
            payloads = [_payload(p) for p in session.scalars(select(OutboxEvent.payload).where(
                OutboxEvent.id > before, OutboxEvent.event_type == "eta_changed"))]
        finally:
            transaction.rollback()
    later = {p["customer"]["email"] for p in payloads if (p["new"].get("eta") or "") > (p["old"].get("eta") or "")}
    earlier = {p["customer"]["email"] for p in payloads if (p["new"].get("eta") or "") < (p["old"].get("eta") or "")}
    return MovePreview(po_id, old_date, expected_at, len(later), len(earlier), len(payloads))
