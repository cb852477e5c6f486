"""Planning: the event calendar, sales-history import, replenishment suggestions."""

from __future__ import annotations

from typing import Annotated

from anyio import to_thread
from fastapi import APIRouter, Body, Depends, Path, Query, Request

from inden.api.deps import get_db, staff
from inden.api.errors import ApiError
from inden.clock import utcnow
from inden.db.session import Database
from inden.domain.states import SuggestionStatus
from inden.services import events, sales_import
from inden.services.planning import forecast_view, suggestions
from inden.services.schemas.common import SKU_PATTERN, Page
from inden.services.schemas.planning import (
    ApproveSuggestion,
    EventCreate,
    EventOut,
    ForecastOut,
    SuggestionOut,
)

router = APIRouter(tags=["planning"], dependencies=[staff])
Db = Annotated[Database, Depends(get_db)]
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.post("/v1/events", status_code=201)
def create_event(body: EventCreate, db: Db) -> EventOut:
    """A promotion, flash sale or launch: plans cover its extra demand."""
    return events.create_event(db, body)


@router.get("/v1/events")
def list_events(db: Db) -> Page[EventOut]:
    """Every event; those that have ended carry their measured uplift."""
    return Page[EventOut](items=events.list_events(db), next_cursor=None)


@router.delete("/v1/events/{event_id}", status_code=204)
def delete_event(event_id: Id, db: Db) -> None:
    events.delete_event(db, event_id)


@router.post("/v1/sales-history", status_code=201,
             openapi_extra={"requestBody": {"content": {"text/csv": {"schema": {"type": "string"}}}}})
async def import_sales(request: Request, db: Db,
                       create_products: bool = False) -> dict[str, int | list[str]]:
    """Import daily sales (CSV: date, sku, quantity[, price]); all rows or none."""
    try:
        text = (await request.body()).decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError("validation_error", "The CSV must be UTF-8 text.") from None
    result = await to_thread.run_sync(
        lambda: sales_import.import_sales(db, text, create_products=create_products))
    return {"rows": result.rows, "skus": result.skus, "days": result.days,
            "created_products": result.created_products}


@router.get("/v1/products/{sku}/forecast")
def product_forecast(sku: Annotated[str, Path(pattern=SKU_PATTERN)], db: Db,
                     days: Annotated[int, Query(ge=1, le=366)] = 28, base: bool = False) -> ForecastOut:
    """The product's daily demand forecast from today as the plan uses it — shopping calendar and planned
    events applied (`base=true`: without the events) — with 80/95 % intervals. Computed on request (about a
    second for one product)."""
    return forecast_view.product_forecast(db, sku, days=days, base=base, now=utcnow())


@router.get("/v1/replenishment")
def list_replenishment(
    db: Db, status: SuggestionStatus | None = SuggestionStatus.PENDING,
    sku: Annotated[str | None, Query(pattern=SKU_PATTERN)] = None, cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Page[SuggestionOut]:
    """Purchase suggestions from the latest plan run (`inden plan`): pending ones unless asked otherwise."""
    return suggestions.list_suggestions(db, status=status, sku=sku, cursor=cursor, limit=limit)


@router.post("/v1/replenishment/{suggestion_id}/approve", status_code=201)
def approve(suggestion_id: Id, db: Db,
            body: Annotated[ApproveSuggestion | None, Body()] = None) -> SuggestionOut:
    """Create the purchase order (201); the suggestion now names it in `purchase_order_id`."""
    return suggestions.approve_suggestion(db, suggestion_id, body)


@router.post("/v1/replenishment/{suggestion_id}/dismiss")
def dismiss(suggestion_id: Id, db: Db) -> SuggestionOut:
    return suggestions.dismiss_suggestion(db, suggestion_id)
