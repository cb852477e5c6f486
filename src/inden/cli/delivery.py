"""Email delivery commands of `inden`: deliver the outbox, look at it, retry what failed.

The mail server is `INDEN_SMTP_URL` (see docs/notifications.md); `inden worker` also delivers on each tick.
"""

from __future__ import annotations

from typing import Annotated

import typer

from inden.cli.common import _, err, fail, moment, note_mark, print_notes, print_table, run, say, table, user_errors
from inden.config import get_settings

outbox_app = typer.Typer(help="The outbox: events waiting to be emailed, and failed ones.",
                         invoke_without_command=True)


@outbox_app.callback()
def outbox_list(ctx: typer.Context,
                failed: Annotated[bool, typer.Option("--failed", help="Show failed events instead.")] = False,
                limit: Annotated[int, typer.Option(min=1, max=10_000, help="Show at most this many.")] = 100
                ) -> None:
    """Without a subcommand: undelivered events (the failed ones with --failed), oldest first."""
    if ctx.invoked_subcommand:
        return
    from inden.services.delivery import list_outbox

    entries = run(lambda db: list_outbox(db, failed=failed, limit=limit))
    if entries:
        grid = table(_("Id"), _("Type"), _("Created"), _("Attempts"), _("Failed") if failed else _("Next attempt"),
                     _("Last error"))
        errors: list[str] = []
        for e in entries:
            grid.add_row(str(e.id), e.event_type, moment(e.created_at), str(e.attempts),
                         moment(e.failed_at if failed else e.next_attempt_at), note_mark(errors, e.last_error))
        print_table(grid)
        print_notes(errors)
    say((_("%(count)s failed event(s)", count=len(entries)) if failed
         else _("%(count)s pending event(s)", count=len(entries)))
        + (" " + _("(first %(limit)s)", limit=limit) if len(entries) == limit else ""))


@outbox_app.command("retry")
def outbox_retry(
    event_ids: Annotated[list[int] | None, typer.Argument(help="Ids of failed events.")] = None,
    all_failed: Annotated[bool, typer.Option("--all-failed", help="Every failed event.")] = False,
) -> None:
    """Give failed events one more attempt (after fixing what made them fail)."""
    from inden.services.delivery import retry_failed

    if bool(event_ids) == all_failed:
        fail(_("name the failed events to retry (inden outbox retry 12 13) or use --all-failed"))
    queued = run(lambda db: retry_failed(db, event_ids or [], all_failed=all_failed))
    say(_("%(count)s event(s) queued for another attempt", count=queued))


def deliver_due(*, once: bool = False) -> bool:
    """Deliver rounds until nothing is due (one round with `once`), printing what happened.

    Returns False when the mail server could not be used (the message is on stderr). Shared with `worker`.
    """
    from inden.notify.smtp import SmtpMailer
    from inden.notify.whatsapp import CloudApiSender
    from inden.services.delivery import deliver_outbox

    url = get_settings().smtp_url
    if not url:
        fail(_("INDEN_SMTP_URL is not set: say where to send email, e.g. %(example)s",
               example="INDEN_SMTP_URL=smtp+starttls://user:password@smtp.example.com:587"))
    with user_errors():
        try:
            mailer = SmtpMailer.from_url(url)
        except ValueError as error:
            fail(f"INDEN_SMTP_URL: {error}")
    totals = {"sent": 0, "emails": 0, "whatsapp": 0, "skipped": 0, "retried": 0, "failed": 0}
    chat = CloudApiSender.from_settings(get_settings())  # None unless INDEN_WHATSAPP_TOKEN and _PHONE_NUMBER_ID
    with mailer:
        while True:
            report = run(lambda db: deliver_outbox(db, mailer, whatsapp=chat))
            for key in totals:
                totals[key] += getattr(report, key)
            if once or report.unavailable or report.claimed == 0:
                break
    if chat is not None:
        chat.close()
    if any(totals.values()):
        say(_("delivered %(sent)s event(s) in %(emails)s email(s); %(skipped)s skipped, %(retried)s to retry, "
              "%(failed)s failed", **totals))
    if totals["whatsapp"]:
        say(_("%(count)s WhatsApp message(s) sent", count=totals["whatsapp"]))
    if report.unavailable:
        err.print(_("mail server unavailable: %(reason)s", reason=report.unavailable), highlight=False, markup=False)
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
    """Delete old events that are emailed (or given up on) and posted to every active webhook, and order-page links
    that expired with their order."""
    from datetime import timedelta

    from inden.services.retention import prune_order_links, prune_outbox

    pruned = run(lambda db: prune_outbox(db, older_than=timedelta(days=older_than), unemailed=unemailed))
    say(_("%(count)s event(s) deleted", count=pruned))
    links = run(lambda db: prune_order_links(db))
    if links:
        say(_("%(count)s expired order link(s) deleted", count=links))


def register(app: typer.Typer) -> None:
    app.add_typer(outbox_app, name="outbox")
    app.command()(deliver)
