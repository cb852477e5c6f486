"""Inventory policy rules and stock-out risk: order rounding, cost-chosen service level, cover, risk."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from inden.planning.inventory_policy import (
    days_of_cover,
    expected_undershoot,
    order_quantity,
    reorder_point_for_service,
    safety_stock,
    service_level_by_cost,
    service_z,
    undershoot_sd,
)
from inden.planning.risk import stockout_risk

# --- order quantity ------------------------------------------------------------------------------------------


def test_order_covers_the_larger_of_shortfall_and_eoq() -> None:
    assert order_quantity(economic_quantity=40.2, shortfall=12, moq=1, pack_size=1) == 41
    assert order_quantity(economic_quantity=10, shortfall=57, moq=1, pack_size=1) == 57


def test_order_is_raised_to_the_minimum_order_quantity() -> None:
    assert order_quantity(economic_quantity=8, shortfall=3, moq=50, pack_size=1) == 50


def test_order_is_rounded_up_to_whole_packs() -> None:
    assert order_quantity(economic_quantity=25, shortfall=3, moq=1, pack_size=12) == 36
    assert order_quantity(economic_quantity=24, shortfall=24, moq=1, pack_size=12) == 24


def test_moq_that_is_not_a_pack_multiple_is_rounded_up_to_whole_packs() -> None:
    assert order_quantity(economic_quantity=5, shortfall=5, moq=30, pack_size=12) == 36


def test_order_is_capped_by_storage_room_in_whole_packs() -> None:
    assert order_quantity(economic_quantity=100, shortfall=10, moq=1, pack_size=12, capacity_room=50) == 48


def test_no_order_when_not_even_one_pack_fits() -> None:
    assert order_quantity(economic_quantity=100, shortfall=10, moq=1, pack_size=12, capacity_room=11) == 0


def test_no_order_when_the_room_is_below_the_minimum_order() -> None:
    assert order_quantity(economic_quantity=100, shortfall=10, moq=40, pack_size=12, capacity_room=47) == 0
    assert order_quantity(economic_quantity=100, shortfall=10, moq=40, pack_size=12, capacity_room=48) == 48


def test_nothing_is_ordered_when_nothing_is_needed() -> None:
    assert order_quantity(economic_quantity=0, shortfall=0, moq=10, pack_size=6) == 0


def test_order_quantity_works_over_arrays_of_skus() -> None:
    got = order_quantity(
        economic_quantity=np.array([40.2, 8.0, 25.0, 100.0, 0.0]), shortfall=np.array([12, 3, 3, 10, 0]),
        moq=np.array([1, 50, 1, 1, 10]), pack_size=np.array([1, 1, 12, 12, 6]),
        capacity_room=np.array([1000, 1000, 1000, 11, 1000]),
    )
    assert got.tolist() == [41, 50, 36, 0, 0]


@given(
    eoq=st.floats(0, 5000), shortfall=st.integers(-50, 5000), moq=st.integers(1, 500), pack=st.integers(1, 48),
    room=st.one_of(st.none(), st.integers(0, 10_000)),
)
def test_order_quantity_obeys_moq_pack_and_room(eoq: float, shortfall: int, moq: int, pack: int,
                                                room: int | None) -> None:
    units = order_quantity(economic_quantity=eoq, shortfall=shortfall, moq=moq, pack_size=pack, capacity_room=room)
    assert units >= 0
    assert units % pack == 0
    if units > 0:
        assert units >= moq
    if room is not None:
        assert units <= room
    needed = max(math.ceil(eoq - 1e-9), shortfall)  # a whisker over a whole unit is float noise, not a unit
    if room is None and needed > 0:
        assert units >= max(needed, moq)
        assert units - pack < max(needed, moq)  # never a whole pack more than needed
    if needed <= 0:
        assert units == 0


# --- service level, safety stock, cover ----------------------------------------------------------------------


def test_cost_chosen_service_level_is_margin_against_holding_over_the_review_period() -> None:
    # Margin 9 against holding 0.1 a day for 10 days (= 1): 9 / (9 + 1).
    assert service_level_by_cost(unit_margin=9, holding_cost_per_unit_day=0.1, review_days=10) == pytest.approx(0.9)


def test_cost_chosen_service_level_stays_in_a_sane_range() -> None:
    got = service_level_by_cost(unit_margin=np.array([0.0, 1e9]), holding_cost_per_unit_day=1.0, review_days=7)
    assert got.tolist() == [0.5, 0.995]


def test_service_level_outside_zero_and_one_is_refused() -> None:
    with pytest.raises(ValueError):
        service_z(1.0)
    with pytest.raises(ValueError):
        safety_stock(service_level=np.array([0.9, 0.0]), demand_per_day=1, demand_sd_per_day=1, lead_time_days=3)


def test_safety_stock_grows_with_lead_time_spread() -> None:
    steady = safety_stock(service_level=0.95, demand_per_day=10, demand_sd_per_day=3, lead_time_days=9)
    erratic = safety_stock(service_level=0.95, demand_per_day=10, demand_sd_per_day=3, lead_time_days=9,
                           lead_time_sd_days=2)
    assert steady == pytest.approx(1.6448536 * 9, rel=1e-6)
    assert erratic == pytest.approx(1.6448536 * math.sqrt(9 * 9 + 100 * 4), rel=1e-6)


def test_undershoot_is_zero_for_unit_demand_and_half_a_day_for_poisson() -> None:
    assert expected_undershoot(demand_per_day=1.0, demand_sd_per_day=0.0) == 0.0
    assert expected_undershoot(demand_per_day=6.0, demand_sd_per_day=math.sqrt(6.0)) == pytest.approx(3.0)
    assert expected_undershoot(demand_per_day=0.0, demand_sd_per_day=0.0) == 0.0


def test_undershoot_spread_is_zero_for_unit_demand_and_known_for_poisson() -> None:
    # Poisson(10): the overshoot O has P(O = k) = P(D >= k) / 10, so E[O] = 6 and E[O²] = 148 / 3.
    assert undershoot_sd(demand_per_day=1.0, demand_sd_per_day=0.0) == 0.0
    assert undershoot_sd(demand_per_day=10.0, demand_sd_per_day=math.sqrt(10.0)) == pytest.approx(
        math.sqrt(148 / 3 - 36))


def test_reorder_point_for_service_is_the_normal_one_for_a_fast_steady_mover() -> None:
    normal = 400 * 9 + safety_stock(service_level=0.95, demand_per_day=400, demand_sd_per_day=20, lead_time_days=9)
    exact = reorder_point_for_service(service_level=0.95, demand_per_day=400, demand_sd_per_day=20,
                                      lead_time_days=9, daily_review=False)
    assert exact == pytest.approx(normal, abs=1.5)


def test_reorder_point_for_service_covers_the_right_skew_of_lumpy_demand() -> None:
    # Mean 3,600 with variance 53x the mean: the matched distribution's 95 % point lies above the normal one.
    normal = 400 * 9 + safety_stock(service_level=0.95, demand_per_day=400, demand_sd_per_day=60, lead_time_days=9,
                                    lead_time_sd_days=1)
    exact = reorder_point_for_service(service_level=0.95, demand_per_day=400, demand_sd_per_day=60,
                                      lead_time_days=9, lead_time_sd_days=1, daily_review=False)
    assert normal + 10 < exact < normal + 60


def test_reorder_point_for_service_takes_the_nearest_poisson_level_for_a_slow_mover() -> None:
    # Poisson demand 0.5 a day over 6 days (mean 3): P(D <= 5) = 0.916, P(D <= 6) = 0.966; 0.966 is nearer 95 %.
    got = reorder_point_for_service(service_level=0.95, demand_per_day=0.5, demand_sd_per_day=math.sqrt(0.5),
                                    lead_time_days=6, daily_review=False)
    assert got == 6.0
    assert stats.poisson.cdf(6, 3) == pytest.approx(0.966, abs=0.001)
    # At 92 % the nearer level is 5 (0.916).
    assert reorder_point_for_service(service_level=0.92, demand_per_day=0.5, demand_sd_per_day=math.sqrt(0.5),
                                     lead_time_days=6, daily_review=False) == 5.0


def test_reorder_point_for_service_works_over_arrays() -> None:
    got = reorder_point_for_service(service_level=0.95, demand_per_day=np.array([0.5, 400.0, 0.0]),
                                    demand_sd_per_day=np.array([math.sqrt(0.5), 20.0, 0.0]),
                                    lead_time_days=np.array([6.0, 9.0, 5.0]), daily_review=False)
    assert got[0] == 6.0 and abs(got[1] - 3600 - 1.645 * 60) < 1.5 and got[2] == 0.0


def test_days_of_cover_is_infinite_without_demand() -> None:
    got = days_of_cover(units=np.array([30, 30, 0, -5]), demand_per_day=np.array([3.0, 0.0, 2.0, 2.0]))
    assert got.tolist() == [10.0, math.inf, 0.0, 0.0]


# --- stock-out risk ------------------------------------------------------------------------------------------

means = st.floats(0.0, 500.0)
dispersions = st.floats(0.0, 20.0)  # variance-to-mean ratio: 0 steady, 1 Poisson, > 1 lumpy
positions = st.floats(-20.0, 1500.0)


@given(position=positions, extra=st.floats(0.0, 500.0), mean=means, dispersion=dispersions)
def test_more_inventory_never_raises_the_risk(position: float, extra: float, mean: float, dispersion: float) -> None:
    sd = math.sqrt(dispersion * mean)
    low = stockout_risk(inventory_position=position, demand_mean=mean, demand_sd=sd)
    high = stockout_risk(inventory_position=position + extra, demand_mean=mean, demand_sd=sd)
    assert 0.0 <= high <= low <= 1.0


@given(position=positions, mean=means, extra=st.floats(0.0, 500.0), dispersion=dispersions)
def test_more_demand_never_lowers_the_risk(position: float, mean: float, extra: float, dispersion: float) -> None:
    # "More demand" = more customers buying alike: the mean grows at the same variance-to-mean ratio.
    less = stockout_risk(inventory_position=position, demand_mean=mean, demand_sd=math.sqrt(dispersion * mean))
    more = stockout_risk(inventory_position=position, demand_mean=mean + extra,
                         demand_sd=math.sqrt(dispersion * (mean + extra)))
    assert more >= less - 1e-12


@given(position=st.floats(0.0, 200.0), mean=st.floats(0.0, 100.0), sd=st.floats(0.0, 50.0),
       extra=st.floats(0.0, 100.0))
def test_a_larger_mean_at_the_same_spread_never_lowers_the_risk_when_demand_is_normal_like(
    position: float, mean: float, sd: float, extra: float,
) -> None:
    # Where lead-time demand is large and not too lumpy (the normal regime), a shift of the mean at a fixed
    # standard deviation is also "more demand". For tiny, very lumpy means this need not hold: see risk.py.
    if mean < 30 or sd**2 > 3 * mean:
        return
    less = stockout_risk(inventory_position=position, demand_mean=mean, demand_sd=sd)
    more = stockout_risk(inventory_position=position, demand_mean=mean + extra, demand_sd=sd)
    assert more >= less - 1e-9


def test_risk_of_a_slow_mover_is_the_poisson_chance_of_any_sale() -> None:
    assert stockout_risk(inventory_position=0, demand_mean=0.3, demand_sd=math.sqrt(0.3)) == pytest.approx(
        1 - math.exp(-0.3))


def test_risk_of_a_fast_mover_is_close_to_the_normal_tail() -> None:
    risk = stockout_risk(inventory_position=1100, demand_mean=1000, demand_sd=60)
    assert risk == pytest.approx(stats.norm.sf(1100.5, 1000, 60), abs=0.005)


def test_risk_is_certain_with_customers_waiting_and_nil_without_demand() -> None:
    got = stockout_risk(inventory_position=np.array([-3.0, 10.0]), demand_mean=np.array([5.0, 0.0]),
                        demand_sd=np.array([2.0, 0.0]))
    assert got.tolist() == [1.0, 0.0]


@pytest.mark.parametrize(("mean", "sd"), [(2.0, 3.0), (0.4, 1.1), (25.0, 5.0), (12.0, 3.0), (7.5, 7.5**0.5)])
def test_risk_distribution_has_the_given_mean_and_spread(mean: float, sd: float) -> None:
    # P(D > k) for k = 0, 1, ... defines the demand distribution: E[D] = Σ P(D > k), E[D²] = Σ (2k + 1) P(D > k).
    k = np.arange(0, 2000, dtype=np.float64)
    tail = stockout_risk(inventory_position=k, demand_mean=mean, demand_sd=sd)
    first = float(tail.sum())
    second = float(((2 * k + 1) * tail).sum())
    assert first == pytest.approx(mean, rel=1e-6)
    assert math.sqrt(second - first**2) == pytest.approx(sd, rel=1e-5)
