"""`inden keys`: API keys."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from inden.cli.common import (
    JsonOption,
    _,
    answer,
    day,
    print_table,
    record_id,
    run,
    say,
    show,
    table,
)
from inden.db.session import Database
from inden.services.keys import KeyRow, Role

keys_app = typer.Typer(help="API keys.", no_args_is_help=True)


@keys_app.command("create")
def keys_create(role: Annotated[Role, typer.Option(
        help="admin (everything), staff (the shop's daily work) or storefront (safe to embed in product pages).")]
                ) -> None:
    """Make an API key; it is printed once, alone on stdout."""
    from inden.services.keys import create_key

    key = run(lambda db: create_key(db, role))
    sys.stdout.write(key + "\n")


@keys_app.command("list")
def keys_list(as_json: JsonOption = False) -> None:
    """Every key (never the key itself): id, role, its first characters, when made and revoked."""
    from inden.services.keys import list_keys
    from inden.services.schemas.keys import KeyOut

    rows = run(list_keys)
    if as_json:
        show([KeyOut(id=k.id, role=k.role, prefix=k.prefix, created_at=k.created_at, revoked_at=k.revoked_at)
              for k in rows])
        return
    if not rows:
        say(_("No API keys yet: make one with `inden keys create --role ROLE`."))
        return
    grid = table(_("id"), _("role"), _("key starts with"), _("made"), _("revoked"))
    for k in rows:
        grid.add_row(str(k.id), k.role.value, k.prefix + "…", day(k.created_at.date()),
                     day(k.revoked_at.date()) if k.revoked_at else "–")
    print_table(grid)


@keys_app.command("revoke")
def keys_revoke(key_id: Annotated[int, typer.Argument(
        callback=record_id, help="The key's id (see `inden keys list`).")], as_json: JsonOption = False) -> None:
    """Revoke a key: requests with it are refused (401) from now on (a running server within seconds)."""
    from inden.services.keys import list_keys, revoke_key

    def revoke(db: Database) -> KeyRow:
        revoke_key(db, key_id)
        return next(k for k in list_keys(db) if k.id == key_id)

    row = run(revoke)
    answer({"id": row.id, "role": row.role.value, "prefix": row.prefix, "revoked": True},
           lambda: _("Key %(id)s (%(prefix)s…, %(role)s) is revoked.", id=row.id, prefix=row.prefix,
                     role=row.role.value), as_json=as_json)


def register(app: typer.Typer) -> None:
    app.add_typer(keys_app, name="keys")
