"""Problems found in an uploaded CSV file, row by row: kept as message templates with values, so the CLI and
the API say them in English and the back office in the seller's language, from one catalogue (imports.po)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from inden.domain.errors import InvalidRequest
from inden.i18n import N_, translate

MAX_REPORTED = 20  # problems listed in one error; the count says how many more
MAX_CELL = 1000  # characters in one cell: no column of ours needs more (a SKU 64, a name 200)
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # what no cell may hold (tab and newlines may)


@dataclass(frozen=True, slots=True)
class RowProblem:
    """What is wrong on one line of the file (1 = the header); `column` is None for the whole row."""

    line: int
    column: str | None
    template: str  # English, with %(name)s placeholders; its own message id
    values: dict[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return self.template % self.values if self.values else self.template

    def text(self, locale: str) -> str:
        """The problem in `locale`."""
        return translate(locale, self.template, **self.values)


class Problems:
    """Collects a file's problems; `raise_if_any` refuses the whole file (all or nothing)."""

    def __init__(self) -> None:
        self.items: list[RowProblem] = []

    def add(self, line: int, column: str | None, template: str, /, **values: Any) -> None:
        self.items.append(RowProblem(line, column, template, values))

    def raise_if_any(self) -> None:
        if self.items:
            shown = [f"line {p.line}: {p.message}" for p in self.items[:MAX_REPORTED]]
            more = len(self.items) - len(shown)
            raise InvalidRequest(
                "The file was not imported (nothing was changed): " + "; ".join(shown)
                + (f"; and {more} more problem(s)" if more else ""),
                problems=shown, problem_count=len(self.items),
            )


Records = Iterator[tuple[int, dict[str, str]]]


def read_records(text: str, problems: Problems) -> tuple[list[str], Records]:
    """The header of a CSV file (names stripped, lower case) and its rows as `(line, {column: cell})`, 1 = the
    header. What cannot be read becomes a problem with its line number instead of an exception: a control
    character (such as NUL), a cell over MAX_CELL characters, a row with more cells than the header, or
    text the CSV reader gives up on (then the rest of the file is not read)."""
    text = text.lstrip("\ufeff")
    if found := CONTROL.search(text):
        problems.add(text.count("\n", 0, found.start()) + 1, None, N_("holds a control character (such as NUL)"))
        return [], iter(())
    reader = csv.reader(io.StringIO(text))
    try:
        header = [name.strip().lower() for name in next(reader, [])]
    except csv.Error as error:
        problems.add(reader.line_num or 1, None, N_("cannot be read as CSV: %(reason)s"), reason=str(error))
        return [], iter(())

    def rows() -> Records:
        while True:
            try:
                cells = next(reader, None)
            except csv.Error as error:
                problems.add(reader.line_num, None, N_("cannot be read as CSV: %(reason)s"), reason=str(error))
                return
            if cells is None:
                return
            if not cells:
                continue  # a blank line
            if len(cells) > len(header):
                problems.add(reader.line_num, None, N_("has more cells than the header"))
                continue
            if any(len(cell) > MAX_CELL for cell in cells):
                problems.add(reader.line_num, None, N_("has a cell longer than %(most)s characters"), most=MAX_CELL)
                continue
            yield reader.line_num, dict(zip(header, cells, strict=False))

    return header, rows()
