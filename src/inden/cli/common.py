"""What every `inden` command shares: the consoles, the one error mapping, opening the database, parsing."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from pydantic import BaseModel, ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from inden.config import get_settings
from inden.db import migrate
from inden.db.session import Database
from inden.domain.errors import DomainError

out = Console(width=None if sys.stdout.isatty() else 120)
# Messages to a pipe or a log are never wrapped: a wrapped `inden db upgrade` is not a command one can copy.
err = Console(stderr=True, soft_wrap=not sys.stderr.isatty())

LinesOption = Annotated[list[str], typer.Option("--line", help="SKU:QUANTITY, repeatable.")]


class Format(StrEnum):
    TABLE = "table"
    CSV = "csv"
    JSON = "json"


def fail(message: str) -> NoReturn:
    """User errors: a clear message on stderr and exit code 2."""
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(2)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn domain and validation errors into CLI messages (exit 2) — the CLI's one error mapping."""
    try:
        yield
    except DomainError as error:
        fail(f"{error.message}" + (f" ({error.code})" if error.code != "validation_error" else ""))
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'value'}: {e['msg']}" for e in error.errors()
        )
        fail(f"invalid input: {problems}")


def open_db(*, migrate_sqlite: bool = True) -> Database:
    """The configured database, ready to use. The SQLite default is migrated on the spot; any other
    database must be migrated explicitly, and we say how."""
    db = Database(get_settings().database_url)
    if migrate.is_up_to_date(db.engine):
        return db
    if db.is_sqlite and migrate_sqlite:
        migrate.upgrade(db.engine)
        return db
    fail(f"the database at {db.engine.url.render_as_string(hide_password=True)} is not migrated. "
         "Run `inden db upgrade` first.")


def run(action: Callable[[Database], Any]) -> Any:
    """Run `action` against the configured database, mapping user errors to messages (exit 2)."""
    with user_errors():
        db = open_db()
        try:
            return action(db)
        finally:
            db.dispose()


def show(model: BaseModel | dict[str, Any]) -> None:
    """A service's answer as JSON on stdout."""
    data = model.model_dump(mode="json") if isinstance(model, BaseModel) else model
    out.print_json(json.dumps(data, ensure_ascii=False))


def parse_lines(specs: list[str]) -> list[dict[str, Any]]:
    """`SKU:QUANTITY` options as order lines; a malformed one is a user error."""
    lines = []
    for spec in specs:
        sku, sep, quantity = spec.rpartition(":")
        if not sep or not quantity.lstrip("-").isdigit():
            fail(f"line {spec!r} must look like SKU:QUANTITY, e.g. KAOS-HITAM-M:2")
        lines.append({"sku": sku, "quantity": int(quantity)})
    return lines


def read_text_file(path: Path) -> str:
    """A UTF-8 file given on the command line (a BOM is tolerated); unreadable is a user error."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        fail(f"cannot read {path}: {error}")


def write_csv(rows: list[dict[str, Any]], target: Path | None) -> None:
    """Rows as CSV to a file, or to stdout when `target` is None."""
    buffer = io.StringIO()
    if rows:
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    if target is None:
        sys.stdout.write(buffer.getvalue())
    else:
        target.write_text(buffer.getvalue(), encoding="utf-8")
        err.print(f"wrote {len(rows)} row(s) to {target}")


@contextmanager
def progress_bar() -> Iterator[Any]:
    """A progress callback `(stage, done, total)` drawing a bar on stderr."""
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, transient=True) as bar:
        tasks: dict[str, Any] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield update
