"""`inden serve` and `inden db`: run the HTTP API, bring the schema up to date."""

from __future__ import annotations

from typing import Annotated

import typer

from inden.cli.common import fail, open_db, out
from inden.config import get_settings
from inden.db import migrate
from inden.db.session import Database

db_app = typer.Typer(help="Database schema.", no_args_is_help=True)


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes (PostgreSQL only).")] = 1,
) -> None:
    """Run the HTTP API (docs at /docs)."""
    import uvicorn

    db = open_db()
    if db.is_sqlite and workers > 1:
        fail("SQLite serves from one process; use --workers 1, or PostgreSQL for several workers.")
    db.dispose()
    out.print(f"inden API on http://{host}:{port} (docs: /docs)")
    uvicorn.run("inden.api.app:create_app", factory=True, host=host, port=port, workers=workers,
                log_level="warning", access_log=False)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Bring the database schema up to date (Alembic migrations)."""
    db = Database(get_settings().database_url)
    migrate.upgrade(db.engine)
    out.print(f"database at revision {migrate.current_revision(db.engine)}")


def register(app: typer.Typer) -> None:
    app.command()(serve)
    app.add_typer(db_app, name="db")
