"""A flash sale over real HTTP: 500 customers race for 100 units against a real `inden serve`.

Runs once per backend (see conftest.py): SQLite with one worker, PostgreSQL with two worker processes.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

import httpx
import pytest

from inden.i18n import translate
from tests.e2e.conftest import Server, inden

pytestmark = pytest.mark.timeout(180)

CUSTOMERS = 500
UNITS = 100
RESTOCK = 150
THREADS = 64


def order_body(sku: str, n: int, *, quantity: int = 1) -> dict[str, Any]:
    return {"customer": {"email": f"pembeli{n}@contoh.id", "name": f"Pembeli {n}"},
            "lines": [{"sku": sku, "quantity": quantity}]}


def race(server: Server, bodies: list[dict[str, Any]], *, threads: int = THREADS) -> list[httpx.Response]:
    """POST every body to /v1/orders from `threads` threads, each with its own connection, released together.

    Returns the responses in the order of `bodies`.
    """
    responses: list[httpx.Response | None] = [None] * len(bodies)
    start = threading.Barrier(threads, timeout=60)

    def customer(first: int) -> None:
        with server.client() as client:
            client.get("/healthz").raise_for_status()  # connect now, so the race is over the requests only
            start.wait()
            for i in range(first, len(bodies), threads):
                responses[i] = client.post("/v1/orders", json=bodies[i])

    with ThreadPoolExecutor(max_workers=threads) as pool:
        for done in [pool.submit(customer, first) for first in range(threads)]:
            done.result()
    assert all(r is not None for r in responses)
    return [r for r in responses if r is not None]


def create_product(client: httpx.Client, sku: str, *, policy: str, units: int) -> None:
    created = client.post("/v1/products", json={"sku": sku, "name": f"Flash {sku}", "backorder_policy": policy})
    assert created.status_code == 201, created.text
    if units:
        counted = client.post(f"/v1/products/{sku}/stock-adjustments", json={"delta": units, "reason": "stok awal"})
        assert counted.status_code == 201, counted.text


def stock_of(client: httpx.Client, sku: str) -> dict[str, int]:
    response = client.get(f"/v1/products/{sku}")
    assert response.status_code == 200, response.text
    stock: dict[str, int] = response.json()["stock"]
    return stock


def backorder_queue(client: httpx.Client, sku: str, *, limit: int = 1000) -> list[dict[str, Any]]:
    """The whole queue of `sku`, following cursors."""
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"sku": sku, "limit": limit} | ({"cursor": cursor} if cursor else {})
        response = client.get("/v1/backorders", params=params)
        assert response.status_code == 200, response.text
        page = response.json()
        items += page["items"]
        if not (cursor := page["next_cursor"]):
            return items


def order_ids(client: httpx.Client, sku: str, status: str) -> set[int]:
    response = client.get("/v1/orders", params={"sku": sku, "status": status, "limit": 1000})
    assert response.status_code == 200, response.text
    page = response.json()
    assert page["next_cursor"] is None
    return {order["id"] for order in page["items"]}


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The response is the API's one error shape with `code`; returns the error object."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}, body
    error: dict[str, Any] = body["error"]
    assert error["code"] == code, body
    assert isinstance(error["message"], str) and error["message"], body
    assert isinstance(error["details"], dict), body
    return error


def assert_audit_passes(server: Server) -> None:
    audit = inden(server.database_url, "audit", "verify")
    assert audit.returncode == 0, audit.stdout + audit.stderr
    assert "audit ok" in audit.stdout


def assert_server_logged_no_errors(server: Server) -> None:
    log = server.log()
    unhandled = ("unhandled error", translate("id", "unhandled error"))  # the text log speaks the shop's language
    assert "Traceback" not in log and not any(text in log for text in unhandled), log[-4000:]


# --- the flash sale ------------------------------------------------------------------------------------------


def test_flash_sale_allocates_the_first_hundred_and_queues_the_rest_fairly(server: Server) -> None:
    sku = "SERUM-VITC-30"
    with server.client() as client:
        create_product(client, sku, policy="allow", units=UNITS)

        responses = race(server, [order_body(sku, n) for n in range(CUSTOMERS)])

        assert Counter(r.status_code for r in responses) == {201: CUSTOMERS}, [r.text for r in responses][:5]
        orders = sorted((r.json() for r in responses), key=lambda o: o["id"])
        assert len({o["id"] for o in orders}) == CUSTOMERS
        assert Counter(o["status"] for o in orders) == {"allocated": UNITS, "backordered": CUSTOMERS - UNITS}
        # First come, first served: ids follow the order in which orders took the stock, so the first hundred
        # ids got the units and everyone after them waits, in id order.
        assert [o["status"] for o in orders] == ["allocated"] * UNITS + ["backordered"] * (CUSTOMERS - UNITS)
        # Concurrent orders were decided in batches (one transaction each, sharing its time), in id order.
        assert len({o["created_at"] for o in orders}) < CUSTOMERS
        assert [o["created_at"] for o in orders] == sorted(o["created_at"] for o in orders)
        assert stock_of(client, sku) == {"on_hand": UNITS, "allocated": UNITS, "available": 0,
                                         "backordered": CUSTOMERS - UNITS, "incoming": 0}

        one_page = client.get("/v1/backorders", params={"sku": sku, "limit": 1000}).json()
        assert one_page["next_cursor"] is None
        queue = one_page["items"]
        waiting = [o["id"] for o in orders[UNITS:]]
        assert [b["position"] for b in queue] == list(range(1, CUSTOMERS - UNITS + 1))
        assert [b["order_id"] for b in queue] == waiting
        assert all(b["sku"] == sku and b["quantity"] == 1 for b in queue)
        waited_since = [datetime.fromisoformat(b["created_at"]) for b in queue]
        assert waited_since == sorted(waited_since)
        assert all(o["lines"][0]["position"] is None for o in orders[:UNITS])
        # Each customer was told, at once, the very place they now hold.
        told = {o["id"]: o["lines"][0]["position"] for o in orders[UNITS:]}
        assert told == {b["order_id"]: b["position"] for b in queue}
        assert backorder_queue(client, sku, limit=37) == queue  # paging gives the same queue

        restocked = client.post(f"/v1/products/{sku}/stock-adjustments", json={"delta": RESTOCK, "reason": "restock"})

        assert restocked.status_code == 201, restocked.text
        left = CUSTOMERS - UNITS - RESTOCK
        assert restocked.json()["stock"] == {"on_hand": UNITS + RESTOCK, "allocated": UNITS + RESTOCK,
                                             "available": 0, "backordered": left, "incoming": 0}
        served, still_waiting = waiting[:RESTOCK], waiting[RESTOCK:]
        assert order_ids(client, sku, "allocated") == {o["id"] for o in orders[:UNITS]} | set(served)
        assert order_ids(client, sku, "backordered") == set(still_waiting)
        first_served = client.get(f"/v1/orders/{served[0]}").json()
        assert first_served["status"] == "allocated"
        line = first_served["lines"][0]
        assert (line["sku"], line["allocated"], line["backordered"], line["position"]) == (sku, 1, 0, None)
        assert client.get(f"/v1/orders/{still_waiting[0]}").json()["lines"][0]["position"] == 1
        queue = backorder_queue(client, sku)
        assert [b["position"] for b in queue] == list(range(1, left + 1))
        assert [b["order_id"] for b in queue] == still_waiting
        assert stock_of(client, sku)["backordered"] == left

    assert_audit_passes(server)
    assert_server_logged_no_errors(server)


def test_flash_sale_under_deny_sells_exactly_the_stock_and_refuses_the_rest(server: Server) -> None:
    sku = "KOPI-GAYO-250"
    with server.client() as client:
        create_product(client, sku, policy="deny", units=UNITS)

        responses = race(server, [order_body(sku, n) for n in range(CUSTOMERS)])

        assert Counter(r.status_code for r in responses) == {201: UNITS, 409: CUSTOMERS - UNITS}
        for response in responses:
            if response.status_code == 201:
                assert response.json()["status"] == "allocated"
            else:
                error = assert_error(response, 409, "out_of_stock")
                assert sku in json.dumps(error["details"]), error
        assert stock_of(client, sku) == {"on_hand": UNITS, "allocated": UNITS, "available": 0, "backordered": 0,
                                         "incoming": 0}
        assert backorder_queue(client, sku) == []
        assert len(order_ids(client, sku, "allocated")) == UNITS

    assert_audit_passes(server)
    assert_server_logged_no_errors(server)


# --- the HTTP contract ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def contract_sku(server: Server) -> str:
    sku = "BATIK-TULIS-M"
    with server.client() as client:
        create_product(client, sku, policy="allow", units=10)
    return sku


def test_a_request_without_a_key_is_unauthorized(server: Server, contract_sku: str) -> None:
    with server.client(key="") as client:
        response = client.post("/v1/orders", json=order_body(contract_sku, 1))
        assert_error(response, 401, "unauthorized")
        assert response.headers["www-authenticate"] == "Bearer"
        assert_error(client.get(f"/v1/products/{contract_sku}"), 401, "unauthorized")
    with server.client(key="inden_st_not-a-real-key") as client:
        assert_error(client.get(f"/v1/products/{contract_sku}"), 401, "unauthorized")


def test_a_storefront_key_may_not_place_orders(server: Server, contract_sku: str) -> None:
    with server.client(key=server.storefront_key) as client:
        assert_error(client.post("/v1/orders", json=order_body(contract_sku, 1)), 403, "forbidden")
    with server.client() as client:
        assert stock_of(client, contract_sku)["allocated"] == 0


def test_a_body_over_one_mebibyte_is_refused(server: Server, contract_sku: str) -> None:
    body = order_body(contract_sku, 1) | {"external_id": "x" * (1024 * 1024)}
    payload = json.dumps(body).encode()
    with server.client() as client:
        declared = client.post("/v1/orders", content=payload, headers={"content-type": "application/json"})
        assert_error(declared, 413, "payload_too_large")
    with server.client() as client:  # no Content-Length: the body arrives chunked and is counted as it comes
        chunks = iter([payload[i:i + 65536] for i in range(0, len(payload), 65536)])
        chunked = client.post("/v1/orders", content=chunks, headers={"content-type": "application/json"})
        assert_error(chunked, 413, "payload_too_large")
        assert stock_of(client, contract_sku)["allocated"] == 0


def test_malformed_json_is_a_validation_error(server: Server, contract_sku: str) -> None:
    with server.client() as client:
        response = client.post("/v1/orders", content=b'{"customer": {"email": ', headers={"content-type":
                                                                                          "application/json"})
        assert_error(response, 422, "validation_error")


@pytest.mark.parametrize("quantity", [10**30, -(10**30), 0, 1.5, "banyak"])
def test_an_absurd_quantity_is_a_validation_error_not_a_crash(server: Server, contract_sku: str,
                                                              quantity: object) -> None:
    body = order_body(contract_sku, 1)
    body["lines"][0]["quantity"] = quantity
    with server.client() as client:
        assert_error(client.post("/v1/orders", json=body), 422, "validation_error")
        assert stock_of(client, contract_sku)["allocated"] == 0


def test_an_unknown_sku_is_not_found(server: Server) -> None:
    with server.client() as client:
        assert_error(client.post("/v1/orders", json=order_body("TIDAK-ADA", 1)), 404, "not_found")
        assert_error(client.get("/v1/products/TIDAK-ADA"), 404, "not_found")
        assert_error(client.get("/v1/backorders", params={"sku": "TIDAK-ADA"}), 404, "not_found")


def test_an_idempotency_key_replays_the_first_order_and_reserves_once(server: Server) -> None:
    sku = "HIJAB-VOAL-HTM"
    with server.client() as client:
        create_product(client, sku, policy="allow", units=5)
        body = order_body(sku, 7, quantity=2)
        headers = {"Idempotency-Key": "checkout-7"}

        first = client.post("/v1/orders", json=body, headers=headers)
        again = client.post("/v1/orders", json=body, headers=headers)

        assert first.status_code == again.status_code == 201, (first.text, again.text)
        assert again.json() == first.json()
        assert stock_of(client, sku)["allocated"] == 2

        conflict = client.post("/v1/orders", json=order_body(sku, 7, quantity=3), headers=headers)

        assert_error(conflict, 409, "idempotency_conflict")
        assert stock_of(client, sku)["allocated"] == 2


def test_concurrent_retries_with_one_idempotency_key_make_one_order(server: Server) -> None:
    sku = "SAMBAL-ROA-200"
    with server.client() as client:
        create_product(client, sku, policy="allow", units=5)
    body = order_body(sku, 8)
    start = threading.Barrier(8, timeout=60)

    def retry(_: int) -> httpx.Response:
        with server.client() as client:
            client.get("/healthz")
            start.wait()
            return client.post("/v1/orders", json=body, headers={"Idempotency-Key": "checkout-8"})

    with ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(pool.map(retry, range(8)))

    assert [r.status_code for r in responses] == [201] * 8, [r.text for r in responses]
    assert len({r.json()["id"] for r in responses}) == 1
    with server.client() as client:
        assert stock_of(client, sku)["allocated"] == 1
    assert_server_logged_no_errors(server)
