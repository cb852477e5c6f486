"""`inden products` and `inden release`: the catalogue, planning inputs, pre-order launches."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from inden.cli.common import out, run, show, user_errors
from inden.db.session import Database
from inden.domain.policy import BackorderPolicy

products_app = typer.Typer(help="Products.", no_args_is_help=True)


@products_app.command("add")
def products_add(
    sku: str,
    name: str,
    policy: BackorderPolicy = BackorderPolicy.ALLOW,
    limit: Annotated[int | None, typer.Option(help="Most units that may wait on backorder.")] = None,
    lead_time_days: int = 14,
    price: str | None = None,
) -> None:
    """Create a product."""
    from inden.services.products import create_product
    from inden.services.schemas import ProductCreate

    show(run(lambda db: create_product(db, ProductCreate(
        sku=sku, name=name, backorder_policy=policy, backorder_limit=limit, lead_time_days=lead_time_days,
        price=price,
    ))))


@products_app.command("planning")
def products_planning(
    sku: str,
    category: str | None = None,
    service_level: Annotated[float | None, typer.Option(help="Target, e.g. 0.95 (else the shop's rule).")] = None,
    max_stock: Annotated[int | None, typer.Option(help="Storage room in units.")] = None,
    expected_daily: Annotated[float | None, typer.Option(help="Expected units/day while history is short.")] = None,
) -> None:
    """Set a product's planning inputs (only the options given change)."""
    from inden.services.products import update_product
    from inden.services.schemas import ProductPatch

    given = {"category": category, "service_level": service_level, "max_stock": max_stock,
             "expected_daily_demand": expected_daily}
    with user_errors():
        patch = ProductPatch.model_validate({k: v for k, v in given.items() if v is not None})
    show(run(lambda db: update_product(db, sku, patch)))


@products_app.command("list")
def products_list() -> None:
    """Products with their stock."""
    from inden.services.products import list_products

    def collect(db: Database) -> list[Any]:
        items, cursor = [], None
        while True:
            page = list_products(db, cursor=cursor, limit=1000)
            items += page.items
            if not (cursor := page.next_cursor):
                return items

    table = Table("SKU", "Name", "Policy", "On hand", "Allocated", "Available", "Backordered")
    for p in run(collect):
        s = p.stock
        table.add_row(p.sku, p.name, p.backorder_policy.value, str(s.on_hand), str(s.allocated), str(s.available),
                      str(s.backordered))
    out.print(table)


@products_app.command("show")
def products_show(sku: str) -> None:
    """One product as JSON."""
    from inden.services.products import get_product

    show(run(lambda db: get_product(db, sku)))


def release(sku: str) -> None:
    """Launch a pre-order product today: stock on hand serves the waiting pre-orders in order."""
    from inden.services.preorders import release as release_sku

    out.print(f"{run(lambda db: release_sku(db, sku))} unit(s) allocated to pre-orders of {sku}")


def register(app: typer.Typer) -> None:
    app.add_typer(products_app, name="products")
    app.command()(release)
