"""What every area's requests and views share: limits, SKU and e-mail formats, money, a page of results."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StrictBool,
    StringConstraints,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from inden.domain.contact import Channel, normalise_phone

# --- the input policy (API, CLI, back office and CSV import alike; docs/api-contract.md, Input policy) -------
# Both databases must accept exactly what passes here: PostgreSQL refuses NUL and lone surrogates in text and
# 32-bit ids beyond 2^31-1, where SQLite would store anything, so the edge refuses them for both.

MAX_ID = 2**31 - 1  # ids are 32-bit integer columns
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")  # C0, DEL, C1 and lone surrogates (not UTF-8)
WINDOW_YEARS = 10  # dates of purchase orders, events and releases: today ± this many years
HISTORY_START = date(2000, 1, 1)  # the earliest day of sales history


def clean_text(value: str) -> str:
    """`value` if it holds no control character (NUL, a newline, ESC …) and no lone surrogate; else a
    `control_character` error."""
    if CONTROL.search(value):
        raise PydanticCustomError("control_character", "must not contain control characters (such as NUL)")
    return value


def date_window(today: date | None = None) -> tuple[date, date]:
    """The dates a purchase order, event or release may have: today ± WINDOW_YEARS years."""
    today = today or date.today()
    span = timedelta(days=round(365.25 * WINDOW_YEARS))
    return today - span, today + span


def _within_window(value: date) -> date:
    low, high = date_window()
    if not low <= value <= high:
        raise PydanticCustomError("date_out_of_range", "must be between {low} and {high}",
                                  {"low": low.isoformat(), "high": high.isoformat()})
    return value


def _number_not_text(value: Any, info: ValidationInfo) -> Any:
    """JSON numbers only: `"5"` or `true` is not a quantity. Spreadsheet cells are text by nature, so a CSV
    import validates with `context={"cells": True}` to let digits in a cell through."""
    if isinstance(value, bool) or (isinstance(value, str) and not (info.context or {}).get("cells")):
        raise PydanticCustomError("number_type", "must be a number, not {kind}",
                                  {"kind": "a boolean" if isinstance(value, bool) else "a string"})
    return value


StrictNumber = BeforeValidator(_number_not_text)
Int = Annotated[int, StrictNumber]
Float = Annotated[float, StrictNumber, Field(allow_inf_nan=False)]
Bool = StrictBool
Day = Annotated[date, AfterValidator(_within_window)]  # a date within today ± 10 years

MAX_UNITS = 10_000_000  # per line or movement; anything larger is a typo, not a sale
MAX_ON_HAND = 1_000_000_000

SKU_PATTERN = r"^[A-Za-z0-9._-]{1,64}$"  # API.md: 1–64 of A–Z a–z 0–9 . _ - (supplier codes follow it too)
Sku = Annotated[str, StringConstraints(pattern=SKU_PATTERN)]
Quantity = Annotated[int, StrictNumber, Field(gt=0, le=MAX_UNITS)]
Email = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
]
Locale = Literal["id", "en"]
MAX_MONEY = Decimal("999999999999.99")  # Money's 14 digits, 2 of them decimals (the columns hold 16)


def _amount_not_boolean(value: Any) -> Any:
    if isinstance(value, bool):
        raise PydanticCustomError("decimal_type", "must be an amount, not a boolean")
    return value


def _phone(value: str) -> str:
    return normalise_phone(value)


# A buyer's WhatsApp number: `+62 812-3456-7890`, `0812 3456 7890` (Indonesia), stored as digits `6281234567890`.
Phone = Annotated[str, StringConstraints(max_length=32), AfterValidator(_phone)]


def channel_needs_phone(channel: Channel, phone: str | None) -> None:
    """WhatsApp is chosen with a number (the choice is the buyer's consent); raises ValueError otherwise."""
    if channel == Channel.WHATSAPP and not phone:
        raise ValueError("channel 'whatsapp' needs the buyer's phone number")


Money = Annotated[
    Decimal,
    BeforeValidator(_amount_not_boolean),
    Field(ge=0, max_digits=14, decimal_places=2, allow_inf_nan=False),
    PlainSerializer(lambda d: f"{d:.2f}", return_type=str, when_used="json"),
]
# What the OpenAPI document says of free text (validation itself is Request's control-character check, whose
# message is clearer than a pattern's): clients and fuzzers see that control characters are refused.
CLEAN = Field(json_schema_extra={"pattern": "^[^\u0000-\u001f\u007f-\u009f]*$"})
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), CLEAN]


class Request(BaseModel):
    """Base of every request model: unknown fields refused, and no control character in any text."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _no_control_characters(cls, value: Any) -> Any:
        if isinstance(value, str):
            clean_text(value)
        elif isinstance(value, list | tuple):
            for item in value:
                if isinstance(item, str):
                    clean_text(item)
        return value


class LineIn(Request):
    sku: Sku
    quantity: Quantity


def distinct_skus(lines: list[LineIn] | None) -> list[LineIn] | None:
    if lines is not None:
        seen: set[str] = set()
        for line in lines:
            if line.sku in seen:
                raise ValueError(f"SKU {line.sku!r} appears twice; put each SKU on one line")
            seen.add(line.sku)
    return lines


# --- supply ------------------------------------------------------------------------------------------

Code = Sku
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None
