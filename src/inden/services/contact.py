"""A buyer's WhatsApp consent: opting out (from their order page, or the seller on the buyer's word) and back in.

An opted-out number gets no WhatsApp message from the next delivery round on: its orders' and sign-ups' events
go by email (`services.steps.whatsapp_contacts`). Consent itself is given when ordering or signing up
(`channel: "whatsapp"` with a number) and recorded on the order or sign-up (`whatsapp_consent_at`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select

from inden.clock import utcnow
from inden.db.models import WhatsAppOptOut
from inden.db.session import Database
from inden.domain.contact import normalise_phone
from inden.domain.errors import InvalidRequest
from inden.notify.whatsapp import consent_word, replies
from inden.services.steps.order_links import order_of_link


def _number(phone: str) -> str:
    try:
        return normalise_phone(phone)
    except ValueError as error:
        raise InvalidRequest(str(error), phone=phone) from error


def opt_out(db: Database, phone: str, *, now: datetime | None = None) -> str:
    """Send this number no more WhatsApp messages (idempotent); returns it normalised. Raises InvalidRequest."""
    number = _number(phone)
    with db.transaction() as session:
        if session.get(WhatsAppOptOut, number) is None:
            session.add(WhatsAppOptOut(phone=number, created_at=now or utcnow()))
    return number


def opt_in(db: Database, phone: str) -> str:
    """Undo an opt-out (the buyer asked for WhatsApp again); returns the number. Raises InvalidRequest."""
    number = _number(phone)
    with db.transaction() as session:
        session.execute(delete(WhatsAppOptOut).where(WhatsAppOptOut.phone == number))
    return number


def opted_out(db: Database) -> list[str]:
    with db.transaction() as session:
        return list(session.scalars(select(WhatsAppOptOut.phone).order_by(WhatsAppOptOut.phone)))


def stop_whatsapp_for_order(db: Database, token: str, *, now: datetime | None = None) -> None:
    """The buyer's "no more WhatsApp" from their order page: their number opts out. Raises UnknownOrderLink."""
    now = now or utcnow()
    with db.transaction() as session:
        order = order_of_link(session, token, now=now)
        if order.customer_phone and session.get(WhatsAppOptOut, order.customer_phone) is None:
            session.add(WhatsAppOptOut(phone=order.customer_phone, created_at=now))


def take_replies(db: Database, payload: Any, *, now: datetime | None = None) -> tuple[int, int]:
    """Buyers' WhatsApp replies from Meta's webhook: "STOP"/"BERHENTI" opts the number out, "START"/"MULAI" back
    in; other messages are left to the seller's WhatsApp inbox. Returns (opted out, opted in)."""
    out = back = 0
    for number, text in replies(payload):
        wish = consent_word(text)
        try:
            if wish is False:
                opt_out(db, number, now=now)
                out += 1
            elif wish is True:
                opt_in(db, number)
                back += 1
        except InvalidRequest:  # not a number we could ever have written to
            continue
    return out, back
