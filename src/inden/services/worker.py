"""The background worker's schedule: which duties are due on a tick, and the tick that runs them.

Releasing due pre-orders, the next back-in-stock waves and delivering the outbox run on every tick; ranking best
sellers once an hour; the replenishment plan once per shop day (the first tick after midnight in the shop's
timezone).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from inden.clock import shop_date
from inden.db.session import Database
from inden.services.planning.run import PlanRun, run_plan
from inden.services.preorders import release_due
from inden.services.storefront import refresh_best_sellers
from inden.services.subscriptions import send_due_waves

RANKING_INTERVAL = timedelta(hours=1)


class Duty(StrEnum):
    RELEASE = "release"  # pre-orders whose date has come
    RANK = "rank"  # best-seller labels
    PLAN = "plan"  # replenishment suggestions
    EMAIL = "email"  # the outbox to the mail server
    WEBHOOKS = "webhooks"  # the outbox to the seller's endpoints


@dataclass
class WorkerSchedule:
    """What a worker runs and when it last ran the duties that are not due on every tick.

    `plan` and `deliver` are the worker's switches; `email` says whether a mail server is configured.
    """

    plan: bool = True
    deliver: bool = True
    email: bool = False
    rank_every: timedelta = RANKING_INTERVAL
    planned_on: date | None = None
    ranked_at: datetime | None = None

    def due(self, *, now: datetime, today: date) -> list[Duty]:
        """The duties to run at `now` (`today` is the shop's date at `now`), in the order they run."""
        duties = [Duty.RELEASE]
        if self.ranked_at is None or now - self.ranked_at >= self.rank_every:
            duties.append(Duty.RANK)
        if self.plan and self.planned_on != today:
            duties.append(Duty.PLAN)
        if self.deliver and self.email:
            duties.append(Duty.EMAIL)
        if self.deliver:
            duties.append(Duty.WEBHOOKS)
        return duties


@dataclass
class Tick:
    """What one tick did. Delivery duties are left to the caller, who holds the transports."""

    due: list[Duty]
    released: dict[str, int] = field(default_factory=dict)
    told: int = 0  # back-in-stock emails of the waves that came due
    best_sellers: set[str] | None = None
    plan: PlanRun | None = None


def run_tick(db: Database, schedule: WorkerSchedule, *, now: datetime) -> Tick:
    """Run the database duties due at `now` (releases, ranking, planning) and note them in `schedule`."""
    today = shop_date(now, db.settings.timezone)
    tick = Tick(due=schedule.due(now=now, today=today))
    tick.released = release_due(db, now=now)
    tick.told = send_due_waves(db, now=now)
    if Duty.RANK in tick.due:
        tick.best_sellers = refresh_best_sellers(db, now=now)
        schedule.ranked_at = now
    if Duty.PLAN in tick.due:
        tick.plan = run_plan(db, now=now)
        schedule.planned_on = today
    return tick
