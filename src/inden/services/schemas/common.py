"""What every area's requests and views share: limits, SKU and e-mail formats, money, a page of results."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Generic, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainSerializer, StringConstraints

from inden.domain.contact import Channel, normalise_phone

MAX_UNITS = 10_000_000  # per line or movement; anything larger is a typo, not a sale
MAX_ON_HAND = 1_000_000_000

SKU_PATTERN = r"^[A-Za-z0-9._-]{1,64}$"  # API.md: 1–64 of A–Z a–z 0–9 . _ - (supplier codes follow it too)
Sku = Annotated[str, StringConstraints(pattern=SKU_PATTERN)]
Quantity = Annotated[int, Field(gt=0, le=MAX_UNITS)]
Email = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
]
Locale = Literal["id", "en"]


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
    Field(ge=0, max_digits=14, decimal_places=2),
    PlainSerializer(lambda d: f"{d:.2f}", return_type=str, when_used="json"),
]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


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
