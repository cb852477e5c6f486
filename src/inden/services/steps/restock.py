"""Back on sale: marking restocked products and telling their confirmed back-in-stock sign-ups, in waves.

Runs in the transaction of every change that can put units on sale (a stock-in, a receipt, a pre-order's
launch, a sign-up confirmed while stock is there) and on the worker's tick (the next wave once the window has
passed). Waves are sized to the units on sale (domain.waves), so five units back do not disappoint 10,000.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from inden.clock import as_utc, shop_date
from inden.db.models import Product, SignUpWave, StockMovement, Subscription
from inden.db.session import settings_of
from inden.db.waves import last_wave, measure_conversion, tell_wave, waiting_sign_ups
from inden.domain.states import SubscriptionStatus
from inden.domain.waves import CONVERSION_WINDOW, wave_due, wave_factor, wave_size
from inden.services.steps.etas import is_released


@dataclass(frozen=True, slots=True)
class ShelfBefore:
    """Taken before a stock-in: which products had nothing on sale, and which had never had stock at all."""

    out: set[int]
    never_stocked: set[int]


def _out_of_stock(session: Session, products: Sequence[Product], *, now: datetime) -> set[int]:
    today = shop_date(now, settings_of(session).timezone)
    return {p.id for p in products if p.on_hand - p.allocated <= 0 or not is_released(p, today)}


def shelf_before(session: Session, products: Sequence[Product], *, now: datetime) -> ShelfBefore:
    """What `announce_restock` compares with after the stock-in (call before the movements are recorded)."""
    out = _out_of_stock(session, products, now=now)
    empty = [p.id for p in products if p.id in out and p.on_hand == 0]
    stocked = set(session.scalars(select(StockMovement.product_id).where(
        StockMovement.product_id.in_(empty)).distinct())) if empty else set()
    return ShelfBefore(out, set(empty) - stocked)


def announce_restock(session: Session, products: Sequence[Product], before: ShelfBefore, *, now: datetime) -> int:
    """After a stock-in: a product that was out and now has units on sale is marked restocked (for the label)
    unless this was its first stock, and its confirmed sign-ups are told. The products must be locked and
    their waiting backorders already served (waiting customers come first). Returns the events written."""
    sold_out = _out_of_stock(session, products, now=now)
    for product in products:
        if product.id not in sold_out and product.id in before.out and product.id not in before.never_stocked:
            product.restocked_at = now
    return tell_sign_ups(session, products, now=now, more_stock=True)


def tell_sign_ups(session: Session, products: Sequence[Product], *, now: datetime, more_stock: bool = False) -> int:
    """Tell the confirmed sign-ups of these products in waves (domain.waves). For each product with units on sale
    (checked now, under the caller's lock) and sign-ups waiting: a new wave at once with `more_stock` or once
    `sign_up_wave_hours` have passed since the last one; within that window, a wave that told fewer than its size
    (fewer had confirmed) tells newly confirmed sign-ups up to its size. Returns the events written."""
    settings = settings_of(session)
    sold_out = _out_of_stock(session, products, now=now)
    window = timedelta(hours=settings.sign_up_wave_hours)
    written = 0
    for product in products:
        waiting = 0 if product.id in sold_out else waiting_sign_ups(session, product.id)
        if not waiting:
            continue
        last = last_wave(session, product.id)
        units = product.on_hand - product.allocated
        last_at = as_utc(last.sent_at) if last else None
        if wave_due(last_at, now=now, window=window, more_stock=more_stock):
            factor = wave_factor(measure_conversion(session, product.id, now=now),
                                 start=settings.sign_up_wave_start_factor)
            wave = SignUpWave(product_id=product.id, sent_at=now, units_on_sale=units, factor=factor,
                              size=wave_size(units, factor), told=0, convert_by=now + CONVERSION_WINDOW)
            session.add(wave)
            session.flush()
            room, new = wave.size, True
        else:
            assert last is not None
            wave, room, new = last, last.size - last.told, False
        if room > 0:
            written += tell_wave(session, wave, size=room, waiting=waiting, sku=product.sku, name=product.name,
                                 price=product.price, now=now, new=new)
    return written


def signed_up_products() -> Select[int]:
    """Ids of the products that have a confirmed sign-up waiting (for the worker's launch tick)."""
    return select(Subscription.product_id).where(Subscription.status == SubscriptionStatus.CONFIRMED.value)
