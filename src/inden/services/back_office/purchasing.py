"""The purchasing pages: purchase orders (list, one order with the customers each line serves), suppliers with
their measured reliability, and moving an order's expected date with a preview before saving."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import and_, bindparam, desc, func, or_, select, text
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from inden.clock import as_utc, shop_date, utcnow
from inden.config import Settings
from inden.db.models import Product, PurchaseOrder, PurchaseOrderLine, Supplier, SupplierOffer
from inden.db.queue import queue_order
from inden.db.session import Database
from inden.db.stock import lock_products_by_id
from inden.db.supply import supplier_reliability
from inden.domain.errors import InvalidRequest, UnknownPurchaseOrder
from inden.domain.reliability import Reliability
from inden.domain.states import PurchaseOrderStatus
from inden.services.back_office.paging import FIRST_PAGE, Paged, Paging
from inden.services.steps.etas import preview_etas, supply_schedules

_OPEN, _DRAFT = PurchaseOrderStatus.OPEN.value, PurchaseOrderStatus.DRAFT.value  # as stored

COVERED_SHOWN = 20  # orders listed per purchase-order line (the counts cover all)


class PurchaseOrderFilter(StrEnum):
    LATE = "late"  # open, expected before today
    DUE = "due"  # open, expected today


@dataclass(frozen=True, slots=True)
class PurchaseOrderQuery:
    status: str | None = None  # draft, open, received, cancelled
    supplier: str | None = None  # a supplier's code
    filter: PurchaseOrderFilter | None = None
    paging: Paging = FIRST_PAGE


@dataclass(frozen=True, slots=True)
class PurchaseOrderRow:
    id: int
    supplier_code: str
    supplier_name: str
    status: str
    expected_at: date
    days_late: int  # 0 unless open and past its expected date
    lines: int
    units: int
    received: int
    value: Decimal | None  # sum of quantity x unit cost over lines with a cost
    created_at: datetime


def _conditions(query: PurchaseOrderQuery, today: date) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if query.status is not None:
        conditions.append(PurchaseOrder.status == query.status)
    if query.supplier is not None:
        conditions.append(Supplier.code == query.supplier)
    if query.filter is PurchaseOrderFilter.LATE:
        conditions += [PurchaseOrder.status == PurchaseOrderStatus.OPEN.value, PurchaseOrder.expected_at < today]
    elif query.filter is PurchaseOrderFilter.DUE:
        conditions += [PurchaseOrder.status == PurchaseOrderStatus.OPEN.value, PurchaseOrder.expected_at == today]
    return conditions


def list_purchase_orders(db: Database, query: PurchaseOrderQuery = PurchaseOrderQuery(), *,
                         now: datetime | None = None, settings: Settings | None = None) -> Paged[PurchaseOrderRow]:
    """Purchase orders newest first (late and due ones: earliest expected first), one page and the total."""
    today = shop_date(now or utcnow(), (settings or db.settings).timezone)
    conditions = _conditions(query, today)
    order = ((PurchaseOrder.expected_at, PurchaseOrder.id) if query.filter is not None
             else (desc(PurchaseOrder.id),))
    base = select(PurchaseOrder, Supplier.code, Supplier.name).join(Supplier, Supplier.id == PurchaseOrder.supplier_id)
    with db.transaction() as session:
        total = session.scalar(select(func.count()).select_from(PurchaseOrder)
                               .join(Supplier, Supplier.id == PurchaseOrder.supplier_id).where(*conditions)) or 0
        rows = session.execute(base.where(*conditions).order_by(*order)
                               .limit(query.paging.limit).offset(query.paging.offset)).all()
        totals = _line_totals(session, [po.id for po, _, _ in rows])
    items = tuple(
        PurchaseOrderRow(po.id, code, name, po.status, po.expected_at, _days_late(po, today),
                         *totals.get(po.id, (0, 0, 0, None)), created_at=as_utc(po.created_at))
        for po, code, name in rows)
    return Paged(items, total, query.paging.limit, query.paging.offset)


def _days_late(po: PurchaseOrder, today: date) -> int:
    return max((today - po.expected_at).days, 0) if po.status == PurchaseOrderStatus.OPEN.value else 0


def _line_totals(session: Session, po_ids: list[int]) -> dict[int, tuple[int, int, int, Decimal | None]]:
    if not po_ids:
        return {}
    rows = session.execute(
        select(PurchaseOrderLine.purchase_order_id, func.count(), func.sum(PurchaseOrderLine.quantity),
               func.sum(PurchaseOrderLine.received),
               func.sum(PurchaseOrderLine.quantity * PurchaseOrderLine.unit_cost))
        .where(PurchaseOrderLine.purchase_order_id.in_(po_ids)).group_by(PurchaseOrderLine.purchase_order_id))
    return {po_id: (int(n), int(units), int(received), Decimal(value) if value is not None else None)
            for po_id, n, units, received, value in rows}


# --- one purchase order ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CoveredOrder:
    """A waiting order line that units of this purchase order will serve."""

    order_id: int
    customer_email: str
    units: int  # of the line's waiting units, those this purchase order brings


@dataclass(frozen=True, slots=True)
class PurchaseLineDetail:
    sku: str
    name: str
    quantity: int
    received: int
    unit_cost: Decimal | None
    covered_orders: int  # waiting orders this line's units go to, in queue order
    covered_units: int
    covers: tuple[CoveredOrder, ...]  # the first COVERED_SHOWN of them


@dataclass(frozen=True, slots=True)
class PurchaseOrderDetail:
    id: int
    supplier_code: str
    supplier_name: str
    status: str
    expected_at: date
    days_late: int
    lines: tuple[PurchaseLineDetail, ...]
    created_at: datetime
    updated_at: datetime


_COVERED = f"""
    SELECT q.product_id, q.order_id, o.customer_email, q.backordered, q.upto FROM (
        SELECT l.product_id, l.order_id, l.backordered,
               SUM(l.backordered) OVER (PARTITION BY l.product_id ORDER BY {queue_order("l")}
                                        ROWS UNBOUNDED PRECEDING) AS upto
        FROM order_lines l WHERE l.product_id IN :product_ids AND l.backordered > 0
    ) q JOIN orders o ON o.id = q.order_id
    WHERE {{ranges}}
    ORDER BY q.product_id, q.upto
