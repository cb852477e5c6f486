"""Numbered pages for the back office's lists: a page of rows and the total, so a page can show "1–50 of 9,812"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from inden.domain.errors import InvalidRequest

T = TypeVar("T")
MAX_LIMIT = 200


@dataclass(frozen=True, slots=True)
class Paging:
    """Which rows to show: `limit` rows after skipping `offset`."""

    limit: int = 50
    offset: int = 0

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= MAX_LIMIT:
            raise InvalidRequest(f"limit must be between 1 and {MAX_LIMIT}.", field="limit", limit=self.limit)
        if self.offset < 0:
            raise InvalidRequest("offset must be 0 or more.", field="offset", offset=self.offset)


FIRST_PAGE = Paging()


@dataclass(frozen=True, slots=True)
class Paged(Generic[T]):
    """One page of a list and how many rows the whole list has."""

    items: tuple[T, ...]
    total: int
    limit: int
    offset: int

    @property
    def has_next(self) -> bool:
        return self.offset + len(self.items) < self.total

    @property
    def has_previous(self) -> bool:
        return self.offset > 0
