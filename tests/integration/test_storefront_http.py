"""The Storefront section of API.md over HTTP, and the confirm/unsubscribe pages (both databases)."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlparse

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from inden.api.app import create_app
from inden.db.models import OutboxEvent, Subscription
from inden.db.session import Database
from inden.services.keys import Role, create_key
from tests.letters import emailed_links


@pytest.fixture
def client(db: Database) -> Iterator[TestClient]:
    with TestClient(create_app(db), raise_server_exceptions=False) as test_client:
        staff = {"Authorization": f"Bearer {create_key(db, Role.STAFF)}"}
        assert test_client.post("/v1/products", json={"sku": "KAOS-M", "name": "Kaos Hitam M"},
                                headers=staff).status_code == 201
        test_client.headers["Authorization"] = f"Bearer {create_key(db, Role.STOREFRONT)}"
        test_client.headers["X-Staff"] = staff["Authorization"]
        yield test_client


def as_staff(client: TestClient) -> dict[str, str]:
    return {"Authorization": client.headers["X-Staff"]}


def confirm_link(db: Database) -> str:
    """The confirm link of the one sign-up email due (minted as it is sent: the outbox holds none)."""
    [token] = emailed_links(db).values()
    return f"{db.settings.base_url}/subscriptions/confirm?token={token}"


def path_of(url: str) -> str:
    parts = urlparse(url)
    return f"{parts.path}?{parts.query}"


def status_of(db: Database) -> str:
    with db.transaction() as session:
        return str(session.scalars(select(Subscription.status)).one())


def test_a_storefront_key_reads_availability_in_the_documented_shape(client: TestClient) -> None:
    body = client.get("/v1/availability/KAOS-M", params={"quantity": 2, "locale": "en"}).json()
    assert {"sku", "status", "available", "eta", "labels", "message"} <= set(body)
    assert body["status"] == "backorder" and body["eta"] is not None and body["message"].startswith("Out of stock")
    assert client.get("/v1/availability/KAOS-M").json()["message"].startswith("Stok habis — pesan sekarang")


def test_a_storefront_key_may_do_nothing_else(client: TestClient) -> None:
    assert client.get("/v1/products/KAOS-M").status_code == 403
    assert client.post("/v1/orders", json={}).json()["error"]["code"] == "forbidden"
    assert client.get("/v1/availability/KAOS-M", headers={"Authorization": "Bearer nope"}).status_code == 401


@pytest.mark.parametrize("query, field", [({"quantity": 0}, "quantity"), ({"locale": "fr"}, "locale")])
def test_bad_availability_queries_are_clear_422s(client: TestClient, query: dict[str, object], field: str) -> None:
    response = client.get("/v1/availability/KAOS-M", params=query)
    assert response.status_code == 422 and field in response.json()["error"]["message"]


def test_unknown_skus_are_404_for_availability_and_sign_ups(client: TestClient, db: Database) -> None:
    assert client.get("/v1/availability/TIDAK-ADA").json()["error"]["code"] == "not_found"
    response = client.post("/v1/subscriptions", json={"sku": "TIDAK-ADA", "email": "a@contoh.id"})
    assert response.status_code == 404
    with db.transaction() as session:
        assert session.scalars(select(Subscription)).all() == []


def test_a_sign_up_with_a_bad_email_changes_nothing(client: TestClient, db: Database) -> None:
    response = client.post("/v1/subscriptions", json={"sku": "KAOS-M", "email": "bukan-email"})
    assert response.status_code == 422 and response.json()["error"]["code"] == "validation_error"
    with db.transaction() as session:
        assert session.scalars(select(OutboxEvent)).all() == []


def test_sign_up_then_confirm_by_the_button_not_by_opening_the_link(client: TestClient, db: Database) -> None:
    response = client.post("/v1/subscriptions", json={"sku": "KAOS-M", "email": "rina@contoh.id", "locale": "en"})
    assert response.status_code == 202 and response.json()["message"].startswith("Thank you")
    link = path_of(confirm_link(db))
    page = client.get(link)  # what a mail scanner does
    assert page.status_code == 200 and "Confirm your sign-up" in page.text and "<form method=\"post\"" in page.text
    assert status_of(db) == "pending"
    done = client.post(link)
    assert done.status_code == 200 and "You are signed up" in done.text
    assert status_of(db) == "confirmed"


def test_pages_speak_the_shoppers_language_and_escape_what_they_show(client: TestClient, db: Database) -> None:
    client.patch("/v1/products/KAOS-M", json={"name": "<b>Kaos</b>"}, headers=as_staff(client))
    client.post("/v1/subscriptions", json={"sku": "KAOS-M", "email": "rina@contoh.id"})
    page = client.get(path_of(confirm_link(db)))
    assert "Konfirmasi pendaftaran" in page.text and "&lt;b&gt;Kaos&lt;/b&gt;" in page.text
    assert "<b>Kaos</b>" not in page.text


def test_one_click_unsubscribe_and_dead_links(client: TestClient, db: Database) -> None:
    client.post("/v1/subscriptions", json={"sku": "KAOS-M", "email": "rina@contoh.id"})
    token = parse_qs(urlparse(confirm_link(db)).query)["token"][0]
    response = client.post(f"/subscriptions/unsubscribe?token={token}", content="List-Unsubscribe=One-Click",
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 200 and "Anda sudah berhenti berlangganan" in response.text
    assert status_of(db) == "unsubscribed"
    assert client.post(f"/subscriptions/confirm?token={token}").status_code == 404  # no confirming it back
    dead = client.get("/subscriptions/confirm?token=salah", headers={"Accept-Language": "en-US,en;q=0.8"})
    assert dead.status_code == 404 and "This link is no longer valid." in dead.text


def test_too_many_sign_ups_from_one_address_are_rate_limited(client: TestClient) -> None:
    from inden.config import get_settings

    staff = as_staff(client)
    limit = get_settings().signups_per_email_per_day
    for n in range(limit + 1):
        client.post("/v1/products", json={"sku": f"SKU-{n}", "name": f"Produk {n}"}, headers=staff)
    for n in range(limit):
        assert client.post("/v1/subscriptions", json={"sku": f"SKU-{n}", "email": "a@contoh.id"}).status_code == 202
    response = client.post("/v1/subscriptions", json={"sku": f"SKU-{limit}", "email": "a@contoh.id"})
    assert response.status_code == 429 and response.json()["error"]["code"] == "rate_limited"


def test_the_openapi_document_lists_the_storefront(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert "/v1/availability/{sku}" in paths and "post" in paths["/v1/subscriptions"]
    assert not any(path.startswith("/subscriptions/") for path in paths)


def test_a_category_page_reads_many_products_in_one_request(client: TestClient) -> None:
    staff = as_staff(client)
    assert client.post("/v1/products", json={"sku": "KOPI", "name": "Kopi"}, headers=staff).status_code == 201
    client.post("/v1/products/KOPI/stock-adjustments", json={"delta": 50, "reason": "stok"}, headers=staff)
    body = client.get("/v1/availability", params=[("sku", "KOPI"), ("sku", "HILANG"), ("sku", "KAOS-M"),
                                                  ("locale", "en")]).json()
    assert [(a["sku"], a["status"]) for a in body["items"]] == [("KOPI", "in_stock"), ("KAOS-M", "backorder")]
    single = client.get("/v1/availability/KAOS-M", params={"locale": "en"}).json()
    assert body["items"][1] == single  # the same answer as one at a time
    too_many = client.get("/v1/availability", params=[("sku", f"S{n}") for n in range(101)])
    assert too_many.status_code == 422
    assert client.get("/v1/availability", params={"sku": "bad sku!"}).status_code == 422
    assert client.get("/v1/availability").status_code == 422
