"""Every customer-facing text has Indonesian; dates and money read the way Indonesian shoppers expect."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

from inden.i18n import CATALOGUES, format_day, format_money, locale_of, translate

ROOT = Path(__file__).parents[2]
METHODS = [("**/templates/**", "jinja2"), ("**.py", "python")]


def texts_in_code() -> set[str]:
    """What `pybabel extract -F babel.cfg -k translate:2 -k N_` finds: translate() and N_() literals, and the
    {% trans %} blocks of the templates."""
    keywords = {**DEFAULT_KEYWORDS, "translate": (2,), "N_": None}
    found = extract_from_dir(ROOT / "src" / "inden", METHODS, keywords=keywords)
    return {message for _, _, message, _, _ in found if isinstance(message, str)}


def catalogue(locale: str) -> dict[str, str]:
    with (CATALOGUES / locale / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return {m.id: m.string for m in read_po(po) if m.id}  # type: ignore[misc]


def test_the_extraction_finds_the_texts_of_code_and_templates() -> None:
    texts = texts_in_code()
    assert "Out of stock — order now, ships around %(eta)s" in texts  # a translate() call
    assert "We will email %(email)s once, when %(product)s is back in stock." in texts  # a {% trans %} block


def test_every_text_has_an_indonesian_translation() -> None:
    indonesian = catalogue("id")
    missing = sorted(t for t in texts_in_code() if not indonesian.get(t))
    assert missing == [], f"add these to src/inden/locale/id/LC_MESSAGES/messages.po: {missing}"


def test_both_catalogues_hold_the_same_texts_and_no_stale_ones() -> None:
    texts = texts_in_code()
    assert set(catalogue("id")) == set(catalogue("en")) == texts


def test_the_api_md_example_sentence() -> None:
    eta = format_day(date(2026, 12, 14), "id")
    assert translate("id", "Out of stock — order now, ships around %(eta)s", eta=eta) == (
        "Stok habis — pesan sekarang, dikirim sekitar 14 Des 2026")
    assert format_day(date(2026, 12, 14), "en") == "Dec 14, 2026"


def test_money_shows_cents_only_when_there_are_any() -> None:
    assert format_money(Decimal("125000"), "id") == "Rp125.000"
    assert format_money(Decimal("125000.50"), "id") == "Rp125.000,50"
    assert format_money(Decimal("19.99"), "en", "USD") == "$19.99"


def test_locale_tags_fall_back_to_the_shop_default() -> None:
    assert [locale_of(tag) for tag in ("en-US", "id_ID", "EN", "fr", None, "")] == ["en", "id", "en", "id", "id", "id"]
