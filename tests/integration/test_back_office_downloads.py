"""CSV downloads stream stable columns on SQLite and PostgreSQL, and a download never holds up orders."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from inden.db.session import Database
from inden.services import supply
from inden.services.back_office import downloads
from inden.services.back_office.catalogue import ProductFilter, ProductQuery
from inden.services.planning import suggestions
from inden.services.schemas.supply import PurchaseOrderCreate
from tests.integration.test_back_office_actions import suggestion
from tests.integration.test_back_office_reads import NOW, TODAY, buy, shop


def rows(chunks: object) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO("".join(chunks))))  # type: ignore[arg-type]


def test_the_products_download_has_every_product_with_its_stock(db: Database) -> None:
    shop(db)
    buy(db, "TONER", 4)
    supply.create_purchase_order(db, PurchaseOrderCreate(supplier="PT-GLOW", expected_at=TODAY + timedelta(days=7),
                                                         lines=[{"sku": "TONER", "quantity": 10}]), now=NOW)
    found = rows(downloads.products_csv(db, now=NOW))
    assert [r["sku"] for r in found] == ["Lip-Tint", "MASKER", "SERUM", "TONER"]
    assert tuple(found[0]) == downloads.PRODUCT_COLUMNS
    toner = found[3]
    assert (toner["name"], toner["on_hand"], toner["available"], toner["waiting"], toner["incoming"]) == (
        "Toner Mawar", "0", "0", "4", "10")
    assert found[1]["max_per_customer"] == "2" and found[0]["below_reorder_point"] == "false"
    waiting = rows(downloads.products_csv(db, ProductQuery(filters=frozenset({ProductFilter.BACKORDERS})), now=NOW))
    assert [r["sku"] for r in waiting] == ["TONER"]


def test_the_backorders_download_lists_each_queue_in_order(db: Database) -> None:
    shop(db)
    first = buy(db, "TONER", 2, email="a@contoh.id", at=1)
    second = buy(db, "TONER", 1, email="b@contoh.id", at=2)
    found = rows(downloads.backorders_csv(db))
    assert [(r["sku"], r["position"], r["order_id"], r["customer_email"], r["units"]) for r in found] == [
        ("TONER", "1", str(first), "a@contoh.id", "2"), ("TONER", "2", str(second), "b@contoh.id", "1")]
    assert found[0]["eta_confidence"] == "estimated" and found[0]["waiting_since"] == (
        NOW + timedelta(seconds=1)).isoformat()
    assert rows(downloads.backorders_csv(db, sku="SERUM")) == []


def test_the_plan_download_lists_pending_suggestions(db: Database) -> None:
    from tests.integration.test_back_office_actions import set_up

    set_up(db)
    urgent, calm = suggestion(db, "TONER", risk=0.8), suggestion(db, "SERUM", risk=0.1)
    suggestions.dismiss_suggestion(db, calm, now=NOW)
    found = rows(downloads.plan_csv(db))
    assert [(r["suggestion_id"], r["sku"], r["supplier"], r["quantity"], r["risk"]) for r in found] == [
        (str(urgent), "TONER", "PT-GLOW", "12", "0.8")]
    assert tuple(found[0]) == downloads.PLAN_COLUMNS


def test_an_empty_download_still_has_its_header(db: Database) -> None:
    assert "".join(downloads.backorders_csv(db)) == ",".join(downloads.BACKORDER_COLUMNS) + "\n"


def test_orders_are_taken_while_a_download_is_half_read(db: Database) -> None:
    shop(db)
    stream = downloads.products_csv(db, now=NOW)
    header = next(stream)  # the download's snapshot is open until the stream ends
    order_id = buy(db, "SERUM", 1, email="late@contoh.id")  # a writer is not held up by it
    rest = "".join(stream)
    assert header.startswith("sku,name") and order_id > 0 and "SERUM" in header + rest
