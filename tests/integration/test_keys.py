"""API keys: the role visible in the key, and keys listed and revoked from the API (admin) and the terminal."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator

import pytest
from click.testing import Result
from fastapi.testclient import TestClient

from inden.api.app import create_app
from inden.db.session import Database
from inden.services.keys import Role, create_key, list_keys


@pytest.fixture
def client(db: Database) -> Iterator[TestClient]:
    with TestClient(create_app(db), raise_server_exceptions=False) as test_client:
        test_client.headers["Authorization"] = f"Bearer {create_key(db, Role.ADMIN)}"
        yield test_client


def test_a_key_names_its_role_in_its_prefix(db: Database) -> None:
    made = {role: create_key(db, role) for role in Role}
    assert made[Role.ADMIN].startswith("inden_admin_")
    assert made[Role.STAFF].startswith("inden_staff_")
    assert made[Role.STOREFRONT].startswith("inden_store_")
    for key in made.values():
        assert re.fullmatch(r"inden_(admin|staff|store)_[A-Za-z0-9_-]{43}", key)
    assert {k.prefix for k in list_keys(db)} == {key[:16] for key in made.values()}


def test_an_admin_lists_keys_without_the_keys_themselves(client: TestClient, db: Database) -> None:
    store = create_key(db, Role.STOREFRONT)
    listed = client.get("/v1/keys")
    assert listed.status_code == 200
    items = listed.json()["items"]
    assert [(k["role"], k["revoked_at"]) for k in items] == [("admin", None), ("storefront", None)]
    assert items[1]["prefix"] == store[:16] and store not in listed.text


def test_a_revoked_key_is_refused_at_once(client: TestClient, db: Database) -> None:
    store = create_key(db, Role.STOREFRONT)
    headers = {"Authorization": f"Bearer {store}"}
    assert client.get("/v1/availability/NOPE", headers=headers).status_code == 404  # works (unknown SKU)
    key_id = next(k.id for k in list_keys(db) if k.role is Role.STOREFRONT)
    assert client.delete(f"/v1/keys/{key_id}").status_code == 204
    refused = client.get("/v1/availability/NOPE", headers=headers)
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "unauthorized"
    assert client.get("/v1/keys").json()["items"][1]["revoked_at"] is not None
    assert client.delete(f"/v1/keys/{key_id}").status_code == 204  # revoking twice changes nothing
    assert client.delete("/v1/keys/999").status_code == 404
    assert client.delete(f"/v1/keys/{2**31}").status_code == 422


@pytest.mark.parametrize("role", [Role.STAFF, Role.STOREFRONT])
def test_only_admin_keys_see_or_revoke_keys(client: TestClient, db: Database, role: Role) -> None:
    headers = {"Authorization": f"Bearer {create_key(db, role)}"}
    assert client.get("/v1/keys", headers=headers).status_code == 403
    assert client.delete("/v1/keys/1", headers=headers).status_code == 403
    assert list_keys(db)[0].revoked_at is None


@pytest.mark.usefixtures("english")
def test_keys_list_and_revoke_from_the_terminal(run: Callable[..., Result]) -> None:
    key = run("keys", "create", "--role", "storefront").stdout.strip()
    listed = run("keys", "list")
    assert listed.exit_code == 0 and key[:16] in listed.stdout and key not in listed.stdout
    revoked = run("keys", "revoke", "1")
    assert revoked.exit_code == 0 and "revoked" in revoked.stdout, revoked.output
    rows = json.loads(run("keys", "list", "--json").stdout)
    assert rows[0]["revoked_at"] is not None and rows[0]["role"] == "storefront"
    missing = run("keys", "revoke", "7")
    assert missing.exit_code == 2 and "No API key with id 7" in missing.output
    assert run("keys", "revoke", str(2**31)).exit_code == 2


def test_keys_revoke_speaks_indonesian_by_default(run: Callable[..., Result]) -> None:
    run("keys", "create", "--role", "staff")
    assert "sudah dicabut" in run("keys", "revoke", "1").stdout
