"""`/plan`: purchase suggestions with their reasons in plain words (edit the quantity, approve one or many — one
purchase order per supplier —, dismiss), running the plan now, and the events calendar (Harbolnas, a flash
sale, a launch)."""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from inden.db.session import Database
from inden.domain.errors import DomainError, InvalidRequest
from inden.i18n import N_
from inden.services import events
from inden.services.back_office.paging import Paging
from inden.services.back_office.plan import approve_suggestions, pending_suggestions, set_suggestion_quantity
from inden.services.planning import suggestions
from inden.services.planning.run import run_plan
from inden.services.schemas.common import MAX_UNITS
from inden.services.schemas.planning import EventCreate
from inden.web.backoffice import forms
from inden.web.backoffice.auth import Posted, Signed, database
from inden.web.backoffice.forms import RecordId
from inden.web.backoffice.products import PAGE_SIZE, paging
from inden.web.backoffice.render import Errors, page

router = APIRouter(include_in_schema=False)
EVENT_KINDS = ("promotion", "flash_sale", "launch")


def _plan_page(request: Request, account: Signed, *, errors: Errors | None = None, status_code: int = 200,
               values: dict[str, Any] | None = None, **extra: Any) -> HTMLResponse:
    db = database(request)
    number, offset = paging(request)
    pending = pending_suggestions(db, locale=account.locale, paging=Paging(limit=PAGE_SIZE, offset=offset))
    return page(request, account, "plan.html", suggestions=pending, number=number, size=PAGE_SIZE,
                events=events.list_events(db), errors=errors or Errors(),
                values=values or {"kind": "promotion"}, status_code=status_code,
                saved=request.query_params.get("saved"), **extra)


@router.get("/plan")
def plan_page(request: Request, account: Signed) -> HTMLResponse:
    return _plan_page(request, account)


@router.post("/plan/decide")
def decide(request: Request, account: Signed, form: Posted) -> Response:
    """Approve or dismiss the ticked suggestions (or the one whose row button was pressed), each with the
    quantity typed in its row."""
    errors = Errors()
    action = forms.raw(form, "action")
    only = forms.raw(form, "only")
    chosen = [only] if only else [str(v) for v in form.getlist("id")]
    ids = [int(v) for v in chosen if v.isdigit()]
    if not ids:
        errors.add("suggestions", N_("Tick at least one suggestion."))
    quantities = {i: forms.integer(form, f"qty:{i}", errors, low=1, high=MAX_UNITS, required=False) for i in ids}
    if not errors:
        db = database(request)
        try:
            if action == "dismiss":
                for suggestion_id in ids:
                    suggestions.dismiss_suggestion(db, suggestion_id)
            else:
                for suggestion_id, quantity in quantities.items():
                    if quantity is not None:
                        _set_quantity(db, suggestion_id, quantity, account.locale, errors)
                if not errors:
                    approve_suggestions(db, ids)  # one purchase order per supplier and date
        except DomainError as error:
            forms.from_domain(error, errors, "suggestions")
    if errors:
        return _plan_page(request, account, errors=errors, status_code=422)
    return RedirectResponse(f"/plan?saved={'dismissed' if action == 'dismiss' else 'approved'}", status_code=303)


def _set_quantity(db: Database, suggestion_id: int, quantity: int, locale: str, errors: Errors) -> None:
    """A quantity typed in a row: the supplier's minimum and pack size are checked beside that row."""
    try:
        set_suggestion_quantity(db, suggestion_id, quantity, locale=locale)
    except InvalidRequest as error:
        if "pack_size" in error.details:
            errors.add(f"qty:{suggestion_id}", N_("Order a multiple of the pack size, %(pack)s."),
                       pack=error.details["pack_size"])
        elif "min_order_quantity" in error.details:
            errors.add(f"qty:{suggestion_id}", N_("The supplier's minimum order is %(units)s."),
                       units=error.details["min_order_quantity"])
        else:
            forms.from_domain(error, errors, f"qty:{suggestion_id}")


@router.post("/plan/run")
def run_now(request: Request, account: Signed, form: Posted) -> Response:
    run = run_plan(database(request))
    return _plan_page(request, account, ran=len(run.suggestions))


@router.post("/plan/events")
def add_event(request: Request, account: Signed, form: Posted) -> Response:
    errors = Errors()
    name = forms.text(form, "name", errors)
    kind = forms.choice(form, "kind", errors, EVENT_KINDS)
    starts_on = forms.day(form, "starts_on", errors)
    ends_on = forms.day(form, "ends_on", errors)
    units = forms.integer(form, "expected_units", errors, low=1, high=MAX_UNITS)
    skus = [s.strip() for s in forms.raw(form, "skus").replace(";", ",").split(",") if s.strip()]
    if not skus:
        errors.add("skus", N_("Enter at least one SKU."))
    if starts_on and ends_on and ends_on < starts_on:
        errors.add("ends_on", N_("The end cannot be before the start."))
    if not errors:
        try:
            events.create_event(database(request), EventCreate.model_validate({
                "name": name, "kind": kind, "starts_on": starts_on, "ends_on": ends_on, "skus": skus,
                "expected_units": units}))
        except ValidationError as error:
            forms.from_validation(error, errors)
        except DomainError as error:
            forms.from_domain(error, errors, "skus")
    if errors:
        return _plan_page(request, account, errors=errors, values=dict(form), status_code=422)
    return RedirectResponse("/plan?saved=event#events", status_code=303)


@router.post("/plan/events/{event_id}/delete")
def delete_event(request: Request, account: Signed, form: Posted, event_id: RecordId) -> Response:
    with suppress(DomainError):  # already gone
        events.delete_event(database(request), event_id)
    return RedirectResponse("/plan?saved=event#events", status_code=303)
