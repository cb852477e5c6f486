"""`inden simulate`: replay a demand history under inden's policy and under a static min/max rule.

The history is the shop's own (orders, refusals and imported sales) or a sales CSV read without touching the
database. Each SKU is replayed day by day (planning.simulation) with its lead time and unit cost; the report
has a row per SKU and policy, the totals over all SKUs, and optionally a PNG chart of the totals.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
from babel.numbers import format_decimal, format_percent
from sqlalchemy import func, select

from inden.clock import shop_date, utcnow
from inden.config import Settings
from inden.db.models import Product, Supplier, SupplierOffer
from inden.db.session import Database
from inden.domain.errors import InvalidRequest
from inden.i18n import N_, format_money, translate
from inden.planning.simulation import (
    ChartLabels,
    SimulationResult,
    compare_policies,
    pooled,
    warmup_days_for,
    write_chart,
)
from inden.services.demand import load_demand_history
from inden.services.sales_import import parse_sales_csv

MIN_DAYS = 28  # two weeks learnt from, two weeks replayed; longer histories learn from half, at most a quarter
DEFAULT_LEAD_TIME = 14
Progress = Callable[[str, int, int], None]
DEFAULT_UNIT_COST = 1.0  # without an offer or a price, costs are in "units of stock"


@dataclass(frozen=True)
class SimulationReport:
    rows: list[dict[str, Any]]  # one per SKU and policy
    totals: list[tuple[str, SimulationResult]]  # per policy, all SKUs pooled
    skipped: list[str]  # SKUs with too short a history
    chart: Path | None
    warmup_days: tuple[int, int]  # fewest and most days learnt from before a SKU's replay
    replayed_days: tuple[int, int]  # fewest and most days replayed


def _row(sku: str, policy: str, r: SimulationResult) -> dict[str, Any]:
    return {"sku": sku, "policy": policy, "replayed_days": len(r.on_hand), "fill_rate": round(r.fill_rate, 4),
            "cycle_service_level": round(r.cycle_service_level, 4), "units_backordered": round(r.units_backordered),
            "backorder_days": round(r.backorder_days), "average_inventory": round(r.average_inventory, 1),
            "holding_cost": round(r.holding_cost, 2), "orders": r.orders_placed}


def simulate_history(history: pd.DataFrame, *, lead_times: Mapping[str, int], unit_costs: Mapping[str, float],
                     service_level: float, settings: Settings, chart: Path | None = None,
                     progress: Progress | None = None) -> SimulationReport:
    """Replay every SKU of `history` (columns unique_id, ds, y) under both policies. SKUs with fewer than
    MIN_DAYS days are skipped; the others learn from the first half of their days (at most 91) and replay
    the rest. Costs come from `settings`; `progress(stage, done, total)` is called after each SKU."""
    by_policy: dict[str, list[SimulationResult]] = {}
    rows, skipped, warmups = [], [], []
    groups = history.sort_values("ds").groupby("unique_id", sort=True)
    for done, (sku, group) in enumerate(groups, start=1):
        if progress is not None:
            progress(N_("replay"), done - 1, groups.ngroups)
        demand = group.set_index("ds")["y"].resample("D").sum().to_numpy(dtype=float)
        if len(demand) < MIN_DAYS:
            skipped.append(str(sku))
            continue
        cost = unit_costs.get(str(sku), DEFAULT_UNIT_COST)
        warmups.append(warmup_days_for(len(demand)))
        results = compare_policies(demand, lead_time_days=lead_times.get(str(sku), DEFAULT_LEAD_TIME),
                                   service_level=service_level, order_cost=settings.order_cost,
                                   holding_cost_per_unit_day=cost * settings.holding_cost_rate / 365,
                                   warmup_days=warmups[-1])
        for name, result in results:
            rows.append(_row(str(sku), name, result))
            by_policy.setdefault(name, []).append(result)
    if not by_policy:
        raise InvalidRequest(f"No SKU has the {MIN_DAYS} days of history a replay needs.", skipped=skipped,
                             minimum_days=MIN_DAYS)
    totals = [(name, pooled(results)) for name, results in by_policy.items()]
    replayed = [row["replayed_days"] for row in rows]
    if chart is not None:
        write_chart(totals, chart, **chart_words(totals, settings.default_locale, skus=len(rows) // len(totals),
                                                 currency=settings.currency))
    return SimulationReport(rows=rows, totals=totals, skipped=skipped, chart=chart,
                            warmup_days=(min(warmups), max(warmups)), replayed_days=(min(replayed), max(replayed)))


def chart_words(totals: list[tuple[str, SimulationResult]], locale: str, *, skus: int, currency: str
                ) -> dict[str, Any]:
    """The chart's title, labels and figures in `locale` (money in the shop's one format)."""
    def share(value: float) -> str:
        return format_percent(value, "#,##0.0%", locale=locale)

    def count(value: float, pattern: str = "#,##0") -> str:
        return format_decimal(value, pattern, locale=locale)

    rows = [[name, share(r.fill_rate), share(r.cycle_service_level), count(r.units_backordered),
             count(r.backorder_days), count(r.average_inventory, "#,##0.0"),
             format_money(Decimal(str(round(r.holding_cost, 2))), locale, currency), count(r.orders_placed)]
            for name, r in totals]
    return {"title": translate(locale, "inden vs static min/max — %(count)s SKU(s)", count=skus),
            "labels": ChartLabels(
                on_hand=translate(locale, "units on hand"), backordered=translate(locale, "units backordered"),
                day=translate(locale, "day of the replay"),
                columns=tuple(translate(locale, c) for c in CHART_COLUMNS)),
            "table_rows": rows}


CHART_COLUMNS = (N_("policy"), N_("fill rate"), N_("cycle service"), N_("units backordered"), N_("backorder-days"),
                 N_("avg inventory"), N_("holding cost"), N_("orders"))


def history_from_csv(text: str) -> pd.DataFrame:
    """A sales CSV (the import format) as a demand history, for replays of data not in the shop."""
    rows = parse_sales_csv(text)
    frame = pd.DataFrame({"unique_id": [r.sku for r in rows], "ds": pd.to_datetime([r.day for r in rows]),
                          "y": [float(r.quantity) for r in rows]})
    return frame.groupby(["unique_id", "ds"], as_index=False)["y"].sum()


def simulate_shop(db: Database, *, skus: Sequence[str] | None = None, csv_text: str | None = None,
                  service_level: float = 0.95, chart: Path | None = None, progress: Progress | None = None
                  ) -> SimulationReport:
    """Replay the shop's own history (or `csv_text`), with each SKU's cheapest offer's lead time and cost."""
    settings = db.settings
    today = shop_date(utcnow(), settings.timezone)
    with db.transaction() as session:
        if csv_text is None:
            history = load_demand_history(session, since=today - timedelta(days=settings.history_days),
                                          until=today - timedelta(days=1), timezone=settings.timezone)
        else:
            history = history_from_csv(csv_text)
        if skus:
            history = history[history["unique_id"].isin(skus)]
        lead = func.coalesce(SupplierOffer.lead_time_days, Supplier.lead_time_days)
        offers = session.execute(
            select(Product.sku, lead, SupplierOffer.unit_cost)
            .join(SupplierOffer, SupplierOffer.product_id == Product.id)
            .join(Supplier, Supplier.id == SupplierOffer.supplier_id)
            .order_by(Product.sku, SupplierOffer.unit_cost.desc())  # the cheapest last: it wins below
        ).all()
        own = session.execute(select(Product.sku, Product.lead_time_days, Product.price)).all()
    lead_times = {sku: days for sku, days, _ in own} | {sku: int(days) for sku, days, _ in offers}
    unit_costs = {sku: float(price) * 0.6 for sku, _, price in own if price}  # no offer: assume a 40 % margin
    unit_costs |= {sku: float(cost) for sku, _, cost in offers if cost}
    if history.empty:
        raise InvalidRequest("There is no demand history to replay" + (f" for {', '.join(skus)}." if skus else "."))
    return simulate_history(history, lead_times=lead_times, unit_costs=unit_costs,
                            service_level=service_level, settings=settings, chart=chart, progress=progress)


def totals_table(report: SimulationReport) -> list[dict[str, Any]]:
    return [_row("(all)", name, result) for name, result in report.totals]

