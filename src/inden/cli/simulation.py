"""`inden simulate`: replay demand under inden's policy and a static rule, and compare."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from inden.cli.common import (
    _,
    number,
    percent,
    print_table,
    progress_bar,
    read_text_file,
    run,
    say,
    table,
    write_csv,
)


def _span(low: int, high: int) -> str:
    return str(low) if low == high else f"{low}–{high}"


def simulate(
    sku: Annotated[list[str] | None, typer.Option(help="Only this SKU (repeat).")] = None,
    from_csv: Annotated[Path | None, typer.Option("--from-csv", help="Replay a sales CSV (date, sku, quantity) "
                                                                     "instead of the shop's history.")] = None,
    service_level: Annotated[float, typer.Option(min=0.5, max=0.999, help="inden's target, e.g. 0.95.")] = 0.95,
    chart: Annotated[Path | None, typer.Option(help="Write a PNG chart of the totals here.")] = Path("simulation.png"),
    csv_out: Annotated[Path | None, typer.Option("--csv", help="Write every SKU's figures as CSV here.")] = None,
) -> None:
    """Replay demand day by day under inden's policy and a static min/max rule; compare the outcomes.

    Needs at least 28 days of history per SKU: the first half (at most 91 days) is learnt from, the rest is
    replayed and measured.
    """
    from inden.services.simulation import simulate_shop, totals_table

    text = None if from_csv is None else read_text_file(from_csv)
    with progress_bar() as progress:
        report = run(lambda db: simulate_shop(db, skus=sku, csv_text=text, service_level=service_level,
                                              chart=chart, progress=progress))
    skus = len(report.rows) // len(report.totals)
    grid = table(_("Policy"), _("Fill rate"), _("Cycle service"), _("Backordered"), _("Backorder-days"),
                 _("Avg stock"), _("Orders"),
                 title=_("%(count)s SKU(s) replayed", count=skus))
    for r in totals_table(report):
        grid.add_row(r["policy"], percent(r["fill_rate"], digits=1), percent(r["cycle_service_level"], digits=1),
                     number(r["units_backordered"]), number(r["backorder_days"]),
                     number(r["average_inventory"], digits=1), number(r["orders"]))
    print_table(grid)
    say(_("Learnt from the first %(warmup)s day(s) of each history, then replayed the last %(replayed)s day(s).",
          warmup=_span(*report.warmup_days), replayed=_span(*report.replayed_days)))
    if report.skipped:
        say(_("Skipped (under 28 days of history): %(skus)s", skus=", ".join(report.skipped)))
    if csv_out is not None:
        write_csv(report.rows, csv_out)
    if report.chart is not None:
        say(_("Chart: %(path)s", path=str(report.chart)))


def register(app: typer.Typer) -> None:
    app.command()(simulate)
