"""Every customer-facing text has Indonesian; dates and money read the way Indonesian shoppers expect."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import typer
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po
from hypothesis import given
from hypothesis import strategies as st

from inden.i18n import catalogue_files, format_day, format_money, locale_of, translate

ROOT = Path(__file__).parents[2]
METHODS = [("**/templates/**", "jinja2"), ("**.py", "python")]


def texts_in_code() -> set[str]:
    """What `pybabel extract -F babel.cfg -k translate:2 -k N_` finds: translate() and N_() literals, and the
    {% trans %} blocks of the templates."""
    keywords = {**DEFAULT_KEYWORDS, "translate": (2,), "N_": None}
    found = extract_from_dir(ROOT / "src" / "inden", METHODS, keywords=keywords)
    return {message for _, _, message, _, _ in found if isinstance(message, str)} | cli_help()


def cli_help() -> set[str]:
    """The help texts of the `inden` command (docstrings and help=), which its run translates (cli/language.py)."""
    from inden.cli import app
    from inden.cli.language import help_texts

    return help_texts(typer.main.get_command(app))


def catalogue(locale: str) -> dict[str, str]:
    """All catalogues of one language (one file per area); an id may live in one area only."""
    texts: dict[str, str] = {}
    for path in catalogue_files(locale):
        with path.open("rb") as po:
            for message in read_po(po):
                if message.id:
                    assert message.id not in texts, f"{message.id!r} is in two catalogues of {locale}"
                    texts[message.id] = message.string  # type: ignore[index]
    return texts


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


def test_rupiah_reads_the_same_in_both_languages_without_sen() -> None:
    assert format_money(Decimal("125000"), "id") == "Rp125.000"
    assert format_money(Decimal("125000"), "en") == "Rp125.000"
    assert format_money(Decimal("125000.50"), "id") == "Rp125.001"  # half-up
    assert format_money(Decimal("125000.49"), "id") == "Rp125.000"
    assert format_money(Decimal("0"), "id") == "Rp0"
    assert format_money(Decimal("-2500"), "id") == "-Rp2.500"
    assert format_money(Decimal("1234567890"), "en", "IDR") == "Rp1.234.567.890"


def test_other_currencies_show_their_usual_minor_units() -> None:
    assert format_money(Decimal("19.99"), "en", "USD") == "$19.99"
    assert format_money(Decimal("20"), "en", "USD") == "$20.00"
    assert format_money(Decimal("19.995"), "en", "USD") == "$20.00"
    assert format_money(Decimal("1500"), "en", "JPY") == "¥1,500"


@given(st.decimals(min_value=-10**12, max_value=10**12, places=2, allow_nan=False, allow_infinity=False))
def test_rupiah_display_is_the_half_up_rounded_amount(amount: Decimal) -> None:
    shown = format_money(amount, "id", "IDR")
    sign = -1 if shown.startswith("-") else 1
    value = sign * int(shown.lstrip("-").removeprefix("Rp").replace(".", ""))
    assert abs(Decimal(value) - amount) <= Decimal("0.5")
    assert Decimal(value) - amount != Decimal("-0.5") or amount < 0  # .5 rounds away from zero


def test_locale_tags_fall_back_to_the_shop_default() -> None:
    assert [locale_of(tag) for tag in ("en-US", "id_ID", "EN", "fr", None, "")] == ["en", "id", "en", "id", "id", "id"]
