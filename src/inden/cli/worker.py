"""`inden worker`: the background duties on a timer (the schedule itself is `services.worker`).

A duty that fails is logged and retried with backoff while the others go on; a tick that cannot even reach
the database waits longer each time (up to an hour) and tries again, so a database restart does not end the
worker. SIGTERM (or Ctrl-C) lets the duty in progress finish, then the worker exits 0.
"""

from __future__ import annotations

import logging
import signal
import threading
from functools import partial
from typing import Annotated, Any

import typer

from inden.cli.common import _, err, run, say
from inden.cli.delivery import deliver_due
from inden.cli.planning import ClusterOption
from inden.cli.webhooks import send_due
from inden.cli.words import units
from inden.config import get_settings
from inden.i18n import N_

log = logging.getLogger("inden.worker")
LONGEST_PAUSE = 3600.0  # seconds between tries while the database cannot be reached, at most


def worker(once: Annotated[bool, typer.Option(help="One round of duties, then exit (1 if a duty failed).")] = False,
           interval: Annotated[float, typer.Option(min=1, help="Seconds between rounds.")] = 60.0,
           plan: Annotated[bool, typer.Option(help="Run the replenishment plan once per shop day.")] = True,
           deliver: Annotated[bool, typer.Option(
               help="Each tick, email the outbox (if INDEN_SMTP_URL is set) and post it to the webhooks.")] = True,
           audit: Annotated[bool, typer.Option(
               help="Audit the invariants hourly and alert the seller (INDEN_SELLER_EMAIL) on drift.")] = True,
           cluster: ClusterOption = None,
           ) -> None:
    """Background duties on a timer: release pre-orders whose date has come; rank best sellers and audit the
    invariants hourly; plan replenishment daily; email the outbox and post it to the webhooks."""
    from inden.logs import configure_logging
    from inden.services.worker import WorkerSchedule

    settings = get_settings()
    configure_logging(format=settings.log_format, level=settings.log_level, locale=settings.default_locale)
    stop = threading.Event()

    def ask_to_stop(signum: int, _frame: Any) -> None:
        log.info(N_("worker stopping after the current duty (signal %s)"), signum)
        stop.set()

    # Restored on the way out: a process that runs the worker in-process (a test) must not keep a SIGTERM that
    # only sets a flag — its forked children would then ignore being terminated.
    previous = {sig: signal.signal(sig, ask_to_stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    log.info(N_("worker started: a round every %s s; SIGTERM stops it after the current duty"), f"{interval:g}")
    try:
        _loop(stop, WorkerSchedule(plan=plan, deliver=deliver, audit=audit, email=bool(settings.smtp_url)),
              once=once, interval=interval, cluster=cluster)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _loop(stop: threading.Event, schedule: Any, *, once: bool, interval: float, cluster: str | None) -> None:
    from inden.clock import utcnow
    from inden.services.worker import Duty, run_tick

    unreachable = 0
    while not stop.is_set():
        now = utcnow()
        try:
            tick = run(partial(run_tick, schedule=schedule, now=now), settings_update={"planning_cluster": cluster})
        except Exception as error:  # noqa: BLE001 - no database now is no reason to stop for good
            unreachable += 1
            pause = min(interval * 2 ** (unreachable - 1), LONGEST_PAUSE)
            log.error(N_("worker tick failed (%s in a row); next try in %s s"), unreachable, int(pause), exc_info=error,
                      extra={"failures": unreachable, "retry_in_s": int(pause)})
            if once:
                raise typer.Exit(1) from None
            stop.wait(pause)
            continue
        unreachable = 0
        _report(tick)
        if Duty.EMAIL in tick.due and not stop.is_set():
            schedule.attempt(Duty.EMAIL, deliver_due, now=now)
        if Duty.WEBHOOKS in tick.due and not stop.is_set():
            schedule.attempt(Duty.WEBHOOKS, send_due, now=now)
        if once:
            if schedule.retry_at:
                raise typer.Exit(1)
            return
        stop.wait(interval)
    say(_("worker stopped"))


def _report(tick: Any) -> None:
    for sku, count in tick.released.items():
        say(_("%(sku)s launched: %(units)s allocated to waiting pre-orders.", sku=sku, units=units(count)))
    if tick.told:
        say(_("back in stock: %(count)s sign-up(s) told in this wave", count=tick.told))
    if (result := tick.plan) is not None:
        say(_("planned %(count)s SKU(s): %(suggestions)s suggestion(s), %(alerts)s alert(s), %(orders)s purchase "
              "order(s)", count=len(result.plans), suggestions=len(result.suggestions), alerts=result.alerts,
              orders=len(result.purchase_orders)))
    if (report := tick.audit) is not None and not report.ok:
        err.print(_("audit FAILED: %(count)s problem(s); the seller is alerted", count=len(report.problems)),
                  highlight=False, markup=False)


def register(app: typer.Typer) -> None:
    app.command()(worker)
