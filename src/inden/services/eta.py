"""Keeping every waiting backorder's ETA true (domain.eta over open purchase orders).

Called inside the transaction of every change that can move a promise: an order placed or cancelled,
stock in, a purchase order created, moved, cancelled or received, a pre-order released. Each ETA that
actually moves writes an `eta_changed` outbox event with the old and new date; nothing is written for
ETAs that stay put.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from inden.config import get_settings, shop_today
from inden.db.bulk import EtaChange, apply_eta_changes
from inden.db.models import OrderLine, Product
from inden.db.queue import QUEUE_COLUMNS
from inden.db.supply import fastest_offers, open_supply, supplier_reliability
from inden.domain.eta import Eta, Inbound, WaitingUnits, peg_etas
from inden.domain.policy import BackorderPolicy


def is_released(product: Product, today: date) -> bool:
    """False for a pre-order before its release date (its stock is held for the launch)."""
    return not (product.backorder_policy == BackorderPolicy.PREORDER.value and product.release_at is not None
                and product.release_at > today)


@dataclass(frozen=True, slots=True)
class _Plan:
    """Everything `peg_etas` needs for one product, besides its queue."""

    inbound: list[Inbound]
    today: date
    lead_time_days: int
    estimated_delay_days: int


def _plans(session: Session, products: Sequence[Product], today: date) -> dict[int, _Plan]:
    ids = [p.id for p in products]
    supply = open_supply(session, ids)
    best = fastest_offers(session, ids)
    suppliers = {s.supplier_id for items in supply.values() for s in items} | {b.supplier_id for b in best.values()}
    reliability = supplier_reliability(session, sorted(suppliers)) if suppliers else {}
    plans = {}
    for product in products:
        inbound = [Inbound(s.expected_at, s.quantity, reliability[s.supplier_id].delay_p90_days)
                   for s in supply.get(product.id, [])]
        start = today
        if not is_released(product, today):
            assert product.release_at is not None
            start = product.release_at  # nothing ships before the launch
            held = product.on_hand - product.allocated
            if held > 0:
                inbound.insert(0, Inbound(product.release_at, held))
        offer = best.get(product.id)
        plans[product.id] = _Plan(
            inbound=inbound,
            today=start,
            lead_time_days=offer.lead_time_days if offer else product.lead_time_days,
            estimated_delay_days=reliability[offer.supplier_id].delay_p90_days if offer else 0,
        )
    return plans


def _peg(plan: _Plan, queue: Sequence[WaitingUnits]) -> list[Eta]:
    return peg_etas(queue, plan.inbound, today=plan.today, lead_time_days=plan.lead_time_days,
                    handling_days=get_settings().handling_days, estimated_delay_days=plan.estimated_delay_days)


def refresh_etas(session: Session, products: Sequence[Product], *, now: datetime) -> int:
    """Re-peg the whole queue of each product; store the ETAs that moved and write `eta_changed` events.

    The products must be locked. Returns how many lines' promises changed.
    """
    if not products:
        return 0
    session.flush()
    today = shop_today(now)
    plans = _plans(session, products, today)
    rows = session.execute(
        select(OrderLine.id, OrderLine.order_id, OrderLine.product_id, OrderLine.backordered, OrderLine.eta,
               OrderLine.eta_latest, OrderLine.eta_confidence)
        .where(OrderLine.product_id.in_(plans), OrderLine.backordered > 0)
        .order_by(OrderLine.product_id, *QUEUE_COLUMNS)
    ).all()
    by_product: dict[int, list[Any]] = {}
    for row in rows:
        by_product.setdefault(row.product_id, []).append(row)
    changes: list[EtaChange] = []
    for product_id, queue in by_product.items():
        etas = _peg(plans[product_id], [WaitingUnits(r.id, r.backordered) for r in queue])
        for row, eta in zip(queue, etas, strict=True):
            # EtaConfidence is a StrEnum: it compares equal to the stored text
            if (row.eta, row.eta_latest, row.eta_confidence) != (eta.eta, eta.eta_latest, eta.confidence):
                changes.append(EtaChange(row.id, eta.eta, eta.eta_latest, eta.confidence))
    _store(session, changes, now=now)
    return len(changes)


def _store(session: Session, changes: list[EtaChange], *, now: datetime) -> None:
    apply_eta_changes(session, changes, now=now)
    for obj in list(session.identity_map.values()):
        if isinstance(obj, OrderLine):
            session.expire(obj)


@dataclass(frozen=True, slots=True)
class NewWaitingLine:
    product: Product
    line_id: int
    waiting: int
    priority: int
    ahead: int  # units of this SKU already waiting when the line joined


def assign_new_etas(session: Session, lines: Sequence[NewWaitingLine], *, now: datetime) -> None:
    """ETAs for lines that just joined their queues.

    A line that joins at the tail (the usual case, and every order of a flash sale) moves nobody else's
    promise, so only its own ETA is pegged, behind the `ahead` units. A line that jumps ahead (a raised
    priority) re-pegs its whole queue.
    """
    if not lines:
        return
    session.flush()
    today = shop_today(now)
    jumped = [line.product for line in lines if _has_lower_priority_behind(session, line)]
    at_tail = [line for line in lines if line.product not in jumped]
    plans = _plans(session, [line.product for line in at_tail], today) if at_tail else {}
    changes = []
    for line in at_tail:
        ahead = [WaitingUnits(0, line.ahead)] if line.ahead > 0 else []
        eta = _peg(plans[line.product.id], [*ahead, WaitingUnits(line.line_id, line.waiting)])[-1]
        changes.append(EtaChange(line.line_id, eta.eta, eta.eta_latest, eta.confidence))
    _store(session, changes, now=now)
    refresh_etas(session, jumped, now=now)


def _has_lower_priority_behind(session: Session, line: NewWaitingLine) -> bool:
    return bool(session.scalar(select(exists().where(
        OrderLine.product_id == line.product.id, OrderLine.backordered > 0, OrderLine.priority < line.priority,
    ))))
