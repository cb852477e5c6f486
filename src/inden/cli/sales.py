"""`inden import`: bring sales history in from elsewhere."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from inden.cli.common import out, read_text_file, run

import_app = typer.Typer(help="Bring data in from elsewhere.", no_args_is_help=True)


@import_app.command("sales")
def import_sales(
    file: Annotated[Path, typer.Argument(help="CSV with columns date, sku, quantity[, price].")],
    create_products: Annotated[bool, typer.Option(help="Add SKUs the shop does not have yet.")] = False,
) -> None:
    """Import daily sales history; every row is checked first and nothing is written if one is bad."""
    from inden.services.sales_import import import_sales as import_file

    text = read_text_file(file)
    result = run(lambda db: import_file(db, text, create_products=create_products))
    out.print(f"imported {result.rows} row(s): {result.days} SKU-day(s) for {result.skus} SKU(s)"
              + (f"; new products: {', '.join(result.created_products)}" if result.created_products else ""))


def register(app: typer.Typer) -> None:
    app.add_typer(import_app, name="import")
