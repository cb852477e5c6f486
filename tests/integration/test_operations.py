"""An operator's view: request ids, structured logs without personal data, /metrics and /readyz."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from inden.api.app import create_app
from inden.config import Settings
from inden.db.session import Database
from inden.logs import JsonFormatter
from inden.services.keys import Role, create_key


@pytest.fixture
def client(db: Database) -> Iterator[TestClient]:
    with TestClient(create_app(db), raise_server_exceptions=False) as test_client:
        test_client.headers["Authorization"] = f"Bearer {create_key(db, Role.STAFF)}"
        yield test_client


def test_every_answer_carries_a_request_id_and_keeps_a_sane_one_it_was_given(client: TestClient) -> None:
    made = client.get("/healthz").headers["x-request-id"]
    assert len(made) == 32
    assert client.get("/v1/products", headers={"X-Request-ID": "toko-123"}).headers["x-request-id"] == "toko-123"
    assert client.get("/healthz", headers={"X-Request-ID": "a b\tc"}).headers["x-request-id"] != "a b\tc"


def test_request_lines_are_json_with_the_route_not_the_path_and_no_personal_data(
        client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="inden")
    logging.getLogger("inden").addHandler(caplog.handler)
    client.post("/v1/products", json={"sku": "KAOS", "name": "Kaos"})
    client.post("/v1/orders", headers={"X-Request-ID": "req-42"}, json={
        "customer": {"email": "siti.rahasia@contoh.id", "name": "Siti"}, "lines": [{"sku": "KAOS", "quantity": 1}]})
    client.get("/subscriptions/confirm", params={"token": "token-rahasia"})
    lines = [json.loads(JsonFormatter().format(record)) for record in caplog.records]
    order = next(line for line in lines if line.get("route") == "/v1/orders")
    assert order["request_id"] == "req-42" and order["status"] == 201 and order["method"] == "POST"
    text = "\n".join(json.dumps(line) for line in lines)
    assert "siti.rahasia" not in text and "token-rahasia" not in text and "Siti" not in text


def test_metrics_show_the_shop_and_request_latency_to_staff_keys(client: TestClient, db: Database) -> None:
    client.post("/v1/products", json={"sku": "KAOS", "name": "Kaos", "backorder_policy": "deny"})
    client.post("/v1/orders", json={"customer": {"email": "a@contoh.id"}, "lines": [{"sku": "KAOS", "quantity": 2}]})
    client.post("/v1/products", json={"sku": "TEH", "name": "Teh"})
    client.post("/v1/orders", json={"customer": {"email": "b@contoh.id"}, "lines": [{"sku": "TEH", "quantity": 3}]})
    answer = client.get("/metrics")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")
    text = answer.text
    assert "inden_orders_total 1.0" in text
    assert "inden_refused_units_total 2.0" in text
    assert "inden_units_waiting 3.0" in text
    assert "inden_outbox_lag_seconds" in text and "inden_email_failures 0.0" in text
    assert 'inden_http_request_duration_seconds_count{method="POST",route="/v1/orders",status="201"}' in text
    store = {"Authorization": f"Bearer {create_key(db, Role.STOREFRONT)}"}
    assert client.get("/metrics", headers=store).status_code == 403
    assert client.get("/metrics", headers={"Authorization": ""}).status_code == 401


def test_readyz_says_whether_the_database_answers_at_the_schema_head(client: TestClient, db: Database) -> None:
    assert client.get("/readyz").json() == {"status": "ready"}
    if db.is_sqlite:
        broken = Database("sqlite:////nonexistent/dir/inden.db", settings=Settings())
        with TestClient(create_app(broken), raise_server_exceptions=False) as other:
            answer = other.get("/readyz")
            assert answer.status_code == 503 and answer.json()["error"]["code"] == "unavailable"


def test_the_contract_and_the_server_agree_on_who_reads_health_and_metrics(client: TestClient, db: Database) -> None:
    from pathlib import Path

    contract = (Path(__file__).parents[2] / "docs" / "api-contract.md").read_text()
    monitoring = contract[contract.index("`GET /healthz`"):contract.index("Input policy for every route")]
    assert "open, no key" in monitoring and "`GET /metrics` (Prometheus text): a **staff or admin key**" in monitoring
    nobody = {"Authorization": ""}
    assert client.get("/healthz", headers=nobody).status_code == 200
    assert client.get("/readyz", headers=nobody).status_code == 200
    refused = client.get("/metrics", headers=nobody)
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "unauthorized"
    store = client.get("/metrics", headers={"Authorization": f"Bearer {create_key(db, Role.STOREFRONT)}"})
    assert store.status_code == 403 and store.json()["error"]["code"] == "forbidden"
    assert "inden_orders_total" not in refused.text + store.text
    for role in (Role.STAFF, Role.ADMIN):
        answer = client.get("/metrics", headers={"Authorization": f"Bearer {create_key(db, role)}"})
        assert answer.status_code == 200 and "inden_orders_total" in answer.text
