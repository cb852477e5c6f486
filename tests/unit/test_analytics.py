"""The seller's figures: rates that add up, waiting-time summaries that are orderly (Hypothesis)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from inden.domain.analytics import Demand, wait_summary


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
