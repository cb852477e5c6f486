"""Back-in-stock sign-ups: double opt-in, one email when stock is back, unsubscribe at any time.

A sign-up is `pending` until the shopper opens the link in the confirmation email (`subscription.confirm`
event), then `confirmed`. When a stock-in brings the product back on sale, every confirmed sign-up gets one
`back_in_stock` event and becomes `notified`; signing up again starts over. The answer to a sign-up is the
same whatever state the address was in, so the public endpoint reveals nobody's sign-ups.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from inden.clock import as_utc, utcnow
from inden.db.models import Product, Subscription
from inden.db.outbox import Event, emit
from inden.db.session import Database, settings_of
from inden.domain.errors import RateLimited, UnknownSubscriptionLink
from inden.domain.event_types import EventType
from inden.domain.states import SubscriptionStatus
from inden.i18n import translate
from inden.services.schemas.storefront import SubscriptionAccepted, SubscriptionCreate, SubscriptionOut
from inden.services.steps.lookup import find_product
from inden.services.steps.restock import subscription_links, tell_sign_ups

RESEND_AFTER = timedelta(minutes=10)  # a repeated sign-up re-sends the confirmation at most this often


def subscribe(db: Database, request: SubscriptionCreate, *, now: datetime | None = None) -> SubscriptionAccepted:
    """Start (or restart) a sign-up and email its confirmation link. Raises UnknownSku, RateLimited."""
    now = now or utcnow()
    accepted = SubscriptionAccepted(sku=request.sku, email=request.email, message=translate(
        request.locale, "Thank you! Please confirm with the link we are emailing you."))
    try:
        with db.transaction() as session:
            _start(session, request, now=now)
    except IntegrityError:  # the same address signed up for the same SKU at the same moment: that one emails
        pass
    return accepted


def _start(session: Session, request: SubscriptionCreate, *, now: datetime) -> None:
    product = find_product(session, request.sku)
    existing = session.scalar(select(Subscription).where(
        Subscription.product_id == product.id, Subscription.email == request.email).with_for_update())
    if existing is not None:
        existing.locale = request.locale
        if existing.status == SubscriptionStatus.CONFIRMED.value:
            return  # already waiting for the stock: nothing to confirm again
        if (existing.status == SubscriptionStatus.PENDING.value and existing.confirm_sent_at is not None
                and as_utc(existing.confirm_sent_at) > now - RESEND_AFTER):
            return  # the link just went out; a double click does not send another
    _check_rate(session, request.email, now=now)
    subscription = existing or Subscription(product_id=product.id, email=request.email, created_at=now)
    subscription.locale = request.locale
    subscription.status = SubscriptionStatus.PENDING.value
    subscription.token = secrets.token_urlsafe(32)
    subscription.confirm_sent_at = now
    subscription.confirmed_at = subscription.notified_at = subscription.unsubscribed_at = None
    session.add(subscription)
    session.flush()
    base_url = settings_of(session).base_url
    emit(session, [Event(EventType.SUBSCRIPTION_CONFIRM, f"subscription.confirm:{subscription.id}:{now.isoformat()}", {
        "subscription_id": subscription.id, "sku": product.sku, "product_name": product.name,
        "email": subscription.email, "locale": subscription.locale,
        **subscription_links(subscription.token, base_url=base_url),
    })], now=now)


def _check_rate(session: Session, email: str, *, now: datetime) -> None:
    """One address may start only so many sign-ups a day: the confirmation emails must not become spam."""
    limit = settings_of(session).signups_per_email_per_day
    started = session.scalar(select(func.count()).select_from(Subscription).where(
        Subscription.email == email, Subscription.confirm_sent_at > now - timedelta(days=1)))
    if (started or 0) >= limit:
        raise RateLimited(f"This address started {limit} sign-ups in the last day; try again tomorrow.",
                          email=email, limit=limit)


def _by_token(session: Session, token: str, *, lock: tuple[type, ...] = ()) -> tuple[Subscription, Product]:
    """The sign-up a link names and its product; `lock` names which of their rows to lock (PostgreSQL)."""
    query = select(Subscription, Product).join(Product).where(Subscription.token == token)
    row = session.execute(query.with_for_update(of=list(lock)) if lock else query).first()
    if row is None:
        raise UnknownSubscriptionLink()
    return row[0], row[1]


def _view(subscription: Subscription, product: Product) -> SubscriptionOut:
    return SubscriptionOut(sku=product.sku, product_name=product.name, email=subscription.email,
                           locale=subscription.locale, status=subscription.status)


def find_subscription(db: Database, token: str) -> SubscriptionOut:
    """The sign-up a link names (for the page that asks to confirm). Raises UnknownSubscriptionLink."""
    with db.transaction() as session:
        return _view(*_by_token(session, token))


def confirm(db: Database, token: str, *, now: datetime | None = None) -> SubscriptionOut:
    """Confirm a pending sign-up (idempotent: a confirmed or notified one stays as it is)."""
    now = now or utcnow()
    with db.transaction() as session:
        # The product's row too: a stock-in holds it while it tells the confirmed sign-ups, so this confirmation
        # comes wholly before it (and is told there) or wholly after (and sees the stock here): never neither.
        subscription, product = _by_token(session, token, lock=(Subscription, Product))
        if subscription.status == SubscriptionStatus.UNSUBSCRIBED.value:
            raise UnknownSubscriptionLink()
        if subscription.status == SubscriptionStatus.PENDING.value:
            subscription.status = SubscriptionStatus.CONFIRMED.value
            subscription.confirmed_at = now
            tell_sign_ups(session, [product], now=now)  # back already, before the shopper clicked
        return _view(subscription, product)


def unsubscribe(db: Database, token: str, *, now: datetime | None = None) -> SubscriptionOut:
    """Stop every email of this sign-up (idempotent)."""
    now = now or utcnow()
    with db.transaction() as session:
        subscription, product = _by_token(session, token, lock=(Subscription,))
        if subscription.status != SubscriptionStatus.UNSUBSCRIBED.value:
            subscription.status = SubscriptionStatus.UNSUBSCRIBED.value
            subscription.unsubscribed_at = now
        return _view(subscription, product)


def count_subscriptions(db: Database, *, sku: str | None = None) -> dict[str, dict[str, int]]:
    """Sign-ups per SKU and status (for the seller: how many shoppers wait for each product)."""
    query = (select(Product.sku, Subscription.status, func.count()).join(Product)
             .group_by(Product.sku, Subscription.status))
    if sku is not None:
        query = query.where(Product.sku == sku)
    counts: dict[str, dict[str, int]] = {}
    with db.transaction() as session:
        for row_sku, status, count in session.execute(query):
            counts.setdefault(row_sku, {})[status] = count
    return counts
