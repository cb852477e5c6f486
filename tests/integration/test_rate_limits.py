"""Storefront rate limits per key and per client, and sign-ups per mailbox and per client: 429 with
Retry-After, counted in the database so that two server processes share one count (issue 13)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

import pytest
from fastapi.testclient import TestClient

from inden.api.app import create_app
from inden.config import Settings
from inden.db.session import Database
from inden.services import products
from inden.services.keys import Role, create_key
from inden.services.rate_limits import normalised_email
from inden.services.schemas.products import ProductCreate


def server(db: Database, **settings: object) -> TestClient:
    """An app over the same database with its own settings: another server process, as far as limits go."""
    url = db.engine.url.render_as_string(hide_password=False)
    return TestClient(create_app(Database(url, settings=Settings(database_url=url, **settings))),
                      raise_server_exceptions=False)


@pytest.fixture
def shop(db: Database) -> Iterator[Database]:
    products.create_product(db, ProductCreate(sku="KAOS", name="Kaos"))
    yield db


def assert_limited(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 429, response.text
    assert response.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(response.headers["retry-after"]) <= 86400


def test_a_storefront_key_is_held_to_its_per_client_limit_across_two_processes(shop: Database) -> None:
    key = {"Authorization": f"Bearer {create_key(shop, Role.STOREFRONT)}"}
    with ExitStack() as stack:
        first = stack.enter_context(server(shop, storefront_requests_per_minute_per_client=3))
        second = stack.enter_context(server(shop, storefront_requests_per_minute_per_client=3))
        assert first.get("/v1/availability/KAOS", headers=key).status_code == 200
        assert second.get("/v1/availability/KAOS", headers=key).status_code == 200
        assert first.get("/v1/availability", params={"sku": "KAOS"}, headers=key).status_code == 200
        assert_limited(second.get("/v1/availability/KAOS", headers=key))
        staff = {"Authorization": f"Bearer {create_key(shop, Role.STAFF)}"}
        assert first.get("/v1/availability/KAOS", headers=staff).status_code == 200  # the shop's own back-end


def test_a_storefront_key_has_a_limit_of_its_own(shop: Database) -> None:
    key = {"Authorization": f"Bearer {create_key(shop, Role.STOREFRONT)}"}
    other = {"Authorization": f"Bearer {create_key(shop, Role.STOREFRONT)}"}
    with server(shop, storefront_requests_per_minute_per_key=2, storefront_requests_per_minute_per_client=0) as app:
        assert [app.get("/v1/availability/KAOS", headers=key).status_code for _ in range(2)] == [200, 200]
        assert_limited(app.get("/v1/availability/KAOS", headers=key))
        assert app.get("/v1/availability/KAOS", headers=other).status_code == 200


def test_plus_addresses_and_case_count_as_one_mailbox(shop: Database) -> None:
    key = {"Authorization": f"Bearer {create_key(shop, Role.STOREFRONT)}"}
    with server(shop, signups_per_email_per_day=3, signups_per_client_per_hour=0) as app:
        answers = [app.post("/v1/subscriptions", headers=key, json={"sku": "KAOS", "email": email}).status_code
                   for email in ("nama+1@contoh.id", "NAMA+2@contoh.id", "nama@CONTOH.id")]
        assert answers == [202, 202, 202]
        assert_limited(app.post("/v1/subscriptions", headers=key, json={"sku": "KAOS", "email": "nama+4@contoh.id"}))
        assert app.post("/v1/subscriptions", headers=key, json={"sku": "KAOS", "email": "lain@contoh.id"}
                        ).status_code == 202


def test_sign_ups_from_one_client_are_limited_per_hour(shop: Database) -> None:
    key = {"Authorization": f"Bearer {create_key(shop, Role.STOREFRONT)}"}
    with server(shop, signups_per_client_per_hour=2) as app:
        for n in range(2):
            assert app.post("/v1/subscriptions", headers=key, json={"sku": "KAOS", "email": f"p{n}@contoh.id"}
                            ).status_code == 202
        assert_limited(app.post("/v1/subscriptions", headers=key, json={"sku": "KAOS", "email": "p9@contoh.id"}))


@pytest.mark.parametrize(("email", "mailbox"), [("Siti+12@Contoh.id", "siti@contoh.id"), ("a@b.id", "a@b.id"),
                                                ("x+y+z@B.ID", "x@b.id")])
def test_normalised_email(email: str, mailbox: str) -> None:
    assert normalised_email(email) == mailbox
