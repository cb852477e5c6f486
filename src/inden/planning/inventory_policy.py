"""Inventory policy maths: service level, safety stock, reorder point, order quantity, days of cover.

Units are "units" of stock and "days"; costs are money per unit (holding costs per unit per day or year).
Every function takes scalars or numpy arrays (elementwise, broadcast together) so the planner can run it
over all SKUs at once; scalars in give a Python scalar out, any array in gives an array out.
"""

from __future__ import annotations

from typing import Any, overload

import numpy as np
import numpy.typing as npt
from scipy import special

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
Values = float | npt.NDArray[Any]

LOWEST_SERVICE_LEVEL = 0.5  # below this a shop plans to run out more often than not
HIGHEST_SERVICE_LEVEL = 0.995  # above this safety stock grows steeply for little gain


def _out(values: FloatArray) -> float | FloatArray:
    return float(values) if values.ndim == 0 else values


def _floats(values: Values) -> FloatArray:
    return np.asarray(values, dtype=np.float64)


@overload
def service_z(service_level: float) -> float: ...
@overload
def service_z(service_level: npt.NDArray[Any]) -> FloatArray: ...
def service_z(service_level: Values) -> float | FloatArray:
    """Standard normal quantile for a cycle service level (the chance a replenishment cycle has no stock-out).

    `service_level` must lie strictly between 0 and 1 (ValueError otherwise).
    """
    level = _floats(service_level)
    if np.any(~((level > 0) & (level < 1))):
        raise ValueError("service_level must be strictly between 0 and 1")
    return _out(special.ndtri(level))


@overload
def critical_ratio(*, underage_cost: float, overage_cost: float) -> float: ...  # type: ignore[overload-overlap]
@overload
def critical_ratio(*, underage_cost: Values, overage_cost: Values) -> FloatArray: ...
def critical_ratio(*, underage_cost: Values, overage_cost: Values) -> float | FloatArray:
    """Newsvendor critical ratio cu / (cu + co): the service level at which the last unit stocked pays.

    `underage_cost`: money lost per unit short; `overage_cost`: money lost per unit left over. Both >= 0 and
    not both 0 (ValueError otherwise).
    """
    under, over = _floats(underage_cost), _floats(overage_cost)
    if np.any(under < 0) or np.any(over < 0) or np.any(under + over <= 0):
        raise ValueError("costs must be non-negative and not both zero")
    return _out(under / (under + over))


@overload
def service_level_by_cost(*, unit_margin: float, holding_cost_per_unit_day: float, review_days: float) -> float: ...  # type: ignore[overload-overlap]
@overload
def service_level_by_cost(
    *, unit_margin: Values, holding_cost_per_unit_day: Values, review_days: Values
) -> FloatArray: ...
def service_level_by_cost(
    *, unit_margin: Values, holding_cost_per_unit_day: Values, review_days: Values
) -> float | FloatArray:
    """Service level chosen by cost: the critical ratio of the unit margin against holding a unit one period.

    Underage = `unit_margin` (what a sale lost to a stock-out costs); overage = holding one extra unit for
    `review_days`, the period until the next order could be placed (a unit of safety stock that was not
    needed in this cycle is carried at least that long before the next order would bring it anyway).
    Clipped to [LOWEST_SERVICE_LEVEL, HIGHEST_SERVICE_LEVEL] = [0.5, 0.995]. Margin >= 0, holding cost > 0,
    review_days > 0.
    """
    holding, days = _floats(holding_cost_per_unit_day), _floats(review_days)
    if np.any(holding <= 0) or np.any(days <= 0):
        raise ValueError("holding_cost_per_unit_day and review_days must be positive")
    ratio = critical_ratio(underage_cost=_floats(unit_margin), overage_cost=holding * days)
    return _out(np.clip(ratio, LOWEST_SERVICE_LEVEL, HIGHEST_SERVICE_LEVEL))


