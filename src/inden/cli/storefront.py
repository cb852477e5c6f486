"""Storefront commands of `inden`: what a product page says, best-seller labels, back-in-stock sign-ups."""

from __future__ import annotations

from typing import Annotated

import typer

from inden.cli.common import JsonOption, _, answer, moment, number, print_table, run, say, show, table, user_errors
from inden.i18n import N_
from inden.services.schemas.common import MAX_UNITS, Locale
from inden.services.schemas.storefront import SubscriptionCreate

subscriptions_app = typer.Typer(help="Back-in-stock sign-ups.", no_args_is_help=True)
SIGN_UP_STATES = {"pending": N_("pending"), "confirmed": N_("confirmed"), "notified": N_("notified"),
                  "unsubscribed": N_("unsubscribed")}


def availability(
    sku: Annotated[str, typer.Argument(help="The product's SKU.")],
    quantity: Annotated[int, typer.Option(min=1, max=MAX_UNITS, help="Units a shopper would buy.")] = 1,
    locale: Annotated[Locale | None, typer.Option(help="The shopper's language, id or en (default: the shop's).")
                      ] = None,
    as_json: JsonOption = False,
) -> None:
    """What the product page says for SKU: status, ship date, labels and the sentence shoppers read."""
    from inden.services.storefront import availability as availability_of

    found = run(lambda db: availability_of(db, sku, quantity=quantity, locale=locale))
    badges = f" [{', '.join(found.label_texts)}]" if found.label_texts else ""
    answer(found, lambda: f"{found.sku}: {found.message}{badges}", as_json=as_json)


def best_sellers(as_json: JsonOption = False) -> None:
    """Rank products by recent demand and store the best-seller label (the worker does it every hour)."""
    from inden.services.storefront import refresh_best_sellers

    chosen = sorted(run(lambda db: refresh_best_sellers(db)))
    answer(chosen, lambda: _("%(count)s best seller(s): %(skus)s", count=len(chosen), skus=", ".join(chosen) or "–"),
           as_json=as_json)


@subscriptions_app.command("add")
def add_subscription(
    sku: Annotated[str, typer.Argument(help="The product's SKU.")],
    email: Annotated[str, typer.Argument(help="The shopper's email.")],
    locale: Annotated[Locale, typer.Option(help="The shopper's language for the emails: id or en.")] = "id",
    as_json: JsonOption = False,
) -> None:
    """Sign EMAIL up for SKU's back-in-stock email (they still confirm it from the email they get)."""
    from inden.services.subscriptions import subscribe

    with user_errors():
        request = SubscriptionCreate.model_validate({"sku": sku, "email": email, "locale": locale})
    accepted = run(lambda db: subscribe(db, request))
    answer(accepted, lambda: accepted.message, as_json=as_json)


@subscriptions_app.command("list")
def list_subscriptions(sku: Annotated[str | None, typer.Option(help="Only this SKU.")] = None,
                       as_json: JsonOption = False) -> None:
    """Sign-ups per SKU and state (pending, confirmed, notified, unsubscribed)."""
    from inden.domain.states import SubscriptionStatus
    from inden.services.subscriptions import count_subscriptions

    counts = run(lambda db: count_subscriptions(db, sku=sku))
    if as_json:
        show(counts)
        return
    if not counts:
        say(_("Nobody has signed up for a back-in-stock email yet."))
        return
    statuses = [s.value for s in SubscriptionStatus]
    grid = table(_("SKU"), *(_(SIGN_UP_STATES[s]) if s in SIGN_UP_STATES else s for s in statuses))
    for row_sku, by_status in sorted(counts.items()):
        grid.add_row(row_sku, *(str(by_status.get(status, 0)) for status in statuses))
    print_table(grid)


@subscriptions_app.command("waves")
def list_waves(sku: Annotated[str, typer.Argument(help="The product's SKU.")], as_json: JsonOption = False) -> None:
    """A product's back-in-stock waves: sign-ups waiting, told, and how many of those bought within 24 hours."""
    from inden.services.subscriptions import sign_up_waves

    waves = run(lambda db: sign_up_waves(db, sku))
    if as_json:
        show(waves)
        return
    rate = "–" if waves.conversion is None else f"{waves.conversion:.0%}"
    say(_("%(sku)s: %(waiting)s sign-up(s) waiting; conversion %(rate)s (%(bought)s of %(told)s told bought within "
          "24 hours); next wave tells %(factor)s per unit on sale.", sku=waves.sku, waiting=waves.waiting, rate=rate,
          bought=waves.bought, told=waves.told, factor=number(waves.factor, digits=1)))
    if waves.waves:
        grid = table(_("Sent"), _("Units on sale"), _("Told"), _("Bought"))
        for wave in waves.waves:
            grid.add_row(moment(wave.sent_at), str(wave.units_on_sale), f"{wave.told}/{wave.size}",
                         "–" if wave.bought is None else str(wave.bought))
        print_table(grid)


def register(app: typer.Typer) -> None:
    app.add_typer(subscriptions_app, name="subscriptions")
    app.command()(availability)
    app.command("best-sellers")(best_sellers)
