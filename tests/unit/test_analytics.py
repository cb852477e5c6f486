"""The seller's figures: rates that add up, waiting-time summaries that are orderly (Hypothesis)."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given
from hypothesis import strategies as st

from inden.domain.analytics import RISKY, Demand, at_risk, is_at_risk, wait_summary


@st.composite
def demands(draw: st.DrawFn) -> Demand:
    ordered = draw(st.integers(0, 10_000))
    return Demand(ordered, draw(st.integers(0, ordered)), draw(st.integers(0, 10_000)))


@given(demands())
def test_every_unit_asked_for_is_filled_backordered_or_lost(demand: Demand) -> None:
    if demand.asked == 0:
        assert demand.fill_rate is demand.backorder_rate is demand.lost_rate is None
        return
    assert demand.fill_rate is not None and demand.backorder_rate is not None and demand.lost_rate is not None
    assert 0 <= demand.fill_rate <= 1
    assert abs(demand.fill_rate + demand.backorder_rate + demand.lost_rate - 1) < 1e-9


waits = st.lists(st.tuples(st.floats(0, 400, allow_nan=False), st.integers(1, 50)), max_size=60)


@given(waits)
def test_wait_summary_is_orderly_and_counts_every_line(waiting: list[tuple[float, int]]) -> None:
    summary = wait_summary(waiting)
    assert summary.lines == len(waiting) == sum(summary.buckets.values())
    assert summary.units == sum(units for _, units in waiting)
    if waiting:
        ages = [age for age, _ in waiting]
        assert summary.p50_days is not None and summary.p90_days is not None and summary.mean_days is not None
        assert min(ages) <= summary.p50_days <= summary.p90_days <= summary.max_days == max(ages)
        assert min(ages) - 1e-9 <= summary.mean_days <= max(ages) + 1e-9
        assert summary.p50_days in ages and summary.p90_days in ages


def test_bucket_edges_are_whole_days() -> None:
    summary = wait_summary([(2.9, 1), (3.0, 1), (14.99, 1), (15.0, 1), (0.0, 1)])
    assert summary.buckets == {"0-2": 2, "3-7": 1, "8-14": 1, "15+": 1}


@dataclass(frozen=True)
class Figures:
    sku: str
    estimated_units: int = 0
    stockout_risk: float | None = None
    below_reorder_point: bool = False


def test_a_product_is_at_risk_for_unscheduled_waiters_a_low_stock_or_a_high_risk() -> None:
    assert not is_at_risk(Figures("CALM", stockout_risk=RISKY - 0.01))
    assert is_at_risk(Figures("WAITING", estimated_units=1))
    assert is_at_risk(Figures("LOW", below_reorder_point=True))
    assert is_at_risk(Figures("RISKY", stockout_risk=RISKY))


figures = st.builds(Figures, sku=st.text("ABC", min_size=1, max_size=3), estimated_units=st.integers(0, 50),
                    stockout_risk=st.none() | st.floats(0, 1), below_reorder_point=st.booleans())


@given(st.lists(figures, max_size=40))
def test_at_risk_lists_only_products_at_risk_worst_first_and_at_most_twenty(products: list[Figures]) -> None:
    listed = at_risk(products)
    assert len(listed) == min(20, sum(is_at_risk(p) for p in products))
    assert all(is_at_risk(p) for p in listed)
    keys = [(-p.estimated_units, -(p.stockout_risk or 0), p.sku) for p in listed]
    assert keys == sorted(keys)
