"""Demand history (own orders, refusals, imports), the sales import and the event calendar, on both databases."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from inden.config import get_settings
from inden.db.models import SalesHistory
from inden.db.session import Database
from inden.domain.errors import InvalidRequest, OutOfStock, UnknownSku
from inden.services import events, placing, products, stock
from inden.services.demand import load_demand_history
from inden.services.sales_import import import_sales
from inden.services.schemas.orders import OrderCreate
from inden.services.schemas.planning import EventCreate
from inden.services.schemas.products import ProductCreate, StockAdjustment

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)  # 10:00 in Jakarta


def add(db: Database, sku: str, **fields: object) -> None:
    products.create_product(db, ProductCreate.model_validate({"sku": sku, "name": sku, **fields}),
                            now=NOW - timedelta(days=400))


def buy(db: Database, sku: str, quantity: int, at: datetime) -> None:
    placing.place_order(db, OrderCreate.model_validate(
        {"customer": {"email": "sari@contoh.id"}, "lines": [{"sku": sku, "quantity": quantity}]}), now=at)


def history(db: Database, since: date, until: date) -> dict[tuple[str, date], tuple[float, bool]]:
    with db.transaction() as session:
        frame = load_demand_history(session, since=since, until=until, timezone=get_settings().timezone)
    return {(r.unique_id, r.ds.date()): (r.y, r.censored) for r in frame.itertuples()}


def imported_rows(db: Database) -> list[tuple[date, int]]:
    with db.transaction() as session:
        return [tuple(r) for r in session.execute(select(SalesHistory.day, SalesHistory.quantity)
                                                   .order_by(SalesHistory.day))]


# --- sales import --------------------------------------------------------------------------------------


def test_import_adds_rows_of_one_day_together_and_a_second_import_replaces_the_first(db: Database) -> None:
    add(db, "KOPI")
    text = "date,sku,quantity,price\n2026-11-01,KOPI,3,25000\n2026-11-01,KOPI,2,25000\n2026-11-03,KOPI,0,\n"
    result = import_sales(db, text, now=NOW)
    assert (result.rows, result.skus, result.days) == (3, 1, 2)
    assert imported_rows(db) == [(date(2026, 11, 1), 5), (date(2026, 11, 3), 0)]
    import_sales(db, text, now=NOW)
    assert imported_rows(db) == [(date(2026, 11, 1), 5), (date(2026, 11, 3), 0)]
    import_sales(db, "sku,quantity,date\nKOPI,7,2026-11-02\n", now=NOW)  # inside the span: replaced day by day
    assert imported_rows(db) == [(date(2026, 11, 1), 5), (date(2026, 11, 2), 7), (date(2026, 11, 3), 0)]


def test_a_bad_file_names_every_bad_line_and_imports_nothing(db: Database) -> None:
    add(db, "KOPI")
    text = ("date,sku,quantity\n2026-11-01,KOPI,3\n01/11/2026,KOPI,2\n2026-11-02,KO PI,1\n"
            "2026-11-03,KOPI,-4\n2026-11-04,KOPI,dua\n2026-11-05,KOPI,1,extra\n")
    with pytest.raises(InvalidRequest) as error:
        import_sales(db, text, now=NOW)
    message = error.value.message
    for line in ("line 3: date", "line 4: sku", "line 5: quantity -4", "line 6: quantity 'dua'",
                 "line 7: has more cells"):
        assert line in message
    assert "line 2" not in message and imported_rows(db) == []


def test_unknown_skus_are_refused_unless_asked_to_create_them(db: Database) -> None:
    text = "date,sku,quantity\n2026-11-01,BARU-1,3\n"
    with pytest.raises(InvalidRequest, match="line 2: no product with SKU 'BARU-1'"):
        import_sales(db, text, now=NOW)
    result = import_sales(db, text, create_products=True, now=NOW)
    assert result.created_products == ["BARU-1"] and products.get_product(db, "BARU-1").name == "BARU-1"


@pytest.mark.parametrize("text", ["", "tanggal,sku,qty\n2026-11-01,KOPI,1\n", "date,sku,quantity\n"])
def test_a_file_without_the_columns_or_rows_is_refused(db: Database, text: str) -> None:
    with pytest.raises(InvalidRequest):
        import_sales(db, text, now=NOW)


# --- demand history ------------------------------------------------------------------------------------


def test_demand_counts_orders_by_shop_day_refusals_as_censored_and_imports(db: Database) -> None:
    add(db, "TEH", backorder_policy="deny")
    stock.adjust_stock(db, "TEH", StockAdjustment(delta=3, reason="stok awal"), now=NOW - timedelta(days=10))
    # 23:30 UTC on 28 Nov is 06:30 on 29 Nov in Jakarta: a shop-day 29 Nov order.
    buy(db, "TEH", 2, datetime(2026, 11, 28, 23, 30, tzinfo=UTC))
    with pytest.raises(OutOfStock):
        buy(db, "TEH", 4, datetime(2026, 11, 30, 2, 0, tzinfo=UTC))  # only 1 left: refused, lost demand
    import_sales(db, "date,sku,quantity\n2026-11-27,TEH,6\n", now=NOW)

    seen = history(db, date(2026, 11, 26), date(2026, 11, 30))
    assert seen[("TEH", date(2026, 11, 27))] == (6.0, False)
    assert seen[("TEH", date(2026, 11, 28))] == (0.0, False)
    assert seen[("TEH", date(2026, 11, 29))] == (2.0, False)
    assert seen[("TEH", date(2026, 11, 30))] == (4.0, True)  # asked for 4, refused: demand, but censored
    assert len([k for k in seen if k[0] == "TEH"]) == 5  # every day of the span, gaps as zero


def test_a_new_product_history_starts_when_it_was_created(db: Database) -> None:
    products.create_product(db, ProductCreate(sku="BARU", name="Baru"), now=NOW - timedelta(days=2))
    buy(db, "BARU", 1, NOW - timedelta(days=1))
    seen = history(db, date(2026, 11, 1), date(2026, 11, 30))
    assert sorted(d for s, d in seen if s == "BARU") == [date(2026, 11, 29), date(2026, 11, 30)]


# --- events --------------------------------------------------------------------------------------------


def test_an_event_is_stored_with_its_skus_and_a_past_event_shows_its_measured_uplift(db: Database) -> None:
    add(db, "KOPI")
    days = [date(2026, 10, 1) + timedelta(days=i) for i in range(40)]
    rows = "".join(f"{d.isoformat()},KOPI,{12 if date(2026, 11, 1) <= d <= date(2026, 11, 3) else 4}\n"
                   for d in days)
    import_sales(db, "date,sku,quantity\n" + rows, now=NOW)
    past = events.create_event(db, EventCreate(name="Promo 11.11 awal", kind="flash_sale", starts_on=date(2026, 11, 1),
                                               ends_on=date(2026, 11, 3), skus=["KOPI"], uplift=2.5), now=NOW)
    coming = events.create_event(db, EventCreate(name="12.12", starts_on=date(2026, 12, 12), ends_on=date(2026, 12, 12),
                                                 skus=["KOPI"], expected_units=300), now=NOW)
    assert past.measured_uplift == pytest.approx(3.0) and past.baseline_per_day == pytest.approx(4.0)
    assert coming.measured_uplift is None and coming.skus == ["KOPI"] and coming.expected_units == 300
    assert [e.name for e in events.list_events(db, now=NOW)] == ["12.12", "Promo 11.11 awal"]


def test_several_past_events_are_each_measured_on_their_own_skus_and_days(db: Database) -> None:
    add(db, "KOPI")
    add(db, "TEH")
    days = [date(2026, 10, 1) + timedelta(days=i) for i in range(40)]
    kopi = "".join(f"{d},KOPI,{12 if date(2026, 11, 1) <= d <= date(2026, 11, 3) else 4}\n" for d in days)
    teh = "".join(f"{d},TEH,{10 if date(2026, 10, 30) <= d <= date(2026, 10, 31) else 2}\n" for d in days)
    import_sales(db, "date,sku,quantity\n" + kopi + teh, now=NOW)
    for name, sku, start, end in (("Kopi", "KOPI", date(2026, 11, 1), date(2026, 11, 3)),
                                  ("Teh", "TEH", date(2026, 10, 30), date(2026, 10, 31))):
        events.create_event(db, EventCreate(name=name, starts_on=start, ends_on=end, skus=[sku], uplift=2), now=NOW)
    measured = {e.name: (e.measured_uplift, e.baseline_per_day) for e in events.list_events(db, now=NOW)}
    assert measured["Kopi"] == (pytest.approx(3.0), pytest.approx(4.0))
    assert measured["Teh"] == (pytest.approx(5.0), pytest.approx(2.0))


def test_an_event_for_an_unknown_sku_writes_nothing(db: Database) -> None:
    add(db, "KOPI")
    with pytest.raises(UnknownSku):
        events.create_event(db, EventCreate(name="x", starts_on=date(2026, 12, 1), ends_on=date(2026, 12, 2),
                                            skus=["KOPI", "HILANG"], uplift=2), now=NOW)
    assert events.list_events(db, now=NOW) == []


@pytest.mark.parametrize("fields", [
    {"uplift": 2, "expected_units": 10}, {}, {"uplift": 2, "ends_on": "2026-11-30"}, {"uplift": 0},
    {"uplift": 2, "skus": ["KOPI", "KOPI"]},
])
def test_event_input_rules(fields: dict[str, object]) -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        EventCreate.model_validate({"name": "x", "starts_on": "2026-12-01", "ends_on": "2026-12-02",
                                    "skus": ["KOPI"], **fields})

