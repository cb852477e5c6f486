"""How a buyer wants to hear from the shop: email (always possible) or WhatsApp (with their consent)."""

from __future__ import annotations

import re
from enum import StrEnum


class Channel(StrEnum):
    EMAIL = "email"
    WHATSAPP = "whatsapp"  # chosen by the buyer, who gave a number; email stays the fallback


_PHONE = re.compile(r"^[1-9][0-9]{7,14}$")


def normalise_phone(raw: str, *, country_code: str = "62") -> str:
    """A buyer's number as WhatsApp wants it: digits, country code first. Accepts `+62 812-3456-789`,
    `0812 3456 789` (a leading 0 becomes `country_code`), `0062…`, `62812…`. Raises ValueError otherwise."""
    digits = re.sub(r"[\s\-().]", "", raw.strip())
    if digits.startswith("+"):
        digits = digits[1:]
    elif digits.startswith("00"):
        digits = digits[2:]
    elif digits.startswith("0"):
        digits = country_code + digits[1:]
    if not _PHONE.match(digits):
        raise ValueError("a phone number is 8 to 15 digits with its country code, e.g. +62 812 3456 7890")
    return digits
