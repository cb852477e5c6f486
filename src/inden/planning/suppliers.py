"""Supplier choice: which supplier to order a SKU from, weighing price, lead time and measured reliability.

A supplier "reliably arrives" by a date when its lead time plus its 90th-percentile delay (9 in 10 of its
past deliveries came no later) falls on or before it. Its effective unit cost is the price divided by its
fill ratio (units received per unit ordered), so a supplier that short-ships looks as dear as it really is.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SupplierOption:
    """One supplier's offer for one SKU. Costs in money per unit, times in days."""

    supplier: str
    unit_cost: float
    lead_time_days: int  # the supplier's promised lead time
    moq: int = 1  # minimum order quantity, units
    pack_size: int = 1  # orders come in whole packs of this many units
    delay_p90_days: float = 0.0  # measured: 9 in 10 deliveries arrived no later than lead time + this
    fill_ratio: float = 1.0  # measured: units received / units ordered, in (0, 1]
    on_time_ratio: float | None = None  # measured: share of deliveries on or before the promised date

    def __post_init__(self) -> None:
        if self.unit_cost < 0 or self.lead_time_days < 0 or self.delay_p90_days < 0:
            raise ValueError(f"{self.supplier}: unit cost, lead time and delay must be non-negative")
        if self.moq < 1 or self.pack_size < 1:
            raise ValueError(f"{self.supplier}: moq and pack_size must be at least 1")
        if not 0 < self.fill_ratio <= 1:
            raise ValueError(f"{self.supplier}: fill_ratio must be in (0, 1]")
        if self.on_time_ratio is not None and not 0 <= self.on_time_ratio <= 1:
            raise ValueError(f"{self.supplier}: on_time_ratio must be in [0, 1]")

    @property
    def arrives_in_days(self) -> float:
        """Days until an order placed today has arrived, 9 times in 10: lead time + p90 delay."""
        return self.lead_time_days + self.delay_p90_days

    @property
    def effective_unit_cost(self) -> float:
        """Money per unit actually received: unit cost / fill ratio."""
        return self.unit_cost / self.fill_ratio


@dataclass(frozen=True, slots=True)
class SupplierChoice:
    """The supplier chosen for one purchase suggestion, and why (`reason` is shown to the seller)."""

    option: SupplierOption
    arrives_in_days: float  # lead time + p90 delay
    effective_unit_cost: float  # unit cost / fill ratio
    expedite: bool  # backorders are waiting: order from the fastest reliable supplier, mark the PO urgent
    reason: str


def _days(value: float) -> str:
    whole = math.ceil(value - 1e-9)
    return f"{whole} day" if whole == 1 else f"{whole} days"


def _money(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:,.2f}"


def _reliability(option: SupplierOption) -> float:
    return option.on_time_ratio if option.on_time_ratio is not None else 1.0


def _choice(option: SupplierOption, *, expedite: bool, reason: str) -> SupplierChoice:
    return SupplierChoice(option, option.arrives_in_days, option.effective_unit_cost, expedite, reason)


def choose_supplier(
    options: Sequence[SupplierOption], *, need_in_days: float, stockout_cost_per_unit_day: float = 0.0,
    quantity: int, customers_waiting: bool = False,
) -> SupplierChoice:
    """Pick the supplier for an order of `quantity` units needed within `need_in_days` days.

    - `customers_waiting` (units are on backorder): the fastest reliable arrival wins, cheaper first on ties;
      `expedite` is True. Only then: an empty shelf nobody waits for is not urgent by itself, and falls to the
      rules below with `need_in_days` 0 (lateness priced by `stockout_cost_per_unit_day`).
    - Otherwise, among suppliers that reliably arrive in time, the lowest effective unit cost wins (then
      the earlier arrival, then the better on-time record).
    - If none arrives in time, each is charged its effective cost plus lateness: days late x quantity x
      `stockout_cost_per_unit_day` (money per unit short per day); the lowest total wins, earlier first on
      ties. With no stock-out cost this is simply the cheapest.
    Raises ValueError when `options` is empty or `quantity` is negative.
    """
    if not options:
        raise ValueError("no supplier offers this SKU")
    if quantity < 0:
        raise ValueError("quantity must be non-negative")
    if customers_waiting:
        return _expedite(options)
    in_time = [o for o in options if o.arrives_in_days <= need_in_days]
    if in_time:
        return _cheapest_in_time(options, in_time, need_in_days=need_in_days, quantity=quantity)
    return _least_costly_late(options, need_in_days=need_in_days, quantity=quantity,
                              stockout_cost_per_unit_day=stockout_cost_per_unit_day)


def _expedite(options: Sequence[SupplierOption]) -> SupplierChoice:
    best = min(options, key=lambda o: (o.arrives_in_days, o.effective_unit_cost, -_reliability(o)))
    cheapest = min(options, key=lambda o: (o.effective_unit_cost, o.arrives_in_days))
    reason = f"Customers are waiting: expedite from {best.supplier}, the fastest reliable supplier " \
             f"(arrives within {_days(best.arrives_in_days)})"
    if cheapest is not best and cheapest.effective_unit_cost < best.effective_unit_cost:
        saved = cheapest.arrives_in_days - best.arrives_in_days
        reason += f", {_days(saved)} sooner than the cheaper {cheapest.supplier}"
    return _choice(best, expedite=True, reason=reason + ".")


def _cheapest_in_time(
    options: Sequence[SupplierOption], in_time: Sequence[SupplierOption], *, need_in_days: float, quantity: int,
) -> SupplierChoice:
    best = min(in_time, key=lambda o: (o.effective_unit_cost, o.arrives_in_days, -_reliability(o)))
    reason = f"{best.supplier} is the cheapest supplier that reliably arrives in time " \
             f"({_days(best.arrives_in_days)}, needed within {_days(need_in_days)})"
    cheaper_late = [o for o in options if o not in in_time and o.effective_unit_cost < best.effective_unit_cost]
    if cheaper_late:
        other = min(cheaper_late, key=lambda o: o.effective_unit_cost)
        late = other.arrives_in_days - need_in_days
        saving = quantity * (best.effective_unit_cost - other.effective_unit_cost)
        reason += f"; {other.supplier} would save {_money(saving)} but could be {_days(late)} late"
        if other.delay_p90_days > 0 and other.lead_time_days <= need_in_days:
            reason += f" (its deliveries run up to {_days(other.delay_p90_days)} behind)"
    return _choice(best, expedite=False, reason=reason + ".")


def _least_costly_late(
    options: Sequence[SupplierOption], *, need_in_days: float, quantity: int, stockout_cost_per_unit_day: float,
) -> SupplierChoice:
    def total(option: SupplierOption) -> float:
        late = max(option.arrives_in_days - need_in_days, 0.0)
        return quantity * (option.effective_unit_cost + late * stockout_cost_per_unit_day)

    best = min(options, key=lambda o: (total(o), o.arrives_in_days, -_reliability(o)))
    late = best.arrives_in_days - need_in_days
    fastest = min(options, key=lambda o: (o.arrives_in_days, o.effective_unit_cost))
    if best is fastest:
        reason = f"No supplier arrives within {_days(need_in_days)}; {best.supplier} is the fastest " \
                 f"({_days(late)} late)"
    else:
        extra = total(fastest) - total(best)
        reason = f"No supplier arrives within {_days(need_in_days)}; {best.supplier} is {_days(late)} late " \
                 f"but costs {_money(extra)} less than the faster {fastest.supplier}, lateness included"
    return _choice(best, expedite=False, reason=reason + ".")
