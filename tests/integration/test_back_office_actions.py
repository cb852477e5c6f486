"""The back office's actions on SQLite and PostgreSQL: moving a purchase order with a preview, the plan page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from inden.clock import shop_date
from inden.config import get_settings
from inden.db.models import OutboxEvent, Product, PurchaseOrder, ReplenishmentSuggestion, Supplier
from inden.db.session import Database
from inden.domain.errors import InvalidRequest
from inden.domain.states import SuggestionStatus
from inden.services import placing, products, supply
from inden.services.back_office import plan, purchasing
from inden.services.planning import suggestions
from inden.services.planning.suggestions import UnknownSuggestion
from inden.services.schemas.orders import OrderCreate
from inden.services.schemas.products import ProductCreate
from inden.services.schemas.supply import OfferIn, PurchaseOrderCreate, PurchaseOrderPatch, SupplierCreate

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
TODAY = shop_date(NOW, get_settings().timezone)


def buy(db: Database, sku: str, quantity: int, *, email: str, at: int) -> int:
    request = OrderCreate.model_validate({"customer": {"email": email}, "lines": [{"sku": sku, "quantity": quantity}]})
    return placing.place_order(db, request, now=NOW + timedelta(seconds=at)).id


def po(db: Database, sku: str, quantity: int, in_days: int) -> int:
    spec = PurchaseOrderCreate(supplier="PT-GLOW", expected_at=TODAY + timedelta(days=in_days),
                               lines=[{"sku": sku, "quantity": quantity}])
    return supply.create_purchase_order(db, spec, now=NOW).id


def eta_events(db: Database) -> int:
    with db.transaction() as session:
        return session.scalar(select(func.count()).where(OutboxEvent.event_type == "eta_changed")) or 0


def set_up(db: Database) -> None:
    products.create_product(db, ProductCreate(sku="TONER", name="Toner Mawar", lead_time_days=30), now=NOW)
    products.create_product(db, ProductCreate(sku="SERUM", name="Serum", lead_time_days=30), now=NOW)
    supply.create_supplier(db, SupplierCreate(code="PT-GLOW", name="PT Glow Kosmetik", lead_time_days=21), now=NOW)


def test_the_move_preview_counts_the_customers_and_messages_the_move_then_writes(db: Database) -> None:
    set_up(db)
    for n in range(6):
        buy(db, "TONER", 2, email=f"c{n % 5}@contoh.id", at=n)  # c0 orders twice
    first, _ = po(db, "TONER", 8, 5), po(db, "TONER", 10, 12)
    before = eta_events(db)
    preview = purchasing.preview_move(db, first, TODAY + timedelta(days=9), now=NOW)
    assert (preview.lines_later, preview.customers_later, preview.lines_earlier, preview.messages) == (4, 4, 0, 4)
    with db.transaction() as session:  # nothing was written
        assert session.get(PurchaseOrder, first).expected_at == TODAY + timedelta(days=5)  # type: ignore[union-attr]
    assert eta_events(db) == before
    supply.move_purchase_order(db, first, PurchaseOrderPatch(expected_at=TODAY + timedelta(days=9)), now=NOW)
    assert eta_events(db) - before == preview.messages
    back = purchasing.preview_move(db, first, TODAY + timedelta(days=2), now=NOW)
    assert (back.lines_earlier, back.customers_earlier, back.lines_later, back.messages) == (4, 4, 0, 4)


def test_only_an_open_purchase_order_can_be_previewed(db: Database) -> None:
    set_up(db)
    po_id = po(db, "TONER", 5, 5)
    supply.cancel_purchase_order(db, po_id, now=NOW)
    with pytest.raises(InvalidRequest):
        purchasing.preview_move(db, po_id, TODAY, now=NOW)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(orders_=st.lists(st.tuples(st.sampled_from(["TONER", "SERUM"]), st.integers(1, 4)), min_size=1, max_size=8),
       supply_=st.lists(st.tuples(st.sampled_from(["TONER", "SERUM"]), st.integers(1, 6), st.integers(0, 20)),
                        min_size=1, max_size=3),
       shift=st.integers(-25, 25))
def test_a_previewed_move_writes_exactly_the_messages_it_announced(
        db: Database, orders_: list[tuple[str, int]], supply_: list[tuple[str, int, int]], shift: int) -> None:
    from tests.conftest import truncate_all

    if db.is_sqlite:
        with db.engine.begin() as connection:
            for table in ("outbox", "order_lines", "orders", "purchase_order_lines", "purchase_orders",
                          "suppliers", "stock_movements", "products", "idempotency_keys"):
                connection.exec_driver_sql(f"DELETE FROM {table}")
    else:
        truncate_all(db)
    set_up(db)
    pos = [po(db, sku, quantity, days) for sku, quantity, days in supply_]
    for n, (sku, quantity) in enumerate(orders_):
        buy(db, sku, quantity, email=f"c{n}@contoh.id", at=n)
    target = TODAY + timedelta(days=max(supply_[0][2] + shift, 0))
    before = eta_events(db)
    preview = purchasing.preview_move(db, pos[0], target, now=NOW)
    supply.move_purchase_order(db, pos[0], PurchaseOrderPatch(expected_at=target), now=NOW)
    assert eta_events(db) - before == preview.messages == preview.lines_later + preview.lines_earlier


def suggestion(db: Database, sku: str = "TONER", *, quantity: int = 12, risk: float = 0.4,
               expedite: bool = False) -> int:
    """A pending suggestion as a plan run stores it."""
    with db.transaction() as session:
        product_id = session.scalar(select(Product.id).where(Product.sku == sku))
        supplier_id = session.scalar(select(Supplier.id).where(Supplier.code == "PT-GLOW"))
        row = ReplenishmentSuggestion(
            product_id=product_id, supplier_id=supplier_id, status=SuggestionStatus.PENDING.value, quantity=quantity,
            unit_cost=None, need_by=TODAY + timedelta(days=10), expected_at=TODAY + timedelta(days=21),
            expedite=expedite, reason="", figures={
                "on_hand": 0, "allocated": 0, "backordered": 3, "incoming": 0, "inventory_position": -3,
                "demand_per_day": 1.5, "lead_time_days": 21.0, "forecast_lead_time": 31.5, "safety_stock": 8.0,
                "reorder_point": 39.5, "service_level": 0.95, "risk": risk, "days_of_cover": 0.0, "events": []},
            created_at=NOW)
        session.add(row)
        session.flush()
        return row.id


def test_the_plan_page_lists_pending_suggestions_with_reasons_in_the_sellers_language(db: Database) -> None:
    set_up(db)
    calm, urgent = suggestion(db, "SERUM", risk=0.1), suggestion(db, "TONER", risk=0.9, expedite=True)
    page = plan.pending_suggestions(db, locale="id")
    assert [row.id for row in page.items] == [urgent, calm] and page.total == 2
    row = page.items[0]
    assert (row.sku, row.name, row.supplier_code, row.quantity, row.reorder_point) == (
        "TONER", "Toner Mawar", "PT-GLOW", 12, 39.5)
    assert row.reasons[0].startswith("Pesan sekarang") and "11 Des 2026" in row.reasons[0]
    assert "3 unit ditunggu pelanggan." in row.reasons
    english = plan.pending_suggestions(db, locale="en").items[0].reasons
    assert "3 unit(s) are waiting for customers." in english
    assert "Chance of running out before it arrives: 90 percent." in english


def test_a_suggestions_quantity_is_edited_in_whole_packs_above_the_minimum(db: Database) -> None:
    set_up(db)
    supply.set_offer(db, "PT-GLOW", "TONER", OfferIn(min_order_quantity=12, pack_size=6), now=NOW)
    suggestion_id = suggestion(db)
    for bad in (0, 6, 20):
        with pytest.raises(InvalidRequest) as error:
            plan.set_suggestion_quantity(db, suggestion_id, bad, locale="en")
        assert error.value.details["field"] == "quantity"
    assert plan.pending_suggestions(db, locale="en").items[0].quantity == 12
    row = plan.set_suggestion_quantity(db, suggestion_id, 24, locale="en")
    assert (row.quantity, row.min_order_quantity, row.pack_size) == (24, 12, 6)
    [po_id] = plan.approve_suggestions(db, [suggestion_id], now=NOW)
    assert supply.get_purchase_order(db, po_id).lines[0].quantity == 24


def test_approving_many_makes_one_purchase_order_per_supplier_or_nothing(db: Database) -> None:
    set_up(db)
    toner, serum = suggestion(db, "TONER"), suggestion(db, "SERUM")
    suggestions.dismiss_suggestion(db, serum, now=NOW)
    third = suggestion(db, "SERUM", quantity=5)
    with pytest.raises(InvalidRequest):  # one dismissed: nothing approved
        plan.approve_suggestions(db, [toner, serum, third], now=NOW)
    with pytest.raises(UnknownSuggestion):
        plan.approve_suggestions(db, [toner, 999], now=NOW)
    assert plan.pending_suggestions(db, locale="en").total == 2
    [po_id] = plan.approve_suggestions(db, [toner, third], now=NOW)
    assert sorted((line.sku, line.quantity) for line in supply.get_purchase_order(db, po_id).lines) == [
        ("SERUM", 5), ("TONER", 12)]
    assert plan.pending_suggestions(db, locale="en").total == 0