"""


def _coverage(session: Session, po_id: int, products: dict[int, Product], *, now: datetime
              ) -> dict[int, list[CoveredOrder]]:
    """Per product id, the waiting lines whose units fall on this purchase order's delivery (ETA pegging's
    queue positions: the delivery holds queue units first..last)."""
    ranges = {pid: (d.first, d.last) for pid, schedule in supply_schedules(session, list(products.values()), now=now)
              .items() for d in schedule.deliveries if d.purchase_order_id == po_id}
    if not ranges:
        return {}
    terms: list[str] = []
    params: dict[str, int] = {}
    for n, (pid, (first, last)) in enumerate(ranges.items()):
        terms.append(f"(q.product_id = :p{n} AND q.upto >= :f{n} AND q.upto - q.backordered < :l{n})")
        params |= {f"p{n}": pid, f"f{n}": first, f"l{n}": last}
    query = text(_COVERED.format(ranges=" OR ".join(terms))).bindparams(bindparam("product_ids", expanding=True))
    covered: dict[int, list[CoveredOrder]] = defaultdict(list)
    for pid, order_id, email, waiting, upto in session.execute(query, {"product_ids": list(ranges), **params}):
        first, last = ranges[pid]
        units = min(upto, last) - max(upto - waiting, first - 1)
        covered[pid].append(CoveredOrder(order_id, email, units))
    return covered


def purchase_order_detail(db: Database, po_id: int, *, now: datetime | None = None,
                          settings: Settings | None = None) -> PurchaseOrderDetail:
    """One purchase order with, per line, the waiting orders its units will serve. Raises UnknownPurchaseOrder."""
    now = now or utcnow()
    today = shop_date(now, (settings or db.settings).timezone)
    with db.transaction() as session:
        found = session.execute(select(PurchaseOrder, Supplier.code, Supplier.name)
                                .join(Supplier, Supplier.id == PurchaseOrder.supplier_id)
                                .where(PurchaseOrder.id == po_id)).first()
        if found is None:
            raise UnknownPurchaseOrder(po_id)
        po, code, name = found
        lines = session.execute(
            select(PurchaseOrderLine, Product).join(Product, Product.id == PurchaseOrderLine.product_id)
            .where(PurchaseOrderLine.purchase_order_id == po_id).order_by(PurchaseOrderLine.id)).all()
        covered = (_coverage(session, po_id, {p.id: p for _, p in lines}, now=now) if po.status == _OPEN else {})
    return PurchaseOrderDetail(
        id=po.id, supplier_code=code, supplier_name=name, status=po.status, expected_at=po.expected_at,
        days_late=_days_late(po, today),
        lines=tuple(
            PurchaseLineDetail(sku=p.sku, name=p.name, quantity=line.quantity, received=line.received,
                               unit_cost=line.unit_cost, covered_orders=len(covered.get(p.id, [])),
                               covered_units=sum(c.units for c in covered.get(p.id, [])),
                               covers=tuple(covered.get(p.id, [])[:COVERED_SHOWN]))
            for line, p in lines),
        created_at=as_utc(po.created_at), updated_at=as_utc(po.updated_at))


# --- moving the expected date: preview ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MovePreview:
    """What moving a purchase order's expected date would do, before anything is saved."""

    purchase_order_id: int
    expected_at: date  # now
    new_expected_at: date
    customers_later: int  # customers whose ship date moves later
    customers_earlier: int
    lines_later: int
    lines_earlier: int
    messages: int  # `eta_changed` messages the move would write (one per waiting line whose date moves)


