"""Policy simulation: replay a daily demand history under a replenishment policy and measure the service.

Each replayed day, for every SKU at once: (1) the day's demand is served from stock on hand, the rest is
backordered; (2) at the end of the day purchase orders due that day arrive, and waiting backorders are served
first; (3) the policy looks at the inventory position (on hand + on order - backordered) and may order. An
order placed on day t with a lead time of L days arrives at the end of day t + L, so it must be covered by L
days of demand (L >= 1). Lead times are drawn per order (normal, rounded to whole days) or taken from a
given list. The first `warmup_days` of the history are only learnt from, not replayed.

Policies: `IndenPolicy` (safety stock, reorder point and EOQ re-estimated weekly from trailing demand) and
`MinMaxPolicy` (a static min/max rule as sellers use today, set once from the whole history's average).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from inden.planning.inventory_policy import economic_order_quantity, order_quantity, reorder_point_for_service

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


# --- policies ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PolicyInputs:
    """What a policy may know when it sets its levels. Arrays have one row (or entry) per SKU."""

    past_demand: FloatArray  # units per day before today, oldest first (SKUs x days)
    all_demand: FloatArray  # the whole history, replayed days included: only a static rule "set once" uses it
    lead_time_days: FloatArray  # mean supplier lead time
    lead_time_sd_days: FloatArray  # its standard deviation
    order_cost: FloatArray  # money per purchase order
    holding_cost_per_unit_day: FloatArray


@dataclass(frozen=True, slots=True)
class Levels:
    """A policy's levels per SKU, in units: order when the position is at or below `reorder_at`; the order
    lifts the position to at least `order_up_to` and is at least `economic_quantity` (then MOQ and packs)."""

    reorder_at: FloatArray
    order_up_to: FloatArray
    economic_quantity: FloatArray

    def starting_stock(self) -> FloatArray:
        """Stock on hand when the replay starts, as if the policy had just received an order."""
        return np.ceil(np.maximum(self.order_up_to, self.reorder_at + self.economic_quantity))


class Policy(Protocol):
    @property
    def name(self) -> str:
        """Shown in reports and charts."""
        ...

    @property
    def reestimate_every_days(self) -> int:
        """Days between re-estimations of the levels (0: set once at the start)."""
        ...

    def levels(self, inputs: PolicyInputs) -> Levels: ...


@dataclass(frozen=True, slots=True)
class IndenPolicy:
    """inden's policy: every `reestimate_every_days`, from the trailing `window_days` of demand (mean and
    sd per day), set the reorder point for `service_level` (`reorder_point_for_service`: demand and
    lead-time spread and the daily review's undershoot) and the EOQ; order the larger of the EOQ and the
    shortfall below the reorder point, rounded to MOQ and packs."""

    service_level: float = 0.95
    reestimate_every_days: int = 7
    window_days: int = 365
    name: str = "inden"

    def levels(self, inputs: PolicyInputs) -> Levels:
        recent = inputs.past_demand[:, -self.window_days:]
        if recent.shape[1] == 0:
            raise ValueError("inden's policy needs some demand history: give warmup_days >= 1")
        per_day = recent.mean(axis=1)
        sd = recent.std(axis=1, ddof=1) if recent.shape[1] > 1 else np.sqrt(per_day)
        rop = reorder_point_for_service(service_level=np.full_like(per_day, self.service_level),
                                        demand_per_day=per_day, demand_sd_per_day=sd,
                                        lead_time_days=inputs.lead_time_days,
                                        lead_time_sd_days=inputs.lead_time_sd_days)
        eoq = economic_order_quantity(annual_demand=per_day * 365, order_cost=inputs.order_cost,
                                      holding_cost_per_unit_year=inputs.holding_cost_per_unit_day * 365)
        return Levels(reorder_at=rop, order_up_to=np.floor(rop) + 1, economic_quantity=eoq)


@dataclass(frozen=True, slots=True)
class MinMaxPolicy:
    """A static min/max rule as sellers set it today, from the whole history's average daily demand:
    min = average x (lead time + `safety_days`), max = min + average x `cycle_days`; when the position is at
    or below min, order up to max. Days may be one number for all SKUs or one per SKU."""

    safety_days: float | FloatArray
    cycle_days: float | FloatArray
    name: str = "min/max"
    reestimate_every_days: int = 0

    def levels(self, inputs: PolicyInputs) -> Levels:
        average = inputs.all_demand.mean(axis=1)
        low = np.round(average * (inputs.lead_time_days + self.safety_days))
        high = np.maximum(np.round(low + average * self.cycle_days), low + 1)
        return Levels(reorder_at=low, order_up_to=high, economic_quantity=np.zeros_like(low))


# --- results -------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SimulationResult:
    """Service and cost of one policy over the replayed days (one SKU, or several pooled).

    fill_rate: units served from stock on the day they were ordered / units demanded (1 with no demand).
    cycle_service_level: share of replenishment cycles (receipt to next receipt) in which no unit had to be
    backordered (1 with no complete cycle). backorder_days: sum over days of units waiting at day's end.
    average_inventory: mean units on hand at day's end. Daily arrays are at day's end, summed over SKUs.
    """

    units_demanded: int
    units_served_from_stock: int
    units_backordered: int
    units_served_late: int  # backordered units served by a receipt within the replay
    backorder_days: int
    cycles: int
    cycles_with_stockout: int
    average_inventory: float
    holding_cost: float
    orders_placed: int
    on_hand: IntArray
    backordered: IntArray
    inventory_position: IntArray

    @property
    def fill_rate(self) -> float:
        return self.units_served_from_stock / self.units_demanded if self.units_demanded else 1.0

    @property
    def cycle_service_level(self) -> float:
        return 1 - self.cycles_with_stockout / self.cycles if self.cycles else 1.0


def _aligned_sum(series: Sequence[IntArray]) -> IntArray:
    """Daily series of different lengths summed day by day, aligned at their last day (replays that end on
    the same day but started on different days)."""
    longest = max(len(s) for s in series)
    total = np.zeros(longest, dtype=np.int64)
    for s in series:
        total[longest - len(s):] += s
    return total


def pooled(results: Sequence[SimulationResult]) -> SimulationResult:
    """Several SKUs' results as one portfolio: counts and costs added, rates recomputed from the totals;
    daily series added day by day, aligned at the end (a SKU with a shorter replay adds nothing before it)."""
    if not results:
        raise ValueError("nothing to pool")
    return SimulationResult(
        units_demanded=sum(r.units_demanded for r in results),
        units_served_from_stock=sum(r.units_served_from_stock for r in results),
        units_backordered=sum(r.units_backordered for r in results),
        units_served_late=sum(r.units_served_late for r in results),
        backorder_days=sum(r.backorder_days for r in results),
        cycles=sum(r.cycles for r in results),
        cycles_with_stockout=sum(r.cycles_with_stockout for r in results),
        average_inventory=sum(r.average_inventory for r in results),
        holding_cost=sum(r.holding_cost for r in results),
        orders_placed=sum(r.orders_placed for r in results),
        on_hand=_aligned_sum([r.on_hand for r in results]),
        backordered=_aligned_sum([r.backordered for r in results]),
        inventory_position=_aligned_sum([r.inventory_position for r in results]),
    )


# --- the replay ----------------------------------------------------------------------------------------------


def _per_sku(value: float | Sequence[float] | FloatArray, skus: int, name: str) -> FloatArray:
    array = np.broadcast_to(np.asarray(value, dtype=np.float64), (skus,)).copy()
    if np.any(array < 0) or np.any(np.isnan(array)):
        raise ValueError(f"{name} must be non-negative")
    return array


def simulate_skus(
    demand: npt.ArrayLike, policy: Policy, *, lead_time_days: float | Sequence[float] | FloatArray,
    lead_time_sd_days: float | Sequence[float] | FloatArray = 0.0, lead_times: Sequence[int] | None = None,
    order_cost: float | Sequence[float] | FloatArray = 50.0,
    holding_cost_per_unit_day: float | Sequence[float] | FloatArray = 0.01,
    moq: int = 1, pack_size: int = 1, warmup_days: int = 91, seed: int = 0,
) -> list[SimulationResult]:
    """Replay daily demand (SKUs x days, whole units >= 0) under `policy`; one result per SKU.

    Lead times (days) per order are round(normal(lead_time_days, lead_time_sd_days)), at least 1; or, when
    `lead_times` is given, its entries in turn for each SKU's successive orders (cycling), and the policy
    is told their mean and spread. Per-SKU arguments take a scalar or one value per SKU. Deterministic for a
    given `seed`. `warmup_days` (>= 1 for inden's policy) are history only: not replayed, not measured.
    """
    units = np.asarray(demand, dtype=np.float64)
    if units.ndim != 2 or np.any(units < 0) or np.any(units != np.round(units)):
        raise ValueError("demand must be SKUs x days of whole, non-negative units")
    skus, days = units.shape
    if not 0 <= warmup_days < days:
        raise ValueError("warmup_days must leave at least one day to replay")
    given = None if lead_times is None else np.asarray(lead_times, dtype=np.int64)
    if given is not None and (given.size == 0 or np.any(given < 1)):
        raise ValueError("lead_times must be a non-empty list of whole days >= 1")
    lead = _per_sku(float(given.mean()) if given is not None else lead_time_days, skus, "lead_time_days")
    spread = _per_sku(float(given.std()) if given is not None else lead_time_sd_days, skus, "lead_time_sd_days")
    costs = _per_sku(order_cost, skus, "order_cost")
    holding = _per_sku(holding_cost_per_unit_day, skus, "holding_cost_per_unit_day")
    if np.any(holding <= 0):
        raise ValueError("holding_cost_per_unit_day must be positive")

    def inputs(today: int) -> PolicyInputs:
        return PolicyInputs(units[:, :today], units, lead, spread, costs, holding)

    rng = np.random.default_rng(seed)
    longest = int(given.max()) if given is not None else int(np.ceil(np.max(lead + 6 * spread))) + 1
    arriving = np.zeros((skus, days + longest + 1))  # units due at the end of each day
    receipts = np.zeros((skus, days + longest + 1), dtype=np.int64)  # orders due at the end of each day
    levels = policy.levels(inputs(warmup_days))
    on_hand = levels.starting_stock()
    on_order, waiting = np.zeros(skus), np.zeros(skus)
    orders = np.zeros(skus, dtype=np.int64)
    replay = days - warmup_days
    daily = {name: np.zeros((skus, replay)) for name in ("on_hand", "waiting", "position", "short", "served")}
    late = np.zeros(skus)
    rows = np.arange(skus)

    for day in range(warmup_days, days):
        i = day - warmup_days
        if policy.reestimate_every_days and i > 0 and i % policy.reestimate_every_days == 0:
            levels = policy.levels(inputs(day))
        wanted = units[:, day]
        served = np.minimum(on_hand, wanted)
        on_hand -= served
        waiting += wanted - served
        arrived = arriving[:, day]
        to_waiting = np.minimum(arrived, waiting)
        waiting -= to_waiting
        late += to_waiting
        on_hand += arrived - to_waiting
        on_order -= arrived
        position = on_hand + on_order - waiting
        due = position <= levels.reorder_at
        if np.any(due):
            size = order_quantity(economic_quantity=levels.economic_quantity, shortfall=levels.order_up_to - position,
                                  moq=moq, pack_size=pack_size)
            size = np.where(due, size, 0)
            ordering = size > 0
            if given is not None:
                days_out = given[orders % given.size]
            else:
                days_out = np.rint(lead + spread * rng.standard_normal(skus)).astype(np.int64)
            days_out = np.clip(days_out, 1, longest)
            at = day + days_out
            np.add.at(arriving, (rows[ordering], at[ordering]), size[ordering])
            np.add.at(receipts, (rows[ordering], at[ordering]), 1)
            on_order += size
            orders += ordering
            position = position + size
        daily["on_hand"][:, i], daily["waiting"][:, i], daily["position"][:, i] = on_hand, waiting, position
        daily["short"][:, i], daily["served"][:, i] = wanted - served, served

    return [
        _result(daily, receipts[k, warmup_days:days], sku=k, late=late[k], orders=int(orders[k]),
                holding=float(holding[k]), demanded=float(units[k, warmup_days:].sum()))
        for k in range(skus)
    ]


def _result(daily: dict[str, FloatArray], receipts: IntArray, *, sku: int, late: float, orders: int,
            holding: float, demanded: float) -> SimulationResult:
    short = daily["short"][sku] > 0
    # Day i belongs to the cycle closed by the first receipt at the end of day i or later; cycle 0 starts
    # from the opening stock, not from a receipt, and the one still open at the end is incomplete: both
    # are left out.
    cycle = np.concatenate([[0], np.cumsum(receipts > 0)[:-1]])
    complete = int(np.count_nonzero(receipts))
    stocked_out = np.zeros(complete + 1, dtype=bool)
    np.logical_or.at(stocked_out, cycle, short)
    on_hand = daily["on_hand"][sku]
    return SimulationResult(
        units_demanded=round(demanded),
        units_served_from_stock=round(float(daily["served"][sku].sum())),
        units_backordered=round(float(daily["short"][sku].sum())),
        units_served_late=round(late),
        backorder_days=round(float(daily["waiting"][sku].sum())),
        cycles=max(complete - 1, 0),
        cycles_with_stockout=int(np.count_nonzero(stocked_out[1:complete])),
        average_inventory=float(on_hand.mean()),
        holding_cost=float(on_hand.sum()) * holding,
        orders_placed=orders,
        on_hand=np.rint(on_hand).astype(np.int64),
        backordered=np.rint(daily["waiting"][sku]).astype(np.int64),
        inventory_position=np.rint(daily["position"][sku]).astype(np.int64),
    )


def simulate(
    demand: npt.ArrayLike, policy: Policy, *, lead_time_days: float, lead_time_sd_days: float = 0.0,
    lead_times: Sequence[int] | None = None, order_cost: float = 50.0, holding_cost_per_unit_day: float = 0.01,
    moq: int = 1, pack_size: int = 1, warmup_days: int = 91, seed: int = 0,
) -> SimulationResult:
    """Replay one SKU's daily demand (whole units >= 0, oldest first) under `policy`. See `simulate_skus`."""
    (result,) = simulate_skus(
        np.asarray(demand, dtype=np.float64)[np.newaxis, :], policy, lead_time_days=lead_time_days,
        lead_time_sd_days=lead_time_sd_days, lead_times=lead_times, order_cost=order_cost,
        holding_cost_per_unit_day=holding_cost_per_unit_day, moq=moq, pack_size=pack_size,
        warmup_days=warmup_days, seed=seed,
    )
    return result


def seller_min_max(*, lead_time_days: float, average_per_day: float, order_cost: float,
                   holding_cost_per_unit_day: float, safety_days: float | None = None) -> MinMaxPolicy:
    """The min/max rule a seller would typically set: half the lead time of safety cover (unless
    `safety_days` is given) and an order cycle as long as the EOQ lasts at the average demand (at least a
    day), so that both policies order about as often and differ only in how they guard against stock-outs."""
    eoq = economic_order_quantity(annual_demand=average_per_day * 365, order_cost=order_cost,
                                  holding_cost_per_unit_year=holding_cost_per_unit_day * 365)
    cycle = max(eoq / average_per_day, 1.0) if average_per_day > 0 else 30.0
    return MinMaxPolicy(safety_days=lead_time_days / 2 if safety_days is None else safety_days, cycle_days=cycle)


def compare_policies(
    demand: npt.ArrayLike, *, lead_time_days: float, lead_time_sd_days: float = 0.0,
    lead_times: Sequence[int] | None = None, service_level: float = 0.95, order_cost: float = 50.0,
    holding_cost_per_unit_day: float = 0.01, moq: int = 1, pack_size: int = 1, warmup_days: int = 91,
    seed: int = 0, min_max: MinMaxPolicy | None = None,
) -> list[tuple[str, SimulationResult]]:
    """Replay one SKU's demand under inden's policy and under a static min/max rule (`seller_min_max`
    unless `min_max` is given), with the same lead-time draws' seed. Returns [(policy name, result)]."""
    history = np.asarray(demand, dtype=np.float64)
    mean_lead = float(np.mean(lead_times)) if lead_times is not None else lead_time_days
    rule = min_max or seller_min_max(lead_time_days=mean_lead, average_per_day=float(history.mean()),
                                     order_cost=order_cost, holding_cost_per_unit_day=holding_cost_per_unit_day)
    policies: list[Policy] = [IndenPolicy(service_level=service_level), rule]
    return [
        (policy.name, simulate(history, policy, lead_time_days=lead_time_days, lead_time_sd_days=lead_time_sd_days,
                               lead_times=lead_times, order_cost=order_cost,
                               holding_cost_per_unit_day=holding_cost_per_unit_day, moq=moq, pack_size=pack_size,
                               warmup_days=warmup_days, seed=seed))
        for policy in policies
    ]


def warmup_days_for(history_days: int, *, longest: int = 91) -> int:
    """Days of a history to learn from before the replay: half of it, at most `longest` (a quarter), so a
    short history is still replayed over as many days as it was learnt from."""
    return min(longest, history_days // 2)


# --- the chart -----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChartLabels:
    """The chart's words, in the reader's language (the caller translates them)."""

    on_hand: str = "units on hand"
    backordered: str = "units backordered"
    day: str = "day of the replay"
    columns: tuple[str, ...] = ("policy", "fill rate", "cycle service", "units backordered", "backorder-days",
                                "avg inventory", "holding cost", "orders")


def write_chart(results: Sequence[tuple[str, SimulationResult]], path: Path, *, title: str,
                labels: ChartLabels | None = None, table_rows: Sequence[Sequence[str]] | None = None) -> Path:
    """Write a PNG: units on hand and units backordered per day for each policy, with a table of fill rate,
    cycle service level, units backordered, backorder-days, average inventory and holding cost (`table_rows`:
    those cells formatted by the caller for its reader, one row per result). Returns `path`. matplotlib (Agg
    back-end) is loaded only here."""
    if not results:
        raise ValueError("no results to chart")
    labels = labels or ChartLabels()
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    figure: Any
    figure, (stock, waiting, table) = plt.subplots(
        3, 1, figsize=(10, 8), gridspec_kw={"height_ratios": [3, 2, 1.2]}, constrained_layout=True,
    )
    for name, result in results:
        stock.plot(result.on_hand, label=name, linewidth=1)
        waiting.plot(result.backordered, label=name, linewidth=1)
    stock.set_title(title)
    stock.set_ylabel(labels.on_hand)
    waiting.set_ylabel(labels.backordered)
    waiting.set_xlabel(labels.day)
    for axes in (stock, waiting):
        axes.legend(loc="upper right")
        axes.grid(alpha=0.3)
    table.axis("off")
    rows = [list(row) for row in table_rows] if table_rows is not None else [
        [name, f"{r.fill_rate:.1%}", f"{r.cycle_service_level:.1%}", f"{r.units_backordered:,}",
         f"{r.backorder_days:,}", f"{r.average_inventory:,.1f}", f"{r.holding_cost:,.2f}", f"{r.orders_placed:,}"]
        for name, r in results
    ]
    columns = list(labels.columns)
    waiting.set_ylim(bottom=0)
    grid = table.table(cellText=rows, colLabels=columns, loc="center", cellLoc="center")
    grid.auto_set_font_size(False)
    grid.set_fontsize(9)
    grid.scale(1, 1.4)
    path = Path(path)
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path

