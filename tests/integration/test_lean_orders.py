"""POST /v1/orders answers the same through its lean path (api.lean_orders) as through the documented FastAPI route,
for ordinary orders and for every kind of bad request the lean path hands on: status, body and headers."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.routing import Route

from inden.api.app import create_app
from inden.db.session import Database
from inden.services.keys import Role, create_key
from tests.conftest import truncate_all

GOOD = {"customer": {"email": "siti@contoh.id"}, "lines": [{"sku": "KAOS", "quantity": 1}]}
def requests(storefront_key: str) -> list[tuple[str, dict[str, Any]]]:
    return [
    ("ordinary", {"json": GOOD}),
    ("backorder", {"json": {**GOOD, "lines": [{"sku": "KAOS", "quantity": 5}]}}),
    ("keyed", {"json": GOOD, "headers": {"Idempotency-Key": "pesanan-1"}}),
    ("replayed", {"json": GOOD, "headers": {"Idempotency-Key": "pesanan-1"}}),
    ("conflicting", {"json": {**GOOD, "priority": 3}, "headers": {"Idempotency-Key": "pesanan-1"}}),
    ("refused", {"json": {**GOOD, "lines": [{"sku": "TOLAK", "quantity": 9}]}}),
    ("unknown sku", {"json": {**GOOD, "lines": [{"sku": "TIDAK-ADA", "quantity": 1}]}}),
    ("no key", {"json": GOOD, "headers": {"Authorization": ""}}),
    ("wrong key", {"json": GOOD, "headers": {"Authorization": "Bearer salah"}}),
    ("storefront key", {"json": GOOD, "headers": {"Authorization": f"Bearer {storefront_key}"}}),
    ("basic auth", {"json": GOOD, "headers": {"Authorization": "Basic c2l0aTpzZWNyZXQ="}}),
    ("long idempotency key", {"json": GOOD, "headers": {"Idempotency-Key": "k" * 256}}),
    ("empty idempotency key", {"json": GOOD, "headers": {"Idempotency-Key": ""}}),
    ("not json", {"content": b"{nope", "headers": {"Content-Type": "application/json"}}),
    ("not utf-8", {"content": b'{"customer": "\xff"}', "headers": {"Content-Type": "application/json"}}),
    ("text/plain", {"content": b'{"customer": {"email": "a@b.id"}}', "headers": {"Content-Type": "text/plain"}}),
    ("no body", {"headers": {"Content-Type": "application/json"}}),
    ("string quantity", {"json": {**GOOD, "lines": [{"sku": "KAOS", "quantity": "5"}]}}),
    ("boolean quantity", {"json": {**GOOD, "lines": [{"sku": "KAOS", "quantity": True}]}}),
    ("extra field", {"json": {**GOOD, "diskon": 10}}),
    ("nul byte", {"json": {**GOOD, "customer": {"email": "a\u0000b@contoh.id"}}}),
    ("json with charset", {"content": b'{"customer": {"email": "budi@contoh.id"}, "lines": [{"sku": "KAOS", '
                                       b'"quantity": 1}]}',
                           "headers": {"Content-Type": "application/json; charset=utf-8"}}),
]
VARYING = re.compile(r'"created_at":"[^"]+"|x-request-id')


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def databases(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Database, Database]]:
    """Two fresh databases of one backend (PostgreSQL: one, emptied between the two runs)."""
    if request.param == "postgresql":
        db: Database = request.getfixturevalue("pg_database")
        truncate_all(db)
        yield db, db
        return
    made = []
    for name in ("lean", "documented"):
        path = tmp_path / f"{name}.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        made.append(Database(f"sqlite:///{path}"))
    yield made[0], made[1]
    for db in made:
        db.dispose()


ORDINARY = {"ordinary", "backorder", "keyed", "replayed", "conflicting", "refused", "unknown sku", "json with charset"}


class Recording:
    """Stands in for the documented route behind the lean path and notes each request handed to it."""

    def __init__(self, route: Any, handed: list[str]) -> None:
        self.route, self.handed = route, handed

    async def handle(self, scope: Any, receive: Any, send: Any) -> None:
        self.handed.append(dict(scope["headers"])[b"x-test-name"].decode())
        await self.route.handle(scope, receive, send)


def answers(db: Database, *, lean: bool) -> list[tuple[str, int, str, str | None]]:
    app = create_app(db)
    lean_route = next(r for r in app.router.routes if type(r) is Route and r.path == "/v1/orders")
    handed: list[str] = []
    if lean:
        lean_route.app.documented = Recording(lean_route.app.documented, handed)
    else:  # only the documented FastAPI route
        app.router.routes.remove(lean_route)
    with TestClient(app, raise_server_exceptions=False) as client:
        client.headers["Authorization"] = f"Bearer {create_key(db, Role.STAFF)}"
        storefront_key = create_key(db, Role.STOREFRONT)
        for sku, policy, units in (("KAOS", "allow", 2), ("TOLAK", "deny", 1)):
            assert client.post("/v1/products", json={"sku": sku, "name": sku, "backorder_policy": policy}
                               ).status_code == 201
            assert client.post(f"/v1/products/{sku}/stock-adjustments", json={"delta": units, "reason": "awal"}
                               ).status_code == 201
        out = []
        for name, kwargs in requests(storefront_key):
            headers = {"X-Test-Name": name, **kwargs.pop("headers", {})}
            response = client.post("/v1/orders", headers=headers, **kwargs)
            out.append((name, response.status_code, VARYING.sub("…", response.text),
                        response.headers.get("content-type")))
        if lean:  # the lean path placed the ordinary orders itself and handed on all the others
            assert set(handed) == {name for name, _ in requests(storefront_key)} - ORDINARY
        return out


def test_the_lean_path_answers_as_the_documented_route(databases: tuple[Database, Database]) -> None:
    lean_db, documented_db = databases
    lean = answers(lean_db, lean=True)
    if lean_db is documented_db:
        truncate_all(documented_db)
    documented = answers(documented_db, lean=False)
    assert lean == documented
    statuses = {name: status for name, status, _, _ in lean}
    assert statuses["ordinary"] == statuses["keyed"] == 201 and statuses["replayed"] == 201
    assert statuses["no key"] == 401 and statuses["storefront key"] == 403 and statuses["not json"] == 422
