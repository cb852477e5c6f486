"""Back-in-stock waves: the size and timing rules (domain.waves), property-tested."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from inden.domain.waves import FACTOR_MAX, FACTOR_MIN, Conversion, wave_due, wave_factor, wave_size

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)


def test_the_first_wave_tells_three_shoppers_per_unit() -> None:
    assert wave_size(5, wave_factor(Conversion(told=0, bought=0))) == 15


def test_the_factor_is_one_over_the_measured_conversion() -> None:
    assert wave_factor(Conversion(told=100, bought=25)) == 4.0
    assert wave_factor(Conversion(told=100, bought=100)) == 1.0
    assert wave_factor(Conversion(told=100, bought=0)) == FACTOR_MAX
    assert wave_factor(Conversion(told=1000, bought=1)) == FACTOR_MAX


@given(st.integers(0, 10_000), st.integers(0, 10_000), st.floats(-5, 50))
def test_the_factor_stays_between_one_and_ten(told: int, bought: int, start: float) -> None:
    factor = wave_factor(Conversion(told=told, bought=min(bought, told)), start=start)
    assert FACTOR_MIN <= factor <= FACTOR_MAX


@given(st.integers(-5, 100_000), st.floats(FACTOR_MIN, FACTOR_MAX))
def test_a_wave_tells_at_least_one_shopper_per_unit_and_none_when_sold_out(units: int, factor: float) -> None:
    size = wave_size(units, factor)
    if units <= 0:
        assert size == 0
    else:
        assert units <= size <= units * FACTOR_MAX


def test_the_next_wave_waits_for_the_window_unless_more_stock_arrives() -> None:
    window = timedelta(hours=2)
    assert wave_due(None, now=NOW, window=window, more_stock=False)
    assert not wave_due(NOW - timedelta(minutes=119), now=NOW, window=window, more_stock=False)
    assert wave_due(NOW - timedelta(hours=2), now=NOW, window=window, more_stock=False)
    assert wave_due(NOW - timedelta(minutes=1), now=NOW, window=window, more_stock=True)
