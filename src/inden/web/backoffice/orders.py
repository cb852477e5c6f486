"""`/orders`: search and status tabs; `/orders/{id}`: lines with queue positions and ETAs; cancel all or some
lines, ship, change the priority."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from inden.domain.errors import DomainError, UnknownOrder
from inden.i18n import N_, translate
from inden.services import order_views, orders
from inden.services.office_orders import STATUS_FILTERS, product_names, search_orders
from inden.services.order_priority import set_priority
from inden.services.schemas import MAX_UNITS, LineIn, OrderOut
from inden.web.backoffice import forms
from inden.web.backoffice.auth import Posted, Signed, database
from inden.web.backoffice.products import PAGE_SIZE, paging
from inden.web.backoffice.render import Errors, page

router = APIRouter(include_in_schema=False)


@router.get("/orders")
def order_list(request: Request, account: Signed) -> HTMLResponse:
    q = request.query_params.get("q", "").strip()[:254]
    status = request.query_params.get("status", "")
    status = status if status in STATUS_FILTERS else ""
    number, offset = paging(request)
    rows, total = search_orders(database(request), q=q, status=status, offset=offset, limit=PAGE_SIZE)
    return page(request, account, "orders.html", rows=rows, total=total, number=number, size=PAGE_SIZE, q=q,
                status=status, statuses=list(STATUS_FILTERS))


def _order_page(request: Request, account: Signed, order_id: int, *, errors: Errors | None = None,
                status_code: int = 200) -> HTMLResponse:
    db = database(request)
    try:
        order: OrderOut = order_views.get_order(db, order_id)
    except UnknownOrder:
        return page(request, account, "refused.html", status_code=404, reason="missing",
                    message=translate(account.locale, "No order has number %(number)s.", number=order_id))
    names = product_names(db, [line.sku for line in order.lines])
    return page(request, account, "order.html", order=order, names=names, errors=errors or Errors(),
                status_code=status_code, saved=request.query_params.get("saved"))


@router.get("/orders/{order_id}")
def order_detail(request: Request, account: Signed, order_id: int) -> HTMLResponse:
    return _order_page(request, account, order_id)


def _selection(form: FormData, errors: Errors) -> list[LineIn] | None:
    """The lines ticked with their quantities (`qty:SKU` fields); None when the form asks for all lines."""
    if forms.raw(form, "scope") == "all":
        return None
    chosen = []
    for name in form:
        if name.startswith("qty:") and forms.raw(form, name):
            quantity = forms.integer(form, name, errors, low=0, high=MAX_UNITS)
            if quantity:
                chosen.append(LineIn(sku=name.removeprefix("qty:"), quantity=quantity))
    if not chosen and not errors:
        errors.add("lines", N_("Enter how many units of at least one line."))
    return chosen


def _act(request: Request, account: Signed, order_id: int, form: FormData, action: str) -> Response:
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
def cancel(request: Request, account: Signed, form: Posted, order_id: int) -> Response:
    return _act(request, account, order_id, form, "cancel")


@router.post("/orders/{order_id}/ship")
def ship(request: Request, account: Signed, form: Posted, order_id: int) -> Response:
    return _act(request, account, order_id, form, "ship")


@router.post("/orders/{order_id}/priority")
def priority(request: Request, account: Signed, form: Posted, order_id: int) -> Response:
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
