"""The back office's pages and forms over HTTP on both databases: what a seller sees and changes, and that bad
input is shown beside its field and changes nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from inden.api.app import create_app
from inden.db.models import OutboxEvent
from inden.db.session import Database
from inden.services import accounts, placing, products, stock
from inden.services.accounts import UserRole
from inden.services.order_views import get_order
from inden.services.schemas.orders import OrderCreate
from inden.services.schemas.products import ProductCreate, StockAdjustment

OWNER, PASSWORD = "pemilik@toko.id", "rahasia-toko-123"


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found
    return found.group(1)


@pytest.fixture
def client(db: Database) -> Iterator[TestClient]:
    """A logged-in owner's browser."""
    accounts.add_user(db, OWNER, UserRole.OWNER, password=PASSWORD)
    with TestClient(create_app(db), raise_server_exceptions=False, follow_redirects=False) as test_client:
        token = csrf_of(test_client.get("/login").text)
        assert test_client.post("/login", data={"email": OWNER, "password": PASSWORD,
                                                "csrf_token": token}).status_code == 303
        yield test_client


def post(client: TestClient, path: str, data: dict[str, str], *, page: str = "/") -> object:
    return client.post(path, data={**data, "csrf_token": csrf_of(client.get(page).text)})


def test_a_new_product_is_created_from_the_form_and_shown_with_its_name(client: TestClient, db: Database) -> None:
    done = post(client, "/products/new", {"sku": "SERUM-VITC-30", "name": "Serum Vitamin C 30 ml",
                                          "backorder_policy": "allow", "lead_time_days": "14", "price": "125.000"})
    assert done.status_code == 303 and done.headers["location"].startswith("/products/SERUM-VITC-30")
    assert products.get_product(db, "SERUM-VITC-30").price == 125000
    listing = client.get("/products", params={"q": "serum"}).text
    assert "Serum Vitamin C 30 ml" in listing and "SERUM-VITC-30" in listing
    page = client.get("/products/SERUM-VITC-30").text
    assert "Rp125.000" in page and "<title>Serum Vitamin C 30 ml · inden</title>" in page
    assert page.count('id="history-title"') == 1


def test_bad_product_input_is_shown_beside_each_field_and_nothing_is_created(client: TestClient,
                                                                            db: Database) -> None:
    answer = post(client, "/products/new", {"sku": "bad sku!", "name": "", "backorder_policy": "preorder",
                                            "lead_time_days": "x"})
    assert answer.status_code == 422
    html = answer.text
    assert "Ada masalah" in html  # the error summary
    assert html.count('class="field-error"') == 4  # sku, name, release date, lead time
    assert 'href="#f-sku"' in html and 'href="#f-lead_time_days"' in html
    assert products.list_products(db).items == []


def test_a_stock_adjustment_serves_the_waiting_customer_and_a_too_large_one_changes_nothing(
        client: TestClient, db: Database) -> None:
    products.create_product(db, ProductCreate(sku="KOPI-250", name="Kopi Gayo 250 g"))
    placing.place_order(db, OrderCreate.model_validate({"customer": {"email": "siti@contoh.id"},
                                                       "lines": [{"sku": "KOPI-250", "quantity": 2}]}))
    page = client.get("/products/KOPI-250").text
    assert "siti@contoh.id" in page and "<svg" in page  # the queue and the chart
    done = post(client, "/products/KOPI-250/stock", {"delta": "5", "reason": "stok opname"}, page="/products/KOPI-250")
    assert done.status_code == 303
    after = products.get_product(db, "KOPI-250").stock
    assert (after.on_hand, after.allocated, after.backordered) == (5, 2, 0)
    refused = post(client, "/products/KOPI-250/stock", {"delta": "-4", "reason": "rusak"}, page="/products/KOPI-250")
    assert refused.status_code == 422 and "Hanya 3 unit" in refused.text
    assert products.get_product(db, "KOPI-250").stock.on_hand == 5


def test_product_settings_change_from_the_page(client: TestClient, db: Database) -> None:
    products.create_product(db, ProductCreate(sku="TUMBLER", name="Tumbler"))
    done = post(client, "/products/TUMBLER/settings", {"name": "Tumbler Edisi Terbatas", "backorder_policy": "deny",
                                                       "max_per_customer": "2", "lead_time_days": "10",
                                                       "backorder_limit": "5", "backorder_limit_basis": "incoming"},
                page="/products/TUMBLER")
    assert done.status_code == 303
    product = products.get_product(db, "TUMBLER")
    assert (product.name, product.backorder_policy.value, product.max_per_customer, product.backorder_limit,
            product.backorder_limit_basis.value) == ("Tumbler Edisi Terbatas", "deny", 2, 5, "incoming")


