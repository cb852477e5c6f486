"""What every `inden` command shares: the consoles, the shop's language, the one error mapping, opening the
database, and parsing and showing what sellers type and read (lines, dates, money, times, tables)."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn
from zoneinfo import ZoneInfo

import typer
from babel.numbers import format_decimal, format_percent
from pydantic import BaseModel, ValidationError
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import make_url
from sqlalchemy.exc import ArgumentError, InterfaceError, NoSuchModuleError, OperationalError

from inden.cli.errors import domain_message, validation_message
from inden.clock import as_utc
from inden.config import Settings, get_settings
from inden.db import migrate
from inden.db.session import Database
from inden.domain.errors import DomainError
from inden.i18n import format_day, format_money, translate
from inden.services.schemas.common import MAX_ID

# Text to a pipe or a log is never wrapped (a wrapped `inden db upgrade` is not a command one can copy);
# tables take the terminal's width, or COLUMNS, or 80.
out = Console(soft_wrap=not sys.stdout.isatty())
err = Console(stderr=True, soft_wrap=not sys.stderr.isatty())

LinesOption = Annotated[list[str], typer.Option("--line", metavar="SKU:QTY",
                                                help="SKU and quantity, e.g. KOPI-GAYO-250:2 (repeat for more).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the API's JSON instead of a sentence (for scripts).")]
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class Format(StrEnum):
    TABLE = "table"
    CSV = "csv"
    JSON = "json"


def shop_locale() -> str:
    """The one language the CLI speaks: INDEN_DEFAULT_LOCALE (`id` or `en`)."""
    return get_settings().default_locale


def _(message: str, **params: object) -> str:
    """`message` (English; its id in cli.po) in the shop's language."""
    return translate(shop_locale(), message, **params)


def money(amount: Decimal | float | int | None, currency: str | None = None) -> str:
    """Money in the one format of inden (`Rp125.000`); `–` when there is none."""
    return "–" if amount is None else format_money(Decimal(str(amount)), shop_locale(), currency)


def percent(value: float | None, *, digits: int = 0) -> str:
    """A share as sellers read it in the shop's language (`50%`, `97,5%` in Indonesian); `–` when unknown."""
    if value is None or value != value:
        return "–"
    return format_percent(value, "#,##0" + ("." + "0" * digits if digits else "") + "%", locale=shop_locale())


def number(value: float, *, digits: int = 0) -> str:
    """A count or quantity with the shop language's separators (`12.500` in Indonesian, `12,500` in English)."""
    return format_decimal(value, "#,##0" + ("." + "0" * digits if digits else ""), locale=shop_locale())


def day(value: date | None) -> str:
    """A date as sellers read it (`14 Des 2026`); `–` when there is none."""
    return "–" if value is None else format_day(value, shop_locale())


def moment(value: datetime | None) -> str:
    """A stored moment in the shop's timezone, to the minute, its day as every other date reads (`12 Des 2026
    10:03`), never in UTC."""
    if value is None:
        return "–"
    local = as_utc(value).astimezone(ZoneInfo(get_settings().timezone))
    return f"{format_day(local.date(), shop_locale())} {local:%H:%M}"


def table(*columns: str, title: str | None = None) -> Table:
    """A table with light rules instead of boxes, so its columns get the room; print it with `print_table`."""
    return Table(*columns, title=title, box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1), collapse_padding=True)


def column_widths(cells: list[list[str]], *, room: int) -> list[int]:
    """Widths for columns of `cells` (header first) that fit `room` characters: each column starts as wide
    as its longest line and the one with the most to spare gives up a character until the whole fits,
    never narrower than its longest word (so a cell wraps between words, never inside one)."""
    widest = [max((len(line) for cell in column for line in cell.splitlines()), default=1) for column in cells]
    longest_word = [max((len(word) for cell in column for word in cell.split()), default=1) for column in cells]
    widths = list(widest)
    while sum(widths) > room:
        spare = [w - m for w, m in zip(widths, longest_word, strict=True)]
        most = max(range(len(widths)), key=spare.__getitem__)
        if spare[most] <= 0:
            break
        widths[most] -= 1
    return widths


def print_notes(notes: list[str]) -> None:
    """Long texts of a table's rows (reasons, errors) below it, numbered as the table refers to them."""
    for number, note in enumerate(notes, start=1):
        say(f"[{number}] {note}")


def note_mark(notes: list[str], text: str | None) -> str:
    """Keep `text` as the next note and return its mark for the table cell (`–` when there is none)."""
    if not text:
        return "–"
    notes.append(text)
    return f"[{len(notes)}]"


def print_table(grid: Table) -> None:
    """`grid` on stdout within the console's width (the terminal's, else COLUMNS, else 80)."""
    cells = [[str(column.header), *map(str, column.cells)] for column in grid.columns]
    room = out.size.width - 2 * len(grid.columns) - 1  # padding between columns and at the edges
    for column, width in zip(grid.columns, column_widths(cells, room=room), strict=True):
        column.width = width
    out.print(grid)


def fail(message: str) -> NoReturn:
    """User errors: a clear message on stderr and exit code 2."""
    err.print("[bold red]" + escape(_("error")) + ":[/] " + escape(message), highlight=False)
    raise typer.Exit(2)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn domain and validation errors into plain messages (exit 2) — the CLI's one error mapping."""
    try:
        yield
    except DomainError as error:
        fail(domain_message(error, shop_locale()))
    except ValidationError as error:
        fail(validation_message(error, shop_locale()))


