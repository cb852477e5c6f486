"""Replenishment planning: forecast every SKU, apply the inventory policy, store purchase suggestions.

A plan run reads a snapshot (stock, open and draft purchase orders, offers, supplier reliability, events,
demand history), forecasts outside any transaction (minutes for a large catalogue), then writes in one
short transaction. In that transaction the products that get a suggestion are locked and re-read; a SKU
whose position moved meanwhile (e.g. a suggestion approved into a purchase order) is planned again on the
fresh figures, so the same need never gets two suggestions. Each run replaces the SKU's pending suggestion.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import update
from sqlalchemy.orm import Session

from inden.clock import utcnow
from inden.db.models import Product, ReplenishmentSuggestion
from inden.db.outbox import Event, emit
from inden.db.session import Database
from inden.db.stock import lock_products_by_id
from inden.domain.event_types import EventType
from inden.domain.states import SuggestionStatus
from inden.planning.lead_time_demand import recent_demand
from inden.planning.replenishment import PlanSettings, SkuInputs, SkuPlan, plan_replenishment, plan_sku
from inden.planning.sign_up_demand import unseen_units
from inden.services.forecasts import store_forecasts
from inden.services.planning.cluster import planning_engine
from inden.services.planning.snapshot import (
    Progress,
    Snapshot,
    forecast_inputs,
    forecast_snapshot,
    plan_settings,
    stock_positions,
    take_snapshot,
    total_sds,
)
from inden.services.planning.suggestions import approve_together, suggestion_views
from inden.services.schemas.planning import SuggestionFigures, SuggestionOut


@dataclass(frozen=True)
class PlanRun:
    today: date
    plans: list[SkuPlan]
    suggestions: list[SuggestionOut]
    alerts: int
    purchase_orders: list[int]
    report: pd.DataFrame  # the forecaster's per-SKU report (model, accuracy, fallback)


def _figures(plan: SkuPlan, sign_ups: tuple[int, int] = (0, 0)) -> dict[str, Any]:
    return SuggestionFigures(
        on_hand=plan.on_hand, allocated=plan.allocated, backordered=plan.backordered, incoming=plan.incoming,
        inventory_position=plan.inventory_position, demand_per_day=round(plan.demand_per_day, 3),
        lead_time_days=round(plan.lead_time_days, 2), forecast_lead_time=round(plan.forecast_lead_time, 2),
        safety_stock=round(plan.safety_stock, 2), reorder_point=round(plan.reorder_point, 2),
        service_level=round(plan.service_level, 4), risk=round(plan.risk, 4),
        days_of_cover=None if plan.days_of_cover == float("inf") else round(plan.days_of_cover, 1),
        events=plan.events, capped=plan.capped, sign_ups=sign_ups[0], sign_up_units=sign_ups[1],
    ).model_dump()


def run_plan(db: Database, *, now: datetime | None = None, skus: Sequence[str] | None = None,
             auto: bool | None = None, engine: Any = None, progress: Progress | None = None) -> PlanRun:
    """Plan every product (or `skus`): suggestions, reorder-point alerts, and in auto mode purchase orders.

    The forecasting runs on `engine` if given, else on the settings' planning cluster if one is set
    (`services.planning.cluster`), else on this machine's cores."""
    now = now or utcnow()
    settings = db.settings
    policy = plan_settings(settings)
    snapshot = take_snapshot(db, now=now, skus=skus)
    if not snapshot.products:
        return PlanRun(today=snapshot.today, plans=[], suggestions=[], alerts=0, purchase_orders=[],
                       report=pd.DataFrame())
    with nullcontext(engine) if engine is not None else planning_engine(settings) as engine:
        forecast = forecast_snapshot(snapshot, horizon=settings.forecast_horizon_days, engine=engine,
                                     progress=progress)
    paths, sigmas = forecast_inputs(forecast)
    errors, recent = total_sds(forecast), recent_demand(snapshot.history)
    lead_times = {sku: p.lead_time_days for sku, p in snapshot.products.items()}
    plans = plan_replenishment(paths, sigmas, list(snapshot.positions.values()), snapshot.offers,
                               snapshot.spreads, snapshot.events, today=snapshot.today, settings=policy,
                               lead_times=lead_times, total_sds=errors, recent=recent)
    plans = [_with_sign_ups(plan, snapshot) for plan in plans]
    with db.transaction() as session:
        plans = _replan_moved(session, snapshot, plans, lambda sku: SkuInputs(
            snapshot.positions[sku], paths.get(sku, np.zeros(0)), sigmas.get(sku, 0.0), snapshot.offers.get(sku, []),
            snapshot.products[sku].lead_time_days, errors.get(sku, ()), recent.get(sku)), policy)
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


