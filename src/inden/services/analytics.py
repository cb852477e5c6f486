"""The seller's figures at a glance (`GET /v1/analytics`, `inden report`): fill rate, how long customers wait,
lost sales, the products at risk. Read-only; a few grouped queries, then `domain.analytics`."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict
from datetime import datetime, timedelta
from decimal import Decimal

from babel.numbers import format_decimal, format_percent
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from inden.clock import as_utc, utcnow
from inden.db.models import LostDemand, OrderLine, Product, ReplenishmentSuggestion
from inden.db.session import Database
from inden.domain.analytics import Demand, at_risk, wait_summary
from inden.domain.eta import EtaConfidence
from inden.domain.states import SuggestionStatus
from inden.i18n import translate
from inden.services.schemas.analytics import AnalyticsOut, DemandOut, SkuFigures, WaitingOut

DAY = timedelta(days=1)


def shop_report(db: Database, *, days: int = 30, now: datetime | None = None) -> AnalyticsOut:
    """The figures over the last `days` days (demand) and right now (waiting customers, risk)."""
    now = as_utc(now or utcnow())
    since = now - days * DAY
    with db.transaction() as session:
        ordered = _ordered(session, since)
        refused = _refused(session, since)
        waiting = _waiting(session, now)
        risks = _pending_risks(session)
        low = set(session.scalars(select(Product.id).where(Product.below_reorder_point.is_(True))))
        ids = set(ordered) | set(refused) | set(waiting) | low
        products = {p.id: p for p in session.scalars(select(Product).where(Product.id.in_(ids)))} if ids else {}
    skus = [_sku_figures(products[i], ordered.get(i, (0, 0)), refused.get(i, 0), waiting.get(i, []), risks.get(i))
            for i in ids]
    skus.sort(key=lambda s: (-(s.lost_value or 0), -s.refused_units, -s.waiting_units, s.sku))
    every_wait = [(age, units) for lines in waiting.values() for age, units, _ in lines]
    summary = wait_summary(every_wait)
    total = Demand(sum(o for o, _ in ordered.values()), sum(f for _, f in ordered.values()), sum(refused.values()))
    return AnalyticsOut(
        days=days, since=since, until=now,
        demand=DemandOut(ordered_units=total.ordered, from_stock_units=total.from_stock,
                         backordered_units=total.backordered, refused_units=total.refused,
                         fill_rate=total.fill_rate, backorder_rate=total.backorder_rate, lost_rate=total.lost_rate),
        waiting=WaitingOut(**asdict(summary), scheduled_units=sum(u for _, u, sure in _all(waiting) if sure),
                           estimated_units=sum(u for _, u, sure in _all(waiting) if not sure)),
        lost_value=sum((s.lost_value or Decimal(0) for s in skus), Decimal(0)),
        currency=db.settings.currency,
        at_risk=at_risk(skus),
        skus=skus[:100],
    )


Wait = tuple[float, int, bool]  # days waited, units waiting, promised from a purchase order


def why_at_risk(figures: SkuFigures, locale: str) -> str:
    """Why the report lists a product at risk, in `locale` (`inden report` and the back office's report page)."""
    reasons = []
    if figures.estimated_units:
        reasons.append(translate(locale, "%(units)s waiting with no purchase order",
                                 units=format_decimal(figures.estimated_units, locale=locale)))
    if figures.below_reorder_point:
        reasons.append(translate(locale, "at or below its reorder point"))
    if figures.stockout_risk:
        reasons.append(translate(locale, "stock-out risk %(risk)s",
                                 risk=format_percent(figures.stockout_risk, "#,##0.#%", locale=locale)))
    return "; ".join(reasons) or "–"


def _all(waiting: dict[int, list[Wait]]) -> list[Wait]:
    return [w for lines in waiting.values() for w in lines]


def _ordered(session: Session, since: datetime) -> dict[int, tuple[int, int]]:
    """Per product id: (units ordered, units reserved from stock at once) on orders taken since `since`."""
    rows = session.execute(
        select(OrderLine.product_id, func.sum(OrderLine.quantity),
               func.sum(OrderLine.quantity - OrderLine.backordered_at_order))
        .where(OrderLine.order_created_at >= since).group_by(OrderLine.product_id))
    return {product_id: (int(units), int(from_stock)) for product_id, units, from_stock in rows}


def _refused(session: Session, since: datetime) -> dict[int, int]:
    rows = session.execute(select(LostDemand.product_id, func.sum(LostDemand.quantity))
                           .where(LostDemand.created_at >= since).group_by(LostDemand.product_id))
    return {product_id: int(units) for product_id, units in rows}


def _waiting(session: Session, now: datetime) -> dict[int, list[Wait]]:
    lines: dict[int, list[Wait]] = defaultdict(list)
    rows = session.execute(select(OrderLine.product_id, OrderLine.order_created_at, OrderLine.backordered,
                                  OrderLine.eta_confidence).where(OrderLine.backordered > 0))
    for product_id, created_at, units, confidence in rows:
        lines[product_id].append(((now - as_utc(created_at)) / DAY, units, confidence == EtaConfidence.SCHEDULED))
    return lines


def _pending_risks(session: Session) -> dict[int, tuple[float, int]]:
    """Per product id: (stock-out risk, suggestion id) of the latest plan's pending suggestion."""
    rows = session.execute(select(ReplenishmentSuggestion.product_id, ReplenishmentSuggestion.figures,
                                  ReplenishmentSuggestion.id)
                           .where(ReplenishmentSuggestion.status == SuggestionStatus.PENDING.value))
    return {product_id: (float(figures.get("risk", 0.0)), suggestion_id) for product_id, figures, suggestion_id in rows}


def _sku_figures(product: Product, ordered: tuple[int, int], refused: int, waiting: list[Wait],
                 risk: tuple[float, int] | None) -> SkuFigures:
    demand = Demand(ordered[0], ordered[1], refused)
    return SkuFigures(
        sku=product.sku, ordered_units=demand.ordered, fill_rate=demand.fill_rate, refused_units=refused,
        lost_value=product.price * refused if product.price is not None else None,
        waiting_units=sum(units for _, units, _ in waiting),
        estimated_units=sum(units for _, units, sure in waiting if not sure),
        oldest_wait_days=max((age for age, _, _ in waiting), default=None),
        stockout_risk=risk[0] if risk else None, suggestion_id=risk[1] if risk else None,
        below_reorder_point=product.below_reorder_point,
    )
