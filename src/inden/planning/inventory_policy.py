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
    lead_time_sd_days: float = 0.0, undershoot_sd: float = 0.0,
) -> float: ...
@overload
def safety_stock(
    *, service_level: Values, demand_per_day: Values, demand_sd_per_day: Values, lead_time_days: Values,
    lead_time_sd_days: Values = 0.0, undershoot_sd: Values = 0.0,
) -> FloatArray: ...
def safety_stock(
    *, service_level: Values, demand_per_day: Values, demand_sd_per_day: Values, lead_time_days: Values,
    lead_time_sd_days: Values = 0.0, undershoot_sd: Values = 0.0,
) -> float | FloatArray:
    """Units held beyond expected lead-time demand: z(service_level) * sqrt(L * sd_d^2 + d^2 * sd_L^2).

    Covers both demand variability and supplier lead-time variability (see `lead_time_demand_sd`), assuming
    lead-time demand is roughly normal. Negative when service_level < 0.5 (planning below the mean).
    With a daily review, pass `undershoot_sd` (see `undershoot_sd()`): its variance is added under the root.
    """
    z = _floats(service_z(_floats(service_level)))
    sigma = lead_time_demand_sd(demand_per_day=_floats(demand_per_day), demand_sd_per_day=_floats(demand_sd_per_day),
                                lead_time_days=_floats(lead_time_days), lead_time_sd_days=_floats(lead_time_sd_days))
    return _out(z * np.sqrt(sigma**2 + _floats(undershoot_sd) ** 2))


def _ladder_moments(demand_per_day: Values, demand_sd_per_day: Values) -> tuple[FloatArray, FloatArray]:
    """Mean and variance of the undershoot (see `expected_undershoot`)."""
    m, sd = _floats(demand_per_day), _floats(demand_sd_per_day)
    if np.any(m < 0) or np.any(sd < 0):
        raise ValueError("demand_per_day and demand_sd_per_day must be non-negative")
    v = sd**2
    selling = m > 0
    safe_m = np.where(selling, m, 1.0)
    # Third central moment of the whole-unit distribution matched to (m, v) in stock-out risk's family.
    third = v * (2 * v / safe_m - 1)
    raw2, raw3 = v + m**2, third + 3 * m * v + m**3
    # The position overshoots the level below the reorder point by k >= 1 with probability P(D >= k) / E[D].
    over1 = (raw2 + m) / (2 * safe_m)
    over2 = (2 * raw3 + 3 * raw2 + m) / (6 * safe_m)
    mean = np.where(selling, np.maximum(over1 - 1, 0.0), 0.0)
    variance = np.where(selling, np.maximum(over2 - over1**2, 0.0), 0.0)
    return mean, variance


@overload
def expected_undershoot(*, demand_per_day: float, demand_sd_per_day: float) -> float: ...  # type: ignore[overload-overlap]
@overload
def expected_undershoot(*, demand_per_day: Values, demand_sd_per_day: Values) -> FloatArray: ...
def expected_undershoot(*, demand_per_day: Values, demand_sd_per_day: Values) -> float | FloatArray:
    """Units by which a daily-reviewed inventory position is, on average, already below the reorder point
    when the order goes out: E[D^2] / (2 E[D]) - 1/2 for whole-unit daily demand D (renewal theory).

    Zero when demand comes one unit at a time; about half a day's demand for Poisson demand; large for lumpy
    demand. Add it to the reorder point (and `undershoot_sd` to the safety stock) so that the cycle service
    level is the one asked for. 0 without demand.
    """
    mean, _ = _ladder_moments(demand_per_day, demand_sd_per_day)
    return _out(mean)


