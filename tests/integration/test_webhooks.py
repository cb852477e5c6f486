"""Webhooks: the outbox's events posted to a real HTTP receiver, signed, in order, at least once (both DBs)."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from inden.api.app import create_app
from inden.db.outbox import POSITION_BATCH, Event, emit
from inden.db.session import Database
from inden.services import placing, products, stock
from inden.services.keys import Role, create_key
from inden.services.schemas.orders import OrderCreate
from inden.services.schemas.products import ProductCreate, StockAdjustment
from inden.services.schemas.webhooks import WebhookCreate
from inden.services.webhooks import (
    MAX_ATTEMPTS,
    HttpPoster,
    add_webhook,
    enable_webhook,
    list_webhooks,
    send_webhooks,
)

NOW = datetime(2026, 12, 12, 3, 0, tzinfo=UTC)


@dataclass
class Receiver:
    """A real HTTP server that records each request and answers `status` (changeable)."""

    url: str = ""
    status: int = 200
    requests: list[tuple[dict[str, str], bytes]] = field(default_factory=list)

    def events(self) -> list[dict[str, Any]]:
        return [event for _, body in self.requests for event in json.loads(body)["events"]]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(state.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/inden"
    try:
        yield state
    finally:
        server.shutdown()


@pytest.fixture
def poster() -> Iterator[HttpPoster]:
    real = HttpPoster(timeout=5)
    yield real
    real.close()


def shop_with_orders(db: Database, count: int, *, start: int = 0) -> None:
    if start == 0:
        products.create_product(db, ProductCreate(sku="KAOS", name="Kaos"), now=NOW)
    for n in range(start, start + count):
        placing.place_order(db, OrderCreate.model_validate(
            {"customer": {"email": f"c{n}@contoh.id"}, "lines": [{"sku": "KAOS", "quantity": 1}]}), now=NOW)


def signed_by(secret: str, headers: dict[str, str], body: bytes) -> bool:
    parts = dict(item.split("=", 1) for item in headers["inden-signature"].split(","))
    expected = hmac.new(secret.encode(), f"{parts['t']}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(parts["v1"], expected)


def test_events_from_registration_on_arrive_signed_in_order_in_batches(db: Database, receiver: Receiver,
                                                                        poster: HttpPoster) -> None:
    shop_with_orders(db, 3)  # before the webhook: not sent
    hook = add_webhook(db, WebhookCreate(url=receiver.url), now=NOW)
    shop_with_orders(db, 5, start=3)
    report = send_webhooks(db, poster, now=NOW, batch=2)
    assert (report.requests, report.events) == (1, 2)
    while send_webhooks(db, poster, now=NOW, batch=2).endpoints:
        pass
    events = receiver.events()
    assert [e["data"]["customer"]["email"] for e in events] == [f"c{n}@contoh.id" for n in range(3, 8)]
    assert [e["id"] for e in events] == sorted(e["id"] for e in events)
    assert {e["type"] for e in events} == {"order.backordered"}
    assert all(signed_by(hook.secret, headers, body) for headers, body in receiver.requests)
    assert not signed_by("bukan-rahasia", *receiver.requests[0])
    assert len(receiver.requests) == 3  # 2 + 2 + 1
    assert send_webhooks(db, poster, now=NOW).endpoints == 0  # up to date: nothing more to send


def test_a_new_endpoint_starts_after_every_event_already_written(db: Database, receiver: Receiver,
                                                                 poster: HttpPoster) -> None:
    with db.transaction() as session:  # more unpositioned events than one position batch (a big bulk row expanded)
        emit(session, [Event("order.backordered", f"old:{n}", {"n": n}) for n in range(POSITION_BATCH + 50)],
             now=NOW)
    add_webhook(db, WebhookCreate(url=receiver.url), now=NOW)
    shop_with_orders(db, 1)
    while send_webhooks(db, poster, now=NOW).endpoints:
        pass
    assert [e["data"].get("customer", {}).get("email") for e in receiver.events()] == ["c0@contoh.id"]


def test_a_failing_receiver_gets_the_same_batch_again_after_backoff_then_is_disabled(
        db: Database, receiver: Receiver, poster: HttpPoster) -> None:
    add_webhook(db, WebhookCreate(url=receiver.url), now=NOW)
    shop_with_orders(db, 2)
    receiver.status = 500
    assert send_webhooks(db, poster, now=NOW).failures == 1
    assert send_webhooks(db, poster, now=NOW + timedelta(seconds=30)).endpoints == 0  # backing off: 1 minute
    receiver.status = 204
    assert send_webhooks(db, poster, now=NOW + timedelta(minutes=1)).events == 2
    first, again = (json.loads(body)["events"] for _, body in receiver.requests)
    assert first == again  # the same events: receivers drop repeats by id or key

    shop_with_orders(db, 1, start=2)
    receiver.status = 503
    moment = NOW + timedelta(minutes=2)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        report = send_webhooks(db, poster, now=moment)
        assert report.failures == 1
        moment += timedelta(minutes=2 ** (attempt - 1))
    assert report.disabled and not list_webhooks(db)[0].active
    assert send_webhooks(db, poster, now=moment + timedelta(days=30)).endpoints == 0
    receiver.status = 200
    enable_webhook(db, report.disabled[0])
    assert send_webhooks(db, poster, now=moment).events == 1  # nothing skipped while it was disabled


def test_an_unreachable_receiver_is_a_failure_not_a_crash(db: Database, poster: HttpPoster) -> None:
    add_webhook(db, WebhookCreate(url="http://127.0.0.1:9/nowhere"), now=NOW)
    shop_with_orders(db, 1)
    report = send_webhooks(db, poster, now=NOW)
    assert report.failures == 1 and "ConnectError" in (list_webhooks(db)[0].last_error or "")


def test_an_endpoint_may_take_only_some_event_types(db: Database, receiver: Receiver, poster: HttpPoster) -> None:
    add_webhook(db, WebhookCreate(url=receiver.url, events=["backorder.allocated"]), now=NOW)
    shop_with_orders(db, 2)  # two order.backordered: skipped for this endpoint
    assert send_webhooks(db, poster, now=NOW).requests == 0
    stock.adjust_stock(db, "KAOS", StockAdjustment(delta=2, reason="datang"), now=NOW)
    while send_webhooks(db, poster, now=NOW).endpoints:
        pass
    assert [e["type"] for e in receiver.events()] == ["backorder.allocated", "backorder.allocated"]


def test_bad_urls_and_event_types_are_refused() -> None:
    for spec in ({"url": "ftp://contoh.id"}, {"url": "bukan url"}, {"url": "https://contoh.id", "events": ["x"]},
                 {"url": "https://contoh.id", "events": []}, {"url": "https://contoh.id/" + "a" * 2000}):
        with pytest.raises(ValidationError):
            WebhookCreate.model_validate(spec)


def test_webhooks_over_http_are_for_admin_keys(db: Database, receiver: Receiver) -> None:
    with TestClient(create_app(db), raise_server_exceptions=False) as client:
        client.headers["Authorization"] = f"Bearer {create_key(db, Role.STAFF)}"
        assert client.post("/v1/webhooks", json={"url": receiver.url}).status_code == 403
        client.headers["Authorization"] = f"Bearer {create_key(db, Role.ADMIN)}"
        created = client.post("/v1/webhooks", json={"url": receiver.url, "events": ["eta_changed"]})
        assert created.status_code == 201 and len(created.json()["secret"]) == 64
        listed = client.get("/v1/webhooks").json()
        assert [w["events"] for w in listed["items"]] == [["eta_changed"]] and "secret" not in listed["items"][0]
        assert client.post("/v1/webhooks", json={"url": "ftp://x"}).json()["error"]["code"] == "validation_error"
        assert client.delete(f"/v1/webhooks/{created.json()['id']}").status_code == 204
        assert client.delete(f"/v1/webhooks/{created.json()['id']}").status_code == 404


def test_two_workers_racing_send_each_event_once_and_in_order(db: Database, receiver: Receiver) -> None:
    add_webhook(db, WebhookCreate(url=receiver.url), now=NOW)
    shop_with_orders(db, 40)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker() -> None:
        poster = HttpPoster(timeout=5)
        barrier.wait()
        try:
            for _ in range(60):
                send_webhooks(db, poster, now=NOW, batch=3)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            poster.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    ids = [e["id"] for e in receiver.events()]
    assert len(ids) == 40 and ids == sorted(set(ids))  # each once, in outbox order


@pytest.mark.usefixtures("english")
def test_webhooks_from_the_terminal(run) -> None:  # type: ignore[no-untyped-def]
    added = run("webhooks", "add", "--json", "http://127.0.0.1:9/nowhere", "--event", "order.backordered")
    assert added.exit_code == 0 and len(json.loads(added.stdout)["secret"]) == 64
    assert run("products", "add", "KOPI", "Kopi").exit_code == 0
    assert run("orders", "place", "--email", "budi@contoh.id", "--line", "KOPI:1").exit_code == 0
    sent = run("webhooks", "send")
    assert sent.exit_code == 0 and "1 failure(s)" in sent.stdout  # nobody listens on port 9
    listed = run("webhooks")
    assert listed.exit_code == 0 and "ConnectError" in listed.stdout
    assert run("webhooks", "add", "ftp://contoh.id").exit_code == 2
    assert run("webhooks", "remove", "99").exit_code == 2
