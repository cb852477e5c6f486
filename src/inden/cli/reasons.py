"""The plan's reasons (English sentences from `inden.planning`, kept English in CSV and the API) in the shop's
language for the `inden plan` table. A reason is `; `-separated parts; each part that matches a template below
is translated with its values (day counts and money re-formatted), any other part is shown as it is."""

from __future__ import annotations

import re
from decimal import Decimal

from inden.cli.common import _, money, shop_locale
from inden.cli.errors import match_template
from inden.i18n import N_, translate

TEMPLATES = (
    N_("inventory position %(position)s is at or below the reorder point %(rop)s, but no supplier offers this "
       "SKU: add an offer to get a suggestion"),
    N_("inventory position %(position)s is at or below the reorder point %(rop)s (%(demand)s expected over "
       "%(lead)s days + %(safety)s safety stock)"),
    N_("%(count)s unit(s) wait on backorder"),
    N_("reorder point capped at %(rop)s: the most sold in any %(days)s days of the last year, planned events "
       "included"),
    N_("%(shoppers)s shopper(s) signed up while out of stock: about %(units)s unit(s) of demand the sales did "
       "not show"),
    N_("covers planned event(s): %(events)s"),
    N_("no storage room for the supplier's minimum order (max stock reached)"),
    N_("Customers are waiting: expedite from %(supplier)s, the fastest reliable supplier (arrives within "
       "%(days)s), %(saved)s sooner than the cheaper %(cheaper)s"),
    N_("Customers are waiting: expedite from %(supplier)s, the fastest reliable supplier (arrives within "
       "%(days)s)"),
    N_("%(supplier)s is the cheapest supplier that reliably arrives in time (%(days)s, needed within %(need)s)"),
    N_("%(other)s would save %(amount)s but could be %(late)s late (its deliveries run up to %(p90)s behind)"),
    N_("%(other)s would save %(amount)s but could be %(late)s late"),
    N_("No supplier arrives within %(need)s"),
    N_("%(supplier)s is the fastest (%(late)s late)"),
    N_("%(supplier)s is %(late)s late but costs %(amount)s less than the faster %(fastest)s, lateness included"),
)
DAYS = re.compile(r"^(\d+) days?$")


def _value(name: str, value: str) -> str:
    if days := DAYS.match(value):
        count = int(days[1])
        return _("%(count)s day", count=count) if count == 1 else _("%(count)s days", count=count)
    if name == "amount":
        return money(Decimal(value.replace(",", "")))
    return value


def translate_reason(reason: str) -> str:
    """`reason` in the shop's language, part by part."""
    parts = []
    for part in reason.split("; "):
        text, stop = (part[:-1], ".") if part.endswith(".") else (part, "")
        matched = match_template(text, TEMPLATES)
        if matched is None:
            parts.append(part)
            continue
        template, values = matched
        parts.append(translate(shop_locale(), template, **{k: _value(k, v) for k, v in values.items()}) + stop)
    return "; ".join(parts)
