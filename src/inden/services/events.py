"""The promotion / flash-sale / launch calendar, and how much past events really lifted demand."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from inden.clock import as_utc, shop_date, utcnow
from inden.db.models import DemandEvent, DemandEventSku, Product
from inden.db.session import Database, settings_of
from inden.domain.errors import NotFound, UnknownSku
from inden.planning.replenishment import EventDemand
from inden.planning.uplift import BASELINE_DAYS, measure_uplift
from inden.services.demand import load_demand_history
from inden.services.schemas.planning import EventCreate, EventOut


def _event_skus(session: Session, event_ids: list[int]) -> dict[int, list[str]]:
    skus: dict[int, list[str]] = defaultdict(list)
    for event_id, sku in session.execute(
        select(DemandEventSku.event_id, Product.sku).join(Product, Product.id == DemandEventSku.product_id)
        .where(DemandEventSku.event_id.in_(event_ids)).order_by(Product.sku)
    ):
        skus[event_id].append(sku)
    return skus


Measured = tuple[float | None, float | None, float | None]  # uplift, baseline per day, actual per day


def _measured(session: Session, events: list[DemandEvent], skus: dict[int, list[str]], today: date
              ) -> dict[int, Measured]:
    """Per event that has ended: (uplift, baseline per day, actual per day) from the demand history, loaded
    once for all of them; Nones where a window has no uncensored day to compare."""
    past = [e for e in events if e.ends_on < today and skus[e.id]]
    if not past:
        return {}
    ids = list(session.scalars(select(Product.id).where(Product.sku.in_({s for e in past for s in skus[e.id]}))))
    history = load_demand_history(session, since=min(e.starts_on for e in past) - timedelta(days=BASELINE_DAYS),
                                  until=max(e.ends_on for e in past), timezone=settings_of(session).timezone,
                                  product_ids=ids)
    measured: dict[int, Measured] = {}
    for event in past:
        found = measure_uplift(history, skus[event.id], event.starts_on, event.ends_on, baseline_days=BASELINE_DAYS)
        if found is not None:
            measured[event.id] = (found.uplift, found.baseline_per_day, found.actual_per_day)
    return measured


def _views(session: Session, events: list[DemandEvent], today: date) -> list[EventOut]:
    skus = _event_skus(session, [e.id for e in events])
    measured = _measured(session, events, skus, today)
    views = []
    for e in events:
        uplift, baseline, actual = measured.get(e.id, (None, None, None))
        views.append(EventOut(
            id=e.id, name=e.name, kind=e.kind, starts_on=e.starts_on, ends_on=e.ends_on, skus=skus[e.id],
            uplift=e.uplift, expected_units=e.expected_units, measured_uplift=uplift,
            baseline_per_day=baseline, actual_per_day=actual, created_at=as_utc(e.created_at)))
    return views


def create_event(db: Database, spec: EventCreate, *, now: datetime | None = None) -> EventOut:
    """Put an event on the calendar. Every SKU must exist (UnknownSku otherwise; nothing is written)."""
    now = now or utcnow()
    with db.transaction() as session:
        ids = dict(session.execute(select(Product.sku, Product.id).where(Product.sku.in_(spec.skus))).all())
        for sku in spec.skus:
            if sku not in ids:
                raise UnknownSku(sku)
        event = DemandEvent(name=spec.name, kind=spec.kind, starts_on=spec.starts_on, ends_on=spec.ends_on,
                            uplift=spec.uplift, expected_units=spec.expected_units, created_at=now)
        session.add(event)
        session.flush()
        session.execute(insert(DemandEventSku), [{"event_id": event.id, "product_id": ids[s]} for s in spec.skus])
        return _views(session, [event], shop_date(now, db.settings.timezone))[0]


def list_events(db: Database, *, now: datetime | None = None) -> list[EventOut]:
    """Every event, latest start first, with the measured uplift of those that have ended."""
    today = shop_date(now or utcnow(), db.settings.timezone)
    with db.transaction() as session:
        events = list(session.scalars(select(DemandEvent).order_by(DemandEvent.starts_on.desc(), DemandEvent.id)))
        return _views(session, events, today)


def delete_event(db: Database, event_id: int) -> None:
    with db.transaction() as session:
        event = session.get(DemandEvent, event_id)
        if event is None:
            raise NotFound(f"No event with id {event_id}.", event_id=event_id)
        session.execute(delete(DemandEventSku).where(DemandEventSku.event_id == event_id))
        session.delete(event)


def upcoming_events(session: Session, today: date) -> list[EventDemand]:
    """Events that have not ended, as the planner uses them."""
    events = list(session.scalars(select(DemandEvent).where(DemandEvent.ends_on >= today)))
    skus = _event_skus(session, [e.id for e in events])
    return [EventDemand(name=e.name, skus=frozenset(skus[e.id]), starts_on=e.starts_on, ends_on=e.ends_on,
                        uplift=e.uplift, expected_units=e.expected_units) for e in events]
