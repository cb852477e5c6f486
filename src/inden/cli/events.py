"""`inden events`: promotions, flash sales and launches on the calendar."""

from __future__ import annotations

from typing import Annotated

import typer

from inden.cli.common import (
    JsonOption,
    _,
    answer,
    day,
    parse_day,
    print_table,
    record_id,
    run,
    say,
    show,
    table,
    user_errors,
)
from inden.i18n import N_

events_app = typer.Typer(help="Promotions, flash sales and launches.", invoke_without_command=True)
KINDS = {"promotion": N_("promotion"), "flash_sale": N_("flash sale"), "launch": N_("launch")}


@events_app.callback()
def events_list(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Without a subcommand: every event, with the measured uplift of past ones."""
    if ctx.invoked_subcommand:
        return
    from inden.services.events import list_events

    events = run(list_events)
    if as_json:
        show(events)
        return
    if not events:
        say(_("No events on the calendar."))
        return
    grid = table(_("Id"), _("Name"), _("Kind"), _("From"), _("To"), _("SKUs"), _("Expected"), _("Measured"))
    for e in events:
        expected = f"×{e.uplift:g}" if e.uplift is not None else _("%(count)s units", count=e.expected_units)
        measured = "–" if e.measured_uplift is None else f"×{e.measured_uplift:.2f}"
        grid.add_row(str(e.id), e.name, _(KINDS[e.kind]), day(e.starts_on), day(e.ends_on),
                     ", ".join(e.skus[:3]) + (" …" if len(e.skus) > 3 else ""), expected, measured)
    print_table(grid)


@events_app.command("add")
def events_add(
    name: Annotated[str, typer.Argument(help="What it is called, e.g. \"Harbolnas 12.12\".")],
    start: Annotated[str, typer.Option(metavar="YYYY-MM-DD", help="First day.")],
    end: Annotated[str, typer.Option(metavar="YYYY-MM-DD", help="Last day.")],
    sku: Annotated[list[str], typer.Option(help="An affected SKU (repeat).")],
    uplift: Annotated[float | None, typer.Option(help="Demand multiplier over the window, e.g. 3.")] = None,
    units: Annotated[int | None, typer.Option(help="Units each SKU is expected to sell in the window.")] = None,
    kind: Annotated[str, typer.Option(help="promotion, flash_sale or launch.")] = "promotion",
    as_json: JsonOption = False,
) -> None:
    """Put an event on the calendar; forecasts and the plan expect its extra demand."""
    from inden.services.events import create_event
    from inden.services.schemas.planning import EventCreate

    starts_on, ends_on = parse_day(start), parse_day(end)
    with user_errors():
        spec = EventCreate.model_validate({"name": name, "kind": kind, "starts_on": starts_on, "ends_on": ends_on,
                                           "skus": sku, "uplift": uplift, "expected_units": units})
    event = run(lambda db: create_event(db, spec))
    answer(event, lambda: _("Event #%(id)s %(name)s: %(start)s to %(end)s, %(count)s SKU(s).", id=event.id,
                            name=event.name, start=day(event.starts_on), end=day(event.ends_on),
                            count=len(event.skus)), as_json=as_json)


@events_app.command("remove")
def events_remove(event_id: Annotated[int, typer.Argument(
        callback=record_id, help="The event's id (see `inden events`).")]) -> None:
    """Take an event off the calendar."""
    from inden.services.events import delete_event

    run(lambda db: delete_event(db, event_id))
    say(_("Event #%(id)s removed.", id=event_id))


def register(app: typer.Typer) -> None:
    app.add_typer(events_app, name="events")
