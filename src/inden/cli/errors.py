"""The CLI's one error mapping: domain errors and validation errors as plain sentences in the shop's language.

Domain errors carry an English message (the API's); each template below is such a message with its values as
`%(name)s` placeholders. A message that matches a template is shown translated with the values it carried;
one that matches none is shown as it is. Validation errors (pydantic) become "field: problem" in plain words,
never a regular expression or a library's wording.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from pydantic import ValidationError

from inden.domain.errors import DomainError
from inden.i18n import N_, translate

TEMPLATES = (
    N_("The planning cluster %(cluster)s did not answer within %(seconds)s s."),
    N_("The planning cluster %(cluster)s is not a Dask scheduler address: use tcp://host:8786 (Ray and other "
       "engines are not supported)."),
    N_("The planning cluster %(cluster)s needs the distributed package: pip install 'inden[cluster]'."),
    N_("No product with SKU %(sku)s."),
    N_("No order with id %(order_id)s."),
    N_("No supplier with code %(supplier)s."),
    N_("No purchase order with id %(po)s."),
    N_("No webhook with id %(webhook)s."),
    N_("No event with id %(event)s."),
    N_("No outbox event with id %(event)s."),
    N_("No replenishment suggestion with id %(suggestion)s."),
    N_("A product with SKU %(sku)s already exists."),
    N_("A supplier with code %(supplier)s already exists."),
    N_("Order refused: not enough stock and no backorder room for %(skus)s."),
    N_("SKU %(sku)s: %(requested)s requested but only %(available)s available."),
    N_("SKU %(sku)s: %(requested)s requested but only %(available)s allocated."),
    N_("SKU %(sku)s would hold more than %(limit)s units."),
    N_("SKU %(sku)s is not a pre-order product."),
    N_("SKU %(sku)s is limited to %(limit)s per customer; this customer already has %(already)s and asked for "
       "%(requested)s more."),
    N_("Order %(order_id)s ships complete and %(waiting)s unit(s) are still waiting."),
    N_("Order %(order_id)s has no line for SKU %(sku)s."),
    N_("Order %(order_id)s has nothing left to cancel."),
    N_("Order %(order_id)s has no allocated units to ship."),
    N_("Cannot cancel %(requested)s of SKU %(sku)s: only %(open)s not yet shipped or cancelled."),
    N_("Purchase order %(po)s is %(status)s; only open ones can change."),
    N_("Purchase order %(po)s is %(status)s; only drafts can be confirmed."),
    N_("Purchase order %(po)s has no line for SKU %(sku)s."),
    N_("Suggestion %(suggestion)s is %(status)s; only pending ones can be decided."),
    N_("Outbox event %(event)s has not failed; nothing to retry."),
    N_("There is no demand history to replay."),
    N_("No SKU has the %(days)s days of history a replay needs."),
    N_("There is no demand history to replay for %(skus)s."),
    N_("The file has no data rows."),
    N_("The file needs a header with the columns date, sku, quantity[, price]; missing: %(missing)s."),
    N_("This link is no longer valid."),
    N_("No user with email %(email)s."),
    N_("A user with email %(email)s already exists."),
    N_("A password needs at least %(min)s characters (at most %(max)s)."),
    N_("%(email)s is not an email address."),
    N_("Purchase order %(po)s would be expected outside %(low)s to %(high)s."),
    N_("No API key with id %(key_id)s."),
    N_("Set INDEN_LEDGER_KEY before re-signing the ledger."),
)

FILE_PROBLEMS = (  # one line of a sales file (services.sales_import)
    N_("date %(value)s is not a date in the form YYYY-MM-DD"),
    N_("sku %(value)s must be 1-64 of A-Z a-z 0-9 . _ -"),
    N_("quantity %(value)s must be between 0 and %(limit)s"),
    N_("quantity %(value)s is not a whole number"),
    N_("price %(value)s is not an amount from 0 to %(most)s"),
    N_("date %(value)s must be between %(low)s and %(high)s"),
    N_("holds a control character (such as NUL)"),
    N_("cannot be read as CSV: %(reason)s"),
    N_("has a cell longer than %(most)s characters"),
    N_("has more cells than the header"),
    N_("no product with SKU %(sku)s (add it first, or import with --create-products)"),
)
LINE = re.compile(r"^line (?P<line>\d+): (?P<problem>.*)$")

# Status words inside translated sentences are translated too (no `received` inside Indonesian).
STATUS_WORDS = {"draft": N_("a draft"), "open": N_("open"), "received": N_("received"),
                "cancelled": N_("cancelled"), "approved": N_("approved"), "dismissed": N_("dismissed"),
                "pending": N_("pending")}

VALIDATOR_TEXTS = (  # what the request models' own validators say (services.schemas)
    N_("must not be 0"),
    N_("may be left out but not null"),
    N_("each SKU may appear once per purchase order"),
    N_("each SKU may appear once"),
    N_("give either uplift or expected_units (one of them)"),
    N_("ends_on must not be before starts_on"),
    N_("an event lasts at most a year"),
    N_("is not a timezone such as Asia/Jakarta"),  # config.Settings
)
TWICE = re.compile(r"SKU '(?P<sku>.+)' appears twice; put each SKU on one line")

FIELD_LABELS = {
    "sku": N_("SKU"), "skus": N_("SKU"), "code": N_("code"), "supplier": N_("supplier"), "email": N_("email"),
    "name": N_("name"), "quantity": N_("quantity"), "delta": N_("units"), "reason": N_("reason"),
    "price": N_("price"), "unit_cost": N_("unit cost"), "currency": N_("currency"),
    "lead_time_days": N_("lead time"), "expected_at": N_("expected date"), "starts_on": N_("start"),
    "ends_on": N_("end"), "release_at": N_("release date"), "backorder_limit": N_("backorder limit"),
    "service_level": N_("service level"), "max_stock": N_("maximum stock"),
    "expected_daily_demand": N_("expected units per day"), "category": N_("category"), "url": N_("URL"),
    "events": N_("event"), "lines": N_("lines"), "locale": N_("language"), "priority": N_("priority"),
    "min_order_quantity": N_("minimum order"), "pack_size": N_("pack size"), "uplift": N_("uplift"),
    "expected_units": N_("units"), "kind": N_("kind"),
}


@lru_cache
def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"%\((\w+)\)s", template)
    regex = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts))
    return re.compile(f"^{regex}$")


def match_template(text: str, templates: Iterable[str]) -> tuple[str, dict[str, str]] | None:
    """The first template whose English form `text` is, with the values in its placeholders."""
    for template in templates:
        if found := _pattern(template).match(text):
            return template, found.groupdict()
    return None


def _file_problems(problems: list[str], count: int, locale: str) -> str:
    """A refused sales file: each bad line's problem in `locale`."""
    shown = []
    for problem in problems:
        if (line := LINE.match(problem)) and (matched := match_template(line["problem"], FILE_PROBLEMS)):
            text = translate(locale, matched[0], **matched[1])
            shown.append(translate(locale, "line %(number)s: %(problem)s", number=line["line"], problem=text))
        else:
            shown.append(problem)
    more = count - len(shown)
    return (translate(locale, "The file was not imported (nothing was changed): %(problems)s",
                      problems="; ".join(shown))
            + (translate(locale, "; and %(count)s more problem(s)", count=more) if more > 0 else ""))


