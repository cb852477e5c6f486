"""`inden report`: the seller's figures at a glance (the same as GET /v1/analytics)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from inden.cli.common import out, run, show
from inden.config import get_settings


def _share(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"


def _days(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def report(
    days: Annotated[int, typer.Option(min=1, max=730, help="Demand over the last DAYS days.")] = 30,
    json: Annotated[bool, typer.Option("--json", help="The API's JSON (GET /v1/analytics).")] = False,
) -> None:
    """The shop at a glance: fill rate, how long customers wait, lost sales, products at risk."""
    from inden.i18n import format_money
    from inden.services.analytics import shop_report

    figures = run(lambda db: shop_report(db, days=days))
    shop_locale = get_settings().default_locale
    if json:
        show(figures)
        return
    d, w = figures.demand, figures.waiting
    out.print(f"[bold]Last {days} days[/]: {d.ordered_units + d.refused_units} units asked for — "
              f"fill rate {_share(d.fill_rate)} (from stock at once), backordered {_share(d.backorder_rate)}, "
              f"lost {_share(d.lost_rate)} ({d.refused_units} units refused, "
              f"{format_money(figures.lost_value, shop_locale, figures.currency)}).", highlight=False)
    buckets = ", ".join(f"{name} d: {count}" for name, count in w.buckets.items())
    out.print(f"[bold]Waiting now[/]: {w.units} units on {w.lines} lines — median {_days(w.p50_days)} d, "
              f"p90 {_days(w.p90_days)} d, oldest {_days(w.max_days)} d ({buckets}); "
              f"{w.estimated_units} units with no purchase order behind their date.", highlight=False)
    table = Table("SKU", "ordered", "fill rate", "refused", "lost value", "waiting", "no PO", "oldest (d)",
                  "risk", title="At risk" if figures.at_risk else None)
    for s in figures.at_risk or figures.skus[:20]:
        table.add_row(s.sku, str(s.ordered_units), _share(s.fill_rate), str(s.refused_units),
                      format_money(s.lost_value, shop_locale, figures.currency) if s.lost_value is not None else "–",
                      str(s.waiting_units), str(s.estimated_units), _days(s.oldest_wait_days),
                      _share(s.stockout_risk))
    if table.row_count:
        out.print(table)


def register(app: typer.Typer) -> None:
    app.command()(report)
