"""WhatsApp as a channel (issue 14 item 5): a buyer who chose WhatsApp hears by template message through the
Cloud API — checked by a local stand-in against the documented request format (tests/whatsapp.py) — with the
outbox's retries and dedup, email when WhatsApp fails for good, and opt-out honoured (both databases)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from inden.api.app import create_app
from inden.db.models import Order, Subscription
from inden.db.session import Database
from inden.notify.smtp import SmtpMailer
from inden.notify.whatsapp import CloudApiSender
from inden.services import contact, placing, products, stock, subscriptions
from inden.services.delivery import DeliveryReport, deliver_outbox
from inden.services.keys import Role, create_key
from inden.services.schemas.orders import OrderCreate
from inden.services.schemas.products import ProductCreate, StockAdjustment
from inden.services.schemas.storefront import SubscriptionCreate
from tests.smtp import Inbox, smtp_server
from tests.whatsapp import PHONE_NUMBER_ID, TOKEN, VERSION, CloudApi, cloud_api

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
ANA, NUMBER = "ana@contoh.id", "6281234567890"


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    with smtp_server() as server:
        yield server


@pytest.fixture
def api() -> Iterator[CloudApi]:
    with cloud_api() as server:
        yield server


def deliver(db: Database, inbox: Inbox, api: CloudApi, *, now: datetime = NOW,
            token: str = TOKEN) -> DeliveryReport:
    with SmtpMailer.from_url(inbox.url) as mailer, CloudApiSender(
            token=token, phone_number_id=PHONE_NUMBER_ID, api_url=api.url, version=VERSION) as chat:
        return deliver_outbox(db, mailer, whatsapp=chat, now=now)


def buy(db: Database, *, channel: str = "whatsapp", phone: str | None = "0812-3456-7890",
        locale: str = "id") -> int:
    customer: dict[str, Any] = {"email": ANA, "locale": locale, "channel": channel, "phone": phone}
    request = OrderCreate.model_validate({"customer": customer, "lines": [{"sku": "KAOS-M", "quantity": 2}]})
    return placing.place_order(db, request, now=NOW).id


@pytest.fixture
def shop(db: Database) -> Database:
    products.create_product(db, ProductCreate(sku="KAOS-M", name="Kaos Hitam M", lead_time_days=14), now=NOW)
    return db


def test_a_buyer_who_chose_whatsapp_gets_the_template_message_not_the_email(
        shop: Database, inbox: Inbox, api: CloudApi) -> None:
    order_id = buy(shop)
    with shop.transaction() as session:
        order = session.get(Order, order_id)
        assert order is not None and order.customer_phone == NUMBER and order.channel == "whatsapp"
        assert order.whatsapp_consent_at is not None  # consent recorded with the order
    report = deliver(shop, inbox, api)
    assert (report.whatsapp, report.emails, report.sent) == (1, 0, 1) and inbox.messages == []
    [message] = api.to(NUMBER)
    assert message["template"] == "inden_order_backordered" and message["language"] == "id"
    shop_name, number, details = message["body"]
    assert number == f"#{order_id}" and details.startswith("2 × Kaos Hitam M: dikirim sekitar ")
    assert message["reference"] == f"order.backordered:{order_id}"  # the outbox's dedup key travels along
    with TestClient(create_app(shop)) as client:  # the button opens the buyer's order page
        page = client.get(f"/o/{message['button']}")
        assert page.status_code == 200 and "WhatsApp" in page.text and "+6281234567890" in page.text


def test_a_buyer_who_chose_email_gets_email(shop: Database, inbox: Inbox, api: CloudApi) -> None:
    buy(shop, channel="email", phone="081234567890")
    report = deliver(shop, inbox, api)
    assert (report.whatsapp, report.emails) == (0, 1) and api.messages == []


def test_an_undeliverable_number_falls_back_to_email_at_once(shop: Database, inbox: Inbox, api: CloudApi) -> None:
    api.undeliverable.add(NUMBER)
    buy(shop)
    report = deliver(shop, inbox, api)
    assert (report.whatsapp, report.emails, report.fell_back, report.retried) == (0, 1, 1, 0)
    assert [r["code"] for r in api.refusals] == [131026] and len(inbox.to(ANA)) == 1


def test_a_bad_token_falls_back_to_email(shop: Database, inbox: Inbox, api: CloudApi) -> None:
    buy(shop)
    report = deliver(shop, inbox, api, token="expired")
    assert (report.emails, report.fell_back) == (1, 1) and [r["code"] for r in api.refusals] == [190]


def test_a_rate_limit_is_retried_with_the_outbox_backoff_then_email_after_the_last_attempt(
        shop: Database, inbox: Inbox, api: CloudApi) -> None:
    buy(shop)
    api.throttle = 1
    first = deliver(shop, inbox, api)
    assert (first.retried, first.whatsapp, first.emails) == (1, 0, 0)
    assert deliver(shop, inbox, api, now=NOW + timedelta(seconds=30)).claimed == 0  # backing off
    second = deliver(shop, inbox, api, now=NOW + timedelta(minutes=1))
    assert second.whatsapp == 1 and len(api.to(NUMBER)) == 1 and inbox.messages == []

    buy(shop, phone="081200000001")  # another order, rate-limited until its last attempt
    api.throttle = 100
    at = NOW + timedelta(minutes=2)
    for attempt in range(shop.settings.delivery_max_attempts):
        report = deliver(shop, inbox, api, now=at)
        at += timedelta(minutes=2 ** attempt + 1)
    assert report.fell_back == 1 and report.emails == 1 and len(inbox.messages) == 1


def test_an_opted_out_number_gets_email_and_the_order_page_can_opt_out(
        shop: Database, inbox: Inbox, api: CloudApi) -> None:
    buy(shop)
    report = deliver(shop, inbox, api)
    token = api.to(NUMBER)[0]["button"]
    with TestClient(create_app(shop)) as client:
        done = client.post(f"/o/{token}/whatsapp-off", follow_redirects=False)
        assert done.status_code == 303
        assert "tidak ada lagi pesan WhatsApp" in client.get(done.headers["location"]).text
    assert contact.opted_out(shop) == [NUMBER]
    stock.adjust_stock(shop, "KAOS-M", StockAdjustment(delta=2, reason="datang"), now=NOW)
    report = deliver(shop, inbox, api, now=NOW + timedelta(minutes=1))
    assert (report.whatsapp, report.emails) == (0, 1) and len(api.messages) == 1
    contact.opt_in(shop, "+62 812 3456 7890")
    assert contact.opted_out(shop) == []


def test_a_sign_up_by_whatsapp_confirms_and_hears_it_is_back_by_whatsapp(
        shop: Database, inbox: Inbox, api: CloudApi) -> None:
    subscriptions.subscribe(shop, SubscriptionCreate(sku="KAOS-M", email="budi@contoh.id", locale="en",
                                                     channel="whatsapp", phone="+62 811 111 1111"), now=NOW)
    deliver(shop, inbox, api)
    [confirm] = api.to("628111111111")
    assert confirm["template"] == "inden_signup_confirm" and confirm["language"] == "en"
    assert confirm["body"] == ["inden", "Kaos Hitam M"]
    subscriptions.confirm(shop, confirm["button"], now=NOW)  # the button's suffix is the sign-up's token
    with shop.transaction() as session:
        assert session.scalars(select(Subscription.whatsapp_consent_at)).one() is not None
    stock.adjust_stock(shop, "KAOS-M", StockAdjustment(delta=3, reason="datang"), now=NOW)
    deliver(shop, inbox, api, now=NOW + timedelta(minutes=1))
    assert [m["template"] for m in api.to("628111111111")] == ["inden_signup_confirm", "inden_back_in_stock"]
    assert inbox.messages == []


def test_whatsapp_without_a_number_or_with_a_bad_one_is_refused_over_http(shop: Database) -> None:
    with TestClient(create_app(shop), raise_server_exceptions=False) as client:
        client.headers["Authorization"] = f"Bearer {create_key(shop, Role.STAFF)}"
        for customer in ({"email": ANA, "channel": "whatsapp"}, {"email": ANA, "channel": "whatsapp", "phone": "12"},
                         {"email": ANA, "channel": "sms", "phone": NUMBER}):
            answer = client.post("/v1/orders", json={"customer": customer, "lines": [{"sku": "KAOS-M", "quantity": 1}]})
            assert answer.status_code == 422 and answer.json()["error"]["code"] == "validation_error"
        placed = client.post("/v1/orders", json={"customer": {"email": ANA, "channel": "whatsapp",
                                                              "phone": "0812 3456 7890"},
                                                 "lines": [{"sku": "KAOS-M", "quantity": 1}]})
        assert placed.status_code == 201
        customer = placed.json()["customer"]
        assert (customer["phone"], customer["channel"]) == (NUMBER, "whatsapp")
    with shop.transaction() as session:
        assert len(session.scalars(select(Order.id)).all()) == 1  # nothing written for the refused ones


def test_the_seller_opts_a_number_out_from_the_cli(run, english) -> None:  # type: ignore[no-untyped-def]
    assert run("products", "add", "KAOS-M", "Kaos Hitam M").exit_code == 0
    placed = run("orders", "place", "--email", ANA, "--line", "KAOS-M:1", "--phone", "0812 3456 7890",
                 "--channel", "whatsapp", "--json")
    assert placed.exit_code == 0 and '"channel": "whatsapp"' in placed.output and NUMBER in placed.output
    assert run("orders", "place", "--email", ANA, "--line", "KAOS-M:1", "--channel", "whatsapp").exit_code == 2
    done = run("whatsapp", "opt-out", "0812 3456 7890")
    assert done.exit_code == 0 and "+6281234567890 gets no more WhatsApp messages" in done.output
    assert "+6281234567890" in run("whatsapp", "opted-out").output
    assert run("whatsapp", "opt-out", "12").exit_code == 2
    assert run("whatsapp", "opt-in", "+6281234567890").exit_code == 0
    assert "No number has opted out." in run("whatsapp", "opted-out").output


def signed(body: bytes, secret: str = "app-secret") -> dict[str, str]:
    import hashlib
    import hmac

    return {"X-Hub-Signature-256": "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest(),
            "Content-Type": "application/json"}


def reply(number: str, text: str) -> bytes:
    """A buyer's text message as Meta's webhook posts it."""
    import json

    return json.dumps({"object": "whatsapp_business_account", "entry": [{"id": "8856996819413533", "changes": [{
        "field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "6281100000000", "phone_number_id": PHONE_NUMBER_ID},
            "contacts": [{"profile": {"name": "Ana"}, "wa_id": number}],
            "messages": [{"from": number, "id": "wamid.IN1", "timestamp": "1764547200", "type": "text",
                          "text": {"body": text}}]}}]}]}).encode()


def test_a_buyer_who_replies_stop_on_whatsapp_is_opted_out_through_metas_webhook(db: Database) -> None:
    settings = db.settings.model_copy(update={"whatsapp_verify_token": "kata-rahasia",
                                              "whatsapp_app_secret": "app-secret"})
    configured = Database(db.engine.url.render_as_string(hide_password=False), settings=settings)
    try:
        with TestClient(create_app(configured), raise_server_exceptions=False) as client:
            check = {"hub.mode": "subscribe", "hub.verify_token": "kata-rahasia", "hub.challenge": "1158201444"}
            answer = client.get("/whatsapp/webhook", params=check)
            assert answer.status_code == 200 and answer.text == "1158201444"
            assert client.get("/whatsapp/webhook", params={**check, "hub.verify_token": "salah"}).status_code == 403
            body = reply(NUMBER, " Stop ")
            assert client.post("/whatsapp/webhook", content=body, headers=signed(body, "other")).status_code == 401
            assert contact.opted_out(configured) == []
            answer = client.post("/whatsapp/webhook", content=body, headers=signed(body))
            assert answer.status_code == 200 and answer.json() == {"opted_out": 1, "opted_in": 0}
            assert contact.opted_out(configured) == [NUMBER]
            hello = reply(NUMBER, "Kapan barangnya datang?")  # a question is for the seller, not a switch
            assert client.post("/whatsapp/webhook", content=hello, headers=signed(hello)).json() == {
                "opted_out": 0, "opted_in": 0}
            again = reply(NUMBER, "MULAI")
            assert client.post("/whatsapp/webhook", content=again, headers=signed(again)).json()["opted_in"] == 1
            assert contact.opted_out(configured) == []
        with TestClient(create_app(db), raise_server_exceptions=False) as plain:  # not configured: nothing there
            assert plain.get("/whatsapp/webhook", params=check).status_code == 404
            assert plain.post("/whatsapp/webhook", content=body, headers=signed(body)).status_code == 404
    finally:
        configured.dispose()
