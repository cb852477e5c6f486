"""`inden webhooks`: the outbox's events over HTTP to the seller's own systems."""

from __future__ import annotations

from typing import Annotated

import typer

from inden.cli.common import (
    JsonOption,
    _,
    answer,
    note_mark,
    print_notes,
    print_table,
    record_id,
    run,
    say,
    show,
    table,
    user_errors,
)
from inden.services.schemas.webhooks import WebhookCreate

webhooks_app = typer.Typer(help="Send the outbox's events to your systems over HTTP (signed).",
                           invoke_without_command=True)
WebhookId = Annotated[int, typer.Argument(callback=record_id, help="The webhook's id (see `inden webhooks`).")]


@webhooks_app.callback()
def list_webhooks(context: typer.Context, as_json: JsonOption = False) -> None:
    """Endpoints, where each stands in the outbox, and their last error."""
    if context.invoked_subcommand is not None:
        return
    from inden.services.webhooks import list_webhooks as listed

    webhooks = run(listed)
    if as_json:
        show(webhooks)
        return
    if not webhooks:
        say(_("No webhooks yet: add one with `inden webhooks add URL`."))
        return
    grid = table(_("Id"), _("URL"), _("Events"), _("Active"), _("Next event"), _("Failures"), _("Last error"))
    errors: list[str] = []
    for w in webhooks:
        grid.add_row(str(w.id), w.url, ", ".join(w.events) if w.events else _("all"),
                     _("yes") if w.active else _("NO"), str(w.next_event_id), str(w.attempts),
                     note_mark(errors, w.last_error))
    print_table(grid)
    print_notes(errors)


@webhooks_app.command("add")
def add(url: Annotated[str, typer.Argument(help="Where to POST the events (http:// or https://).")],
        event: Annotated[list[str] | None, typer.Option(help="Only this event type (repeat).")] = None,
        as_json: JsonOption = False) -> None:
    """Register URL for the events written from now on; prints its signing secret (shown only once)."""
    from inden.services.webhooks import add_webhook

    with user_errors():
        spec = WebhookCreate.model_validate({"url": url, "events": event or None})
    created = run(lambda db: add_webhook(db, spec))
    answer(created, lambda: _("Webhook #%(id)s added for %(url)s. Its signing secret (shown only once): %(secret)s",
                              id=created.id, url=created.url, secret=created.secret), as_json=as_json)


@webhooks_app.command("remove")
def remove(webhook_id: WebhookId) -> None:
    """Stop sending to an endpoint and forget it."""
    from inden.services.webhooks import remove_webhook

    run(lambda db: remove_webhook(db, webhook_id))
    say(_("Webhook #%(id)s removed.", id=webhook_id))


@webhooks_app.command("enable")
def enable(webhook_id: WebhookId, as_json: JsonOption = False) -> None:
    """Restart a disabled endpoint where it stopped."""
    from inden.services.webhooks import enable_webhook

    webhook = run(lambda db: enable_webhook(db, webhook_id))
    answer(webhook, lambda: _("Webhook #%(id)s is active again, from event %(event)s.", id=webhook.id,
                              event=webhook.next_event_id), as_json=as_json)


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
                say(_("webhook %(id)s disabled after failing too long; `inden webhooks enable %(id)s` restarts it",
                      id=webhook_id))
            if once or report.endpoints == 0 or report.failures == report.endpoints:
                break
    finally:
        poster.close()
    if any(totals.values()):
        say(_("webhooks: %(events)s event(s) in %(requests)s request(s), %(failures)s failure(s)", **totals))


def register(app: typer.Typer) -> None:
    app.add_typer(webhooks_app, name="webhooks")
