"""From forecasts and stock positions to purchase suggestions: the planner's one decision per SKU.

For each SKU: the forecast's daily path (with planned events applied) gives the demand over the chosen
supplier's lead time; safety stock covers the forecast error and the supplier's measured delay spread at
the SKU's service level; the reorder point is their sum. When the inventory position (on hand − allocated −
waiting backorders + units on open and draft purchase orders) is at or below the reorder point, order the
larger of the EOQ and the shortfall (plus any event demand due after the goods arrive, within the order's
cover), rounded to the supplier's MOQ and pack size and capped by storage room.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

import numpy as np
import numpy.typing as npt

from inden.planning.inventory_policy import (
    days_of_cover,
    economic_order_quantity,
    order_quantity,
    reorder_point_for_service,
    service_level_by_cost,
)
from inden.planning.lead_time_demand import MEASURED_DAYS, error_variance_over, history_cap
from inden.planning.risk import stockout_risk
from inden.planning.suppliers import SupplierChoice, SupplierOption, choose_supplier

FloatArray = npt.NDArray[np.float64]
ServiceRule = Literal["abc", "cost"] | float
Z90 = 1.2816  # standard normal 90 % quantile: (p90 − p50) / Z90 estimates the delay's spread


@dataclass(frozen=True, slots=True)
class Position:
    """What a SKU has and is owed, in units, plus its planning settings."""

    sku: str
    on_hand: int
    allocated: int
    backordered: int
    incoming: int  # on open and draft purchase orders
    next_receipt_in_days: int | None = None  # the earliest open purchase order, if any
    price: float | None = None
    service_level: float | None = None  # the SKU's own target; None: the shop's rule
    max_stock: int | None = None  # storage room in units

    @property
    def net_stock(self) -> int:
        """Units free to sell once waiting customers are served (negative: customers still waiting)."""
        return self.on_hand - self.allocated - self.backordered

    @property
    def inventory_position(self) -> int:
        return self.net_stock + self.incoming


@dataclass(frozen=True, slots=True)
class LeadTimeSpread:
    """A supplier's measured delay beyond the promised lead time (days)."""

    mean_delay_days: float = 0.0
    sd_delay_days: float = 0.0

    @classmethod
    def from_quantiles(cls, *, mean: float | None, p50: float, p90: float, deliveries: int) -> LeadTimeSpread:
        if deliveries < 3:  # too few deliveries to measure a spread: trust the stated lead time
            return cls(max(mean or 0.0, 0.0), 0.0)
        return cls(max(mean or 0.0, 0.0), max(p90 - p50, 0.0) / Z90)


@dataclass(frozen=True, slots=True)
class EventDemand:
    """A planned promotion, flash sale or launch: a multiplier or an expected total per SKU over the window."""

    name: str
    skus: frozenset[str]
    starts_on: date
    ends_on: date
    uplift: float | None = None
    expected_units: int | None = None

    def days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1


@dataclass(frozen=True, slots=True)
class PlanSettings:
    service_level: ServiceRule = "abc"
    abc_levels: tuple[float, float, float] = (0.98, 0.95, 0.90)  # A: top 80 % of revenue, B: next 15 %, C: rest
    holding_cost_rate_per_year: float = 0.25  # of unit cost: capital, storage, shrinkage
    order_cost: float = 50_000.0  # per purchase order line, in the shop's currency
    review_days: int = 1  # the planner runs daily
    stockout_cost_share: float = 1.0  # lost margin per unit and day late, as a share of unit margin / 7


@dataclass(frozen=True, slots=True)
class SkuPlan:
    """The planner's figures and decision for one SKU (quantity 0: nothing to order now)."""

    sku: str
    on_hand: int
    allocated: int
    backordered: int
    incoming: int
    inventory_position: int
    demand_per_day: float
    lead_time_days: float
    forecast_lead_time: float  # units expected over the lead time, events included
    safety_stock: float
    reorder_point: float
    service_level: float
    quantity: int
    supplier: str | None
    unit_cost: float | None
    need_by: date
    expected_at: date | None  # the chosen supplier's promised delivery date for an order placed today
    expedite: bool
    risk: float  # probability of running out before the next receipt
    days_of_cover: float
    reason: str
    events: list[str] = field(default_factory=list)
    capped: bool = False  # the reorder point was lowered to what the SKU's history justifies

    @property
    def below_reorder_point(self) -> bool:
        return self.inventory_position <= self.reorder_point


