"""What a plan run reads: stock positions, offers, lead-time spreads, events and demand history, and the
forecast made from them (outside any transaction: minutes for a large catalogue)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from inden.clock import shop_date
from inden.config import Settings
from inden.db.models import Product, PurchaseOrder, PurchaseOrderLine, Supplier, SupplierOffer
from inden.db.session import Database
from inden.db.supply import supplier_reliability
from inden.domain.errors import InvalidRequest
from inden.domain.states import PurchaseOrderStatus
from inden.planning.calendar import RULES, rule_days
from inden.planning.forecasting import forecast_demand
from inden.planning.lead_time_demand import MEASURED_DAYS
from inden.planning.replenishment import EventDemand, LeadTimeSpread, PlanSettings, Position, apply_events
from inden.planning.sign_up_demand import add_sign_up_demand
from inden.planning.suppliers import SupplierOption
from inden.services.demand import load_demand_history
from inden.services.events import upcoming_events
from inden.services.subscriptions import sign_up_history

Progress = Callable[[str, int, int], None]


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
    sign_ups: dict[str, int] = field(default_factory=dict)  # back-in-stock sign-ups counted as demand, per SKU
    conversion: dict[str, float | None] = field(default_factory=dict)  # their measured conversion, per SKU


def stock_positions(session: Session, products: Sequence[Product], today: date) -> dict[str, Position]:
    """Stock positions; incoming counts open *and* draft purchase orders, so a drafted need is not re-planned."""
    remaining = PurchaseOrderLine.quantity - PurchaseOrderLine.received
    rows = session.execute(
        select(PurchaseOrderLine.product_id, func.sum(remaining),
               func.min(PurchaseOrder.expected_at).filter(PurchaseOrder.status == PurchaseOrderStatus.OPEN.value))
        .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.purchase_order_id)
        .where(PurchaseOrder.status.in_([PurchaseOrderStatus.OPEN.value, PurchaseOrderStatus.DRAFT.value]),
               remaining > 0, PurchaseOrderLine.product_id.in_([p.id for p in products]))
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
    settings = db.settings
    today = shop_date(now, settings.timezone)
    with db.transaction() as session:
        query = select(Product).order_by(Product.sku)
        if skus:
            query = query.where(Product.sku.in_(skus))
        products = list(session.scalars(query))
        for product in products:
            session.expunge(product)
        offers, spreads, supplier_ids = _offers(session)
        since, until = today - timedelta(days=settings.history_days), today - timedelta(days=1)
        history = load_demand_history(session, since=since, until=until, timezone=settings.timezone,
                                      product_ids=[p.id for p in products] if skus else None)
        snapshot = Snapshot(today=today, products={p.sku: p for p in products},
                            positions=stock_positions(session, products, today), offers=offers, spreads=spreads,
                            supplier_ids=supplier_ids, events=upcoming_events(session, today), history=history)
    return with_sign_ups(db, snapshot, since=since, until=until, now=now)


def with_sign_ups(db: Database, snapshot: Snapshot, *, since: date, until: date, now: datetime) -> Snapshot:
    """The snapshot with back-in-stock sign-ups counted as demand the history did not see
    (`planning.sign_up_demand`), and each SKU's sign-up total kept for the plan's reason."""
    rows, conversion = sign_up_history(db, since=since, until=until, now=now)
    rows = [row for row in rows if row[0] in snapshot.products]
    if not rows:
        return snapshot
    sign_ups = pd.DataFrame(rows, columns=["unique_id", "ds", "sign_ups"])
    sign_ups["ds"] = pd.to_datetime(sign_ups["ds"])
    history = add_sign_up_demand(snapshot.history, sign_ups, conversion)
    totals = sign_ups.groupby("unique_id")["sign_ups"].sum().astype(int).to_dict()
    return replace(snapshot, history=history, sign_ups={str(k): int(v) for k, v in totals.items()},
                   conversion={sku: conversion.get(sku) for sku in totals})


def forecast_snapshot(snapshot: Snapshot, *, horizon: int, engine: Any = None, progress: Progress | None = None
                      ) -> Any:
    """Forecast every product of the snapshot (new ones from the seller's guess or their category)."""
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


def total_sds(forecast: Any) -> dict[str, tuple[float, ...]]:
    """Per SKU: the forecast's measured error over totals of MEASURED_DAYS days (units)."""
    columns = [forecast.report[f"sd_{days}"].to_numpy(dtype=float) for days in MEASURED_DAYS]
    return {sku: tuple(float(c[i]) for c in columns) for i, sku in enumerate(forecast.report["unique_id"])}


def with_planned_events(snapshot: Snapshot, forecast: Any) -> pd.DataFrame:
    """The forecast as the plan sees it: each SKU's days with the seller's planned events laid over them
    (`planning.replenishment.apply_events`), mean and interval scaled alike. Adds ``base_mean`` (before the
    events) and ``events``: the seller's events on that day, then the shopping-calendar rules that move it by
    5 % or more (rule ids of `planning.calendar.RULES`), "; "-joined."""
    out = forecast.paths.sort_values(["unique_id", "ds"], kind="stable").reset_index(drop=True)
    effects = forecast.effects
    moved = out["calendar"].to_numpy() != 1.0 if "calendar" in out.columns else np.zeros(len(out), dtype=bool)
    calendar = rule_days(out["ds"].min().date(), out["ds"].max().date()) if effects is not None and moved.any() \
        else {}
    rows = {str(sku): i for i, sku in enumerate(effects.skus)} if effects is not None else {}
    out["base_mean"] = out["mean"]
    names: list[str] = [""] * len(out)
    starts = np.flatnonzero(np.r_[True, out["unique_id"].to_numpy()[1:] != out["unique_id"].to_numpy()[:-1]])
    bounds = np.r_[starts, len(out)]
    level_columns = [c for c in out.columns if c.startswith(("lo_", "hi_"))]
    for first, end in zip(bounds[:-1], bounds[1:], strict=True):
        sku = str(out.at[first, "unique_id"])
        base = out["mean"].to_numpy()[first:end]
        days = [d.date() for d in out["ds"].iloc[first:end]]
        lifted = apply_events(base, snapshot.events, sku=sku, today=days[0])
        with np.errstate(invalid="ignore", divide="ignore"):
            factor = np.where(base > 0, lifted / np.where(base > 0, base, 1.0), 1.0)
        out.loc[first:end - 1, "mean"] = lifted
        for column in level_columns:
            out.loc[first:end - 1, column] = np.maximum(out[column].to_numpy()[first:end] * factor, 0.0)
        for i, day in enumerate(days):
            moving = [e.name for e in snapshot.events if sku in e.skus and e.starts_on <= day <= e.ends_on]
            if moved[first + i] and effects is not None and sku in rows:
                moving += [rule for r, rule in enumerate(RULES) if day in calendar.get(rule, ())
                           and abs(effects.factor[rows[sku], r] - 1) >= 0.05]
            names[first + i] = "; ".join(moving)
    out["events"] = names
    return out
