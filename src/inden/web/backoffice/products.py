"""`/products`: search and filters over the catalogue; `/products/new`; `/products/{sku}`: stock, settings,
stock adjustment, the backorder queue, sign-ups, supplier offers and the demand and stock charts."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from inden.domain.errors import DomainError, UnknownSku
from inden.domain.labels import Label
from inden.domain.policy import BackorderPolicy, LimitBasis
from inden.i18n import N_, translate
from inden.services import products as product_service
from inden.services import stock as stock_service
from inden.services.back_office.catalogue import ProductFilter, ProductQuery, list_products, product_detail
from inden.services.back_office.charts import product_chart
from inden.services.back_office.paging import Paging
from inden.services.schemas.common import MAX_UNITS, SKU_PATTERN
from inden.services.schemas.products import ProductCreate, ProductPatch, StockAdjustment
from inden.services.subscriptions import sign_up_waves
from inden.web.backoffice import forms
from inden.web.backoffice.auth import Posted, Signed, database
from inden.web.backoffice.chart import demand_chart, stock_chart
from inden.web.backoffice.render import Errors, page

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50
SKU = re.compile(SKU_PATTERN)
POLICIES = tuple(p.value for p in BackorderPolicy)
STOCK_FILTERS = tuple(f.value for f in ProductFilter)
LABELS = tuple(label.value for label in Label)
LIMIT_BASES = tuple(basis.value for basis in LimitBasis)


def paging(request: Request) -> tuple[int, int]:
    """The page number asked for (1 when missing or bad) and its row offset."""
    try:
        number = max(int(request.query_params.get("page", "1")), 1)
    except ValueError:
        number = 1
    return number, (number - 1) * PAGE_SIZE


@router.get("/products")
def product_list_page(request: Request, account: Signed) -> HTMLResponse:
    params = request.query_params
    q = params.get("q", "").strip()[:100]
    stock = params.get("filter", "") if params.get("filter", "") in STOCK_FILTERS else ""
    policy = params.get("policy", "") if params.get("policy", "") in POLICIES else ""
    label = params.get("label", "") if params.get("label", "") in LABELS else ""
    number, offset = paging(request)
    listing = list_products(database(request), ProductQuery(
        search=q, filters=frozenset({ProductFilter(stock)} if stock else ()),
        policy=BackorderPolicy(policy) if policy else None, label=Label(label) if label else None,
        paging=Paging(limit=PAGE_SIZE, offset=offset)))
    return page(request, account, "products.html", rows=listing.items, total=listing.total, number=number,
                size=PAGE_SIZE, q=q, stock=stock, policy=policy, label=label)


@router.get("/products/new")
def new_product_form(request: Request, account: Signed) -> HTMLResponse:
    return page(request, account, "product_new.html", values={"backorder_policy": "allow", "lead_time_days": "14",
                                                               "backorder_limit_basis": "fixed"})


def _product_fields(form: FormData, errors: Errors) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "backorder_policy": forms.choice(form, "backorder_policy", errors, POLICIES),
        "backorder_limit": forms.integer(form, "backorder_limit", errors, required=False, high=MAX_UNITS),
        "backorder_limit_basis": forms.choice(form, "backorder_limit_basis", errors, LIMIT_BASES)
        if forms.raw(form, "backorder_limit_basis") else LimitBasis.FIXED.value,
        "release_at": forms.day(form, "release_at", errors, required=False),
        "max_per_customer": forms.integer(form, "max_per_customer", errors, low=1, high=MAX_UNITS, required=False),
        "lead_time_days": forms.integer(form, "lead_time_days", errors, high=3650),
        "price": forms.money(form, "price", errors),
    }
    if fields["backorder_policy"] == "preorder" and fields["release_at"] is None and "release_at" not in errors.fields:
        errors.add("release_at", N_("A pre-order needs its release date."))
    return fields


@router.post("/products/new")
def create_product(request: Request, account: Signed, form: Posted) -> Response:
    errors = Errors()
    sku = forms.text(form, "sku", errors, max_length=64)
    if sku and not SKU.match(sku):
        errors.add("sku", N_("Use 1 to 64 letters, digits, dots, dashes or underscores."))
    name = forms.text(form, "name", errors)
    fields = _product_fields(form, errors)
    if not errors:
        try:
            product_service.create_product(database(request), ProductCreate(sku=sku or "", name=name or "",
                                                                             **fields))
        except ValidationError as error:
            forms.from_validation(error, errors)
        except DomainError as error:
            forms.from_domain(error, errors, "sku")
    if errors:
        return page(request, account, "product_new.html", errors=errors, values=dict(form), status_code=422)
    return RedirectResponse(f"/products/{sku}?saved=created", status_code=303)


def _product_page(request: Request, account: Signed, sku: str, *, errors: Errors | None = None,
                  values: dict[str, Any] | None = None, status_code: int = 200) -> HTMLResponse:
    locale = account.locale
    db = database(request)
    number, offset = paging(request)
    try:
        view = product_detail(db, sku, queue=Paging(limit=PAGE_SIZE, offset=offset))
        chart = product_chart(db, sku)
        sign_ups = sign_up_waves(db, sku)
    except UnknownSku:
        return page(request, account, "refused.html", status_code=404, reason="missing",
                    message=translate(locale, "No product has SKU %(sku)s.", sku=sku))
    charts = {
        "demand": demand_chart(translate(locale, "Units ordered per day, and the forecast"),
                               [(d.day, d.units) for d in chart.history], chart.forecast),
        "stock": stock_chart(translate(locale, "Projected stock with arriving purchase orders"), chart.projection),
    }
    per_day = sum(d.mean for d in chart.forecast) / len(chart.forecast) if chart.forecast else None
    defaults = {"backorder_policy": view.policy.value, "backorder_limit": view.backorder_limit or "",
                "backorder_limit_basis": view.backorder_limit_basis.value,
                "release_at": view.release_at or "", "max_per_customer": view.max_per_customer or "",
                "lead_time_days": view.lead_time_days, "price": int(view.price) if view.price is not None else "",
                "name": view.name}
    return page(request, account, "product.html", view=view, chart=chart, charts=charts, per_day=per_day,
                sign_ups=sign_ups,
                number=number, size=PAGE_SIZE, errors=errors or Errors(), values={**defaults, **(values or {})},
                status_code=status_code, saved=request.query_params.get("saved"))


@router.get("/products/{sku}")
def product_page(request: Request, account: Signed, sku: str) -> HTMLResponse:
    return _product_page(request, account, sku)


@router.post("/products/{sku}/settings")
def change_product(request: Request, account: Signed, form: Posted, sku: str) -> Response:
    errors = Errors()
    name = forms.text(form, "name", errors)
    fields = _product_fields(form, errors)
    if not errors:
        try:
            product_service.update_product(database(request), sku, ProductPatch(name=name, **fields))
        except ValidationError as error:
            forms.from_validation(error, errors)
        except DomainError as error:
            forms.from_domain(error, errors, "backorder_policy")
    if errors:
        return _product_page(request, account, sku, errors=errors, values=dict(form), status_code=422)
    return RedirectResponse(f"/products/{sku}?saved=settings", status_code=303)


@router.post("/products/{sku}/stock")
def adjust_stock(request: Request, account: Signed, form: Posted, sku: str) -> Response:
    errors = Errors()
    delta = forms.integer(form, "delta", errors, low=-MAX_UNITS, high=MAX_UNITS)
    if delta == 0:
        errors.add("delta", N_("Enter a number other than 0: plus to add, minus to take out."))
    reason = forms.text(form, "reason", errors)
    if not errors:
        try:
            stock_service.adjust_stock(database(request), sku, StockAdjustment(
                delta=delta or 0, reason=f"{reason} ({account.email})"[:200]))
        except DomainError as error:
            forms.from_domain(error, errors, "delta")
    if errors:
        return _product_page(request, account, sku, errors=errors, values=dict(form), status_code=422)
    return RedirectResponse(f"/products/{sku}?saved=stock#stock", status_code=303)
