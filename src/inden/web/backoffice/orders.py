"""`/orders`: search and status tabs; `/orders/{id}`: lines with queue positions and ETAs; cancel all or some
lines, ship, change the priority."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from inden.domain.errors import DomainError, UnknownOrder
from inden.domain.orders import OrderStatus
from inden.i18n import N_, translate
from inden.services import orders
from inden.services.back_office.orders import OrderQuery, list_orders, order_detail
from inden.services.back_office.paging import Paging
from inden.services.order_priority import set_priority
from inden.services.schemas.common import LineIn
from inden.web.backoffice import forms
from inden.web.backoffice.auth import Posted, Signed, database
from inden.web.backoffice.forms import RecordId
from inden.web.backoffice.products import PAGE_SIZE, paging
from inden.web.backoffice.render import Errors, page

router = APIRouter(include_in_schema=False)
STATUS_TABS = {"waiting": None, "to_ship": OrderStatus.ALLOCATED, "partly_shipped": OrderStatus.PARTIALLY_SHIPPED,
               "shipped": OrderStatus.SHIPPED, "cancelled": OrderStatus.CANCELLED}


@router.get("/orders")
def order_list_page(request: Request, account: Signed) -> HTMLResponse:
    q = request.query_params.get("q", "").strip()[:254]
    status = request.query_params.get("status", "")
    status = status if status in STATUS_TABS else ""
    number, offset = paging(request)
    listing = list_orders(database(request), OrderQuery(
        search=q, status=STATUS_TABS.get(status), waiting=status == "waiting",
        paging=Paging(limit=PAGE_SIZE, offset=offset)))
    return page(request, account, "orders.html", rows=listing.items, total=listing.total, number=number,
                size=PAGE_SIZE, q=q, status=status, statuses=list(STATUS_TABS))


def _order_page(request: Request, account: Signed, order_id: RecordId, *, errors: Errors | None = None,
                status_code: int = 200) -> HTMLResponse:
    try:
        order = order_detail(database(request), order_id)
    except UnknownOrder:
        return page(request, account, "refused.html", status_code=404, reason="missing",
                    message=translate(account.locale, "No order has number %(number)s.", number=order_id))
    return page(request, account, "order.html", order=order, errors=errors or Errors(),
                status_code=status_code, saved=request.query_params.get("saved"))


@router.get("/orders/{order_id}")
def order_page(request: Request, account: Signed, order_id: RecordId) -> HTMLResponse:
    return _order_page(request, account, order_id)


def _selection(form: FormData, errors: Errors) -> list[LineIn] | None:
    """The lines ticked with their quantities (`qty:SKU` fields); None when the form asks for all lines."""
    if forms.raw(form, "scope") == "all":
        return None
    chosen = forms.line_quantities(form, errors)
    if not chosen and not errors:
        errors.add("lines", N_("Enter how many units of at least one line."))
    return chosen


def _act(request: Request, account: Signed, order_id: RecordId, form: FormData, action: str) -> Response:
    errors = Errors()
    selection = _selection(form, errors)
    if not errors:
        try:
            if action == "cancel":
                orders.cancel_order(database(request), order_id, selection)
            else:
                orders.ship_order(database(request), order_id, selection)
        except DomainError as error:
            forms.from_domain(error, errors, "lines")
    if errors:
        return _order_page(request, account, order_id, errors=errors, status_code=422)
    return RedirectResponse(f"/orders/{order_id}?saved={action}", status_code=303)


@router.post("/orders/{order_id}/cancel")
def cancel(request: Request, account: Signed, form: Posted, order_id: RecordId) -> Response:
    return _act(request, account, order_id, form, "cancel")


@router.post("/orders/{order_id}/ship")
def ship(request: Request, account: Signed, form: Posted, order_id: RecordId) -> Response:
    return _act(request, account, order_id, form, "ship")


@router.post("/orders/{order_id}/priority")
def priority(request: Request, account: Signed, form: Posted, order_id: RecordId) -> Response:
    errors = Errors()
    value = forms.integer(form, "priority", errors, low=-1000, high=1000)
    if value is not None:
        try:
            set_priority(database(request), order_id, value)
        except DomainError as error:
            forms.from_domain(error, errors, "priority")
    if errors:
        return _order_page(request, account, order_id, errors=errors, status_code=422)
    return RedirectResponse(f"/orders/{order_id}?saved=priority", status_code=303)
