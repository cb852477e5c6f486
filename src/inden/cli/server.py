"""`inden serve` and `inden db`: run the HTTP API, bring the schema up to date."""

from __future__ import annotations

import os
import shutil
import tempfile
from typing import Annotated

import typer

from inden.cli.common import _, configured_database, fail, open_db, say
from inden.config import get_settings
from inden.db import migrate

db_app = typer.Typer(help="Database schema.", no_args_is_help=True)


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on (0.0.0.0: every interface).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes (PostgreSQL only).")] = 1,
) -> None:
    """Run the HTTP API (docs at /docs) until stopped with Ctrl-C; it keeps the terminal."""
    import uvicorn

    db = open_db()
    if db.is_sqlite and workers > 1:
        fail(_("SQLite serves from one process; use --workers 1, or PostgreSQL for several workers."))
    db.dispose()
    say(_("inden on %(url)s — back office: %(url)s/, API docs: %(url)s/docs; Ctrl-C stops it.", url=f"http://{host}:{port}"))
    # Several processes: their request metrics go to files in a directory of this run, which /metrics adds up.
    metrics_dir = None
    if workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        metrics_dir = os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="inden-metrics-")
    try:
        uvicorn.run("inden.api.app:create_app", factory=True, host=host, port=port, workers=workers,
                    log_level="warning", access_log=False)
    finally:
        if metrics_dir:
            shutil.rmtree(metrics_dir, ignore_errors=True)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Bring the database schema up to date (Alembic migrations)."""
    db = configured_database(get_settings())
    before = migrate.current_revision(db.engine)
    migrate.upgrade(db.engine)
    after = migrate.current_revision(db.engine)
    if before is None:
        say(_("Database schema created (revision %(revision)s).", revision=after))
    elif before != after:
        say(_("Database schema upgraded from revision %(before)s to %(after)s.", before=before, after=after))
    else:
        say(_("Database schema already up to date (revision %(revision)s).", revision=after))


def register(app: typer.Typer) -> None:
    app.command()(serve)
    app.add_typer(db_app, name="db")
