"""The worker's tick on both databases: it releases due pre-orders every tick and plans once per shop day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from inden.clock import shop_date
from inden.config import get_settings
from inden.db.session import Database
from inden.services import order_views, placing, products, stock
from inden.services.schemas.orders import OrderCreate
from inden.services.schemas.products import ProductCreate, StockAdjustment
from inden.services.worker import Duty, WorkerSchedule, run_tick

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)


def test_a_tick_releases_due_pre_orders_and_plans_once_per_shop_day(db: Database) -> None:
    launch = shop_date(NOW, get_settings().timezone) + timedelta(days=1)
    products.create_product(db, ProductCreate(sku="TUMBLER", name="Tumbler", backorder_policy="preorder",
                                              release_at=launch))
    placed = placing.place_order(db, OrderCreate.model_validate(
        {"customer": {"email": "a@contoh.id"}, "lines": [{"sku": "TUMBLER", "quantity": 2}]}))
    stock.adjust_stock(db, "TUMBLER", StockAdjustment(delta=5, reason="arrived"))
    schedule = WorkerSchedule(deliver=False)

    first = run_tick(db, schedule, now=NOW)
    again = run_tick(db, schedule, now=NOW + timedelta(minutes=30))
    next_day = run_tick(db, schedule, now=NOW + timedelta(days=1))

    assert first.plan is not None and first.released == {}
    assert Duty.PLAN not in again.due and again.plan is None and again.best_sellers is None
    assert next_day.plan is not None and next_day.released == {"TUMBLER": 2}
    assert order_views.get_order(db, placed.id).status == "allocated"


def test_the_hourly_audit_alerts_the_seller_once_per_day_for_the_same_drift(db: Database) -> None:
    from sqlalchemy import select, update

    from inden.db.models import OutboxEvent, Product

    products.create_product(db, ProductCreate(sku="KOPI", name="Kopi"))
    stock.adjust_stock(db, "KOPI", StockAdjustment(delta=5, reason="arrived"))
    schedule = WorkerSchedule(deliver=False, plan=False)
    assert run_tick(db, schedule, now=NOW).audit.ok  # type: ignore[union-attr]
    with db.transaction() as session:  # drift: stock appears that the ledger never saw
        session.execute(update(Product).where(Product.sku == "KOPI").values(on_hand=50))
    assert run_tick(db, schedule, now=NOW + timedelta(minutes=30)).audit is None  # hourly
    found = run_tick(db, schedule, now=NOW + timedelta(hours=1)).audit
    assert found is not None and not found.ok
    run_tick(db, schedule, now=NOW + timedelta(hours=2))  # the same drift, the same day: no second alert
    with db.transaction() as session:
        alerts = session.scalars(select(OutboxEvent.payload).where(OutboxEvent.event_type == "audit.failed")).all()
    assert len(alerts) == 1 and alerts[0]["problem_count"] == 1 and "KOPI" in alerts[0]["problems"][0]


def test_the_worker_run_in_process_gives_back_the_signal_handlers_it_took(run) -> None:  # type: ignore[no-untyped-def]
    import signal

    before = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    assert run("worker", "--once", "--no-plan").exit_code == 0
    assert (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)) == before
