"""`inden forecast` and `inden plan`: demand forecasts, reorder points and purchase suggestions."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from inden.cli.common import (
    Format,
    JsonOption,
    _,
    answer,
    day,
    fail,
    number,
    optional_day,
    percent,
    print_notes,
    print_table,
    progress_bar,
    run,
    say,
    table,
    user_errors,
    write_csv,
)
from inden.cli.reasons import translate_reason
from inden.cli.words import units
from inden.i18n import N_

DEMAND_CLASSES = {"smooth": N_("steady"), "erratic": N_("erratic"), "intermittent": N_("intermittent"),
                  "lumpy": N_("lumpy")}
plan_app = typer.Typer(help="Replenishment: reorder points and purchase suggestions.", invoke_without_command=True)
FormatOption = Annotated[Format, typer.Option(
    "--format", help="table for people; csv or json for scripts (English field names, see docs/cli.md).")]
SkuOption = Annotated[list[str] | None, typer.Option(help="Only this SKU (repeat).")]
ClusterOption = Annotated[str | None, typer.Option(
    "--cluster", metavar="tcp://HOST:8786",
    help="Run the forecasting on this Dask scheduler (default: INDEN_PLANNING_CLUSTER; none: this machine).")]


CALENDAR_RULES = {
    "lebaran_rush": N_("before Lebaran"), "lebaran": N_("Lebaran"), "idul_adha": N_("Idul Adha"),
    "imlek": N_("Imlek"), "natal": N_("Christmas"), "tahun_baru": N_("New Year"),
    "double_date": N_("double-date sale"), "payday": N_("payday"),
}


def forecast(
    horizon: Annotated[int, typer.Option(min=1, max=366, help="Days ahead.")] = 28,
    sku: SkuOption = None,
    base: Annotated[bool, typer.Option("--base", help="Without the planned events (promotions, launches): the "
                                                      "forecast the events are laid over.")] = False,
    cluster: ClusterOption = None,
    format_: FormatOption = Format.TABLE,
) -> None:
    """Forecast daily demand per SKU: mean and 80 % / 95 % intervals, with the model each SKU got, the shopping
    calendar (Lebaran, 11.11, payday…) and the planned events applied as the plan applies them."""
    from inden.clock import utcnow
    from inden.services.planning.cluster import planning_engine
    from inden.services.planning.snapshot import forecast_snapshot, take_snapshot, with_planned_events

    with progress_bar() as progress:
        def go(db: Any) -> Any:
            snapshot = take_snapshot(db, now=utcnow(), skus=sku)
            if not snapshot.products:
                fail(_("no products to forecast") + (f" ({', '.join(sku)})" if sku else ""))
            with planning_engine(db.settings) as engine:
                made = forecast_snapshot(snapshot, horizon=horizon, engine=engine, progress=progress)
            return made, with_planned_events(snapshot, made)

        result, planned = run(go, settings_update={"planning_cluster": cluster})
    report = result.report
    if base:
        planned = planned.assign(mean=planned["base_mean"], events="")
        for column in ("lo_80", "hi_80", "lo_95", "hi_95"):
            planned[column] = result.paths.sort_values(["unique_id", "ds"], kind="stable")[column].to_numpy()
    paths = planned.merge(report[["unique_id", "model"]], on="unique_id")
    rows = [
        {"sku": r.unique_id, "date": r.ds.date().isoformat(), "mean": round(r.mean, 3),
         "lo_80": round(r.lo_80, 3), "hi_80": round(r.hi_80, 3), "lo_95": round(r.lo_95, 3),
         "hi_95": round(r.hi_95, 3), "model": r.model, "base_mean": round(r.base_mean, 3), "events": r.events}
        for r in paths.sort_values(["unique_id", "ds"]).itertuples()
    ]
    if format_ is Format.CSV:
        write_csv(rows, None)
        return
    if format_ is Format.JSON:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False) + "\n")
        return
    noted = any(r["events"] for r in rows)
    grid = table(_("SKU"), _("Date"), _("Mean"), "80 %", "95 %", _("Model"), *([_("Why")] if noted else []))
    for r in rows:
        why = [_(CALENDAR_RULES[part]) if part in CALENDAR_RULES else part for part in r["events"].split("; ") if part]
        grid.add_row(r["sku"], day(date.fromisoformat(r["date"])), number(r["mean"], digits=2),
                     f"{number(r['lo_80'], digits=1)}–{number(r['hi_80'], digits=1)}",
                     f"{number(r['lo_95'], digits=1)}–{number(r['hi_95'], digits=1)}", r["model"],
                     *([", ".join(why)] if noted else []))
    print_table(grid)
    accuracy = table(_("SKU"), _("Demand"), _("Model"), "MASE", _("Naive MASE"),
                     title=_("Backtest accuracy (lower is better; below naive = the model pays)"))
    for r in report.sort_values("unique_id").itertuples():
        demand = DEMAND_CLASSES.get(str(r.demand_class))
        accuracy.add_row(r.unique_id, _(demand) if demand else str(r.demand_class), r.model, _number(r.mase),
                         _number(r.mase_naive))
    print_table(accuracy)


def _number(value: float) -> str:
    return "–" if value != value else number(value, digits=3)  # NaN: no backtest (a fallback)


@plan_app.callback()
def plan(
    ctx: typer.Context,
    sku: SkuOption = None,
    all_: Annotated[bool, typer.Option("--all", help="Every SKU, not only those to act on.")] = False,
    auto: Annotated[bool | None, typer.Option("--auto/--no-auto",
                                              help="Turn suggestions into purchase orders (default: "
                                                   "INDEN_AUTO_PURCHASE).")] = None,
    csv_out: Annotated[Path | None, typer.Option("--csv", help="Also write the plan as CSV to this file.")] = None,
    cluster: ClusterOption = None,
    format_: FormatOption = Format.TABLE,
) -> None:
    """Without a subcommand: forecast, compute reorder points and store purchase suggestions."""
    if ctx.invoked_subcommand:
        return
    from inden.services.planning.run import plan_rows, run_plan

    with progress_bar() as progress:
        result = run(lambda db: run_plan(db, skus=sku, auto=auto, progress=progress),
                     settings_update={"planning_cluster": cluster})
    rows = plan_rows(result, only_actions=not all_)
    if csv_out is not None:
        write_csv(rows, csv_out)
    if format_ is Format.CSV:
        write_csv(rows, None)
        return
    if format_ is Format.JSON:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False) + "\n")
        return
    if rows:
        _plan_table(rows)
    say(_("%(count)s SKU(s) planned for %(day)s: %(suggestions)s suggestion(s), %(alerts)s new reorder-point "
          "alert(s).", count=len(result.plans), day=day(result.today), suggestions=len(result.suggestions),
          alerts=result.alerts)
        + (" " + _("Purchase order(s) created: %(ids)s.", ids=", ".join(f"#{i}" for i in result.purchase_orders))
           if result.purchase_orders else ""))
    if result.suggestions:
        say(_("Approve one with `inden plan approve ID`."))


def _plan_table(rows: list[dict[str, Any]]) -> None:
    """The plan in 80 columns: the figures in a table, each row's reason as a numbered note below it (in the
    table's order)."""
    grid = table(_("Id"), _("SKU"), _("Position"), _("ROP"), _("Buy"), _("Supplier"), _("Need by"), _("Risk"))
    for r in rows:
        position = r["on_hand"] + r["incoming"] - r["backordered"]
        grid.add_row(str(r["suggestion_id"] or "–"), r["sku"], str(position), f"{r['reorder_point']:.0f}",
                     str(r["suggested_quantity"] or "–"), r["supplier"] or "–",
                     day(date.fromisoformat(r["need_by"])), percent(r["risk"]))
    print_table(grid)
    print_notes([f"{r['sku']}: {translate_reason(r['reason'])}" for r in rows])


