"""Storefront: availability with the engine's own decision and ETA, labels, back-in-stock sign-ups (both DBs)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from inden.clock import shop_date
from inden.config import get_settings
from inden.db.models import OutboxEvent, Subscription
from inden.db.session import Database
from inden.domain.errors import RateLimited, UnknownSku, UnknownSubscriptionLink
from inden.services import orders, preorders, products, stock, storefront, subscriptions, supply
from inden.services.sales_import import import_sales
from inden.services.schemas.orders import OrderCreate
from inden.services.schemas.products import ProductCreate, StockAdjustment
from inden.services.schemas.storefront import SubscriptionCreate
from inden.services.schemas.supply import PurchaseOrderCreate, ReceiptCreate, SupplierCreate
from tests.letters import emailed_links

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)  # 10:00 in Jakarta
TODAY = shop_date(NOW, get_settings().timezone)
HANDLING = get_settings().handling_days


def make(db: Database, sku: str = "KAOS-M", units: int = 0, **fields: object) -> None:
    products.create_product(db, ProductCreate.model_validate({"sku": sku, "name": f"Kaos {sku}", **fields}), now=NOW)
    if units:
        stock.adjust_stock(db, sku, StockAdjustment(delta=units, reason="stok awal"), now=NOW)


def buy(db: Database, sku: str, quantity: int = 1, *, email: str = "budi@contoh.id", at: int = 1):  # type: ignore[no-untyped-def]
    request = OrderCreate.model_validate({"customer": {"email": email}, "lines": [{"sku": sku, "quantity": quantity}]})
    return orders.place_order(db, request, now=NOW + timedelta(seconds=at))


def incoming(db: Database, sku: str, quantity: int, *, days: int) -> int:
    supply.create_supplier(db, SupplierCreate(code="SUP", name="Pemasok", lead_time_days=20), now=NOW)
    po = supply.create_purchase_order(db, PurchaseOrderCreate.model_validate(
        {"supplier": "SUP", "expected_at": (TODAY + timedelta(days=days)).isoformat(),
         "lines": [{"sku": sku, "quantity": quantity}]}), now=NOW)
    return po.id


def events(db: Database, kind: str) -> list[dict]:  # type: ignore[type-arg]
    with db.transaction() as session:
        return list(session.scalars(select(OutboxEvent.payload).where(OutboxEvent.event_type == kind)
                                    .order_by(OutboxEvent.id)))


def test_in_stock_and_low_stock_follow_the_threshold(db: Database) -> None:
    threshold = get_settings().low_stock_threshold
    make(db, units=threshold + 1)
    assert storefront.availability(db, "KAOS-M", now=NOW).status == "in_stock"
    buy(db, "KAOS-M")
    low = storefront.availability(db, "KAOS-M", now=NOW)
    assert (low.status, low.available, low.eta) == ("low_stock", threshold, None)
    assert low.message == f"Stok tinggal {threshold}"


def test_a_backorder_is_promised_the_date_its_order_would_get(db: Database) -> None:
    make(db, units=2)
    incoming(db, "KAOS-M", 5, days=10)
    buy(db, "KAOS-M", 4)  # 2 allocated, 2 waiting on the PO
    quote = storefront.availability(db, "KAOS-M", quantity=3, now=NOW)
    assert (quote.status, quote.available, quote.eta_confidence) == ("backorder", 0, "scheduled")
    assert quote.eta == TODAY + timedelta(days=10 + HANDLING)
    assert quote.message == f"Stok habis — pesan sekarang, dikirim sekitar {quote.eta.day} Des 2026"
    placed = buy(db, "KAOS-M", 3, email="sari@contoh.id", at=2)
    assert placed.lines[0].eta == quote.eta and placed.lines[0].eta_confidence == quote.eta_confidence
    beyond = storefront.availability(db, "KAOS-M", quantity=1, locale="en", now=NOW)
    assert beyond.eta_confidence == "estimated" and beyond.eta > quote.eta
    assert beyond.message.startswith("Out of stock — order now, ships around Dec")


def test_part_in_stock_says_how_many_ship_now(db: Database) -> None:
    make(db, units=2)
    quote = storefront.availability(db, "KAOS-M", quantity=5, locale="en", now=NOW)
    assert (quote.status, quote.available) == ("backorder", 2)
    assert quote.message.startswith("Only 2 in stock — order now, the rest ships around ")


def test_deny_and_a_full_backorder_limit_are_out_of_stock(db: Database) -> None:
    make(db, "HABIS", backorder_policy="deny")
    make(db, "TERBATAS", backorder_limit=1)
    buy(db, "TERBATAS", 1)
    for sku in ("HABIS", "TERBATAS"):
        answer = storefront.availability(db, sku, now=NOW)
        assert (answer.status, answer.eta) == ("out_of_stock", None)
        assert answer.message == "Stok habis — daftar untuk dikabari saat tersedia lagi"


def test_a_preorder_before_release_ships_from_the_launch(db: Database) -> None:
    release = TODAY + timedelta(days=14)
    make(db, "RILIS", units=10, backorder_policy="preorder", release_at=release.isoformat(), max_per_customer=2)
    answer = storefront.availability(db, "RILIS", now=NOW)
    assert (answer.status, answer.available) == ("preorder", 0)
    assert answer.eta == release + timedelta(days=HANDLING)
    assert answer.labels == ["limited"] and answer.label_texts == ["Terbatas"]
    assert answer.message.startswith("Pre-order — dikirim sekitar ")


def test_an_unknown_sku_is_not_found(db: Database) -> None:
    with pytest.raises(UnknownSku):
        storefront.availability(db, "TIDAK-ADA", now=NOW)


def test_restock_label_only_when_stock_ends_a_stock_out(db: Database) -> None:
    make(db, "ADA", units=3)  # a product's first stock is no restock
    make(db, "HABIS", units=1)
    buy(db, "HABIS", 1)
    assert storefront.availability(db, "ADA", now=NOW).labels == []
    stock.adjust_stock(db, "ADA", StockAdjustment(delta=2, reason="tambah"), now=NOW)  # it was not out
    stock.adjust_stock(db, "HABIS", StockAdjustment(delta=2, reason="datang"), now=NOW)
    assert storefront.availability(db, "ADA", now=NOW).labels == []
    assert storefront.availability(db, "HABIS", now=NOW).labels == ["restock"]
    assert storefront.availability(db, "HABIS", locale="en", now=NOW).label_texts == ["Restock"]
    later = NOW + timedelta(days=get_settings().restock_days)
    assert storefront.availability(db, "HABIS", now=later).labels == []


def test_best_sellers_are_ranked_by_units_demanded(db: Database) -> None:
    for n in range(10):
        make(db, f"SKU-{n}", units=50)
    for n in range(10):
        buy(db, f"SKU-{n}", n + 1, email=f"c{n}@contoh.id")
    assert storefront.refresh_best_sellers(db, now=NOW) == {"SKU-9"}
    import_sales(db, f"sku,date,quantity\nSKU-0,{TODAY - timedelta(days=3)},40\n", now=NOW)  # imports count too
    assert storefront.refresh_best_sellers(db, now=NOW) == {"SKU-0"}
    assert storefront.availability(db, "SKU-0", now=NOW).labels == ["best_seller"]
    assert storefront.availability(db, "SKU-9", now=NOW).labels == []


def sign_up(db: Database, email: str = "rina@contoh.id", sku: str = "KAOS-M", locale: str = "id",
            at: timedelta = timedelta(0)) -> None:
    subscriptions.subscribe(db, SubscriptionCreate(sku=sku, email=email, locale=locale), now=NOW + at)


def test_a_sign_up_emails_a_confirmation_link_once_and_confirms_by_it(db: Database) -> None:
    make(db)
    sign_up(db, "Rina@Contoh.id")
    sign_up(db, "rina@contoh.id", at=timedelta(minutes=1))  # a double click sends no second email
    sent = events(db, "subscription.confirm")
    assert len(sent) == 1 and sent[0]["email"] == "rina@contoh.id" and sent[0]["sku"] == "KAOS-M"
    assert "confirm_url" not in sent[0]  # the link travels in the email only
    token = emailed_links(db, now=NOW)["rina@contoh.id"]
    assert subscriptions.find_subscription(db, token).status == "pending"
    assert subscriptions.confirm(db, token, now=NOW).status == "confirmed"
    assert subscriptions.confirm(db, token, now=NOW).status == "confirmed"
    sign_up(db, at=timedelta(hours=1))  # already confirmed: nothing to send
    assert len(events(db, "subscription.confirm")) == 1
    with pytest.raises(UnknownSubscriptionLink):
        subscriptions.confirm(db, "bukan-token", now=NOW)


def test_stock_back_tells_confirmed_sign_ups_once_after_waiting_customers_are_served(db: Database) -> None:
    make(db, price="125000")
    buy(db, "KAOS-M", 2)  # two units wait
    for email in ("a@contoh.id", "b@contoh.id", "c@contoh.id"):
        sign_up(db, email)
    links = emailed_links(db, now=NOW)
    subscriptions.confirm(db, links["a@contoh.id"], now=NOW)
    subscriptions.confirm(db, links["b@contoh.id"], now=NOW)
    subscriptions.unsubscribe(db, links["b@contoh.id"], now=NOW)  # c never confirmed
    stock.adjust_stock(db, "KAOS-M", StockAdjustment(delta=2, reason="datang"), now=NOW)
    assert events(db, "back_in_stock") == []  # the waiting customers took every unit
    po = incoming(db, "KAOS-M", 5, days=3)
    supply.receive_purchase_order(db, po, ReceiptCreate.model_validate({"lines": [{"sku": "KAOS-M", "quantity": 5}]}),
                                  now=NOW + timedelta(days=3))
    told = events(db, "back_in_stock")
    assert [(e["email"], e["price"]) for e in told] == [("a@contoh.id", "125000.00")]
    assert "unsubscribe_url" not in told[0]
    unsubscribe = emailed_links(db, now=NOW + timedelta(days=3), kind="unsubscribe")
    assert list(unsubscribe) == ["a@contoh.id"] and unsubscribe["a@contoh.id"] != links["a@contoh.id"]
    assert subscriptions.find_subscription(db, unsubscribe["a@contoh.id"]).status == "notified"
    stock.adjust_stock(db, "KAOS-M", StockAdjustment(delta=1, reason="lagi"), now=NOW + timedelta(days=4))
    assert len(events(db, "back_in_stock")) == 1  # once per sign-up
    assert subscriptions.find_subscription(db, links["a@contoh.id"]).status == "notified"


def test_a_launch_tells_sign_ups_but_is_no_restock(db: Database) -> None:
    release = TODAY + timedelta(days=2)
    make(db, "RILIS", units=5, backorder_policy="preorder", release_at=release.isoformat())
    make(db, "LAIN", units=5, backorder_policy="preorder", release_at=release.isoformat())
    sign_up(db, sku="RILIS")
    subscriptions.confirm(db, emailed_links(db, now=NOW)["rina@contoh.id"], now=NOW)
    assert preorders.release_due(db, now=NOW + timedelta(days=1)) == {}
    assert events(db, "back_in_stock") == []
    assert preorders.release_due(db, now=NOW + timedelta(days=2)) == {}  # nobody pre-ordered: nothing allocated
    assert [e["sku"] for e in events(db, "back_in_stock")] == ["RILIS"]
    preorders.release_due(db, now=NOW + timedelta(days=2, hours=1))
    assert len(events(db, "back_in_stock")) == 1
    assert storefront.availability(db, "RILIS", now=NOW + timedelta(days=2)).labels == []


def test_launching_a_preorder_by_hand_tells_its_sign_ups(db: Database) -> None:
    make(db, "RILIS", units=5, backorder_policy="preorder", release_at=(TODAY + timedelta(days=9)).isoformat())
    sign_up(db, sku="RILIS")
    subscriptions.confirm(db, emailed_links(db, now=NOW)["rina@contoh.id"], now=NOW)
    assert events(db, "back_in_stock") == []  # held for the launch
    preorders.release(db, "RILIS", now=NOW)
    assert [e["sku"] for e in events(db, "back_in_stock")] == ["RILIS"]


def test_confirming_after_the_stock_is_back_tells_at_once(db: Database) -> None:
    make(db, units=1)
    buy(db, "KAOS-M", 1)
    sign_up(db)
    stock.adjust_stock(db, "KAOS-M", StockAdjustment(delta=3, reason="datang"), now=NOW)
    assert events(db, "back_in_stock") == []  # not confirmed yet
    confirmed = subscriptions.confirm(db, emailed_links(db, now=NOW)["rina@contoh.id"], now=NOW)
    assert confirmed.status == "notified"
    assert [e["email"] for e in events(db, "back_in_stock")] == ["rina@contoh.id"]


def test_one_address_may_start_only_so_many_sign_ups_a_day(db: Database) -> None:
    limit = get_settings().signups_per_email_per_day
    for n in range(limit + 1):
        make(db, f"SKU-{n}")
    for n in range(limit):
        sign_up(db, sku=f"SKU-{n}")
    with pytest.raises(RateLimited):
        sign_up(db, sku=f"SKU-{limit}")
    sign_up(db, sku=f"SKU-{limit}", at=timedelta(days=1, minutes=1))
    with db.transaction() as session:
        assert len(session.scalars(select(Subscription)).all()) == limit + 1


def test_racing_sign_ups_for_the_same_address_make_one_sign_up_and_one_email(db: Database) -> None:
    make(db)
    barrier = threading.Barrier(6)
    errors: list[BaseException] = []

    def shopper() -> None:
        barrier.wait()
        try:
            subscriptions.subscribe(db, SubscriptionCreate(sku="KAOS-M", email="rina@contoh.id"), now=NOW)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=shopper) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with db.transaction() as session:
        assert len(session.scalars(select(Subscription)).all()) == 1
    assert len(events(db, "subscription.confirm")) == 1


def race_confirmations_with_a_stock_in(db: Database, sku: str, tokens: list[str]) -> list[BaseException]:
    barrier = threading.Barrier(len(tokens) + 1)
    errors: list[BaseException] = []

    def confirm(token: str) -> None:
        barrier.wait()
        try:
            subscriptions.confirm(db, token, now=NOW)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    def restock() -> None:
        barrier.wait()
        stock.adjust_stock(db, sku, StockAdjustment(delta=5, reason="datang"), now=NOW)

    threads = [threading.Thread(target=confirm, args=(t,)) for t in tokens] + [threading.Thread(target=restock)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_stock_back_while_shoppers_confirm_tells_each_exactly_once(db: Database) -> None:
    """Confirmations racing a stock-in: each shopper is told once, whichever commits first (20 rounds; on
    PostgreSQL, without the product lock in `confirm`, some rounds tell nobody)."""
    for round_ in range(20):
        sku = f"KAOS-{round_}"
        make(db, sku, units=1)
        buy(db, sku, 1, email=f"pembeli{round_}@contoh.id")
        for n in range(4):
            sign_up(db, f"s{n}.{round_}@contoh.id", sku=sku)
        tokens = list(emailed_links(db, now=NOW).values())
        assert race_confirmations_with_a_stock_in(db, sku, tokens) == []
        told = sorted(e["email"] for e in events(db, "back_in_stock") if e["sku"] == sku)
        assert told == sorted(f"s{n}.{round_}@contoh.id" for n in range(4))
