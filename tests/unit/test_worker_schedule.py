"""The worker's schedule: releases and delivery every tick, ranking hourly, the plan once per shop day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from inden.services.worker import Duty, WorkerSchedule

NOW = datetime(2026, 12, 12, 3, 0, tzinfo=UTC)
TODAY = date(2026, 12, 12)


def test_a_fresh_worker_does_everything_on_its_first_tick() -> None:
    schedule = WorkerSchedule(email=True)
    assert schedule.due(now=NOW, today=TODAY) == [Duty.RELEASE, Duty.WAVES, Duty.EVENTS, Duty.RANK, Duty.PLAN,
                                                  Duty.EMAIL, Duty.WEBHOOKS, Duty.AUDIT]


def test_best_sellers_are_ranked_again_only_after_an_hour() -> None:
    schedule = WorkerSchedule(ranked_at=NOW, planned_on=TODAY)
    assert Duty.RANK not in schedule.due(now=NOW + timedelta(minutes=59), today=TODAY)
    assert Duty.RANK in schedule.due(now=NOW + timedelta(hours=1), today=TODAY)


def test_the_plan_runs_once_per_shop_day() -> None:
    schedule = WorkerSchedule(ranked_at=NOW, planned_on=TODAY)
    assert Duty.PLAN not in schedule.due(now=NOW + timedelta(hours=5), today=TODAY)
    assert Duty.PLAN in schedule.due(now=NOW + timedelta(hours=21), today=TODAY + timedelta(days=1))


def test_switches_leave_out_planning_and_delivery() -> None:
    assert WorkerSchedule(plan=False, deliver=False, audit=False, email=True).due(now=NOW, today=TODAY) == [
        Duty.RELEASE, Duty.WAVES, Duty.EVENTS, Duty.RANK]


def test_email_is_left_out_without_a_mail_server() -> None:
    assert WorkerSchedule(email=False, audit=False).due(now=NOW, today=TODAY)[-1:] == [Duty.WEBHOOKS]
    assert Duty.EMAIL not in WorkerSchedule(email=False).due(now=NOW, today=TODAY)


def test_the_audit_runs_hourly() -> None:
    schedule = WorkerSchedule(audited_at=NOW)
    assert Duty.AUDIT not in schedule.due(now=NOW + timedelta(minutes=59), today=TODAY)
    assert Duty.AUDIT in schedule.due(now=NOW + timedelta(hours=1), today=TODAY)


def test_a_failing_duty_backs_off_while_the_others_go_on() -> None:
    schedule = WorkerSchedule(email=True)

    def broken() -> None:
        raise ConnectionError("SMTP down")

    assert schedule.attempt(Duty.EMAIL, broken, now=NOW) is None
    later = NOW + timedelta(seconds=10)
    due = schedule.due(now=later, today=TODAY)
    assert Duty.EMAIL not in due and Duty.WEBHOOKS in due and Duty.RELEASE in due
    assert Duty.EMAIL in schedule.due(now=NOW + timedelta(seconds=30), today=TODAY)
    waits = []
    for _ in range(9):
        schedule.attempt(Duty.EMAIL, broken, now=NOW)
        waits.append((schedule.retry_at[Duty.EMAIL] - NOW).total_seconds())
    assert waits[:4] == [60, 120, 240, 480] and waits[-1] == 3600  # doubling, at most an hour
    assert schedule.attempt(Duty.EMAIL, lambda: "sent", now=NOW) == "sent"
    assert Duty.EMAIL not in schedule.retry_at and Duty.EMAIL not in schedule.failures
