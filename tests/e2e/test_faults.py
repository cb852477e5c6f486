"""Faults under load, on PostgreSQL with two server workers (issues 13, 15): the server killed with SIGKILL
mid-sale (concurrent orders are placed in batches, so mid-batch) and restarted, and every database connection
terminated mid-sale. Clients retry each order with its
own Idempotency-Key until it is acknowledged. Afterwards every acknowledged order is stored exactly once, the
stock adds up and `inden audit verify` passes. Each test is bounded (about a minute; clients give up at
DEADLINE seconds).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
from sqlalchemy.engine import make_url

from tests.e2e.conftest import PG_URL, fresh_database, inden, make_key, start_server

ORDERS, UNITS, CLIENTS, DEADLINE = 160, 60, 24, 120.0
pytestmark = pytest.mark.postgres


class Shop:
    """A server that a fault may replace: clients read `base_url` on every try."""

    def __init__(self, url: str, directory: Path) -> None:
        self.database_url, self.directory = url, directory
        self.key = make_key(url, "staff")
        self.process = start_server(url, directory / "serve.log", workers=2)
        self.base_url = self.process.base_url

    def restart(self) -> None:
        self.process = start_server(self.database_url, self.directory / "serve.log", workers=2)
        self.base_url = self.process.base_url


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[Shop]:
    if not PG_URL:
        pytest.skip("INDEN_TEST_DATABASE_URL is not set")
    with fresh_database("postgresql", tmp_path) as url:
        running = Shop(url, tmp_path)
        try:
            with httpx.Client(base_url=running.base_url, headers=auth(running), timeout=60) as client:
                assert client.post("/v1/products", json={"sku": "SERUM", "name": "Serum"}).status_code == 201
                assert client.post("/v1/products/SERUM/stock-adjustments",
                                   json={"delta": UNITS, "reason": "stok"}).status_code == 201
            yield running
        finally:
            running.process.stop()


def auth(shop: Shop) -> dict[str, str]:
    return {"Authorization": f"Bearer {shop.key}"}


def sale(shop: Shop, fault: Callable[[], None]) -> dict[str, int]:
    """CLIENTS threads place ORDERS one-unit orders (each retried under its own key until a 201); `fault` runs
    once a third of them are acknowledged. Returns {idempotency key: order id} of the acknowledged ones."""
    acknowledged: dict[str, int] = {}
    lock, third = threading.Lock(), threading.Event()
    keys = iter(f"order-{n}" for n in range(ORDERS))
    deadline = time.monotonic() + DEADLINE

    errors: list[BaseException] = []

    def client() -> None:
        try:
            place_orders()
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    def place_orders() -> None:
        with httpx.Client(headers=auth(shop), timeout=15) as http:
            while True:
                with lock:
                    key = next(keys, None)
                if key is None:
                    return
                body = {"customer": {"email": f"{key}@contoh.id"}, "lines": [{"sku": "SERUM", "quantity": 1}]}
                while time.monotonic() < deadline:
                    try:
                        answer = http.post(f"{shop.base_url}/v1/orders", json=body, headers={"Idempotency-Key": key})
                    except httpx.TransportError:
                        time.sleep(0.2)
                        continue
                    if answer.status_code == 201:
                        with lock:
                            acknowledged[key] = answer.json()["id"]
                            if len(acknowledged) >= ORDERS // 3:
                                third.set()
                        break
                    assert answer.status_code == 503, answer.text  # the database was cut: nothing written, retry
                    time.sleep(0.2)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    assert third.wait(timeout=DEADLINE)
    fault()
    for thread in threads:
        thread.join(timeout=DEADLINE)
    assert errors == []
    return acknowledged


def assert_every_acknowledged_order_stored_once(shop: Shop, acknowledged: dict[str, int]) -> None:
    assert len(acknowledged) == ORDERS
    assert len(set(acknowledged.values())) == ORDERS  # one order per key: no retry made a second one
    with httpx.Client(base_url=shop.base_url, headers=auth(shop), timeout=60) as client:
        stored = client.get("/v1/orders", params={"limit": 1000}).json()["items"]
        assert sorted(o["id"] for o in stored) == sorted(acknowledged.values())
        assert len({o["created_at"] for o in stored}) < ORDERS  # orders went in batches: the fault hit batches
        stock = client.get("/v1/products/SERUM").json()["stock"]
    assert stock == {"on_hand": UNITS, "allocated": UNITS, "available": 0, "backordered": ORDERS - UNITS,
                     "incoming": 0}
    audit = inden(shop.database_url, "audit", "verify")
    assert audit.returncode == 0, audit.stdout + audit.stderr


def test_a_server_killed_mid_sale_loses_and_doubles_no_acknowledged_order(shop: Shop) -> None:
    def kill_and_restart() -> None:
        shop.process.proc.kill()  # SIGKILL to the master; its workers follow (die with their parent)
        shop.process.stop()  # and anything left of the group, then reap
        shop.restart()

    assert_every_acknowledged_order_stored_once(shop, sale(shop, kill_and_restart))


def test_database_connections_terminated_mid_sale_lose_and_double_nothing(shop: Shop) -> None:
    name = make_url(shop.database_url).database

    def terminate_connections() -> None:
        admin = make_url(PG_URL).set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(admin, autocommit=True) as connection:
            for _ in range(3):
                connection.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                   "WHERE datname = %s AND pid <> pg_backend_pid()", (name,))
                time.sleep(0.5)

    assert_every_acknowledged_order_stored_once(shop, sale(shop, terminate_connections))