def _with_sign_ups(plan: SkuPlan, snapshot: Snapshot) -> SkuPlan:
    """A plan that orders says how many shoppers signed up while its product was out of stock (their demand is
    in the forecast: `services.planning.snapshot.with_sign_ups`)."""
    shoppers, units = _sign_ups(plan, snapshot)
    if not shoppers or not plan.quantity:
        return plan
    return replace(plan, reason=f"{plan.reason}; {shoppers} shopper(s) signed up while out of stock: about {units} "
                                "unit(s) of demand the sales did not show")


def _sign_ups(plan: SkuPlan, snapshot: Snapshot) -> tuple[int, int]:
    """How many shoppers signed up while the plan's product was out of stock, and the units they stand for."""
    shoppers = snapshot.sign_ups.get(plan.sku, 0)
    return shoppers, round(unseen_units(shoppers, snapshot.conversion.get(plan.sku))) if shoppers else 0


def _replan_moved(session: Session, snapshot: Snapshot, plans: list[SkuPlan],
                  inputs: Callable[[str], SkuInputs], policy: PlanSettings) -> list[SkuPlan]:
    """Lock the products about to get a suggestion; re-plan those whose position moved since the snapshot."""
    ordering = [p for p in plans if p.quantity > 0]
    if not ordering:
        return plans
    locked = lock_products_by_id(session, [snapshot.products[p.sku].id for p in ordering])
    fresh = stock_positions(session, list(locked.values()), snapshot.today)
    result = []
    for plan in plans:
        position = fresh.get(plan.sku)
        if position is not None and position != snapshot.positions[plan.sku]:
            plan = plan_sku(replace(inputs(plan.sku), position=position), snapshot.spreads, snapshot.events,
                            today=snapshot.today, settings=policy, abc={plan.sku: plan.service_level})
        result.append(plan)
    return result


def _store_suggestions(session: Session, snapshot: Snapshot, plans: list[SkuPlan], *, now: datetime
                       ) -> list[ReplenishmentSuggestion]:
    ids = [snapshot.products[p.sku].id for p in plans]
    session.execute(update(ReplenishmentSuggestion)
                    .where(ReplenishmentSuggestion.status == SuggestionStatus.PENDING.value,
                           ReplenishmentSuggestion.product_id.in_(ids))
                    .values(status=SuggestionStatus.SUPERSEDED.value, decided_at=now))
    rows = [
        ReplenishmentSuggestion(
            product_id=snapshot.products[p.sku].id, supplier_id=snapshot.supplier_ids[p.supplier],
            status=SuggestionStatus.PENDING.value, quantity=p.quantity,
            unit_cost=Decimal(str(p.unit_cost)).quantize(Decimal("0.01")) if p.unit_cost is not None else None,
            need_by=p.need_by, expected_at=p.expected_at or p.need_by, expedite=p.expedite, reason=p.reason[:500],
            figures=_figures(p, _sign_ups(p, snapshot)), created_at=now)
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
    emit(session, (Event(EventType.REORDER_POINT_REACHED, f"reorder_point:{p.sku}:{stamp}", {
        "sku": p.sku, "inventory_position": p.inventory_position, "reorder_point": round(p.reorder_point, 2),
        "risk": round(p.risk, 4), "suggestion_id": suggestion_of.get(snapshot.products[p.sku].id),
    }) for p in crossed), now=now)
    if below:
        session.execute(update(Product).where(Product.id.in_([snapshot.products[p.sku].id for p in below]))
                        .values(below_reorder_point=True))
    if above_ids:
        session.execute(update(Product).where(Product.id.in_(above_ids)).values(below_reorder_point=False))
    return len(crossed)


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
