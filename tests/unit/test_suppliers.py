"""Supplier choice: price, lead time and measured reliability against the date the stock is needed."""

from __future__ import annotations

import pytest

from inden.planning.suppliers import SupplierOption, choose_supplier

CHEAP_SLOW = SupplierOption("Cheap Slow", unit_cost=10.0, lead_time_days=30)
FAST_DEAR = SupplierOption("Fast Dear", unit_cost=13.0, lead_time_days=5)


def test_cheap_but_slow_supplier_wins_when_there_is_time() -> None:
    choice = choose_supplier([FAST_DEAR, CHEAP_SLOW], need_in_days=40, quantity=100)
    assert choice.option is CHEAP_SLOW
    assert not choice.expedite
    assert "cheapest" in choice.reason and "Cheap Slow" in choice.reason


def test_fast_supplier_wins_when_the_cheap_one_would_arrive_too_late() -> None:
    choice = choose_supplier([CHEAP_SLOW, FAST_DEAR], need_in_days=20, quantity=100)
    assert choice.option is FAST_DEAR
    assert not choice.expedite
    assert "Cheap Slow would save 300 but could be 10 days late" in choice.reason


def test_unreliable_supplier_is_judged_by_its_late_deliveries_not_its_promise() -> None:
    # Promises 10 days (in time for 14) but 9 in 10 of its deliveries came up to 8 days late.
    unreliable = SupplierOption("Often Late", unit_cost=9.0, lead_time_days=10, delay_p90_days=8, on_time_ratio=0.4)
    steady = SupplierOption("Steady", unit_cost=11.0, lead_time_days=12)
    choice = choose_supplier([unreliable, steady], need_in_days=14, quantity=50)
    assert choice.option is steady
    assert choice.arrives_in_days == 12
    assert "Often Late" in choice.reason and "8 days behind" in choice.reason


def test_short_shipping_supplier_costs_more_per_unit_received() -> None:
    short = SupplierOption("Short Ships", unit_cost=10.0, lead_time_days=7, fill_ratio=0.8)  # 12.5 per unit
    full = SupplierOption("Ships All", unit_cost=11.0, lead_time_days=7)
    choice = choose_supplier([short, full], need_in_days=10, quantity=10)
    assert choice.option is full
    assert choose_supplier([short], need_in_days=10, quantity=10).effective_unit_cost == pytest.approx(12.5)


def test_backorders_waiting_expedite_from_the_fastest_reliable_supplier() -> None:
    fast_unreliable = SupplierOption("Fast Promise", unit_cost=12.0, lead_time_days=3, delay_p90_days=9)
    choice = choose_supplier([CHEAP_SLOW, FAST_DEAR, fast_unreliable], need_in_days=0, quantity=20,
                             customers_waiting=True)
    assert choice.option is FAST_DEAR  # arrives within 5 days; the 3-day promise really means up to 12
    assert choice.expedite
    assert choice.reason.startswith("Customers are waiting: expedite from Fast Dear")


def test_an_empty_shelf_nobody_waits_for_is_not_expedited() -> None:
    choice = choose_supplier([CHEAP_SLOW, FAST_DEAR], need_in_days=0, quantity=20)
    assert not choice.expedite and "waiting" not in choice.reason


def test_when_nobody_is_in_time_a_high_stockout_cost_buys_speed() -> None:
    choice = choose_supplier([CHEAP_SLOW, FAST_DEAR], need_in_days=2, quantity=100, stockout_cost_per_unit_day=1.0)
    # Fast Dear: 100 × (13 + 3 days × 1) = 1,600; Cheap Slow: 100 × (10 + 28 × 1) = 3,800.
    assert choice.option is FAST_DEAR
    assert "No supplier arrives within 2 days; Fast Dear is the fastest (3 days late)" in choice.reason


def test_when_nobody_is_in_time_and_lateness_is_cheap_the_cheaper_supplier_wins() -> None:
    choice = choose_supplier([CHEAP_SLOW, FAST_DEAR], need_in_days=2, quantity=100, stockout_cost_per_unit_day=0.05)
    # Fast Dear: 100 × (13 + 0.15) = 1,315; Cheap Slow: 100 × (10 + 1.4) = 1,140.
    assert choice.option is CHEAP_SLOW
    assert "costs 175 less than the faster Fast Dear" in choice.reason


def test_equal_offers_go_to_the_better_on_time_record() -> None:
    shaky = SupplierOption("Shaky", unit_cost=10.0, lead_time_days=7, on_time_ratio=0.7)
    solid = SupplierOption("Solid", unit_cost=10.0, lead_time_days=7, on_time_ratio=0.98)
    assert choose_supplier([shaky, solid], need_in_days=10, quantity=5).option is solid


def test_no_supplier_is_an_error() -> None:
    with pytest.raises(ValueError):
        choose_supplier([], need_in_days=10, quantity=5)


def test_impossible_offers_are_refused() -> None:
    with pytest.raises(ValueError):
        SupplierOption("Broken", unit_cost=1.0, lead_time_days=3, fill_ratio=0.0)
    with pytest.raises(ValueError):
        SupplierOption("Broken", unit_cost=1.0, lead_time_days=3, pack_size=0)