def domain_message(error: DomainError, locale: str) -> str:
    """A domain error's message in `locale`."""
    if isinstance(error.details.get("problems"), list):
        return _file_problems(error.details["problems"], int(error.details.get("problem_count", 0)), locale)
    if (matched := match_template(error.message, TEMPLATES)) is None:
        return error.message
    template, values = matched
    if values.get("status") in STATUS_WORDS:
        values["status"] = translate(locale, STATUS_WORDS[values["status"]])
    return translate(locale, template, **values)


def _field(loc: tuple[Any, ...], locale: str) -> str:
    names = [str(p) for p in loc if isinstance(p, str) and not p.startswith(("function-", "constrained-"))]
    lines = [p for p in loc if isinstance(p, int)]
    label = translate(locale, FIELD_LABELS[names[-1]]) if names and names[-1] in FIELD_LABELS else (
        names[-1] if names else translate(locale, "value"))
    if lines and "lines" in names:
        return translate(locale, "line %(number)s, %(field)s", number=lines[0] + 1, field=label)
    return label


def _problem(error: Any, field: str, locale: str) -> str:
    kind, ctx = error["type"], error.get("ctx") or {}
    limit = next((ctx[k] for k in ("gt", "ge", "lt", "le", "min_length", "max_length") if k in ctx), None)
    simple = {
        "missing": N_("is required"),
        "greater_than": N_("must be greater than %(limit)s"),
        "greater_than_equal": N_("must be at least %(limit)s"),
        "less_than": N_("must be less than %(limit)s"),
        "less_than_equal": N_("must be at most %(limit)s"),
        "string_too_long": N_("must be at most %(limit)s characters"),
        "too_short": N_("needs at least %(limit)s"),
        "too_long": N_("takes at most %(limit)s"),
        "int_parsing": N_("must be a whole number"), "int_type": N_("must be a whole number"),
        "int_from_float": N_("must be a whole number"),
        "float_parsing": N_("must be a number"), "float_type": N_("must be a number"),
        "decimal_parsing": N_("must be an amount, e.g. 75000"), "decimal_type": N_("must be an amount, e.g. 75000"),
        "decimal_max_places": N_("takes at most 2 decimals"), "decimal_max_digits": N_("is too large"),
        "date_parsing": N_("use YYYY-MM-DD, e.g. 2026-12-19"), "date_from_datetime_parsing":
            N_("use YYYY-MM-DD, e.g. 2026-12-19"), "date_type": N_("use YYYY-MM-DD, e.g. 2026-12-19"),
        "extra_forbidden": N_("is not a known field"),
        "bool_parsing": N_("must be yes or no"), "bool_type": N_("must be yes or no"),
        "number_type": N_("must be a number"),
        "control_character": N_("must not contain control characters (such as NUL)"),
    }
    if kind in simple:
        return translate(locale, simple[kind], limit=limit)
    if kind == "date_out_of_range":
        return translate(locale, "must be between %(low)s and %(high)s", low=ctx.get("low"), high=ctx.get("high"))
    if kind == "string_too_short":
        return translate(locale, "must not be empty")
    if kind == "string_pattern_mismatch":
        if field in ("email",):
            return translate(locale, "is not an email address (name@example.com)")
        if field == "currency":
            return translate(locale, "must be a three-letter code such as IDR")
        return translate(locale, "may hold only letters, digits, '.', '_' and '-' (at most 64)")
    if kind in ("literal_error", "enum"):
        choices = str(ctx.get("expected", "")).replace(" or ", ", ")  # pydantic's "'a', 'b' or 'c'": no English
        return translate(locale, "must be one of: %(choices)s", choices=choices)
    if kind.startswith("url"):
        return translate(locale, "is not a web address (http:// or https://)")
    if kind == "value_error":
        text = str(ctx.get("error", error["msg"]))
        if twice := TWICE.match(text):
            return translate(locale, "SKU %(sku)s appears twice; put each SKU on one line", sku=twice["sku"])
        return translate(locale, text) if text in VALIDATOR_TEXTS else text
    return translate(locale, "is not valid")


