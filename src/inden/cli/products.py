"""`inden products` and `inden release`: the catalogue, planning inputs, pre-order launches."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from inden.cli.common import (
    JsonOption,
    _,
    answer,
    money,
    optional_day,
    print_table,
    run,
    say,
    show,
    table,
    user_errors,
)
from inden.cli.words import policy as policy_words
from inden.cli.words import units
from inden.db.session import Database
from inden.domain.policy import BackorderPolicy
from inden.services.schemas.products import ProductOut

products_app = typer.Typer(help="Products: add, list, show, planning inputs.", no_args_is_help=True)


def _stock_sentence(product: ProductOut) -> str:
    s = product.stock
    return _("on hand %(on_hand)s, available %(available)s, on backorder %(backordered)s, incoming %(incoming)s",
             on_hand=s.on_hand, available=s.available, backordered=s.backordered, incoming=s.incoming)


@products_app.command("add")
def products_add(
    sku: Annotated[str, typer.Argument(help="Your code for it: letters, digits, '.', '_', '-' (at most 64).")],
    name: Annotated[str, typer.Argument(help="The name shoppers see.")],
    policy: Annotated[BackorderPolicy, typer.Option(
        help="When out of stock: allow (take the order, it waits), deny (refuse) or preorder (sell before a "
             "launch date).")] = BackorderPolicy.ALLOW,
    release_at: Annotated[str | None, typer.Option(
        "--release-at", metavar="YYYY-MM-DD",
        help="Launch date of a pre-order; on that day `inden worker` serves the waiting pre-orders.")] = None,
    limit: Annotated[int | None, typer.Option(help="Most units that may wait on backorder.")] = None,
    lead_time_days: Annotated[int, typer.Option(help="Days a restock usually takes (without a supplier offer).")
                              ] = 14,
    price: Annotated[str | None, typer.Option(help="Price in the shop's currency, e.g. 75000.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Add a product to the catalogue."""
    from inden.services.products import create_product
    from inden.services.schemas.products import ProductCreate

    launch = optional_day(release_at)
    with user_errors():
        spec = ProductCreate.model_validate({
            "sku": sku, "name": name, "backorder_policy": policy, "backorder_limit": limit, "release_at": launch,
            "lead_time_days": lead_time_days, "price": price})
    product = run(lambda db: create_product(db, spec))
    details = [product.name, *([money(product.price)] if product.price is not None else []), policy_words(product)]
    answer(product, lambda: _("Product %(sku)s added: %(details)s.", sku=product.sku, details=", ".join(details)),
           as_json=as_json)


@products_app.command("planning")
def products_planning(
    sku: Annotated[str, typer.Argument(help="The product's SKU.")],
    category: Annotated[str | None, typer.Option(help="Group for forecasts of new products.")] = None,
    service_level: Annotated[float | None, typer.Option(help="Target, e.g. 0.95 (else the shop's rule).")] = None,
    max_stock: Annotated[int | None, typer.Option(help="Storage room in units.")] = None,
    expected_daily: Annotated[float | None, typer.Option(help="Expected units/day while history is short.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Set a product's planning inputs (only the options given change)."""
    from inden.services.products import update_product
    from inden.services.schemas.products import ProductPatch

    given = {"category": category, "service_level": service_level, "max_stock": max_stock,
             "expected_daily_demand": expected_daily}
    with user_errors():
        patch = ProductPatch.model_validate({k: v for k, v in given.items() if v is not None})
    product = run(lambda db: update_product(db, sku, patch))
    answer(product, lambda: _("Planning inputs of %(sku)s saved.", sku=product.sku), as_json=as_json)


@products_app.command("list")
def products_list(as_json: JsonOption = False) -> None:
    """Products with their stock."""
    from inden.services.products import list_products

    def collect(db: Database) -> list[Any]:
        items, cursor = [], None
        while True:
            page = list_products(db, cursor=cursor, limit=1000)
            items += page.items
            if not (cursor := page.next_cursor):
                return items

    products = run(collect)
    if as_json:
        show(products)
        return
    if not products:
        say(_("No products yet: add one with `inden products add SKU NAME`."))
        return
    grid = table(_("SKU"), _("Name"), _("Price"), _("On hand"), _("Available"), _("Backorder"))
    for p in products:
        s = p.stock
        grid.add_row(p.sku, p.name, money(p.price), str(s.on_hand), str(s.available), str(s.backordered))
    print_table(grid)


@products_app.command("show")
def products_show(sku: Annotated[str, typer.Argument(help="The product's SKU.")], as_json: JsonOption = False
                  ) -> None:
    """One product: price, policy and stock."""
    from inden.services.products import get_product

    product = run(lambda db: get_product(db, sku))
    answer(product, lambda: f"{product.sku} — {product.name}: {money(product.price)}, {policy_words(product)}; "
                            f"{_stock_sentence(product)}.", as_json=as_json)


def release(sku: Annotated[str, typer.Argument(help="The pre-order product's SKU.")],
            as_json: JsonOption = False) -> None:
    """Launch a pre-order product today: stock on hand serves the waiting pre-orders in order."""
    from inden.services.preorders import release as release_sku

    allocated = run(lambda db: release_sku(db, sku))
    answer({"sku": sku, "allocated": allocated},
           lambda: _("%(sku)s launched: %(units)s allocated to waiting pre-orders.", sku=sku,
                     units=units(allocated)), as_json=as_json)


def register(app: typer.Typer) -> None:
    app.add_typer(products_app, name="products")
    app.command()(release)
