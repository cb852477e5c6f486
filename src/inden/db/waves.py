"""Back-in-stock waves in SQL: telling the next sign-ups of a product first come, first served, and measuring
how many told shoppers bought (domain.waves decides how many and when; services.steps.restock calls these).

A wave for 100,000 sign-ups is two statements — an UPDATE that marks the first `size` confirmed sign-ups told by
this wave, and an INSERT … SELECT of their `back_in_stock` events, one bulk outbox row for a large wave (on
PostgreSQL one statement) — with no Python per sign-up and no secret: the links are minted as the emails are sent
(bench/sign_up_waves.py). The caller holds the product's row lock, so no other wave or order interleaves.
"""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal

from sqlalchemy import TextClause, bindparam, func, select, text
from sqlalchemy.orm import Session

from inden.db.models import SignUpWave, Subscription, Timestamp
from inden.db.outbox import EVENTS_CTE, bulk_params, insert_events
from inden.domain.event_types import EventType
from inden.domain.states import SubscriptionStatus
from inden.domain.waves import Conversion

_MARK = text(
    """
    UPDATE subscriptions SET status = :notified, notified_at = :now, wave_id = :wave_id
    WHERE id IN (SELECT id FROM subscriptions WHERE product_id = :product_id AND status = :confirmed
                 ORDER BY confirmed_at, id LIMIT :size)
    """
).bindparams(bindparam("now", type_=Timestamp))
# The same when the wave has room for everyone waiting: no sort, no subquery.
_MARK_ALL = text(
    """
    UPDATE subscriptions SET status = :notified, notified_at = :now, wave_id = :wave_id
    WHERE product_id = :product_id AND status = :confirmed
    """
).bindparams(bindparam("now", type_=Timestamp))

# The payload: {subscription_id, email, locale, sku, product_name, price, limited}. The product's part is the same
# for the whole wave: JSON-encoded once in Python and appended as text. Each sign-up's text fields are JSON-encoded
# by the database (json_quote on SQLite, to_json on PostgreSQL). No link: the email's unsubscribe link is minted
# when it is sent (services.steps.sign_up_links), so a wave writes no secret. A wave of thousands is one bulk
# outbox row (db.outbox.insert_events).
_EVENTS = """
    {cte} (
        SELECT CAST(:event_type AS VARCHAR(64)) AS event_type, :key_prefix || CAST(s.id AS VARCHAR) AS dedup_key,
               '{{"subscription_id":' || s.id || ',"email":' || {quote}(s.email) || ',"locale":' || {quote}(s.locale)
               || :product_part AS payload, s.id AS ord
        FROM {told} s
    )
    """
_SQLITE_TOLD = ("(SELECT * FROM subscriptions WHERE product_id = :product_id AND status = :notified"
                " AND wave_id = :wave_id AND notified_at = :now)")

# PostgreSQL marks and writes in one statement: the UPDATE's RETURNING feeds the events (no second scan). The
# UPDATE is a HOT update (no index names the columns it sets: models.Subscription), so it writes no index entry.
_CHOSEN = """
    WITH chosen AS (
        SELECT id FROM subscriptions WHERE product_id = :product_id AND status = :confirmed
        ORDER BY confirmed_at, id LIMIT :size
    ), told AS (
        UPDATE subscriptions s SET status = :notified, notified_at = :now, wave_id = :wave_id
        FROM chosen WHERE s.id = chosen.id
        RETURNING s.id, s.email, s.locale
    ),
    """
_EVERYONE = """
    WITH told AS (
        UPDATE subscriptions s SET status = :notified, notified_at = :now, wave_id = :wave_id
        WHERE s.product_id = :product_id AND s.status = :confirmed
        RETURNING s.id, s.email, s.locale
    ),
    """  # the wave has room for everyone waiting: no sort, no join
# A new wave's keys (`back_in_stock:{wave}:…`) cannot exist yet, so its INSERT skips the conflict check (a
# speculative insertion per row). Topping up a wave can meet one: a shopper it told signed up again and confirmed
# while it still had room; that event was sent, so the repeat is dropped.


def _statement(sql: str) -> TextClause:
    return text(sql).bindparams(bindparam("now", type_=Timestamp))


