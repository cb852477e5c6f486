"""`inden events`: promotions, flash sales and launches on the calendar."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from inden.cli.common import out, run, show, user_errors

events_app = typer.Typer(help="Promotions, flash sales and launches.", invoke_without_command=True)


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


def register(app: typer.Typer) -> None:
    app.add_typer(events_app, name="events")