def apply_events(path: FloatArray, events: Sequence[EventDemand], *, sku: str, today: date) -> FloatArray:
    """The daily forecast path (day 0 = today) with each planned event's demand laid over its window."""
    adjusted = path.copy()
    for event in events:
        if sku not in event.skus:
            continue
        first = max((event.starts_on - today).days, 0)
        last = min((event.ends_on - today).days, len(path) - 1)
        if last < first:
            continue
        window = slice(first, last + 1)
        if event.uplift is not None:
            adjusted[window] *= event.uplift
        elif event.expected_units is not None:
            adjusted[window] = np.maximum(adjusted[window], event.expected_units / event.days())
    return adjusted


def extend_path(path: FloatArray, days: int) -> FloatArray:
    """The path made at least `days` long by repeating its last week's average."""
    if len(path) >= days:
        return path
    tail = float(path[-7:].mean()) if len(path) else 0.0
    return np.concatenate([path, np.full(days - len(path), tail)])


def units_over(path: FloatArray, days: float) -> float:
    """Units the path expects over the first `days` days (a fractional last day counts pro rata)."""
    whole = int(days)
    units = float(path[:whole].sum())
    if days > whole and whole < len(path):
        units += float(path[whole]) * (days - whole)
    return units


def cover_days(path: FloatArray, units: float) -> int:
    """Whole days the path's demand takes to use up `units` (the path's length if it never does)."""
    if units <= 0:
        return 0
    return int(np.searchsorted(np.cumsum(path), units, side="right"))


def abc_service_levels(revenue: Mapping[str, float], levels: tuple[float, float, float]) -> dict[str, float]:
    """Service level per SKU by its share of revenue: A (top 80 %), B (next 15 %), C (the rest)."""
    ranked = sorted(revenue.items(), key=lambda item: -item[1])
    total = sum(max(v, 0.0) for _, v in ranked) or 1.0
    result, running = {}, 0.0
    for sku, value in ranked:
        share_before = running / total
        result[sku] = levels[0] if share_before < 0.80 else levels[1] if share_before < 0.95 else levels[2]
        running += max(value, 0.0)
    return result


def _service_level(position: Position, settings: PlanSettings, option: SupplierOption | None,
                   abc: Mapping[str, float]) -> float:
    if position.service_level is not None:
        return position.service_level
    rule = settings.service_level
    if isinstance(rule, float | int) and not isinstance(rule, bool):
        return float(rule)
    if rule == "cost" and option is not None and position.price is not None and option.unit_cost > 0:
        return float(service_level_by_cost(
            unit_margin=max(position.price - option.unit_cost, 0.0),
            holding_cost_per_unit_day=option.unit_cost * settings.holding_cost_rate_per_year / 365,
            review_days=settings.review_days))
    return abc.get(position.sku, settings.abc_levels[1])


@dataclass(frozen=True, slots=True)
class SkuInputs:
    """One SKU to plan: its position, forecast path (units/day from today), one-day error sigma and offers."""

    position: Position
    path: FloatArray
    sigma: float
    options: Sequence[SupplierOption]
    default_lead_time_days: int = 14  # used when no supplier offers it
    # Measured error of the forecast's totals over MEASURED_DAYS days (units; empty: assume independent days).
    total_sd: tuple[float, ...] = ()
    recent: FloatArray | None = None  # daily demand over the last year, oldest first (the reorder point's cap)


@dataclass(frozen=True, slots=True)
class _Draft:
    """A SKU's figures before the reorder point and risk, which are computed for all SKUs at once."""

    item: SkuInputs
    base: FloatArray  # forecast path without events
    planned: FloatArray  # with events
    events: list[str]
    need_in: int
    choice: SupplierChoice | None
    lead: float
    lead_sd: float
    level: float
    lead_demand: float
    until_receipt: float


def _eoq(per_day: float, unit_cost: float, settings: PlanSettings) -> float:
    if per_day <= 0:
        return 0.0
    return float(economic_order_quantity(annual_demand=per_day * 365, order_cost=settings.order_cost,
                                         holding_cost_per_unit_year=max(unit_cost, 0.01)
                                         * settings.holding_cost_rate_per_year))


