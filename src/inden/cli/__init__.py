"""The `inden` command, built from one module per area; each area registers its commands here, explicitly.

No area module imports this package back: shared helpers live in `inden.cli.common`.
"""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperOption

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
    whatsapp,
    worker,
)
from inden.cli.language import ShopLanguageGroup

AREAS = (server, keys, products, stock, orders, audit, demo, supply, worker, analytics, delivery, storefront,
         webhooks, sales, events, planning, simulation, users, whatsapp)


def _quiet_types() -> None:
    """Help shows no `<bool>` after flags and no `<list[str]>` after repeatable options: typer prints the
    Python type of every option, which is noise for a seller (typed values keep their metavar or type)."""
    original = TyperOption.display_type_rich
    if getattr(original, "quiet", False):
        return

    def display(self: TyperOption, ctx: Any) -> str | None:
        if self.is_flag:
            return None
        shown = original(self, ctx)
        return shown.replace("<list[", "<").replace("]>", ">") if shown else shown

    display.quiet = True  # type: ignore[attr-defined]
    TyperOption.display_type_rich = display  # type: ignore[method-assign]


def build_app() -> typer.Typer:
    """The `inden` Typer application with every area's commands."""
    _quiet_types()
    app = typer.Typer(help="inden — keep selling when stock runs out.", no_args_is_help=True, add_completion=False,
                      cls=ShopLanguageGroup)
    for area in AREAS:
        area.register(app)
    return app


app = build_app()
