"""Why a purchase suggestion was made, as reasons a seller reads (the service puts them into words)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any


class ReasonKind(StrEnum):
    BELOW_REORDER_POINT = "below_reorder_point"  # stock on hand and on order is at or below the reorder point
    CUSTOMERS_WAITING = "customers_waiting"
    EVENTS = "events"  # planned promotions or launches need stock
    COVER = "cover"  # how long stock lasts against the supplier's lead time
    EXPEDITE = "expedite"  # it cannot arrive in time at the usual lead time: order now, ask for it fast
    RISK = "risk"  # chance of running out before the order arrives
    CAPPED = "capped"  # the reorder point was lowered to the most the SKU sold over a lead time in its year
    SIGN_UPS = "sign_ups"  # back-in-stock sign-ups during a stock-out count as demand the sales did not show


@dataclass(frozen=True, slots=True)
class Reason:
    kind: ReasonKind
    values: Mapping[str, Any] = field(default_factory=dict)


def explain_suggestion(figures: Mapping[str, Any], *, expedite: bool, need_by: date) -> list[Reason]:
    """The reasons behind a suggestion, most pressing first, from the figures the planner stored with it."""
    reasons = []
    if expedite:
        reasons.append(Reason(ReasonKind.EXPEDITE, {"need_by": need_by}))
    if figures.get("backordered", 0) > 0:
        reasons.append(Reason(ReasonKind.CUSTOMERS_WAITING, {"units": int(figures["backordered"])}))
    position, reorder_point = figures.get("inventory_position"), figures.get("reorder_point")
    if position is not None and reorder_point is not None and position <= reorder_point:
        reasons.append(Reason(ReasonKind.BELOW_REORDER_POINT,
                              {"position": int(position), "reorder_point": round(float(reorder_point))}))
    if figures.get("capped") and reorder_point is not None and figures.get("lead_time_days") is not None:
        reasons.append(Reason(ReasonKind.CAPPED, {"reorder_point": round(float(reorder_point)),
                                                  "days": math.ceil(float(figures["lead_time_days"]))}))
    if figures.get("events"):
        reasons.append(Reason(ReasonKind.EVENTS, {"events": ", ".join(figures["events"])}))
    if figures.get("sign_ups", 0) > 0:
        reasons.append(Reason(ReasonKind.SIGN_UPS, {"shoppers": int(figures["sign_ups"]),
                                                    "units": int(figures.get("sign_up_units", 0))}))
    if figures.get("days_of_cover") is not None and figures.get("lead_time_days") is not None:
        reasons.append(Reason(ReasonKind.COVER, {"days": round(float(figures["days_of_cover"])),
                                                 "lead_time": round(float(figures["lead_time_days"]))}))
    if figures.get("risk") is not None:
        reasons.append(Reason(ReasonKind.RISK, {"percent": round(100 * float(figures["risk"]))}))
    return reasons
