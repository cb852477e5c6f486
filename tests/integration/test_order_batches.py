"""Orders placed as one batch (`place_orders`, what the API does for concurrent orders) decide exactly what the same
orders placed one at a time in arrival order decide: outcomes, allocations, queue positions, ETAs, outbox events,
lost demand and idempotency records — on SQLite and PostgreSQL."""

from __future__ import annotations

import re
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from inden.db.session import Database
from inden.services import placing, products, stock, supply
from inden.services.placing import Outcome, Placing
from inden.services.schemas.orders import OrderCreate, OrderOut
from inden.services.schemas.products import ProductCreate, StockAdjustment
from inden.services.schemas.supply import PurchaseOrderCreate, SupplierCreate
from tests.conftest import BACKENDS, truncate_all

NOW = datetime(2026, 12, 12, 3, 0, tzinfo=UTC)
SKUS = ["KOPI", "SERUM", "TAS", "BARU"]  # BARU is never created: an unknown SKU in a batch
TABLES = {  # what a placed order can write, in a stable order
    "orders": "id", "order_lines": "id", "lost_demand": "id", "idempotency_keys": "key",
    "outbox": "id", "products": "id",
}


def set_up(db: Database) -> None:
    """KOPI: 3 in stock then backorders, 2 more on a purchase order, then the lead time (ETAs).
    SERUM: refuses past stock, at most 3 per customer. TAS: at most 4 units may wait."""
    products.create_product(db, ProductCreate(sku="KOPI", name="Kopi"), now=NOW)
    products.create_product(db, ProductCreate(sku="SERUM", name="Serum", backorder_policy="deny",
                                              max_per_customer=3), now=NOW)
    products.create_product(db, ProductCreate(sku="TAS", name="Tas", backorder_limit=4), now=NOW)
    for sku, units in (("KOPI", 3), ("SERUM", 4)):
        stock.adjust_stock(db, sku, StockAdjustment(delta=units, reason="stok awal"), now=NOW)
    supply.create_supplier(db, SupplierCreate(code="PT-A", name="PT A", lead_time_days=10), now=NOW)
    supply.create_purchase_order(db, PurchaseOrderCreate(
        supplier="PT-A", expected_at=NOW.date() + timedelta(days=9), lines=[{"sku": "KOPI", "quantity": 2}]), now=NOW)


orders = st.lists(
    st.builds(
        lambda skus, quantity, priority, email, key: Placing(OrderCreate.model_validate({
            "customer": {"email": email}, "priority": priority,
            "lines": [{"sku": sku, "quantity": quantity} for sku in skus]}), key),
        st.lists(st.sampled_from(SKUS), min_size=1, max_size=2, unique=True),
        st.integers(1, 3),
        st.sampled_from([0, 0, 0, 5]),
        st.sampled_from(["a@contoh.id", "b@contoh.id"]),
        st.sampled_from([None, None, "k1", "k2"]),
    ),
    min_size=1, max_size=10,
)


RE_PEG_RUN = re.compile(r"^eta_changed:[0-9a-f]+:")  # each re-peg names its events with a random run id


def state(db: Database) -> dict[str, list[dict[str, Any]]]:
    found = {}
    with db.engine.connect() as connection:
        for table, key in TABLES.items():
            rows = connection.execute(text(f"SELECT * FROM {table} ORDER BY {key}"))
            found[table] = [dict(row._mapping) for row in rows]
    for event in found["outbox"]:
        event["dedup_key"] = RE_PEG_RUN.sub("eta_changed:…:", event["dedup_key"])
    return found


def shown(outcome: Outcome) -> object:
    if isinstance(outcome, OrderOut):
        return outcome.model_dump(mode="json")
    return type(outcome).__name__, str(outcome), getattr(outcome, "details", None)


@pytest.fixture(params=BACKENDS)
def fresh(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    """A function giving a set-up database, new for each call (Hypothesis calls it twice per example)."""
    made: list[Database] = []

    def make() -> Database:
        if request.param == "postgresql":
            db: Database = request.getfixturevalue("pg_database")
            truncate_all(db)
        else:
            path = tmp_path / f"inden-{len(made)}.db"
            shutil.copy(request.getfixturevalue("sqlite_template"), path)
            db = Database(f"sqlite:///{path}")
            made.append(db)
        set_up(db)
        return db

    yield make
    for db in made:
        db.dispose()


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(batch=orders)
def test_a_batch_decides_what_one_order_at_a_time_decides(fresh, batch: list[Placing]) -> None:  # type: ignore[no-untyped-def]
    db = fresh()
    alone = []
    for p in batch:
        try:
            alone.append(shown(placing.place_order(db, p.request, idempotency_key=p.idempotency_key, now=NOW)))
        except Exception as error:  # noqa: BLE001 - compared below
            alone.append(shown(error))
    one_at_a_time = state(db)

    db = fresh()
    together = [shown(outcome) for outcome in placing.place_orders(db, batch, now=NOW)]

    assert together == alone
    after = state(db)
    for table in TABLES:  # one table at a time: a readable difference
        assert after[table] == one_at_a_time[table], table


def test_a_failing_order_does_not_cost_its_batch_anything(db: Database) -> None:
    set_up(db)
    good = OrderCreate.model_validate({"customer": {"email": "a@contoh.id"}, "lines": [{"sku": "KOPI", "quantity": 1}]})
    unknown = OrderCreate.model_validate({"customer": {"email": "a@contoh.id"},
                                          "lines": [{"sku": "KOPI", "quantity": 1}, {"sku": "BARU", "quantity": 1}]})
    greedy = OrderCreate.model_validate({"customer": {"email": "b@contoh.id"},
                                         "lines": [{"sku": "SERUM", "quantity": 4}]})
    outcomes = placing.place_orders(db, [Placing(good, "g1"), Placing(unknown, "u1"), Placing(greedy, "s1"),
                                         Placing(good, "g2")], now=NOW)
    kinds = [type(o).__name__ for o in outcomes]
    assert kinds == ["OrderOut", "UnknownSku", "CustomerLimitExceeded", "OrderOut"]
    assert [line.allocated for o in outcomes if isinstance(o, OrderOut) for line in o.lines] == [1, 1]
    # the failed orders' keys are free again: fixed, they go through
    fixed = OrderCreate.model_validate({"customer": {"email": "b@contoh.id"},
                                        "lines": [{"sku": "SERUM", "quantity": 3}]})
    assert placing.place_order(db, fixed, idempotency_key="s1", now=NOW).lines[0].allocated == 3
    assert products.get_product(db, "KOPI").stock.allocated == 2