def preview_move(db: Database, po_id: int, expected_at: date, *, now: datetime | None = None) -> MovePreview:
    """Moving `po_id` to `expected_at`, counted but not saved: the same re-peg as `supply.move_purchase_order`
    runs inside a savepoint that is rolled back. Raises UnknownPurchaseOrder, InvalidRequest (not open)."""
    now = now or utcnow()
    with db.transaction() as session:
        product_ids = session.scalars(select(PurchaseOrderLine.product_id)
                                      .where(PurchaseOrderLine.purchase_order_id == po_id)).all()
        po = session.get(PurchaseOrder, po_id)
        if po is None or not product_ids:
            raise UnknownPurchaseOrder(po_id)
        if po.status != PurchaseOrderStatus.OPEN.value:
            raise InvalidRequest(f"Purchase order {po.id} is {po.status}; only open ones can move.",
                                 purchase_order_id=po.id, status=po.status)
        products = lock_products_by_id(session, product_ids)  # the move's own lock: the same snapshot
        before = po.expected_at
        savepoint = session.begin_nested()
        try:
            po.expected_at = expected_at
            preview = preview_etas(session, list(products.values()), now=now)
        finally:
            savepoint.rollback()
    return MovePreview(po_id, before, expected_at, preview.customers_later, preview.customers_earlier,
                       preview.lines_later, preview.lines_earlier, preview.messages)


# --- suppliers --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SupplierRow:
    code: str
    name: str
    email: str | None
    lead_time_days: int
    reliability: Reliability
    offers: int  # products it sells us
    open_orders: int
    open_units: int  # still to be received on open orders
    draft_orders: int


def list_suppliers(db: Database) -> tuple[SupplierRow, ...]:
    """Every supplier with its measured reliability (delays, on-time rate, fill ratio) and open business."""
    with db.transaction() as session:
        suppliers = list(session.scalars(select(Supplier).order_by(Supplier.code)))
        reliability = supplier_reliability(session, [s.id for s in suppliers]) if suppliers else {}
        offers = dict(session.execute(select(SupplierOffer.supplier_id, func.count())
                                      .group_by(SupplierOffer.supplier_id)).all())
        remaining = PurchaseOrderLine.quantity - PurchaseOrderLine.received
        business = {sid: (int(o or 0), int(u or 0), int(d or 0)) for sid, o, u, d in session.execute(
            select(PurchaseOrder.supplier_id,
                   func.count(func.distinct(PurchaseOrder.id)).filter(PurchaseOrder.status == _OPEN),
                   func.sum(remaining).filter(and_(PurchaseOrder.status == _OPEN, remaining > 0)),
                   func.count(func.distinct(PurchaseOrder.id)).filter(PurchaseOrder.status == _DRAFT))
            .join(PurchaseOrderLine, PurchaseOrderLine.purchase_order_id == PurchaseOrder.id)
            .where(or_(PurchaseOrder.status == _OPEN, PurchaseOrder.status == _DRAFT))
            .group_by(PurchaseOrder.supplier_id))}
    return tuple(
        SupplierRow(code=s.code, name=s.name, email=s.email, lead_time_days=s.lead_time_days,
                    reliability=reliability[s.id], offers=int(offers.get(s.id, 0)),
                    open_orders=business.get(s.id, (0, 0, 0))[0], open_units=business.get(s.id, (0, 0, 0))[1],
                    draft_orders=business.get(s.id, (0, 0, 0))[2])
        for s in suppliers)
