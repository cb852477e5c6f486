"""One input policy at every edge (docs/api-contract.md, Input policy): what PostgreSQL would refuse or
overflow on is refused first, with a clear 4xx that changes nothing, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date, timedelta

import pytest
from click.testing import Result
from fastapi.testclient import TestClient

from inden.api.app import create_app
from inden.db.session import Database
from inden.services.keys import Role, create_key
from inden.services.sales_import import check_sales_csv
from inden.services.schemas.common import date_window

ORDER = {"customer": {"email": "siti@contoh.id"}, "lines": [{"sku": "KAOS-HITAM-M", "quantity": 1}]}


@pytest.fixture
def client(db: Database) -> Iterator[TestClient]:
    with TestClient(create_app(db), raise_server_exceptions=False) as test_client:
        test_client.headers["Authorization"] = f"Bearer {create_key(db, Role.ADMIN)}"
        assert test_client.post("/v1/products", json={"sku": "KAOS-HITAM-M", "name": "Kaos"}).status_code == 201
        assert test_client.post("/v1/suppliers", json={"code": "PT-SINAR", "name": "Sinar",
                                                       "lead_time_days": 14}).status_code == 201
        yield test_client


def refused(response, field: str | None = None) -> dict[str, object]:  # type: ignore[no-untyped-def]
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"]["code"] == "validation_error"
    if field:
        assert any(field in problem["field"] for problem in body["error"]["details"]["errors"]), body
    return body  # type: ignore[no-any-return]


def post(client: TestClient, path: str, body: object):  # type: ignore[no-untyped-def]
    """POST `body` as JSON with every non-ASCII character escaped (a lone surrogate travels as `\\ud800`)."""
    return client.post(path, content=json.dumps(body), headers={"Content-Type": "application/json"})


def orders(client: TestClient) -> int:
    return len(client.get("/v1/orders").json()["items"])


@pytest.mark.parametrize("quantity", ["5", True, 1.5, None, [1]])
def test_a_quantity_is_a_json_number_never_a_string_or_a_boolean(client: TestClient, quantity: object) -> None:
    body = {**ORDER, "lines": [{"sku": "KAOS-HITAM-M", "quantity": quantity}]}
    refused(client.post("/v1/orders", json=body), "quantity")
    assert orders(client) == 0


def test_booleans_and_day_counts_are_strict_too(client: TestClient) -> None:
    refused(client.post("/v1/suppliers/PT-SINAR/delays", json={"days": True}), "days")
    refused(client.post("/v1/suppliers/PT-SINAR/delays", json={"days": "3"}), "days")
    refused(client.post("/v1/purchase-orders", json={
        "supplier": "PT-SINAR", "expected_at": date.today().isoformat(), "draft": "yes",
        "lines": [{"sku": "KAOS-HITAM-M", "quantity": 1}]}), "draft")
    refused(client.post("/v1/products/KAOS-HITAM-M/stock-adjustments", json={"delta": "5", "reason": "x"}), "delta")
    refused(client.post("/v1/products", json={"sku": "B", "name": "B", "price": True}), "price")
    assert client.post("/v1/orders", json={**ORDER, "lines": [{"sku": "KAOS-HITAM-M", "quantity": 2}]}
                       ).status_code == 201  # a real number still passes


@pytest.mark.parametrize("text", ["a\u0000b", "a\u001bb", "line\nbreak", "\ud800", "a\u0085b"])
def test_text_with_a_control_character_is_refused_in_every_field(client: TestClient, text: str) -> None:
    refused(post(client, "/v1/orders", {**ORDER, "customer": {"email": "siti@contoh.id", "name": text}}), "name")
    refused(post(client, "/v1/orders", {**ORDER, "external_id": text}), "external_id")
    refused(post(client, "/v1/products", {"sku": "B", "name": text}), "name")
    refused(post(client, "/v1/products/KAOS-HITAM-M/stock-adjustments", {"delta": 1, "reason": text}), "reason")
    refused(post(client, "/v1/suppliers", {"code": "X", "name": text, "lead_time_days": 1}), "name")
    today = date.today().isoformat()
    refused(post(client, "/v1/events", {"name": text, "starts_on": today, "ends_on": today, "skus": ["KAOS-HITAM-M"],
                                            "uplift": 2}), "name")
    assert orders(client) == 0 and len(client.get("/v1/products").json()["items"]) == 1


def test_a_nul_in_a_sign_up_address_is_a_422_for_the_public_storefront_key(client: TestClient, db: Database) -> None:
    client.headers["Authorization"] = f"Bearer {create_key(db, Role.STOREFRONT)}"
    refused(client.post("/v1/subscriptions", json={"sku": "KAOS-HITAM-M", "email": "a\u0000b@contoh.id"}), "email")


def test_dates_stay_within_ten_years_of_today(client: TestClient) -> None:
    low, high = date_window()
    line = [{"sku": "KAOS-HITAM-M", "quantity": 1}]
    for day in ("9999-12-31", "9999-12-30", "0001-01-01", (high + timedelta(days=1)).isoformat(),
                (low - timedelta(days=1)).isoformat()):
        refused(client.post("/v1/purchase-orders", json={"supplier": "PT-SINAR", "expected_at": day, "lines": line}),
                "expected_at")
        refused(client.post("/v1/products", json={"sku": "B", "name": "B", "release_at": day}), "release_at")
        refused(client.post("/v1/events", json={"name": "Promo", "starts_on": day, "ends_on": day,
                                                "skus": ["KAOS-HITAM-M"], "uplift": 2}), "starts_on")
    po = client.post("/v1/purchase-orders", json={"supplier": "PT-SINAR", "expected_at": high.isoformat(),
                                                  "lines": line})
    assert po.status_code == 201
    refused(client.patch(f"/v1/purchase-orders/{po.json()['id']}", json={"expected_at": "9999-12-31"}), "expected_at")


def test_a_supplier_delay_past_the_window_is_refused_not_overflowed(client: TestClient) -> None:
    high = date_window()[1]
    po = client.post("/v1/purchase-orders", json={"supplier": "PT-SINAR", "expected_at": high.isoformat(),
                                                  "lines": [{"sku": "KAOS-HITAM-M", "quantity": 1}]}).json()
    refused(client.post("/v1/suppliers/PT-SINAR/delays", json={"days": 3650}))
    assert client.get(f"/v1/purchase-orders/{po['id']}").json()["expected_at"] == high.isoformat()
    assert client.post("/v1/suppliers/PT-SINAR/delays", json={"days": -3}).status_code == 200


@pytest.mark.parametrize("number", [2**31, 2**63, 2**64 + 1])
def test_ids_beyond_the_columns_are_404_or_422_never_500(client: TestClient, number: int) -> None:
    for method, path in (("GET", "/v1/orders/{}"), ("POST", "/v1/orders/{}/cancel"), ("DELETE", "/v1/webhooks/{}"),
                         ("POST", "/v1/webhooks/{}/enable"), ("GET", "/v1/purchase-orders/{}"),
                         ("DELETE", "/v1/events/{}"), ("POST", "/v1/replenishment/{}/dismiss")):
        response = client.request(method, path.format(number))
        assert response.status_code in (404, 422), (path, response.text)


def test_a_forged_cursor_with_a_huge_number_or_a_nul_is_a_422(client: TestClient) -> None:
    from inden.services.pagination import encode_cursor

    for cursor in (encode_cursor(2**40), encode_cursor(["a\u0000", 1]), encode_cursor(["A", 2**63])):
        refused(client.get("/v1/orders", params={"cursor": cursor}))
        refused(client.get("/v1/products", params={"cursor": cursor}))
        refused(client.get("/v1/backorders", params={"cursor": cursor}))


@pytest.mark.parametrize("body", [b"\xff\xfe{", b'{"customer": ', b"[" * 100_000 + b"]" * 100_000,
                                  b'{"a":' * 5000 + b"1" + b"}" * 5000])
def test_a_body_that_is_not_json_text_is_a_422(client: TestClient, body: bytes) -> None:
    refused(client.post("/v1/orders", content=body, headers={"Content-Type": "application/json"}))
    assert orders(client) == 0


def test_the_openapi_document_lists_every_error_status_with_the_error_shape(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    assert "ErrorOut" in document["components"]["schemas"]
    assert "HTTPValidationError" not in document["components"]["schemas"]
    for path, operations in document["paths"].items():
        if not path.startswith("/v1"):
            continue
        for method, operation in operations.items():
            answers = operation["responses"]
            assert {"401", "403", "422", "429"} <= set(answers), (method, path)
            for status, answer in answers.items():
                if status.startswith(("4", "5")):
                    assert answer["content"]["application/json"]["schema"] == {
                        "$ref": "#/components/schemas/ErrorOut"}, (method, path, status)


def test_a_sales_file_with_a_huge_price_an_old_date_a_nul_or_a_giant_cell_names_the_line() -> None:
    today = date.today()
    _, problems = check_sales_csv(f"date,sku,quantity,price\n{today},A,1,100000000000000\n1999-12-31,A,1,1\n"
                                  f"{today + timedelta(days=5)},A,1,1\n")
    assert [p.line for p in problems.items] == [2, 3, 4]
    for text, line in ((f"date,sku,quantity\n{today},A,1\n{today},B\x00,1\n", 3),
                       ("date,sku,quantity\n" + f"{today},{'A' * 200_000},1\n", 2),
                       ("date,sku,quantity,note\n" + f'{today},A,1,"{"x" * 2000}"\n', 2)):
        rows, problems = check_sales_csv(text)
        assert [p.line for p in problems.items] == [line], problems.items


def test_sales_import_over_http_refuses_a_huge_price_on_both_databases(client: TestClient) -> None:
    text = f"date,sku,quantity,price\n{date.today()},KAOS-HITAM-M,1,{10**14}\n"
    refused(client.post("/v1/sales-history", content=text.encode(), headers={"Content-Type": "text/csv"}))


def test_the_cli_answers_an_id_beyond_the_column_with_exit_2_and_a_message(run: Callable[..., Result]) -> None:
    for args in (("orders", "cancel", 2**31), ("orders", "show", 2**63), ("webhooks", "enable", 2**31),
                 ("po", "show", 2**31), ("events", "remove", 0)):
        done = run(*args)
        assert done.exit_code == 2, (args, done.output)
        assert done.exception is None or isinstance(done.exception, SystemExit)
        assert "Traceback" not in done.output


def test_the_cli_import_refuses_a_huge_price_with_exit_2(run: Callable[..., Result], tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "penjualan.csv"
    path.write_text(f"date,sku,quantity,price\n{date.today()},A,1,{10**14}\n", encoding="utf-8")
    done = run("import", "sales", path, "--create-products")
    assert done.exit_code == 2 and "2" in done.output, done.output


def test_a_webhook_url_that_grows_past_its_column_when_normalised_is_a_422(client: TestClient) -> None:
    url = "https://" + "0" * 63 + "." + ("a" * 63 + ".") * 30 + "aaaaaaaa"  # 2,000 characters, stored with a "/"
    refused(client.post("/v1/webhooks", json={"url": url}), "url")
    assert client.get("/v1/webhooks").json()["items"] == []
