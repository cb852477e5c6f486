"""`inden demo`: a small Indonesian shop and a flash sale against the real API."""

from __future__ import annotations

from typing import Annotated

import typer

from inden.cli.common import out, progress_bar, user_errors


def demo(
    db_path: Annotated[str, typer.Option("--db", help="SQLite file to (re)create.")] = "inden-demo.db",
    orders: Annotated[int, typer.Option(min=1, max=100_000, help="Orders in the flash sale.")] = 2000,
    units: Annotated[int, typer.Option(min=1, max=1_000_000, help="Units of the flash-sale serum in stock.")
                     ] = 300,
    clients: Annotated[int, typer.Option(min=1, max=256, help="Shoppers ordering at the same time.")] = 32,
) -> None:
    """Build a small Indonesian shop in a fresh SQLite file and run a flash sale against the real API
    (in the shop's language, INDEN_DEFAULT_LOCALE)."""
    from inden.cli.demo_shop import run_demo

    with user_errors(), progress_bar() as progress:
        ok = run_demo(out, db_path=db_path, orders=orders, units=units, clients=clients, progress=progress)
    if not ok:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command()(demo)
