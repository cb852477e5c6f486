"""Back-in-stock in waves: how many confirmed sign-ups to tell, and when.

Telling every sign-up at once when five units come back disappoints all but five. Instead sign-ups are told
first come, first served, in waves sized to the units on sale times a factor learned from past waves: if one in
four told shoppers buys within a day (conversion 0.25), telling four per unit is about right. The factor is
1 / conversion kept between FACTOR_MIN and FACTOR_MAX; START_FACTOR until a wave has been measured. The next
wave goes when units remain after the window, or at once when more stock arrives; none while sold out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

FACTOR_MIN = 1.0  # never tell fewer shoppers than there are units
FACTOR_MAX = 10.0  # nor so many that most of them find it gone
START_FACTOR = 3.0
CONVERSION_WINDOW = timedelta(hours=24)  # a told shopper who orders the SKU within this counts as converted


@dataclass(frozen=True, slots=True)
class Conversion:
    """What past waves of one product measured: shoppers told (in waves older than CONVERSION_WINDOW) and how
    many of them ordered the product within it."""

    told: int
    bought: int

    @property
    def rate(self) -> float | None:
        """Share of told shoppers who bought; None before any wave was measured."""
        return self.bought / self.told if self.told else None


def wave_factor(conversion: Conversion, *, start: float = START_FACTOR) -> float:
    """Sign-ups to tell per unit on sale: 1 / conversion within [FACTOR_MIN, FACTOR_MAX]; `start` (itself
    kept in that range) before any measurement. A conversion of 0 gives FACTOR_MAX."""
    rate = conversion.rate
    if rate is None:
        return min(max(start, FACTOR_MIN), FACTOR_MAX)
    if rate <= 0:
        return FACTOR_MAX
    return min(max(1 / rate, FACTOR_MIN), FACTOR_MAX)


def wave_size(units_on_sale: int, factor: float) -> int:
    """How many sign-ups the next wave tells: units on sale times the factor, rounded up; 0 when sold out."""
    if units_on_sale <= 0:
        return 0
    return math.ceil(units_on_sale * factor - 1e-9)


def wave_due(last_wave_at: datetime | None, *, now: datetime, window: timedelta, more_stock: bool) -> bool:
    """Whether a product with units on sale and sign-ups waiting may send its next wave now: at once when more
    stock just arrived or no wave was sent yet, otherwise once `window` has passed since the last one."""
    return more_stock or last_wave_at is None or now - last_wave_at >= window