def validation_message(error: ValidationError, locale: str) -> str:
    """Every problem of a request as `field: problem`, joined; in `locale`."""
    problems = []
    for item in error.errors():
        names = [str(p) for p in item["loc"] if isinstance(p, str)]
        field = names[-1] if names else ""
        problems.append(f"{_field(item['loc'], locale)}: {_problem(item, field, locale)}")
    return translate(locale, "invalid input: %(problems)s", problems="; ".join(problems))


def problem_message(error: ValidationError, locale: str) -> str:
    """The first problem of a value typed on the command line, in plain words in `locale` (Click names the
    argument around it: "Invalid value for 'delta': …")."""
    items = error.errors()
    if not items:
        return translate(locale, "is not valid")
    names = [str(p) for p in items[0]["loc"] if isinstance(p, str)]
    return _problem(items[0], names[-1] if names else "", locale)


def settings_message(error: ValidationError, locale: str) -> str:
    """Settings from the environment that do not hold, each named by its variable, in `locale`."""
    problems = []
    for item in error.errors():
        name = str(item["loc"][0]) if item["loc"] else ""
        problems.append(f"INDEN_{name.upper()}: {_problem(item, name, locale)}")
    return translate(locale, "the settings are not valid: %(problems)s", problems="; ".join(problems))
