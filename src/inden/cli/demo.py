"""`inden demo`: a small Indonesian shop and a flash sale against the real API."""

from __future__ import annotations

from typing import Annotated

import typer

from inden.cli.common import out, user_errors


def demo(
    db_path: Annotated[str, typer.Option("--db", help="SQLite file to (re)create.")] = "inden-demo.db",
    orders: Annotated[int, typer.Option(min=1, max=100_000)] = 2000,
    units: Annotated[int, typer.Option(min=1, max=1_000_000)] = 300,
    clients: Annotated[int, typer.Option(min=1, max=256)] = 32,
) -> None:
    """Build a small Indonesian shop in a fresh SQLite file and run a flash sale against the real API."""
    from inden.demo import run_demo

    with user_errors():
        ok = run_demo(out, db_path=db_path, orders=orders, units=units, clients=clients)
    if not ok:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command()(demo)
