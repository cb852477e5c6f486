"""`inden import`: bring sales history in from elsewhere."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from inden.cli.common import JsonOption, _, answer, read_text_file, run, working

import_app = typer.Typer(help="Bring data in from elsewhere.", no_args_is_help=True)


@import_app.command("sales")
def import_sales(
    file: Annotated[Path, typer.Argument(help="CSV with columns date, sku, quantity[, price].")],
    create_products: Annotated[bool, typer.Option(help="Add SKUs the shop does not have yet.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Import daily sales history; every row is checked first and nothing is written if one is bad."""
    from inden.services.sales_import import import_sales as import_file

    text = read_text_file(file)
    with working(_("Importing %(file)s …", file=file.name)):
        result = run(lambda db: import_file(db, text, create_products=create_products))
    answer(result, lambda: _("Imported %(rows)s row(s): %(days)s SKU-day(s) for %(skus)s SKU(s).", rows=result.rows,
                             days=result.days, skus=result.skus)
           + (" " + _("New products: %(skus)s.", skus=", ".join(result.created_products))
              if result.created_products else ""), as_json=as_json)


def register(app: typer.Typer) -> None:
    app.add_typer(import_app, name="import")
