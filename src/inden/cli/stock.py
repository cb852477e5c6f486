"""`inden stock`: count stock in or out."""

from __future__ import annotations

from typing import Annotated

import typer

from inden.cli.common import run, show

stock_app = typer.Typer(help="Stock movements.", no_args_is_help=True)


@stock_app.command("adjust", context_settings={"ignore_unknown_options": True})  # lets "-5" be a delta
def stock_adjust(
    sku: str,
    delta: Annotated[int, typer.Argument(help="Units in (positive) or out (negative).")],
    reason: Annotated[str, typer.Option(help="Why, e.g. 'stock count'.")] = "manual adjustment",
) -> None:
    """Count stock in or out; units counted in serve waiting backorders first."""
    from inden.services.schemas import StockAdjustment
    from inden.services.stock import adjust_stock

    show(run(lambda db: adjust_stock(db, sku, StockAdjustment(delta=delta, reason=reason))))


def register(app: typer.Typer) -> None:
    app.add_typer(stock_app, name="stock")
