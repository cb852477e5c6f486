"""`inden webhooks`: the outbox's events over HTTP to the seller's own systems."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from inden.cli.common import out, run, show, user_errors
from inden.services.schemas import WebhookCreate

webhooks_app = typer.Typer(help="Send the outbox's events to your systems over HTTP (signed).",
                           invoke_without_command=True)


@webhooks_app.callback()
def list_webhooks(context: typer.Context) -> None:
    """Endpoints, where each stands in the outbox, and their last error."""
    if context.invoked_subcommand is not None:
        return
    from inden.services.webhooks import list_webhooks as listed

    table = Table("id", "url", "events", "active", "next event", "failures", "last error")
    for w in run(listed):
        table.add_row(str(w.id), w.url, ", ".join(w.events) if w.events else "all", "yes" if w.active else "NO",
                      str(w.next_event_id), str(w.attempts), w.last_error or "")
    out.print(table)


@webhooks_app.command("add")
def add(url: str, event: Annotated[list[str] | None, typer.Option(help="Only this event type (repeat).")] = None,
        ) -> None:
    """Register URL for the events written from now on; prints its signing secret (shown only once)."""
    from inden.services.webhooks import add_webhook

    with user_errors():
        spec = WebhookCreate.model_validate({"url": url, "events": event or None})
    show(run(lambda db: add_webhook(db, spec)))


@webhooks_app.command("remove")
def remove(webhook_id: int) -> None:
    from inden.services.webhooks import remove_webhook

    run(lambda db: remove_webhook(db, webhook_id))
    out.print(f"webhook {webhook_id} removed")


@webhooks_app.command("enable")
def enable(webhook_id: int) -> None:
    """Restart a disabled endpoint where it stopped."""
    from inden.services.webhooks import enable_webhook

    show(run(lambda db: enable_webhook(db, webhook_id)))


@webhooks_app.command("send")
def send(once: Annotated[bool, typer.Option(help="One round only.")] = False) -> None:
    """Post due events to every endpoint until they are all up to date (the worker does it each tick)."""
    send_due(once=once)


def send_due(*, once: bool = False) -> None:
    """Rounds until no endpoint has a due event (shared with `inden worker`)."""
    from inden.services.webhooks import HttpPoster, send_webhooks

    poster = HttpPoster()
    totals = {"requests": 0, "events": 0, "failures": 0}
    try:
        while True:
            report = run(lambda db: send_webhooks(db, poster))
            for key in totals:
                totals[key] += getattr(report, key)
            for webhook_id in report.disabled:
                out.print(f"[red]webhook {webhook_id} disabled[/] after failing too long; "
                          f"`inden webhooks enable {webhook_id}` restarts it")
            if once or report.endpoints == 0 or report.failures == report.endpoints:
                break
    finally:
        poster.close()
    if any(totals.values()):
        out.print(f"webhooks: {totals['events']} event(s) in {totals['requests']} request(s), "
                  f"{totals['failures']} failure(s)")


def register(app: typer.Typer) -> None:
    app.add_typer(webhooks_app, name="webhooks")
