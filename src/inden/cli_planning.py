"""Planning commands of `inden`: import sales, events, forecast, plan (and its suggestions), simulate."""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from inden.cli import app, err, fail, out, run, show, user_errors

import_app = typer.Typer(help="Bring data in from elsewhere.", no_args_is_help=True)
events_app = typer.Typer(help="Promotions, flash sales and launches.", invoke_without_command=True)
plan_app = typer.Typer(help="Replenishment: reorder points and purchase suggestions.", invoke_without_command=True)
app.add_typer(import_app, name="import")
app.add_typer(events_app, name="events")
app.add_typer(plan_app, name="plan")


class Format(StrEnum):
    TABLE = "table"
    CSV = "csv"
    JSON = "json"


def write_csv(rows: list[dict[str, Any]], target: Path | None) -> None:
    """Rows as CSV to a file, or to stdout when `target` is None."""
    buffer = io.StringIO()
    if rows:
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    if target is None:
        sys.stdout.write(buffer.getvalue())
    else:
        target.write_text(buffer.getvalue(), encoding="utf-8")
        err.print(f"wrote {len(rows)} row(s) to {target}")


@contextmanager
def progress_bar() -> Iterator[Any]:
    """A progress callback `(stage, done, total)` drawing a bar on stderr."""
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, transient=True) as bar:
        tasks: dict[str, Any] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield update


# --- import ------------------------------------------------------------------------------------------


@import_app.command("sales")
def import_sales(
    file: Annotated[Path, typer.Argument(help="CSV with columns date, sku, quantity[, price].")],
    create_products: Annotated[bool, typer.Option(help="Add SKUs the shop does not have yet.")] = False,
) -> None:
    """Import daily sales history; every row is checked first and nothing is written if one is bad."""
    from inden.services.sales_import import import_sales as import_file

    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        fail(f"cannot read {file}: {error}")
    result = run(lambda db: import_file(db, text, create_products=create_products))
    out.print(f"imported {result.rows} row(s): {result.days} SKU-day(s) for {result.skus} SKU(s)"
              + (f"; new products: {', '.join(result.created_products)}" if result.created_products else ""))


# --- events ------------------------------------------------------------------------------------------


@events_app.callback()
def events_list(ctx: typer.Context) -> None:
    """Without a subcommand: every event, with the measured uplift of past ones."""
    if ctx.invoked_subcommand:
        return
    from inden.services.events import list_events

    table = Table("Id", "Name", "Kind", "From", "To", "SKUs", "Expected", "Measured uplift")
    for e in run(list_events):
        expected = f"×{e.uplift:g}" if e.uplift is not None else f"{e.expected_units} units"
        measured = "–" if e.measured_uplift is None else (
            f"×{e.measured_uplift:.2f} ({e.baseline_per_day:.1f} → {e.actual_per_day:.1f}/day)")
        table.add_row(str(e.id), e.name, e.kind, e.starts_on.isoformat(), e.ends_on.isoformat(),
                      ", ".join(e.skus[:5]) + (" …" if len(e.skus) > 5 else ""), expected, measured)
    out.print(table)


@events_app.command("add")
def events_add(
    name: str,
    start: Annotated[str, typer.Option(help="First day, YYYY-MM-DD.")],
    end: Annotated[str, typer.Option(help="Last day, YYYY-MM-DD.")],
    sku: Annotated[list[str], typer.Option(help="An affected SKU (repeat).")],
    uplift: Annotated[float | None, typer.Option(help="Demand multiplier over the window, e.g. 3.")] = None,
    units: Annotated[int | None, typer.Option(help="Units each SKU is expected to sell in the window.")] = None,
    kind: Annotated[str, typer.Option(help="promotion, flash_sale or launch.")] = "promotion",
) -> None:
    """Put an event on the calendar."""
    from inden.services.events import create_event
    from inden.services.schemas import EventCreate

    with user_errors():
        spec = EventCreate.model_validate({"name": name, "kind": kind, "starts_on": start, "ends_on": end,
                                           "skus": sku, "uplift": uplift, "expected_units": units})
    show(run(lambda db: create_event(db, spec)))


@events_app.command("remove")
def events_remove(event_id: int) -> None:
    """Take an event off the calendar."""
    from inden.services.events import delete_event

    run(lambda db: delete_event(db, event_id))
    out.print(f"event {event_id} removed")


# --- forecast ----------------------------------------------------------------------------------------


