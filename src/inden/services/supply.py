"""Suppliers, their offers, purchase orders and receipts. Every change to incoming supply re-pegs ETAs."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from inden.clock import as_utc, shop_date, utcnow
from inden.db.models import (
    Product,
    PurchaseOrder,
    PurchaseOrderLine,
    Receipt,
    ReceiptLine,
    Supplier,
    SupplierOffer,
)
from inden.db.session import Database
from inden.db.stock import lock_products, lock_products_by_id, record_movements
from inden.db.supply import supplier_reliability
from inden.domain.errors import InvalidRequest, UnknownPurchaseOrder
from inden.domain.ledger import MovementKind
from inden.domain.states import PurchaseOrderStatus
from inden.services.pagination import keyset_page
from inden.services.schemas.common import Page, date_window
from inden.services.schemas.supply import (
    OfferIn,
    OfferOut,
    PurchaseLineOut,
    PurchaseOrderCreate,
    PurchaseOrderOut,
    PurchaseOrderPatch,
    ReceiptCreate,
    ReceiptOut,
    ReliabilityOut,
    SupplierCreate,
    SupplierOut,
)
from inden.services.steps.etas import refresh_etas
from inden.services.steps.lookup import find_supplier
from inden.services.steps.purchasing import add_purchase_order
from inden.services.steps.restock import announce_restock, shelf_before
from inden.services.steps.serving import serve_waiting

# --- suppliers and offers ----------------------------------------------------------------------------


def _supplier_views(session: Session, suppliers: list[Supplier]) -> list[SupplierOut]:
    reliability = supplier_reliability(session, [s.id for s in suppliers])
    offers = session.execute(
        select(SupplierOffer, Product.sku).join(Product, Product.id == SupplierOffer.product_id)
        .where(SupplierOffer.supplier_id.in_([s.id for s in suppliers])).order_by(Product.sku)
    ).all()
    return [
        SupplierOut(
            code=s.code, name=s.name, email=s.email, lead_time_days=s.lead_time_days,
            reliability=ReliabilityOut.model_validate(reliability[s.id], from_attributes=True),
            offers=[
                OfferOut(sku=sku, lead_time_days=o.lead_time_days if o.lead_time_days is not None else s.lead_time_days,
                         min_order_quantity=o.min_order_quantity, pack_size=o.pack_size, unit_cost=o.unit_cost,
                         currency=o.currency)
                for o, sku in offers if o.supplier_id == s.id
            ],
            created_at=as_utc(s.created_at),
        )
        for s in suppliers
    ]


def create_supplier(db: Database, spec: SupplierCreate, *, now: datetime | None = None) -> SupplierOut:
    """Add a supplier. Raises InvalidRequest if the code is taken."""
    try:
        with db.transaction() as session:
            if session.scalar(select(Supplier.id).where(Supplier.code == spec.code)) is not None:
                raise InvalidRequest(f"A supplier with code {spec.code!r} already exists.", supplier=spec.code)
            supplier = Supplier(**spec.model_dump(), created_at=now or utcnow())
            session.add(supplier)
            session.flush()
            return _supplier_views(session, [supplier])[0]
    except IntegrityError as error:
        raise InvalidRequest(f"A supplier with code {spec.code!r} already exists.", supplier=spec.code) from error


def list_suppliers(db: Database) -> list[SupplierOut]:
    """Every supplier with its measured reliability and offers."""
    with db.transaction() as session:
        suppliers = list(session.scalars(select(Supplier).order_by(Supplier.code)))
        return _supplier_views(session, suppliers) if suppliers else []


def set_offer(db: Database, code: str, sku: str, offer: OfferIn, *, now: datetime | None = None) -> SupplierOut:
    """Create or replace a supplier's terms for a SKU; estimated ETAs may move (fastest supplier)."""
    with db.transaction() as session:
        supplier = find_supplier(session, code)
        product = lock_products(session, [sku])[sku]
        existing = session.scalar(select(SupplierOffer).where(
            SupplierOffer.supplier_id == supplier.id, SupplierOffer.product_id == product.id))
        if existing is None:
            session.add(SupplierOffer(supplier_id=supplier.id, product_id=product.id, **offer.model_dump()))
        else:
            for field, value in offer.model_dump().items():
                setattr(existing, field, value)
        refresh_etas(session, [product], now=now or utcnow())
        return _supplier_views(session, [supplier])[0]