def _draft(item: SkuInputs, spreads: Mapping[str, LeadTimeSpread], events: Sequence[EventDemand], *,
           today: date, settings: PlanSettings, abc: Mapping[str, float]) -> _Draft:
    position, options = item.position, item.options
    base_per_day = float(item.path[:28].mean()) if len(item.path) else 0.0
    horizon = int(max([o.lead_time_days + o.delay_p90_days for o in options] + [item.default_lead_time_days])) + 90
    base = extend_path(item.path, horizon)
    planned = apply_events(base, events, sku=position.sku, today=today)
    ip = position.inventory_position
    need_in = 0 if ip <= 0 else cover_days(planned, ip)
    choice: SupplierChoice | None = None
    if options:
        cheapest = min(o.unit_cost for o in options)
        margin = max((position.price or 0.0) - cheapest, 0.0)
        choice = choose_supplier(options, need_in_days=need_in, customers_waiting=position.backordered > 0,
                                 quantity=max(math.ceil(_eoq(base_per_day, cheapest, settings)), 1),
                                 stockout_cost_per_unit_day=settings.stockout_cost_share * margin / 7)
    option = choice.option if choice else None
    spread = spreads.get(option.supplier, LeadTimeSpread()) if option else LeadTimeSpread()
    lead = max((option.lead_time_days if option else item.default_lead_time_days) + spread.mean_delay_days, 1.0)
    return _Draft(
        item=item, base=base, planned=planned,
        events=[e.name for e in events if position.sku in e.skus and e.ends_on >= today],
        need_in=need_in, choice=choice, lead=lead, lead_sd=spread.sd_delay_days,
        level=_service_level(position, settings, option, abc), lead_demand=units_over(planned, lead),
        until_receipt=float(position.next_receipt_in_days) if position.next_receipt_in_days is not None else lead,
    )


def _finish(draft: _Draft, rop: float, risk: float, *, today: date, settings: PlanSettings, capped: bool = False
            ) -> SkuPlan:
    position, option = draft.item.position, draft.choice.option if draft.choice else None
    net, ip, planned, lead = position.net_stock, position.inventory_position, draft.planned, draft.lead
    base_per_day = float(draft.base[:28].mean())
    safety = rop - draft.lead_demand

    def event_extra(days: float) -> float:
        return units_over(planned, days) - units_over(draft.base, days)

    quantity, reasons = 0, []
    # A SKU with no demand expected and nobody waiting needs nothing, even with an empty shelf.
    dead = rop <= 0 and draft.lead_demand <= 0 and position.backordered == 0
    if ip <= rop and option is not None and not dead:
        eoq = _eoq(base_per_day, option.unit_cost, settings)
        cover = cover_days(planned[int(lead):], eoq)
        # Enough to lift the position strictly above the reorder point (at it, the next run would order again).
        shortfall = math.floor(rop - ip) + 1 + max(event_extra(lead + cover) - event_extra(lead), 0.0)
        room = None if position.max_stock is None else max(position.max_stock - ip, 0)
        quantity = int(order_quantity(economic_quantity=eoq, shortfall=math.ceil(shortfall), moq=option.moq,
                                      pack_size=option.pack_size, capacity_room=room))
        reasons.append(f"inventory position {ip} is at or below the reorder point {rop:.0f} "
                       f"({draft.lead_demand:.0f} expected over {lead:.0f} days + {safety:.0f} safety stock)")
        if capped:
            reasons.append(f"reorder point capped at {rop:.0f}: the most sold in any {math.ceil(lead)} days of the "
                           "last year, planned events included")
        if position.backordered:
            reasons.append(f"{position.backordered} unit(s) wait on backorder")
        if draft.events:
            reasons.append("covers planned event(s): " + ", ".join(draft.events))
        if quantity == 0:
            reasons.append("no storage room for the supplier's minimum order (max stock reached)")
        if draft.choice is not None:
            reasons.append(draft.choice.reason)
    elif ip <= rop:
        reasons.append(f"inventory position {ip} is at or below the reorder point {rop:.0f}, "
                       "but no supplier offers this SKU: add an offer to get a suggestion")
    ordered = option is not None and quantity > 0
    return SkuPlan(
        sku=position.sku, on_hand=position.on_hand, allocated=position.allocated,
        backordered=position.backordered, incoming=position.incoming, inventory_position=ip,
        demand_per_day=base_per_day, lead_time_days=lead, forecast_lead_time=draft.lead_demand,
        safety_stock=safety, reorder_point=rop, service_level=draft.level, quantity=quantity,
        supplier=option.supplier if ordered and option else None,
        unit_cost=option.unit_cost if ordered and option else None,
        need_by=today + timedelta(days=draft.need_in),
        # The supplier's promised date: reliability is measured against it, so measured delay stays out of it.
        expected_at=today + timedelta(days=option.lead_time_days) if ordered and option else None,
        expedite=bool(ordered and draft.choice and draft.choice.expedite), risk=risk,
        days_of_cover=float(days_of_cover(units=max(net, 0), demand_per_day=base_per_day)),
        reason="; ".join(reasons), events=draft.events, capped=capped,
    )


