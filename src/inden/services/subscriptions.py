"""Back-in-stock sign-ups: double opt-in, one email when stock is back, unsubscribe at any time.

A sign-up is `pending` until the shopper opens the link in the confirmation email (`subscription.confirm`
event), then `confirmed`. When a stock-in brings the product back on sale, confirmed sign-ups are told in waves
sized to the units on sale, first come first served (`steps.restock`, `domain.waves`): each told one gets one
`back_in_stock` event and becomes `notified`; signing up again starts over. The answer to a sign-up is the
same whatever state the address was in, so the public endpoint reveals nobody's sign-ups.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from inden.clock import as_utc, shop_date, utcnow
from inden.db.models import Product, SignUpWave, Subscription
from inden.db.outbox import Event, emit
from inden.db.session import Database, settings_of
from inden.db.stock import lock_products_by_id
from inden.db.waves import measure_conversion, waiting_sign_ups
from inden.domain.contact import Channel
from inden.domain.errors import RateLimited, UnknownSubscriptionLink
from inden.domain.event_types import EventType
from inden.domain.states import SubscriptionStatus
from inden.domain.waves import wave_factor
from inden.i18n import translate
from inden.services.schemas.storefront import (
    SignUpWaveOut,
    SignUpWavesOut,
    SubscriptionAccepted,
    SubscriptionCreate,
    SubscriptionOut,
)
from inden.services.steps.lookup import find_product
from inden.services.steps.restock import signed_up_products, tell_sign_ups
from inden.services.steps.sign_up_links import forget_sign_up_links, sign_up_of_link

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
    subscription.phone, subscription.channel = request.phone, request.channel.value
    subscription.whatsapp_consent_at = now if request.channel == Channel.WHATSAPP else None
    subscription.status = SubscriptionStatus.PENDING.value
    subscription.confirm_sent_at = now
    subscription.confirmed_at = subscription.notified_at = subscription.unsubscribed_at = None
    subscription.wave_id = None
    session.add(subscription)
    session.flush()
    if existing is not None:
        forget_sign_up_links(session, subscription.id)  # a new start: the links of the last one stop working
    # No link in the payload: services.delivery mints one into the email (steps.sign_up_links).
    emit(session, [Event(EventType.SUBSCRIPTION_CONFIRM, f"subscription.confirm:{subscription.id}:{now.isoformat()}", {
        "subscription_id": subscription.id, "sku": product.sku, "product_name": product.name,
        "email": subscription.email, "locale": subscription.locale,
    })], now=now)


def _check_rate(session: Session, email: str, *, now: datetime) -> None:
    """One address may start only so many sign-ups a day: the confirmation emails must not become spam."""
    limit = settings_of(session).signups_per_email_per_day
    started = session.scalar(select(func.count()).select_from(Subscription).where(
        Subscription.email == email, Subscription.confirm_sent_at > now - timedelta(days=1)))
    if (started or 0) >= limit:
        raise RateLimited(f"This address started {limit} sign-ups in the last day; try again tomorrow.",
                          email=email, limit=limit)


def _view(subscription: Subscription, product: Product) -> SubscriptionOut:
    return SubscriptionOut(sku=product.sku, product_name=product.name, email=subscription.email,
                           locale=subscription.locale, status=subscription.status)


def find_subscription(db: Database, token: str) -> SubscriptionOut:
    """The sign-up a link names (for the page that asks to confirm). Raises UnknownSubscriptionLink."""
    with db.transaction() as session:
        return _view(*sign_up_of_link(session, token))


def confirm(db: Database, token: str, *, now: datetime | None = None) -> SubscriptionOut:
    """Confirm a pending sign-up (idempotent: a confirmed or notified one stays as it is)."""
    now = now or utcnow()
    with db.transaction() as session:
        # The product's row too: a stock-in holds it while it tells the confirmed sign-ups, so this confirmation
        # comes wholly before it (and is told there) or wholly after (and sees the stock here): never neither.
        subscription, product = sign_up_of_link(session, token, lock=(Subscription, Product))
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
        subscription, product = sign_up_of_link(session, token, lock=(Subscription,))
        if subscription.status != SubscriptionStatus.UNSUBSCRIBED.value:
            subscription.status = SubscriptionStatus.UNSUBSCRIBED.value
            subscription.unsubscribed_at = now
        return _view(subscription, product)


def send_due_waves(db: Database, *, now: datetime | None = None) -> int:
    """The worker's tick: the next back-in-stock wave of every product that has units on sale, confirmed sign-ups
    waiting and a last wave older than `sign_up_wave_hours`. Returns the events written."""
    now = now or utcnow()
    window = timedelta(hours=db.settings.sign_up_wave_hours)
    with db.transaction() as session:
        recent = select(SignUpWave.product_id).where(SignUpWave.sent_at > now - window)
        due = session.scalars(select(Product.id).where(
            Product.on_hand > Product.allocated, Product.id.in_(signed_up_products()),
            Product.id.not_in(recent))).all()
        if not due:
            return 0
        return tell_sign_ups(session, list(lock_products_by_id(session, due).values()), now=now)


def sign_up_waves(db: Database, sku: str, *, now: datetime | None = None) -> SignUpWavesOut:
    """A product's back-in-stock waves and what they converted (the seller's view). Raises UnknownSku."""
    now = now or utcnow()
    with db.transaction() as session:
        product = find_product(session, sku)
        conversion = measure_conversion(session, product.id, now=now)
        waves = session.scalars(select(SignUpWave).where(SignUpWave.product_id == product.id)
                                .order_by(SignUpWave.id.desc()).limit(50)).all()
        last = as_utc(waves[0].sent_at) if waves else None
        return SignUpWavesOut(
            sku=product.sku, waiting=waiting_sign_ups(session, product.id),
            told=conversion.told, bought=conversion.bought, conversion=conversion.rate,
            factor=wave_factor(conversion, start=db.settings.sign_up_wave_start_factor),
            next_wave_after=last + timedelta(hours=db.settings.sign_up_wave_hours) if last else None,
            waves=[SignUpWaveOut(sent_at=as_utc(w.sent_at), units_on_sale=w.units_on_sale, factor=w.factor,
                                 size=w.size, told=w.told, bought=w.bought) for w in waves])


def sign_up_history(db: Database, *, since: date, until: date, now: datetime | None = None
                    ) -> tuple[list[tuple[str, date, int]], dict[str, float | None]]:
    """Back-in-stock sign-ups per SKU and shop day they were confirmed (`since`..`until`), and each SKU's measured
    conversion (None before a wave was measured): the input of `planning.sign_up_demand.add_sign_up_demand`
    (rows `unique_id, ds, sign_ups`); the plan reads it in `services.planning.snapshot.with_sign_ups`."""
    now = now or utcnow()
    timezone = db.settings.timezone
    counts: dict[tuple[str, date], int] = {}
    with db.transaction() as session:
        rows = session.execute(select(Product.sku, Subscription.confirmed_at).join(Product).where(
            Subscription.confirmed_at.is_not(None),
            Subscription.confirmed_at >= datetime.combine(since - timedelta(days=1), datetime.min.time(), UTC),
            Subscription.confirmed_at < datetime.combine(until + timedelta(days=2), datetime.min.time(), UTC)))
        for sku, confirmed_at in rows:
            if confirmed_at is None:
                continue
            day = shop_date(as_utc(confirmed_at), timezone)
            if since <= day <= until:
                counts[(sku, day)] = counts.get((sku, day), 0) + 1
        skus = sorted({sku for sku, _ in counts})
        ids = dict(session.execute(select(Product.sku, Product.id).where(Product.sku.in_(skus))).all())
        conversion = {sku: measure_conversion(session, ids[sku], now=now).rate for sku in skus}
    return [(sku, day, count) for (sku, day), count in sorted(counts.items())], conversion


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
