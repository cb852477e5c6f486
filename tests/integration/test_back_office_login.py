"""The back office's doors, over HTTP on both databases: login, sessions, CSRF, owner-only pages, throttling."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from inden.api.app import create_app
from inden.clock import utcnow
from inden.db.models import LoginAttempt, UserSession
from inden.db.session import Database
from inden.services import accounts
from inden.services.accounts import UserRole

PAGES = ("/", "/dashboard", "/products", "/products/new", "/products/X-1", "/orders", "/orders/1", "/purchase-orders",
         "/purchase-orders/new", "/purchase-orders/1", "/suppliers", "/plan", "/import", "/downloads/products.csv",
         "/settings")
OWNER_PAGES = ("/settings",)
OWNER, STAFF, PASSWORD = "pemilik@toko.id", "staf@toko.id", "rahasia-toko-123"


@pytest.fixture
def people(db: Database) -> Database:
    """The database with an owner and a staff member whose passwords are set."""
    accounts.add_user(db, OWNER, UserRole.OWNER, password=PASSWORD)
    accounts.add_user(db, STAFF, UserRole.STAFF, password=PASSWORD)
    return db


@pytest.fixture
def client(people: Database) -> Iterator[TestClient]:
    db = people
    with TestClient(create_app(db), raise_server_exceptions=False, follow_redirects=False) as test_client:
        yield test_client


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "every form carries a CSRF token"
    return found.group(1)


def log_in(client: TestClient, email: str, password: str = PASSWORD, **extra: str) -> object:
    token = csrf_of(client.get("/login").text)
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token, **extra})


def test_every_page_sends_a_visitor_without_a_session_to_the_login(client: TestClient) -> None:
    for path in PAGES:
        answer = client.get(path)
        assert answer.status_code == 303, path
        assert answer.headers["location"].startswith("/login?next="), path


def test_the_login_form_names_its_fields_and_sets_a_safe_session_cookie(client: TestClient) -> None:
    form = client.get("/login")
    assert 'name="email"' in form.text and 'name="password"' in form.text and 'name="csrf_token"' in form.text
    assert "Masuk" in form.text  # Indonesian by default
    done = log_in(client, OWNER, next="/products")
    assert done.status_code == 303 and done.headers["location"] == "/products"
    cookie = next(c for c in done.headers.get_list("set-cookie") if c.startswith("inden_session="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie  # plain http here
    assert client.get("/").status_code == 200


def test_a_login_never_redirects_to_another_site(client: TestClient) -> None:
    done = log_in(client, OWNER, next="//evil.example/")
    assert done.headers["location"] == "/"


def test_a_wrong_password_says_so_beside_the_field_and_starts_no_session(client: TestClient, db: Database) -> None:
    answer = log_in(client, OWNER, "salah-sekali-123")
    assert answer.status_code == 401
    assert "Email atau kata sandi salah." in answer.text and 'aria-invalid="true"' in answer.text
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(UserSession)) == 0


def test_five_failed_logins_for_an_address_give_429_with_a_wait_even_with_the_right_password(
        client: TestClient, db: Database) -> None:
    for _ in range(5):
        assert log_in(client, STAFF, "salah-sekali-123").status_code == 401
    throttled = log_in(client, STAFF)
    assert throttled.status_code == 429 and int(throttled.headers["retry-after"]) > 0
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(LoginAttempt)) == 5  # counted in the database
    assert log_in(client, OWNER).status_code == 429  # the same client is throttled for every address


def test_failures_from_one_client_across_addresses_are_throttled_too(people: Database) -> None:
    for n in range(5):
        with pytest.raises(accounts.BadLogin):
            accounts.log_in(people, f"orang{n}@toko.id", "salah-sekali-123", client="10.0.0.9")
    with pytest.raises(accounts.LoginThrottled):
        accounts.log_in(people, OWNER, PASSWORD, client="10.0.0.9")
    token, account = accounts.log_in(people, OWNER, PASSWORD, client="10.0.0.10")
    assert token and account.is_owner


def test_a_form_without_the_sessions_csrf_token_is_refused_and_changes_nothing(client: TestClient,
                                                                            db: Database) -> None:
    log_in(client, OWNER)
    refused = client.post("/language", data={"locale": "en", "csrf_token": "forged"})
    assert refused.status_code == 403
    assert "Bahasa Indonesia" not in client.get("/").text  # still Indonesian: the switch offers English
    login_without_token = client.post("/login", data={"email": OWNER, "password": PASSWORD, "csrf_token": "x"})
    assert login_without_token.status_code == 403


def test_staff_get_403_on_the_owners_pages(client: TestClient) -> None:
    log_in(client, STAFF)
    assert client.get("/").status_code == 200
    for path in OWNER_PAGES:
        assert client.get(path).status_code == 403, path
    token = csrf_of(client.get("/").text)
    for path in ("/settings/users", "/settings/keys", "/settings/webhooks", "/settings/keys/1/revoke"):
        assert client.post(path, data={"csrf_token": token, "email": "x@toko.id", "role": "owner",
                                       "key_role": "admin", "url": "https://x.example"}).status_code == 403, path
    assert "Pengaturan" not in client.get("/").text  # the menu does not offer it either


def test_the_language_switch_is_remembered_for_the_user(client: TestClient) -> None:
    log_in(client, OWNER)
    token = csrf_of(client.get("/").text)
    assert client.post("/language", data={"locale": "en", "csrf_token": token, "next": "/"}).status_code == 303
    assert "Today" in client.get("/").text
    client.cookies.clear()
    log_in(client, OWNER)
    assert "Log out" in client.get("/").text


def test_logging_out_ends_the_session_on_the_server(client: TestClient) -> None:
    log_in(client, OWNER)
    cookie = client.cookies.get("inden_session")
    token = csrf_of(client.get("/").text)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303
    client.cookies.set("inden_session", cookie or "")
    assert client.get("/").status_code == 303


def test_an_idle_session_expires(people: Database) -> None:
    token, _ = accounts.log_in(people, OWNER, PASSWORD, client="c")
    assert accounts.session_account(people, token) is not None
    later = utcnow() + timedelta(days=2)
    assert accounts.session_account(people, token, now=later) is None


def test_a_setup_link_sets_the_password_once(client: TestClient, db: Database) -> None:
    secret = accounts.add_user(db, "baru@toko.id", UserRole.STAFF)
    assert secret
    form = client.get(f"/setup/{secret}")
    assert form.status_code == 200 and "baru@toko.id" in form.text
    short = client.post(f"/setup/{secret}", data={"password": "pendek", "confirm": "pendek",
                                                  "csrf_token": csrf_of(form.text)})
    assert short.status_code == 422 and "10 karakter" in short.text
    done = client.post(f"/setup/{secret}", data={"password": PASSWORD, "confirm": PASSWORD,
                                                 "csrf_token": csrf_of(form.text)})
    assert done.status_code == 303
    assert client.get(f"/setup/{secret}").status_code == 404
    assert log_in(client, "baru@toko.id").status_code == 303


def test_the_login_page_sends_a_logged_in_person_on(client: TestClient) -> None:
    log_in(client, OWNER)
    answer = client.get("/login", params={"next": "/orders"})
    assert answer.status_code == 303 and answer.headers["location"] == "/orders"


def test_the_session_cookie_is_secure_when_served_over_https(people: Database) -> None:
    with TestClient(create_app(people), base_url="https://toko.example", follow_redirects=False) as https:
        token = csrf_of(https.get("/login").text)
        done = https.post("/login", data={"email": OWNER, "password": PASSWORD, "csrf_token": token})
        cookie = next(c for c in done.headers.get_list("set-cookie") if c.startswith("inden_session="))
        assert done.status_code == 303 and "Secure" in cookie and "HttpOnly" in cookie


def test_the_back_office_speaks_with_the_settings_its_app_was_made_with(people: Database) -> None:
    """Not this process's environment: an app made for another shop shows that shop (settings from app state)."""
    from inden.config import Settings

    shop = people.configured(Settings(shop_name="Toko Melati", base_url="https://melati.example"))
    with TestClient(create_app(shop), raise_server_exceptions=False, follow_redirects=False) as client:
        login = client.get("/login")
        assert "<h1>Toko Melati</h1>" in login.text
        cookies = [value for name, value in login.headers.multi_items() if name == "set-cookie"]
        assert cookies and all("Secure" in c for c in cookies)  # its base_url is https, though this client is not
    with TestClient(create_app(people), raise_server_exceptions=False, follow_redirects=False) as client:
        login = client.get("/login")  # the same database, this process's settings: another shop
        assert "Toko Melati" not in login.text and "Secure" not in login.headers["set-cookie"]