# --- purchase orders ---------------------------------------------------------------------------------


def _po_view(session: Session, po: PurchaseOrder) -> PurchaseOrderOut:
    lines = session.execute(
        select(PurchaseOrderLine, Product.sku).join(Product, Product.id == PurchaseOrderLine.product_id)
        .where(PurchaseOrderLine.purchase_order_id == po.id).order_by(PurchaseOrderLine.id)
        .execution_options(populate_existing=True)
    ).all()
    supplier = session.get(Supplier, po.supplier_id)
    assert supplier is not None
    return PurchaseOrderOut(
        id=po.id, supplier=supplier.code, status=po.status, expected_at=po.expected_at,
        lines=[PurchaseLineOut(sku=sku, quantity=line.quantity, received=line.received, unit_cost=line.unit_cost)
               for line, sku in lines],
        created_at=as_utc(po.created_at), updated_at=as_utc(po.updated_at),
    )


def _lock_po(session: Session, po_id: int) -> tuple[PurchaseOrder, dict[int, Product]]:
    """Lock the products on the purchase order (SKU order), then load it."""
    product_ids = session.scalars(
        select(PurchaseOrderLine.product_id).where(PurchaseOrderLine.purchase_order_id == po_id)).all()
    po = session.get(PurchaseOrder, po_id, populate_existing=True)
    if po is None or not product_ids:
        raise UnknownPurchaseOrder(po_id)
    return po, lock_products_by_id(session, product_ids)


def _require_open(po: PurchaseOrder, *, or_draft: bool = False) -> None:
    if po.status != PurchaseOrderStatus.OPEN and not (or_draft and po.status == PurchaseOrderStatus.DRAFT):
        raise InvalidRequest(f"Purchase order {po.id} is {po.status}; only open ones can change.",
                             purchase_order_id=po.id, status=po.status)


def create_purchase_order(db: Database, spec: PurchaseOrderCreate, *, now: datetime | None = None) -> PurchaseOrderOut:
    """Order from a supplier; the units count as incoming and waiting backorders are pegged to them."""
    now = now or utcnow()
    with db.transaction() as session:
        supplier = find_supplier(session, spec.supplier)
        po = add_purchase_order(session, supplier, spec.lines, expected_at=spec.expected_at, now=now,
                                status=PurchaseOrderStatus.DRAFT if spec.draft else PurchaseOrderStatus.OPEN)
        return _po_view(session, po)


def confirm_purchase_order(db: Database, po_id: int, *, now: datetime | None = None) -> PurchaseOrderOut:
    """Send a draft: it becomes open, and waiting backorders are pegged to it."""
    now = now or utcnow()
    with db.transaction() as session:
        po, products = _lock_po(session, po_id)
        if po.status != PurchaseOrderStatus.DRAFT:
            raise InvalidRequest(f"Purchase order {po.id} is {po.status}; only drafts can be confirmed.",
                                 purchase_order_id=po.id, status=po.status)
        po.status, po.updated_at = PurchaseOrderStatus.OPEN.value, now
        refresh_etas(session, list(products.values()), now=now)
        return _po_view(session, po)


def move_purchase_order(db: Database, po_id: int, patch: PurchaseOrderPatch, *, now: datetime | None = None
                        ) -> PurchaseOrderOut:
    """Change the expected date; every affected backorder's ETA is re-computed (events for those that move)."""
    now = now or utcnow()
    with db.transaction() as session:
        po, products = _lock_po(session, po_id)
        _require_open(po)
        po.expected_at, po.updated_at = patch.expected_at, now
        refresh_etas(session, list(products.values()), now=now)
        return _po_view(session, po)


