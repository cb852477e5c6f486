"""`inden keys`: API keys."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from inden.cli.common import run
from inden.services.keys import Role

keys_app = typer.Typer(help="API keys.", no_args_is_help=True)


@keys_app.command("create")
def keys_create(role: Annotated[Role, typer.Option(
        help="admin (everything), staff (the shop's daily work) or storefront (safe to embed in product pages).")]
                ) -> None:
    """Make an API key; it is printed once, alone on stdout."""
    from inden.services.keys import create_key

    key = run(lambda db: create_key(db, role))
    sys.stdout.write(key + "\n")


def register(app: typer.Typer) -> None:
    app.add_typer(keys_app, name="keys")
