"""Who of a delivery batch's readers hears by WhatsApp: the buyers whose order (or sign-up) chose it, with a
number that has not opted out. Looked up when the batch is claimed, so an opt-out counts from the next send."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from inden.db.models import Order, Subscription, WhatsAppOptOut
from inden.domain.contact import Channel
from inden.notify.render import ORDER_EVENTS, SUBSCRIBER_EVENTS


@dataclass(frozen=True, slots=True)
class WhatsAppContacts:
    orders: dict[int, str] = field(default_factory=dict)  # order id -> number
    sign_ups: dict[int, str] = field(default_factory=dict)  # subscription id -> number

    def phone_for(self, event_type: str, payload: Mapping[str, Any]) -> str | None:
        """The number an event goes to by WhatsApp; None: by email."""
        if event_type in ORDER_EVENTS:
            return self.orders.get(payload.get("order_id", 0))
        if event_type in SUBSCRIBER_EVENTS:
            return self.sign_ups.get(payload.get("subscription_id", 0))
        return None


def _ids(payloads: Iterable[Any], key: str) -> set[int]:
    return {p[key] for p in payloads if isinstance(p, dict) and isinstance(p.get(key), int)
            and not isinstance(p.get(key), bool)}


def whatsapp_contacts(session: Session, payloads: list[Any]) -> WhatsAppContacts:
    """The WhatsApp numbers of the orders and sign-ups these event payloads name (three small queries)."""
    order_ids, sign_up_ids = _ids(payloads, "order_id"), _ids(payloads, "subscription_id")
    orders = dict(session.execute(select(Order.id, Order.customer_phone).where(
        Order.id.in_(order_ids), Order.channel == Channel.WHATSAPP.value, Order.customer_phone.is_not(None))).all()
    ) if order_ids else {}
    sign_ups = dict(session.execute(select(Subscription.id, Subscription.phone).where(
        Subscription.id.in_(sign_up_ids), Subscription.channel == Channel.WHATSAPP.value,
        Subscription.phone.is_not(None))).all()) if sign_up_ids else {}
    phones = set(orders.values()) | set(sign_ups.values())
    opted_out = set(session.scalars(select(WhatsAppOptOut.phone).where(WhatsAppOptOut.phone.in_(phones)))) \
        if phones else set()
    return WhatsAppContacts({k: v for k, v in orders.items() if v and v not in opted_out},
                            {k: v for k, v in sign_ups.items() if v and v not in opted_out})
