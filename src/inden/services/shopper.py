"""The buyer's own order page: what an emailed link shows, and the buyer's answer to a wait.

The link's secret is the credential (`steps.order_links`). Reading shows the order as the API does (lines,
place in the queue, ETA and latest date) with the history of its date changes, read from the order's own
`eta_changed` outbox events (kept while the order is open, see `services.retention`). Answering is a POST
behind a confirm page (`inden.web.shopper`): keep waiting, or cancel the lines still waiting — their
reserved units too, which serve the next customers at once, as `orders.cancel_order` does. Each answer is
stored (the seller sees it on the order) and written to the outbox as an `order.choice` event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from inden.clock import as_utc, utcnow
from inden.db.models import OrderChoice, OutboxEvent, Product, WhatsAppOptOut, order_of_event, table_of
from inden.db.outbox import Event, emit
from inden.db.session import Database
from inden.domain.contact import Channel
from inden.domain.errors import InvalidRequest
from inden.domain.event_types import EventType
from inden.domain.states import OrderChoiceKind
from inden.services.order_views import order_view
from inden.services.orders import cancel_units
from inden.services.schemas.common import LineIn
from inden.services.schemas.orders import OrderOut
from inden.services.steps.order_links import order_of_link


@dataclass(frozen=True, slots=True)
class DateChange:
    """One move of a line's promise, as its `eta_changed` event recorded it."""

    at: datetime
    sku: str
    old_eta: date | None
    old_latest: date | None
    new_eta: date | None  # None: no date for now
    new_latest: date | None


@dataclass(frozen=True, slots=True)
class ShopperOrder:
    order: OrderOut
    product_names: dict[str, str]
    history: list[DateChange]  # oldest first
    whatsapp_on: bool = False  # the buyer chose WhatsApp and their number has not opted out

    @property
    def waiting(self) -> list[str]:
        """SKUs of the lines with units still waiting (what the buyer may cancel or keep waiting for)."""
        return [line.sku for line in self.order.lines if line.backordered]


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else None


def _history(session: Session, order_id: int) -> list[DateChange]:
    outbox = table_of(OutboxEvent)
    rows = session.execute(
        select(outbox.c.created_at, outbox.c.payload)
        .where(outbox.c.event_type == EventType.ETA_CHANGED.value, order_of_event() == order_id)
        .order_by(outbox.c.id)
    ).all()
    changes = []
    for created_at, payload in rows:
        old, new = payload.get("old") or {}, payload.get("new") or {}
        changes.append(DateChange(as_utc(created_at), payload.get("sku", ""), _day(old.get("eta")),
                                  _day(old.get("eta_latest")), _day(new.get("eta")), _day(new.get("eta_latest"))))
    return changes


def _shopper_order(session: Session, order_id: int) -> ShopperOrder:
    order = order_view(session, order_id)
    names = dict(session.execute(select(Product.sku, Product.name)
                                 .where(Product.sku.in_([line.sku for line in order.lines]))).all())
    phone = order.customer.phone
    whatsapp_on = (order.customer.channel == Channel.WHATSAPP and phone is not None
                   and session.get(WhatsAppOptOut, phone) is None)
    return ShopperOrder(order, names, _history(session, order_id), whatsapp_on)


def open_order(db: Database, token: str, *, now: datetime | None = None) -> ShopperOrder:
    """The order a link opens, with its date history. Raises UnknownOrderLink."""
    now = now or utcnow()
    with db.transaction() as session:
        return _shopper_order(session, order_of_link(session, token, now=now).id)


def choose(db: Database, token: str, choice: OrderChoiceKind, skus: list[str] | None = None, *,
           now: datetime | None = None) -> ShopperOrder:
    """Record the buyer's answer for the waiting lines (only those of `skus`, when given) and act on it.

    CANCEL cancels every open unit of those lines (waiting and already reserved); KEEP_WAITING changes
    nothing but is recorded. Raises UnknownOrderLink, InvalidRequest when no chosen line is waiting.
    """
    now = now or utcnow()
    with db.transaction() as session:
        order = order_of_link(session, token, now=now)  # not locked: cancel_units locks products, then orders
        view = order_view(session, order.id)
        lines = [line for line in view.lines if line.backordered and (skus is None or line.sku in skus)]
        if not lines:
            raise InvalidRequest(f"Order {order.id} has no waiting items to answer for.", order_id=order.id)
        if choice == OrderChoiceKind.CANCEL:  # what still waits once the order is locked (served meanwhile: kept)
            done = cancel_units(session, order.id, None, waiting_lines=[line.sku for line in lines], now=now)
        else:
            done = [LineIn(sku=line.sku, quantity=line.backordered) for line in lines]
        answer = [line.model_dump() for line in done]
        choice_id = session.execute(insert(OrderChoice).returning(OrderChoice.id), {
            "order_id": order.id, "choice": choice.value, "lines": answer, "created_at": now}).scalar_one()
        emit(session, [Event(EventType.ORDER_CHOICE, f"order.choice:{choice_id}", {
            "order_id": order.id, "choice": choice.value, "lines": answer,
            "customer": {"email": order.customer_email, "locale": order.customer_locale},
        })], now=now)
        return _shopper_order(session, order.id)
