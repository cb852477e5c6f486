"""The buyer's own order page (issue 14 items 1 and 2): opened from the link in an order email, it shows the
order and takes the buyer's answer — on a POST behind a confirm page, never on a GET (both databases)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from urllib.parse import urlparse

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from inden.api.app import create_app
from inden.db.models import OrderLink, OutboxEvent
from inden.db.session import Database
from inden.notify.smtp import SmtpMailer
from inden.services import accounts, orders, placing, products, stock, supply
from inden.services.accounts import UserRole
from inden.services.delivery import deliver_outbox
from inden.services.keys import Role, create_key
from inden.services.retention import prune_order_links, prune_outbox
from inden.services.schemas.orders import OrderCreate
from inden.services.schemas.products import ProductCreate, StockAdjustment
from inden.services.schemas.supply import PurchaseOrderCreate, PurchaseOrderPatch, SupplierCreate
from tests.smtp import Inbox, smtp_server

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
ANA, BUDI = "ana@contoh.id", "budi@contoh.id"


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    with smtp_server() as server:
        yield server


@pytest.fixture
def client(db: Database) -> Iterator[TestClient]:
    with TestClient(create_app(db), raise_server_exceptions=False) as test_client:
        yield test_client


def deliver(db: Database, inbox: Inbox, *, now: datetime = NOW) -> None:
    with SmtpMailer.from_url(inbox.url) as mailer:
        report = deliver_outbox(db, mailer, now=now)
    assert report.failed == 0 and report.unavailable is None


def text_of(message: EmailMessage) -> str:
    return message.get_body(("plain",)).get_content()  # type: ignore[union-attr]


def order_link(message: EmailMessage) -> str:
    """The path of the order page an email links to."""
    found = re.search(r"(https?://\S+/o/[A-Za-z0-9_-]+)(?:\s|$)", text_of(message))
    assert found, text_of(message)
    return urlparse(found.group(1)).path


def buy(db: Database, email: str, quantity: int, *, locale: str = "id", fulfilment: str = "partial") -> int:
    request = OrderCreate.model_validate({"customer": {"email": email, "locale": locale}, "fulfilment": fulfilment,
                                          "lines": [{"sku": "KAOS-M", "quantity": quantity}]})
    return placing.place_order(db, request, now=NOW).id


def shop_with_one_unit(db: Database) -> None:
    products.create_product(db, ProductCreate(sku="KAOS-M", name="Kaos Hitam M", lead_time_days=14), now=NOW)
    stock.adjust_stock(db, "KAOS-M", StockAdjustment(delta=1, reason="stok awal"), now=NOW)


def test_the_emailed_link_opens_the_order_with_its_place_in_the_queue_and_date(
        db: Database, client: TestClient, inbox: Inbox) -> None:
    shop_with_one_unit(db)
    order_id = buy(db, ANA, 3)
    deliver(db, inbox)
    [email] = inbox.to(ANA)
    link = order_link(email)
    page = client.get(link)
    assert page.status_code == 200
    assert f"Pesanan #{order_id}" in page.text and "Kaos Hitam M" in page.text
    assert "Disisihkan untuk Anda: 1" in page.text and "urutan antrean: 1" in page.text
    assert "Dikirim sekitar" in page.text and "Apa selanjutnya" in page.text
    assert page.headers["Referrer-Policy"] == "no-referrer" and "frame-ancestors 'none'" in page.headers[
        "Content-Security-Policy"]
    assert "Order #" in client.get(link, params={"lang": "en"}).text
    token = link.rsplit("/", 1)[1]
    with db.transaction() as session:  # only the secret's hash is stored
        stored = session.scalars(select(OrderLink.token_hash)).all()
    assert token not in stored and len(stored) == 1
    assert client.get("/o/" + "x" * 43).status_code == 404
    assert client.get(link[:-1] + ("A" if link[-1] != "A" else "B")).status_code == 404
    assert client.get("/static/shop/shop.css").status_code == 200


def test_opening_the_cancel_link_changes_nothing_and_the_post_serves_the_next_customer(
        db: Database, client: TestClient, inbox: Inbox) -> None:
    shop_with_one_unit(db)
    ana = buy(db, ANA, 2, fulfilment="complete")  # 1 reserved, 1 waiting: held until the order is complete
    budi = buy(db, BUDI, 1)
    deliver(db, inbox)
    link = order_link(inbox.to(ANA)[0])
    confirm = client.get(link + "/cancel")  # what a mail scanner does
    assert confirm.status_code == 200 and "Ya, batalkan barang ini" in confirm.text
    assert "2 (1 di antaranya sudah disisihkan)" in confirm.text
    assert orders_status(db, ana) == "partially_backordered"

    refused = client.post(link + "/cancel", data={"sku": "KAOS-M"}, headers={"Sec-Fetch-Site": "cross-site"})
    assert refused.status_code == 403 and orders_status(db, ana) == "partially_backordered"
    refused = client.post(link + "/cancel", data={"sku": "KAOS-M"}, headers={"Origin": "https://jahat.example"})
    assert refused.status_code == 403 and orders_status(db, ana) == "partially_backordered"

    done = client.post(link + "/cancel", data={"sku": "KAOS-M"}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].endswith("?done=cancel")
    assert "Selesai: barang yang menunggu sudah dibatalkan" in client.get(done.headers["location"]).text
    assert orders_status(db, ana) == "cancelled"
    assert orders_status(db, budi) == "allocated"  # the freed unit served the next customer at once

    deliver(db, inbox)
    assert "dibatalkan" in str(inbox.to(ANA)[-1]["Subject"])
    assert "siap" in str(inbox.to(BUDI)[-1]["Subject"]) or "Kaos Hitam M" in text_of(inbox.to(BUDI)[-1])
    staff = {"Authorization": f"Bearer {create_key(db, Role.STAFF)}"}
    seen = client.get(f"/v1/orders/{ana}", headers=staff).json()
    assert [(c["choice"], c["lines"]) for c in seen["choices"]] == [("cancel", [{"sku": "KAOS-M", "quantity": 2}])]
    with db.transaction() as session:
        [event] = session.scalars(select(OutboxEvent.payload).where(OutboxEvent.event_type == "order.choice")).all()
    assert event["order_id"] == ana and event["choice"] == "cancel"
    again = client.post(link + "/cancel", data={"sku": "KAOS-M"}, follow_redirects=False)  # a second click
    assert again.status_code == 303 and len(client.get(f"/v1/orders/{ana}", headers=staff).json()["choices"]) == 1


def orders_status(db: Database, order_id: int) -> str:
    from inden.services.order_views import get_order

    return get_order(db, order_id).status.value


def test_keep_waiting_is_recorded_and_changes_nothing_else(db: Database, client: TestClient, inbox: Inbox) -> None:
    shop_with_one_unit(db)
    buy(db, BUDI, 1)
    ana = buy(db, ANA, 1, locale="en")
    deliver(db, inbox)
    link = order_link(inbox.to(ANA)[0])
    assert "Yes, keep waiting" in client.get(link + "/keep").text
    done = client.post(link + "/keep", follow_redirects=False)
    assert done.status_code == 303
    assert "Thank you for waiting" in client.get(done.headers["location"]).text
    seen = client.get(link).text
    assert "You chose to keep waiting." in seen and "place in the queue: 1" in seen
    assert orders_status(db, ana) == "backordered"
    accounts.add_user(db, "pemilik@toko.id", UserRole.OWNER, password="kata-sandi-toko-1")  # the seller sees it
    form = client.get("/login").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert csrf and client.post("/login", data={"email": "pemilik@toko.id", "password": "kata-sandi-toko-1",
                                                "csrf_token": csrf.group(1)}).status_code in (200, 303)
    back_office = client.get(f"/orders/{ana}").text
    assert "Jawaban pembeli" in back_office and "tetap menunggu: KAOS-M × 1" in " ".join(back_office.split())


def open_supply(db: Database) -> int:
    products.create_product(db, ProductCreate(sku="KAOS-M", name="Kaos Hitam M", lead_time_days=14), now=NOW)
    supply.create_supplier(db, SupplierCreate(code="PT-A", name="PT A", lead_time_days=10), now=NOW)
    spec = PurchaseOrderCreate(supplier="PT-A", expected_at=NOW.date() + timedelta(days=5),
                               lines=[{"sku": "KAOS-M", "quantity": 10}])
    return supply.create_purchase_order(db, spec, now=NOW).id


def move(db: Database, po_id: int, days: int, minutes: int) -> None:
    supply.move_purchase_order(db, po_id, PurchaseOrderPatch(expected_at=NOW.date() + timedelta(days=days)),
                               now=NOW + timedelta(minutes=minutes))


def test_a_small_slip_offers_the_choice_and_a_long_one_asks_for_it(db: Database, client: TestClient,
                                                                    inbox: Inbox) -> None:
    po_id = open_supply(db)
    buy(db, ANA, 1, locale="en")
    deliver(db, inbox)
    move(db, po_id, 7, 1)  # 2 days later: below the 7-day slip
    deliver(db, inbox, now=NOW + timedelta(minutes=2))
    small = text_of(inbox.to(ANA)[-1])
    assert "If you would rather not wait" in small and "This is a long wait" not in small
    assert re.search(r"Keep waiting: http\S+/o/\S+/keep", small) and re.search(r"/o/\S+/cancel", small)
    move(db, po_id, 20, 3)  # 13 days later
    deliver(db, inbox, now=NOW + timedelta(minutes=4))
    long = text_of(inbox.to(ANA)[-1])
    assert "This is a long wait, so we are asking you" in long
    assert "If we do not hear from you, we keep your place." in long
    page = client.get(order_link(inbox.to(ANA)[-1]))
    assert page.text.count("<li><span class=\"small\">") == 2  # both date changes, newest first
    assert page.text.index("Date changes") > 0


def test_a_link_expires_with_the_order_and_the_date_history_outlives_pruning(
        db: Database, client: TestClient, inbox: Inbox) -> None:
    po_id = open_supply(db)
    ana = buy(db, ANA, 1)
    deliver(db, inbox)
    link = order_link(inbox.to(ANA)[0])
    move(db, po_id, 9, 1)
    deliver(db, inbox, now=NOW + timedelta(minutes=2))
    with db.transaction() as session:  # the link was sent long ago
        session.execute(update(OrderLink).values(created_at=NOW - timedelta(days=60)))
    assert prune_outbox(db, older_than=timedelta(0), now=NOW + timedelta(days=1)) >= 1  # the order's first email
    with db.transaction() as session:
        assert session.scalars(select(OutboxEvent.event_type)).all() == ["eta_changed"]
    page = client.get(link)
    assert page.status_code == 200  # an open order's link works however old it is
    assert "Perubahan tanggal" in page.text  # kept while the order is open
    orders.cancel_order(db, ana, now=NOW)
    assert client.get(link).status_code == 404  # closed and the link older than order_link_days
    assert prune_order_links(db, now=NOW) == 2  # both emails' links; `inden outbox prune` deletes them


def test_the_seller_reads_the_answers_in_the_cli(run, english) -> None:  # type: ignore[no-untyped-def]
    import os

    from inden.config import get_settings
    from inden.services import shopper
    from inden.services.steps.order_links import mint_order_links

    assert run("products", "add", "KAOS-M", "Kaos Hitam M").exit_code == 0
    assert run("orders", "place", "--email", ANA, "--line", "KAOS-M:2").exit_code == 0
    assert "No buyer has answered yet." in run("orders", "answers").output
    db = Database(os.environ["INDEN_DATABASE_URL"], settings=get_settings())
    with db.transaction() as session:
        token = mint_order_links(session, [1], now=NOW)[1].rsplit("/", 1)[1]
    shopper.choose(db, token, shopper.OrderChoiceKind.KEEP_WAITING)
    db.dispose()
    listed = run("orders", "answers")
    assert listed.exit_code == 0 and "#1" in listed.output and "keep waiting" in listed.output
    assert "KAOS-M × 2" in listed.output
    shown = run("orders", "show", "1")
    assert "the buyer chose to keep waiting: KAOS-M × 2" in shown.output
    assert '"choice": "keep_waiting"' in run("orders", "answers", "--json").output
