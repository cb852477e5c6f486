"""Customer-facing text in the shop's languages: Babel catalogues (Indonesian by default, English), dates and money.

Message ids are the English text; `locale/<lang>/LC_MESSAGES/*.po` hold each language's translation, one
catalogue per area (`messages.po` for shoppers' texts, others named for their area), read with Babel at first
use and merged (no compile step, no binary in the repository). Placeholders use the gettext
form `%(name)s`, the one Jinja2's `{% trans %}` blocks produce, so a page, an email and an API message share
one catalogue (`tests/unit/test_i18n.py` fails when a text has no Indonesian). After adding or changing a
text, refresh the catalogues (docs/notifications.md):

    pybabel extract -F babel.cfg -k translate:2 -k N_ -o /tmp/messages.pot .
    pybabel update -i /tmp/messages.pot -d src/inden/locale --no-fuzzy-matching   # messages.po

or add the new texts by hand to the area's catalogue in both languages; `tests/unit/test_i18n.py` says which.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import get_args

from babel.dates import format_date
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal, get_currency_precision
from babel.support import Translations
from jinja2 import Environment, FileSystemLoader, select_autoescape

from inden.config import Settings, get_settings

LOCALES: tuple[str, ...] = get_args(Settings.model_fields["default_locale"].annotation)  # ("id", "en")
CATALOGUES = Path(__file__).parent / "locale"


def locale_of(value: str | None, default: str | None = None) -> str:
    """The supported language for a locale tag (`id`, `id-ID`, `en_US`, …); otherwise `default`, the shop's
    language (callers that hold the settings pass theirs; the process's settings otherwise)."""
    language = (value or "").replace("-", "_").split("_")[0].lower()
    if language in LOCALES:
        return language
    return default if default in LOCALES else get_settings().default_locale


def catalogue_files(locale: str) -> list[Path]:
    """The catalogues of one language, one per area, in a stable order."""
    return sorted((CATALOGUES / locale / "LC_MESSAGES").glob("*.po"))


def read_catalogue(locale: str) -> Catalog:
    """All of one language's catalogues merged into one (an id defined in two areas keeps the first)."""
    merged = Catalog(locale=locale)
    for path in catalogue_files(locale):
        with path.open("rb") as po:
            for message in read_po(po, locale=locale):
                if message.id and message.id not in merged:
                    merged[message.id] = message
    return merged


@lru_cache
def translations(locale: str) -> Translations:
    """The catalogue of one supported language, loaded once per process."""
    catalog = read_catalogue(locale)
    mo = BytesIO()
    write_mo(mo, catalog)
    mo.seek(0)
    return Translations(mo)


def translate(locale: str, message: str, **params: object) -> str:
    """`message` (its English text is its id) in `locale`, with `%(name)s` placeholders filled from params."""
    text = translations(locale_of(locale)).ugettext(message)
    return text % params if params else text


def N_(message: str) -> str:  # noqa: N802  (the gettext convention for "translate later")
    """Marks a text for the catalogues where it is defined; `translate` it where it is shown."""
    return message


def format_day(day: date, locale: str) -> str:
    """A calendar date as shoppers read it: `14 Des 2026` (id), `Dec 14, 2026` (en)."""
    return format_date(day, "medium", locale=locale_of(locale))


def format_money(amount: Decimal, locale: str, currency: str | None = None) -> str:
    """Money the way shops show it. Rupiah always reads `Rp125.000`, in either language, without sen (rounded
    half-up: prices are whole rupiah in practice); other currencies in the locale's form with their usual minor
    units. The amount itself is stored exactly as given; only its display is rounded. The digits are fixed here
    rather than taken from Babel's currency data, which changed for IDR between releases."""
    language = locale_of(locale)
    currency = currency or get_settings().currency
    if currency == "IDR":
        whole = Decimal(amount).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        sign = "-" if whole < 0 else ""
        return f"{sign}Rp{format_decimal(abs(whole), '#,##0', locale='id')}"
    digits = get_currency_precision(currency)
    rounded = Decimal(amount).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    return format_currency(rounded, currency, locale=language)


def template_environment(folder: Path, locale: str) -> Environment:
    """A Jinja2 environment over `folder` whose `{% trans %}` blocks speak `locale` (HTML autoescaped)."""
    environment = Environment(loader=FileSystemLoader(folder), autoescape=select_autoescape(["html"]),
                              extensions=["jinja2.ext.i18n"])
    environment.install_gettext_translations(translations(locale_of(locale)), newstyle=True)  # type: ignore[attr-defined]
    return environment
