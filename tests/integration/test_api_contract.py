"""The HTTP contract of API.md: shapes, auth, and bad input answered with a clear 4xx that changes nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from inden.api.app import create_app
from inden.db.session import Database
from inden.services.keys import Role, create_key


@pytest.fixture
def client(db: Database) -> Iterator[TestClient]:
    with TestClient(create_app(db), raise_server_exceptions=False) as test_client:
        test_client.headers["Authorization"] = f"Bearer {create_key(db, Role.STAFF)}"
        yield test_client


def error_code(response) -> str:  # type: ignore[no-untyped-def]
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    return body["error"]["code"]


def make_product(client: TestClient, sku: str = "KAOS-HITAM-M", units: int = 2, **fields: object) -> None:
    assert client.post("/v1/products", json={"sku": sku, "name": "Kaos Hitam M", **fields}).status_code == 201
    if units:
        response = client.post(f"/v1/products/{sku}/stock-adjustments", json={"delta": units, "reason": "stok awal"})
        assert response.status_code == 201


def test_product_json_carries_stock_and_money_as_decimal_string(client: TestClient) -> None:
    make_product(client, price="125000")
    body = client.get("/v1/products/KAOS-HITAM-M").json()
    assert body["price"] == "125000.00"
    assert body["stock"] == {"on_hand": 2, "allocated": 0, "available": 2, "backordered": 0, "incoming": 0}


def test_order_lifecycle_over_http(client: TestClient) -> None:
    make_product(client)
    created = client.post("/v1/orders", json={
        "customer": {"email": "siti@contoh.id", "name": "Siti"}, "lines": [{"sku": "KAOS-HITAM-M", "quantity": 3}]})
    assert created.status_code == 201
    order = created.json()
    assert order["status"] == "partially_backordered"
    assert order["lines"][0]["position"] == 1 and order["lines"][0]["backordered"] == 1
    assert client.get("/v1/backorders").json()["items"][0]["order_id"] == order["id"]
    shipped = client.post(f"/v1/orders/{order['id']}/shipments", json={"lines": None})
    assert shipped.status_code == 201 and shipped.json()["lines"] == [{"sku": "KAOS-HITAM-M", "quantity": 2}]
    cancelled = client.post(f"/v1/orders/{order['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["lines"][0]["cancelled"] == 1
    listed = client.get("/v1/orders", params={"status": "shipped", "sku": "KAOS-HITAM-M"}).json()
    assert [o["id"] for o in listed["items"]] == [order["id"]]


def test_lists_page_with_cursors(client: TestClient) -> None:
    for n in range(5):
        make_product(client, sku=f"SKU-{n}", units=0)
    seen, cursor = [], None
    while True:
        page = client.get("/v1/products", params={"limit": 2, **({"cursor": cursor} if cursor else {})}).json()
        seen += [p["sku"] for p in page["items"]]
        if not (cursor := page["next_cursor"]):
            break
    assert seen == [f"SKU-{n}" for n in range(5)]
    assert error_code(client.get("/v1/products", params={"cursor": "not-a-cursor"})) == "validation_error"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"customer": {"email": "a@contoh.id"}, "lines": [{"sku": "KAOS-HITAM-M", "quantity": 0}]}, "quantity"),
        ({"customer": {"email": "a@contoh.id"}, "lines": [{"sku": "KAOS-HITAM-M", "quantity": -1}]}, "quantity"),
        ({"customer": {"email": "a@contoh.id"}, "lines": [{"sku": "KAOS-HITAM-M", "quantity": 10**30}]}, "quantity"),
        ({"customer": {"email": "a@contoh.id"}, "lines": [{"sku": "bad sku!", "quantity": 1}]}, "sku"),
        ({"customer": {"email": "not-an-email"}, "lines": [{"sku": "KAOS-HITAM-M", "quantity": 1}]}, "email"),
        ({"customer": {"email": "a@contoh.id"}, "lines": []}, "lines"),
        ({"customer": {"email": "a@contoh.id"}, "lines": [{"sku": "KAOS-HITAM-M", "quantity": 1}], "extra": 1},
         "extra"),
        ({"customer": {"email": "a@contoh.id"}, "lines": [{"sku": "KAOS-HITAM-M", "quantity": 1},
                                                          {"sku": "KAOS-HITAM-M", "quantity": 1}]}, "lines"),
        ({"customer": {"email": "a@contoh.id"}, "lines": [{"sku": "KAOS-HITAM-M", "quantity": 1}],
          "priority": 10**30}, "priority"),
    ],
)
def test_bad_order_input_is_a_validation_error_that_changes_nothing(client: TestClient, body, field) -> None:  # type: ignore[no-untyped-def]
    make_product(client)
    response = client.post("/v1/orders", json=body)
    assert response.status_code == 422 and error_code(response) == "validation_error"
    assert field in str(response.json()["error"]["details"])
    assert client.get("/v1/products/KAOS-HITAM-M").json()["stock"]["allocated"] == 0


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status", "code"),
    [
        ("post", "/v1/orders", {"content": b"{not json", "headers": {"Content-Type": "application/json"}}, 422,
         "validation_error"),
        ("post", "/v1/orders", {"json": {"customer": {"email": "a@contoh.id"},
                                         "lines": [{"sku": "TIDAK-ADA", "quantity": 1}]}}, 404, "not_found"),
        ("get", "/v1/orders/999", {}, 404, "not_found"),
        ("get", "/v1/orders/100000000000000000000000000000", {}, 422, "validation_error"),
        ("get", "/v1/products/bad%20sku", {}, 422, "validation_error"),
        ("post", "/v1/products/KAOS-HITAM-M/stock-adjustments", {"json": {"delta": 0, "reason": "x"}}, 422,
         "validation_error"),
        ("post", "/v1/products/KAOS-HITAM-M/stock-adjustments", {"json": {"delta": -3, "reason": "rusak"}}, 409,
         "insufficient_stock"),
        ("post", "/v1/products", {"json": {"sku": "KAOS-HITAM-M", "name": "lagi"}}, 422, "validation_error"),
        ("get", "/v1/nowhere", {}, 404, "not_found"),
        ("get", "/v1/orders", {"params": {"limit": 1001}}, 422, "validation_error"),
    ],
)
def test_errors_use_the_api_error_shape(client: TestClient, method, path, kwargs, status, code) -> None:  # type: ignore[no-untyped-def]
    make_product(client)
    response = getattr(client, method)(path, **kwargs)
    assert (response.status_code, error_code(response)) == (status, code)
    assert client.get("/v1/products/KAOS-HITAM-M").json()["stock"]["on_hand"] == 2


def test_out_of_stock_names_the_lines(client: TestClient) -> None:
    make_product(client, backorder_policy="deny")
    response = client.post("/v1/orders", json={
        "customer": {"email": "a@contoh.id"}, "lines": [{"sku": "KAOS-HITAM-M", "quantity": 5}]})
    assert response.status_code == 409 and error_code(response) == "out_of_stock"
    assert response.json()["error"]["details"]["lines"][0]["sku"] == "KAOS-HITAM-M"


def test_keys_and_roles_are_enforced(client: TestClient, db: Database) -> None:
    assert error_code(client.get("/v1/products", headers={"Authorization": ""})) == "unauthorized"
    response = client.get("/v1/products", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401 and error_code(response) == "unauthorized"
    storefront = {"Authorization": f"Bearer {create_key(db, Role.STOREFRONT)}"}
    response = client.post("/v1/orders", json={}, headers=storefront)
    assert response.status_code == 403 and error_code(response) == "forbidden"


def test_request_bodies_over_one_mebibyte_are_refused(client: TestClient) -> None:
    response = client.post("/v1/products", content=b"x" * (1024 * 1024 + 1),
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 413 and error_code(response) == "payload_too_large"


def test_openapi_document_lists_the_contract(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in ["/v1/products", "/v1/products/{sku}", "/v1/products/{sku}/stock-adjustments", "/v1/orders",
                 "/v1/orders/{order_id}", "/v1/orders/{order_id}/cancel", "/v1/orders/{order_id}/shipments",
                 "/v1/backorders", "/v1/suppliers", "/v1/purchase-orders", "/v1/purchase-orders/{po_id}",
                 "/v1/purchase-orders/{po_id}/receipts", "/v1/availability/{sku}", "/v1/subscriptions"]:
        assert path in paths


def test_supply_flow_over_http_shows_pegged_etas(client: TestClient) -> None:
    make_product(client, units=0, lead_time_days=30)
    assert client.post("/v1/suppliers", json={"code": "PT-GLOW", "name": "PT Glow", "lead_time_days": 21}
                       ).status_code == 201
    created = client.post("/v1/purchase-orders", json={
        "supplier": "PT-GLOW", "expected_at": "2035-01-10", "lines": [{"sku": "KAOS-HITAM-M", "quantity": 1}]})
    assert created.status_code == 201
    po = created.json()
    order = client.post("/v1/orders", json={
        "customer": {"email": "a@contoh.id"}, "lines": [{"sku": "KAOS-HITAM-M", "quantity": 2}]}).json()
    first, second = order["lines"][0], client.get("/v1/backorders").json()["items"][0]
    assert first["eta_confidence"] == "estimated" and first["eta"] > "2035-01-10"  # only 1 of 2 units is pegged
    assert second["eta"] == first["eta"]
    moved = client.patch(f"/v1/purchase-orders/{po['id']}", json={"expected_at": "2035-02-01"})
    assert moved.status_code == 200 and moved.json()["expected_at"] == "2035-02-01"
    received = client.post(f"/v1/purchase-orders/{po['id']}/receipts", json={"lines": [{"sku": "KAOS-HITAM-M",
                                                                                        "quantity": 1}]})
    assert received.status_code == 201 and received.json()["status"] == "received"
    assert "served_units" not in received.json()  # the contract's purchase order, nothing the CLI adds
    assert client.get(f"/v1/orders/{order['id']}").json()["status"] == "partially_backordered"
    suppliers = client.get("/v1/suppliers").json()["items"]
    assert suppliers[0]["reliability"]["deliveries"] == 1
    assert error_code(client.post(f"/v1/purchase-orders/{po['id']}/cancel")) == "validation_error"
    assert error_code(client.post("/v1/purchase-orders", json={
        "supplier": "NOBODY", "expected_at": "2035-01-10", "lines": [{"sku": "KAOS-HITAM-M", "quantity": 1}]})
    ) == "not_found"


def test_customer_limit_is_a_clear_conflict(client: TestClient) -> None:
    make_product(client, units=5, max_per_customer=1)
    body = {"customer": {"email": "a@contoh.id"}, "lines": [{"sku": "KAOS-HITAM-M", "quantity": 2}]}
    response = client.post("/v1/orders", json=body)
    assert response.status_code == 409 and error_code(response) == "customer_limit"


def test_an_exhausted_connection_pool_is_a_503_that_changes_nothing(db: Database) -> None:
    key = create_key(db, Role.STAFF)
    starved = Database(db.url, pool_size=1, max_overflow=0, pool_timeout=0.2)
    with TestClient(create_app(starved), raise_server_exceptions=False) as client, starved.engine.connect():
        response = client.post("/v1/products", json={"sku": "KAOS", "name": "Kaos"},
                               headers={"Authorization": f"Bearer {key}"})
    starved.dispose()
    assert response.status_code == 503 and error_code(response) == "unavailable"
    assert response.headers["Retry-After"] == "1"
    with TestClient(create_app(db)) as client:
        assert client.get("/v1/products/KAOS", headers={"Authorization": f"Bearer {key}"}).status_code == 404