@overload
def lead_time_demand_sd(  # type: ignore[overload-overlap]
    *, demand_per_day: float, demand_sd_per_day: float, lead_time_days: float, lead_time_sd_days: float = 0.0
) -> float: ...
@overload
def lead_time_demand_sd(
    *, demand_per_day: Values, demand_sd_per_day: Values, lead_time_days: Values, lead_time_sd_days: Values = 0.0
) -> FloatArray: ...
def lead_time_demand_sd(
    *, demand_per_day: Values, demand_sd_per_day: Values, lead_time_days: Values, lead_time_sd_days: Values = 0.0
) -> float | FloatArray:
    """Standard deviation of demand over a random lead time: sqrt(L * sd_d^2 + d^2 * sd_L^2) units.

    Daily demands independent with mean d and sd sd_d, lead time independent of demand with mean L and
    sd sd_L (days). All inputs >= 0.
    """
    d, sd_d = _floats(demand_per_day), _floats(demand_sd_per_day)
    lead, sd_lead = _floats(lead_time_days), _floats(lead_time_sd_days)
    if any(np.any(v < 0) for v in (d, sd_d, lead, sd_lead)):
        raise ValueError("demand, lead time and their spreads must be non-negative")
    return _out(np.sqrt(lead * sd_d**2 + d**2 * sd_lead**2))


@overload
def safety_stock(  # type: ignore[overload-overlap]
    *, service_level: float, demand_per_day: float, demand_sd_per_day: float, lead_time_days: float,
    lead_time_sd_days: float = 0.0,
) -> float: ...
@overload
def safety_stock(
    *, service_level: Values, demand_per_day: Values, demand_sd_per_day: Values, lead_time_days: Values,
    lead_time_sd_days: Values = 0.0,
) -> FloatArray: ...
def safety_stock(
    *, service_level: Values, demand_per_day: Values, demand_sd_per_day: Values, lead_time_days: Values,
    lead_time_sd_days: Values = 0.0,
) -> float | FloatArray:
    """Units held beyond expected lead-time demand: z(service_level) * sqrt(L * sd_d^2 + d^2 * sd_L^2).

    Covers both demand variability and supplier lead-time variability (see `lead_time_demand_sd`), assuming
    lead-time demand is roughly normal. Negative when service_level < 0.5 (planning below the mean).
    """
    z = _floats(service_z(_floats(service_level)))
    sigma = lead_time_demand_sd(demand_per_day=_floats(demand_per_day), demand_sd_per_day=_floats(demand_sd_per_day),
                                lead_time_days=_floats(lead_time_days), lead_time_sd_days=_floats(lead_time_sd_days))
    return _out(z * sigma)


@overload
def expected_undershoot(*, demand_per_day: float, demand_sd_per_day: float) -> float: ...  # type: ignore[overload-overlap]
@overload
def expected_undershoot(*, demand_per_day: Values, demand_sd_per_day: Values) -> FloatArray: ...
def expected_undershoot(*, demand_per_day: Values, demand_sd_per_day: Values) -> float | FloatArray:
    """Units by which a daily-reviewed inventory position is, on average, already below the reorder point
    when the order goes out: E[D^2] / (2 E[D]) - 1/2 for whole-unit daily demand D (renewal theory).

    Zero when demand comes one unit at a time; about half a day's demand for Poisson demand; large for lumpy
    demand. Add it to the reorder point so the cycle service level is the one asked for. 0 when d = 0.
    """
    d, sd_d = _floats(demand_per_day), _floats(demand_sd_per_day)
    with np.errstate(divide="ignore", invalid="ignore"):
        under = np.where(d > 0, (sd_d**2 + d**2) / (2 * np.where(d > 0, d, 1.0)) - 0.5, 0.0)
    return _out(np.maximum(under, 0.0))


@overload
def reorder_point(*, lead_time_demand: float, safety_stock: float, undershoot: float = 0.0) -> float: ...  # type: ignore[overload-overlap]
@overload
def reorder_point(*, lead_time_demand: Values, safety_stock: Values, undershoot: Values = 0.0) -> FloatArray: ...
def reorder_point(*, lead_time_demand: Values, safety_stock: Values, undershoot: Values = 0.0) -> float | FloatArray:
    """Inventory position (on hand + incoming - backordered) at or below which an order is due, in units.

    Expected demand over the lead time plus safety stock, plus the optional `expected_undershoot`.
    """
    return _out(_floats(lead_time_demand) + _floats(safety_stock) + _floats(undershoot))


