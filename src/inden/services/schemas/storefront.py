"""The shopper's side: a product's availability, back-in-stock sign-ups."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, field_validator, model_validator

from inden.domain.availability import ShelfStatus
from inden.domain.contact import Channel
from inden.domain.eta import EtaConfidence
from inden.domain.labels import Label
from inden.domain.states import SubscriptionStatus
from inden.services.schemas.common import Email, Locale, Phone, Request, Sku, channel_needs_phone

# Storefront (API.md, section Storefront)



class AvailabilityOut(BaseModel):
    """What a product page shows for a quantity, decided exactly as an order placed now would be."""

    sku: str
    status: ShelfStatus
    available: int  # units sellable now (0 for a pre-order before its release)
    quantity: int
    eta: date | None  # when the waiting units would ship (null when nothing would wait)
    eta_latest: date | None
    eta_confidence: EtaConfidence | None
    labels: list[Label]
    label_texts: list[str]  # the labels in the requested language, same order
    message: str  # a ready sentence in the requested language
    locale: Locale


class SubscriptionCreate(Request):
    sku: Sku
    email: Email
    locale: Locale = "id"
    phone: Phone | None = None
    channel: Channel = Channel.EMAIL  # "whatsapp": the shopper chose WhatsApp (and consented) when signing up

    @model_validator(mode="after")
    def _whatsapp_has_a_number(self) -> SubscriptionCreate:
        channel_needs_phone(self.channel, self.phone)
        return self

    @field_validator("email")
    @classmethod
    def _lower(cls, value: str) -> str:
        return value.lower()


class SubscriptionAccepted(BaseModel):
    """The answer to a sign-up. The same whatever the address's state, so it reveals no one's sign-ups."""

    sku: str
    email: str
    message: str


class SubscriptionOut(BaseModel):
    sku: str
    product_name: str
    email: str
    locale: Locale
    status: SubscriptionStatus


class SignUpWaveOut(BaseModel):
    sent_at: datetime
    units_on_sale: int
    factor: float  # sign-ups told per unit on sale
    size: int  # units on sale × factor, rounded up: how many it may tell
    told: int
    bought: int | None  # told shoppers who ordered within 24 hours; null until those 24 hours have passed


class SignUpWavesOut(BaseModel):
    """A product's back-in-stock waves: who waits, what past waves converted, the factor the next one uses."""

    sku: str
    waiting: int  # confirmed sign-ups not told yet
    told: int  # sign-ups told in measured waves
    bought: int  # of those, how many ordered the product within 24 hours
    conversion: float | None  # bought / told; null before any wave was measured
    factor: float  # 1 / conversion kept in 1..10; 3 before any measurement
    next_wave_after: datetime | None  # the window after the last wave (sooner if more stock arrives)
    waves: list[SignUpWaveOut]  # newest first, at most 50
