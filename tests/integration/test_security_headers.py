"""Every HTML page carries a Content-Security-Policy with frame-ancestors, nosniff and a Referrer-Policy; the
API docs can be put behind the back-office login or turned off (INDEN_API_DOCS)."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from inden.api.app import create_app
from inden.config import Settings
from inden.db.session import Database
from inden.services.keys import Role, create_key


def app_with(db: Database, **settings: object) -> TestClient:
    url = db.engine.url.render_as_string(hide_password=False)
    return TestClient(create_app(Database(url, settings=Settings(database_url=url, **settings))),
                      raise_server_exceptions=False)


@pytest.fixture
def client(db: Database) -> Iterator[TestClient]:
    with app_with(db) as test_client:
        yield test_client


def assert_page_headers(response) -> str:  # type: ignore[no-untyped-def]
    assert response.headers["content-type"].startswith("text/html"), response.headers
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] in ("same-origin", "no-referrer", "strict-origin-when-cross-origin")
    assert response.headers["x-frame-options"] == "DENY"
    policy: str = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy
    return policy


@pytest.mark.parametrize("path", ["/login", "/docs", "/redoc", "/dashboard", "/confirm?token=x", "/orders/abc",
                                  "/no-such-page"])
def test_every_html_page_has_a_policy_with_frame_ancestors_and_nosniff(client: TestClient, path: str) -> None:
    response = client.get(path, follow_redirects=True)
    if response.headers["content-type"].startswith("text/html"):
        assert_page_headers(response)
    else:
        assert response.headers["x-content-type-options"] == "nosniff"


def test_the_docs_page_allows_only_its_own_inline_script_by_hash_and_no_other_host(client: TestClient) -> None:
    response = client.get("/docs")
    policy = assert_page_headers(response)
    scripts = re.findall(r"<script>(.*?)</script>", response.text, re.DOTALL)
    assert scripts
    for script in scripts:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert "http" not in policy and "cdn" not in response.text.lower()


def test_json_answers_carry_nosniff_too(client: TestClient) -> None:
    response = client.get("/v1/products")
    assert response.status_code == 401 and response.headers["x-content-type-options"] == "nosniff"


def test_api_docs_can_be_turned_off(db: Database) -> None:
    with app_with(db, api_docs="off") as client:
        for path in ("/docs", "/redoc", "/openapi.json"):
            assert client.get(path).status_code == 404
        key = create_key(db, Role.STAFF)
        assert client.get("/v1/products", headers={"Authorization": f"Bearer {key}"}).status_code == 200


def test_api_docs_can_be_put_behind_the_back_office_login(db: Database) -> None:
    with app_with(db, api_docs="login") as client:
        for path in ("/docs", "/redoc", "/openapi.json"):
            response = client.get(path, follow_redirects=False)
            assert response.status_code in (302, 303, 401), (path, response.status_code)
            assert "openapi" not in response.text.lower() or response.status_code != 200
