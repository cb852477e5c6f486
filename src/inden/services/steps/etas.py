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

from sqlalchemy.orm import Session

from inden.clock import shop_date
from inden.db.bulk import RepegPreview, preview_repeg, repeg_queues
from inden.db.models import OrderLine, Product
from inden.db.session import settings_of
from inden.db.supply import fastest_offers, open_supply, supplier_reliability
from inden.domain.eta import Eta, Inbound, PegSchedule, WaitingUnits, peg_etas, peg_schedule
from inden.domain.policy import is_released as released


def is_released(product: Product, today: date) -> bool:
    """`domain.policy.is_released` for a stored product."""
    return released(product.backorder_policy, product.release_at, today)


@dataclass(frozen=True, slots=True)
class Plan:
    """Everything `peg_etas` needs for one product, besides its queue (`plans_for`)."""

    inbound: list[Inbound]
    today: date
    lead_time_days: int
    estimated_delay_days: int
    handling_days: int


def plans_for(session: Session, products: Sequence[Product], today: date) -> dict[int, Plan]:
    """Each product's supply, lead time and delays as of `today`, by product id (the products must be locked)."""
    ids = [p.id for p in products]
    supply = open_supply(session, ids)
    best = fastest_offers(session, ids)
    suppliers = {s.supplier_id for items in supply.values() for s in items} | {b.supplier_id for b in best.values()}
    reliability = supplier_reliability(session, sorted(suppliers)) if suppliers else {}
    plans = {}
    handling_days = settings_of(session).handling_days
    for product in products:
        inbound = [Inbound(s.expected_at, s.quantity, reliability[s.supplier_id].delay_p90_days, s.purchase_order_id)
                   for s in supply.get(product.id, [])]
        start = today
        if not is_released(product, today):
            assert product.release_at is not None
            start = product.release_at  # nothing ships before the launch
            held = product.on_hand - product.allocated
            if held > 0:
                inbound.insert(0, Inbound(product.release_at, held))
        offer = best.get(product.id)
        plans[product.id] = Plan(
            inbound=inbound,
            today=start,
            lead_time_days=offer.lead_time_days if offer else product.lead_time_days,
            estimated_delay_days=reliability[offer.supplier_id].delay_p90_days if offer else 0,
            handling_days=handling_days,
        )
    return plans


def _peg(plan: Plan, queue: Sequence[WaitingUnits]) -> list[Eta]:
    return peg_etas(queue, plan.inbound, today=plan.today, lead_time_days=plan.lead_time_days,
                    handling_days=plan.handling_days, estimated_delay_days=plan.estimated_delay_days)


def _schedule(plan: Plan) -> PegSchedule:
    return peg_schedule(plan.inbound, today=plan.today, lead_time_days=plan.lead_time_days,
                        handling_days=plan.handling_days, estimated_delay_days=plan.estimated_delay_days)


def refresh_etas(session: Session, products: Sequence[Product], *, now: datetime) -> int:
    """Re-peg the whole queue of each product; store the ETAs that moved and write `eta_changed` events.

    The products must be locked. Returns how many lines' promises changed. The pegging itself runs in the
    database (`db.bulk.repeg_queues`) from each product's `peg_schedule`: no Python per waiting line.
    """
    if not products:
        return 0
    session.flush()
    plans = plans_for(session, products, shop_date(now, settings_of(session).timezone))
    changed, _ = repeg_queues(session, {product_id: _schedule(plan) for product_id, plan in plans.items()}, now=now)
    for obj in list(session.identity_map.values()):
        if isinstance(obj, OrderLine):
            session.expire(obj)
    return changed


def preview_etas(session: Session, products: Sequence[Product], *, now: datetime) -> RepegPreview:
    """What `refresh_etas` would change and write for these products now, without writing anything.

    The same schedules and the same SQL rule as `refresh_etas`, so its `messages` equal the `eta_changed`
    events a re-peg in the same state writes. The caller makes the change it previews (e.g. a purchase order
    moved) inside a savepoint it rolls back.
    """
    if not products:
        return RepegPreview(0, 0, 0, 0, 0, 0)
    session.flush()
    plans = plans_for(session, products, shop_date(now, settings_of(session).timezone))
    return preview_repeg(session, {product_id: _schedule(plan) for product_id, plan in plans.items()})


def supply_schedules(session: Session, products: Sequence[Product], *, now: datetime) -> dict[int, PegSchedule]:
    """Each product's supply as promises by queue position, deliveries naming their purchase orders."""
    if not products:
        return {}
    plans = plans_for(session, products, shop_date(now, settings_of(session).timezone))
    return {product_id: _schedule(plan) for product_id, plan in plans.items()}


def tail_etas(session: Session, joining: Sequence[tuple[Product, int]], *, today: date) -> dict[int, Eta]:
    """The promise for `waiting` more units of each product joining the tail of its queue, behind every unit
    waiting now (an order placed now, or the quote a product page shows). Keyed by product id."""
    if not joining:
        return {}
    plans = plans_for(session, [product for product, _ in joining], today)
    return {product.id: tail_eta(plans[product.id], product.backordered, waiting) for product, waiting in joining}


def tail_eta(plan: Plan, ahead: int, waiting: int) -> Eta:
    """The promise for `waiting` more units joining the tail of a queue behind `ahead` units already waiting."""
    before = [WaitingUnits(0, ahead)] if ahead > 0 else []
    return _peg(plan, [*before, WaitingUnits(1, waiting)])[-1]
