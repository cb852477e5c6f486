"""Supply reads: open incoming units per SKU, and the history supplier reliability is measured from."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from inden.db.models import PurchaseOrder, PurchaseOrderLine, Receipt, Supplier, SupplierOffer
from inden.domain.reliability import Reliability, measure_reliability
from inden.domain.states import PurchaseOrderStatus


@dataclass(frozen=True, slots=True)
class OpenSupply:
    product_id: int
    purchase_order_id: int
    supplier_id: int
    expected_at: date
    quantity: int  # still to be received


def open_supply(session: Session, product_ids: Sequence[int]) -> dict[int, list[OpenSupply]]:
    """Units still to come on open purchase orders, per product, earliest expected first."""
    rows = session.execute(
        select(PurchaseOrderLine.product_id, PurchaseOrder.id, PurchaseOrder.supplier_id, PurchaseOrder.expected_at,
               PurchaseOrderLine.quantity - PurchaseOrderLine.received)
        .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.purchase_order_id)
        .where(PurchaseOrder.status == PurchaseOrderStatus.OPEN.value, PurchaseOrderLine.product_id.in_(product_ids),
               PurchaseOrderLine.quantity > PurchaseOrderLine.received)
        .order_by(PurchaseOrderLine.product_id, PurchaseOrder.expected_at, PurchaseOrder.id)
    ).all()
    supply: dict[int, list[OpenSupply]] = defaultdict(list)
    for product_id, po_id, supplier_id, expected_at, quantity in rows:
        supply[product_id].append(OpenSupply(product_id, po_id, supplier_id, expected_at, int(quantity)))
    return supply


def incoming_units(session: Session, product_ids: Sequence[int]) -> dict[int, int]:
    return {pid: sum(s.quantity for s in items) for pid, items in open_supply(session, product_ids).items()}


def supplier_reliability(session: Session, supplier_ids: Sequence[int] | None = None) -> dict[int, Reliability]:
    """Each supplier's delivery delays (receipt date - expected date) and fill ratio on closed lines."""
    delays: dict[int, list[int]] = defaultdict(list)
    query = select(Receipt.supplier_id, Receipt.received_on, Receipt.expected_at)
    if supplier_ids is not None:
        query = query.where(Receipt.supplier_id.in_(supplier_ids))
    for supplier_id, received_on, expected_at in session.execute(query):
        delays[supplier_id].append((received_on - expected_at).days)
    fills = select(
        PurchaseOrder.supplier_id, func.sum(PurchaseOrderLine.quantity), func.sum(PurchaseOrderLine.received)
    ).join(PurchaseOrderLine, PurchaseOrderLine.purchase_order_id == PurchaseOrder.id).where(
        PurchaseOrder.status == PurchaseOrderStatus.RECEIVED.value
    ).group_by(PurchaseOrder.supplier_id)
    totals = {sid: (int(o), int(r)) for sid, o, r in session.execute(fills)}
    ids = supplier_ids if supplier_ids is not None else session.scalars(select(Supplier.id)).all()
    return {
        sid: measure_reliability(delays.get(sid, []), ordered=totals.get(sid, (0, 0))[0],
                                 received=totals.get(sid, (0, 0))[1])
        for sid in ids
    }


@dataclass(frozen=True, slots=True)
class BestOffer:
    supplier_id: int
    lead_time_days: int


def fastest_offers(session: Session, product_ids: Sequence[int]) -> dict[int, BestOffer]:
    """Per product, the supplier offer with the shortest lead time (the offer's, else its supplier's)."""
    lead = func.coalesce(SupplierOffer.lead_time_days, Supplier.lead_time_days)
    rows = session.execute(
        select(SupplierOffer.product_id, SupplierOffer.supplier_id, lead)
        .join(Supplier, Supplier.id == SupplierOffer.supplier_id)
        .where(SupplierOffer.product_id.in_(product_ids))
        .order_by(SupplierOffer.product_id, lead, SupplierOffer.supplier_id)
    ).all()
    best: dict[int, BestOffer] = {}
    for product_id, supplier_id, days in rows:
        best.setdefault(product_id, BestOffer(supplier_id, int(days)))
    return best
