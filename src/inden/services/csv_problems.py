"""Problems found in an uploaded CSV file, row by row: kept as message templates with values, so the CLI and
the API say them in English and the back office in the seller's language, from one catalogue (imports.po)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from inden.domain.errors import InvalidRequest
from inden.i18n import translate

MAX_REPORTED = 20  # problems listed in one error; the count says how many more


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
