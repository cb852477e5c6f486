"""Emailing the outbox through a real SMTP server (aiosmtpd), on SQLite and PostgreSQL."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from sqlalchemy import select

from inden.clock import as_utc, shop_date
from inden.config import get_settings
from inden.db.models import OutboxEvent
from inden.db.outbox import Event, emit
from inden.db.session import Database
from inden.i18n import format_day
from inden.notify.smtp import SmtpMailer
from inden.services import orders, products, stock, subscriptions, supply
from inden.services.delivery import LEASE, deliver_outbox, list_outbox, retry_failed
from inden.services.schemas.orders import OrderCreate
from inden.services.schemas.products import ProductCreate, StockAdjustment
from inden.services.schemas.storefront import SubscriptionCreate
from inden.services.schemas.supply import PurchaseOrderCreate, PurchaseOrderPatch, SupplierCreate
from tests.smtp import Inbox, free_port, smtp_server

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)  # 10:00 in Jakarta
TODAY = shop_date(NOW, get_settings().timezone)
SERUM, KOPI = "SERUM-VITC-30", "KOPI-GAYO-250"


@pytest.fixture
def smtp() -> Iterator[Inbox]:
    with smtp_server() as inbox:
        yield inbox


@pytest.fixture
def mailer(smtp: Inbox) -> Iterator[SmtpMailer]:
    with SmtpMailer.from_url(smtp.url) as real:
        yield real


def subject(message: EmailMessage) -> str:
    """The Subject as a reader sees it (a folded header may come back with the fold's leading space)."""
    return str(message["Subject"]).strip()


def text_of(message: EmailMessage) -> str:
    return message.get_body(("plain",)).get_content()  # type: ignore[union-attr]


# --- a shop -----------------------------------------------------------------------------------------------


def open_shop(db: Database) -> int:
    """Two products out of stock, one supplier, and a purchase order of both arriving in 7 days."""
    products.create_product(db, ProductCreate(sku=SERUM, name="Serum Vitamin C 30 ml", lead_time_days=30), now=NOW)
    products.create_product(db, ProductCreate(sku=KOPI, name="Kopi Arabika Gayo 250 g", lead_time_days=30), now=NOW)
    supply.create_supplier(db, SupplierCreate(code="PT-GLOW", name="PT Glow", lead_time_days=21), now=NOW)
    return move_to(db, None, 7)


def move_to(db: Database, po_id: int | None, in_days: int, *, minutes_later: int = 0) -> int:
    """Create the purchase order, or move it (each move at its own time: the ETA events' keys hold it)."""
    expected = TODAY + timedelta(days=in_days)
    if po_id is None:
        spec = PurchaseOrderCreate(supplier="PT-GLOW", expected_at=expected,
                                   lines=[{"sku": SERUM, "quantity": 50}, {"sku": KOPI, "quantity": 50}])
        return supply.create_purchase_order(db, spec, now=NOW).id
    supply.move_purchase_order(db, po_id, PurchaseOrderPatch(expected_at=expected),
                               now=NOW + timedelta(minutes=minutes_later))
    return po_id


def buy(db: Database, email: str, *skus: str, locale: str = "id", name: str | None = None) -> Any:
    request = OrderCreate.model_validate({"customer": {"email": email, "name": name, "locale": locale},
                                          "lines": [{"sku": sku, "quantity": 2} for sku in skus or (SERUM,)]})
    return orders.place_order(db, request, now=NOW)


def shipping_day(in_days: int) -> date:
    return TODAY + timedelta(days=in_days + get_settings().handling_days)


def outbox(db: Database) -> list[OutboxEvent]:
    with db.transaction() as session:
        return list(session.scalars(select(OutboxEvent).order_by(OutboxEvent.id)))


# --- delivering -------------------------------------------------------------------------------------------


def test_a_backordered_order_is_emailed_once_in_the_customers_language(db: Database, smtp: Inbox,
                                                                        mailer: SmtpMailer) -> None:
    open_shop(db)
    siti = buy(db, "siti@contoh.id")
    john = buy(db, "john@example.com", KOPI, locale="en", name="John")
    assert siti.lines[0].eta == shipping_day(7)

    report = deliver_outbox(db, mailer, now=NOW)

    assert (report.sent, report.emails, report.skipped, report.retried, report.failed) == (2, 2, 0, 0, 0)
    [to_siti], [to_john] = smtp.to("siti@contoh.id"), smtp.to("john@example.com")
    assert subject(to_siti) == f"inden: pesanan #{siti.id} diterima, sebagian barang masih inden"
    assert f"2 × Serum Vitamin C 30 ml: dikirim sekitar {format_day(shipping_day(7), 'id')}" in text_of(to_siti)
    assert subject(to_john) == f"inden: order #{john.id} received, some items on backorder"
    assert text_of(to_john).startswith("Hello John,")
    assert f"2 × Kopi Arabika Gayo 250 g: ships around {format_day(shipping_day(7), 'en')}" in text_of(to_john)
    assert [as_utc(e.delivered_at) for e in outbox(db)] == [NOW, NOW]  # type: ignore[arg-type]

    again = deliver_outbox(db, mailer, now=NOW + timedelta(hours=1))
    assert again.claimed == 0 and len(smtp.messages) == 2


def test_a_purchase_order_moved_three_times_makes_one_email_per_order(db: Database, smtp: Inbox,
                                                                      mailer: SmtpMailer) -> None:
    po = open_shop(db)
    both = buy(db, "siti@contoh.id", SERUM, KOPI)
    other = buy(db, "john@example.com", SERUM, locale="en")
    deliver_outbox(db, mailer, now=NOW)
    smtp.messages.clear()
    for minute, in_days in enumerate((12, 15, 10), start=1):
        move_to(db, po, in_days, minutes_later=minute)
    moves = [e for e in outbox(db) if e.event_type == "eta_changed"]
    assert len(moves) == 9  # three lines, three moves each

    report = deliver_outbox(db, mailer, now=NOW)

    assert (report.sent, report.emails) == (9, 2)
    [to_siti], [to_john] = smtp.to("siti@contoh.id"), smtp.to("john@example.com")
    new, old = format_day(shipping_day(10), "id"), format_day(shipping_day(7), "id")
    assert subject(to_siti) == f"inden: jadwal kirim baru untuk pesanan #{both.id}"
    for product in ("Serum Vitamin C 30 ml", "Kopi Arabika Gayo 250 g"):
        assert (f"{product} dikirim lebih lambat dari perkiraan kami, sekitar {new} (sebelumnya {old})"
                in text_of(to_siti))
    assert format_day(shipping_day(15), "id") not in text_of(to_siti)
    assert subject(to_john) == f"inden: new ship date for order #{other.id}"
    assert all(e.delivered_at is not None for e in outbox(db))


def test_moves_that_come_back_to_the_promised_date_send_nothing(db: Database, smtp: Inbox,
                                                                mailer: SmtpMailer) -> None:
    po = open_shop(db)
    buy(db, "siti@contoh.id")
    deliver_outbox(db, mailer, now=NOW)
    move_to(db, po, 12, minutes_later=1)
    move_to(db, po, 7, minutes_later=2)

    report = deliver_outbox(db, mailer, now=NOW)

    assert (report.sent, report.skipped, report.emails) == (0, 2, 0)
    assert len(smtp.messages) == 1  # the order's own email only
    assert all(e.delivered_at is not None for e in outbox(db))


def test_a_refusing_server_is_retried_with_backoff_until_the_last_attempt(db: Database, smtp: Inbox,
                                                                          mailer: SmtpMailer) -> None:
    open_shop(db)
    buy(db, "budi@contoh.id")
    busy = buy(db, "siti@contoh.id")
    smtp.refuse_data["siti@contoh.id"] = "451 4.2.1 Mailbox busy, try again later"
    max_attempts = get_settings().delivery_max_attempts

    first = deliver_outbox(db, mailer, now=NOW)
    assert (first.sent, first.retried) == (1, 1)  # the refusal did not hold Budi's email back
    assert deliver_outbox(db, mailer, now=NOW + timedelta(seconds=59)).claimed == 0
    waits, at = [], NOW
    while True:
        row = outbox(db)[1]
        assert row.failed_at is None and row.last_error == "451 4.2.1 Mailbox busy, try again later"
        waits.append(as_utc(row.next_attempt_at) - at)  # type: ignore[arg-type]
        at = as_utc(row.next_attempt_at)  # type: ignore[arg-type]
        report = deliver_outbox(db, mailer, now=at)
        if report.failed:
            break
        assert report.retried == 1

    assert waits == [timedelta(minutes=m) for m in (1, 2, 4, 8, 16, 32, 64)]
    row = outbox(db)[1]
    assert row.attempts == max_attempts and as_utc(row.failed_at) == at  # type: ignore[arg-type]
    assert [e.id for e in list_outbox(db, failed=True)] == [row.id]
    assert smtp.to("siti@contoh.id") == []

    del smtp.refuse_data["siti@contoh.id"]
    assert retry_failed(db, [row.id]) == 1
    assert deliver_outbox(db, mailer, now=at).sent == 1
    assert f"#{busy.id}" in subject(smtp.to("siti@contoh.id")[0])


def test_a_mailbox_that_does_not_exist_fails_at_once(db: Database, smtp: Inbox, mailer: SmtpMailer) -> None:
    open_shop(db)
    buy(db, "tidak-ada@contoh.id")
    buy(db, "siti@contoh.id")
    smtp.refuse_recipient["tidak-ada@contoh.id"] = "550 5.1.1 No such user"

    report = deliver_outbox(db, mailer, now=NOW)

    assert (report.sent, report.failed, report.retried) == (1, 1, 0)
    row = outbox(db)[0]
    assert row.attempts == 1 and as_utc(row.failed_at) == NOW  # type: ignore[arg-type]
    assert row.last_error == "550 5.1.1 No such user"
    assert deliver_outbox(db, mailer, now=NOW + timedelta(days=1)).claimed == 0


def test_an_unreachable_mail_server_costs_no_attempt(db: Database, smtp: Inbox, mailer: SmtpMailer) -> None:
    open_shop(db)
    buy(db, "siti@contoh.id")
    buy(db, "budi@contoh.id")

    with SmtpMailer.from_url(f"smtp://127.0.0.1:{free_port()}", timeout=5) as nowhere:
        report = deliver_outbox(db, nowhere, now=NOW)

    assert report.unavailable and "Connection" in report.unavailable
    assert (report.sent, report.retried, report.failed) == (0, 0, 0)
    rows = outbox(db)
    assert [(r.attempts, r.next_attempt_at, r.failed_at) for r in rows] == [(0, None, None), (0, None, None)]
    assert rows[0].last_error == report.unavailable
    assert deliver_outbox(db, mailer, now=NOW).sent == 2


def test_one_broken_row_does_not_hold_back_the_others(db: Database, smtp: Inbox, mailer: SmtpMailer) -> None:
    open_shop(db)
    with db.transaction() as session:
        emit(session, [Event("order.shipped", "broken", {"order_id": 1, "customer": {"email": "a@contoh.id"}}),
                       Event("webhook.only", "unknown", {"customer": {"email": "b@contoh.id"}}),
                       Event("eta_changed", "broken eta", {"order_id": 1, "lines": "?", "customer": {}})], now=NOW)
    buy(db, "siti@contoh.id")

    report = deliver_outbox(db, mailer, now=NOW)

    assert (report.failed, report.skipped, report.sent) == (2, 1, 1)
    broken, unknown, broken_eta, order = outbox(db)
    assert broken.failed_at is not None and broken.last_error == "cannot render: KeyError: 'lines'"
    assert broken_eta.failed_at is not None and broken_eta.last_error == "cannot render: KeyError: 'sku'"
    assert unknown.delivered_at is not None
    assert order.delivered_at is not None and len(smtp.to("siti@contoh.id")) == 1
    assert smtp.to("a@contoh.id") == smtp.to("b@contoh.id") == []


def test_a_unicode_mailbox_is_delivered_where_the_server_accepts_it_and_fails_alone_where_not(
        db: Database, smtp: Inbox, mailer: SmtpMailer) -> None:
    open_shop(db)
    buy(db, "bùdi@contoh.id")
    buy(db, "siti@contoh.id")
    with smtp_server(enable_SMTPUTF8=False) as plain, SmtpMailer.from_url(plain.url) as ascii_only:
        report = deliver_outbox(db, ascii_only, now=NOW)
    assert (report.failed, report.sent) == (1, 1)
    assert "SMTPUTF8" in (outbox(db)[0].last_error or "")
    assert [m["To"] for m in plain.messages] == ["siti@contoh.id"]

    buy(db, "bùdi@contoh.id", KOPI)
    assert deliver_outbox(db, mailer, now=NOW).sent == 1
    assert [m["To"] for m in smtp.messages] == ["bùdi@contoh.id"]


def test_seller_alerts_are_emailed_only_when_the_seller_has_an_address(
        db: Database, smtp: Inbox, mailer: SmtpMailer) -> None:
    open_shop(db)
    alert = {"sku": KOPI, "inventory_position": 3, "reorder_point": 8.5, "risk": 0.25, "suggestion_id": None}
    with db.transaction() as session:
        emit(session, [Event("reorder_point_reached", "reorder_point:1", alert)], now=NOW)
    assert deliver_outbox(db, mailer, now=NOW).skipped == 1

    with db.transaction() as session:
        emit(session, [Event("reorder_point_reached", "reorder_point:2", alert)], now=NOW)
    with_seller = db.configured(db.settings.model_copy(update={"seller_email": "pemilik@toko.id"}))
    assert deliver_outbox(with_seller, mailer, now=NOW).sent == 1
    [message] = smtp.messages
    assert message["To"] == "pemilik@toko.id"
    assert subject(message) == "inden: stok Kopi Arabika Gayo 250 g sudah mencapai titik pemesanan ulang"


def test_a_sign_up_is_confirmed_from_its_email_and_back_in_stock_offers_one_click_unsubscribe(
        db: Database, smtp: Inbox, mailer: SmtpMailer) -> None:
    products.create_product(db, ProductCreate(sku=KOPI, name="Kopi Arabika Gayo 250 g", price="89000",
                                              backorder_policy="deny"), now=NOW)
    subscriptions.subscribe(db, SubscriptionCreate(sku=KOPI, email="ana@example.com", locale="en"), now=NOW)

    assert deliver_outbox(db, mailer, now=NOW).sent == 1
    [confirm] = smtp.messages
    assert subject(confirm) == "inden: confirm your sign-up for Kopi Arabika Gayo 250 g"
    assert confirm["List-Unsubscribe"] is None
    link = re.search(r"^Confirm: (\S+/subscriptions/confirm\?token=(\S+))", text_of(confirm), re.M)
    assert link, text_of(confirm)
    assert f'href="{link.group(1)}"' in confirm.get_body(("html",)).get_content()  # type: ignore[union-attr]
    subscriptions.confirm(db, link.group(2), now=NOW)
    stock.adjust_stock(db, KOPI, StockAdjustment(delta=5, reason="restok"), now=NOW + timedelta(days=1))

    assert deliver_outbox(db, mailer, now=NOW + timedelta(days=1)).sent == 1
    back = smtp.messages[1]
    assert subject(back) == "inden: Kopi Arabika Gayo 250 g is back in stock"
    assert "Price: Rp89.000" in text_of(back)
    found = re.search(r"^Unsubscribe: (\S+/subscriptions/unsubscribe\?token=(\S+))", text_of(back), re.M)
    assert found and found.group(1).startswith(get_settings().base_url)
    assert back["List-Unsubscribe"] == f"<{found.group(1)}>"
    assert back["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert found.group(2) != link.group(2)  # each email mints its own link; both name the sign-up
    assert subscriptions.unsubscribe(db, found.group(2), now=NOW + timedelta(days=2)).status == "unsubscribed"
    assert subscriptions.find_subscription(db, link.group(2)).status == "unsubscribed"


def test_two_workers_racing_never_send_the_same_event_twice(db: Database, smtp: Inbox) -> None:
    with db.transaction() as session:
        emit(session, [Event("order.cancelled", f"order.cancelled:{n}:1", {
            "order_id": n, "customer": {"email": f"c{n}@contoh.id", "locale": "id"},
            "lines": [{"sku": SERUM, "quantity": 1}]}) for n in range(60)], now=NOW)
    smtp.delay = 0.005  # each message takes a moment, so the two workers' rounds overlap
    start = threading.Barrier(2)
    sent: dict[str, int] = {}

    def worker(name: str) -> None:
        with SmtpMailer.from_url(smtp.url) as own:
            start.wait()
            while (report := deliver_outbox(db, own, now=NOW, limit=5)).claimed:
                sent[name] = sent.get(name, 0) + report.sent

    threads = [threading.Thread(target=worker, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    ids = [m["Message-ID"] for m in smtp.messages]
    assert len(ids) == 60 and len(set(ids)) == 60
    assert sent["a"] > 0 and sent["b"] > 0 and sent["a"] + sent["b"] == 60  # both really worked
    assert all(e.delivered_at is not None for e in outbox(db))


CRASH_AFTER_SENDING = """
import os, sys
from datetime import datetime
from inden.db.session import Database
from inden.notify.smtp import SmtpMailer
from inden.services.delivery import deliver_outbox

class DiesAfterSending:  # the real SMTP mailer, then the process is killed before it can record anything
    def __init__(self, mailer):
        self.mailer = mailer
    def send(self, message):
        self.mailer.send(message)
        os._exit(3)

deliver_outbox(Database(sys.argv[1]), DiesAfterSending(SmtpMailer.from_url(sys.argv[2])),
               now=datetime.fromisoformat(sys.argv[3]))
"""


def test_an_email_sent_just_before_a_crash_is_sent_again_with_the_same_message_id(
        db: Database, smtp: Inbox, mailer: SmtpMailer) -> None:
    open_shop(db)
    buy(db, "siti@contoh.id")
    url = db.engine.url.render_as_string(hide_password=False)

    crashed = subprocess.run([sys.executable, "-c", CRASH_AFTER_SENDING, url, smtp.url, NOW.isoformat()],
                             capture_output=True, text=True, timeout=60)

    assert crashed.returncode == 3, crashed.stderr
    assert len(smtp.messages) == 1 and outbox(db)[0].delivered_at is None
    assert deliver_outbox(db, mailer, now=NOW + LEASE - timedelta(seconds=1)).claimed == 0  # still leased
    assert deliver_outbox(db, mailer, now=NOW + LEASE).sent == 1
    first, again = smtp.messages
    assert first["Message-ID"] == again["Message-ID"]
    assert outbox(db)[0].delivered_at is not None


# --- the command line -------------------------------------------------------------------------------------


@pytest.mark.usefixtures("english")
def test_inden_deliver_without_a_mail_server_says_what_to_set(run) -> None:  # type: ignore[no-untyped-def]
    result = run("deliver")
    assert result.exit_code == 2
    assert "INDEN_SMTP_URL is not set" in result.output


@pytest.mark.usefixtures("english")
def test_inden_deliver_emails_the_outbox_and_inden_outbox_shows_failures(  # type: ignore[no-untyped-def]
        run, smtp: Inbox, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INDEN_SMTP_URL", smtp.url)
    get_settings.cache_clear()
    assert run("products", "add", SERUM, "Serum Vitamin C 30 ml").exit_code == 0
    assert run("orders", "place", "--email", "siti@contoh.id", "--line", f"{SERUM}:1").exit_code == 0
    assert run("orders", "place", "--email", "hilang@contoh.id", "--line", f"{SERUM}:1").exit_code == 0
    smtp.refuse_recipient["hilang@contoh.id"] = "550 5.1.1 No such user"

    delivered = run("deliver")
    assert delivered.exit_code == 0, delivered.output
    assert "delivered 1 event(s) in 1 email(s); 0 skipped, 0 to retry, 1 failed" in delivered.output
    assert [m["To"] for m in smtp.messages] == ["siti@contoh.id"]
    failed = run("outbox", "--failed")
    assert "order.backordered" in failed.output and "550 5.1.1 No such user" in failed.output
    assert "1 failed event(s)" in failed.output
    assert "0 pending event(s)" in run("outbox").output

    assert run("outbox", "retry").exit_code == 2
    not_failed = run("outbox", "retry", "1")
    assert not_failed.exit_code == 2 and "has not failed" in not_failed.output
    assert run("outbox", "retry", "99").exit_code == 2
    del smtp.refuse_recipient["hilang@contoh.id"]
    assert "1 event(s) queued" in run("outbox", "retry", "--all-failed").output
    assert "1 pending event(s)" in run("outbox").output

    assert run("worker", "--once", "--no-plan", "--no-deliver").exit_code == 0
    assert len(smtp.messages) == 1
    worked = run("worker", "--once", "--no-plan")
    assert worked.exit_code == 0, worked.output
    assert [m["To"] for m in smtp.messages] == ["siti@contoh.id", "hilang@contoh.id"]


@pytest.mark.usefixtures("english")
def test_inden_deliver_exits_1_when_the_mail_server_is_down(  # type: ignore[no-untyped-def]
        run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INDEN_SMTP_URL", f"smtp://127.0.0.1:{free_port()}")
    get_settings.cache_clear()
    run("products", "add", SERUM, "Serum Vitamin C 30 ml")
    run("orders", "place", "--email", "siti@contoh.id", "--line", f"{SERUM}:1")

    result = run("deliver")

    assert result.exit_code == 1
    assert "mail server unavailable" in result.output
    assert "1 pending event(s)" in run("outbox").output


@pytest.mark.usefixtures("english")
def test_a_bad_smtp_url_is_a_user_error(run, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("INDEN_SMTP_URL", "http://mail.toko.id")
    get_settings.cache_clear()
    result = run("deliver")
    assert result.exit_code == 2 and "not an SMTP URL" in result.output

