"""The background worker's schedule: which duties are due on a tick, and the tick that runs them.

Releasing due pre-orders, the next back-in-stock waves, expanding bulk outbox rows and delivering the outbox run
on every tick; ranking best sellers and the audit of the invariants once an hour (drift is an `audit.failed` alert
to the seller); the replenishment plan once per shop day (the first tick after midnight in the shop's timezone).

Duties are isolated: one that raises is logged and waits 30 s, 1, 2, 4 … minutes (at most an hour) before
it is tried again, while the others go on (`WorkerSchedule.attempt`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import TypeVar

from inden.clock import shop_date
from inden.db.session import Database
from inden.i18n import N_
from inden.services.audit import AuditReport, alert_on_drift, verify
from inden.services.delivery import expand_outbox
from inden.services.planning.run import PlanRun, run_plan
from inden.services.preorders import release_due
from inden.services.storefront import refresh_best_sellers
from inden.services.subscriptions import send_due_waves

RANKING_INTERVAL = timedelta(hours=1)
AUDIT_INTERVAL = timedelta(hours=1)
FIRST_RETRY = timedelta(seconds=30)  # after a duty's first failure; doubling up to LAST_RETRY
LAST_RETRY = timedelta(hours=1)
log = logging.getLogger("inden.worker")
T = TypeVar("T")


class Duty(StrEnum):
    RELEASE = "release"  # pre-orders whose date has come
    WAVES = "waves"  # the next back-in-stock waves (services.subscriptions)
    EVENTS = "events"  # bulk outbox rows into one row per event (services.delivery.expand_outbox)
    RANK = "rank"  # best-seller labels
    PLAN = "plan"  # replenishment suggestions
    EMAIL = "email"  # the outbox to the mail server
    WEBHOOKS = "webhooks"  # the outbox to the seller's endpoints
    AUDIT = "audit"  # the invariants and the ledger's chains; drift alerts the seller


@dataclass
class WorkerSchedule:
    """What a worker runs and when it last ran the duties that are not due on every tick.

    `plan` and `deliver` are the worker's switches; `email` says whether a mail server is configured.
    """

    plan: bool = True
    deliver: bool = True
    email: bool = False
    audit: bool = True
    rank_every: timedelta = RANKING_INTERVAL
    audit_every: timedelta = AUDIT_INTERVAL
    planned_on: date | None = None
    ranked_at: datetime | None = None
    audited_at: datetime | None = None
    failures: dict[Duty, int] = field(default_factory=dict)  # failures in a row, per failing duty
    retry_at: dict[Duty, datetime] = field(default_factory=dict)

    def due(self, *, now: datetime, today: date) -> list[Duty]:
        """The duties to run at `now` (`today` is the shop's date at `now`), in the order they run; a duty
        backing off after a failure is left out until its retry time."""
        return [duty for duty in self._scheduled(now=now, today=today)
                if (retry := self.retry_at.get(duty)) is None or retry <= now]

    def attempt(self, duty: Duty, action: Callable[[], T], *, now: datetime) -> T | None:
        """Run one duty's `action`; if it raises, log it, back off that duty (30 s, 1, 2, 4 … min, at most an
        hour) and return None, so that the tick's other duties still run."""
        try:
            result = action()
        except Exception as error:  # noqa: BLE001 - any failure of one duty must not stop the others
            count = self.failures.get(duty, 0) + 1
            wait = min(FIRST_RETRY * 2 ** (count - 1), LAST_RETRY)
            self.failures[duty], self.retry_at[duty] = count, now + wait
            log.error(N_("worker duty %s failed (%s in a row); retrying in %s s"), duty.value, count,
                      int(wait.total_seconds()), exc_info=error,
                      extra={"duty": duty.value, "failures": count, "retry_in_s": int(wait.total_seconds())})
            return None
        self.failures.pop(duty, None)
        self.retry_at.pop(duty, None)
        return result

    def _scheduled(self, *, now: datetime, today: date) -> list[Duty]:
        duties = [Duty.RELEASE, Duty.WAVES, Duty.EVENTS]
        if self.ranked_at is None or now - self.ranked_at >= self.rank_every:
            duties.append(Duty.RANK)
        if self.plan and self.planned_on != today:
            duties.append(Duty.PLAN)
        if self.deliver and self.email:
            duties.append(Duty.EMAIL)
        if self.deliver:
            duties.append(Duty.WEBHOOKS)
        if self.audit and (self.audited_at is None or now - self.audited_at >= self.audit_every):
            duties.append(Duty.AUDIT)
        return duties


@dataclass
class Tick:
    """What one tick did. Delivery duties are left to the caller, who holds the transports."""

    due: list[Duty]
    released: dict[str, int] = field(default_factory=dict)
    told: int = 0  # back-in-stock emails of the waves that came due
    expanded: int = 0  # events written from bulk rows
    best_sellers: set[str] | None = None
    plan: PlanRun | None = None
    audit: AuditReport | None = None
    failed: list[Duty] = field(default_factory=list)


def run_tick(db: Database, schedule: WorkerSchedule, *, now: datetime) -> Tick:
    """Run the database duties due at `now` (releases, ranking, planning, the audit) and note them in
    `schedule`; a duty that fails is in `failed` and backs off, the others run."""
    today = shop_date(now, db.settings.timezone)
    tick = Tick(due=schedule.due(now=now, today=today))

    def attempt(duty: Duty, action: Callable[[], T]) -> T | None:
        result = schedule.attempt(duty, action, now=now)
        if duty in schedule.retry_at:
            tick.failed.append(duty)
        return result

    if Duty.RELEASE in tick.due:
        tick.released = attempt(Duty.RELEASE, lambda: release_due(db, now=now)) or {}
    if Duty.WAVES in tick.due:
        tick.told = attempt(Duty.WAVES, lambda: send_due_waves(db, now=now)) or 0
    if Duty.EVENTS in tick.due:
        tick.expanded = attempt(Duty.EVENTS, lambda: expand_outbox(db)) or 0
    if Duty.RANK in tick.due:
        tick.best_sellers = attempt(Duty.RANK, lambda: refresh_best_sellers(db, now=now))
        if Duty.RANK not in tick.failed:
            schedule.ranked_at = now
    if Duty.PLAN in tick.due:
        tick.plan = attempt(Duty.PLAN, lambda: run_plan(db, now=now))
        if Duty.PLAN not in tick.failed:
            schedule.planned_on = today
    if Duty.AUDIT in tick.due:
        tick.audit = attempt(Duty.AUDIT, lambda: _audit(db, now=now))
        if Duty.AUDIT not in tick.failed:
            schedule.audited_at = now
    return tick


def _audit(db: Database, *, now: datetime) -> AuditReport:
    report = verify(db)
    if not report.ok:
        log.error(N_("audit found %s problem(s); the seller is alerted"), len(report.problems),
                  extra={"problems": len(report.problems)})
        alert_on_drift(db, report, now=now)
    return report
