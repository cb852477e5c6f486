"""`inden worker`: the background duties on a timer (the schedule itself is `services.worker`)."""

from __future__ import annotations

import time
from typing import Annotated

import typer

from inden.cli.common import _, run, say
from inden.cli.delivery import deliver_due
from inden.cli.planning import ClusterOption
from inden.cli.webhooks import send_due
from inden.cli.words import units
from inden.config import get_settings


def worker(once: Annotated[bool, typer.Option(help="One round of duties, then exit.")] = False,
           interval: Annotated[float, typer.Option(min=1, help="Seconds between rounds.")] = 60.0,
           plan: Annotated[bool, typer.Option(help="Run the replenishment plan once per shop day.")] = True,
           deliver: Annotated[bool, typer.Option(
               help="Each tick, email the outbox (if INDEN_SMTP_URL is set) and post it to the webhooks.")] = True,
           cluster: ClusterOption = None,
           ) -> None:
    """Background duties on a timer: release pre-orders whose date has come; rank best sellers hourly; plan
    replenishment daily; email the outbox and post it to the webhooks."""
    from inden.clock import utcnow
    from inden.services.worker import Duty, WorkerSchedule, run_tick

    schedule = WorkerSchedule(plan=plan, deliver=deliver, email=bool(get_settings().smtp_url))
    while True:
        tick = run(lambda db: run_tick(db, schedule, now=utcnow()), settings_update={"planning_cluster": cluster})
        for sku, count in tick.released.items():
            say(_("%(sku)s launched: %(units)s allocated to waiting pre-orders.", sku=sku, units=units(count)))
        if tick.told:
            say(_("back in stock: %(count)s sign-up(s) told in this wave", count=tick.told))
        if (result := tick.plan) is not None:
            say(_("planned %(count)s SKU(s): %(suggestions)s suggestion(s), %(alerts)s alert(s), %(orders)s purchase "
                  "order(s)", count=len(result.plans), suggestions=len(result.suggestions), alerts=result.alerts,
                  orders=len(result.purchase_orders)))
        if Duty.EMAIL in tick.due:
            deliver_due()
        if Duty.WEBHOOKS in tick.due:
            send_due()
        if once:
            return
        time.sleep(interval)


def register(app: typer.Typer) -> None:
    app.command()(worker)
