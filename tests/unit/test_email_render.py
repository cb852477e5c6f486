"""What each email says, in Indonesian and English: rendering and composing only, no database, no network."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from inden.config import Settings
from inden.i18n import CATALOGUES, format_day, format_money, translations
from inden.notify.render import EMAILED_EVENTS, TEMPLATES, Addressee, addressee, compose, eta_digest, message_id, render
from inden.notify.smtp import SmtpServer

SHOP = Settings(shop_name="Toko Kopi Nusantara", seller_email="pemilik@toko.id", default_locale="id")
NAMES = {"SERUM-VITC-30": "Serum Vitamin C 30 ml", "KOPI-GAYO-250": "Kopi Arabika Gayo 250 g"}
CUSTOMER = {"email": "siti@contoh.id", "name": "Siti", "locale": "id"}


def moved(sku: str, old: str, new: str, *, confidence: str = "scheduled") -> dict[str, Any]:
    return {"order_id": 42, "sku": sku, "old": {"eta": old, "eta_latest": None},
            "new": {"eta": new, "eta_latest": None, "eta_confidence": confidence}, "customer": CUSTOMER}


SAMPLES: dict[str, dict[str, Any]] = {
    "order.backordered": {"order_id": 42, "customer": CUSTOMER, "lines": [
        {"sku": "SERUM-VITC-30", "backordered": 2, "position": 3, "eta": "2026-12-14", "eta_latest": "2026-12-20",
         "eta_confidence": "scheduled"}]},
    "eta_changed": moved("SERUM-VITC-30", "2026-12-14", "2026-12-21"),
    "backorder.allocated": {"order_id": 42, "sku": "SERUM-VITC-30", "allocated": 1, "waiting": 2,
                            "status": "partially_backordered", "customer": CUSTOMER},
    "order.shipped": {"order_id": 42, "shipment_id": 7, "customer": CUSTOMER,
                      "lines": [{"sku": "KOPI-GAYO-250", "quantity": 2}]},
    "order.cancelled": {"order_id": 42, "customer": CUSTOMER, "lines": [{"sku": "KOPI-GAYO-250", "quantity": 1}]},
    "reorder_point_reached": {"sku": "KOPI-GAYO-250", "inventory_position": 12, "reorder_point": 14.5,
                              "risk": 0.1234, "suggestion_id": 9},
    "subscription.confirm": {"subscription_id": 5, "sku": "KOPI-GAYO-250", "product_name": "Kopi Arabika Gayo 250 g",
                             "email": "budi@contoh.id", "locale": "id",
                             "confirm_url": "https://toko.id/s/confirm?token=abc&x=1",
                             "unsubscribe_url": "https://toko.id/s/unsubscribe?token=abc"},
    "back_in_stock": {"subscription_id": 5, "sku": "KOPI-GAYO-250", "product_name": "Kopi Arabika Gayo 250 g",
                      "email": "budi@contoh.id", "locale": "id", "unsubscribe_url": "https://toko.id/s/u?token=abc",
                      "price": "125000.00"},
    "audit.failed": {"problems": ["KOPI-GAYO-250: on_hand 12 != ledger total 10"], "problem_count": 1, "products": 3,
                     "movements": 40, "checked_at": "2026-12-12T03:00:00+00:00"},
}

# A phrase each email must say, per language (the gist of the message, not its every word).
GIST = {
    "order.backordered": ("sebagian barang masih inden", "some items on backorder"),
    "eta_changed": ("dikirim lebih lambat", "ships later"),
    "backorder.allocated": ("sudah datang dan kami siapkan untuk pesanan #42", "is reserved for your order #42"),
    "order.shipped": ("sudah kami kirim", "We have shipped"),
    "order.cancelled": ("telah dibatalkan", "have been cancelled"),
    "reorder_point_reached": ("titik pemesanan ulang", "reorder point"),
    "subscription.confirm": ("Mohon konfirmasi", "Please confirm"),
    "back_in_stock": ("sudah tersedia lagi", "is back in stock"),
    "audit.failed": ("audit stok menemukan 1 masalah", "the stock audit found 1 problem(s)"),
}


def rendered(event_type: str, locale: str, payload: dict[str, Any] | None = None, **kwargs: Any):  # type: ignore[no-untyped-def]
    return render(event_type, payload or SAMPLES[event_type], locale=locale, product_names=NAMES, settings=SHOP,
                  **kwargs)


def test_the_samples_cover_every_emailed_event_type() -> None:
    assert set(SAMPLES) == set(GIST) == EMAILED_EVENTS


@pytest.mark.parametrize("locale", ["id", "en"])
@pytest.mark.parametrize("event_type", sorted(EMAILED_EVENTS))
def test_every_event_type_renders_in_both_languages(event_type: str, locale: str) -> None:
    email = rendered(event_type, locale)
    gist = GIST[event_type][0 if locale == "id" else 1]
    assert email.subject.startswith("Toko Kopi Nusantara: ")
    assert gist in email.subject + email.text
    assert gist in email.html
    assert f'<html lang="{locale}">' in email.html
    assert "{{" not in email.text + email.html and "%(" not in email.text + email.html


def test_customers_are_greeted_by_name_when_the_shop_knows_it() -> None:
    assert rendered("order.shipped", "id", name="Siti").text.startswith("Halo Kak Siti,\n")
    assert rendered("order.shipped", "en").text.startswith("Hello,\n")
    assert rendered("order.shipped", "en", name="John").text.startswith("Hello John,\n")


def test_ship_dates_are_written_the_way_shoppers_read_them() -> None:
    indonesian, english = rendered("order.backordered", "id"), rendered("order.backordered", "en")
    assert format_day(date(2026, 12, 14), "id") == "14 Des 2026"
    assert format_day(date(2026, 12, 14), "en") == "Dec 14, 2026"
    assert "2 × Serum Vitamin C 30 ml: dikirim antara 14 Des 2026 dan 20 Des 2026" in indonesian.text
    assert "2 × Serum Vitamin C 30 ml: ships between Dec 14, 2026 and Dec 20, 2026" in english.text
    assert "Dec 14, 2026" in english.html and "2026-12-14" not in english.text + english.html


def backordered_line(**line: Any) -> dict[str, Any]:
    base = {"sku": "SERUM-VITC-30", "backordered": 1, "position": 1, "eta": "2026-12-14", "eta_latest": None,
            "eta_confidence": "scheduled"}
    return {"order_id": 42, "customer": CUSTOMER, "lines": [base | line]}


def test_an_estimated_ship_date_is_called_an_estimate() -> None:
    scheduled = rendered("order.backordered", "en", backordered_line()).text
    estimated = rendered("order.backordered", "en", backordered_line(eta_confidence="estimated")).text
    assert "1 × Serum Vitamin C 30 ml: ships around Dec 14, 2026" in scheduled
    assert "estimate" not in scheduled
    assert "1 × Serum Vitamin C 30 ml: estimated to ship around Dec 14, 2026" in estimated
    assert "An estimated date is based on our supplier's usual delivery time" in estimated
    assert "perkiraan dikirim sekitar 14 Des 2026" in rendered(
        "order.backordered", "id", backordered_line(eta_confidence="estimated")).text


def test_a_line_without_a_ship_date_promises_no_date() -> None:
    text = rendered("order.backordered", "en", backordered_line(eta=None, eta_confidence=None)).text
    assert "1 × Serum Vitamin C 30 ml: we will tell you the ship date as soon as we know it" in text
    assert "around" not in text and "2026" not in text


def test_eta_news_says_whether_the_date_moved_earlier_or_later() -> None:
    later = rendered("eta_changed", "en", moved("SERUM-VITC-30", "2026-12-14", "2026-12-21")).text
    earlier = rendered("eta_changed", "en", moved("SERUM-VITC-30", "2026-12-14", "2026-12-10")).text
    assert ("Serum Vitamin C 30 ml now ships later than we said, around Dec 21, 2026 instead of Dec 14, 2026"
            in later)
    assert "We are sorry for the wait." in later
    assert "Good news: Serum Vitamin C 30 ml now ships earlier, around Dec 10, 2026 instead of Dec 14, 2026" in earlier
    assert "sorry" not in earlier
    assert ("Kabar baik: Serum Vitamin C 30 ml dikirim lebih cepat, sekitar 10 Des 2026 (sebelumnya 14 Des 2026)"
            in rendered("eta_changed", "id", moved("SERUM-VITC-30", "2026-12-14", "2026-12-10")).text)


def test_the_eta_digest_keeps_each_skus_newest_promise_and_the_date_it_replaces() -> None:
    digest = eta_digest([
        moved("SERUM-VITC-30", "2026-12-14", "2026-12-18"),
        moved("KOPI-GAYO-250", "2026-12-14", "2026-12-10"),
        moved("SERUM-VITC-30", "2026-12-18", "2026-12-21", confidence="estimated"),
    ])
    assert [(c["sku"], c["old"]["eta"], c["new"]["eta"]) for c in digest["changes"]] == [
        ("SERUM-VITC-30", "2026-12-14", "2026-12-21"), ("KOPI-GAYO-250", "2026-12-14", "2026-12-10")]
    text = rendered("eta_changed", "en", digest).text
    assert "Serum Vitamin C 30 ml now ships later than we said, around Dec 21, 2026 instead of Dec 14, 2026 " \
           "(estimated)" in text
    assert "Kopi Arabika Gayo 250 g now ships earlier, around Dec 10, 2026 instead of Dec 14, 2026" in text
    assert "Dec 18" not in text


def test_the_eta_digest_leaves_out_moves_that_cancel_out() -> None:
    digest = eta_digest([moved("SERUM-VITC-30", "2026-12-14", "2026-12-18"),
                         moved("SERUM-VITC-30", "2026-12-18", "2026-12-14")])
    assert digest["changes"] == []


def test_allocation_news_mentions_units_still_on_the_way_only_when_some_wait() -> None:
    waiting = rendered("backorder.allocated", "en").text
    complete = rendered("backorder.allocated", "en", SAMPLES["backorder.allocated"] | {
        "allocated": 3, "waiting": 0, "status": "allocated"}).text
    assert ("Good news: Serum Vitamin C 30 ml has arrived and is reserved for your order #42 (quantity: 1)."
            in waiting)
    assert "The rest (2) is still on the way" in waiting
    assert "(quantity: 3)" in complete
    assert "on the way" not in complete
    assert "Your order is complete and will be shipped soon." in complete
    indonesian = rendered("backorder.allocated", "id").text
    assert "Kabar baik: Serum Vitamin C 30 ml sudah datang dan kami siapkan untuk pesanan #42 (jumlah: 1 pcs)." \
        in indonesian
    assert "Sisanya (2 pcs) masih dalam perjalanan" in indonesian


def test_back_in_stock_shows_the_price_the_way_the_shop_does() -> None:
    text = rendered("back_in_stock", "id").text
    assert f"Harga: {format_money(Decimal('125000.00'), 'id')}" in text
    assert "Rp125.000" in text
    no_price = rendered("back_in_stock", "id", SAMPLES["back_in_stock"] | {"price": None}).text
    assert "Harga" not in no_price


def test_the_seller_alert_names_the_suggestion_to_approve() -> None:
    text = rendered("reorder_point_reached", "id").text
    assert "Stok Kopi Arabika Gayo 250 g (KOPI-GAYO-250) sudah mencapai titik pemesanan ulang" in text
    assert "titik pemesanan ulang 14,5" in text and "12%" in text
    assert "inden plan approve 9" in text
    assert "Halo" not in text  # the seller is not greeted like a customer


def test_a_product_without_a_known_name_is_shown_by_its_sku() -> None:
    text = render("order.shipped", SAMPLES["order.shipped"], locale="en", product_names={}, settings=SHOP).text
    assert "2 × KOPI-GAYO-250" in text


def template_messages() -> list[str]:
    method_map = [("**.jinja", "jinja2"), ("**.txt", "jinja2"), ("**.html", "jinja2")]
    return [m[2][0] if isinstance(m[2], tuple) else m[2] for m in extract_from_dir(str(TEMPLATES), method_map)]


def test_every_email_text_has_an_indonesian_translation() -> None:
    with (CATALOGUES / "id" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalogue = read_po(po, locale="id")
    messages = template_messages()
    assert len(messages) > 40
    untranslated = [m for m in messages if m not in catalogue or not all(
        catalogue[m].string if isinstance(catalogue[m].string, tuple) else [catalogue[m].string])]  # plural or not
    assert untranslated == []


def words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Za-z]{3,}", re.sub(r"%\(\w+\)s|https?://\S+", " ", text))}


@pytest.mark.parametrize("event_type", sorted(EMAILED_EVENTS))
def test_nothing_is_left_in_english_in_an_indonesian_email(event_type: str) -> None:
    """Every word of the English texts that Indonesian never uses must be absent from the Indonesian email."""
    catalogue = translations("id")
    indonesian = [catalogue.ugettext(m) for m in template_messages() if catalogue.ugettext(m) != m]
    english_only = set().union(*(words(m) for m in template_messages())) - set().union(*map(words, indonesian))
    email = rendered(event_type, "id", name="Siti")
    leaks = words(email.subject + email.text + re.sub(r"<[^>]+>", " ", email.html)) & english_only
    assert leaks == set()


def test_the_html_part_escapes_what_shoppers_and_sellers_typed() -> None:
    payload = SAMPLES["back_in_stock"] | {"product_name": 'Kaos <script>alert("x")</script> & Co'}
    email = rendered("back_in_stock", "en", payload)
    assert "<script>" not in email.html
    assert "Kaos &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Co" in email.html
    assert 'Kaos <script>alert("x")</script> & Co is back in stock.' in email.text  # plain text is not HTML
    assert 'href="https://toko.id/s/u?token=abc"' in email.html
    confirm = rendered("subscription.confirm", "en")
    assert 'href="https://toko.id/s/confirm?token=abc&amp;x=1"' in confirm.html


def composed(event_type: str, keys: list[str], payload: dict[str, Any] | None = None):  # type: ignore[no-untyped-def]
    payload = payload or SAMPLES[event_type]
    to = addressee(event_type, payload, settings=SHOP)
    assert to is not None
    return compose(event_type, payload, to=to, dedup_keys=keys, product_names=NAMES, settings=SHOP)


def test_a_message_has_a_text_part_and_an_html_alternative() -> None:
    message = composed("order.shipped", ["order.shipped:7"])
    assert message.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in message.iter_parts()] == ["text/plain", "text/html"]
    assert "Barang berikut dari pesanan #42 sudah kami kirim:" in message.get_body(("plain",)).get_content()
    assert message["To"] == "Siti <siti@contoh.id>"
    assert message["From"] == SHOP.smtp_from
    assert message["Subject"] == "Toko Kopi Nusantara: pesanan #42 sudah dikirim"
    assert message["Content-Language"] == "id"


def test_the_message_id_is_the_same_whenever_the_same_events_are_sent_again() -> None:
    first = composed("order.shipped", ["order.shipped:7"])["Message-ID"]
    assert first == composed("order.shipped", ["order.shipped:7"])["Message-ID"]
    assert re.fullmatch(r"<[0-9a-f]{64}@inden>", first)
    assert first != composed("order.shipped", ["order.shipped:8"])["Message-ID"]
    assert message_id(["eta_changed:a", "eta_changed:b"]) == message_id(["eta_changed:b", "eta_changed:a"])


def test_only_back_in_stock_emails_offer_one_click_unsubscribe() -> None:
    message = composed("back_in_stock", ["back_in_stock:5"])
    assert message["List-Unsubscribe"] == "<https://toko.id/s/u?token=abc>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert composed("subscription.confirm", ["subscription.confirm:5"])["List-Unsubscribe"] is None


def test_a_product_name_cannot_add_a_header() -> None:
    payload = SAMPLES["back_in_stock"] | {"product_name": "Kaos\r\nBcc: semua@contoh.id"}
    message = composed("back_in_stock", ["back_in_stock:5"], payload)
    assert message["Subject"] == "Toko Kopi Nusantara: Kaos Bcc: semua@contoh.id sudah tersedia lagi"
    assert message["Bcc"] is None


def test_seller_alerts_go_to_the_seller_in_the_shops_language() -> None:
    alert = SAMPLES["reorder_point_reached"]
    assert addressee("reorder_point_reached", alert, settings=SHOP) == Addressee("pemilik@toko.id", "id")
    assert addressee("reorder_point_reached", alert, settings=Settings(seller_email=None)) is None
    assert addressee("order.shipped", SAMPLES["order.shipped"], settings=SHOP) == Addressee(
        "siti@contoh.id", "id", "Siti")
    english = SAMPLES["subscription.confirm"] | {"locale": "en-US"}
    assert addressee("subscription.confirm", english, settings=SHOP) == Addressee("budi@contoh.id", "en")


@pytest.mark.parametrize(
    ("url", "server"),
    [
        ("smtp://127.0.0.1:8025", SmtpServer("127.0.0.1", 8025, "plain")),
        ("smtp://mail.toko.id", SmtpServer("mail.toko.id", 25, "plain")),
        ("smtps://toko:rahasia@smtp.example.com", SmtpServer("smtp.example.com", 465, "tls", "toko", "rahasia")),
        ("smtp+starttls://toko%40mail.id:p%40ss%3Aword@smtp.example.com:2525",
         SmtpServer("smtp.example.com", 2525, "starttls", "toko@mail.id", "p@ss:word")),
    ],
)
def test_the_smtp_url_says_where_and_how_to_send(url: str, server: SmtpServer) -> None:
    assert SmtpServer.parse(url) == server


@pytest.mark.parametrize("url", ["http://mail.toko.id", "smtp://", "mail.toko.id:25"])
def test_a_url_that_is_not_smtp_is_refused(url: str) -> None:
    with pytest.raises(ValueError, match="not an SMTP URL"):
        SmtpServer.parse(url)
