"""Supply, pegged ETAs and pre-orders, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from inden.clock import shop_date
from inden.config import get_settings
from inden.db.models import OutboxEvent
from inden.db.session import Database
from inden.domain.errors import CustomerLimitExceeded, InvalidRequest, OutOfStock
from inden.services import audit, order_views, placing, preorders, products, stock, supply
from inden.services.schemas.common import LineIn
from inden.services.schemas.orders import OrderCreate
from inden.services.schemas.products import ProductCreate, ProductPatch, StockAdjustment
from inden.services.schemas.supply import (
    OfferIn,
    PurchaseOrderCreate,
    PurchaseOrderPatch,
    ReceiptCreate,
    SupplierCreate,
)

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)  # 10:00 in Jakarta
TODAY = shop_date(NOW, get_settings().timezone)
HANDLING = get_settings().handling_days


def day(n: int) -> date:
    return TODAY + timedelta(days=n + HANDLING)


def buy(db: Database, sku: str, quantity: int = 1, *, email: str = "budi@contoh.id", at: int = 0):  # type: ignore[no-untyped-def]
    request = OrderCreate.model_validate({"customer": {"email": email}, "lines": [{"sku": sku, "quantity": quantity}]})
    return placing.place_order(db, request, now=NOW + timedelta(seconds=at))


def etas(db: Database, sku: str) -> list[tuple[int, date | None, str | None]]:
    page = order_views.list_backorders(db, sku=sku, limit=1000)
    return [(b.position, b.eta, b.eta_confidence) for b in page.items]


def eta_events(db: Database) -> list[dict]:  # type: ignore[type-arg]
    with db.transaction() as session:
        return list(session.scalars(select(OutboxEvent.payload).where(OutboxEvent.event_type == "eta_changed")))


def set_up(db: Database, *, lead_time_days: int = 30) -> None:
    products.create_product(db, ProductCreate(sku="SERUM", name="Serum Vitamin C", lead_time_days=lead_time_days),
                            now=NOW)
    supply.create_supplier(db, SupplierCreate(code="PT-GLOW", name="PT Glow Kosmetik", lead_time_days=21), now=NOW)


def po(db: Database, quantity: int, in_days: int, sku: str = "SERUM") -> int:
    spec = PurchaseOrderCreate(supplier="PT-GLOW", expected_at=TODAY + timedelta(days=in_days),
                               lines=[{"sku": sku, "quantity": quantity}])
    return supply.create_purchase_order(db, spec, now=NOW).id


def test_backorders_are_pegged_to_purchase_orders_and_kept_true(db: Database) -> None:
    set_up(db)
    first, _ = po(db, 50, 7), po(db, 100, 14)
    for n in range(200):
        buy(db, "SERUM", email=f"c{n}@contoh.id", at=n)
    assert products.get_product(db, "SERUM").stock.incoming == 150
    before = etas(db, "SERUM")
    assert {(eta, c) for p, eta, c in before if p <= 50} == {(day(7), "scheduled")}
    assert {(eta, c) for p, eta, c in before if 50 < p <= 150} == {(day(14), "scheduled")}
    assert {(eta, c) for p, eta, c in before if p > 150} == {(day(30), "estimated")}

    supply.move_purchase_order(db, first, PurchaseOrderPatch(expected_at=TODAY + timedelta(days=12)), now=NOW)
    after = etas(db, "SERUM")
    changed = [p for (p, old, _), (_, new, _) in zip(before, after, strict=True) if old != new]
    assert changed == list(range(1, 51))
    events = eta_events(db)
    assert len(events) == 50
    assert {(e["old"]["eta"], e["new"]["eta"]) for e in events} == {(day(7).isoformat(), day(12).isoformat())}

    waiting = order_views.list_backorders(db, sku="SERUM", limit=1000).items
    supply.receive_purchase_order(db, first, ReceiptCreate(lines=[LineIn(sku="SERUM", quantity=30)]), now=NOW)
    assert all(order_views.get_order(db, b.order_id).status == "allocated" for b in waiting[:30])
    assert all(order_views.get_order(db, b.order_id).status == "backordered" for b in waiting[30:])
    assert len(eta_events(db)) == 50  # the rest stay pegged to the same deliveries: no news, no events
    assert audit.verify(db).ok


def test_no_event_is_written_for_etas_that_do_not_move(db: Database) -> None:
    set_up(db)
    po(db, 10, 7)
    for n in range(5):
        buy(db, "SERUM", email=f"c{n}@contoh.id", at=n)
    po(db, 10, 20)  # later supply: nobody waiting is pegged to it
    assert eta_events(db) == []


def test_cancelling_a_purchase_order_moves_its_backorders_to_estimated(db: Database) -> None:
    set_up(db)
    first = po(db, 5, 7)
    buy(db, "SERUM", 2)
    supply.cancel_purchase_order(db, first, now=NOW)
    assert etas(db, "SERUM") == [(1, day(30), "estimated")]
    with pytest.raises(InvalidRequest):
        supply.receive_purchase_order(db, first, ReceiptCreate(lines=[LineIn(sku="SERUM", quantity=1)]))


def test_receiving_a_sku_that_is_not_on_the_purchase_order_is_refused_and_changes_nothing(db: Database) -> None:
    set_up(db)
    products.create_product(db, ProductCreate(sku="TONER", name="Toner"), now=NOW)
    first = po(db, 5, 7)
    with pytest.raises(InvalidRequest):
        supply.receive_purchase_order(db, first, ReceiptCreate(lines=[LineIn(sku="SERUM", quantity=5),
                                                                      LineIn(sku="TONER", quantity=1)]))
    assert products.get_product(db, "SERUM").stock.model_dump() == {
        "on_hand": 0, "allocated": 0, "available": 0, "backordered": 0, "incoming": 5}
    assert supply.get_purchase_order(db, first).lines[0].received == 0


def test_over_and_short_deliveries_are_recorded_and_measured(db: Database) -> None:
    set_up(db)
    over, short = po(db, 10, 0), po(db, 10, 0)
    supply.receive_purchase_order(db, over, ReceiptCreate(lines=[LineIn(sku="SERUM", quantity=12)]),
                                  now=NOW + timedelta(days=3))
    supply.receive_purchase_order(db, short, ReceiptCreate(lines=[LineIn(sku="SERUM", quantity=6)], close=True),
                                  now=NOW)
    orders_by_id = {p.id: p for p in supply.list_purchase_orders(db).items}
    assert (orders_by_id[over].status, orders_by_id[over].lines[0].received) == ("received", 12)
    assert (orders_by_id[short].status, orders_by_id[short].lines[0].received) == ("received", 6)
    [glow] = supply.list_suppliers(db)
    assert glow.reliability.deliveries == 2
    assert glow.reliability.delay_p90_days == 3 and glow.reliability.on_time_rate == 0.5
    assert glow.reliability.fill_ratio == pytest.approx(18 / 20)
    assert products.get_product(db, "SERUM").stock.on_hand == 18


def test_supplier_delays_widen_eta_latest(db: Database) -> None:
    set_up(db)
    late = po(db, 5, 0)
    supply.receive_purchase_order(db, late, ReceiptCreate(lines=[LineIn(sku="SERUM", quantity=5)]),
                                  now=NOW + timedelta(days=4))
    po(db, 5, 10)
    placed = buy(db, "SERUM", 6)  # 5 from stock, 1 waits for the next delivery
    line = placed.lines[0]
    assert (line.eta, line.eta_latest, line.eta_confidence) == (day(10), day(14), "scheduled")


def test_fastest_supplier_offer_sets_the_estimated_eta(db: Database) -> None:
    set_up(db)
    buy(db, "SERUM", 1)
    supply.set_offer(db, "PT-GLOW", "SERUM", OfferIn(lead_time_days=9, min_order_quantity=24, pack_size=12,
                                                      unit_cost="41000"), now=NOW)
    assert etas(db, "SERUM") == [(1, day(9), "estimated")]


def test_backorders_limited_to_incoming_supply(db: Database) -> None:
    products.create_product(db, ProductCreate(sku="BATIK", name="Batik", backorder_limit_basis="incoming",
                                              backorder_limit=2), now=NOW)
    supply.create_supplier(db, SupplierCreate(code="PT-GLOW", name="PT Glow", lead_time_days=21), now=NOW)
    po(db, 3, 7, sku="BATIK")
    buy(db, "BATIK", 5)  # 3 incoming + 2 extra
    with pytest.raises(OutOfStock) as refused:
        buy(db, "BATIK", 1, at=1)
    assert refused.value.lines[0]["backorder_room"] == 0


def test_preorders_wait_for_release_then_serve_in_order(db: Database) -> None:
    release = TODAY + timedelta(days=10)
    products.create_product(db, ProductCreate(sku="TUMBLER", name="Tumbler 12.12", backorder_policy="preorder",
                                              release_at=release, max_per_customer=2), now=NOW)
    stock.adjust_stock(db, "TUMBLER", StockAdjustment(delta=3, reason="launch stock"), now=NOW)
    supply.create_supplier(db, SupplierCreate(code="PT-GLOW", name="PT Glow", lead_time_days=21), now=NOW)
    po(db, 5, 20, sku="TUMBLER")
    ids = [buy(db, "TUMBLER", 1, email=f"c{n}@contoh.id", at=n).id for n in range(5)]
    with pytest.raises(CustomerLimitExceeded):
        buy(db, "TUMBLER", 2, email="c0@contoh.id", at=9)
    assert products.get_product(db, "TUMBLER").stock.allocated == 0  # held for the launch
    assert [eta for _, eta, _ in etas(db, "TUMBLER")] == [release + timedelta(days=HANDLING)] * 3 + [day(20)] * 2
    assert audit.verify(db).ok

    served = preorders.release(db, "TUMBLER", now=NOW)
    assert served == 3
    assert [order_views.get_order(db, i).status for i in ids] == ["allocated"] * 3 + ["backordered"] * 2
    assert [(p, eta) for p, eta, _ in etas(db, "TUMBLER")] == [(1, day(20)), (2, day(20))]


def test_release_due_serves_preorders_whose_date_has_come(db: Database) -> None:
    products.create_product(db, ProductCreate(sku="TUMBLER", name="Tumbler", backorder_policy="preorder",
                                              release_at=TODAY + timedelta(days=1)), now=NOW)
    stock.adjust_stock(db, "TUMBLER", StockAdjustment(delta=1, reason="launch stock"), now=NOW)
    buy(db, "TUMBLER", 1)
    assert preorders.release_due(db, now=NOW) == {}
    assert preorders.release_due(db, now=NOW + timedelta(days=1)) == {"TUMBLER": 1}


def test_moving_release_date_to_today_releases(db: Database) -> None:
    products.create_product(db, ProductCreate(sku="TUMBLER", name="Tumbler", backorder_policy="preorder",
                                              release_at=TODAY + timedelta(days=5)), now=NOW)
    stock.adjust_stock(db, "TUMBLER", StockAdjustment(delta=1, reason="launch stock"), now=NOW)
    placed = buy(db, "TUMBLER", 1)
    products.update_product(db, "TUMBLER", ProductPatch(release_at=TODAY), now=NOW)
    assert order_views.get_order(db, placed.id).status == "allocated"


def test_outbox_counts_only_real_eta_moves_for_a_supplier_wide_delay(db: Database) -> None:
    set_up(db)
    po(db, 3, 7)
    for n in range(3):
        buy(db, "SERUM", email=f"c{n}@contoh.id", at=n)
    assert supply.move_supplier_purchase_orders(db, "PT-GLOW", days=2, now=NOW) == 3
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(OutboxEvent).where(
            OutboxEvent.event_type == "eta_changed")) == 3
