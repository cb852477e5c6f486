"""The plan page: pending purchase suggestions with the reason in plain words, editing a suggestion's quantity
before approval, and approving many at once (all or nothing)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import desc, func, select
from sqlalchemy.orm import Session

from inden.clock import as_utc, utcnow
from inden.db.models import Product, ReplenishmentSuggestion, Supplier, SupplierOffer
from inden.db.session import Database
from inden.db.stock import lock_products_by_id
from inden.domain.errors import InvalidRequest
from inden.domain.states import SuggestionStatus
from inden.i18n import N_, format_day, translate
from inden.planning.explanations import Reason, ReasonKind, explain_suggestion
from inden.services.back_office.paging import FIRST_PAGE, Paged, Paging
from inden.services.planning.suggestions import UnknownSuggestion, approve_together
from inden.services.schemas.common import MAX_UNITS

_REASON_TEXT = {
    ReasonKind.EXPEDITE: N_("Order now and ask for fast delivery: it is needed by %(need_by)s."),
    ReasonKind.CUSTOMERS_WAITING: N_("%(units)s unit(s) are waiting for customers."),
    ReasonKind.BELOW_REORDER_POINT: N_(
        "Stock on hand and on order (%(position)s) is at or below the reorder point (%(reorder_point)s)."),
    ReasonKind.EVENTS: N_("Planned events need stock: %(events)s."),
    ReasonKind.COVER: N_("Stock lasts about %(days)s day(s); delivery takes %(lead_time)s day(s)."),
    ReasonKind.RISK: N_("Chance of running out before it arrives: %(percent)s percent."),
    ReasonKind.CAPPED: N_("The reorder point is capped at %(reorder_point)s: the most sold in any %(days)s days of the "
                          "last year, planned events included."),
    ReasonKind.SIGN_UPS: N_("%(shoppers)s shopper(s) signed up while out of stock: about %(units)s unit(s) of "
                            "demand the sales did not show."),
}


def reason_text(reason: Reason, locale: str) -> str:
    """One reason in the seller's language (dates as `14 Des 2026`)."""
    values = {key: format_day(value, locale) if isinstance(value, date) else value
              for key, value in reason.values.items()}
    return translate(locale, _REASON_TEXT[reason.kind], **values)


@dataclass(frozen=True, slots=True)
class SuggestionRow:
    id: int
    sku: str
    name: str
    supplier_code: str
    supplier_name: str
    quantity: int
    unit_cost: Decimal | None
    total_cost: Decimal | None
    need_by: date
    expected_at: date
    expedite: bool
    reorder_point: float | None
    inventory_position: int | None
    risk: float | None  # chance of a stock-out before the order arrives (0..1)
    min_order_quantity: int
    pack_size: int
    reasons: tuple[str, ...]  # in the page's language, most pressing first
    created_at: datetime


def _rows(session: Session, suggestions: Sequence[ReplenishmentSuggestion], locale: str) -> list[SuggestionRow]:
    if not suggestions:
        return []
    products = {pid: (sku, name) for pid, sku, name in session.execute(
        select(Product.id, Product.sku, Product.name).where(Product.id.in_({s.product_id for s in suggestions})))}
    suppliers = {sid: (code, name) for sid, code, name in session.execute(
        select(Supplier.id, Supplier.code, Supplier.name).where(Supplier.id.in_({s.supplier_id for s in suggestions})))}
    terms = {(sid, pid): (moq, pack) for sid, pid, moq, pack in session.execute(
        select(SupplierOffer.supplier_id, SupplierOffer.product_id, SupplierOffer.min_order_quantity,
               SupplierOffer.pack_size).where(SupplierOffer.product_id.in_({s.product_id for s in suggestions})))}
    rows = []
    for s in suggestions:
        moq, pack = terms.get((s.supplier_id, s.product_id), (1, 1))
        reasons = explain_suggestion(s.figures, expedite=s.expedite, need_by=s.need_by)
        rows.append(SuggestionRow(
            id=s.id, sku=products[s.product_id][0], name=products[s.product_id][1],
            supplier_code=suppliers[s.supplier_id][0], supplier_name=suppliers[s.supplier_id][1], quantity=s.quantity,
            unit_cost=s.unit_cost, total_cost=s.unit_cost * s.quantity if s.unit_cost is not None else None,
            need_by=s.need_by, expected_at=s.expected_at, expedite=s.expedite,
            reorder_point=s.figures.get("reorder_point"), inventory_position=s.figures.get("inventory_position"),
            risk=s.figures.get("risk"), min_order_quantity=moq, pack_size=pack,
            reasons=tuple(reason_text(r, locale) for r in reasons), created_at=as_utc(s.created_at)))
    return rows