def open_db(*, migrate_sqlite: bool = True, settings_update: Mapping[str, Any] | None = None) -> Database:
    """The configured database, ready to use. The SQLite default is migrated on the spot; any other
    database must be migrated explicitly, and we say how. `settings_update`: a command's options that
    override settings (e.g. `--cluster` for INDEN_PLANNING_CLUSTER), None ones left out."""
    settings = get_settings()
    if settings_update:
        settings = settings.model_copy(update={k: v for k, v in settings_update.items() if v is not None})
    db = configured_database(settings)
    if migrate.is_up_to_date(db.engine):
        return db
    if db.is_sqlite and migrate_sqlite:
        migrate.upgrade(db.engine)
        return db
    fail(_("the database at %(url)s is not migrated. Run `inden db upgrade` first.",
           url=db.engine.url.render_as_string(hide_password=True)))


def configured_database(settings: Settings) -> Database:
    """The database of INDEN_DATABASE_URL, connected once: a URL of no known kind, a server that does not answer
    or a SQLite file that cannot be made is a sentence (exit 2), not a traceback."""
    url = settings.database_url
    try:
        db = Database(url, settings=settings)
        with db.engine.connect():
            return db
    except (ArgumentError, NoSuchModuleError, OperationalError, InterfaceError):
        shown = url
        with suppress(ArgumentError):
            shown = make_url(url).render_as_string(hide_password=True)
        fail(_("cannot open the database %(url)s: check INDEN_DATABASE_URL (its form, e.g. "
               "sqlite:///inden.db or postgresql+psycopg://user@host/db; the server; the folder and its rights).",
               url=shown))


def run(action: Callable[[Database], Any], *, settings_update: Mapping[str, Any] | None = None) -> Any:
    """Run `action` against the configured database, mapping user errors to messages (exit 2)."""
    with user_errors():
        db = open_db(settings_update=settings_update)
        try:
            return action(db)
        finally:
            db.dispose()


def show(model: Any) -> None:
    """A service's answer as JSON on stdout (the API's field names)."""
    if isinstance(model, BaseModel):
        data: Any = model.model_dump(mode="json")
    elif dataclasses.is_dataclass(model) and not isinstance(model, type):
        data = dataclasses.asdict(model)
    elif isinstance(model, list):
        data = [m.model_dump(mode="json") if isinstance(m, BaseModel) else m for m in model]
    else:
        data = model
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def say(text: str) -> None:
    """A sentence for the seller on stdout (no markup, no highlighting)."""
    out.print(text, markup=False, highlight=False)


def answer(model: Any, summary: Callable[[], str], *, as_json: bool) -> None:
    """The JSON with --json, else the summary sentence."""
    if as_json:
        show(model)
    else:
        say(summary())


def record_id(value: int | list[int] | None) -> Any:
    """A typed record number (order, purchase order, event …) within the ids the database holds, else exit 2
    with a message: the typer callback of every id argument."""
    for number in value if isinstance(value, list) else [value]:
        if number is not None and not 1 <= number <= MAX_ID:
            fail(_("%(value)s is not a record number: use a number from 1 to %(most)s", value=number, most=MAX_ID))
    return value


def parse_lines(specs: list[str]) -> list[dict[str, Any]]:
    """`SKU:QUANTITY` options as order lines; a malformed one is a user error."""
    lines = []
    for spec in specs:
        sku, sep, quantity = spec.rpartition(":")
        if not sep or not quantity.lstrip("-").isdigit():
            fail(_("line %(line)s must look like SKU:QUANTITY, e.g. KAOS-HITAM-M:2", line=repr(spec)))
        lines.append({"sku": sku, "quantity": int(quantity)})
    return lines


def parse_day(value: str) -> date:
    """A date typed as YYYY-MM-DD; anything else is a user error that shows the form (and the date meant,
    when it was written day first, e.g. 19-12-2026)."""
    if ISO_DAY.match(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    parts = re.split(r"[-/.]", value.strip())
    example = "2026-12-19"
    if len(parts) == 3 and all(p.isdigit() for p in parts) and len(parts[2]) == 4:
        with suppress(ValueError):
            example = date(int(parts[2]), int(parts[1]), int(parts[0])).isoformat()
    fail(_("%(value)s is not a date: use YYYY-MM-DD, e.g. %(example)s", value=repr(value), example=example))


def optional_day(value: str | None) -> date | None:
    return None if value is None else parse_day(value)


def read_text_file(path: Path) -> str:
    """A UTF-8 file given on the command line (a BOM is tolerated); unreadable is a user error."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        reason = _("there is no such file")
    except IsADirectoryError:
        reason = _("it is a folder, not a file")
    except PermissionError:
        reason = _("no permission to read it")
    except UnicodeDecodeError:
        reason = _("it is not UTF-8 text (save it as CSV UTF-8)")
    except OSError as error:
        reason = error.strerror or str(error)
    fail(_("cannot read %(path)s: %(reason)s", path=str(path), reason=reason))


def write_csv(rows: list[dict[str, Any]], target: Path | None) -> None:
    """Rows as CSV (their English field names as header) to a file, or to stdout when `target` is None."""
    buffer = io.StringIO()
    if rows:
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    if target is None:
        sys.stdout.write(buffer.getvalue())
    else:
        target.write_text(buffer.getvalue(), encoding="utf-8")
        err.print(_("wrote %(count)s row(s) to %(path)s", count=len(rows), path=str(target)), highlight=False)


@contextmanager
def working(message: str) -> Iterator[None]:
    """A spinner with `message` on stderr while a step without measurable progress runs (terminals only)."""
    if not err.is_terminal:
        yield
        return
    with err.status(message):
        yield


@contextmanager
def progress_bar() -> Iterator[Callable[[str, int, int], None]]:
    """A progress callback `(stage, done, total)` drawing a bar on stderr — only when stderr is a terminal,
    so logs and captured output get no control characters."""
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, transient=True, disable=not err.is_terminal) as bar:
        tasks: dict[str, Any] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(_(stage), total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield update
