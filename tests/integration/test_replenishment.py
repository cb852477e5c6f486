"""Replenishment planning end to end on both databases: suggestions, no duplicates, alerts, approval, auto mode."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from inden.api.app import create_app
from inden.clock import shop_date
from inden.config import get_settings
from inden.db.models import OutboxEvent
from inden.db.session import Database
from inden.domain.errors import InvalidRequest
from inden.services import events, order_views, orders, products, stock, supply
from inden.services.keys import Role, create_key
from inden.services.planning import suggestions
from inden.services.planning.run import run_plan
from inden.services.sales_import import import_sales
from inden.services.schemas.orders import OrderCreate
from inden.services.schemas.planning import ApproveSuggestion, EventCreate
from inden.services.schemas.products import ProductCreate, StockAdjustment
from inden.services.schemas.supply import OfferIn, PurchaseOrderCreate, SupplierCreate

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
TODAY = shop_date(NOW, get_settings().timezone)


def shop(db: Database, skus: dict[str, float], *, on_hand: int = 20, days: int = 120) -> None:
    """Products with `days` of Poisson demand at the given daily rates, `on_hand` units, two suppliers."""
    rng = np.random.default_rng(7)
    rows = []
    for sku, rate in skus.items():
        products.create_product(db, ProductCreate(sku=sku, name=sku, price="60000"), now=NOW - timedelta(days=days))
        rows += [f"{(TODAY - timedelta(days=d)).isoformat()},{sku},{rng.poisson(rate)}" for d in range(1, days + 1)]
        if on_hand:
            stock.adjust_stock(db, sku, StockAdjustment(delta=on_hand, reason="stok awal"), now=NOW)
    import_sales(db, "date,sku,quantity\n" + "\n".join(rows), now=NOW)
    supply.create_supplier(db, SupplierCreate(code="MURAH", name="CV Murah", lead_time_days=30), now=NOW)
    supply.create_supplier(db, SupplierCreate(code="CEPAT", name="PT Cepat", lead_time_days=3), now=NOW)
    for sku in skus:
        supply.set_offer(db, "MURAH", sku, OfferIn(min_order_quantity=10, pack_size=6, unit_cost="30000"), now=NOW)
        supply.set_offer(db, "CEPAT", sku, OfferIn(lead_time_days=3, unit_cost="33000"), now=NOW)


def pending(db: Database, sku: str | None = None) -> list:  # type: ignore[type-arg]
    return suggestions.list_suggestions(db, sku=sku, limit=1000).items


def alerts(db: Database) -> list[dict]:  # type: ignore[type-arg]
    with db.transaction() as session:
        return list(session.scalars(select(OutboxEvent.payload)
                                    .where(OutboxEvent.event_type == "reorder_point_reached")
                                    .order_by(OutboxEvent.id)))


def test_a_sku_below_its_reorder_point_gets_one_suggestion_however_often_the_plan_runs(db: Database) -> None:
    shop(db, {"KOPI": 10.0})
    first = run_plan(db, now=NOW)
    [suggestion] = pending(db)
    plan = next(p for p in first.plans if p.sku == "KOPI")
    assert suggestion.sku == "KOPI" and suggestion.quantity == plan.quantity > 0
    assert plan.inventory_position == 20 and plan.reorder_point > 20
    assert plan.reorder_point == pytest.approx(plan.forecast_lead_time + plan.safety_stock)
    assert 8 < plan.demand_per_day < 12  # the forecast learnt the rate from the imported history
    assert suggestion.figures.reorder_point == pytest.approx(plan.reorder_point, abs=0.01)
    assert suggestion.reason and suggestion.need_by >= TODAY

    run_plan(db, now=NOW + timedelta(hours=1))
    again = pending(db)
    assert len(again) == 1 and again[0].id != suggestion.id  # replaced, not added
    assert suggestions.list_suggestions(db, status="superseded").items[0].id == suggestion.id


def test_an_approved_suggestion_becomes_a_purchase_order_and_is_not_suggested_again(db: Database) -> None:
    shop(db, {"KOPI": 10.0})
    run_plan(db, now=NOW)
    [suggestion] = pending(db)
    approved = suggestions.approve_suggestion(db, suggestion.id, now=NOW)
    po = supply.get_purchase_order(db, approved.purchase_order_id)
    assert approved.status == "approved" and po.status == "open" and po.supplier == suggestion.supplier
    assert [(li.sku, li.quantity) for li in po.lines] == [("KOPI", suggestion.quantity)]
    assert products.get_product(db, "KOPI").stock.incoming == suggestion.quantity

    for hour in (1, 2):  # the need is covered: repeated runs suggest nothing more
        run = run_plan(db, now=NOW + timedelta(hours=hour))
        assert pending(db) == [] and run.suggestions == []
    with pytest.raises(InvalidRequest, match="approved"):
        suggestions.approve_suggestion(db, suggestion.id, now=NOW)


def test_a_draft_purchase_order_counts_as_incoming_for_planning_but_not_for_etas(db: Database) -> None:
    shop(db, {"KOPI": 10.0}, on_hand=0)
    orders.place_order(db, OrderCreate.model_validate(
        {"customer": {"email": "a@contoh.id"}, "lines": [{"sku": "KOPI", "quantity": 2}]}), now=NOW)
    supply.create_purchase_order(db, PurchaseOrderCreate(
        supplier="MURAH", expected_at=TODAY + timedelta(days=5), lines=[{"sku": "KOPI", "quantity": 2000}],
        draft=True), now=NOW)
    run = run_plan(db, now=NOW)
    assert pending(db) == [] and next(p for p in run.plans if p.sku == "KOPI").incoming == 2000
    line = order_views.get_order(db, 1).lines[0]
    assert line.eta_confidence == "estimated"  # no customer promise rests on a draft


def test_waiting_backorders_expedite_from_the_faster_supplier(db: Database) -> None:
    shop(db, {"KOPI": 10.0}, on_hand=0)
    orders.place_order(db, OrderCreate.model_validate(
        {"customer": {"email": "a@contoh.id"}, "lines": [{"sku": "KOPI", "quantity": 5}]}), now=NOW)
    run_plan(db, now=NOW)
    [suggestion] = pending(db)
    assert suggestion.supplier == "CEPAT" and suggestion.expedite and suggestion.figures.backordered == 5
    assert suggestion.need_by == TODAY and suggestion.figures.risk == pytest.approx(1.0)


def test_the_cheaper_supplier_is_chosen_when_there_is_time(db: Database) -> None:
    shop(db, {"KOPI": 1.0}, on_hand=36)  # below the reorder point, but 36 days of cover: the 30-day one is in time
    run_plan(db, now=NOW)
    [suggestion] = pending(db)
    assert suggestion.supplier == "MURAH" and not suggestion.expedite
    assert suggestion.quantity >= 10 and suggestion.quantity % 6 == 0  # MOQ 10 in packs of 6


def test_an_alert_is_written_once_per_crossing_of_the_reorder_point(db: Database) -> None:
    shop(db, {"KOPI": 10.0})
    run_plan(db, now=NOW)
    run_plan(db, now=NOW + timedelta(hours=1))
    assert [a["sku"] for a in alerts(db)] == ["KOPI"]
    stock.adjust_stock(db, "KOPI", StockAdjustment(delta=5000, reason="stok datang"), now=NOW)
    run_plan(db, now=NOW + timedelta(hours=2))  # above: re-armed
    stock.adjust_stock(db, "KOPI", StockAdjustment(delta=-5000, reason="rusak"), now=NOW)
    run_plan(db, now=NOW + timedelta(hours=3))
    assert [a["sku"] for a in alerts(db)] == ["KOPI", "KOPI"]


def test_auto_mode_puts_one_purchase_order_per_supplier_and_date(db: Database) -> None:
    shop(db, {"KOPI": 1.0, "TEH": 1.0}, on_hand=36)
    run = run_plan(db, now=NOW, auto=True)
    [po_id] = run.purchase_orders
    po = supply.get_purchase_order(db, po_id)
    assert po.supplier == "MURAH" and sorted(li.sku for li in po.lines) == ["KOPI", "TEH"]
    assert pending(db) == [] and {s.status for s in run.suggestions} == {"approved"}


def test_a_planned_event_raises_the_reorder_point_by_its_extra_demand(db: Database) -> None:
    shop(db, {"KOPI": 10.0})
    before = next(p for p in run_plan(db, now=NOW).plans if p.sku == "KOPI")
    events.create_event(db, EventCreate(name="Flash sale 12.12", kind="flash_sale", starts_on=TODAY + timedelta(days=2),
                                        ends_on=TODAY + timedelta(days=2), skus=["KOPI"], expected_units=500), now=NOW)
    after = next(p for p in run_plan(db, now=NOW + timedelta(hours=1)).plans if p.sku == "KOPI")
    extra = after.forecast_lead_time - before.forecast_lead_time
    assert 480 < extra < 500  # 500 expected that day instead of the usual ~10
    assert after.quantity >= after.reorder_point - after.inventory_position > before.quantity
    assert after.events == ["Flash sale 12.12"]
    assert "Flash sale 12.12" in pending(db)[0].reason


def test_a_new_product_without_history_plans_on_the_sellers_expectation(db: Database) -> None:
    shop(db, {"KOPI": 10.0})
    products.create_product(db, ProductCreate(sku="BARU", name="Baru", expected_daily_demand=4), now=NOW)
    supply.set_offer(db, "MURAH", "BARU", OfferIn(unit_cost="30000"), now=NOW)
    plan = next(p for p in run_plan(db, now=NOW).plans if p.sku == "BARU")
    assert plan.demand_per_day == pytest.approx(4, rel=0.05) and plan.quantity > 0


# --- over HTTP -----------------------------------------------------------------------------------------


@pytest.fixture
def client(db: Database) -> Iterator[TestClient]:
    with TestClient(create_app(db), raise_server_exceptions=False) as test_client:
        test_client.headers["Authorization"] = f"Bearer {create_key(db, Role.STAFF)}"
        yield test_client


def test_replenishment_over_http(db: Database, client: TestClient) -> None:
    shop(db, {"KOPI": 10.0})
    run_plan(db, now=NOW)
    listed = client.get("/v1/replenishment").json()
    [item] = listed["items"]
    assert item["sku"] == "KOPI" and item["status"] == "pending" and listed["next_cursor"] is None
    assert set(item["figures"]) >= {"on_hand", "incoming", "backordered", "forecast_lead_time", "safety_stock",
                                    "reorder_point", "risk"}
    approved = client.post(f"/v1/replenishment/{item['id']}/approve", json={"quantity": 120, "draft": True})
    assert approved.status_code == 201 and approved.json()["purchase_order_id"]
    po = client.get(f"/v1/purchase-orders/{approved.json()['purchase_order_id']}").json()
    assert po["status"] == "draft" and po["lines"][0]["quantity"] == 120
    assert client.post(f"/v1/purchase-orders/{po['id']}/confirm").json()["status"] == "open"
    again = client.post(f"/v1/replenishment/{item['id']}/approve")
    assert again.status_code == 422 and again.json()["error"]["code"] == "validation_error"
    assert client.post("/v1/replenishment/999/approve").status_code == 404
    assert client.post(f"/v1/replenishment/{item['id']}/approve", json={"quantity": 0}).status_code == 422


def test_events_and_sales_history_over_http(db: Database, client: TestClient) -> None:
    shop(db, {"KOPI": 10.0}, days=5)
    created = client.post("/v1/events", json={"name": "Harbolnas", "kind": "flash_sale", "starts_on": "2026-12-12",
                                               "ends_on": "2026-12-12", "skus": ["KOPI"], "uplift": 4})
    assert created.status_code == 201 and created.json()["skus"] == ["KOPI"]
    assert client.post("/v1/events", json={"name": "x", "starts_on": "2026-12-12", "ends_on": "2026-12-12",
                                            "skus": ["KOPI"]}).status_code == 422
    assert client.post("/v1/events", json={"name": "x", "starts_on": "2026-12-12", "ends_on": "2026-12-12",
                                            "skus": ["NOPE"], "uplift": 2}).status_code == 404
    assert [e["name"] for e in client.get("/v1/events").json()["items"]] == ["Harbolnas"]
    csv_body = "date,sku,quantity\n2026-10-01,KOPI,3\n2026-10-02,KOPI,x\n"
    bad = client.post("/v1/sales-history", content=csv_body, headers={"Content-Type": "text/csv"})
    assert bad.status_code == 422 and "line 3" in bad.json()["error"]["message"]
    good = client.post("/v1/sales-history", content=csv_body.replace(",x", ",4"),
                       headers={"Content-Type": "text/csv"})
    assert good.status_code == 201 and good.json()["days"] == 2
    assert client.delete(f"/v1/events/{created.json()['id']}").status_code == 204
    assert client.delete(f"/v1/events/{created.json()['id']}").status_code == 404


def test_a_products_forecast_over_http_carries_its_planned_events(db: Database, client: TestClient) -> None:
    shop(db, {"KOPI": 10.0})
    today = shop_date(datetime.now(UTC), get_settings().timezone)
    day = today + timedelta(days=2)
    event = {"name": "Promo Gajian", "starts_on": day.isoformat(), "ends_on": day.isoformat(), "skus": ["KOPI"],
             "uplift": 3}
    assert client.post("/v1/events", json=event).status_code == 201
    shown = client.get("/v1/products/KOPI/forecast", params={"days": 7})
    assert shown.status_code == 200, shown.text
    body = shown.json()
    assert body["sku"] == "KOPI" and len(body["days"]) == 7 and body["days"][0]["date"] == today.isoformat()
    promo = next(d for d in body["days"] if d["date"] == day.isoformat())
    assert promo["mean"] == pytest.approx(3 * promo["base_mean"], rel=1e-3) and "Promo Gajian" in promo["events"]
    assert all(d["lo_95"] <= d["lo_80"] <= d["mean"] <= d["hi_80"] <= d["hi_95"] for d in body["days"])
    base = client.get("/v1/products/KOPI/forecast", params={"days": 7, "base": "true"}).json()
    assert next(d for d in base["days"] if d["date"] == day.isoformat())["mean"] == promo["base_mean"]
    assert client.get("/v1/products/NOPE/forecast").status_code == 404
    assert client.get("/v1/products/KOPI/forecast", params={"days": 0}).status_code == 422


def test_the_contract_gives_the_forecasts_shape_as_the_openapi_document_does(client: TestClient) -> None:
    import re
    from pathlib import Path

    contract = (Path(__file__).parents[2] / "docs" / "api-contract.md").read_text()
    entry = contract[contract.index("`GET /v1/products/{sku}/forecast"):contract.index("## Storefront")]
    documented = set(re.findall(r"\b([a-z_0-9]+)(?=[,:])", entry.split("→", 1)[1].split("`:", 1)[0]))
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    assert documented == set(schemas["ForecastOut"]["properties"]) | set(schemas["ForecastDay"]["properties"])
    assert "/v1/products/{sku}/forecast" in client.get("/openapi.json").json()["paths"]


def test_approving_with_another_supplier_uses_that_supplier(db: Database) -> None:
    shop(db, {"KOPI": 10.0})
    run_plan(db, now=NOW)
    [suggestion] = pending(db)
    other = "MURAH" if suggestion.supplier == "CEPAT" else "CEPAT"
    approved = suggestions.approve_suggestion(db, suggestion.id, ApproveSuggestion(supplier=other,
                                                                                expected_at=date(2027, 1, 5)), now=NOW)
    po = supply.get_purchase_order(db, approved.purchase_order_id)
    assert po.supplier == other and po.expected_at == date(2027, 1, 5)


def test_a_dismissed_suggestion_is_set_aside_until_the_next_run_finds_the_need_again(db: Database) -> None:
    shop(db, {"KOPI": 10.0})
    run_plan(db, now=NOW)
    [suggestion] = pending(db)
    assert suggestions.dismiss_suggestion(db, suggestion.id, now=NOW).status == "dismissed"
    assert pending(db) == []
    with pytest.raises(InvalidRequest, match="dismissed"):
        suggestions.dismiss_suggestion(db, suggestion.id, now=NOW)
    run_plan(db, now=NOW + timedelta(hours=1))
    [again] = pending(db)
    assert again.id != suggestion.id and again.sku == "KOPI"


def test_only_a_draft_purchase_order_can_be_confirmed(db: Database) -> None:
    shop(db, {"KOPI": 1.0}, days=5)
    spec = PurchaseOrderCreate(supplier="MURAH", expected_at=TODAY + timedelta(days=9),
                               lines=[{"sku": "KOPI", "quantity": 12}])
    opened = supply.create_purchase_order(db, spec, now=NOW)
    with pytest.raises(InvalidRequest, match="only drafts"):
        supply.confirm_purchase_order(db, opened.id, now=NOW)
    draft = supply.create_purchase_order(db, spec.model_copy(update={"draft": True}), now=NOW)
    assert draft.status == "draft" and supply.confirm_purchase_order(db, draft.id, now=NOW).status == "open"


def test_sign_ups_while_out_of_stock_raise_the_forecast_by_the_measured_conversion(db: Database) -> None:
    """Issue 14: a product out of stock for its last 20 days, with 200 shoppers signed up meanwhile, is forecast
    higher than the same history without them — by about sign-ups × conversion (1/3 before any wave)."""
    from sqlalchemy import insert

    from inden.db.models import Product, Subscription
    from inden.services.planning.snapshot import forecast_snapshot, take_snapshot

    rng = np.random.default_rng(11)
    products.create_product(db, ProductCreate(sku="TAS", name="Tas", price="60000"), now=NOW - timedelta(days=140))
    rows = [f"{(TODAY - timedelta(days=d)).isoformat()},TAS,{rng.poisson(6) if d > 20 else 0}" for d in range(1, 141)]
    import_sales(db, "date,sku,quantity\n" + "\n".join(rows), now=NOW)

    def mean_forecast() -> float:
        snapshot = take_snapshot(db, now=NOW)
        paths = forecast_snapshot(snapshot, horizon=14).paths
        return float(paths.loc[paths["unique_id"] == "TAS", "mean"].mean())

    without = mean_forecast()
    with db.transaction() as session:
        product_id = session.scalar(select(Product.id).where(Product.sku == "TAS"))
        session.execute(insert(Subscription), [
            {"product_id": product_id, "email": f"pembeli{n:03d}@contoh.id", "locale": "id", "status": "confirmed",
             "created_at": NOW - timedelta(days=1 + n % 20),
             "confirmed_at": NOW - timedelta(days=1 + n % 20)} for n in range(200)])
    snapshot = take_snapshot(db, now=NOW)
    assert snapshot.sign_ups == {"TAS": 200}
    with_them = mean_forecast()
    # 200 sign-ups over 20 days at a conversion of 1/3: ~3.3 units a day the sales did not show.
    assert with_them > without + 1.0, (without, with_them)
    supply.create_supplier(db, SupplierCreate(code="CEPAT", name="PT Cepat", lead_time_days=3), now=NOW)
    supply.set_offer(db, "CEPAT", "TAS", OfferIn(unit_cost="33000"), now=NOW)
    plan = run_plan(db, now=NOW)
    [tas] = [p for p in plan.plans if p.sku == "TAS"]
    assert tas.quantity > 0 and "200 shopper(s) signed up while out of stock: about 67 unit(s)" in tas.reason
    from inden.services.back_office.plan import pending_suggestions

    [row] = [r for r in pending_suggestions(db, locale="en").items if r.sku == "TAS"]  # the back office too
    assert ("200 shopper(s) signed up while out of stock: about 67 unit(s) of demand the sales did not show."
            in row.reasons)