def pending_suggestions(db: Database, *, locale: str, supplier: str | None = None, paging: Paging = FIRST_PAGE
                        ) -> Paged[SuggestionRow]:
    """Pending suggestions, the ones to expedite first, then by stock-out risk: one page and the total."""
    conditions = [ReplenishmentSuggestion.status == SuggestionStatus.PENDING.value]
    if supplier is not None:
        conditions.append(ReplenishmentSuggestion.supplier_id.in_(select(Supplier.id).where(Supplier.code == supplier)))
    with db.transaction() as session:
        total = session.scalar(select(func.count()).select_from(ReplenishmentSuggestion).where(*conditions)) or 0
        suggestions = list(session.scalars(
            select(ReplenishmentSuggestion).where(*conditions)
            .order_by(desc(ReplenishmentSuggestion.expedite), desc(ReplenishmentSuggestion.figures["risk"].as_float()),
                      ReplenishmentSuggestion.id)
            .limit(paging.limit).offset(paging.offset)))
        rows = _rows(session, suggestions, locale)
    return Paged(tuple(rows), total, paging.limit, paging.offset)


def _pending_locked(session: Session, ids: Sequence[int]) -> list[ReplenishmentSuggestion]:
    """The suggestions, their products locked (SKU order, as plan runs and approvals lock them), all pending."""
    product_ids = dict(session.execute(select(ReplenishmentSuggestion.id, ReplenishmentSuggestion.product_id)
                                       .where(ReplenishmentSuggestion.id.in_(ids))).all())
    for suggestion_id in ids:
        if suggestion_id not in product_ids:
            raise UnknownSuggestion(suggestion_id)
    lock_products_by_id(session, list(product_ids.values()))
    rows = list(session.scalars(select(ReplenishmentSuggestion).where(ReplenishmentSuggestion.id.in_(ids))
                                .order_by(ReplenishmentSuggestion.id).execution_options(populate_existing=True)))
    for row in rows:
        if row.status != SuggestionStatus.PENDING.value:
            raise InvalidRequest(f"Suggestion {row.id} is {row.status}; only pending ones can be decided.",
                                 suggestion_id=row.id, status=row.status)
    return rows


def set_suggestion_quantity(db: Database, suggestion_id: int, quantity: int, *, locale: str) -> SuggestionRow:
    """Change a pending suggestion's quantity before approving it.

    The quantity must be a whole number of the supplier's packs, at least its minimum order, and at most
    MAX_UNITS; otherwise InvalidRequest (field `quantity`) and nothing changes. Raises UnknownSuggestion.
    """
    with db.transaction() as session:
        [row] = _pending_locked(session, [suggestion_id])
        moq, pack = session.execute(
            select(SupplierOffer.min_order_quantity, SupplierOffer.pack_size)
            .where(SupplierOffer.supplier_id == row.supplier_id, SupplierOffer.product_id == row.product_id)
        ).first() or (1, 1)
        _check_quantity(quantity, moq=moq, pack=pack)
        row.quantity = quantity
        session.flush()
        return _rows(session, [row], locale)[0]


def _check_quantity(quantity: int, *, moq: int, pack: int) -> None:
    if not 1 <= quantity <= MAX_UNITS:
        raise InvalidRequest(f"The quantity must be between 1 and {MAX_UNITS:,}.", field="quantity",
                             quantity=quantity)
    if quantity < moq:
        raise InvalidRequest(f"The supplier's minimum order is {moq}.", field="quantity", quantity=quantity,
                             min_order_quantity=moq)
    if quantity % pack:
        raise InvalidRequest(f"The supplier sells packs of {pack}: order a multiple of {pack}.", field="quantity",
                             quantity=quantity, pack_size=pack)


def approve_suggestions(db: Database, suggestion_ids: Sequence[int], *, now: datetime | None = None
                        ) -> tuple[int, ...]:
    """Approve several pending suggestions at once: one purchase order per supplier and expected date.

    All or nothing: an unknown id (UnknownSuggestion) or one no longer pending (InvalidRequest) changes
    nothing. Returns the new purchase orders' ids.
    """
    ids = sorted(set(suggestion_ids))
    if not ids:
        raise InvalidRequest("Choose at least one suggestion to approve.", field="suggestion_ids")
    now = now or utcnow()
    with db.transaction() as session:
        rows = _pending_locked(session, ids)
        return tuple(approve_together(session, rows, now=now))
