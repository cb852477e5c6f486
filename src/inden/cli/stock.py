"""`inden stock`: count stock in or out."""

from __future__ import annotations

from typing import Annotated

import typer

from inden.cli.common import JsonOption, _, answer, run, user_errors

stock_app = typer.Typer(help="Stock movements.", no_args_is_help=True)


@stock_app.command("adjust", context_settings={"ignore_unknown_options": True})  # lets "-5" be a delta
def stock_adjust(
    sku: Annotated[str, typer.Argument(help="The product's SKU.")],
    delta: Annotated[int, typer.Argument(help="Units in (positive) or out (negative).")],
    reason: Annotated[str | None, typer.Option(help="Why, e.g. 'stock count' (default: a manual adjustment).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Count stock in or out; units counted in serve waiting backorders first."""
    from inden.services.schemas.products import StockAdjustment
    from inden.services.stock import adjust_stock

    with user_errors():
        adjustment = StockAdjustment(delta=delta, reason=_("manual adjustment") if reason is None else reason)
    s = run(lambda db: adjust_stock(db, sku, adjustment))
    answer(s, lambda: _("Stock of %(sku)s %(delta)s: on hand %(on_hand)s, available %(available)s, "
                        "still on backorder %(backordered)s.", sku=sku, delta=f"{delta:+d}", on_hand=s.on_hand,
                        available=s.available, backordered=s.backordered), as_json=as_json)


def register(app: typer.Typer) -> None:
    app.add_typer(stock_app, name="stock")
