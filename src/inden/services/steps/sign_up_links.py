"""Links that confirm or end a back-in-stock sign-up: minted for each sign-up email, resolved by its pages.

Like the order page's links (steps.order_links): the secret is 32 random bytes (URL-safe), minted when the
email is sent (services.delivery) and only its SHA-256 is stored, so neither the database nor an outbox payload
holds a secret that confirms or ends anyone's sign-up. One secret serves both the confirm and the unsubscribe
address of an email; every email gets its own, and older ones keep working until the sign-up is started again.
The back-in-stock wave therefore writes no secret at all (db.waves): it stays a plain INSERT … SELECT.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from inden.db.models import Product, Subscription, SubscriptionLink
from inden.db.session import settings_of
from inden.domain.errors import UnknownSubscriptionLink
from inden.services.steps.order_links import token_hash

MAX_TOKEN_LENGTH = 64  # minted ones are 43 characters; a longer one is no link of ours


def subscription_links(token: str, *, base_url: str) -> dict[str, str]:
    """The confirm and unsubscribe addresses of one link secret (pages served by `inden.web` at `base_url`)."""
    base = base_url.rstrip("/")
    return {"confirm_url": f"{base}/subscriptions/confirm?token={token}",
            "unsubscribe_url": f"{base}/subscriptions/unsubscribe?token={token}"}


def mint_sign_up_links(session: Session, subscription_ids: Iterable[int], *, now: datetime
                       ) -> dict[int, dict[str, str]]:
    """A new link for each existing sign-up (one INSERT); returns each one's confirm and unsubscribe address."""
    wanted = sorted(set(subscription_ids))
    found = session.scalars(select(Subscription.id).where(Subscription.id.in_(wanted))).all() if wanted else []
    tokens = {sign_up: secrets.token_urlsafe(32) for sign_up in sorted(found)}
    if tokens:
        session.execute(insert(SubscriptionLink), [
            {"subscription_id": sign_up, "token_hash": token_hash(token), "created_at": now}
            for sign_up, token in tokens.items()])
    base_url = settings_of(session).base_url
    return {sign_up: subscription_links(token, base_url=base_url) for sign_up, token in tokens.items()}


def forget_sign_up_links(session: Session, subscription_id: int) -> None:
    """Every link of a sign-up stops working (it is being started again, with a new confirmation)."""
    session.execute(delete(SubscriptionLink).where(SubscriptionLink.subscription_id == subscription_id))


def sign_up_of_link(session: Session, token: str, *, lock: tuple[type, ...] = ()) -> tuple[Subscription, Product]:
    """The sign-up a link names and its product; `lock` names which of their rows to lock (PostgreSQL).
    Raises UnknownSubscriptionLink."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise UnknownSubscriptionLink()
    query = (select(Subscription, Product).join(Product)
             .join(SubscriptionLink, SubscriptionLink.subscription_id == Subscription.id)
             .where(SubscriptionLink.token_hash == token_hash(token)))
    row = session.execute(query.with_for_update(of=list(lock)) if lock else query).first()
    if row is None:
        raise UnknownSubscriptionLink()
    return row[0], row[1]
