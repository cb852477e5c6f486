"""Replenishment suggestions: read, approve (a purchase order, open or draft), dismiss."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from inden.clock import as_utc, utcnow
from inden.db.models import Product, ReplenishmentSuggestion, Supplier
from inden.db.session import Database
from inden.db.stock import lock_products_by_id
from inden.domain.errors import InvalidRequest, NotFound
from inden.domain.states import PurchaseOrderStatus, SuggestionStatus
from inden.services.pagination import keyset_page
from inden.services.schemas.common import Page
from inden.services.schemas.planning import ApproveSuggestion, SuggestionFigures, SuggestionOut
from inden.services.schemas.supply import PurchaseLineIn
from inden.services.steps.lookup import find_supplier
from inden.services.steps.purchasing import add_purchase_order


class UnknownSuggestion(NotFound):
    def __init__(self, suggestion_id: int) -> None:
        super().__init__(f"No replenishment suggestion with id {suggestion_id}.", suggestion_id=suggestion_id)


def suggestion_views(session: Session, rows: Sequence[ReplenishmentSuggestion]) -> list[SuggestionOut]:
    skus = dict(session.execute(select(Product.id, Product.sku).where(
        Product.id.in_({r.product_id for r in rows}))).all())
    codes = dict(session.execute(select(Supplier.id, Supplier.code)).all())
    return [
        SuggestionOut(id=r.id, sku=skus[r.product_id], status=r.status, supplier=codes.get(r.supplier_id),
                      quantity=r.quantity, unit_cost=r.unit_cost, need_by=r.need_by, expected_at=r.expected_at,
                      expedite=r.expedite, reason=r.reason, figures=SuggestionFigures(**r.figures),
                      purchase_order_id=r.purchase_order_id, created_at=as_utc(r.created_at))
        for r in rows
    ]


def list_suggestions(db: Database, *, status: str | None = SuggestionStatus.PENDING, sku: str | None = None,
                     cursor: str | None = None, limit: int = 100) -> Page[SuggestionOut]:
    """Suggestions in the order they were made (pending ones by default), `limit` at a time."""
    with db.transaction() as session:
        query = select(ReplenishmentSuggestion)
        if status is not None:
            query = query.where(ReplenishmentSuggestion.status == status)
        if sku is not None:
            query = query.join(Product, Product.id == ReplenishmentSuggestion.product_id).where(Product.sku == sku)
        rows, next_cursor = keyset_page(session, query, ReplenishmentSuggestion.id, cursor=cursor, limit=limit)
        return Page[SuggestionOut](items=suggestion_views(session, rows), next_cursor=next_cursor)


def _pending(session: Session, suggestion_id: int) -> ReplenishmentSuggestion:
    row = session.get(ReplenishmentSuggestion, suggestion_id, populate_existing=True)
    if row is None:
        raise UnknownSuggestion(suggestion_id)
    if row.status != SuggestionStatus.PENDING:
        raise InvalidRequest(f"Suggestion {suggestion_id} is {row.status}; only pending ones can be decided.",
                             suggestion_id=suggestion_id, status=row.status)
    return row


def approve_suggestion(db: Database, suggestion_id: int, choice: ApproveSuggestion | None = None, *,
                       now: datetime | None = None) -> SuggestionOut:
    """Create the purchase order a suggestion proposes (open, or a draft); the suggestion records it."""

    now = now or utcnow()
    choice = choice or ApproveSuggestion()
    with db.transaction() as session:
        product_id = session.scalar(select(ReplenishmentSuggestion.product_id)
                                    .where(ReplenishmentSuggestion.id == suggestion_id))
        if product_id is None:
            raise UnknownSuggestion(suggestion_id)
        product = lock_products_by_id(session, [product_id])[product_id]  # serialises with plan runs
        row = _pending(session, suggestion_id)
        supplier = find_supplier(session, choice.supplier) if choice.supplier else session.get(Supplier,
                                                                                                 row.supplier_id)
        assert supplier is not None
        po = add_purchase_order(
            session, supplier, [PurchaseLineIn(sku=product.sku, quantity=choice.quantity or row.quantity,
                                               unit_cost=row.unit_cost if choice.supplier is None else None)],
            expected_at=choice.expected_at or row.expected_at, now=now,
            status=PurchaseOrderStatus.DRAFT if choice.draft else PurchaseOrderStatus.OPEN)
        row.status, row.decided_at, row.purchase_order_id = SuggestionStatus.APPROVED.value, now, po.id
        return suggestion_views(session, [row])[0]


def dismiss_suggestion(db: Database, suggestion_id: int, *, now: datetime | None = None) -> SuggestionOut:
    """The seller will not act on this suggestion; the next plan run may suggest again if the need remains."""
    with db.transaction() as session:
        row = _pending(session, suggestion_id)
        row.status, row.decided_at = SuggestionStatus.DISMISSED.value, now or utcnow()
        return suggestion_views(session, [row])[0]


def approve_together(session: Session, suggestions: list[ReplenishmentSuggestion], *, now: datetime) -> list[int]:
    """One purchase order per supplier and expected date holding all their suggested lines (auto mode, and
    approving many at once); the products must be locked. Returns the new purchase orders' ids."""

    groups: dict[tuple[int, date], list[ReplenishmentSuggestion]] = defaultdict(list)
    for row in suggestions:
        groups[row.supplier_id, row.expected_at].append(row)
    skus = dict(session.execute(select(Product.id, Product.sku).where(
        Product.id.in_([r.product_id for r in suggestions]))).all()) if suggestions else {}
    orders = []
    for (supplier_id, expected_at), rows in sorted(groups.items()):
        supplier = session.get(Supplier, supplier_id)
        assert supplier is not None
        po = add_purchase_order(session, supplier, [
            PurchaseLineIn(sku=skus[r.product_id], quantity=r.quantity, unit_cost=r.unit_cost) for r in rows
        ], expected_at=expected_at, now=now)
        for row in rows:
            row.status, row.decided_at, row.purchase_order_id = SuggestionStatus.APPROVED.value, now, po.id
        orders.append(po.id)
    return orders
