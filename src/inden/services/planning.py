"""Replenishment planning: forecast every SKU, apply the inventory policy, store purchase suggestions.

A plan run reads a snapshot (stock, open and draft purchase orders, offers, supplier reliability, events,
demand history), forecasts outside any transaction (minutes for a large catalogue), then writes in one
short transaction. In that transaction the products that get a suggestion are locked and re-read; a SKU
whose position moved meanwhile (e.g. a suggestion approved into a purchase order) is planned again on the
fresh figures, so the same need never gets two suggestions. Each run replaces the SKU's pending suggestion.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from inden.clock import as_utc, utcnow
from inden.config import Settings, get_settings, shop_today
from inden.db.models import Product, PurchaseOrder, PurchaseOrderLine, ReplenishmentSuggestion, Supplier, SupplierOffer
from inden.db.session import Database
from inden.db.stock import lock_products_by_id
from inden.db.supply import DRAFT, OPEN, supplier_reliability
from inden.domain.errors import InvalidRequest, NotFound
from inden.notify.outbox import Event, emit
from inden.planning.replenishment import (
    EventDemand,
    LeadTimeSpread,
    PlanSettings,
    Position,
    SkuInputs,
    SkuPlan,
    plan_replenishment,
    plan_sku,
)
from inden.planning.suppliers import SupplierOption
from inden.services.demand import load_demand_history
from inden.services.events import upcoming_events
from inden.services.forecasts import store_forecasts
from inden.services.pagination import keyset_page
from inden.services.schemas import (
    ApproveSuggestion,
    Page,
    PurchaseLineIn,
    SuggestionFigures,
    SuggestionOut,
)

PENDING, APPROVED, SUPERSEDED, DISMISSED = "pending", "approved", "superseded", "dismissed"
Progress = Callable[[str, int, int], None]


class UnknownSuggestion(NotFound):
    def __init__(self, suggestion_id: int) -> None:
        super().__init__(f"No replenishment suggestion with id {suggestion_id}.", suggestion_id=suggestion_id)


def plan_settings(settings: Settings) -> PlanSettings:
    rule: Any = settings.service_level
    if rule not in ("abc", "cost"):
        try:
            rule = float(rule)
        except ValueError:
            raise InvalidRequest(f"INDEN_SERVICE_LEVEL must be abc, cost or a number, not {rule!r}.") from None
        if not 0.5 <= rule < 1:
            raise InvalidRequest(f"INDEN_SERVICE_LEVEL {rule} must be at least 0.5 and below 1.")
    return PlanSettings(service_level=rule, holding_cost_rate_per_year=settings.holding_cost_rate,
                        order_cost=settings.order_cost)


# --- the snapshot ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    today: date
    products: dict[str, Product]
    positions: dict[str, Position]
    offers: dict[str, list[SupplierOption]]
    spreads: dict[str, LeadTimeSpread]
    supplier_ids: dict[str, int]
    events: list[EventDemand]
    history: pd.DataFrame


def _positions(session: Session, products: Sequence[Product], today: date) -> dict[str, Position]:
    """Stock positions; incoming counts open *and* draft purchase orders, so a drafted need is not re-planned."""
    remaining = PurchaseOrderLine.quantity - PurchaseOrderLine.received
    rows = session.execute(
        select(PurchaseOrderLine.product_id, func.sum(remaining),
               func.min(PurchaseOrder.expected_at).filter(PurchaseOrder.status == OPEN))
        .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.purchase_order_id)
        .where(PurchaseOrder.status.in_([OPEN, DRAFT]), remaining > 0,
               PurchaseOrderLine.product_id.in_([p.id for p in products]))
        .group_by(PurchaseOrderLine.product_id)
    ).all()
    incoming = {pid: (int(units), first) for pid, units, first in rows}
    positions = {}
    for p in products:
        units, first = incoming.get(p.id, (0, None))
        positions[p.sku] = Position(
            sku=p.sku, on_hand=p.on_hand, allocated=p.allocated, backordered=p.backordered, incoming=units,
            next_receipt_in_days=max((first - today).days, 0) if first else None,
            price=float(p.price) if p.price is not None else None, service_level=p.service_level,
            max_stock=p.max_stock)
    return positions


def _offers(session: Session) -> tuple[dict[str, list[SupplierOption]], dict[str, LeadTimeSpread], dict[str, int]]:
    reliability = supplier_reliability(session)
    codes = dict(session.execute(select(Supplier.id, Supplier.code)).all())
    lead = func.coalesce(SupplierOffer.lead_time_days, Supplier.lead_time_days)
    offers: dict[str, list[SupplierOption]] = defaultdict(list)
    for sku, supplier_id, days, moq, pack, cost in session.execute(
        select(Product.sku, SupplierOffer.supplier_id, lead, SupplierOffer.min_order_quantity,
               SupplierOffer.pack_size, SupplierOffer.unit_cost)
        .join(Product, Product.id == SupplierOffer.product_id).join(Supplier, Supplier.id == SupplierOffer.supplier_id)
        .order_by(Product.sku, Supplier.code)
    ):
        r = reliability[supplier_id]
        offers[sku].append(SupplierOption(
            supplier=codes[supplier_id], unit_cost=float(cost or 0), lead_time_days=int(days), moq=moq,
            pack_size=pack, delay_p90_days=float(r.delay_p90_days), fill_ratio=r.fill_ratio or 1.0,
            on_time_ratio=r.on_time_rate))
    spreads = {
        codes[sid]: LeadTimeSpread.from_quantiles(mean=r.mean_delay_days, p50=r.delay_p50_days,
                                                  p90=r.delay_p90_days, deliveries=r.deliveries)
        for sid, r in reliability.items()
    }
    return offers, spreads, {code: sid for sid, code in codes.items()}


def take_snapshot(db: Database, *, now: datetime, skus: Sequence[str] | None = None) -> Snapshot:
    settings = get_settings()
    today = shop_today(now)
    with db.transaction() as session:
        query = select(Product).order_by(Product.sku)
        if skus:
            query = query.where(Product.sku.in_(skus))
        products = list(session.scalars(query))
        for product in products:
            session.expunge(product)
        offers, spreads, supplier_ids = _offers(session)
        history = load_demand_history(session, since=today - timedelta(days=settings.history_days),
                                      until=today - timedelta(days=1), timezone=settings.timezone,
                                      product_ids=[p.id for p in products] if skus else None)
        return Snapshot(today=today, products={p.sku: p for p in products},
                        positions=_positions(session, products, today), offers=offers, spreads=spreads,
                        supplier_ids=supplier_ids, events=upcoming_events(session, today), history=history)


# --- forecasting -------------------------------------------------------------------------------------


def forecast_snapshot(snapshot: Snapshot, *, horizon: int, engine: Any = None, progress: Progress | None = None
                      ) -> Any:
    """Forecast every product of the snapshot (new ones from the seller's guess or their category)."""
    from inden.planning.forecasting import forecast_demand

    products = snapshot.products.values()
    history = snapshot.history
    missing = [p.sku for p in products if p.sku not in set(history["unique_id"])]
    if missing:  # no history at all: one zero day so the forecaster plans them by fallback
        yesterday = pd.Timestamp(snapshot.today - timedelta(days=1))
        filler = pd.DataFrame({"unique_id": missing, "ds": yesterday, "y": 0.0, "censored": False})
        history = pd.concat([history, filler], ignore_index=True) if len(history) else filler
    return forecast_demand(
        history, horizon=horizon,
        expected={p.sku: p.expected_daily_demand for p in products if p.expected_daily_demand is not None},
        categories={p.sku: p.category for p in products if p.category},
        engine=engine, progress=progress)


def forecast_inputs(forecast: Any) -> tuple[dict[str, np.ndarray], dict[str, float]]:
    """Per SKU: the daily mean path (day 0 first) and the one-day error sigma."""
    paths = {sku: group["mean"].to_numpy(dtype=float)
             for sku, group in forecast.paths.sort_values(["unique_id", "ds"]).groupby("unique_id", sort=False)}
    sigmas = dict(zip(forecast.report["unique_id"], forecast.report["sigma"].astype(float), strict=True))
    return paths, sigmas


# --- a plan run --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanRun:
    today: date
    plans: list[SkuPlan]
    suggestions: list[SuggestionOut]
    alerts: int
    purchase_orders: list[int]
    report: pd.DataFrame  # the forecaster's per-SKU report (model, accuracy, fallback)


def _figures(plan: SkuPlan) -> dict[str, Any]:
    return SuggestionFigures(
        on_hand=plan.on_hand, allocated=plan.allocated, backordered=plan.backordered, incoming=plan.incoming,
        inventory_position=plan.inventory_position, demand_per_day=round(plan.demand_per_day, 3),
        lead_time_days=round(plan.lead_time_days, 2), forecast_lead_time=round(plan.forecast_lead_time, 2),
        safety_stock=round(plan.safety_stock, 2), reorder_point=round(plan.reorder_point, 2),
        service_level=round(plan.service_level, 4), risk=round(plan.risk, 4),
        days_of_cover=None if plan.days_of_cover == float("inf") else round(plan.days_of_cover, 1),
        events=plan.events,
    ).model_dump()


def run_plan(db: Database, *, now: datetime | None = None, skus: Sequence[str] | None = None,
             auto: bool | None = None, engine: Any = None, progress: Progress | None = None) -> PlanRun:
    """Plan every product (or `skus`): suggestions, reorder-point alerts, and in auto mode purchase orders."""
    now = now or utcnow()
    settings = get_settings()
    policy = plan_settings(settings)
    snapshot = take_snapshot(db, now=now, skus=skus)
    if not snapshot.products:
        return PlanRun(today=snapshot.today, plans=[], suggestions=[], alerts=0, purchase_orders=[],
                       report=pd.DataFrame())
    forecast = forecast_snapshot(snapshot, horizon=settings.forecast_horizon_days, engine=engine,
                                 progress=progress)
    paths, sigmas = forecast_inputs(forecast)
    lead_times = {sku: p.lead_time_days for sku, p in snapshot.products.items()}
    plans = plan_replenishment(paths, sigmas, list(snapshot.positions.values()), snapshot.offers,
                               snapshot.spreads, snapshot.events, today=snapshot.today, settings=policy,
                               lead_times=lead_times)
    with db.transaction() as session:
        plans = _replan_moved(session, snapshot, plans, paths, sigmas, policy)
        suggestions = _store_suggestions(session, snapshot, plans, now=now)
        alerts = _alert_crossings(session, snapshot, plans, suggestions, now=now)
        orders: list[int] = []
        if settings.auto_purchase if auto is None else auto:
            orders = approve_together(session, suggestions, now=now)
        views = suggestion_views(session, suggestions)
    # After the plan's transaction, not in it: the chart can wait a moment, the products' locks cannot.
    store_forecasts(db, forecast.paths, {sku: p.id for sku, p in snapshot.products.items()}, now=now)
    return PlanRun(today=snapshot.today, plans=plans, suggestions=views, alerts=alerts, purchase_orders=orders,
                   report=forecast.report)


def _replan_moved(session: Session, snapshot: Snapshot, plans: list[SkuPlan], paths: dict[str, np.ndarray],
                  sigmas: dict[str, float], policy: PlanSettings) -> list[SkuPlan]:
    """Lock the products about to get a suggestion; re-plan those whose position moved since the snapshot."""
    ordering = [p for p in plans if p.quantity > 0]
    if not ordering:
        return plans
    locked = lock_products_by_id(session, [snapshot.products[p.sku].id for p in ordering])
    fresh = _positions(session, list(locked.values()), snapshot.today)
    result = []
    for plan in plans:
        position = fresh.get(plan.sku)
        if position is not None and position != snapshot.positions[plan.sku]:
            item = SkuInputs(position, paths.get(plan.sku, np.zeros(0)), sigmas.get(plan.sku, 0.0),
                             snapshot.offers.get(plan.sku, []), snapshot.products[plan.sku].lead_time_days)
            plan = plan_sku(item, snapshot.spreads, snapshot.events, today=snapshot.today, settings=policy,
                            abc={plan.sku: plan.service_level})
        result.append(plan)
    return result


def _store_suggestions(session: Session, snapshot: Snapshot, plans: list[SkuPlan], *, now: datetime
                       ) -> list[ReplenishmentSuggestion]:
    ids = [snapshot.products[p.sku].id for p in plans]
    session.execute(update(ReplenishmentSuggestion)
                    .where(ReplenishmentSuggestion.status == PENDING, ReplenishmentSuggestion.product_id.in_(ids))
                    .values(status=SUPERSEDED, decided_at=now))
    rows = [
        ReplenishmentSuggestion(
            product_id=snapshot.products[p.sku].id, supplier_id=snapshot.supplier_ids[p.supplier],
            status=PENDING, quantity=p.quantity,
            unit_cost=Decimal(str(p.unit_cost)).quantize(Decimal("0.01")) if p.unit_cost is not None else None,
            need_by=p.need_by, expected_at=p.expected_at or p.need_by, expedite=p.expedite, reason=p.reason[:500],
            figures=_figures(p), created_at=now)
        for p in plans if p.quantity > 0 and p.supplier is not None
    ]
    session.add_all(rows)
    session.flush()
    return rows


def _alert_crossings(session: Session, snapshot: Snapshot, plans: list[SkuPlan],
                     suggestions: list[ReplenishmentSuggestion], *, now: datetime) -> int:
    """One outbox alert when a SKU goes from above to at-or-below its reorder point; re-armed once above."""
    suggestion_of = {s.product_id: s.id for s in suggestions}
    below = [p for p in plans if p.below_reorder_point]
    crossed = [p for p in below if not snapshot.products[p.sku].below_reorder_point]
    above_ids = [snapshot.products[p.sku].id for p in plans if not p.below_reorder_point]
    stamp = now.isoformat()
    emit(session, (Event("reorder_point_reached", f"reorder_point:{p.sku}:{stamp}", {
        "sku": p.sku, "inventory_position": p.inventory_position, "reorder_point": round(p.reorder_point, 2),
        "risk": round(p.risk, 4), "suggestion_id": suggestion_of.get(snapshot.products[p.sku].id),
    }) for p in crossed), now=now)
    if below:
        session.execute(update(Product).where(Product.id.in_([snapshot.products[p.sku].id for p in below]))
                        .values(below_reorder_point=True))
    if above_ids:
        session.execute(update(Product).where(Product.id.in_(above_ids)).values(below_reorder_point=False))
    return len(crossed)


# --- suggestions: read, approve, dismiss -------------------------------------------------------------


def suggestion_views(session: Session, rows: Sequence[ReplenishmentSuggestion]) -> list[SuggestionOut]:
    skus = dict(session.execute(select(Product.id, Product.sku).where(
        Product.id.in_({r.product_id for r in rows}))).all())
    codes = dict(session.execute(select(Supplier.id, Supplier.code)).all())
    return [
        SuggestionOut(id=r.id, sku=skus[r.product_id], status=r.status, supplier=codes.get(r.supplier_id),
                      quantity=r.quantity, unit_cost=r.unit_cost, need_by=r.need_by, expected_at=r.expected_at,
                      expedite=r.expedite, reason=r.reason, figures=SuggestionFigures(**r.figures),
                      purchase_order_id=r.purchase_order_id, created_at=as_utc(r.created_at))
        for r in rows
    ]


def list_suggestions(db: Database, *, status: str | None = PENDING, sku: str | None = None,
                     cursor: str | None = None, limit: int = 100) -> Page[SuggestionOut]:
    """Suggestions in the order they were made (pending ones by default), `limit` at a time."""
    with db.transaction() as session:
        query = select(ReplenishmentSuggestion)
        if status is not None:
            query = query.where(ReplenishmentSuggestion.status == status)
        if sku is not None:
            query = query.join(Product, Product.id == ReplenishmentSuggestion.product_id).where(Product.sku == sku)
        rows, next_cursor = keyset_page(session, query, ReplenishmentSuggestion.id, cursor=cursor, limit=limit)
        return Page[SuggestionOut](items=suggestion_views(session, rows), next_cursor=next_cursor)


def _pending(session: Session, suggestion_id: int) -> ReplenishmentSuggestion:
    row = session.get(ReplenishmentSuggestion, suggestion_id, populate_existing=True)
    if row is None:
        raise UnknownSuggestion(suggestion_id)
    if row.status != PENDING:
        raise InvalidRequest(f"Suggestion {suggestion_id} is {row.status}; only pending ones can be decided.",
                             suggestion_id=suggestion_id, status=row.status)
    return row


def approve_suggestion(db: Database, suggestion_id: int, choice: ApproveSuggestion | None = None, *,
                       now: datetime | None = None) -> SuggestionOut:
    """Create the purchase order a suggestion proposes (open, or a draft); the suggestion records it."""
    from inden.services.supply import add_purchase_order, find_supplier

    now = now or utcnow()
    choice = choice or ApproveSuggestion()
    with db.transaction() as session:
        product_id = session.scalar(select(ReplenishmentSuggestion.product_id)
                                    .where(ReplenishmentSuggestion.id == suggestion_id))
        if product_id is None:
            raise UnknownSuggestion(suggestion_id)
        product = lock_products_by_id(session, [product_id])[product_id]  # serialises with plan runs
        row = _pending(session, suggestion_id)
        supplier = find_supplier(session, choice.supplier) if choice.supplier else session.get(Supplier,
                                                                                                 row.supplier_id)
        assert supplier is not None
        po = add_purchase_order(
            session, supplier, [PurchaseLineIn(sku=product.sku, quantity=choice.quantity or row.quantity,
                                               unit_cost=row.unit_cost if choice.supplier is None else None)],
            expected_at=choice.expected_at or row.expected_at, now=now, status=DRAFT if choice.draft else OPEN)
        row.status, row.decided_at, row.purchase_order_id = APPROVED, now, po.id
        return suggestion_views(session, [row])[0]


def dismiss_suggestion(db: Database, suggestion_id: int, *, now: datetime | None = None) -> SuggestionOut:
    """The seller will not act on this suggestion; the next plan run may suggest again if the need remains."""
    with db.transaction() as session:
        row = _pending(session, suggestion_id)
        row.status, row.decided_at = DISMISSED, now or utcnow()
        return suggestion_views(session, [row])[0]


def approve_together(session: Session, suggestions: list[ReplenishmentSuggestion], *, now: datetime) -> list[int]:
    """One purchase order per supplier and expected date holding all their suggested lines (auto mode, and
    approving many at once); the products must be locked. Returns the new purchase orders' ids."""
    from inden.services.supply import add_purchase_order

    groups: dict[tuple[int, date], list[ReplenishmentSuggestion]] = defaultdict(list)
    for row in suggestions:
        groups[row.supplier_id, row.expected_at].append(row)
    skus = dict(session.execute(select(Product.id, Product.sku).where(
        Product.id.in_([r.product_id for r in suggestions]))).all()) if suggestions else {}
    orders = []
    for (supplier_id, expected_at), rows in sorted(groups.items()):
        supplier = session.get(Supplier, supplier_id)
        assert supplier is not None
        po = add_purchase_order(session, supplier, [
            PurchaseLineIn(sku=skus[r.product_id], quantity=r.quantity, unit_cost=r.unit_cost) for r in rows
        ], expected_at=expected_at, now=now)
        for row in rows:
            row.status, row.decided_at, row.purchase_order_id = APPROVED, now, po.id
        orders.append(po.id)
    return orders


def plan_rows(run: PlanRun, *, only_actions: bool = True) -> list[dict[str, Any]]:
    """The plan as flat rows (CLI table and CSV): SKUs to act on, or every SKU."""
    suggestion_of = {s.sku: s for s in run.suggestions}
    rows = []
    for p in sorted(run.plans, key=lambda p: (-p.risk, p.sku)):
        if only_actions and not (p.quantity > 0 or p.below_reorder_point):
            continue
        s = suggestion_of.get(p.sku)
        rows.append({
            "sku": p.sku, "on_hand": p.on_hand, "incoming": p.incoming, "backordered": p.backordered,
            "forecast_lead_time": round(p.forecast_lead_time, 1), "safety_stock": round(p.safety_stock, 1),
            "reorder_point": round(p.reorder_point, 1), "suggested_quantity": p.quantity,
            "supplier": p.supplier or "", "need_by": p.need_by.isoformat(), "risk": round(p.risk, 3),
            "reason": p.reason, "suggestion_id": s.id if s else "",
            "purchase_order_id": (s.purchase_order_id or "") if s else "",
        })
    return rows
