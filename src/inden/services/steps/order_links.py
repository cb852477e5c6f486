"""Links that open a buyer's own order page (no account): minted for each order email, resolved by the page.

The link's secret is 32 random bytes (URL-safe); only its SHA-256 is stored, so a copy of the database opens
no one's order. A link works while its order is open, and for `order_link_days` after it was minted once the
order is shipped or cancelled ("expiring with the order").
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from inden.clock import as_utc
from inden.db.models import Order, OrderLink
from inden.db.session import settings_of
from inden.domain.errors import UnknownOrderLink
from inden.domain.orders import OrderStatus

CLOSED = (OrderStatus.SHIPPED.value, OrderStatus.CANCELLED.value)
TOKEN_LENGTH = 43  # secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def order_page_url(token: str, *, base_url: str) -> str:
    """The address of the buyer's order page for a link secret (served by `inden.web.shopper`)."""
    return f"{base_url.rstrip('/')}/o/{token}"


def mint_order_links(session: Session, order_ids: Iterable[int], *, now: datetime) -> dict[int, str]:
    """A new link for each existing order (one INSERT); returns each order's page address, secret included."""
    wanted = sorted(set(order_ids))
    found = session.scalars(select(Order.id).where(Order.id.in_(wanted))).all() if wanted else []
    tokens = {order_id: secrets.token_urlsafe(32) for order_id in sorted(found)}
    if tokens:
        session.execute(insert(OrderLink), [
            {"order_id": order_id, "token_hash": token_hash(token), "created_at": now}
            for order_id, token in tokens.items()])
    base_url = settings_of(session).base_url
    return {order_id: order_page_url(token, base_url=base_url) for order_id, token in tokens.items()}


def order_of_link(session: Session, token: str, *, now: datetime) -> Order:
    """The order a link opens (not locked). Raises UnknownOrderLink for an unknown secret, or one minted more
    than `order_link_days` ago for an order that is shipped or cancelled."""
    if len(token) != TOKEN_LENGTH:
        raise UnknownOrderLink()
    query = (select(Order, OrderLink.created_at).join(OrderLink, OrderLink.order_id == Order.id)
             .where(OrderLink.token_hash == token_hash(token)))
    row = session.execute(query).first()
    if row is None:
        raise UnknownOrderLink()
    order, minted = row
    if order.status in CLOSED and as_utc(minted) < now - timedelta(days=settings_of(session).order_link_days):
        raise UnknownOrderLink()
    return order