@overload
def economic_order_quantity(*, annual_demand: float, order_cost: float, holding_cost_per_unit_year: float) -> float: ...  # type: ignore[overload-overlap]
@overload
def economic_order_quantity(
    *, annual_demand: Values, order_cost: Values, holding_cost_per_unit_year: Values
) -> FloatArray: ...
def economic_order_quantity(
    *, annual_demand: Values, order_cost: Values, holding_cost_per_unit_year: Values
) -> float | FloatArray:
    """Wilson's EOQ sqrt(2 D K / h) in units: the order size balancing ordering against holding cost.

    `annual_demand` D units per year (>= 0), `order_cost` K money per order (>= 0), `holding_cost_per_unit_year`
    h money per unit per year (> 0). Any consistent time unit works (per-day demand with per-day holding).
    """
    demand, cost, holding = _floats(annual_demand), _floats(order_cost), _floats(holding_cost_per_unit_year)
    if np.any(demand < 0) or np.any(cost < 0) or np.any(holding <= 0):
        raise ValueError("demand and order cost must be non-negative and holding cost positive")
    return _out(np.sqrt(2 * demand * cost / holding))


@overload
def order_quantity(
    *, economic_quantity: float, shortfall: float, moq: int, pack_size: int, capacity_room: float | None = None
) -> int: ...
@overload
def order_quantity(
    *, economic_quantity: Values, shortfall: Values, moq: Values, pack_size: Values, capacity_room: Values | None = None
) -> IntArray: ...
def order_quantity(
    *, economic_quantity: Values, shortfall: Values, moq: Values, pack_size: Values, capacity_room: Values | None = None
) -> int | IntArray:
    """Units to order: at least the shortfall and the EOQ, rounded up to the MOQ and to whole packs.

    `shortfall`: units needed to lift the inventory position back above the reorder point. 0 when both the
    shortfall and the EOQ are <= 0 (nothing needed). `capacity_room` (units of free storage, None: unlimited)
    caps the order, rounded down to whole packs; if that is below the supplier's minimum order (MOQ rounded
    up to whole packs) nothing can be ordered and the result is 0, which the caller should explain.
    `moq` >= 1 and `pack_size` >= 1 (ValueError otherwise).
    """
    minimum, pack = _floats(moq), _floats(pack_size)
    if np.any(minimum < 1) or np.any(pack < 1):
        raise ValueError("moq and pack_size must be at least 1")
    wanted = np.ceil(np.maximum(_floats(economic_quantity), _floats(shortfall)) - 1e-9)
    smallest = np.ceil(minimum / pack) * pack  # the smallest order the supplier accepts
    units = np.where(wanted > 0, np.ceil(np.maximum(wanted, minimum) / pack) * pack, 0.0)
    if capacity_room is not None:
        room = np.floor(np.maximum(_floats(capacity_room), 0.0) / pack) * pack
        units = np.where(room >= smallest, np.minimum(units, room), 0.0)
    result = units.astype(np.int64)
    return int(result) if result.ndim == 0 else result


@overload
def days_of_cover(*, units: float, demand_per_day: float) -> float: ...  # type: ignore[overload-overlap]
@overload
def days_of_cover(*, units: Values, demand_per_day: Values) -> FloatArray: ...
def days_of_cover(*, units: Values, demand_per_day: Values) -> float | FloatArray:
    """Days the stock lasts at the expected daily demand: units / demand_per_day.

    inf when demand_per_day is 0 (nothing will use the stock up); 0 for no or negative stock with demand.
    """
    stock, rate = np.maximum(_floats(units), 0.0), _floats(demand_per_day)
    if np.any(rate < 0):
        raise ValueError("demand_per_day must be non-negative")
    with np.errstate(divide="ignore", invalid="ignore"):
        cover = np.where(rate > 0, stock / np.where(rate > 0, rate, 1.0), np.inf)
    return _out(cover)
