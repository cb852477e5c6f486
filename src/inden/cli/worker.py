"""`inden worker`: the background duties on a timer (the schedule itself is `services.worker`)."""

from __future__ import annotations

import time
from typing import Annotated

import typer

from inden.cli.common import out, run
from inden.cli.delivery import deliver_due
from inden.cli.webhooks import send_due
from inden.config import get_settings


def worker(once: bool = False, interval: Annotated[float, typer.Option(min=1)] = 60.0,
           plan: Annotated[bool, typer.Option(help="Run the replenishment plan once per shop day.")] = True,
           deliver: Annotated[bool, typer.Option(
               help="Each tick, email the outbox (if INDEN_SMTP_URL is set) and post it to the webhooks.")] = True,
           ) -> None:
    """Background duties on a timer: release pre-orders whose date has come; rank best sellers hourly; plan
    replenishment daily; email the outbox and post it to the webhooks."""
    from inden.clock import utcnow
    from inden.services.worker import Duty, WorkerSchedule, run_tick

    schedule = WorkerSchedule(plan=plan, deliver=deliver, email=bool(get_settings().smtp_url))
    while True:
        tick = run(lambda db: run_tick(db, schedule, now=utcnow()))
        for sku, units in tick.released.items():
            out.print(f"released {sku}: {units} unit(s) allocated")
        if (result := tick.plan) is not None:
            out.print(f"planned {len(result.plans)} SKU(s): {len(result.suggestions)} suggestion(s), "
                      f"{result.alerts} alert(s), {len(result.purchase_orders)} purchase order(s)")
        if Duty.EMAIL in tick.due:
            deliver_due()
        if Duty.WEBHOOKS in tick.due:
            send_due()
        if once:
            return
        time.sleep(interval)


def register(app: typer.Typer) -> None:
    app.command()(worker)
