"""Storefront commands of `inden`: what a product page says, best-seller labels, back-in-stock sign-ups."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from inden.cli.common import out, run, show, user_errors
from inden.services.schemas import MAX_UNITS, Locale, SubscriptionCreate

subscriptions_app = typer.Typer(help="Back-in-stock sign-ups.", no_args_is_help=True)


def availability(
    sku: str,
    quantity: Annotated[int, typer.Option(min=1, max=MAX_UNITS)] = 1,
    locale: Annotated[Locale | None, typer.Option(help="id or en (default: the shop's).")] = None,
    json: Annotated[bool, typer.Option("--json", help="The API's JSON instead of a sentence.")] = False,
) -> None:
    """What the product page says for SKU: status, ship date, labels and the sentence shoppers read."""
    from inden.services.storefront import availability as availability_of

    answer = run(lambda db: availability_of(db, sku, quantity=quantity, locale=locale))
    if json:
        show(answer)
        return
    badges = f" [{', '.join(answer.label_texts)}]" if answer.label_texts else ""
    out.print(f"{answer.sku}: {answer.message}{badges}", highlight=False)


def best_sellers() -> None:
    """Rank products by recent demand and store the best-seller label (the worker does it every hour)."""
    from inden.services.storefront import refresh_best_sellers

    chosen = run(lambda db: refresh_best_sellers(db))
    out.print(f"{len(chosen)} best seller(s): {', '.join(sorted(chosen)) or '-'}", highlight=False)


@subscriptions_app.command("add")
def add_subscription(sku: str, email: str, locale: Annotated[Locale, typer.Option()] = "id") -> None:
    """Sign EMAIL up for SKU's back-in-stock email (they still confirm it from the email they get)."""
    from inden.services.subscriptions import subscribe

    with user_errors():
        request = SubscriptionCreate(sku=sku, email=email, locale=locale)
    answer = run(lambda db: subscribe(db, request))
    out.print(answer.message, highlight=False)


@subscriptions_app.command("list")
def list_subscriptions(sku: Annotated[str | None, typer.Option(help="Only this SKU.")] = None) -> None:
    """Sign-ups per SKU and state (pending, confirmed, notified, unsubscribed)."""
    from inden.services.subscriptions import SubscriptionStatus, count_subscriptions

    counts = run(lambda db: count_subscriptions(db, sku=sku))
    statuses = [s.value for s in SubscriptionStatus]
    table = Table("SKU", *statuses)
    for row_sku, by_status in sorted(counts.items()):
        table.add_row(row_sku, *(str(by_status.get(status, 0)) for status in statuses))
    out.print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(subscriptions_app, name="subscriptions")
    app.command()(availability)
    app.command("best-sellers")(best_sellers)