def plan_skus(items: Sequence[SkuInputs], spreads: Mapping[str, LeadTimeSpread], events: Sequence[EventDemand], *,
              today: date, settings: PlanSettings, abc: Mapping[str, float]) -> list[SkuPlan]:
    """Decide each SKU: reorder point, whether to order, how much, from whom, by when, and its stock-out risk.

    The reorder point is the whole-unit level meeting the SKU's cycle service level for its demand's own
    shape over the lead time, with the undershoot of a daily review (a plain normal safety stock
    under-protects slow and lumpy sellers; see tests/unit/test_calibration.py). The distribution maths runs
    once over arrays of all SKUs.
    """
    if not items:
        return []
    drafts = [_draft(item, spreads, events, today=today, settings=settings, abc=abc) for item in items]
    lead = np.array([d.lead for d in drafts])
    per_day = np.array([d.lead_demand for d in drafts]) / lead
    sigma = np.array([d.item.sigma for d in drafts])
    measured = np.array([_measured(d.item) for d in drafts])
    lead_sd = np.array([d.lead_sd for d in drafts])
    rops = np.atleast_1d(reorder_point_for_service(
        service_level=np.array([d.level for d in drafts]), demand_per_day=per_day, demand_sd_per_day=sigma,
        lead_time_days=lead, lead_time_sd_days=lead_sd, error_variance=error_variance_over(lead, sigma, measured)))
    caps = [history_cap(d.item.recent, d.lead, units_over(d.base, d.lead), d.lead_demand - units_over(d.base, d.lead))
            for d in drafts]
    until = np.maximum(np.array([d.until_receipt for d in drafts]), 0.0)
    net = np.array([d.item.position.net_stock for d in drafts], dtype=float)
    risks = np.atleast_1d(stockout_risk(
        inventory_position=np.maximum(net, 0.0),
        demand_mean=np.array([units_over(d.planned, d.until_receipt) for d in drafts]) + np.maximum(-net, 0.0),
        demand_sd=np.sqrt(error_variance_over(until, sigma, measured) + (per_day * lead_sd) ** 2)))
    return [_finish(d, float(rop) if cap is None else min(float(rop), cap), float(risk), today=today,
                    settings=settings, capped=bool(cap is not None and cap < rop))
            for d, rop, cap, risk in zip(drafts, rops, caps, risks, strict=True)]


def _measured(item: SkuInputs) -> list[float]:
    values = list(item.total_sd)[: len(MEASURED_DAYS)]
    return values + [math.nan] * (len(MEASURED_DAYS) - len(values))


def plan_sku(item: SkuInputs, spreads: Mapping[str, LeadTimeSpread], events: Sequence[EventDemand], *,
             today: date, settings: PlanSettings, abc: Mapping[str, float]) -> SkuPlan:
    """`plan_skus` for one SKU."""
    return plan_skus([item], spreads, events, today=today, settings=settings, abc=abc)[0]


def plan_replenishment(paths: Mapping[str, FloatArray], sigmas: Mapping[str, float],
                       positions: Sequence[Position], offers: Mapping[str, Sequence[SupplierOption]],
                       spreads: Mapping[str, LeadTimeSpread], events: Sequence[EventDemand], *, today: date,
                       settings: PlanSettings, lead_times: Mapping[str, int],
                       total_sds: Mapping[str, tuple[float, ...]] | None = None,
                       recent: Mapping[str, FloatArray] | None = None) -> list[SkuPlan]:
    """Plan every SKU in `positions`, with service levels by revenue class where the shop's rule is ABC.

    `paths[sku]` is the forecast mean per day from today (a SKU without one plans on zero demand);
    `lead_times[sku]` the product's own lead time, used when no supplier offers it; `total_sds[sku]` the
    forecast's measured error over MEASURED_DAYS-day totals and `recent[sku]` its last year's daily demand
    (see `SkuInputs`).
    """
    empty: FloatArray = np.zeros(0)
    revenue = {p.sku: float(paths.get(p.sku, empty)[:28].sum()) * (p.price or 1.0) for p in positions}
    abc = abc_service_levels(revenue, settings.abc_levels)
    items = [SkuInputs(p, paths.get(p.sku, empty), sigmas.get(p.sku, 0.0), offers.get(p.sku, ()),
                       lead_times.get(p.sku, 14), (total_sds or {}).get(p.sku, ()), (recent or {}).get(p.sku))
             for p in positions]
    return plan_skus(items, spreads, events, today=today, settings=settings, abc=abc)
