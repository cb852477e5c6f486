"""The `inden` command, built from one module per area; each area registers its commands here, explicitly.

No area module imports this package back: shared helpers live in `inden.cli.common`.
"""

from __future__ import annotations

import typer

from inden.cli import (
    analytics,
    audit,
    delivery,
    demo,
    events,
    keys,
    orders,
    planning,
    products,
    sales,
    server,
    simulation,
    stock,
    storefront,
    supply,
    users,
    webhooks,
    worker,
)

AREAS = (server, keys, products, stock, orders, audit, demo, supply, worker, analytics, delivery, storefront,
         webhooks, sales, events, planning, simulation, users)


def build_app() -> typer.Typer:
    """The `inden` Typer application with every area's commands."""
    app = typer.Typer(help="inden — keep selling when stock runs out.", no_args_is_help=True, add_completion=False)
    for area in AREAS:
        area.register(app)
    return app


app = build_app()