_POSTGRESQL = {(everyone, topping_up): _statement(
    (_EVERYONE if everyone else _CHOSEN) + _EVENTS.format(cte=EVENTS_CTE["postgresql"], quote="to_json", told="told")
    + ", written AS (" + insert_events("postgresql", conflict=topping_up) + ") SELECT COUNT(*) FROM told")
    for everyone in (False, True) for topping_up in (False, True)}
_SQLITE_INSERT = {topping_up: _statement(
    "WITH" + _EVENTS.format(cte=EVENTS_CTE["sqlite"], quote="json_quote", told=_SQLITE_TOLD)
    + insert_events("sqlite", conflict=topping_up)) for topping_up in (False, True)}


def waiting_sign_ups(session: Session, product_id: int) -> int:
    """Confirmed sign-ups of a product not told yet."""
    return session.scalar(select(func.count()).select_from(Subscription).where(
        Subscription.product_id == product_id, Subscription.status == SubscriptionStatus.CONFIRMED.value)) or 0


def last_wave(session: Session, product_id: int) -> SignUpWave | None:
    return session.scalars(select(SignUpWave).where(SignUpWave.product_id == product_id)
                           .order_by(SignUpWave.sent_at.desc(), SignUpWave.id.desc()).limit(1)).first()


def tell_wave(session: Session, wave: SignUpWave, *, size: int, waiting: int, sku: str, name: str,
              price: Decimal | None, now: datetime, new: bool) -> int:
    """Tell the first `size` confirmed sign-ups of the wave's product (by confirmation time, then id): mark them
    notified at `now` by `wave` and write their `back_in_stock` events (`limited: true`). Returns how many were
    told and adds them to the wave's `told`. The product must be locked and the wave flushed (it needs its id).
    A wave may be topped up later (a confirmation while it still has room): each call tells only new ones.
    `waiting` is the number of confirmed sign-ups (`waiting_sign_ups`): with room for all, no sort is needed.
    `new`: the wave was made in this transaction and has told nobody yet."""
    params = {"notified": SubscriptionStatus.NOTIFIED.value, "confirmed": SubscriptionStatus.CONFIRMED.value,
              "now": now, "wave_id": wave.id, "product_id": wave.product_id, "size": size}
    product_part = json.dumps({"sku": sku, "product_name": name, "price": None if price is None else str(price),
                               "limited": True}, ensure_ascii=False)
    events = {"event_type": EventType.BACK_IN_STOCK.value, "key_prefix": f"{EventType.BACK_IN_STOCK}:{wave.id}:",
              "product_part": "," + product_part[1:]}
    events.update(bulk_params(session, now))
    if session.get_bind().dialect.name == "postgresql":
        statement = _POSTGRESQL[(size >= waiting, not new)]
        told = int(session.execute(statement, {**params, **events}).scalar_one())
    else:
        told = int(session.execute(_MARK_ALL if size >= waiting else _MARK, params).rowcount or 0)  # type: ignore[attr-defined]
        session.execute(_SQLITE_INSERT[not new], {**params, **events})
    wave.told += told
    for obj in list(session.identity_map.values()):  # sign-ups loaded by the caller see their new state
        if isinstance(obj, Subscription):
            session.expire(obj)
    return told


_MEASURE = text(
    """
    UPDATE sign_up_waves SET bought = (
        SELECT COUNT(*) FROM subscriptions s
        WHERE s.product_id = sign_up_waves.product_id AND s.wave_id = sign_up_waves.id AND EXISTS (
            SELECT 1 FROM orders o JOIN order_lines l ON l.order_id = o.id
            WHERE l.product_id = sign_up_waves.product_id AND lower(o.customer_email) = s.email
              AND o.created_at >= sign_up_waves.sent_at AND o.created_at < sign_up_waves.convert_by))
    WHERE product_id = :product_id AND bought IS NULL AND convert_by <= :now
    """
).bindparams(bindparam("now", type_=Timestamp))


def measure_conversion(session: Session, product_id: int, *, now: datetime) -> Conversion:
    """What the product's past waves converted: waves whose window closed are measured once (how many told
    shoppers ordered the product within it, matched by email in any case) and summed."""
    session.execute(_MEASURE, {"product_id": product_id, "now": now})
    told, bought = session.execute(
        select(func.coalesce(func.sum(SignUpWave.told), 0), func.coalesce(func.sum(SignUpWave.bought), 0))
        .where(SignUpWave.product_id == product_id, SignUpWave.bought.is_not(None))).one()
    return Conversion(told=int(told or 0), bought=int(bought or 0))
