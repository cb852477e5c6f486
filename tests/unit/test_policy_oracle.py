"""inden's policy maths agree with stockpyl, an independent implementation, on a few hundred random instances.

Mapping of parameters (stockpyl -> inden):
- `eoq.economic_order_quantity(K, h, λ)` -> `economic_order_quantity(order_cost=K, holding_cost_per_unit_year=h,
  annual_demand=λ)`.
- `newsvendor.newsvendor_normal(holding_cost=co, stockout_cost=cu, μ, σ)` returns the base stock μ + z·σ with
  z = Φ⁻¹(cu / (cu + co)) -> `μ + service_z(critical_ratio(underage_cost=cu, overage_cost=co)) · σ`.
- `rq.r_q_eoqss_approximation(h, p, K, λ, τ, L)` ("EOQ + safety stock") returns r = λL + z·τ√L with
  z = Φ⁻¹(p / (p + h)) and Q = EOQ -> `reorder_point(lead_time_demand=λL, safety_stock=safety_stock(...,
  lead_time_sd_days=0))` and `economic_order_quantity`.
- Lead-time variability, which stockpyl's formulas do not cover: stockpyl's `DemandSource` gives the demand
  distribution over each possible lead time; mixing those over a random lead time gives the true spread of
  lead-time demand, which `safety_stock / z` must equal.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from stockpyl.demand_source import DemandSource
from stockpyl.eoq import economic_order_quantity as stockpyl_eoq
from stockpyl.newsvendor import newsvendor_normal
from stockpyl.rq import r_q_eoqss_approximation

from inden.planning.inventory_policy import (
    critical_ratio,
    economic_order_quantity,
    reorder_point,
    safety_stock,
    service_z,
)

INSTANCES = 300


def _rng() -> np.random.Generator:
    return np.random.default_rng(20240604)


def test_eoq_matches_stockpyl() -> None:
    rng = _rng()
    for _ in range(INSTANCES):
        order_cost, holding, demand = rng.uniform(0.5, 500), rng.uniform(0.01, 50), rng.uniform(0, 100_000)
        expected, _ = stockpyl_eoq(order_cost, holding, demand)
        got = economic_order_quantity(annual_demand=demand, order_cost=order_cost, holding_cost_per_unit_year=holding)
        assert got == pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_eoq_over_arrays_matches_stockpyl_elementwise() -> None:
    rng = _rng()
    order_cost, holding, demand = rng.uniform(0.5, 500, 50), rng.uniform(0.01, 50, 50), rng.uniform(0, 1e5, 50)
    got = economic_order_quantity(annual_demand=demand, order_cost=order_cost, holding_cost_per_unit_year=holding)
    expected = [stockpyl_eoq(k, h, d)[0] for k, h, d in zip(order_cost, holding, demand, strict=True)]
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_newsvendor_base_stock_from_critical_ratio_matches_stockpyl() -> None:
    rng = _rng()
    for _ in range(INSTANCES):
        overage, underage = rng.uniform(0.01, 10), rng.uniform(0.01, 100)
        mean, sd = rng.uniform(0.1, 1000), rng.uniform(0.1, 300)
        expected, _ = newsvendor_normal(overage, underage, mean, sd)
        ratio = critical_ratio(underage_cost=underage, overage_cost=overage)
        assert ratio == pytest.approx(underage / (underage + overage), rel=1e-12)
        assert mean + service_z(ratio) * sd == pytest.approx(expected, rel=1e-9, abs=1e-9)


def test_reorder_point_and_order_quantity_match_stockpyl_eoq_plus_safety_stock() -> None:
    rng = _rng()
    for _ in range(INSTANCES):
        holding, stockout, order_cost = rng.uniform(0.01, 5), rng.uniform(0.05, 200), rng.uniform(1, 500)
        demand, sd, lead = rng.uniform(0.1, 500), rng.uniform(0.1, 200), rng.uniform(0.5, 60)
        expected_rop, expected_q = r_q_eoqss_approximation(holding, stockout, order_cost, demand, sd, lead)
        level = critical_ratio(underage_cost=stockout, overage_cost=holding)
        safety = safety_stock(service_level=level, demand_per_day=demand, demand_sd_per_day=sd,
                              lead_time_days=lead, lead_time_sd_days=0.0)
        rop = reorder_point(lead_time_demand=demand * lead, safety_stock=safety)
        quantity = economic_order_quantity(annual_demand=demand, order_cost=order_cost,
                                           holding_cost_per_unit_year=holding)
        assert rop == pytest.approx(expected_rop, rel=1e-9, abs=1e-9)
        assert quantity == pytest.approx(expected_q, rel=1e-12)


def test_safety_stock_over_arrays_matches_the_scalar_results() -> None:
    rng = _rng()
    levels, demand, sd = rng.uniform(0.5, 0.999, 100), rng.uniform(0, 50, 100), rng.uniform(0, 20, 100)
    lead, lead_sd = rng.uniform(1, 30, 100), rng.uniform(0, 5, 100)
    together = safety_stock(service_level=levels, demand_per_day=demand, demand_sd_per_day=sd,
                            lead_time_days=lead, lead_time_sd_days=lead_sd)
    one_by_one = [
        safety_stock(service_level=float(a), demand_per_day=float(b), demand_sd_per_day=float(c),
                     lead_time_days=float(d), lead_time_sd_days=float(e))
        for a, b, c, d, e in zip(levels, demand, sd, lead, lead_sd, strict=True)
    ]
    np.testing.assert_allclose(together, one_by_one, rtol=1e-12)


def test_safety_stock_with_lead_time_spread_matches_stockpyl_lead_time_demand_mixture() -> None:
    rng = _rng()
    for _ in range(INSTANCES // 2):  # scipy's frozen distributions are slow to build: half as many
        demand, sd, level = rng.uniform(0.5, 200), rng.uniform(0.1, 80), rng.uniform(0.6, 0.995)
        lead_times = rng.choice(np.arange(1, 41), size=rng.integers(2, 6), replace=False)
        weights = rng.dirichlet(np.ones(len(lead_times)))
        source = DemandSource(type="N", mean=demand, standard_deviation=sd)
        # Mixture over the lead time: E[X] = Σ w·mean_L, E[X²] = Σ w·(var_L + mean_L²).
        first = second = 0.0
        for lead, weight in zip(lead_times, weights, strict=True):
            over_lead = source.lead_time_demand_distribution(int(lead))
            first += weight * over_lead.mean()
            second += weight * (over_lead.var() + over_lead.mean() ** 2)
        true_sd = math.sqrt(second - first**2)
        mean_lead = float(np.dot(weights, lead_times))
        lead_sd = math.sqrt(float(np.dot(weights, (lead_times - mean_lead) ** 2)))
        safety = safety_stock(service_level=level, demand_per_day=demand, demand_sd_per_day=sd,
                              lead_time_days=mean_lead, lead_time_sd_days=lead_sd)
        assert first == pytest.approx(demand * mean_lead, rel=1e-9)
        assert safety / service_z(level) == pytest.approx(true_sd, rel=1e-9)
