"""`inden simulate`: replay demand under inden's policy and a static rule, and compare."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from inden.cli.common import out, read_text_file, run, write_csv


def simulate(
    sku: Annotated[list[str] | None, typer.Option(help="Only this SKU (repeat).")] = None,
    from_csv: Annotated[Path | None, typer.Option("--from-csv", help="Replay a sales CSV (date, sku, quantity) "
                                                                     "instead of the shop's history.")] = None,
    service_level: Annotated[float, typer.Option(min=0.5, max=0.999)] = 0.95,
    chart: Annotated[Path | None, typer.Option(help="Write a PNG chart of the totals here.")] = Path("simulation.png"),
    csv_out: Annotated[Path | None, typer.Option("--csv", help="Write every SKU's figures as CSV here.")] = None,
) -> None:
    """Replay demand day by day under inden's policy and a static min/max rule; compare the outcomes."""
    from inden.services.simulation import simulate_shop, totals_table

    text = None if from_csv is None else read_text_file(from_csv)
    report = run(lambda db: simulate_shop(db, skus=sku, csv_text=text, service_level=service_level, chart=chart))
    table = Table("Policy", "Fill rate", "Cycle service", "Units backordered", "Backorder-days", "Avg inventory",
                  "Holding cost", "Orders", title=f"{len(report.rows) // len(report.totals)} SKU(s) replayed")
    for r in totals_table(report):
        table.add_row(r["policy"], f"{r['fill_rate']:.1%}", f"{r['cycle_service_level']:.1%}",
                      f"{r['units_backordered']:,}", f"{r['backorder_days']:,}", f"{r['average_inventory']:,.1f}",
                      f"{r['holding_cost']:,.0f}", str(r["orders"]))
    out.print(table)
    if report.skipped:
        out.print(f"skipped (under 120 days of history): {', '.join(report.skipped)}")
    if csv_out is not None:
        write_csv(report.rows, csv_out)
    if report.chart is not None:
        out.print(f"chart: {report.chart}")


def register(app: typer.Typer) -> None:
    app.command()(simulate)
