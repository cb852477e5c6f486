"""Customer-facing text in the shop's languages: Babel catalogues (Indonesian by default, English), dates and money.

Message ids are the English text; `locale/<lang>/LC_MESSAGES/messages.po` holds each language's translation,
read with Babel at first use (no compile step, no binary in the repository). Placeholders use the gettext
form `%(name)s`, the one Jinja2's `{% trans %}` blocks produce, so a page, an email and an API message share
one catalogue (`tests/unit/test_i18n.py` fails when a text has no Indonesian). After adding or changing a
text, refresh the catalogues (docs/notifications.md):

    pybabel extract -F babel.cfg -k translate:2 -k N_ -o /tmp/messages.pot .
    pybabel update -i /tmp/messages.pot -d src/inden/locale --no-fuzzy-matching
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency
from babel.support import Translations
from jinja2 import Environment, FileSystemLoader, select_autoescape

from inden.config import get_settings

LOCALES = ("id", "en")
CATALOGUES = Path(__file__).parent / "locale"


def locale_of(value: str | None) -> str:
    """The supported language for a locale tag (`id`, `id-ID`, `en_US`, …); the shop's default otherwise."""
    language = (value or "").replace("-", "_").split("_")[0].lower()
    return language if language in LOCALES else get_settings().default_locale


@lru_cache
def translations(locale: str) -> Translations:
    """The catalogue of one supported language, loaded once per process."""
    with (CATALOGUES / locale / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po, locale=locale)
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


def shop_day(moment: datetime) -> date:
    """The shop-timezone date of an aware datetime (what a shopper in the shop's city would call that day)."""
    return moment.astimezone(ZoneInfo(get_settings().timezone)).date()


def format_money(amount: Decimal, locale: str, currency: str | None = None) -> str:
    """Money in the shop's currency the way shops show it: `Rp125.000`; cents only when there are any."""
    language = locale_of(locale)
    currency = currency or get_settings().currency
    if amount == amount.to_integral_value():
        pattern = Locale.parse(language).currency_formats["standard"].pattern.split(";")[0]
        whole = pattern.replace(".00", "").replace(",00", "")
        return format_currency(amount, currency, whole, locale=language, currency_digits=False)
    return format_currency(amount, currency, locale=language)


def template_environment(folder: Path, locale: str) -> Environment:
    """A Jinja2 environment over `folder` whose `{% trans %}` blocks speak `locale` (HTML autoescaped)."""
    environment = Environment(loader=FileSystemLoader(folder), autoescape=select_autoescape(["html"]),
                              extensions=["jinja2.ext.i18n"])
    environment.install_gettext_translations(translations(locale_of(locale)), newstyle=True)  # type: ignore[attr-defined]
    return environment
