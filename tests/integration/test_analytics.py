"""The seller's figures (services.analytics, GET /v1/analytics, inden report) from real orders, both databases."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from inden.api.app import create_app
from inden.clock import shop_date
from inden.config import get_settings
from inden.db.models import Product
from inden.db.session import Database
from inden.domain.errors import OutOfStock
from inden.services import placing, products, stock, supply
from inden.services.analytics import shop_report
from inden.services.keys import Role, create_key
from inden.services.schemas.orders import OrderCreate
from inden.services.schemas.products import ProductCreate, StockAdjustment
from inden.services.schemas.supply import PurchaseOrderCreate, SupplierCreate

NOW = datetime(2026, 12, 12, 5, 0, tzinfo=UTC)


def make(db: Database, sku: str, units: int, *, at: datetime, **fields: object) -> None:
    products.create_product(db, ProductCreate.model_validate({"sku": sku, "name": sku, **fields}), now=at)
    if units:
        stock.adjust_stock(db, sku, StockAdjustment(delta=units, reason="stok awal"), now=at)


def buy(db: Database, sku: str, quantity: int, *, at: datetime) -> None:
    request = OrderCreate.model_validate({"customer": {"email": "budi@contoh.id"},
                                         "lines": [{"sku": sku, "quantity": quantity}]})
    placing.place_order(db, request, now=at)


def shop(db: Database) -> None:
    long_ago = NOW - timedelta(days=40)
    make(db, "LAMA", 0, at=long_ago, price="20000")
    buy(db, "LAMA", 5, at=long_ago)  # outside the 30 days, but its 5 units still wait (no purchase order)
    make(db, "KAOS", 10, at=NOW - timedelta(days=3), price="100000")
    buy(db, "KAOS", 4, at=NOW - timedelta(days=2))  # from stock
    buy(db, "KAOS", 8, at=NOW - timedelta(days=1))  # 6 from stock, 2 wait
    supply.create_supplier(db, SupplierCreate(code="SUP", name="Pemasok", lead_time_days=10), now=NOW)
    supply.create_purchase_order(db, PurchaseOrderCreate.model_validate(
        {"supplier": "SUP", "expected_at": (shop_date(NOW, get_settings().timezone) + timedelta(days=5)).isoformat(),
         "lines": [{"sku": "KAOS", "quantity": 2}]}), now=NOW)
    make(db, "HABIS", 1, at=NOW - timedelta(days=3), price="50000", backorder_policy="deny")
    buy(db, "HABIS", 1, at=NOW - timedelta(hours=5))
    with pytest.raises(OutOfStock):
        buy(db, "HABIS", 3, at=NOW - timedelta(hours=4))  # refused: lost demand


def test_fill_rate_waiting_and_lost_sales_from_real_orders(db: Database) -> None:
    shop(db)
    report = shop_report(db, days=30, now=NOW)
    d = report.demand
    assert (d.ordered_units, d.from_stock_units, d.backordered_units, d.refused_units) == (13, 11, 2, 3)
    assert d.fill_rate == pytest.approx(11 / 16) and d.lost_rate == pytest.approx(3 / 16)
    w = report.waiting
    assert (w.lines, w.units, w.scheduled_units, w.estimated_units) == (2, 7, 2, 5)
    assert w.max_days == pytest.approx(40) and w.buckets == {"0-2": 1, "3-7": 0, "8-14": 0, "15+": 1}
    assert report.lost_value == Decimal("150000")
    assert [s.sku for s in report.skus] == ["HABIS", "LAMA", "KAOS"]  # most lost first, then most waiting
    assert [s.sku for s in report.at_risk] == ["LAMA"]  # customers waiting with no purchase order behind them
    lama = report.at_risk[0]
    assert (lama.ordered_units, lama.waiting_units, lama.estimated_units) == (0, 5, 5)
    assert report.skus[0].fill_rate == pytest.approx(1 / 4)  # HABIS: 1 from stock, 3 refused


def test_a_product_the_plan_found_at_its_reorder_point_is_at_risk_even_without_demand_here(db: Database) -> None:
    shop(db)
    make(db, "SEPI", 3, at=NOW - timedelta(days=3))
    with db.transaction() as session:
        session.execute(update(Product).where(Product.sku == "SEPI").values(below_reorder_point=True))
    report = shop_report(db, days=30, now=NOW)
    assert [s.sku for s in report.at_risk] == ["LAMA", "SEPI"]
    assert report.at_risk[1].below_reorder_point and report.at_risk[1].ordered_units == 0


def test_a_longer_window_counts_older_orders(db: Database) -> None:
    shop(db)
    assert shop_report(db, days=60, now=NOW).demand.ordered_units == 18


def test_an_empty_shop_has_no_rates_rather_than_zero(db: Database) -> None:
    report = shop_report(db, now=NOW)
    assert report.demand.fill_rate is None and report.waiting.mean_days is None and report.skus == []


def test_analytics_over_http_and_bad_days(db: Database) -> None:
    shop(db)
    with TestClient(create_app(db), raise_server_exceptions=False) as client:
        client.headers["Authorization"] = f"Bearer {create_key(db, Role.STAFF)}"
        body = client.get("/v1/analytics", params={"days": 30}).json()
        assert set(body) >= {"demand", "waiting", "lost_value", "at_risk", "skus"}
        assert body["lost_value"] == "150000.00"
        assert client.get("/v1/analytics", params={"days": 0}).status_code == 422
        client.headers["Authorization"] = f"Bearer {create_key(db, Role.STOREFRONT)}"
        assert client.get("/v1/analytics").status_code == 403


@pytest.mark.usefixtures("english")
def test_report_shows_the_shop_at_a_glance(run) -> None:  # type: ignore[no-untyped-def]
    assert run("products", "add", "KOPI-GAYO-250", "Kopi Gayo", "--policy", "deny", "--price", "89000").exit_code == 0
    assert run("stock", "adjust", "KOPI-GAYO-250", "2", "--reason", "stok awal").exit_code == 0
    assert run("orders", "place", "--email", "budi@contoh.id", "--line", "KOPI-GAYO-250:2").exit_code == 0
    assert run("orders", "place", "--email", "sari@contoh.id", "--line", "KOPI-GAYO-250:2").exit_code == 2
    shown = run("report", "--days", "7")
    assert shown.exit_code == 0, shown.output
    said = " ".join(shown.stdout.split())  # the console wraps long lines
    assert "fill rate 50.0%" in said and "2 units refused, Rp178.000" in said
    assert "No product at risk." in said and "Products" in said  # the per-product table is not called "At risk"
    figures = json.loads(run("report", "--json").stdout)
    assert figures["demand"]["refused_units"] == 2 and figures["skus"][0]["sku"] == "KOPI-GAYO-250"
    assert run("report", "--days", "0").exit_code == 2

    assert run("products", "add", "TEH", "Teh Melati").exit_code == 0  # customers wait, no purchase order behind
    assert run("orders", "place", "--email", "budi@contoh.id", "--line", "TEH:3").exit_code == 0
    said = " ".join(run("report").stdout.split())
    assert "At risk" in said and "3 waiting with no purchase order" in said  # the table says why
