"""`inden forecast` and `inden plan`: demand forecasts, reorder points and purchase suggestions."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from inden.cli.common import Format, fail, out, progress_bar, run, show, user_errors, write_csv

plan_app = typer.Typer(help="Replenishment: reorder points and purchase suggestions.", invoke_without_command=True)


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


def register(app: typer.Typer) -> None:
    app.command()(forecast)
    app.add_typer(plan_app, name="plan")
