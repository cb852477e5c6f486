"""`/plan`: purchase suggestions with their reasons in plain words (edit the quantity, approve one or many,
dismiss), running the plan now, and the events calendar (Harbolnas, a flash sale, a launch)."""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from inden.clock import utcnow
from inden.config import shop_today
from inden.domain.errors import DomainError
from inden.i18n import N_, translate
from inden.services import events, planning
from inden.services.office_orders import product_names
from inden.services.schemas import MAX_UNITS, ApproveSuggestion, EventCreate, SuggestionOut
from inden.web.backoffice import forms
from inden.web.backoffice.auth import Posted, Signed, database
from inden.web.backoffice.render import Errors, page

router = APIRouter(include_in_schema=False)
EVENT_KINDS = ("promotion", "flash_sale", "launch")


def reasons(suggestion: SuggestionOut, locale: str) -> list[str]:
    """Why the planner suggests this purchase, in the seller's words, from the figures it saw."""
    f = suggestion.figures
    said = []
    if f.backordered:
        said.append(translate(locale, "%(units)s units are already waiting for customers.", units=f.backordered))
    if f.days_of_cover is not None:
        said.append(translate(locale, "Stock lasts about %(days)s days; delivery takes %(lead)s days.",
                              days=round(f.days_of_cover), lead=round(f.lead_time_days)))
    said.append(translate(locale, "Stock and incoming (%(position)s) are at or below the reorder point "
                                  "(%(point)s).", position=f.inventory_position, point=round(f.reorder_point)))
    if f.events:
        said.append(translate(locale, "Planned events need stock: %(events)s.", events=", ".join(f.events)))
    if f.risk >= 0.01:
        said.append(translate(locale, "Chance of running out before it arrives: %(percent)s in 100.",
                              percent=round(f.risk * 100)))
    return said


def _plan_page(request: Request, account: Signed, *, errors: Errors | None = None, status_code: int = 200,
               values: dict[str, Any] | None = None, **extra: Any) -> HTMLResponse:
    db = database(request)
    pending = planning.list_suggestions(db, limit=200).items
    names = product_names(db, [s.sku for s in pending])
    return page(request, account, "plan.html", suggestions=pending, names=names,
                reasons={s.id: reasons(s, account.locale) for s in pending}, events=events.list_events(db),
                today=shop_today(utcnow()), errors=errors or Errors(), values=values or {"kind": "promotion"},
                status_code=status_code, saved=request.query_params.get("saved"), **extra)


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
        for suggestion_id in ids:
            try:
                if action == "dismiss":
                    planning.dismiss_suggestion(db, suggestion_id)
                else:
                    planning.approve_suggestion(db, suggestion_id, ApproveSuggestion(
                        quantity=quantities.get(suggestion_id)))
            except DomainError as error:
                forms.from_domain(error, errors, "suggestions")
                break
    if errors:
        return _plan_page(request, account, errors=errors, status_code=422)
    return RedirectResponse(f"/plan?saved={'dismissed' if action == 'dismiss' else 'approved'}", status_code=303)


@router.post("/plan/run")
def run_now(request: Request, account: Signed, form: Posted) -> Response:
    run = planning.run_plan(database(request))
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
            events.create_event(database(request), EventCreate(
                name=name or "", kind=kind or "promotion", starts_on=starts_on, ends_on=ends_on, skus=skus,
                expected_units=units))  # type: ignore[arg-type]
        except ValidationError as error:
            forms.from_validation(error, errors)
        except DomainError as error:
            forms.from_domain(error, errors, "skus")
    if errors:
        return _plan_page(request, account, errors=errors, values=dict(form), status_code=422)
    return RedirectResponse("/plan?saved=event#events", status_code=303)


@router.post("/plan/events/{event_id}/delete")
def delete_event(request: Request, account: Signed, form: Posted, event_id: int) -> Response:
    with suppress(DomainError):  # already gone
        events.delete_event(database(request), event_id)
    return RedirectResponse("/plan?saved=event#events", status_code=303)