@app.command()
def forecast(
    horizon: Annotated[int, typer.Option(min=1, max=366, help="Days ahead.")] = 28,
    sku: Annotated[list[str] | None, typer.Option(help="Only this SKU (repeat).")] = None,
    format_: Annotated[Format, typer.Option("--format")] = Format.TABLE,
) -> None:
    """Forecast daily demand per SKU: mean and 80 % / 95 % intervals, with the model each SKU got."""
    from inden.clock import utcnow
    from inden.services.planning import forecast_snapshot, take_snapshot

    with progress_bar() as progress:
        def go(db: Any) -> Any:
            snapshot = take_snapshot(db, now=utcnow(), skus=sku)
            if not snapshot.products:
                fail("no products to forecast" + (f" (no SKU {', '.join(sku)})" if sku else ""))
            return forecast_snapshot(snapshot, horizon=horizon, progress=progress)

        result = run(go)
    report = result.report
    paths = result.paths.merge(report[["unique_id", "model"]], on="unique_id")
    rows = [
        {"sku": r.unique_id, "date": r.ds.date().isoformat(), "mean": round(r.mean, 3),
         "lo_80": round(r.lo_80, 3), "hi_80": round(r.hi_80, 3), "lo_95": round(r.lo_95, 3),
         "hi_95": round(r.hi_95, 3), "model": r.model}
        for r in paths.sort_values(["unique_id", "ds"]).itertuples()
    ]
    if format_ is Format.CSV:
        write_csv(rows, None)
    elif format_ is Format.JSON:
        import json

        sys.stdout.write(json.dumps(rows, ensure_ascii=False) + "\n")
    else:
        table = Table("SKU", "Date", "Mean", "80 %", "95 %", "Model")
        for r in rows:
            table.add_row(r["sku"], r["date"], f"{r['mean']:.2f}", f"{r['lo_80']:.1f}–{r['hi_80']:.1f}",
                          f"{r['lo_95']:.1f}–{r['hi_95']:.1f}", r["model"])
        out.print(table)
        accuracy = Table("SKU", "Demand", "Model", "MASE", "Seasonal naive MASE", "Fallback",
                         title="Backtest accuracy (lower is better; below seasonal naive = the model pays)")
        for r in report.sort_values("unique_id").itertuples():
            accuracy.add_row(r.unique_id, str(r.demand_class), r.model, _number(r.mase), _number(r.mase_naive),
                             r.fallback or "")
        out.print(accuracy)


def _number(value: float) -> str:
    return "–" if value != value else f"{value:.3f}"  # NaN: no backtest (a fallback)


# --- plan --------------------------------------------------------------------------------------------


@plan_app.callback()
def plan(
    ctx: typer.Context,
    sku: Annotated[list[str] | None, typer.Option(help="Only this SKU (repeat).")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Every SKU, not only those to act on.")] = False,
    auto: Annotated[bool | None, typer.Option("--auto/--no-auto",
                                              help="Turn suggestions into purchase orders (default: "
                                                   "INDEN_AUTO_PURCHASE).")] = None,
    csv_out: Annotated[Path | None, typer.Option("--csv", help="Also write the plan as CSV to this file.")] = None,
    format_: Annotated[Format, typer.Option("--format", help="table or csv (csv to stdout).")] = Format.TABLE,
) -> None:
    """Without a subcommand: forecast, compute reorder points and store purchase suggestions."""
    if ctx.invoked_subcommand:
        return
    from inden.services.planning import plan_rows, run_plan

    with progress_bar() as progress:
        result = run(lambda db: run_plan(db, skus=sku, auto=auto, progress=progress))
    rows = plan_rows(result, only_actions=not all_)
    if csv_out is not None:
        write_csv(rows, csv_out)
    if format_ is Format.CSV:
        write_csv(rows, None)
        return
    table = Table("SKU", "On hand", "Incoming", "Backord.", "Lead-time fc", "Safety", "ROP", "Suggest", "Supplier",
                  "Need by", "Risk", "Id", "Reason")
    for r in rows:
        table.add_row(r["sku"], str(r["on_hand"]), str(r["incoming"]), str(r["backordered"]),
                      f"{r['forecast_lead_time']:.1f}", f"{r['safety_stock']:.1f}", f"{r['reorder_point']:.1f}",
                      str(r["suggested_quantity"] or "–"), r["supplier"] or "–", r["need_by"], f"{r['risk']:.0%}",
                      str(r["suggestion_id"]), r["reason"])
    out.print(table)
    out.print(f"{len(result.plans)} SKU(s) planned for {result.today.isoformat()}: {len(result.suggestions)} "
              f"suggestion(s), {result.alerts} new reorder-point alert(s)"
              + (f", purchase order(s) {', '.join(map(str, result.purchase_orders))} created"
                 if result.purchase_orders else ""))


@plan_app.command("approve")
def plan_approve(
    suggestion_id: int,
    quantity: int | None = None,
    supplier: str | None = None,
    expected: Annotated[str | None, typer.Option(help="YYYY-MM-DD (default: the suggestion's).")] = None,
    draft: Annotated[bool, typer.Option(help="Create a draft purchase order.")] = False,
) -> None:
    """Create the purchase order a suggestion proposes."""
    from inden.services.planning import approve_suggestion
    from inden.services.schemas import ApproveSuggestion

    with user_errors():
        choice = ApproveSuggestion.model_validate({"quantity": quantity, "supplier": supplier,
                                                   "expected_at": expected, "draft": draft})
    show(run(lambda db: approve_suggestion(db, suggestion_id, choice)))


@plan_app.command("dismiss")
def plan_dismiss(suggestion_id: int) -> None:
    """Set a suggestion aside."""
    from inden.services.planning import dismiss_suggestion

    show(run(lambda db: dismiss_suggestion(db, suggestion_id)))



# --- simulate ----------------------------------------------------------------------------------------


@app.command()
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

    text = None
    if from_csv is not None:
        try:
            text = from_csv.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            fail(f"cannot read {from_csv}: {error}")
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