@plan_app.command("approve")
def plan_approve(
    suggestion_id: Annotated[int, typer.Argument(help="The suggestion's id (first column of `inden plan`).")],
    quantity: Annotated[int | None, typer.Option(help="Units to order (default: the suggested quantity).")] = None,
    supplier: Annotated[str | None, typer.Option(help="Order from this supplier instead.")] = None,
    expected: Annotated[str | None, typer.Option(metavar="YYYY-MM-DD",
                                                 help="Expected delivery (default: the suggestion's).")] = None,
    draft: Annotated[bool, typer.Option(help="Create a draft purchase order.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Create the purchase order a suggestion proposes."""
    from inden.services.planning.suggestions import approve_suggestion
    from inden.services.schemas.planning import ApproveSuggestion

    expected_at = optional_day(expected)
    with user_errors():
        choice = ApproveSuggestion.model_validate({"quantity": quantity, "supplier": supplier,
                                                   "expected_at": expected_at, "draft": draft})
    suggestion = run(lambda db: approve_suggestion(db, suggestion_id, choice))
    ordered = choice.quantity or suggestion.quantity
    answer(suggestion, lambda: _("Suggestion #%(id)s approved: purchase order #%(po)s for %(units)s of %(sku)s.",
                                 id=suggestion.id, po=suggestion.purchase_order_id, units=units(ordered),
                                 sku=suggestion.sku), as_json=as_json)


@plan_app.command("dismiss")
def plan_dismiss(suggestion_id: Annotated[int, typer.Argument(help="The suggestion's id.")],
                 as_json: JsonOption = False) -> None:
    """Set a suggestion aside."""
    from inden.services.planning.suggestions import dismiss_suggestion

    suggestion = run(lambda db: dismiss_suggestion(db, suggestion_id))
    answer(suggestion, lambda: _("Suggestion #%(id)s dismissed.", id=suggestion.id), as_json=as_json)


def register(app: typer.Typer) -> None:
    app.command()(forecast)
    app.add_typer(plan_app, name="plan")
