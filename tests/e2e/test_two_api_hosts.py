"""Several API hosts over one PostgreSQL, as an operator runs them behind a load balancer: two `inden serve`
processes on different ports share one database; a flash sale split across both keeps every guarantee — no
unit sold twice, the backorder queue first come first served with contiguous positions, and a retry with the
same Idempotency-Key answered with the same order by either host."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.e2e.conftest import Server, add_people, fresh_database, make_key, start_server
from tests.e2e.test_flash_sale_http import backorder_queue, create_product, order_body, stock_of

pytestmark = [pytest.mark.timeout(300), pytest.mark.postgres]

CUSTOMERS, UNITS, THREADS = 240, 80, 32


@pytest.fixture(scope="module")
def hosts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Server]]:
    directory = tmp_path_factory.mktemp("two-hosts")
    with fresh_database("postgresql", directory) as url:
        staff_key, storefront_key = make_key(url, "staff"), make_key(url, "storefront")
        add_people(url)
        first = start_server(url, directory / "a.log", workers=1)
        try:
            second = start_server(url, directory / "b.log", workers=1)
            try:
                yield (Server(first.base_url, url, staff_key, storefront_key, directory / "a.log"),
                       Server(second.base_url, url, staff_key, storefront_key, directory / "b.log"))
            finally:
                second.stop()
        finally:
            first.stop()


def split_race(hosts: tuple[Server, Server], bodies: list[dict[str, object]]) -> list[httpx.Response]:
    """Every body POSTed once, with its own Idempotency-Key, threads alternating between the two hosts."""
    responses: list[httpx.Response | None] = [None] * len(bodies)
    start = threading.Barrier(THREADS, timeout=60)

    def customer(first: int) -> None:
        with hosts[first % 2].client() as client:
            client.get("/healthz").raise_for_status()
            start.wait()
            for i in range(first, len(bodies), THREADS):
                responses[i] = client.post("/v1/orders", json=bodies[i], headers={"Idempotency-Key": f"flash-{i}"})

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        for done in [pool.submit(customer, first) for first in range(THREADS)]:
            done.result()
    return [r for r in responses if r is not None]


def test_a_flash_sale_split_across_two_hosts_keeps_every_guarantee(hosts: tuple[Server, Server]) -> None:
    a, b = hosts
    assert a.base_url != b.base_url
    with a.client() as client:
        create_product(client, "FLASH-DUA", policy="allow", units=UNITS)
    bodies = [order_body("FLASH-DUA", n) for n in range(CUSTOMERS)]
    responses = split_race(hosts, bodies)
    assert len(responses) == CUSTOMERS and all(r.status_code == 201 for r in responses), \
        [r.text for r in responses if r.status_code != 201][:3]
    orders = [r.json() for r in responses]
    allocated = sum(o["lines"][0]["allocated"] for o in orders)
    waiting = [o for o in orders if o["lines"][0]["backordered"]]
    assert allocated == UNITS and len(waiting) == CUSTOMERS - UNITS  # not one unit sold twice

    with b.client() as client:  # the other host sees the same shop
        assert stock_of(client, "FLASH-DUA")["on_hand"] == UNITS
        assert stock_of(client, "FLASH-DUA")["allocated"] == UNITS
        queue = backorder_queue(client, "FLASH-DUA")
    assert [q["position"] for q in queue] == list(range(1, CUSTOMERS - UNITS + 1))  # contiguous, first come
    told = {o["id"]: o["lines"][0]["position"] for o in waiting}
    assert told == {q["order_id"]: q["position"] for q in queue}  # what each customer was told holds

    # Every checkout retried on the *other* host with its key: the same order, nothing new.
    for i in range(0, CUSTOMERS, 7):
        other = hosts[(i % THREADS + 1) % 2]
        with other.client() as client:
            again = client.post("/v1/orders", json=bodies[i], headers={"Idempotency-Key": f"flash-{i}"})
        assert again.status_code in (200, 201) and again.json()["id"] == orders[i]["id"]
    with a.client() as client:
        assert stock_of(client, "FLASH-DUA")["allocated"] == UNITS
        assert len(backorder_queue(client, "FLASH-DUA")) == CUSTOMERS - UNITS

