"""`/purchase-orders`, `/purchase-orders/new`, `/purchase-orders/{id}` (move the date with a preview first,
receive partial, over or short with close, confirm a draft, cancel) and `/suppliers` (reliability, add a
supplier, set an offer)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from inden.clock import shop_date, utcnow
from inden.domain.errors import DomainError, UnknownPurchaseOrder
from inden.domain.states import PurchaseOrderStatus
from inden.i18n import N_, translate
from inden.services import supply
from inden.services.back_office.paging import Paging
from inden.services.back_office.purchasing import (
    PurchaseOrderFilter,
    PurchaseOrderQuery,
    list_purchase_orders,
    list_suppliers,
    preview_move,
    purchase_order_detail,
)
from inden.services.schemas.common import MAX_UNITS, SKU_PATTERN
from inden.services.schemas.supply import (
    OfferIn,
    PurchaseLineIn,
    PurchaseOrderCreate,
    PurchaseOrderPatch,
    ReceiptCreate,
    SupplierCreate,
)
from inden.web.backoffice import forms
from inden.web.backoffice.auth import Posted, Signed, database
from inden.web.backoffice.forms import RecordId
from inden.web.backoffice.products import PAGE_SIZE, paging
from inden.web.backoffice.render import Errors, page

router = APIRouter(include_in_schema=False)
NEW_LINES = 5  # empty line rows on the new purchase order form (no script needed to add more)
STATUSES = tuple(s.value for s in PurchaseOrderStatus)


@router.get("/purchase-orders")
def purchase_order_list(request: Request, account: Signed) -> HTMLResponse:
    status = request.query_params.get("status", PurchaseOrderStatus.OPEN.value)
    status = status if status in STATUSES else ""
    late_or_due = request.query_params.get("filter", "")
    chosen = PurchaseOrderFilter(late_or_due) if late_or_due in {f.value for f in PurchaseOrderFilter} else None
    number, offset = paging(request)
    listing = list_purchase_orders(database(request), PurchaseOrderQuery(
        status=status or None, filter=chosen, paging=Paging(limit=PAGE_SIZE, offset=offset)))
    return page(request, account, "purchase_orders.html", listing=listing, status=status, statuses=STATUSES,
                filter=late_or_due if chosen else "", number=number, size=PAGE_SIZE)


def _new_form(request: Request, account: Signed, *, errors: Errors | None = None, values: dict[str, Any] | None = None,
              status_code: int = 200) -> HTMLResponse:
    suppliers = list_suppliers(database(request))
    default_day = shop_date(utcnow(), request.app.state.settings.timezone) + timedelta(days=14)
    values = values or {"expected_at": default_day.isoformat(), **{
        f"sku_{n}": request.query_params.get("sku", "") if n == 1 else "" for n in range(1, NEW_LINES + 1)}}
    return page(request, account, "purchase_order_new.html", suppliers=suppliers, errors=errors or Errors(),
                values=values, lines=range(1, NEW_LINES + 1), status_code=status_code)


@router.get("/purchase-orders/new")
def new_purchase_order_form(request: Request, account: Signed) -> HTMLResponse:
    return _new_form(request, account)


def _lines(form: FormData, errors: Errors) -> list[PurchaseLineIn]:
    lines = []
    for n in range(1, NEW_LINES + 1):
        sku = forms.raw(form, f"sku_{n}")
        if not sku and not forms.raw(form, f"qty_{n}"):
            continue
        quantity = forms.integer(form, f"qty_{n}", errors, low=1, high=MAX_UNITS)
        cost = forms.money(form, f"cost_{n}", errors)
        if not sku:
            errors.add(f"sku_{n}", N_("Enter a value."))
        elif quantity is not None:
            lines.append(PurchaseLineIn(sku=sku, quantity=quantity, unit_cost=cost))
    if not lines and not errors:
        errors.add("sku_1", N_("Enter at least one product and its units."))
    return lines


@router.post("/purchase-orders/new")
def create_purchase_order(request: Request, account: Signed, form: Posted) -> Response:
    errors = Errors()
    supplier = forms.text(form, "supplier", errors, max_length=64)
    expected_at = forms.day(form, "expected_at", errors)
    lines = _lines(form, errors)
    po = None
    if not errors:
        try:
            po = supply.create_purchase_order(database(request), PurchaseOrderCreate.model_validate({
                "supplier": supplier, "expected_at": expected_at, "lines": lines,
                "draft": forms.raw(form, "draft") == "1"}))
        except ValidationError as error:
            forms.from_validation(error, errors, fields={"lines": "sku_1"})
        except DomainError as error:
            forms.from_domain(error, errors, "sku_1" if "sku" in error.details else "supplier")
    if errors or po is None:
        return _new_form(request, account, errors=errors, values=dict(form), status_code=422)
    return RedirectResponse(f"/purchase-orders/{po.id}?saved=created", status_code=303)


def _po_page(request: Request, account: Signed, po_id: RecordId, *, errors: Errors | None = None,
             values: dict[str, Any] | None = None, status_code: int = 200, **extra: Any) -> HTMLResponse:
    try:
        po = purchase_order_detail(database(request), po_id)
    except UnknownPurchaseOrder:
        return page(request, account, "refused.html", status_code=404, reason="missing",
                    message=translate(account.locale, "No purchase order has number %(number)s.", number=po_id))
    defaults = {f"qty:{line.sku}": max(line.quantity - line.received, 0) for line in po.lines}
    return page(request, account, "purchase_order.html", po=po, errors=errors or Errors(),
                values={"expected_at": po.expected_at.isoformat(), **defaults, **(values or {})},
                status_code=status_code, saved=request.query_params.get("saved"), **extra)


@router.get("/purchase-orders/{po_id}")
def purchase_order_page(request: Request, account: Signed, po_id: RecordId) -> HTMLResponse:
    return _po_page(request, account, po_id)


@router.post("/purchase-orders/{po_id}/move")
def move(request: Request, account: Signed, form: Posted, po_id: RecordId) -> Response:
    """Without `confirm`: the preview (nothing saved). With it: the move."""
    errors = Errors()
    expected_at = forms.day(form, "expected_at", errors)
    if expected_at is not None and not errors:
        try:
            if forms.raw(form, "confirm") != "1":
                preview = preview_move(database(request), po_id, expected_at)
                return _po_page(request, account, po_id, preview=preview, values=dict(form))
            supply.move_purchase_order(database(request), po_id, PurchaseOrderPatch(expected_at=expected_at))
        except DomainError as error:
            forms.from_domain(error, errors, "expected_at")
    if errors:
        return _po_page(request, account, po_id, errors=errors, values=dict(form), status_code=422)
    return RedirectResponse(f"/purchase-orders/{po_id}?saved=moved", status_code=303)


@router.post("/purchase-orders/{po_id}/receive")
def receive(request: Request, account: Signed, form: Posted, po_id: RecordId) -> Response:
    errors = Errors()
    lines = forms.line_quantities(form, errors)
    if not lines and not errors:
        errors.add("receive", N_("Enter the units that arrived for at least one line."))
    if not errors:
        try:
            supply.receive_purchase_order(database(request), po_id, ReceiptCreate(
                lines=lines, close=forms.raw(form, "close") == "1"))
        except DomainError as error:
            forms.from_domain(error, errors, "receive")
    if errors:
        return _po_page(request, account, po_id, errors=errors, values=dict(form), status_code=422)
    return RedirectResponse(f"/purchase-orders/{po_id}?saved=received", status_code=303)


@router.post("/purchase-orders/{po_id}/{action}")
def change_status(request: Request, account: Signed, form: Posted, po_id: RecordId, action: str) -> Response:
    errors = Errors()
    try:
        if action == "confirm":
            supply.confirm_purchase_order(database(request), po_id)
        elif action == "cancel":
            supply.cancel_purchase_order(database(request), po_id)
        else:
            return RedirectResponse(f"/purchase-orders/{po_id}", status_code=303)
    except DomainError as error:
        forms.from_domain(error, errors, "status")
        return _po_page(request, account, po_id, errors=errors, status_code=422)
    return RedirectResponse(f"/purchase-orders/{po_id}?saved={action}", status_code=303)


def _suppliers_page(request: Request, account: Signed, *, errors: Errors | None = None,
                    values: dict[str, Any] | None = None, status_code: int = 200) -> HTMLResponse:
    return page(request, account, "suppliers.html", suppliers=list_suppliers(database(request)),
                errors=errors or Errors(), values=values or {"lead_time_days": "14", "min_order_quantity": "1",
                                                             "pack_size": "1"},
                status_code=status_code, saved=request.query_params.get("saved"))


@router.get("/suppliers")
def suppliers_page(request: Request, account: Signed) -> HTMLResponse:
    return _suppliers_page(request, account)


@router.post("/suppliers")
def add_supplier(request: Request, account: Signed, form: Posted) -> Response:
    errors = Errors()
    code = forms.text(form, "code", errors, max_length=64)
    name = forms.text(form, "name", errors)
    email = forms.text(form, "email", errors, required=False, max_length=254)
    lead_time = forms.integer(form, "lead_time_days", errors, high=3650)
    if code and not re.match(SKU_PATTERN, code):
        errors.add("code", N_("Use 1 to 64 letters, digits, dots, dashes or underscores."))
    if not errors:
        try:
            supply.create_supplier(database(request), SupplierCreate(code=code or "", name=name or "", email=email,
                                                                     lead_time_days=lead_time or 0))
        except ValidationError as error:
            forms.from_validation(error, errors)
        except DomainError as error:
            forms.from_domain(error, errors, "code")
    if errors:
        return _suppliers_page(request, account, errors=errors, values=dict(form), status_code=422)
    return RedirectResponse("/suppliers?saved=supplier", status_code=303)


@router.post("/suppliers/offers")
def set_offer(request: Request, account: Signed, form: Posted) -> Response:
    errors = Errors()
    code = forms.text(form, "offer_supplier", errors, max_length=64)
    sku = forms.text(form, "offer_sku", errors, max_length=64)
    offer = {"lead_time_days": forms.integer(form, "offer_lead_time_days", errors, high=3650, required=False),
             "min_order_quantity": forms.integer(form, "min_order_quantity", errors, low=1, high=MAX_UNITS),
             "pack_size": forms.integer(form, "pack_size", errors, low=1, high=MAX_UNITS),
             "unit_cost": forms.money(form, "unit_cost", errors)}
    if not errors:
        try:
            supply.set_offer(database(request), code or "", sku or "", OfferIn.model_validate(offer))
        except ValidationError as error:
            forms.from_validation(error, errors)
        except DomainError as error:
            forms.from_domain(error, errors, "offer_sku" if "sku" in error.details else "offer_supplier")
    if errors:
        return _suppliers_page(request, account, errors=errors, values=dict(form), status_code=422)
    return RedirectResponse("/suppliers?saved=offer", status_code=303)
