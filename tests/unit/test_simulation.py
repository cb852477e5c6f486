"""Policy simulation: units are conserved, waiting customers are served first, the chart is written."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from inden.planning.simulation import (
    IndenPolicy,
    MinMaxPolicy,
    compare_policies,
    pooled,
    simulate,
    simulate_skus,
    warmup_days_for,
    write_chart,
)

POLICIES = [IndenPolicy(service_level=0.9), MinMaxPolicy(safety_days=2, cycle_days=10)]
daily_demand = arrays(np.int64, st.integers(20, 120), elements=st.integers(0, 30))


@settings(max_examples=40, deadline=None)
@given(demand=daily_demand, policy=st.sampled_from(POLICIES), lead=st.integers(1, 15), spread=st.floats(0, 4),
       seed=st.integers(0, 1000))
def test_every_unit_demanded_is_served_from_stock_or_backordered(
    demand: np.ndarray, policy: IndenPolicy | MinMaxPolicy, lead: int, spread: float, seed: int,
) -> None:
    result = simulate(demand, policy, lead_time_days=lead, lead_time_sd_days=spread, warmup_days=10, seed=seed)
    replayed = demand[10:]
    assert result.units_demanded == replayed.sum()
    assert result.units_served_from_stock + result.units_backordered == result.units_demanded
    assert result.units_served_late + int(result.backordered[-1]) == result.units_backordered
    assert np.all(result.on_hand >= 0) and np.all(result.backordered >= 0)
    assert np.all((result.on_hand == 0) | (result.backordered == 0))  # nobody waits while stock sits on the shelf
    assert result.backorder_days == result.backordered.sum()
    assert 0.0 <= result.fill_rate <= 1.0 and 0.0 <= result.cycle_service_level <= 1.0


@pytest.mark.parametrize("policy", POLICIES, ids=["inden", "min/max"])
def test_backorders_are_all_served_when_supply_continues(policy: IndenPolicy | MinMaxPolicy) -> None:
    rng = np.random.default_rng(3)
    spike = np.concatenate([rng.poisson(4, 100), [300], rng.poisson(4, 60), np.zeros(60, dtype=np.int64)])
    result = simulate(spike, policy, lead_time_days=7, lead_time_sd_days=2, warmup_days=60, seed=5)
    assert result.units_backordered > 0  # the spike ran the shelf empty
    assert result.backordered[-1] == 0
    assert result.units_served_late == result.units_backordered


def test_receipt_serves_waiting_customers_before_stock_goes_on_the_shelf() -> None:
    # Average 28 / 12 a day: min = round(2.33 x 5 days) = 12, max = 13, and the replay opens with 13 on hand.
    demand = np.array([1, 1, 1, 25, 0, 0, 0, 0, 0, 0, 0, 0])
    policy = MinMaxPolicy(safety_days=0, cycle_days=0)
    result = simulate(demand, policy, lead_time_days=5, warmup_days=3)
    # Day 0: 13 served, 12 wait; the order of 25 (up to max from -12) arrives at the end of day 5.
    assert (result.on_hand[0], result.backordered[0], result.inventory_position[0]) == (0, 12, 13)
    assert result.backordered[4] == 12
    assert (result.on_hand[5], result.backordered[5]) == (13, 0)
    assert result.units_served_late == 12 and result.orders_placed == 1


def test_given_lead_times_are_used_in_turn() -> None:
    demand = np.full(40, 2)
    fast = simulate(demand, IndenPolicy(), lead_time_days=0, lead_times=[1], warmup_days=10)
    slow = simulate(demand, IndenPolicy(), lead_time_days=0, lead_times=[12], warmup_days=10)
    assert fast.average_inventory < slow.average_inventory


def test_the_same_seed_gives_the_same_replay() -> None:
    demand = np.random.default_rng(1).poisson(5, 300)
    first = simulate(demand, IndenPolicy(), lead_time_days=10, lead_time_sd_days=3, seed=42)
    again = simulate(demand, IndenPolicy(), lead_time_days=10, lead_time_sd_days=3, seed=42)
    assert np.array_equal(first.on_hand, again.on_hand) and first.orders_placed == again.orders_placed


def test_pooled_results_add_skus_up() -> None:
    demand = np.random.default_rng(2).poisson([[1.0], [8.0]], (2, 300))
    each = simulate_skus(demand, IndenPolicy(), lead_time_days=[5, 9], holding_cost_per_unit_day=[0.1, 0.02])
    total = pooled(each)
    assert total.units_demanded == demand[:, 91:].sum()
    assert total.average_inventory == pytest.approx(sum(r.average_inventory for r in each))
    assert np.array_equal(total.on_hand, each[0].on_hand + each[1].on_hand)


def test_replays_of_different_lengths_pool_aligned_on_their_last_day() -> None:
    rng = np.random.default_rng(5)
    long = simulate(rng.poisson(4.0, 120), IndenPolicy(), lead_time_days=3, warmup_days=60)
    short = simulate(rng.poisson(2.0, 28), IndenPolicy(), lead_time_days=3, warmup_days=14)
    total = pooled([long, short])
    assert len(total.on_hand) == 60
    assert np.array_equal(total.on_hand[:46], long.on_hand[:46])
    assert np.array_equal(total.on_hand[46:], long.on_hand[46:] + short.on_hand)


@pytest.mark.parametrize(("days", "warmup"), [(28, 14), (29, 14), (120, 60), (182, 91), (365, 91)])
def test_a_history_is_learnt_from_for_half_its_days_at_most_a_quarter(days: int, warmup: int) -> None:
    assert warmup_days_for(days) == warmup
    assert days - warmup >= warmup  # never fewer days replayed than learnt from


def test_bad_demand_is_refused() -> None:
    with pytest.raises(ValueError):
        simulate(np.array([1.0, -2.0, 3.0]), IndenPolicy(), lead_time_days=2, warmup_days=1)
    with pytest.raises(ValueError):
        simulate(np.array([1.5, 2.0, 3.0]), IndenPolicy(), lead_time_days=2, warmup_days=1)


def test_compare_policies_replays_inden_and_min_max(tmp_path: Path) -> None:
    demand = np.random.default_rng(4).poisson(6, 400)
    results = compare_policies(demand, lead_time_days=10, lead_time_sd_days=2, order_cost=30.0,
                               holding_cost_per_unit_day=0.05)
    assert [name for name, _ in results] == ["inden", "min/max"]
    for _, result in results:
        assert len(result.on_hand) == len(demand) - 91
        assert result.orders_placed > 0


@pytest.mark.slow  # matplotlib
def test_write_chart_produces_a_png(tmp_path: Path) -> None:
    demand = np.random.default_rng(4).poisson(6, 400)
    results = compare_policies(demand, lead_time_days=10, lead_time_sd_days=2)
    path = write_chart(results, tmp_path / "policies.png", title="SKU BLUE-M: inden vs min/max")
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 20_000
