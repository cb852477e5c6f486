"""Back-in-stock in waves (issue 14 item 3): 1,000 confirmed sign-ups and 5 units back tell 15 shoppers, the next
wave only after the window and only while units remain, none once sold out; the factor learns from conversion
(both databases)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, insert, select

from inden.api.app import create_app
from inden.db.models import OutboxEvent, Product, Subscription
from inden.db.session import Database
from inden.services import orders, products, stock, subscriptions
from inden.services.delivery import deliver_outbox
from inden.services.keys import Role, create_key
from inden.services.schemas.orders import OrderCreate
from inden.services.schemas.products import ProductCreate, StockAdjustment
from inden.services.schemas.storefront import SubscriptionCreate
from inden.services.worker import WorkerSchedule, run_tick
from tests.letters import Letters, emailed_links, links_in, text_of

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
SKU = "SEPATU-42"


def signed_up(db: Database, count: int) -> None:
    """`count` confirmed sign-ups, the first to confirm first (shopper0000 … ), in one statement."""
    with db.transaction() as session:
        product_id = session.scalar(select(Product.id).where(Product.sku == SKU))
        session.execute(insert(Subscription), [
            {"product_id": product_id, "email": f"shopper{n:04d}@contoh.id", "locale": "id", "status": "confirmed",
             "created_at": NOW - timedelta(days=3),
             "confirmed_at": NOW - timedelta(days=2, seconds=-n)} for n in range(count)])


def told(db: Database) -> list[str]:
    """The addresses told so far, in the order their events were written."""
    with db.transaction() as session:
        payloads = session.scalars(select(OutboxEvent.payload).where(OutboxEvent.event_type == "back_in_stock")
                                   .order_by(OutboxEvent.id)).all()
    return [p["email"] for p in payloads]


def restock(db: Database, units: int, at: timedelta) -> None:
    stock.adjust_stock(db, SKU, StockAdjustment(delta=units, reason="datang"), now=NOW + at)


def buy(db: Database, email: str, at: timedelta) -> None:
    request = OrderCreate.model_validate({"customer": {"email": email.upper()},  # any case matches the sign-up
                                          "lines": [{"sku": SKU, "quantity": 1}]})
    orders.place_order(db, request, now=NOW + at)


def tick(db: Database, at: timedelta) -> int:
    return run_tick(db, WorkerSchedule(plan=False, deliver=False), now=NOW + at).told


@pytest.fixture
def shop(db: Database) -> Database:
    products.create_product(db, ProductCreate(sku=SKU, name="Sepatu Lari 42", price="450000"), now=NOW)
    signed_up(db, 1000)
    return db


def test_five_units_back_tell_fifteen_then_the_rest_wait_for_the_window_and_for_units(shop: Database) -> None:
    db = shop
    restock(db, 5, timedelta(0))
    first = told(db)
    assert first == [f"shopper{n:04d}@contoh.id" for n in range(15)]  # first come, first served
    assert tick(db, timedelta(hours=1)) == 0  # inside the window: nobody else yet
    for email in first[:3]:
        buy(db, email, timedelta(hours=1, minutes=30))
    assert tick(db, timedelta(hours=1, minutes=59)) == 0
    assert tick(db, timedelta(hours=2)) == 6  # 2 units remain × 3
    assert told(db)[15:] == [f"shopper{n:04d}@contoh.id" for n in range(15, 21)]
    for email in told(db)[15:17]:
        buy(db, email, timedelta(hours=2, minutes=10))  # sold out
    assert tick(db, timedelta(hours=4)) == 0 and tick(db, timedelta(hours=9)) == 0
    assert len(told(db)) == 21

    restock(db, 2, timedelta(hours=5))  # more stock: a wave at once, not after the window
    assert len(told(db)) == 27
    waves = subscriptions.sign_up_waves(db, SKU, now=NOW + timedelta(hours=30))  # all three measured
    assert (waves.told, waves.bought) == (27, 5) and waves.waiting == 1000 - 27
    assert waves.conversion == pytest.approx(5 / 27) and waves.factor == pytest.approx(27 / 5)
    assert [(w.units_on_sale, w.size, w.told, w.bought) for w in waves.waves] == [
        (2, 6, 6, 0), (2, 6, 6, 2), (5, 15, 15, 3)]
    restock(db, 1, timedelta(hours=31))
    assert len(told(db)) == 27 + 17  # 3 units on sale (2 unsold + 1) × the learned factor 5.4, rounded up


def test_a_told_shopper_hears_that_stock_is_limited(shop: Database) -> None:
    db = shop
    restock(db, 1, timedelta(0))
    with db.transaction() as session:
        payload = session.scalars(select(OutboxEvent.payload).where(OutboxEvent.event_type == "back_in_stock")).first()
    assert payload is not None and payload["limited"] is True and "unsubscribe_url" not in payload
    letters = Letters()
    deliver_outbox(db, letters, now=NOW)
    email = letters.messages[0]  # the wave tells 3 (1 unit x 3): the first to confirm first
    assert "Stoknya terbatas" in text_of(email) and "Rp450.000" in text_of(email)
    [unsubscribe] = links_in(email, "unsubscribe")  # minted as it was sent: the one told shopper's own
    assert subscriptions.unsubscribe(db, unsubscribe, now=NOW).email == "shopper0000@contoh.id"


def test_a_confirmation_inside_the_window_tops_the_wave_up_to_its_size(db: Database) -> None:
    products.create_product(db, ProductCreate(sku=SKU, name="Sepatu Lari 42"), now=NOW)
    signed_up(db, 2)
    restock(db, 2, timedelta(0))  # room for 6, only 2 waiting
    assert len(told(db)) == 2
    for n in range(6):
        subscriptions.subscribe(db, SubscriptionCreate(sku=SKU, email=f"late{n}@contoh.id"), now=NOW)
    links = emailed_links(db, now=NOW)
    for n in range(6):
        subscriptions.confirm(db, links[f"late{n}@contoh.id"], now=NOW + timedelta(minutes=10 + n))
    assert len(told(db)) == 6  # the wave's size; the last two wait for the next wave
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Subscription).where(
            Subscription.status == "confirmed")) == 2


@pytest.fixture
def client(db: Database) -> Iterator[TestClient]:
    with TestClient(create_app(db), raise_server_exceptions=False) as test_client:
        test_client.headers["Authorization"] = f"Bearer {create_key(db, Role.STAFF)}"
        yield test_client


def test_the_seller_reads_the_conversion_per_product_over_http(shop: Database, client: TestClient) -> None:
    restock(shop, 5, timedelta(0))
    body = client.get(f"/v1/products/{SKU}/sign-ups").json()
    assert body["waiting"] == 985 and body["conversion"] is None and body["factor"] == 3.0
    assert body["waves"][0]["told"] == 15 and body["waves"][0]["bought"] is None
    assert client.get("/v1/products/NOPE/sign-ups").status_code == 404


def test_the_back_office_product_page_shows_the_waves(shop: Database, client: TestClient) -> None:
    import re

    from inden.services import accounts
    from inden.services.accounts import UserRole

    restock(shop, 5, timedelta(0))
    accounts.add_user(shop, "pemilik@toko.id", UserRole.OWNER, password="kata-sandi-toko-1")
    del client.headers["Authorization"]
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert csrf and client.post("/login", data={"email": "pemilik@toko.id", "password": "kata-sandi-toko-1",
                                                "csrf_token": csrf.group(1)}).status_code in (200, 303)
    page = " ".join(client.get(f"/products/{SKU}").text.split())
    assert "Pendaftar kabar stok kembali" in page and "985 orang menunggu kabar stok kembali." in page
    assert "Konversi: belum diukur" in page and "15 / 15" in page


def test_the_cli_shows_a_products_waves(run, english) -> None:  # type: ignore[no-untyped-def]
    assert run("products", "add", SKU, "Sepatu Lari 42").exit_code == 0
    shown = run("subscriptions", "waves", SKU)
    assert shown.exit_code == 0 and "0 sign-up(s) waiting; conversion –" in shown.output
    assert '"factor": 3.0' in run("subscriptions", "waves", SKU, "--json").output
    assert run("subscriptions", "waves", "NOPE").exit_code != 0


def test_sign_ups_per_day_and_the_measured_conversion_feed_the_sign_up_demand(shop: Database) -> None:
    import pandas as pd

    from inden.planning.sign_up_demand import add_sign_up_demand

    rows, conversion = subscriptions.sign_up_history(shop, since=(NOW - timedelta(days=5)).date(),
                                                     until=NOW.date(), now=NOW)
    assert sum(count for _, _, count in rows) == 1000 and conversion == {SKU: None}
    history = pd.DataFrame({"unique_id": SKU, "ds": pd.to_datetime([day for _, day, _ in rows]), "y": 0.0,
                            "censored": True})
    sign_ups = pd.DataFrame(rows, columns=["unique_id", "ds", "sign_ups"]).assign(ds=lambda f: pd.to_datetime(f.ds))
    assert add_sign_up_demand(history, sign_ups, conversion)["y"].sum() == pytest.approx(1000 / 3)


def test_a_told_shopper_who_signs_up_again_inside_the_wave_is_not_told_twice_by_it(db: Database) -> None:
    """Topping a wave up can meet a sign-up it already told (signed up again, confirmed while the wave has room):
    that event stands, no second one, no error."""
    products.create_product(db, ProductCreate(sku=SKU, name="Sepatu Lari 42"), now=NOW)
    signed_up(db, 2)
    restock(db, 1, timedelta(0))  # room for 3, 2 waiting: both told, one place left
    assert told(db) == ["shopper0000@contoh.id", "shopper0001@contoh.id"]
    again = SubscriptionCreate(sku=SKU, email="shopper0000@contoh.id")
    subscriptions.subscribe(db, again, now=NOW + timedelta(minutes=5))
    [link] = emailed_links(db, now=NOW + timedelta(minutes=5)).values()
    assert subscriptions.confirm(db, link, now=NOW + timedelta(minutes=6)).status == "notified"
    assert told(db) == ["shopper0000@contoh.id", "shopper0001@contoh.id"]
