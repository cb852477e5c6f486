"""Email delivery commands of `inden`: deliver the outbox, look at it, retry what failed.

The mail server is `INDEN_SMTP_URL` (see docs/notifications.md); `inden worker` also delivers on each tick.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from inden.cli.common import err, fail, out, run, user_errors
from inden.config import get_settings

outbox_app = typer.Typer(help="The outbox: events waiting to be emailed, and failed ones.",
                         invoke_without_command=True)


def _moment(value: object) -> str:
    return "–" if value is None else f"{value:%Y-%m-%d %H:%M:%S}"


@outbox_app.callback()
def outbox_list(ctx: typer.Context,
                failed: Annotated[bool, typer.Option("--failed", help="Show failed events instead.")] = False,
                limit: Annotated[int, typer.Option(min=1, max=10_000)] = 100) -> None:
    """Without a subcommand: undelivered events (the failed ones with --failed), oldest first."""
    if ctx.invoked_subcommand:
        return
    from inden.services.delivery import list_outbox

    entries = run(lambda db: list_outbox(db, failed=failed, limit=limit))
    table = Table("Id", "Type", "Created (UTC)", "Attempts", "Failed (UTC)" if failed else "Next attempt (UTC)",
                  "Last error")
    for e in entries:
        table.add_row(str(e.id), e.event_type, _moment(e.created_at), str(e.attempts),
                      _moment(e.failed_at if failed else e.next_attempt_at), e.last_error or "")
    out.print(table)
    out.print(f"{len(entries)} {'failed' if failed else 'pending'} event(s)"
              + (f" (first {limit})" if len(entries) == limit else ""))


@outbox_app.command("retry")
def outbox_retry(
    event_ids: Annotated[list[int] | None, typer.Argument(help="Ids of failed events.")] = None,
    all_failed: Annotated[bool, typer.Option("--all-failed", help="Every failed event.")] = False,
) -> None:
    """Give failed events one more attempt (after fixing what made them fail)."""
    from inden.services.delivery import retry_failed

    if bool(event_ids) == all_failed:
        fail("name the failed events to retry (inden outbox retry 12 13) or use --all-failed")
    queued = run(lambda db: retry_failed(db, event_ids or [], all_failed=all_failed))
    out.print(f"{queued} event(s) queued for another attempt")


def deliver_due(*, once: bool = False) -> bool:
    """Deliver rounds until nothing is due (one round with `once`), printing what happened.

    Returns False when the mail server could not be used (the message is on stderr). Shared with `worker`.
    """
    from inden.notify.email import SmtpMailer
    from inden.services.delivery import deliver_outbox

    url = get_settings().smtp_url
    if not url:
        fail("INDEN_SMTP_URL is not set: say where to send email, e.g. "
             "INDEN_SMTP_URL=smtp+starttls://user:password@smtp.example.com:587")
    with user_errors():
        try:
            mailer = SmtpMailer.from_url(url)
        except ValueError as error:
            fail(f"INDEN_SMTP_URL: {error}")
    totals = {"sent": 0, "emails": 0, "skipped": 0, "retried": 0, "failed": 0}
    with mailer:
        while True:
            report = run(lambda db: deliver_outbox(db, mailer))
            for key in totals:
                totals[key] += getattr(report, key)
            if once or report.unavailable or report.claimed == 0:
                break
    if any(totals.values()):
        out.print(f"delivered {totals['sent']} event(s) in {totals['emails']} email(s); {totals['skipped']} "
                  f"skipped, {totals['retried']} to retry, {totals['failed']} failed")
    if report.unavailable:
        err.print(f"[bold red]mail server unavailable:[/] {report.unavailable}", highlight=False)
        return False
    return True


def deliver(once: Annotated[bool, typer.Option(help="One batch only.")] = False) -> None:
    """Email the outbox's due events (INDEN_SMTP_URL) until nothing is due; exit 1 if the server is unavailable."""
    if not deliver_due(once=once):
        raise typer.Exit(1)


@outbox_app.command("prune")
def outbox_prune(
    older_than: Annotated[int, typer.Option(min=1, help="Days: delete settled events older than this.")] = 30,
    unemailed: Annotated[bool, typer.Option(help="Also events never emailed (a shop without email).")] = False,
) -> None:
    """Delete old events that are emailed (or given up on) and posted to every active webhook."""
    from datetime import timedelta

    from inden.services.retention import prune_outbox

    pruned = run(lambda db: prune_outbox(db, older_than=timedelta(days=older_than), unemailed=unemailed))
    out.print(f"{pruned} event(s) deleted")


def register(app: typer.Typer) -> None:
    app.add_typer(outbox_app, name="outbox")
    app.command()(deliver)
