"""The planner's per-SKU decision (planning.replenishment): pure, no database."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from inden.planning.replenishment import (
    EventDemand,
    LeadTimeSpread,
    PlanSettings,
    Position,
    SkuInputs,
    abc_service_levels,
    apply_events,
    cover_days,
    plan_sku,
    units_over,
)
from inden.planning.suppliers import SupplierOption

TODAY = date(2026, 12, 1)
SETTINGS = PlanSettings(service_level=0.95)
SLOW = SupplierOption(supplier="MURAH", unit_cost=30_000, lead_time_days=30, moq=10, pack_size=6)
FAST = SupplierOption(supplier="CEPAT", unit_cost=33_000, lead_time_days=3)


def decide(position: Position, *, rate: float = 10.0, sigma: float = 3.0, options=(SLOW, FAST),  # type: ignore[no-untyped-def]
           events=(), spreads=None):
    return plan_sku(SkuInputs(position, np.full(56, rate), sigma, list(options)), spreads or {}, list(events),
                    today=TODAY, settings=SETTINGS, abc={})


def position(on_hand: int = 0, *, allocated: int = 0, backordered: int = 0, incoming: int = 0, **kw) -> Position:  # type: ignore[no-untyped-def]
    return Position(sku="KOPI", on_hand=on_hand, allocated=allocated, backordered=backordered, incoming=incoming,
                    **kw)


def test_reorder_point_is_lead_time_demand_plus_safety_stock() -> None:
    plan = decide(position(20))
    assert plan.reorder_point == pytest.approx(plan.forecast_lead_time + plan.safety_stock)
    assert plan.safety_stock > 0 and plan.quantity > 0


def test_nothing_is_ordered_above_the_reorder_point() -> None:
    plan = decide(position(10_000))
    assert plan.quantity == 0 and plan.supplier is None and plan.reason == "" and not plan.below_reorder_point


@given(st.integers(0, 2000), st.integers(0, 2000))
@example(0, 14)  # the shortfall alone lands exactly on the reorder point
def test_after_ordering_the_inventory_position_is_back_above_the_reorder_point(on_hand: int, incoming: int) -> None:
    plan = decide(position(on_hand, incoming=incoming))
    if plan.below_reorder_point:
        assert plan.inventory_position + plan.quantity > plan.reorder_point
    else:
        assert plan.quantity == 0


def test_allocated_and_waiting_units_do_not_count_as_stock() -> None:
    plan = decide(position(100, allocated=60, backordered=30, incoming=5))
    assert plan.inventory_position == 100 - 60 - 30 + 5


def test_storage_room_caps_the_order() -> None:
    plan = decide(position(20, max_stock=50))
    assert 0 < plan.quantity <= 30


def test_no_supplier_offer_is_said_plainly() -> None:
    plan = decide(position(0), options=())
    assert plan.quantity == 0 and "no supplier offers" in plan.reason


def test_supplier_delay_spread_raises_safety_stock() -> None:
    steady = decide(position(0), options=(FAST,))
    late = decide(position(0), options=(FAST,), spreads={"CEPAT": LeadTimeSpread(2.0, 4.0)})
    assert late.safety_stock > steady.safety_stock and late.lead_time_days == steady.lead_time_days + 2


def test_an_event_inside_the_lead_time_adds_its_demand() -> None:
    event = EventDemand(name="12.12", skus=frozenset({"KOPI"}), starts_on=TODAY + timedelta(days=1),
                        ends_on=TODAY + timedelta(days=1), expected_units=300)
    plain, lifted = decide(position(0), options=(FAST,)), decide(position(0), options=(FAST,), events=[event])
    assert lifted.forecast_lead_time - plain.forecast_lead_time == pytest.approx(290)
    assert lifted.events == ["12.12"]


def test_apply_events_multiplies_or_sets_the_window_and_ignores_other_skus() -> None:
    path = np.full(10, 2.0)
    uplift = EventDemand(name="promo", skus=frozenset({"A"}), starts_on=TODAY + timedelta(days=2),
                         ends_on=TODAY + timedelta(days=3), uplift=3.0)
    units = EventDemand(name="launch", skus=frozenset({"A"}), starts_on=TODAY - timedelta(days=1),
                        ends_on=TODAY, expected_units=20)
    assert apply_events(path, [uplift], sku="A", today=TODAY).tolist() == [2, 2, 6, 6, 2, 2, 2, 2, 2, 2]
    assert apply_events(path, [units], sku="A", today=TODAY)[:2].tolist() == [10, 2]  # 20 over 2 days
    assert apply_events(path, [uplift], sku="B", today=TODAY).tolist() == path.tolist()


def test_units_over_counts_fractional_days_and_cover_days_inverts_it() -> None:
    path = np.array([1.0, 2.0, 3.0, 4.0])
    assert units_over(path, 2.5) == pytest.approx(4.5)
    assert cover_days(path, 6.0) == 3 and cover_days(path, 5.9) == 2 and cover_days(path, 0) == 0


def test_abc_classes_follow_revenue_share() -> None:
    levels = abc_service_levels({"A": 700.0, "B": 200.0, "C": 60.0, "D": 40.0}, (0.98, 0.95, 0.9))
    assert levels == {"A": 0.98, "B": 0.98, "C": 0.95, "D": 0.9}


def test_the_cost_rule_sets_the_service_level_from_margin_and_holding_cost() -> None:
    from inden.planning.inventory_policy import service_level_by_cost

    cheap = SupplierOption(supplier="A", unit_cost=30_000, lead_time_days=3)
    settings = PlanSettings(service_level="cost", holding_cost_rate_per_year=0.25)
    plan = plan_sku(SkuInputs(position(0, price=60_000), np.full(56, 10.0), 3.0, [cheap]), {}, [], today=TODAY,
                    settings=settings, abc={})
    assert plan.service_level == pytest.approx(service_level_by_cost(
        unit_margin=30_000, holding_cost_per_unit_day=30_000 * 0.25 / 365, review_days=1))
    own = plan_sku(SkuInputs(position(0, price=60_000, service_level=0.9), np.full(56, 10.0), 3.0, [cheap]), {},
                   [], today=TODAY, settings=settings, abc={})
    assert own.service_level == 0.9  # the product's own target wins


@pytest.mark.parametrize("rule", ["sometimes", "1.2", "0.3"])
def test_an_unusable_shop_service_level_is_a_clear_error(rule: str) -> None:
    from inden.config import Settings
    from inden.domain.errors import InvalidRequest
    from inden.services.planning.snapshot import plan_settings

    with pytest.raises(InvalidRequest, match="INDEN_SERVICE_LEVEL"):
        plan_settings(Settings(service_level=rule))
    assert plan_settings(Settings(service_level="0.97")).service_level == 0.97