def test_an_order_is_found_by_email_and_cancelled_in_part_from_its_page(client: TestClient, db: Database) -> None:
    products.create_product(db, ProductCreate(sku="KAOS-M", name="Kaos Hitam M"))
    stock.adjust_stock(db, "KAOS-M", StockAdjustment(delta=1, reason="awal"))
    placed = placing.place_order(db, OrderCreate.model_validate({"customer": {"email": "budi@contoh.id"},
                                                                "lines": [{"sku": "KAOS-M", "quantity": 3}]}))
    order_id = placed.id
    found = client.get("/orders", params={"q": "budi@"}).text
    assert f"/orders/{order_id}" in found
    assert "Kaos Hitam M" in client.get(f"/orders/{order_id}").text
    done = post(client, f"/orders/{order_id}/cancel", {"scope": "lines", "qty:KAOS-M": "2"}, page=f"/orders/{order_id}")
    assert done.status_code == 303
    line = get_order(db, order_id).lines[0]
    assert (line.cancelled, line.backordered, line.allocated) == (2, 0, 1)
    too_many = post(client, f"/orders/{order_id}/ship", {"scope": "lines", "qty:KAOS-M": "5"},
                    page=f"/orders/{order_id}")
    assert too_many.status_code == 422 and 'class="field-error"' in too_many.text
    assert get_order(db, order_id).lines[0].shipped == 0


def test_the_owner_creates_a_staff_member_and_an_api_key_from_settings(client: TestClient, db: Database) -> None:
    added = post(client, "/settings/users", {"email": "staf@toko.id", "role": "staff"}, page="/settings")
    assert added.status_code == 200 and "/setup/" in added.text
    assert [u.email for u in accounts.list_users(db)] == [OWNER, "staf@toko.id"]
    key = post(client, "/settings/keys", {"key_role": "storefront"}, page="/settings")
    assert "inden_store_" in key.text
    assert "<td>Etalase (halaman toko)</td>" in key.text and "<td>storefront</td>" not in key.text  # its role, in words
    duplicate = post(client, "/settings/users", {"email": "staf@toko.id", "role": "staff"}, page="/settings")
    assert duplicate.status_code == 422 and "Sudah ada akun" in duplicate.text
    configuration = client.get("/settings").text  # unset and yes/no settings in the page's language
    assert "<dd>None</dd>" not in configuration and "<dd>False</dd>" not in configuration
    assert "<code>INDEN_AUTO_PURCHASE</code></dt><dd>tidak</dd>" in configuration


def eta_messages(db: Database) -> int:
    with db.transaction() as session:
        return int(session.scalar(select(func.count()).where(OutboxEvent.event_type == "eta_changed")) or 0)


def test_a_purchase_order_is_created_moved_after_a_preview_and_received(client: TestClient, db: Database) -> None:
    products.create_product(db, ProductCreate(sku="SERUM", name="Serum Vitamin C"))
    for n in range(3):
        placing.place_order(db, OrderCreate.model_validate({"customer": {"email": f"c{n}@contoh.id"},
                                                           "lines": [{"sku": "SERUM", "quantity": 1}]}))
    assert post(client, "/suppliers", {"code": "PT-SINAR", "name": "PT Sinar Ayu", "lead_time_days": "21"},
                page="/suppliers").status_code == 303
    bad = post(client, "/purchase-orders/new", {"supplier": "PT-SINAR", "expected_at": "2026-13-01",
                                                "sku_1": "SERUM", "qty_1": "0"}, page="/purchase-orders/new")
    assert bad.status_code == 422 and 'href="#f-expected_at"' in bad.text and 'href="#f-qty_1"' in bad.text
    created = post(client, "/purchase-orders/new", {"supplier": "PT-SINAR", "expected_at": "2030-01-10",
                                                    "sku_1": "SERUM", "qty_1": "5", "cost_1": "40000"},
                   page="/purchase-orders/new")
    assert created.status_code == 303
    po_path = created.headers["location"].split("?")[0]
    before = eta_messages(db)
    preview = post(client, f"{po_path}/move", {"expected_at": "2030-01-20"}, page=po_path)
    assert preview.status_code == 200 and eta_messages(db) == before  # nothing written by the preview
    shown = int(re.search(r'id="preview-messages">(\d+)', preview.text).group(1))  # type: ignore[union-attr]
    assert shown == 3 and "3 pelanggan" in preview.text
    moved = post(client, f"{po_path}/move", {"expected_at": "2030-01-20", "confirm": "1"}, page=po_path)
    assert moved.status_code == 303 and eta_messages(db) - before == shown
    received = post(client, f"{po_path}/receive", {"qty:SERUM": "5"}, page=po_path)
    assert received.status_code == 303
    stock_now = products.get_product(db, "SERUM").stock
    assert (stock_now.backordered, stock_now.allocated, stock_now.on_hand) == (0, 3, 5)


def test_a_malformed_page_address_is_a_404_page_and_the_api_keeps_its_json(client: TestClient) -> None:
    answer = client.get("/orders/abc")
    assert answer.status_code == 404 and answer.headers["content-type"].startswith("text/html")
    assert client.get("/v1/orders/abc").json()["error"]["code"] in ("unauthorized", "validation_error")