def move_supplier_purchase_orders(db: Database, code: str, *, days: int, now: datetime | None = None) -> int:
    """Shift every open purchase order of a supplier by `days` (a supplier-wide delay) in one transaction.

    Returns how many backorder promises changed.
    """
    now = now or utcnow()
    with db.transaction() as session:
        supplier = find_supplier(session, code)
        pos = list(session.scalars(select(PurchaseOrder).where(
            PurchaseOrder.supplier_id == supplier.id, PurchaseOrder.status == PurchaseOrderStatus.OPEN.value)))
        product_ids = session.scalars(select(PurchaseOrderLine.product_id).where(
            PurchaseOrderLine.purchase_order_id.in_([po.id for po in pos]))).all()
        products = lock_products_by_id(session, product_ids)
        low, high = date_window(now.date())
        for po in pos:
            moved = po.expected_at.toordinal() + days  # checked before it becomes a date: no year 10000
            if not low.toordinal() <= moved <= high.toordinal():
                raise InvalidRequest(f"Purchase order {po.id} would be expected outside {low} to {high}.",
                                     po=po.id, low=low.isoformat(), high=high.isoformat())
            po.expected_at = date.fromordinal(moved)
            po.updated_at = now
        return refresh_etas(session, list(products.values()), now=now)


def cancel_purchase_order(db: Database, po_id: int, *, now: datetime | None = None) -> PurchaseOrderOut:
    """Cancel what is still to come; backorders pegged to it get later (or estimated) ETAs."""
    now = now or utcnow()
    with db.transaction() as session:
        po, products = _lock_po(session, po_id)
        _require_open(po, or_draft=True)
        po.status, po.updated_at = PurchaseOrderStatus.CANCELLED.value, now
        refresh_etas(session, list(products.values()), now=now)
        return _po_view(session, po)


def receive_purchase_order(db: Database, po_id: int, receipt: ReceiptCreate, *, now: datetime | None = None
                           ) -> ReceiptOut:
    """Count a delivery in: stock through the ledger, then the backorder queue served, in one transaction.

    More or fewer units than ordered are recorded as they came. The order closes (`received`) once every
    line has come in full, or at once with `close: true`.
    """
    now = now or utcnow()
    with db.transaction() as session:
        po, products = _lock_po(session, po_id)
        _require_open(po)
        by_sku = {p.sku: p for p in products.values()}
        lines = {line.product_id: line for line in session.scalars(
            select(PurchaseOrderLine).where(PurchaseOrderLine.purchase_order_id == po_id))}
        for item in receipt.lines:
            if item.sku not in by_sku:
                raise InvalidRequest(f"Purchase order {po_id} has no line for SKU {item.sku!r}.", sku=item.sku)
        record = Receipt(purchase_order_id=po.id, supplier_id=po.supplier_id, expected_at=po.expected_at,
                         received_on=shop_date(now, db.settings.timezone), created_at=now)
        session.add(record)
        session.flush()
        for item in receipt.lines:
            product = by_sku[item.sku]
            lines[product.id].received += item.quantity
            session.add(ReceiptLine(receipt_id=record.id, product_id=product.id, quantity=item.quantity))
        before = shelf_before(session, list(products.values()), now=now)
        record_movements(session, [(by_sku[item.sku], item.quantity) for item in receipt.lines],
                         kind=MovementKind.RECEIPT, reason=f"purchase order {po_id}", ref=f"receipt:{record.id}",
                         now=now)
        if receipt.close or all(line.received >= line.quantity for line in lines.values()):
            po.status = PurchaseOrderStatus.RECEIVED.value
        po.updated_at = now
        served = serve_waiting(session, list(products.values()), now=now)
        refresh_etas(session, list(products.values()), now=now)
        announce_restock(session, list(products.values()), before, now=now)
        return ReceiptOut(**_po_view(session, po).model_dump(), served_units=served)


def get_purchase_order(db: Database, po_id: int) -> PurchaseOrderOut:
    with db.transaction() as session:
        po = session.get(PurchaseOrder, po_id)
        if po is None:
            raise UnknownPurchaseOrder(po_id)
        return _po_view(session, po)


def list_purchase_orders(db: Database, *, status: str | None = None, cursor: str | None = None,
                         limit: int = 100) -> Page[PurchaseOrderOut]:
    """Purchase orders in the order they were made, optionally only those in `status`."""
    with db.transaction() as session:
        query = select(PurchaseOrder)
        if status is not None:
            query = query.where(PurchaseOrder.status == status)
        pos, next_cursor = keyset_page(session, query, PurchaseOrder.id, cursor=cursor, limit=limit)
        return Page[PurchaseOrderOut](items=[_po_view(session, po) for po in pos], next_cursor=next_cursor)
