"""Back-in-stock sign-ups: double opt-in, one email when stock is back, unsubscribe at any time.

A sign-up is `pending` until the shopper opens the link in the confirmation email (`subscription.confirm`
event), then `confirmed`. When a stock-in brings the product back on sale, every confirmed sign-up gets one
`back_in_stock` event and becomes `notified`; signing up again starts over. The answer to a sign-up is the
same whatever state the address was in, so the public endpoint reveals nobody's sign-ups.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import Row, Select, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from inden.clock import as_utc, utcnow
from inden.config import get_settings, shop_today
from inden.db.models import Product, StockMovement, Subscription
from inden.db.session import Database
from inden.domain.errors import RateLimited, UnknownSubscriptionLink
from inden.i18n import translate
from inden.notify.outbox import Event, emit
from inden.services.eta import is_released
from inden.services.products import find_product
from inden.services.schemas import SubscriptionAccepted, SubscriptionCreate, SubscriptionOut

RESEND_AFTER = timedelta(minutes=10)  # a repeated sign-up re-sends the confirmation at most this often


class SubscriptionStatus(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    NOTIFIED = "notified"
    UNSUBSCRIBED = "unsubscribed"


def links(token: str) -> dict[str, str]:
    """The confirm and unsubscribe addresses carried by the emails (pages served by `inden.web`)."""
    base = get_settings().base_url.rstrip("/")
    return {"confirm_url": f"{base}/subscriptions/confirm?token={token}",
            "unsubscribe_url": f"{base}/subscriptions/unsubscribe?token={token}"}


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
    emit(session, [Event("subscription.confirm", f"subscription.confirm:{subscription.id}:{now.isoformat()}", {
        "subscription_id": subscription.id, "sku": product.sku, "product_name": product.name,
        "email": subscription.email, "locale": subscription.locale, **links(subscription.token),
    })], now=now)


def _check_rate(session: Session, email: str, *, now: datetime) -> None:
    """One address may start only so many sign-ups a day: the confirmation emails must not become spam."""
    limit = get_settings().signups_per_email_per_day
    started = session.scalar(select(func.count()).select_from(Subscription).where(
        Subscription.email == email, Subscription.confirm_sent_at > now - timedelta(days=1)))
    if started >= limit:
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
                           locale=subscription.locale, status=subscription.status)  # type: ignore[arg-type]


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


@dataclass(frozen=True, slots=True)
class ShelfBefore:
    """Taken before a stock-in: which products had nothing on sale, and which had never had stock at all."""

    out: set[int]
    never_stocked: set[int]


def _out_of_stock(products: Sequence[Product], *, now: datetime) -> set[int]:
    today = shop_today(now)
    return {p.id for p in products if p.on_hand - p.allocated <= 0 or not is_released(p, today)}


def shelf_before(session: Session, products: Sequence[Product], *, now: datetime) -> ShelfBefore:
    """What `announce_restock` compares with after the stock-in (call before the movements are recorded)."""
    out = _out_of_stock(products, now=now)
    empty = [p.id for p in products if p.id in out and p.on_hand == 0]
    stocked = set(session.scalars(select(StockMovement.product_id).where(
        StockMovement.product_id.in_(empty)).distinct())) if empty else set()
    return ShelfBefore(out, set(empty) - stocked)


def announce_restock(session: Session, products: Sequence[Product], before: ShelfBefore, *, now: datetime) -> int:
    """After a stock-in: a product that was out and now has units on sale is marked restocked (for the label)
    unless this was its first stock, and its confirmed sign-ups are told. The products must be locked and
    their waiting backorders already served (waiting customers come first). Returns the events written."""
    sold_out = _out_of_stock(products, now=now)
    for product in products:
        if product.id not in sold_out and product.id in before.out and product.id not in before.never_stocked:
            product.restocked_at = now
    return tell_sign_ups(session, products, now=now)


def tell_sign_ups(session: Session, products: Sequence[Product], *, now: datetime) -> int:
    """Each confirmed sign-up for these products, where they have units on sale, gets one `back_in_stock`
    event and becomes `notified`. Returns the events written."""
    sold_out = _out_of_stock(products, now=now)
    by_id = {p.id: p for p in products if p.id not in sold_out}
    if not by_id:
        return 0
    # One UPDATE … RETURNING and one INSERT, not an ORM object per sign-up: a viral product may have thousands
    # waiting, and they are told while its row is locked against orders (10,000 took ~0.6 s as objects).
    told = session.execute(
        update(Subscription)
        .where(Subscription.product_id.in_(by_id), Subscription.status == SubscriptionStatus.CONFIRMED.value)
        .values(status=SubscriptionStatus.NOTIFIED.value, notified_at=now)
        .returning(Subscription.id, Subscription.product_id, Subscription.email, Subscription.locale,
                   Subscription.token, Subscription.confirmed_at)
        .execution_options(synchronize_session="evaluate")).all()
    return emit(session, (_back_in_stock(row, by_id[row.product_id]) for row in sorted(told)), now=now)


def _back_in_stock(told: Row[tuple[int, int, str, str, str, datetime | None]], product: Product) -> Event:
    confirmed = as_utc(told.confirmed_at).isoformat() if told.confirmed_at else ""
    return Event("back_in_stock", f"back_in_stock:{told.id}:{confirmed}", {
        "subscription_id": told.id, "sku": product.sku, "product_name": product.name,
        "email": told.email, "locale": told.locale, "unsubscribe_url": links(told.token)["unsubscribe_url"],
        "price": str(product.price) if product.price is not None else None,
    })


def signed_up_products() -> Select[tuple[int]]:
    """Ids of the products that have a confirmed sign-up waiting (for the worker's launch tick)."""
    return select(Subscription.product_id).where(Subscription.status == SubscriptionStatus.CONFIRMED.value)


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
