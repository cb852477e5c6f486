"""`inden orders` and `inden backorders`: place, look at, cancel and ship orders; the waiting queue."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from inden.cli.common import LinesOption, out, parse_lines, run, show
from inden.domain.orders import Fulfilment

orders_app = typer.Typer(help="Orders.", no_args_is_help=True)


@orders_app.command("place")
def orders_place(
    email: Annotated[str, typer.Option(help="Customer email.")],
    line: LinesOption,
    name: str | None = None,
    locale: str = "id",
    priority: int = 0,
    fulfilment: Fulfilment = Fulfilment.PARTIAL,
) -> None:
    """Place an order; what is not in stock waits on backorder (or is refused under `deny`)."""
    from inden.services.orders import place_order
    from inden.services.schemas import OrderCreate

    show(run(lambda db: place_order(db, OrderCreate.model_validate({
        "customer": {"email": email, "name": name, "locale": locale}, "lines": parse_lines(line),
        "priority": priority, "fulfilment": fulfilment,
    }))))


@orders_app.command("show")
def orders_show(order_id: int) -> None:
    """One order as JSON."""
    from inden.services.order_views import get_order

    show(run(lambda db: get_order(db, order_id)))


@orders_app.command("cancel")
def orders_cancel(order_id: int, line: LinesOption | None = None) -> None:
    """Cancel units (all open units without --line); freed units go to the next waiting backorders."""
    from inden.services.orders import cancel_order
    from inden.services.schemas import LineSelection

    show(run(lambda db: cancel_order(
        db, order_id, LineSelection.model_validate({"lines": parse_lines(line) if line else None}).lines
    )))


@orders_app.command("ship")
def orders_ship(order_id: int, line: LinesOption | None = None) -> None:
    """Ship allocated units (all of them without --line)."""
    from inden.services.orders import ship_order
    from inden.services.schemas import LineSelection

    show(run(lambda db: ship_order(
        db, order_id, LineSelection.model_validate({"lines": parse_lines(line) if line else None}).lines
    )))


def backorders(sku: str | None = None, limit: int = 50) -> None:
    """The backorder queue in allocation order."""
    from inden.services.order_views import list_backorders

    page = run(lambda db: list_backorders(db, sku=sku, limit=limit))
    table = Table("SKU", "Position", "Order", "Quantity", "Waiting since (UTC)")
    for b in page.items:
        table.add_row(b.sku, str(b.position), str(b.order_id), str(b.quantity), f"{b.created_at:%Y-%m-%d %H:%M:%S}")
    out.print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(orders_app, name="orders")
    app.command()(backorders)