@overload
def undershoot_sd(*, demand_per_day: float, demand_sd_per_day: float) -> float: ...  # type: ignore[overload-overlap]
@overload
def undershoot_sd(*, demand_per_day: Values, demand_sd_per_day: Values) -> FloatArray: ...
def undershoot_sd(*, demand_per_day: Values, demand_sd_per_day: Values) -> float | FloatArray:
    """Standard deviation of that undershoot, in units: it adds to the uncertainty a safety stock must cover.

    Needs the third moment of daily demand, taken from the distribution matched to its mean and variance
    that stock-out risk uses (negative binomial, Poisson or binomial). 0 for unit demand or no demand.
    """
    _, variance = _ladder_moments(demand_per_day, demand_sd_per_day)
    return _out(np.sqrt(variance))


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
def reorder_point_for_service(  # type: ignore[overload-overlap]
    *, service_level: float, demand_per_day: float, demand_sd_per_day: float, lead_time_days: float,
    lead_time_sd_days: float = 0.0, daily_review: bool = True, error_variance: float | None = None,
) -> float: ...
@overload
def reorder_point_for_service(
    *, service_level: Values, demand_per_day: Values, demand_sd_per_day: Values, lead_time_days: Values,
    lead_time_sd_days: Values = 0.0, daily_review: bool = True, error_variance: Values | None = None,
) -> FloatArray: ...
def reorder_point_for_service(
    *, service_level: Values, demand_per_day: Values, demand_sd_per_day: Values, lead_time_days: Values,
    lead_time_sd_days: Values = 0.0, daily_review: bool = True, error_variance: Values | None = None,
) -> float | FloatArray:
    """Whole-unit reorder point whose cycle service level is nearest `service_level`, for any demand shape.

    Demand until an order placed now arrives (mean d*L, sd as in `lead_time_demand_sd`, plus the undershoot
    of a daily review when `daily_review`) is given the whole-unit distribution that stock-out risk uses
    (negative binomial / Poisson / binomial matched to mean and variance). Of the two whole-unit levels
    around the service level's quantile, the one whose P(demand <= level) is nearer the target is taken,
    so that across many SKUs the service achieved averages the target instead of always overshooting it.
    For fast movers with near-Poisson spread this equals lead-time demand + `safety_stock` within a unit or
    two; for slow and lumpy ones it respects their right skew (a normal safety stock under-protects them).
    Safety stock to report: the result minus d*L. `error_variance`: the measured variance of the forecast's
    error over the lead time (`inden.planning.lead_time_demand`), replacing L * sd_d^2, which assumes the
    days' errors independent.
    """
    from inden.planning.risk import demand_quantile, stockout_risk

    level, d, sd_d = _floats(service_level), _floats(demand_per_day), _floats(demand_sd_per_day)
    service_z(level)  # validates the range
    if error_variance is None:
        variance = _floats(lead_time_demand_sd(demand_per_day=d, demand_sd_per_day=sd_d,
                                               lead_time_days=_floats(lead_time_days),
                                               lead_time_sd_days=_floats(lead_time_sd_days))) ** 2
    else:  # the measured forecast error replaces L * sd_d^2; the lead time's own spread still adds d^2 * sd_L^2
        variance = _floats(error_variance) + (d * _floats(lead_time_sd_days)) ** 2
    mean = d * _floats(lead_time_days)
    if daily_review:
        under_mean, under_variance = _ladder_moments(d, sd_d)
        mean, variance = mean + under_mean, variance + under_variance
    sd = np.sqrt(variance)
    upper = _floats(demand_quantile(probability=level, demand_mean=mean, demand_sd=sd))
    lower = np.maximum(upper - 1, 0.0)
    cover_upper = 1 - _floats(stockout_risk(inventory_position=upper, demand_mean=mean, demand_sd=sd))
    cover_lower = 1 - _floats(stockout_risk(inventory_position=lower, demand_mean=mean, demand_sd=sd))
    nearer_lower = (upper >= 1) & (np.abs(cover_lower - level) < np.abs(cover_upper - level))
    return _out(np.where(nearer_lower, lower, upper))


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
